"""Reporters: one module per output format, each with ``render(report, **options) -> str``
(and ``render_many(reports)`` when several specs make one document).

Every module in this package whose name does not start with ``_`` is a format named after
the module (``sarif.py`` is ``--format sarif`` and ``--report sarif=PATH``): adding a format
is adding a module. Helpers shared by several reporters start with ``_``. Modules are
imported on first use, so a run never pays for a format it does not print.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable

from gatekeeper.report import Report

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any

#: The format shown first in help and used by default.
DEFAULT_FORMAT = "terminal"


def _discover() -> dict[str, str]:
    """format name -> module under gatekeeper.reporters (a directory listing: no imports)."""
    names = sorted(name[:-3] for name in os.listdir(os.path.dirname(__file__))
                   if name.endswith(".py") and not name.startswith("_"))
    names.sort(key=lambda name: name != DEFAULT_FORMAT)
    return {name: name for name in names}


#: format name -> module under gatekeeper.reporters
REPORTERS: dict[str, str] = _discover()


def module_of(name: str) -> Any:
    """The reporter module of format `name` (imported on first use)."""
    return importlib.import_module(f"gatekeeper.reporters.{REPORTERS[name]}")


def get(name: str) -> Callable[..., str]:
    return module_of(name).render


def render(name: str, report: Report, **options) -> str:
    return get(name)(report, **options)


def render_many(name: str, reports: list[Report]) -> str:
    """Several specs in one output: each format's own ``render_many`` (the HTML portfolio,
    one SARIF run, one JUnit document...), else the single renders concatenated."""
    return render_many_of(module_of(name), reports)


def render_many_of(module: Any, reports: list[Report]) -> str:
    """`render_many` for a reporter module already at hand."""
    many = getattr(module, "render_many", None)
    if many is not None:
        return many(list(reports))
    return "".join(module.render(r) for r in reports)
