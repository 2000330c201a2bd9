"""JavaScript's `a.localeCompare(b)` as Node runs it for Spectral's `alphabetical` function.

Node compares with ICU's root collation (locale en-US): first the characters' base order over
the whole strings, case and accents ignored; then accents; then case, lower before upper.
Punctuation is not ignored, and sorts before digits, which sort before letters: `http_auto`
comes before `http2`, `co-op` before `coop`. Comparing code points instead put `http2` first
(turbinelabs.io's spec in the corpus, where Spectral reports `"http2" must be placed after
"http_auto"`).

The printable ASCII characters are ranked as Node 20 sorts them (`_ASCII_ORDER`, read off
``[...chars].sort((a, b) => a.localeCompare(b))``); another character is ranked by the ASCII
letters it decomposes to (`é` as `e`, `ﬁ` as `fi`, its accents ranked as Node ranks the combining marks,
`_ACCENT_ORDER`), or by the letters ICU reads it as (`ß` as `ss`, `œ` as `oe`, `ø` as an
accented `o`), else after every ASCII character by its case-folded code point, which is ICU's
order for most scripts but not all. tests/style/test_collation.py holds it to orders Node
printed; a few strings that mix `ø` and `œ` still sort otherwise.
"""

from __future__ import annotations

import functools
import unicodedata

__all__ = ["locale_compare"]

_ASCII_ORDER = (" _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789"
                "aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ")
_RANK = {c: i for i, c in enumerate(dict.fromkeys(
    c.lower() if c.isalpha() else c for c in _ASCII_ORDER))}
#: The combining marks U+0300 to U+036F as Node sorts ``"e" + mark``; a group in
#: parentheses compares equal.
_ACCENT_ORDER = ("34f 332 (313 343) 314 (301 341) (300 340) 306 302 30c 30a 342 308 344 30b "
                 "303 307 338 327 328 304 (30d 30e 312 315 31a 33d 33e 33f 346 34a 34b 34c "
                 "350 351 352 357 35b 35d 35e) (316 317 318 319 31c 31d 31e 31f 320 329 32a "
                 "32b 32c 32f 333 33a 33b 33c 347 348 349 34d 34e 353 354 355 356 359 35a "
                 "35c 35f 362) (336 337) 335 305 309 30f 310 311 31b 321 322 323 324 325 326 "
                 "32d 32e 330 331 334 339 345 358 360 361 363 368 369 364 36a 365 36b 366 "
                 "36c 36d 367 36e 36f")


def _accent_ranks(order: str) -> dict[str, int]:
    ranks: dict[str, int] = {}
    rank, grouped = 0, False
    for token in order.replace("(", " ( ").replace(")", " ) ").split():
        if token == "(":
            grouped = True
            rank += 1
        elif token == ")":
            grouped = False
        else:
            rank += 0 if grouped else 1
            ranks[chr(int(token, 16))] = rank
    return ranks


_ACCENT = _accent_ranks(_ACCENT_ORDER)

#: Letters ICU reads as others: (their letters, an accent rank after every mark's, an extra
#: case-level difference).
_AS_LETTERS = {"ß": ("ss", 0, 1), "œ": ("oe", 0, 1), "æ": ("ae", 0, 1), "ø": ("o", 200, 0),
               "đ": ("d", 200, 0), "ð": ("d", 201, 0), "ł": ("l", 200, 0), "ı": ("i", 200, 0)}


@functools.lru_cache(maxsize=8192)
def _key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    primary: list[int] = []
    accents: list[int] = []
    cases: list[int] = []
    for ch in text:
        lower = ch.lower()
        rank = _RANK.get(lower) if ch.isascii() else None
        if rank is not None:
            primary.append(rank)
            accents.append(0)
            cases.append(0 if ch == lower else 1)
            continue
        special = _AS_LETTERS.get(lower)
        if special is not None:
            letters, accent, extra = special
            for letter in letters:
                primary.append(_RANK[letter])
                accents.append(accent)
                cases.append((0 if ch == lower else 1) + 2 * extra)
            continue
        parts = unicodedata.normalize("NFKD", ch)  # `é` is e + acute, `ﬁ` is f, i
        letters = [c for c in parts if not unicodedata.combining(c)]
        if letters and all(c.isascii() and c.lower() in _RANK for c in letters):
            accent = sum(_ACCENT.get(mark, 100) for mark in parts if unicodedata.combining(mark))
            extra = 0 if parts == unicodedata.normalize("NFD", ch) else 2  # a compatibility form
            for letter in letters:
                primary.append(_RANK[letter.lower()])
                accents.append(accent)
                cases.append((0 if letter == letter.lower() else 1) + extra)
                accent = 0
        else:
            primary.append(len(_RANK) + ord(ch.casefold()[0]))
            accents.append(0)
            cases.append(0 if ch == lower else 1)
    return tuple(primary), tuple(accents), tuple(cases)


def locale_compare(a: str, b: str) -> int:
    """-1, 0 or 1, as `a.localeCompare(b)` in Node (ICU root collation, en-US)."""
    ka, kb = _key(a), _key(b)
    return (ka > kb) - (ka < kb)
