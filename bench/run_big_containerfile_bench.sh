#!/bin/bash
# Time and memory of `okdlint` (tty, json, sarif) and `okdlint fix` on generated Containerfiles of
# 1, 10 and 50 MB full of findings (bench/make_big_containerfile.py): wall time and peak RSS per
# run, so linear cost shows as figures that grow with the size (issue 10 §3: 50 MB in seconds,
# under 200 MB RSS). Prints figures, asserts nothing.
# Usage: run_big_containerfile_bench.sh [OKDLINT_BINARY] [SIZES...]
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
OKDLINT=${1:-$HERE/../build/okdlint}
shift || true
SIZES=("$@"); [ ${#SIZES[@]} -gt 0 ] || SIZES=(1 10 50)
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
  # --statistics ends with "N findings, …"; okdlint exits 1 when it finds something, which is
  # not a failure here (under pipefail it used to turn the count into "?").
  findings=$({ "$OKDLINT" --statistics "$file" 2>/dev/null || true; } | tail -n 1 | cut -d' ' -f1)
  echo "$mb MB: $(cat "$WORK/gen.txt" | sed 's/.*: //'), $findings findings"
  measure "lint (tty)" "$OKDLINT" "$file"
  measure "lint --format json" "$OKDLINT" --format json "$file"
  measure "lint --format sarif" "$OKDLINT" --format sarif "$file"
  measure "fix" "$OKDLINT" fix "$file"
done
