"""Batches of many specs: streamed outputs, shards, `gatekeeper merge`, progress, the portfolio."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gatekeeper.config import Config
from gatekeeper.engine import run
from gatekeeper.portfolio import SpecSummary, parse_shard, select_shard, shard_numbers
from gatekeeper.registry import all_gates
from gatekeeper.reporters import github, gitlab, junit, markdown, sarif
from gatekeeper.reporters import json as json_report
from gatekeeper.spec import load
from gatekeeper.stream import BatchOutputs, Target

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "sample_specs"


def _reports() -> list:
    old = os.getcwd()
    os.chdir(REPO)
    try:
        return [run(load(f"sample_specs/{name}"), all_gates(), Config())
                for name in ("showcase.yaml", "petstore.yaml", "showcase.yaml")]
    finally:
        os.chdir(old)


def test_streamed_outputs_are_what_the_whole_batch_renderers_write():
    reports = _reports()
    outs = {name: io.StringIO() for name in ("json", "sarif", "junit", "markdown", "gitlab",
                                             "github")}
    batch = BatchOutputs([Target(name, out) for name, out in outs.items()], len(reports))
    for index in (2, 0, 1):  # in the order workers happen to finish
        batch.add(index, reports[index].spec.path, report=reports[index])
    summaries = batch.finish()
    assert [s.index for s in summaries] == [0, 1, 2]

    streamed = json.loads(outs["json"].getvalue())
    assert {r["id"] for r in streamed.pop("rules")} == {r.id for r in reports[0].rules}
    assert streamed == json.loads(json_report.render_many(reports))
    assert outs["sarif"].getvalue() == sarif.render_many(reports)
    assert outs["junit"].getvalue() == junit.render_many(reports)
    assert outs["markdown"].getvalue() == markdown.render_many(reports)
    assert outs["gitlab"].getvalue() == gitlab.render_many(reports)
    assert outs["github"].getvalue() == github.render_many(reports)


def test_a_format_without_a_streaming_writer_renders_the_whole_batch_at_the_end():
    """A reporter module added without a writer in `stream.writer_for` still serves a batch:
    its render_many over every report, in input order, or each render in turn."""
    from types import SimpleNamespace

    from gatekeeper.stream_writers import RenderAllWriter

    reports = _reports()
    for module, expected in (
            (SimpleNamespace(render=lambda r: f"one {r.spec.path} {r.score:.1f}\n",
                             render_many=lambda rs: "|".join(r.spec.path for r in rs)),
             "|".join(r.spec.path for r in reports)),
            (SimpleNamespace(render=lambda r: f"{r.spec.path}:{len(r.findings)}\n"),
             "".join(f"{r.spec.path}:{len(r.findings)}\n" for r in reports))):
        writer = RenderAllWriter(len(reports), module)
        for index in (2, 0, 1):
            writer.add(SpecSummary.of_report(index, reports[index]), reports[index])
        out = io.StringIO()
        writer.finish(out, [], {})
        writer.close()
        assert out.getvalue() == expected


def test_specs_that_could_not_be_checked_are_listed_in_the_json():
    reports = _reports()[:1]
    out = io.StringIO()
    batch = BatchOutputs([Target("json", out)], 2, shard="2/5")
    batch.add(1, "apis/broken.yaml", error="apis/broken.yaml:3:1: invalid YAML")
    batch.add(0, reports[0].spec.path, report=reports[0])
    batch.finish()
    data = json.loads(out.getvalue())
    # The spec that could not be checked is a report of its own, with its reason, and the
    # batch does not pass (as in every other format).
    assert data["passed"] is False and "not_checked" not in data
    assert data["shard"] == "2/5" and len(data["reports"]) == 2
    broken = data["reports"][1]
    assert broken["outcome"] == "error" and broken["error"] == "apis/broken.yaml:3:1: invalid YAML"
    assert batch.totals.exit_code == 2


# ------------------------------------------------------------------ shards


def test_parse_shard():
    assert parse_shard("2/3") == (2, 3)
    for bad in ("0/3", "4/3", "3", "a/b", "1/0"):
        with pytest.raises(Exception, match="--shard takes K/N"):
            parse_shard(bad)


def _files(tmp: Path, sizes: dict[str, int]) -> list[str]:
    for name, size in sizes.items():
        (tmp / name).write_bytes(b"x" * size)
    return [str(tmp / name) for name in sizes]


def test_shards_are_balanced_by_size_and_stable_when_specs_are_added(tmp_path):
    sizes = {f"spec{i:03d}.json": 1000 + (i * 7919) % 50_000 for i in range(300)}
    paths = _files(tmp_path, sizes)
    numbers = shard_numbers(paths, 4)
    load = [sum(sizes[Path(p).name] for p, n in zip(paths, numbers) if n == k)
            for k in range(4)]
    biggest = max(sizes.values())
    assert max(load) - min(load) <= 2 * biggest, load
    # the input order does not matter
    assert shard_numbers(paths[::-1], 4) == numbers[::-1]
    # three specs more: only specs near a boundary move
    more = paths + _files(tmp_path, {"new1.json": 3000, "new2.json": 20_000, "new3.json": 500})
    moved = sum(1 for a, b in zip(numbers, shard_numbers(more, 4)) if a != b)
    assert moved <= 12, moved
    # the K/N shares cover every spec exactly once
    shares = [select_shard(more, k, 4) for k in range(1, 5)]
    assert sorted(p for share in shares for p in share) == sorted(more)


def _tree(tmp: Path) -> Path:
    apis = tmp / "apis"
    (apis / "sub").mkdir(parents=True)
    for name in ("petstore.yaml", "showcase.yaml"):
        shutil.copy(SAMPLES / name, apis / name)
        shutil.copy(SAMPLES / name, apis / "sub" / name)
    for name in sorted(os.listdir(SAMPLES / "validity"))[:4]:
        if name.endswith((".yaml", ".json")):
            shutil.copy(SAMPLES / "validity" / name, apis / f"v-{name}")
    (apis / "broken.yaml").write_text("openapi: 3.0.3\ninfo: [\n")
    return apis


def _gk(*args: str, cwd: Path, env: dict[str, str] | None = None
        ) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "GITHUB_ACTIONS": "false", **(env or {})}
    return subprocess.run([sys.executable, "-m", "gatekeeper", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300, env=full_env)


def _verdicts(doc: dict) -> dict[str, object]:
    out: dict[str, object] = {r["spec"]["path"]: (r["passed"], r["score"], r["summary"])
                              for r in doc["reports"]}
    out.update({e["path"]: "not checked" for e in doc.get("not_checked", ())})
    return out


def test_shards_cover_every_spec_once_and_merge_gives_the_unsharded_result(tmp_path):
    _tree(tmp_path)
    whole = _gk("check", "apis", "-j", "2", "--format", "json", "-o", "all.json",
                "--report", "sarif=all.sarif", "--report", "junit=all.xml", cwd=tmp_path)
    assert whole.returncode == 2, whole.stderr  # broken.yaml could not be loaded
    shard_codes = []
    for k in (1, 2, 3):
        out = _gk("check", "apis", "-j", "2", "--shard", f"{k}/3", "--format", "json",
                  "-o", f"s{k}.json", cwd=tmp_path)
        assert out.returncode in (0, 1, 2), out.stderr
        shard_codes.append(out.returncode)
    shards = [json.loads((tmp_path / f"s{k}.json").read_text()) for k in (1, 2, 3)]
    everything = _verdicts(json.loads((tmp_path / "all.json").read_text()))
    seen = [p for doc in shards for p in _verdicts(doc)]
    assert sorted(seen) == sorted(everything)  # each spec in exactly one shard
    assert all(doc["shard"] == f"{k}/3" for k, doc in zip((1, 2, 3), shards))

    merged = _gk("merge", "s1.json", "s2.json", "s3.json", "--format", "json", "-o", "m.json",
                 "--report", "html=m.html", "--report", "sarif=m.sarif",
                 "--report", "junit=m.xml", "--report", "markdown=m.md", cwd=tmp_path)
    assert merged.returncode == whole.returncode == max(shard_codes), merged.stderr
    assert _verdicts(json.loads((tmp_path / "m.json").read_text())) == everything
    results = [json.loads((tmp_path / f).read_text())["runs"][0]["results"]
               for f in ("all.sarif", "m.sarif")]
    key = [sorted((r["ruleId"], r["partialFingerprints"]["gatekeeperFingerprint/v1"],
                   r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
                  for r in res) for res in results]
    assert key[0] == key[1]
    root = [re.search(r"<testsuites [^>]*>", (tmp_path / f).read_text()).group()
            for f in ("all.xml", "m.xml")]
    assert root[0] == root[1]
    page = (tmp_path / "m.html").read_text()
    assert page.count('<tr class="v-') == len(everything)
    assert "<script" not in page
    assert "## " in (tmp_path / "m.md").read_text()

    table = _gk("merge", "s1.json", "s2.json", "s3.json", cwd=tmp_path)
    assert table.returncode == whole.returncode
    assert f"{len(everything)} specs:" in table.stdout


def test_merge_refuses_a_missing_or_repeated_shard(tmp_path):
    _tree(tmp_path)
    for k in (1, 2):
        _gk("check", "apis", "--shard", f"{k}/3", "--format", "json", "-o", f"s{k}.json",
            cwd=tmp_path)
    out = _gk("merge", "s1.json", "s2.json", "-o", "m.txt", cwd=tmp_path)
    assert out.returncode == 2 and "shard 3/3 missing" in out.stderr, out.stderr
    out = _gk("merge", "s1.json", "s1.json", "s2.json", cwd=tmp_path)
    assert out.returncode == 2 and "given twice" in out.stderr, out.stderr
    assert not (tmp_path / "m.txt").exists()
    (tmp_path / "bad.json").write_text('{"reports": [{"no": 1}')
    out = _gk("merge", "bad.json", cwd=tmp_path)
    assert out.returncode == 2 and "bad.json" in out.stderr and "Traceback" not in out.stderr


# ------------------------------------------------------------------ progress, --report-dir


def test_plain_progress_is_one_line_per_spec_and_auto_is_quiet_in_ci(tmp_path):
    apis = _tree(tmp_path)
    count = len(list(apis.rglob("*.yaml"))) + len(list(apis.rglob("*.json")))
    out = _gk("check", "apis", "-q", "-j", "2", "--progress", "plain", cwd=tmp_path)
    lines = [line for line in out.stderr.splitlines() if line.startswith("[")]
    assert len(lines) == count, out.stderr
    assert any(re.match(rf"\[\d+/{count}\] error apis/broken\.yaml$", line) for line in lines)
    quiet = _gk("check", "apis", "-q", "-j", "2", cwd=tmp_path)  # not a terminal, small batch
    assert not [line for line in quiet.stderr.splitlines() if line.startswith(("[", "gatekeeper: ["))]


def test_report_dir_holds_each_specs_report_and_the_portfolio_links_them(tmp_path):
    _tree(tmp_path)
    out = _gk("check", "apis", "-q", "--report-dir", "out", "--report", "html=p.html",
              cwd=tmp_path)
    assert out.returncode == 2, out.stderr
    one = json.loads((tmp_path / "out" / "apis" / "sub" / "petstore.yaml.json").read_text())
    assert one["spec"]["path"] == "apis/sub/petstore.yaml"
    assert not (tmp_path / "out" / "apis" / "broken.yaml.json").exists()
    page = (tmp_path / "p.html").read_text()
    assert 'href="out/apis/sub/petstore.yaml.json"' in page or "#s" in page


# ------------------------------------------------------------------ the portfolio page


def test_portfolio_is_worst_first_and_filterable_without_script():
    from gatekeeper.reporters.html import render_portfolio_page

    def summary(index: int, path: str, score: float | None, passed: bool) -> SpecSummary:
        return SpecSummary(index, path, path, "passed" if passed else "failed", None, score,
                           3, "3.0.3", {"error": 0 if passed else 2, "warning": 0, "info": 0},
                           ())

    rows = [summary(0, "good.yaml", 95.0, True), summary(1, "bad.yaml", 40.0, False),
            summary(2, "worse.yaml", 20.0, False),
            SpecSummary.of_error(3, "broken.yaml", "broken.yaml:1:1: invalid YAML")]
    page = "".join(render_portfolio_page(rows, version="1", generated_at=None,
                                         detailed=False))
    order = [m.group(1) for m in re.finditer(r'<span class="mono small muted">([^<]+)</span>',
                                             page)]
    assert order == ["broken.yaml", "worse.yaml", "bad.yaml", "good.yaml"]
    assert 'id="pf-failed"' in page and "#pf-failed:checked" in page
    assert "<script" not in page and "http" not in page.split("<body>")[1].split("<footer")[0]


def test_progress_on_a_terminal_counts_failures_and_time_left():
    from gatekeeper.progress import BatchProgress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = Tty()
    show = BatchProgress.for_mode("auto", 4, out)
    show.step("a.yaml")
    show.step("b.yaml", failed=True)
    show.step("c.yaml", not_checked=True)
    text = out.getvalue()
    assert "\r\x1b[K[3/4] 1 failed, 1 not checked" in text and "left" in text
    show.step("d.yaml")
    show.done()
    assert out.getvalue().endswith("\r\x1b[K")


def test_progress_in_a_ci_log_is_a_line_every_five_percent():
    from gatekeeper.progress import BatchProgress

    out = io.StringIO()
    show = BatchProgress.for_mode("auto", 200, out)
    for i in range(200):
        show.step(f"s{i}.yaml", failed=i % 2 == 0)
    lines = out.getvalue().splitlines()
    assert len(lines) == 20 and lines[-1].startswith("gatekeeper: [200/200] 100 failed")
    assert BatchProgress.for_mode("auto", 10, io.StringIO()) is None
    assert BatchProgress.for_mode("off", 500, io.StringIO()) is None


def test_merge_takes_a_single_spec_report_too(tmp_path):
    shutil.copy(SAMPLES / "petstore.yaml", tmp_path / "pets.yaml")
    assert _gk("check", "pets.yaml", "--format", "json", "-o", "one.json",
               cwd=tmp_path).returncode == 0
    out = _gk("merge", "one.json", "--format", "json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert [r["spec"]["path"] for r in json.loads(out.stdout)["reports"]] == ["pets.yaml"]


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_actions_shard_input_checks_one_share_and_names_its_artifact(tmp_path):
    import yaml

    action = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
    gate = next(s for s in action["runs"]["steps"] if s.get("id") == "gate")
    apis = _tree(tmp_path)
    (apis / "broken.yaml").unlink()
    out, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    env = {**os.environ, "GITHUB_OUTPUT": str(out), "GITHUB_STEP_SUMMARY": str(summary),
           "GK_SPECS": "apis", "GK_BASE_REF": "", "GK_NEW_ONLY": "true", "GK_ARGS": "-q",
           "GK_SHARD": "2/2", "GK_OUT": "gatekeeper-reports", "NO_COLOR": "1",
           "GITHUB_ACTIONS": "false"}
    env.pop("GITHUB_BASE_REF", None)
    proc = subprocess.run(["bash", "-c", gate["run"]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr
    assert "shard-name=gatekeeper-shard-2-of-2" in out.read_text()
    report = json.loads((tmp_path / "gatekeeper-reports" / "report.json").read_text())
    assert report["shard"] == "2/2"
    expected = select_shard(
        [str(Path("apis") / p.relative_to(apis)) for p in sorted(apis.rglob("*.*"))], 2, 2)
    assert expected and sorted(r["spec"]["path"] for r in report["reports"]) == sorted(expected)


_READY: list[object] = []  # a report made before the workers fork


def _quick_check(path: str) -> object:
    return _READY[0]


def _slow_digest(index: int, report: object) -> str:
    import time

    time.sleep(2.5)
    return f"digest {index}"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_writing_a_checked_specs_outputs_does_not_count_against_its_timeout():
    from gatekeeper.orchestration.isolation import WorkerLimits
    from gatekeeper.orchestration.many_specs import run_batch

    _READY[:] = _reports()[1:2]
    got: dict[int, object] = {}
    run_batch(["a.yaml", "b.yaml"], _quick_check, lambda i, o: got.__setitem__(i, o), jobs=2,
              progress="off", worker_limits=WorkerLimits(timeout=2.0, max_memory=None),
              digest=_slow_digest)
    assert {i: (o.digest, o.error) for i, o in got.items()} == {
        0: ("digest 0", None), 1: ("digest 1", None)}


CHROMIUM = Path(os.environ.get("GATEKEEPER_CHROMIUM", "/usr/bin/chromium"))


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not found: apt-get install -y "
                    "chromium to run the browser test")
def test_a_portfolio_of_thousands_renders_in_chromium_without_console_errors(tmp_path):
    """3,000 rows, filter set to failed specs: the page loads, nothing is blocked or logged
    (the page runs no script: any console line is a CSP violation or an error)."""
    from gatekeeper.portfolio import GateSummary
    from gatekeeper.reporters.html import render_portfolio_page

    gates = ("validity", "docs", "errors", "auth")
    rows = [SpecSummary(i, f"apis/{i:04d}/openapi.json", f"API {i}",
                        "passed" if i % 3 == 0 else "failed", None, float(i % 100), i % 40,
                        "3.0.3", {"error": i % 7, "warning": i % 5, "info": 0},
                        tuple(GateSummary(g, g.title(), (i + n) % 3 == 0, 0.5)
                              for n, g in enumerate(gates)))
            for i in range(3000)]
    page = "".join(render_portfolio_page(rows, version="1", generated_at=None, detailed=False))
    page = page.replace('id="pf-all" class="pf" checked', 'id="pf-all" class="pf"').replace(
        'id="pf-failed" class="pf"', 'id="pf-failed" class="pf" checked')
    path = tmp_path / "portfolio.html"
    path.write_text(page, encoding="utf-8")
    profile = tmp_path / "profile"
    out = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run", f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0",
         f"--screenshot={tmp_path / 'shot.png'}", "--window-size=1400,1000", path.as_uri()],
        capture_output=True, text=True, timeout=240, cwd=tmp_path, check=False,
        env={k: v for k, v in os.environ.items() if not k.lower().endswith("_proxy")})
    assert (tmp_path / "shot.png").exists(), out.stderr[-2000:]
    bad = [line for line in out.stderr.splitlines()
           if re.search(r":CONSOLE|Uncaught|Refused|Content Security Policy|net::ERR_", line, re.I)]
    assert not bad, "\n".join(bad)
    assert page.count('<tr class="v-') == 3000
