#!/bin/bash
# Builds okdlint and runs it on the bundled examples (findings are expected: exit 1 is fine).
set -euo pipefail
cd "$(dirname "$0")/.."
okdlint=$(tools/build.sh)
status=0
"$okdlint" examples/ || status=$?
if [ "$status" -ge 2 ]; then exit "$status"; fi
echo
echo "okdlint ran on examples/ (exit $status: 1 means findings, as these examples are meant to have)."
echo "Try: $okdlint fix --diff examples/"
