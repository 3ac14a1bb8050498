#!/bin/bash
# Each finding's fix is its own: applying the fixes of `okdlint --format json` as a consumer
# would (tests/apply_json_fixes.py; re-linting while some waited for an overlapping one) gives
# exactly what `okdlint fix` gives, safe and --unsafe-fixes, on examples/, tests/data/rules/ and
# the real Dockerfiles of tests/data/corpus/files (kind's images/base once had two findings with
# one ARG-default edit). No two findings carry the same edit.
set -euo pipefail
okdlint=$(realpath "${1:?usage: fix_json_edits.sh /path/to/okdlint}")
here=$(cd "$(dirname "$0")/.." && pwd)
if ! command -v python3 >/dev/null; then
  [ -z "${CI:-}" ] || { echo "FAIL: python3 missing (CI runs every test)" >&2; exit 1; }
  echo "SKIP: python3 missing"; exit 77
fi
cd "$here/.."
mapfile -d '' corpus < <(find tests/data/corpus/files -type f -print0 | sort -z)
python3 "$here/apply_json_fixes.py" --compare "$okdlint" examples/*/Containerfile tests/data/rules/*.Containerfile \
  "${corpus[@]}"
