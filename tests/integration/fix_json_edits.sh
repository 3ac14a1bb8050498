#!/bin/bash
# Each finding's fix is its own: applying the fixes of `okdlint --format json` as a consumer
# would (tests/apply_json_fixes.py; re-linting while some waited for an overlapping one) gives
# exactly what `okdlint fix` gives, safe and --unsafe-fixes, on examples/ and tests/data/rules/.
# No two findings carry the same insertion.
set -euo pipefail
okdlint=${1:?usage: fix_json_edits.sh /path/to/okdlint}
here=$(cd "$(dirname "$0")/.." && pwd)
command -v python3 >/dev/null || { [ -n "${CI:-}" ] && { echo "python3 missing" >&2; exit 1; }; echo "skip: python3 missing"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

checked=0
for file in "$here"/../examples/*/Containerfile "$here"/data/rules/*.Containerfile; do
  name=$(realpath --relative-to="$here/.." "$file")
  for mode in safe unsafe; do
    flag=(); [ $mode = unsafe ] && flag=(--unsafe-fixes)
    cp "$file" "$work/text"
    for pass in 1 2 3 4 5 6 7 8; do
      set +e
      "$okdlint" --format json --stdin-filename "$file" - < "$work/text" > "$work/report.json" 2>"$work/lint.err"
      rc=$?
      set -e
      [ $rc -le 1 ] || fail "$name: lint exit $rc: $(cat "$work/lint.err")"
      set +e
      python3 "$here/apply_json_fixes.py" "$work/text" "$work/report.json" ${flag:+--unsafe} > "$work/next"
      rc=$?
      set -e
      [ $rc -eq 4 ] && fail "$name ($mode): two findings carry the same insertion"
      [ $rc -le 3 ] || fail "$name ($mode): apply_json_fixes.py exit $rc"
      cmp -s "$work/text" "$work/next" && break
      mv "$work/next" "$work/text"
    done
    "$okdlint" fix "${flag[@]}" --stdin-filename "$file" - < "$file" > "$work/fixed" 2>/dev/null || true
    if ! cmp -s "$work/fixed" "$work/text"; then
      diff -u "$work/fixed" "$work/text" | head -30 >&2
      fail "$name ($mode): JSON fixes (+) differ from okdlint fix (-)"
    fi
    checked=$((checked + 1))
  done
done
[ $checked -ge 100 ] || fail "only $checked runs: the inputs were not found"
echo "ok: $checked files x modes: JSON fixes == okdlint fix"
