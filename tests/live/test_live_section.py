"""The ``live`` section of a real audit, read through its typed records
(`gatekeeper.sections.live`): every key the audit writes, at any depth, is a field of a record,
and the records give the JSON back as it was written."""

from __future__ import annotations

import json

from tests.conftest import unknown_keys


def test_the_typed_live_section_knows_every_key_an_audit_writes(kit, demo, tmp_path):
    from gatekeeper.sections.live import read_live

    out = tmp_path / "report.json"
    proc = kit.gatekeeper("audit", str(kit.DEMO_SPEC), "--base-url", demo.url, *kit.FAST,
                          "--format", "json", "-o", str(out))
    assert "Traceback" not in proc.stderr, proc.stderr
    data = json.loads(out.read_text())["sections"]["live"]
    section = read_live(data)
    assert section is not None and unknown_keys(section) == []
    assert section.to_json() == data and list(section.to_json()) == list(data)
    assert section.latency.operations and section.auth and section.not_audited
    assert section.operations.audited == data["operations"]["audited"] > 0
