"""How each candidate YAML parser treats hostile or odd input.

Each probe runs in its own process with a 20 s time limit and a 2 GB address-space limit, so
a crash, a hang or a memory blow-up is observed rather than suffered.

    python benchmarks/safety_probe.py            # markdown table: parser x probe
"""

from __future__ import annotations

import json
import subprocess
import sys

DEPTH = 10_000


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ['a0: &a0 "lol"']
    for i in range(1, levels + 1):
        refs = ", ".join(f"*a{i - 1}" for _ in range(width))
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


PROBES = {
    "dup-key": "a: 1\nb: 2\na: 3\n",
    "alias": "x: &anc {b: 1}\ny: *anc\n",
    "merge-key": "base: &b {x: 1}\nderived:\n  <<: *b\n  y: 2\n",
    "bomb-9x9": billion_laughs(),
    "python-tag": "x: !!python/object/apply:os.system ['echo pwned']\n",
    "unknown-tag": "x: !custom value\n",
    "timestamp": "d: 2023-08-16\nq: '2023-08-16'\n",
    "yaml11-bool": "a: yes\nb: off\nc: true\n",
    f"deep-flow-{DEPTH}": "[" * DEPTH + "]" * DEPTH,
    f"deep-block-{DEPTH // 10}": "".join(" " * i + "k:\n" for i in range(DEPTH // 10))
    + " " * (DEPTH // 10)
    + "v\n",
    "big-int": "n: 18446744073709551616\n",
    "multi-doc": "a: 1\n---\nb: 2\n",
}

PARSERS = {
    "pyyaml CSafeLoader": "import yaml; load = lambda s: yaml.load(s, Loader=yaml.CSafeLoader)",
    "yaml_rs": "import yaml_rs; load = lambda s: yaml_rs.loads(s, parse_datetime=False)",
    "fast_yaml": "import fast_yaml; load = fast_yaml.safe_load",
    "ryaml": "import ryaml; load = ryaml.loads",
    "pyyaml_rs": "import pyyaml_rs; load = pyyaml_rs.safe_load",
    "ryml tree": "import ryml; load = lambda s: ryml.parse_in_arena(s.encode()).size()",
}

CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
{setup}

def nodes(obj, budget=1_000_000):
    # count nodes as a walker would see them (shared references counted each time)
    n, stack = 0, [obj]
    while stack:
        o = stack.pop()
        n += 1
        if n > budget:
            return None
        if isinstance(o, dict):
            stack.extend(o.values())
        elif isinstance(o, list):
            stack.extend(o)
    return n

src = sys.stdin.read()
t0 = time.perf_counter()
try:
    out = load(src)
    s = time.perf_counter() - t0
    n = nodes(out)
    if n is None:
        shown = "data that a walker sees as >1e6 nodes (shared references)"
    elif n > 50:
        shown = f"<{{n}} nodes>"
    else:
        shown = repr(out)[:70]
    print(json.dumps({{"ok": shown, "s": s}}))
except BaseException as exc:
    print(json.dumps({{"raised": f"{{type(exc).__name__}}: {{str(exc).splitlines()[0][:60] if str(exc) else ''}}", "s": time.perf_counter() - t0}}))
"""


def run(parser: str, probe: str) -> str:
    code = CHILD.format(setup=PARSERS[parser])
    try:
        proc = subprocess.run(
            [sys.executable, "-c", code],
            check=False,
            input=PROBES[probe],
            capture_output=True,
            text=True,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        return "HANG (>20 s)"
    if proc.returncode != 0 or not proc.stdout.strip():
        return f"CRASH rc={proc.returncode} {proc.stderr.strip().splitlines()[-1][:50] if proc.stderr.strip() else ''}"
    res = json.loads(proc.stdout.strip().splitlines()[-1])
    slow = f" ({res['s']:.1f} s)" if res["s"] > 0.5 else ""
    if "ok" in res:
        return f"ok `{res['ok']}`{slow}".replace("|", "\\|")
    return f"raises {res['raised']}{slow}".replace("|", "\\|")


def main() -> None:
    for parser in PARSERS:
        print(f"### {parser}")
        print()
        print("| probe | result |")
        print("|---|---|")
        for probe in PROBES:
            print(f"| {probe} | {run(parser, probe)} |", flush=True)
        print()


if __name__ == "__main__":
    main()
