"""The pagination vocabulary: parameter, field and header names of each style, and how a
parameter's role is read from the words of its name or its description."""

from __future__ import annotations

import functools
import re

STYLES = ("offset", "page", "cursor", "next_link", "link_header", "range")
REQUEST_STYLES = ("offset", "page", "cursor", "range")
_NORM = re.compile(r"[$@_\-.\[\]\s]")
OFFSET_NAMES = frozenset({"offset", "skip", "start", "startat", "startindex", "from",
                          "startposition", "startrow", "pageoffset"})
PAGE_NAMES = frozenset({"page", "pagenumber", "pagenum", "pageno", "pageindex", "pagenr",
                        "currentpage", "pg"})
CURSOR_NAMES = frozenset({"cursor", "pagetoken", "pagecursor", "continuationtoken", "nexttoken",
                          "marker", "startingafter", "endingbefore", "skiptoken", "searchafter",
                          "pageafter", "pagebefore", "nextpagetoken", "nextcursor",
                          "continuation", "pagingtoken", "nextmarker", "startafter",
                          "startcursor", "afterCursor".lower(), "beforecursor", "scrollid"})
#: Cursor names that count only with response evidence (Amendments).
EVIDENCE_CURSOR_NAMES = frozenset({"after", "before", "token", "continue", "since", "sinceid",
                                   "maxid"})
SIZE_NAMES = frozenset({"limit", "top", "size", "pagesize", "perpage", "maxresults",
                        "maxpagesize", "count", "first", "pagelimit", "maxitems", "pagelen",
                        "maxrecords", "resultsperpage", "itemsperpage", "maxkeys", "rows",
                        "numresults", "pagelength", "last", "rpp", "resultsperpage"})
CONTAINERS = frozenset({"links", "meta", "pagination", "paging", "page", "pageinfo",
                        "metadata", "cursors", "paginginfo", "pagemeta", "responsemetadata",
                        "listmeta", "odata"})
NEXT_LINK_FIELDS = frozenset({"nextlink", "odatanextlink", "nextpagelink", "nextpageurl",
                              "nexturl", "nexthref", "nextpageuri", "nexturi"})
NEXT_AMBIGUOUS = frozenset({"next", "nextpage"})
CURSOR_FIELDS = frozenset({"nextpagetoken", "nexttoken", "nextcursor", "cursor", "endcursor",
                           "hasmore", "hasnextpage", "continue", "nextmarker",
                           "continuationtoken", "nextcontinuationtoken", "nextpagecursor",
                           "istruncated", "after", "moreresults", "hasmoreitems",
                           "nextpagestart", "islastpage", "scrollid", "nextoffset",
                           "nextpage", "startcursor", "hasnext", "more"})
PAGING_FIELDS = NEXT_LINK_FIELDS | NEXT_AMBIGUOUS | CURSOR_FIELDS
TOTAL_FIELDS = frozenset({"total", "totalcount", "totalitems", "totalsize", "totalresults",
                          "totalrecords", "totalelements", "totalhits", "odatacount"})
CONTINUATION_HEADERS = frozenset({"xnextpage", "xnext", "xnextcursor", "xcontinuationtoken",
                                  "xmscontinuation", "xnexttoken", "xpaginationnext",
                                  "xnextpagetoken", "nextrange", "xnextlink"})
TOTAL_HEADERS = frozenset({"xtotalcount", "xtotal", "totalcount", "xresultcount"})


@functools.lru_cache(maxsize=1 << 14)  # pure; called for every field of every collection
def norm(name: str) -> str:
    return _NORM.sub("", name).lower()


#: Last parts of a dotted or bracketed name too generic to say paging on their own.
GENERIC_TAILS = frozenset({"start", "from", "first", "last", "count", "size", "top", "rows",
                           "since", "before", "after", "token", "continue", "end", "number",
                           "index", "page", "marker"})
NAME_PART = re.compile(r"[\[\].]+")
_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")
#: Words of a parameter name that make it a cursor (`searchPointer`, `pageCursor`).
CURSOR_WORDS = frozenset({"cursor", "pointer", "bookmark", "continuation"})
#: Words that qualify `token` or `key` as a paging position (`nextPageToken`, `startKey`).
POSITION_WORDS = frozenset({"page", "next", "continuation", "paging", "pagination",
                            "resume", "start", "exclusive", "last", "scroll"})
#: First words that make a `...Size`/`...Limit` a page size (`resultLimit`, `batchSize`).
SIZE_SUBJECTS = frozenset({"result", "results", "record", "records", "item", "items", "row",
                           "rows", "batch", "chunk", "fetch", "query", "search", "response",
                           "list", "entries", "hits"})
#: Words that name the unit of a count (`numberToRead`, `maxRecords`, `skipRecords`).
UNIT_WORDS = frozenset({"results", "records", "items", "rows", "entries", "elements",
                        "objects", "read", "return", "fetch", "hits"})


def words_of(name: str) -> list[str]:
    return [w.lower() for part in re.split(r"[^A-Za-z0-9]+", name) for w in _WORD.findall(part)]


def role_by_words(words: list[str], t: str | None, numeric: bool) -> str | None:
    if not words or "range" in words:
        return None  # `pageRange`: pages of a document, not of a list
    w = set(words)
    stringy = t in (None, "string")
    if w & CURSOR_WORDS or ("token" in w and w & POSITION_WORDS) \
            or ("key" in w and words[0] in POSITION_WORDS):
        return "cursor" if stringy else None
    if words[0] in ("next", "previous", "prev") and len(words) <= 2 and (
            len(words) == 1 or words[1] in ("page", "cursor", "key", "id")):
        return "cursor" if t == "string" or (t is None and len(words) == 1) else \
            "page" if numeric else None  # flat.io `next`/`previous`; an integer `nextPage`
    if "skip" in w:
        if "pages" in w or "page" in w:
            return "page" if numeric else None  # e-conomic `SkipPages`
        return "offset" if numeric else "cursor" if stringy else None  # `skipRecords`
    if "page" in w and w & {"start", "offset", "number", "num", "index", "no", "paginate"} \
            and not w & {"size", "count", "limit"}:
        return "page" if numeric else "cursor" if stringy else None  # prss.org `pageStart`
    if numeric and (("page" in w and w & {"size", "length", "limit", "count"})
                    or (words[-1] in ("size", "limit") and words[0] in SIZE_SUBJECTS)
                    or words[0] == "take" or (
            words[0] in ("max", "maximum", "num", "number", "count") and len(words) > 1
            and words[-1] in UNIT_WORDS)):
        return "size"  # visma.net `numberToRead`, `maxRecords`, `resultSize`; not `fontSize`
    if numeric and (words[0] in ("start", "first", "from") and len(words) > 1
                    and words[-1] in ("index", "row", "record", "position", "item", "result")):
        return "offset"
    return None


_DESC_CURSOR = re.compile(
    r"(?i)\bcursor\b|\b(?:page|paging|pagination|continuation|next[- ]page)[ _-]?token\b"
    r"|\btoken\b.{0,60}\b(?:next|previous|following|subsequent) (?:page|set|batch)"
    r"|\bcontinuation\b")
_DESC_SIZE = re.compile(
    r"(?i)\bpage[ _-]?size\b|\bper page\b"
    r"|\b(?:maximum|max\.?) (?:number of )?(?:results|items|records|rows|entries|hits|objects)\b"
    r"|\bnumber of (?:\w+ ){0,2}?(?:to (?:return|retrieve|fetch|read|show|list)"
    r"|per (?:page|request|call|response)|returned)\b")
#: Offsets that are not positions in a list (`UTC offset in minutes`).
_DESC_NOT_POSITION = re.compile(r"(?i)\b(?:utc|gmt|time ?zone|tz|pixels?|degrees?)\b")
DESC_OFFSET = re.compile(r"(?i)\boffset\b|\bto skip\b|\bskip(?:ping|s)? (?:the )?first\b"
                          r"|^\s*skip\b")
_DESC_PAGE_NUMBER = re.compile(r"(?i)\bpage (?:number|index|no\b)|\bwhich page\b"
                               r"|\b(?:first|last) page of the (?:interval|range)\b"
                               r"|\bcurrent page\b|\bpages? to skip\b")
#: A description that says the parameter is for paging (for `before`, `since`, ...).
DESC_PAGING = re.compile(r"(?i)\b(?:for )?(?:pagination|paging|paginate)\b")
_DESC_PAGE = re.compile(
    r"(?i)\bnumber of (?:the )?(?:\w+ )?page\b"
    r"|\bpage (?:of results )?to (?:return|retrieve|fetch|get|show|read)\b"
    r"|^\s*(?:the )?page\.?\s*$")


def role_by_description(desc: str, t: str | None, numeric: bool) -> str | None:
    """The role a parameter's description gives it (optional, non-date parameters only)."""
    if _DESC_CURSOR.search(desc):
        return "cursor" if t in (None, "string") else "page" if numeric else None
    if _DESC_PAGE_NUMBER.search(desc) or (_DESC_PAGE.search(desc)
                                          and not _DESC_SIZE.search(desc)):
        # a page number typed as a string is opaque to the client: a cursor, as for `page`
        return "page" if numeric else "cursor" if t == "string" else None
    if numeric and _DESC_SIZE.search(desc):
        return "size"
    if numeric and DESC_OFFSET.search(desc) and not _DESC_NOT_POSITION.search(desc):
        return "offset"  # a string that mentions an offset is too often something else
    return None
