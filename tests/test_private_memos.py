"""A gate's own memos (`Spec.memo` keys starting with ``"<gate>."``) are dropped once the gate
has run, so that their memory serves the gates after it; nothing a report says changes."""

from __future__ import annotations

from pathlib import Path

from gatekeeper import engine
from gatekeeper.config import Config
from gatekeeper.registry import gates_for
from gatekeeper.spec import load

ROOT = Path(__file__).resolve().parent.parent
SHOWCASE = ROOT / "sample_specs" / "showcase.yaml"


def _findings(report: object) -> list[tuple[str, str, str]]:
    return [(f.rule, f.pointer, f.message) for g in report.gates for f in g.findings]


def test_a_gates_own_memos_are_dropped_and_shared_ones_kept() -> None:
    spec = load(str(SHOWCASE))
    config = Config(extend_select=("bounds",))  # bounds reads pagination's shared memos
    gates = [g for g in gates_for(config) if g.name in ("docs", "pagination", "bounds")]
    report = engine.run(spec, gates, config)
    names = [k[0] if isinstance(k, tuple) else k for k in spec._memo]
    assert not any(isinstance(n, str) and n.startswith(("docs.", "pagination.", "bounds."))
                   for n in names), names
    assert any(isinstance(n, str) and n.startswith("shared.pagination.") for n in names), names
    again = engine.run(load(str(SHOWCASE)), gates, config)
    assert _findings(report) == _findings(again)
    assert [g.metric for g in report.gates] == [g.metric for g in again.gates]


def test_memo_of_computes_once_per_live_object_and_detail() -> None:
    """`Spec.memo_of`: one computation per object (by identity, never by equality) and
    `extra`, kept in the table named by the key, which is dropped with its gate's memos."""
    spec = load(str(SHOWCASE))
    calls: list[int] = []
    first, twin = {"a": 1}, {"a": 1}

    def build() -> int:
        calls.append(1)
        return len(calls)

    assert spec.memo_of("pagination.test", first, build) == 1
    assert spec.memo_of("pagination.test", first, build) == 1
    assert spec.memo_of("pagination.test", twin, build) == 2  # equal, not the same object
    assert spec.memo_of("pagination.test", first, build, extra="there") == 3
    spec.forget_memos("pagination.")
    assert spec.memo_of("pagination.test", first, build) == 4
