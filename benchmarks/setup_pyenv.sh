#!/usr/bin/env bash
# Create a venv in the benchmark cache with the parsers that parsers.py compares (pinned, so
# figures are reproducible). Idempotent; prints the venv's python.
#
#   PY="$(benchmarks/setup_pyenv.sh)" && "$PY" benchmarks/parsers.py table
set -euo pipefail

CACHE="${GATEKEEPER_CACHE:-$HOME/.cache/gatekeeper-bench}"
VENV="$CACHE/pyenv"
PKGS=(PyYAML==6.0.3 orjson==3.13.0 msgspec==0.22.0 pysimdjson==7.0.2
      rapidyaml==0.15.2 yaml-rs==0.1.6 ryaml==0.5.1 fastyaml-rs==0.7.0 pyyaml-rs==0.1.0)
STAMP="$VENV/.complete-$(echo "${PKGS[*]}" | cksum | cut -d' ' -f1)"

if [[ ! -f "$STAMP" ]]; then
    "${PYTHON:-python3}" -m venv "$VENV" >&2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: "${PKGS[@]}" >&2
    touch "$STAMP"
fi
echo "$VENV/bin/python"
