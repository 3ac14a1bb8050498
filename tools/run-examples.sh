#!/bin/bash
# Builds okdlint and lints the bundled examples/. They are meant to have findings, so the exit
# status is okdlint's: 1 (findings), 0 (none), 2 or more (an error: build, input or usage).
set -euo pipefail
cd "$(dirname "$0")/.."
okdlint=$(tools/build.sh) || { echo "run-examples: the build failed (exit 2, not a finding)" >&2; exit 2; }
status=0
"$okdlint" examples/ || status=$?
echo
case $status in
  1) echo "okdlint found the problems these examples are meant to have (exit 1). Try: $okdlint fix --diff examples/" ;;
  0) echo "okdlint found nothing in examples/ (exit 0)" ;;
  *) echo "okdlint failed on examples/ (exit $status)" >&2 ;;
esac
exit "$status"
