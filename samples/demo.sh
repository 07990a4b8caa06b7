#!/usr/bin/env bash
# The demo pipeline on samples/: runs from the repo root with flowkit on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO=.demo
rm -rf "$DEMO" && mkdir -p "$DEMO"
export FLOWKIT_CONFIG=samples/flowkit.toml FLOWKIT_STATE="$DEMO/state.db"
flowkit config check
echo "demo: config ok; state store at $FLOWKIT_STATE" >&2
