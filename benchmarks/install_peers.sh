#!/usr/bin/env bash
# Install the peer linters that the benchmarks compare gatekeeper with, from npm, into a
# cache folder outside the repository (idempotent; pinned versions so timings are comparable):
#   Spectral  (@stoplight/spectral-cli, ruleset spectral:oas)
#   Redocly   (@redocly/cli, recommended rules)
#   vacuum    (@quobix/vacuum; its postinstall fetches a Go binary, which may be refused on
#              machines that reach only the package registries: then it is reported missing)
# Prints the bin folder; writes the Spectral ruleset file next to it.
#
#   benchmarks/install_peers.sh
#   GATEKEEPER_CACHE=/tmp/gk benchmarks/install_peers.sh
set -euo pipefail

CACHE="${GATEKEEPER_CACHE:-$HOME/.cache/gatekeeper-bench}"
DEST="$CACHE/peers"
SPECTRAL="@stoplight/spectral-cli@6.16.3"
REDOCLY="@redocly/cli@2.77.0"
VACUUM="@quobix/vacuum@0.30.3"
STAMP="$DEST/.complete-$(echo "$SPECTRAL $REDOCLY $VACUUM" | cksum | cut -d' ' -f1)"

mkdir -p "$DEST"
if [[ ! -f "$STAMP" ]]; then
    echo "installing $SPECTRAL $REDOCLY into $DEST ..." >&2
    npm install --prefix "$DEST" --no-audit --no-fund --loglevel=error "$SPECTRAL" "$REDOCLY" >&2
    echo "installing $VACUUM into $DEST ..." >&2
    if ! npm install --prefix "$DEST" --no-audit --no-fund --loglevel=error "$VACUUM" >&2; then
        echo "warning: $VACUUM did not install (its binary download may be blocked); benchmarks skip it" >&2
    fi
    touch "$STAMP"
fi

# Spectral needs a ruleset file; this one is the built-in OpenAPI ruleset, nothing more.
printf 'extends: ["spectral:oas"]\n' > "$DEST/spectral-oas.yaml"

BIN="$DEST/node_modules/.bin"
for tool in spectral redocly vacuum; do
    if [[ -x "$BIN/$tool" ]]; then
        echo "$tool: $("$BIN/$tool" --version 2>/dev/null | head -n 1)" >&2
    else
        echo "$tool: missing" >&2
    fi
done
echo "$BIN"
