"""The JSON report: the public, versioned contract (gatekeeper/schemas/report.schema.json)."""

from __future__ import annotations

import json
import re
from itertools import chain

from gatekeeper.report import Report

# Characters JSON may carry raw but terminals act on (DEL, C1 such as CSI U+009B, bidi
# controls, line separators): written as \uXXXX escapes, which decode to the same text (G8).
# Also a lone surrogate (a JSON spec may escape one), which UTF-8 cannot carry raw.
_INERT = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _inert(text: str) -> str:  # no match: `sub` returns `text` itself, no copy
    return _INERT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def render(report: Report, **_: object) -> str:
    data = report.to_dict()
    raw = _orjson(data)
    if raw is None:
        return _inert(_std_dumps(data)) + "\n"
    del data  # Graph beta: 40 MB of dicts freed before its 32 MB of text is decoded
    return _inert_utf8(raw)


def render_bytes(report: Report, **_: object) -> bytes:
    """`render` as UTF-8, for a file or stdout: orjson's bytes as they are when nothing in
    them needs `_INERT`'s escapes, so the document is neither decoded nor encoded again
    (Graph beta's 32 MB report: rendered and written in 0.22 -> 0.135 s of CPU)."""
    data = report.to_dict()
    raw = _orjson(data)
    if raw is None:
        return (_inert(_std_dumps(data)) + "\n").encode("utf-8")
    del data
    return _inert(raw.decode()).encode("utf-8") if _may_need_inert(raw) else raw


def _std_dumps(data: object) -> str:
    return json.dumps(data, indent=2, sort_keys=True, allow_nan=False, ensure_ascii=False)


#: The second and third UTF-8 bytes of the line separators and bidi controls `_INERT` escapes
#: (U+2028 to U+202E: E2 80 A8 to AE; U+2066 to U+2069: E2 81 A6 to A9).
_E2_TAILS = frozenset([bytes((0x80, b)) for b in range(0xA8, 0xAF)]
                      + [bytes((0x81, b)) for b in range(0xA6, 0xAA)])
#: Past this many E2 or C2 lead bytes, `_INERT`'s own scan is as quick as looking at each.
_LEADS_MAX = 20_000


def _inert_utf8(raw: bytes) -> str:
    """``_inert(raw.decode())``, without `_INERT`'s scan of the text when the UTF-8 bytes
    show that none of its characters is there.

    Speed: the regex reads about 8 ns a character whatever it finds (0.27 s of Graph beta's
    32 MB report), `bytes.find` of a lead byte runs at memchr speed (Graph beta's report has
    704 E2 lead bytes, none of them a separator or a bidi control)."""
    text = raw.decode()
    return _inert(text) if _may_need_inert(raw) else text


def _may_need_inert(raw: bytes) -> bool:
    """Whether UTF-8 `raw` may hold a character `_INERT` escapes: DEL (7F), a C1 control
    (C2 80 to C2 9F) or one of `_E2_TAILS` after an E2 lead byte. In UTF-8 a C2 or E2 byte
    is always a lead byte, so each is found with `bytes.find`."""
    if b"\x7f" in raw:
        return True
    seen = 0
    for lead, bad in ((b"\xc2", lambda i: 0x80 <= raw[i + 1] <= 0x9F),
                      (b"\xe2", lambda i: raw[i + 1:i + 3] in _E2_TAILS)):
        i = raw.find(lead)
        while i != -1:
            seen += 1
            if seen > _LEADS_MAX or bad(i):
                return True
            i = raw.find(lead, i + 1)
    return False


#: Below this many values the standard library is as quick as importing orjson (about 4 ms,
#: with dataclasses and uuid): the median spec's report has a few hundred.
_ORJSON_FROM = 20_000
#: The types of the values orjson writes as the standard library does (floats: see below).
_PLAIN = frozenset({str, int, bool, type(None), float, dict, list})


def _orjson(data: object) -> bytes | None:
    """``_std_dumps(data) + "\\n"`` as UTF-8, from orjson; None when the standard library must
    write it.

    With an indent the standard library encodes in pure Python: 1.2 s of Graph beta's 38k
    findings (benchmarks/README.md, "Per-phase profile"). orjson writes the same bytes for
    str keys, str, int, bool, None, lists and dicts (escapes included) and is used when
    every value is one of those or a finite float written without an exponent (then both
    spell it as `repr` does: checked on 185k random floats; orjson writes ``1e-05`` as
    ``0.00001``); lone surrogates and integers beyond 64 bits, which orjson refuses, are
    left to the standard library too."""
    nodes = _plain_nodes(data)
    if nodes is None or nodes < _ORJSON_FROM:
        return None
    try:
        import orjson

        return orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
                            | orjson.OPT_APPEND_NEWLINE)
    except (ImportError, TypeError):  # e.g. a lone surrogate, which json.dumps writes
        return None


def _plain_nodes(data: object) -> int | None:
    """How many values `data` holds (itself included), or None when one is not of a type
    orjson writes as the standard library does: a value whose type is not exactly one of
    `_PLAIN`, a float that is not finite or whose `repr` has an exponent. Keys are not
    looked at: orjson refuses any key that is not exactly a str (`TypeError`: the standard
    library writes the report). Their pass was a fifth of this walk's time (Stripe's report
    24 -> 19.5 ms, GitHub's 21 -> 16.5, Graph beta's about 140 -> 115; 7 alternating runs).

    Speed: one level of the tree at a time, each level's values typed at C speed
    (`set(map(type, ...))`); Python looks at each container and each float only. Node by
    node, this walk took 0.36 s of Graph beta's report (38k findings, 830k values), more
    than orjson's encoding (0.06 s); by levels it takes about 0.03 s."""
    if type(data) is not dict and type(data) is not list:
        kind = type(data)
        plain = kind in _PLAIN and (kind is not float or _plain_float(data))
        return 1 if plain else None
    nodes = 1
    level: list = [data]
    while level:
        dicts = [node for node in level if type(node) is dict]
        lists = [node for node in level if type(node) is list] if len(dicts) < len(level) else []
        values = [*chain.from_iterable(map(dict.values, dicts)), *chain.from_iterable(lists)]
        nodes += len(values)
        kinds = set(map(type, values))
        if not kinds <= _PLAIN:
            return None
        if float in kinds and not all(_plain_float(v) for v in values if type(v) is float):
            return None
        level = [v for v in values if type(v) is dict or type(v) is list] \
            if dict in kinds or list in kinds else []
    return nodes


def _plain_float(value: float) -> bool:
    """Finite and written without an exponent: orjson and `repr` spell it alike."""
    return value == value and abs(value) != float("inf") and "e" not in repr(value)


def render_many(reports: list[Report]) -> str:
    """Several specs in one run: a list under ``reports`` plus the overall verdict."""
    data = {"schema_version": 1, "passed": all(r.passed for r in reports),
            "reports": [r.to_dict() for r in reports]}
    raw = _orjson(data)
    return _inert(_std_dumps(data)) + "\n" if raw is None else _inert_utf8(raw)
