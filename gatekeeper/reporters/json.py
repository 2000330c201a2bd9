"""The JSON report: the public, versioned contract (gatekeeper/schemas/report.schema.json)."""

from __future__ import annotations

import json
import re

from gatekeeper.report import Report

# Characters JSON may carry raw but terminals act on (DEL, C1 such as CSI U+009B, bidi
# controls, line separators): written as \uXXXX escapes, which decode to the same text (G8).
_INERT = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _inert(text: str) -> str:  # no match: `sub` returns `text` itself, no copy
    return _INERT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(report: Report, **_: object) -> str:
    data = report.to_dict()
    raw = _orjson(data)
    if raw is None:
        return _inert(_std_dumps(data)) + "\n"
    del data  # Graph beta: 40 MB of dicts freed before its 32 MB of text is decoded
    return _inert(raw.decode())


def _std_dumps(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False)


#: Below this many values the standard library is as quick as importing orjson (about 4 ms,
#: with dataclasses and uuid): the median spec's report has a few hundred.
_ORJSON_FROM = 20_000


def _orjson(data: object) -> bytes | None:
    """``_std_dumps(data) + "\\n"`` as UTF-8, from orjson; None when the standard library must
    write it.

    With an indent the standard library encodes in pure Python: 1.2 s of Graph beta's 38k
    findings (benchmarks/README.md, "Per-phase profile"). orjson writes the same bytes for
    str keys, str, int, bool, None, lists and dicts (escapes included) and is used when
    every value is one of those or a finite float written without an exponent (then both
    spell it as `repr` does: checked on 185k random floats; orjson writes ``1e-05`` as
    ``0.00001``); lone surrogates and integers beyond 64 bits are left to the standard
    library too."""
    stack, plain, nodes = [data], True, 0
    while stack and plain:
        nodes += 1
        node = stack.pop()
        kind = type(node)
        if kind is dict:
            plain = all(type(k) is str for k in node)
            stack.extend(node.values())
        elif kind is list:
            stack.extend(node)
        elif kind is float:
            plain = node == node and abs(node) != float("inf") and "e" not in repr(node)
        elif kind is int:
            plain = -(2**63) <= node < 2**64
        else:
            plain = kind is str or node is None or kind is bool
    if not plain or nodes < _ORJSON_FROM:
        return None
    try:
        import orjson

        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
                            | orjson.OPT_APPEND_NEWLINE)
    except (ImportError, TypeError):  # e.g. a lone surrogate, which json.dumps writes
        return None


def render_many(reports: list[Report]) -> str:
    """Several specs in one run: a list under ``reports`` plus the overall verdict."""
    data = {"schema_version": 1, "passed": all(r.passed for r in reports),
            "reports": [r.to_dict() for r in reports]}
    raw = _orjson(data)
    return _inert(_std_dumps(data)) + "\n" if raw is None else _inert(raw.decode())
