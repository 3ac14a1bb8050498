#!/usr/bin/env bash
# Static safety properties of `okdlint fix` over real Dockerfiles from public repositories
# (tests/data/corpus/, each under its licence: see tests/data/corpus/README.md), issue 11:
#  - no fix produces any of the unsafe classes fix_safety.py looks for (chgrp after a non-root
#    USER, RUN in a shell-less stage, POSIX edits in Windows stages, chgrp of system trees or of
#    removed paths, the Docker Hub proxy on Red Hat short names);
#  - every fixed file parses (`okdlint parse`);
#  - fixes are idempotent (`okdlint fix --check` on the fixed tree finds nothing more to do);
#  - no file lints differently because of the host's /etc/containers (no --registries-conf).
# Usage: bash fix_safety_corpus.sh /path/to/okdlint
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 /path/to/okdlint" >&2; exit 2; }
okdlint=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
corpus=$here/../data/corpus/files
if ! command -v python3 >/dev/null 2>&1; then
  [[ -z "${CI:-}" ]] || { echo "FAIL: python3 is required in CI"; exit 1; }
  echo "SKIP: python3 is not installed"; exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset XDG_CONFIG_HOME
export HOME=$work/home NO_COLOR=1
mkdir -p "$HOME"
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^OKDLINT_' || true)
failures=0
# Measured when the verdicts were written: 17 of 18 bad files flagged, 14 of 41 ok files flagged
# (main before issue 11: 18/18 and 23/41). A change that lowers
# them must say why.
MIN_PRECISION=0.54
MIN_RECALL=0.94
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

echo "== no fix falls into an unsafe class (safe and unsafe fixes)"
python3 "$here/fix_safety.py" "$okdlint" "$corpus" || fail "fix_safety.py found problem files"

for mode in safe unsafe; do
  echo "== $mode fixes: every fixed file parses, a second fix changes nothing"
  rm -rf "$work/tree" && cp -r "$corpus" "$work/tree"
  flags=(--write)
  [[ $mode == unsafe ]] && flags+=(--unsafe-fixes)
  n=0
  while IFS= read -r -d '' f; do
    n=$((n + 1))
    before=$(cat "$f")
    "$okdlint" fix "${flags[@]}" "$f" >/dev/null 2>&1 || true
    [[ "$(cat "$f")" == "$before" ]] && continue
    "$okdlint" parse "$f" >/dev/null 2>"$work/err" || fail "${f#"$work"/tree/}: fixed file does not parse: $(head -1 "$work/err")"
    once=$(cat "$f")
    "$okdlint" fix "${flags[@]}" "$f" >/dev/null 2>&1 || true
    [[ "$(cat "$f")" == "$once" ]] || fail "${f#"$work"/tree/}: $mode fix is not idempotent"
  done < <(find "$work/tree" -type f -print0)
  echo "   $n files"
done

echo "== OKD301/302/303 precision and recall against the hand verdicts (tests/data/corpus/verdicts.tsv)"
python3 "$here/gid0_precision.py" "$okdlint" "$corpus" "$here/../data/corpus/verdicts.tsv" "$MIN_PRECISION" "$MIN_RECALL" ||
  fail "precision or recall fell below $MIN_PRECISION / $MIN_RECALL"

echo "== results do not depend on /etc/containers unless --registries-conf is given"
mkdir -p "$work/containers/registries.conf.d"
printf '[aliases]\n"nginx" = "quay.io/example/nginx"\n' > "$work/containers/registries.conf"
printf 'FROM nginx:1.27\nUSER 1001\n' > "$work/Containerfile"
"$okdlint" --select OKD401 "$work/Containerfile" >/dev/null && fail "OKD401 not reported without --registries-conf"
"$okdlint" --select OKD401 --registries-conf "$work/containers" "$work/Containerfile" >/dev/null ||
  fail "--registries-conf alias to quay.io still reported as Docker Hub"

[[ $failures -eq 0 ]] || { echo "$failures failures"; exit 1; }
echo "OK"
