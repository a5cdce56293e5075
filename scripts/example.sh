#!/usr/bin/env bash
# The README's first command: set up, build, and show the staged plan for the example
# inventory. Nothing connects anywhere: --plan --offline works from the inventory alone.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-apt >&2
exec bin/wire-install apply --plan --offline --inventory inventory.example.yaml "$@"
