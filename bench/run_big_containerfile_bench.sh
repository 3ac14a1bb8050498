#!/bin/bash
# Time and memory of `okdlint` (lint, json) and `okdlint fix` on generated Containerfiles of 1, 2,
# 4, 8 and 50 MB full of findings (bench/make_big_containerfile.py): wall time and peak RSS per
# run, so linear cost shows as figures that double with the size. Prints figures, asserts nothing.
# Usage: run_big_containerfile_bench.sh [OKDLINT_BINARY] [SIZES...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OKDLINT=${1:-$HERE/../build/okdlint}
shift || true
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(1 2 4 8 50)
[ -x "$OKDLINT" ] || { echo "no okdlint at $OKDLINT (build target okdlint)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

measure() {  # LABEL CMD...: run CMD (stdout discarded), print wall seconds and peak RSS
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
label, args = sys.argv[1], sys.argv[2:]
start = time.monotonic()
with open("/dev/null", "wb") as null:
    rc = subprocess.run(args, stdout=null, stderr=null).returncode
wall = time.monotonic() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(f"  {label:<22} exit {rc}  wall {wall:7.2f} s  peak RSS {rss:7.1f} MiB")
PY
}

echo "okdlint $("$OKDLINT" --version 2>/dev/null | head -1), $(nproc) cores"
for mb in "${SIZES[@]}"; do
  file="$WORK/big-$mb.Containerfile"
  python3 "$HERE/make_big_containerfile.py" "$mb" "$file" 2> "$WORK/gen.txt"
  findings=$("$OKDLINT" --format json "$file" 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))' || echo "?")
  echo "$mb MB: $(cat "$WORK/gen.txt" | sed 's/.*: //'), $findings findings"
  measure "lint (tty)" "$OKDLINT" "$file"
  measure "lint --format json" "$OKDLINT" --format json "$file"
  measure "fix" "$OKDLINT" fix "$file"
done
