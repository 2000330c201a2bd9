"""JUnit XML: a ``<testsuite>`` per gate and a ``<testcase>`` per enabled rule, so CI dashboards
count the rules that passed too ("37 passed, 3 failed").

A rule's test case fails when it has an active finding at or above the run's ``fail_on``
severity (the same condition that fails its gate); findings below it and waived findings are
listed in ``<system-out>``. A gate whose metric is under its threshold fails through its
``<gate>/below-threshold`` case; with ``fail_under`` set, a ``fail-under`` suite fails when
the score is under it. A spec that could not be checked is a suite with one test case in
error that gives the reason. In a portfolio, suite and class names carry the spec's path, so
no two specs share one; the spec's file is the suite's ``file`` attribute (the common JUnit
XSD, tests/data/junit-10.xsd, has none on a test case). Built with ElementTree; every text and attribute has the
characters XML 1.0 forbids (and terminal controls) replaced by visible escapes (R17).
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict

from gatekeeper.report import FINDING_ORDER, Finding, GateResult, Report
from gatekeeper.safe_text import terminal_safe

__all__ = ["UNCHECKED_CASE", "render", "render_many", "xml_safe"]

#: The test case (and error type) of a spec that could not be checked.
UNCHECKED_CASE = "gatekeeper/could-not-be-checked"

_INVALID = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """Text that XML 1.0 accepts and a terminal shows inertly (newlines kept)."""
    lines = str(text).split("\n")
    text = "\n".join(terminal_safe(line) for line in lines)
    return _INVALID.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: object) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_safe(str(v)) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_safe(text)
    return el


def _line(f: Finding) -> str:
    waived = f" (waived: {f.waived})" if f.waived is not None else ""
    return f"{f.location} [{f.severity}] {f.message} ({f.pointer}){waived}"


def _suite(root: ET.Element, report: Report, g: GateResult, name: str,
           classname: str) -> tuple[int, int]:
    by_rule: dict[str, list[Finding]] = defaultdict(list)
    for f in sorted(g.findings, key=FINDING_ORDER):
        by_rule[f.rule].append(f)
    rule_ids = [r.id for r in report.rules if r.gate == g.name and r.enabled]
    rule_ids += sorted(set(by_rule) - set(rule_ids))
    failing = report.fail_on.rank
    suite = _el(root, "testsuite", name=name, tests=len(rule_ids), failures=0, errors=0,
                skipped=0, time="0", file=report.spec.path)
    props = _el(suite, "properties")
    _el(props, "property", name="spec", value=report.spec.path)
    _el(props, "property", name="passed", value=str(g.passed).lower())
    if g.metric is not None:
        _el(props, "property", name="metric", value=f"{g.metric.value:.4f}")
        _el(props, "property", name="metric_label", value=g.metric.label)
    if g.threshold is not None:
        _el(props, "property", name="threshold", value=f"{g.threshold:g}")
    failures = 0
    for rule_id in rule_ids:
        # The spec's file is on the suite: the common JUnit XSD has no `file` on a testcase.
        case = _el(suite, "testcase", name=rule_id, classname=classname, time="0")
        failed: list[Finding] = []
        rest: list[Finding] = []
        for f in by_rule.get(rule_id, ()):  # one pass: linear in the number of findings
            (failed if f.waived is None and f.severity.rank >= failing else rest).append(f)
        if failed:
            failures += 1
            first = failed[0]
            _el(case, "failure", "\n".join(_line(f) for f in failed),
                message=f"{len(failed)} finding{'s' if len(failed) != 1 else ''}: "
                        f"{first.message}"[:500],
                type=rule_id)
        if rest:
            _el(case, "system-out", "\n".join(_line(f) for f in rest))
    suite.set("failures", str(failures))
    return len(rule_ids), failures


def _unchecked_suite(root: ET.Element, report: Report, name: str, classname: str) -> None:
    """A spec that could not be checked: one test case in error, with the reason."""
    reason = report.error or "could not be checked"
    suite = _el(root, "testsuite", name=name, tests=1, failures=0, errors=1, skipped=0,
                time="0", file=report.spec.path)
    props = _el(suite, "properties")
    _el(props, "property", name="spec", value=report.spec.path)
    _el(props, "property", name="outcome", value=report.outcome)
    case = _el(suite, "testcase", name=UNCHECKED_CASE, classname=classname, time="0")
    _el(case, "error", reason, message=reason.splitlines()[0][:500] if reason else "",
        type=UNCHECKED_CASE)


def _fail_under_suite(root: ET.Element, report: Report, name: str, classname: str) -> int:
    """The score against ``fail_under``: a run can fail on it alone, with every gate passing."""
    below = report.below_fail_under
    suite = _el(root, "testsuite", name=name, tests=1, failures=int(below), errors=0,
                skipped=0, time="0", file=report.spec.path)
    case = _el(suite, "testcase", name="gatekeeper/fail-under", classname=classname, time="0")
    if below:
        text = f"score {report.score:.1f} is under fail-under {report.fail_under:g}"
        _el(case, "failure", text, message=text, type="gatekeeper/fail-under")
    return int(below)


def _document(reports: list[Report]) -> str:
    root = ET.Element("testsuites", {"name": "gatekeeper"})
    tests = failures = errors = 0
    many = len(reports) > 1
    for report in reports:
        where = f" ({report.spec.path})" if many else ""
        if report.error is not None:
            _unchecked_suite(root, report, xml_safe(f"gatekeeper{where}"),
                             xml_safe(f"gatekeeper{where}"))
            tests += 1
            errors += 1
            continue
        for g in report.gates:
            # In a portfolio each spec's suites and cases carry its path: names never repeat.
            name = f"{g.name}{where}"
            t, f = _suite(root, report, g, xml_safe(name), f"gatekeeper.{g.name}{where}")
            tests += t
            failures += f
        if report.fail_under is not None and report.score is not None:
            failures += _fail_under_suite(root, report, xml_safe(f"fail-under{where}"),
                                          xml_safe(f"gatekeeper.fail-under{where}"))
            tests += 1
    root.set("tests", str(tests))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    root.set("time", "0")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render(report: Report, **_: object) -> str:
    return _document([report])


def render_many(reports: list[Report]) -> str:
    return _document(list(reports))
