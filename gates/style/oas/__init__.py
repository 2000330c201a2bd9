"""`spectral:oas`, Spectral's built-in OpenAPI ruleset: its rules as data (`RULESET`, in
`ruleset.py`) and the OpenAPI-specific functions they call by name (`FUNCTIONS`, in
`functions.py`; the JSON Schema based ones in `document_schema.py` and `examples.py`)."""

from __future__ import annotations

from .functions import FUNCTIONS
from .ruleset import RULESET

__all__ = ["FUNCTIONS", "RULESET"]
