"""``gatekeeper merge REPORT...``: one portfolio from the JSON reports of a CI matrix's shards.

Each input is the JSON a ``gatekeeper check ... --shard K/N --format json -o FILE`` job wrote
(or any batch or single-spec JSON report of gatekeeper). The reports are read one at a time
(`iter_json_reports` never holds a whole file) and streamed to the outputs like a batch's
(`gatekeeper.stream`), so merging thousands of specs takes little memory. The exit code
follows the same rules as ``check``: 2 if any spec could not be checked, else 1 if any spec
failed, else 0; 2 as well when the shards do not add up (one missing, one given twice).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

from gatekeeper.errors import ConfigError

TYPE_CHECKING = False  # `typing` costs ~3 ms of start-up; annotations are strings here
if TYPE_CHECKING:
    from typing import Any, TextIO

__all__ = ["iter_json_reports", "merge", "report_from_dict"]

_CHUNK = 1 << 20
_WS = " \t\r\n"


class _Reader:
    """Reads JSON values one by one from a text file without loading all of it."""

    def __init__(self, fh: TextIO, name: str) -> None:
        self.fh = fh
        self.name = name
        self.buf = ""
        self.pos = 0
        self.decoder = json.JSONDecoder()
        self.eof = False

    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.fh.read(_CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def expect(self, char: str) -> None:
        if self.peek() != char:
            raise self.error(f"expected {char!r}")
        self.pos += 1

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError:
                if self._more():
                    continue
                raise self.error("not valid JSON") from None
            # a number at the end of the buffer may go on in the next chunk
            if end == len(self.buf) and not self.eof and self._more():
                continue
            self.pos = end
            return value

    def error(self, what: str) -> ConfigError:
        return ConfigError(f"{self.name}: {what}: give the JSON report that `gatekeeper check "
                           "--format json -o FILE` wrote")


def iter_json_reports(path: str) -> Iterator[tuple[str, Any]]:
    """The parts of a gatekeeper JSON report, one at a time: ``("report", dict)`` for each
    spec's report, ``("not_checked", {"path", "error"})``, ``("rules", [...])``,
    ``("shard", "K/N")``. A single-spec report is one ``("report", dict)``."""
    try:
        fh = open(path, encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    with fh:
        reader = _Reader(fh, path)
        reader.expect("{")
        single: dict[str, Any] = {}
        batch = False
        while True:
            if reader.peek() == "}":
                break
            key = reader.value()
            if not isinstance(key, str):
                raise reader.error("expected a key")
            reader.expect(":")
            if key == "reports":
                batch = True
                reader.expect("[")
                if reader.peek() == "]":
                    reader.pos += 1
                else:
                    while True:
                        item = reader.value()
                        if not isinstance(item, dict):
                            raise reader.error("a report is not an object")
                        yield "report", item
                        if reader.peek() == ",":
                            reader.pos += 1
                            continue
                        reader.expect("]")
                        break
            else:
                value = reader.value()
                if key == "not_checked":
                    batch = True
                    for entry in value if isinstance(value, list) else ():
                        yield "not_checked", entry
                elif key in ("rules", "shard"):
                    batch = True
                    yield key, value
                else:
                    single[key] = value
            if reader.peek() == ",":
                reader.pos += 1
                continue
            reader.expect("}")
            break
        if not batch:
            if "spec" not in single or "gates" not in single:
                raise reader.error("not a gatekeeper report")
            yield "report", single


# ---------------------------------------------------------------------- the model again


def _float(value: Any) -> float:
    return float(value)  # "nan" / "inf" strings too: the JSON writes non-finite floats so


def report_from_dict(data: dict[str, Any], rules: tuple[Any, ...] = ()) -> Any:
    """A `gatekeeper.report.Report` from its JSON form (gatekeeper/schemas/report.schema.json).
    The JSON has no gate descriptions and no rule catalogue: `rules` supplies the latter
    (a batch's JSON lists it under ``rules``)."""
    from gatekeeper.report import (Finding, GateResult, Location, Metric, MetricPart, Report,
                                   Severity, SpecInfo)

    def finding(f: dict[str, Any]) -> Any:
        extra = f.get("extra") or {}
        return Finding(location=Location(f.get("file", ""), int(f.get("line", 0)),
                                         int(f.get("column", 0))),
                       rule=f["rule"], severity=Severity(f["severity"]), message=f["message"],
                       pointer=f.get("pointer", ""), gate=f.get("gate", ""),
                       waived=f.get("waived"), fingerprint=f.get("fingerprint", ""),
                       extra=tuple(extra.items()))

    gates = []
    for g in data.get("gates", ()):
        m = g.get("metric")
        metric = None
        if m is not None:
            metric = Metric(value=_float(m["value"]), label=m.get("label", ""),
                            passed=m.get("passed"), total=m.get("total"),
                            breakdown=tuple(MetricPart(p["name"], p["passed"], p["total"],
                                                       _float(p.get("weight", 1.0)))
                                            for p in m.get("breakdown", ())),
                            details=m.get("details") or {})
        gates.append(GateResult(
            name=g["name"], title=g.get("title", g["name"]), description="",
            findings=tuple(finding(f) for f in (*g.get("findings", ()), *g.get("waived", ()))),
            metric=metric, threshold=None if m is None else m.get("threshold"),
            passed=bool(g["passed"]), mandatory=bool(g.get("mandatory")),
            weight=_float(g.get("weight", 1.0))))
    spec = data["spec"]
    return Report(
        tool_version=(data.get("tool") or {}).get("version", ""),
        spec=SpecInfo(path=spec["path"], title=spec.get("title", ""),
                      api_version=spec.get("api_version", ""),
                      openapi_version=spec.get("openapi_version", ""),
                      operations=int(spec.get("operations", 0)), files=int(spec.get("files", 1))),
        gates=tuple(gates), rules=rules, fail_on=Severity(data.get("fail_on", "error")),
        fail_under=data.get("fail_under"), generated_at=data.get("generated_at"),
        sections=data.get("sections") or {})


def rules_from_list(items: Any) -> tuple[Any, ...]:
    from gatekeeper.report import RuleInfo, Severity

    return tuple(RuleInfo(id=r["id"], gate=r.get("gate", ""), severity=Severity(r["severity"]),
                          summary=r.get("summary", ""), docs=r.get("docs", ""),
                          enabled=bool(r.get("enabled", True)))
                 for r in items if isinstance(r, dict) and "id" in r and "severity" in r)


# ---------------------------------------------------------------------- merge


def _check_shards(shards: list[tuple[str, str]]) -> None:
    """Every shard of one matrix, each once (`shards`: (file, "K/N") pairs)."""
    from gatekeeper.portfolio import parse_shard

    seen: dict[int, str] = {}
    counts = set()
    for name, text in shards:
        try:
            k, n = parse_shard(str(text))
        except ConfigError:
            raise ConfigError(f"{name}: unreadable shard {text!r}") from None
        counts.add(n)
        if k in seen:
            raise ConfigError(f"merge: shard {k}/{n} is given twice ({seen[k]} and {name})")
        seen[k] = name
    if len(counts) > 1:
        raise ConfigError(f"merge: the reports come from different matrices "
                          f"({', '.join(sorted(f'/{n}' for n in counts))} shards)")
    (n,) = counts
    missing = [k for k in range(1, n + 1) if k not in seen]
    if missing:
        raise ConfigError(f"merge: shard{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(f'{k}/{n}' for k in missing)} missing: merge the JSON "
                          f"report of every job of the matrix")


def _count(paths: list[str]) -> tuple[int, list[tuple[str, str]], tuple[Any, ...]]:
    """First pass: how many specs, the shard of each file, the rule catalogue."""
    total = 0
    shards: list[tuple[str, str]] = []
    rules: dict[str, dict[str, Any]] = {}
    for path in paths:
        for kind, value in iter_json_reports(path):
            if kind in ("report", "not_checked"):
                total += 1
            elif kind == "shard" and value:
                shards.append((path, str(value)))
            elif kind == "rules":
                for r in value if isinstance(value, list) else ():
                    if isinstance(r, dict) and "id" in r:
                        rules.setdefault(r["id"], r)
    return total, shards, rules_from_list(rules.values())


def merge(paths: list[str], targets: list[Any]) -> tuple[int, Any]:
    """Stream every report of `paths` to `targets` (`gatekeeper.stream.Target`); returns
    the exit code and the summaries."""
    from gatekeeper.stream import BatchOutputs

    if not paths:
        raise ConfigError("merge: give the JSON reports of the shards")
    total, shards, rules = _count(paths)
    if shards:
        unsharded = [p for p in paths if p not in {name for name, _ in shards}]
        if unsharded:
            raise ConfigError(f"merge: {unsharded[0]} is not a shard's report, the others are")
        _check_shards(shards)
    outputs = BatchOutputs(targets, total)
    seen: dict[str, str] = {}
    index = 0
    try:
        for path in paths:
            for kind, value in iter_json_reports(path):
                if kind not in ("report", "not_checked"):
                    continue
                if kind == "report" and isinstance(value, dict) and value.get("error"):
                    report = None  # a spec that could not be checked: its reason travels
                    spec_path = str(value.get("spec", {}).get("path", "")
                                    if isinstance(value.get("spec"), dict) else "")
                    error = str(value["error"])
                elif kind == "report":
                    try:
                        report = report_from_dict(value, rules)
                    except (KeyError, TypeError, ValueError) as exc:
                        raise ConfigError(f"{path}: a report is incomplete ({type(exc).__name__}"
                                          f": {exc})") from None
                    spec_path, error = report.spec.path, None
                else:
                    report = None
                    spec_path = str(value.get("path", "")) if isinstance(value, dict) else ""
                    error = (str(value.get("error") or f"{spec_path}: could not be checked")
                             if isinstance(value, dict) else "could not be checked")
                key = os.path.normpath(spec_path)
                if key in seen:
                    raise ConfigError(f"merge: {spec_path} is in {seen[key]} and in {path}: "
                                      "merge each spec's report once")
                seen[key] = path
                outputs.add(index, spec_path, report=report, error=error)
                index += 1
    except BaseException:
        outputs.close()
        raise
    summaries = outputs.finish()
    return outputs.totals.exit_code, summaries
