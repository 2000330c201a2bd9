"""The validity gate's helper result (`gates.validity.helped`): the schema errors and the
schema walk computed beside the check are read back as the check would compute them, and a
walk whose schemas are not where the helper saw them is done again in the check's process.
The handle here gives the bytes a helper would send; the processes themselves are tested in
tests/test_startup.py and tests/test_helper_precedence.py."""

from __future__ import annotations

import marshal

import pytest

from conftest import SAMPLES
from gatekeeper import load
from gatekeeper.gate import attach_helper
from gates.validity import _helper, _schema_errors, catastrophic_pattern, helped
from gates.validity.prose import _unique_operations, _walk_facts, default_type_mismatch

WALKED = [SAMPLES / "validity" / name for name in (
    "catastrophic-pattern.yaml", "default-type-mismatch.yaml",
    "default-type-mismatch.swagger2.yaml", "schema-violation.yaml")] + [
    SAMPLES / "multifile" / "openapi.yaml"]


class _Sent:
    """A helper handle that has finished and sent `data`."""

    def __init__(self, data):
        self.data = data

    def result(self):
        return self.data

    def running(self):
        return False


def _facts(walk):
    return [[(str(p), sorted(node)) for node, p in part] for part in walk]


def _with_helper(path, data):
    spec = load(str(path))
    attach_helper(spec, "validity", _Sent(data))
    return spec


@pytest.mark.parametrize("path", WALKED, ids=lambda p: p.name)
def test_the_helper_s_walk_and_errors_are_the_check_s_own(path):
    sent = _helper(load(str(path)))
    spec = _with_helper(path, sent)
    own = load(str(path))
    walk = helped.walk_facts(spec)
    assert walk is not None
    assert _facts(walk) == _facts(_walk_facts(own, _unique_operations(own)))
    assert helped.schema_errors(spec) == _schema_errors(own)
    for check in (catastrophic_pattern, default_type_mismatch):
        assert [(str(v.pointer), v.message) for v in check(spec)] == \
            [(str(v.pointer), v.message) for v in check(own)]


def test_the_samples_have_walk_facts_to_send():
    typed = patterns = 0
    for path in WALKED:
        _, typed_sent, patterns_sent = marshal.loads(_helper(load(str(path))))
        typed, patterns = typed + len(typed_sent), patterns + len(patterns_sent)
    assert typed > 0 and patterns > 0


@pytest.mark.parametrize("change", ["pattern", "default", "place"])
def test_a_schema_not_where_the_helper_saw_it_means_the_walk_is_done_here(change):
    path = SAMPLES / "validity" / "catastrophic-pattern.yaml"
    errors, typed, patterns = marshal.loads(_helper(load(str(path))))
    assert patterns
    file, tokens, pattern = patterns[0]
    if change == "pattern":
        patterns[0] = (file, tokens, pattern + "x")
    elif change == "place":
        patterns[0] = (file, (*tokens, "nowhere"), pattern)
    else:  # the pattern's schema has no `$schema`
        typed = [*typed, (file, tokens, True, True)]
    spec = _with_helper(path, marshal.dumps((errors, typed, patterns)))
    assert helped.walk_facts(spec) is None
    own = load(str(path))
    assert [(str(v.pointer), v.message) for v in catastrophic_pattern(spec)] == \
        [(str(v.pointer), v.message) for v in catastrophic_pattern(own)]


@pytest.mark.parametrize("data", [b"not marshal data", marshal.dumps([1, 2]),
                                  marshal.dumps((1, 2, 3)), marshal.dumps(([(1,)], [1], [2])),
                                  None],
                         ids=["garbled", "wrong shape", "not lists", "short items", "failed"])
def test_a_failed_or_garbled_helper_leaves_the_work_to_the_check(data):
    path = SAMPLES / "validity" / "schema-violation.yaml"
    spec = _with_helper(path, data)
    assert helped.walk_facts(spec) is None and helped.schema_errors(spec) is None
    assert _schema_errors(spec) == _schema_errors(load(str(path)))


def test_the_rules_read_the_helper_s_walk():
    """A helper whose walk found no schema: the walk's rules find nothing (they did not walk
    again), while the schema errors still come from the helper."""
    path = SAMPLES / "validity" / "catastrophic-pattern.yaml"
    errors, _, _ = marshal.loads(_helper(load(str(path))))
    spec = _with_helper(path, marshal.dumps((errors, [], [])))
    assert list(catastrophic_pattern(spec)) == []
    assert list(catastrophic_pattern(load(str(path))))
