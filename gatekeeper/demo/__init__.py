"""A demo API to audit: ``python -m gatekeeper.demo --port 8000``.

Then, in a second shell::

    gatekeeper audit gatekeeper/demo/openapi.yaml --base-url http://127.0.0.1:8000

The service, its seeded defects and its access log are described in `gatekeeper.demo.app`.
Starlette and uvicorn come with the ``demo`` extra (``pip install '.[demo]'`` in a checkout of gatekeeper).
"""

from __future__ import annotations

from pathlib import Path

SPEC_PATH = Path(__file__).with_name("openapi.yaml")
CHAOS_SPEC_PATH = Path(__file__).with_name("chaos.yaml")

__all__ = ["CHAOS_SPEC_PATH", "SPEC_PATH"]
