#!/usr/bin/env bash
# Starts the real pingyi-console under Xvfb and saves a screenshot of every screen into
# docs/screenshots/console/. It runs the app's hidden --screenshot-tour mode against a fresh
# demo (pingyi demo): it creates a collector store from the demo's package and keys, imports
# the demo's bundles from their folder and by "dropping" files, resolves the demo's token
# conflict, counts with the typed passphrase, shows the results, exports, signs and verifies.
# Usage: app/console/screenshots.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
pingyi=${PINGYI:-$build/app/pingyi}
console_bin="$build/app/console/pingyi-console"
for b in "$pingyi" "$console_bin"; do
  [ -x "$b" ] || { echo "missing $b: build it first" >&2; exit 2; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$pingyi" demo --out "$work/demo" >/dev/null
out="docs/screenshots/console"
rm -rf "$out" && mkdir -p "$out"
PINGYI_PASSPHRASE=demo-passphrase xvfb-run -a -s "-screen 0 1280x800x24" \
  "$console_bin" --size 1280x800 --screenshot-tour "$out" --demo "$work/demo"
echo "$out: $(ls "$out" | wc -l) screenshots"
