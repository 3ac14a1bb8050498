#!/bin/bash
# `okdlint fix` end to end: stdout, --diff (applies with git apply), --check, --write (atomic,
# mode kept, CRLF kept, untouched files not rewritten), and failures that leave the input intact.
set -euo pipefail
okdlint=${1:?usage: fix_cli.sh /path/to/okdlint}
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }

printf 'FROM registry.example/ubi9:9.4\nRUN dnf -y install httpd\nUSER root\nCMD ["httpd", "-DFOREGROUND"]\n' > Containerfile
before=$(sha256sum Containerfile)

echo "-- fix prints the fixed text and leaves the input alone"
"$okdlint" fix Containerfile > fixed.out 2> fix.err
grep -q '^USER 1001$' fixed.out || fail "no USER 1001 in the fixed text"
[ "$(sha256sum Containerfile)" = "$before" ] || fail "input modified without --write"

echo "-- --diff is a git-style diff that applies"
"$okdlint" fix --diff Containerfile > fix.diff
grep -q '^diff --git a/Containerfile b/Containerfile$' fix.diff || fail "no git header"
git apply --check fix.diff || fail "diff does not apply"

echo "-- --check exits 1 when a fix would apply, writes nothing"
set +e; "$okdlint" fix --check Containerfile 2>/dev/null; rc=$?; set -e
[ $rc -eq 1 ] || fail "--check exit $rc, want 1"
[ "$(sha256sum Containerfile)" = "$before" ] || fail "--check modified the file"

echo "-- --write replaces atomically and keeps the mode"
chmod 640 Containerfile
inode_before=$(stat -c %i Containerfile)
"$okdlint" fix --write Containerfile 2>/dev/null
[ "$(stat -c %a Containerfile)" = 640 ] || fail "mode not kept: $(stat -c %a Containerfile)"
[ "$(stat -c %i Containerfile)" != "$inode_before" ] || fail "not replaced by rename"
cmp -s Containerfile fixed.out || fail "--write differs from stdout output"
ls -A | grep -q okdlint- && fail "temporary file left behind"
"$okdlint" fix --check Containerfile 2>/dev/null || fail "--check still finds fixes after --write"

echo "-- files that would not change are not touched"
touch -d '2020-01-01 00:00:00' Containerfile
"$okdlint" fix --write Containerfile 2>/dev/null
[ "$(stat -c %Y Containerfile)" = "$(date -d '2020-01-01 00:00:00' +%s)" ] || fail "unchanged file rewritten"

echo "-- CRLF line endings survive"
printf 'FROM registry.example/ubi9:9.4\r\nUSER root\r\n' > crlf.Containerfile
"$okdlint" fix crlf.Containerfile 2>/dev/null > crlf.out
grep -q $'^USER 1001\r$' crlf.out || fail "CRLF lost: $(od -c crlf.out | head -3)"

echo "-- a missing file is a one-line error with exit 2"
set +e; "$okdlint" fix --write nope.Containerfile 2> missing.err; rc=$?; set -e
[ $rc -eq 2 ] || fail "missing file exit $rc, want 2"
[ "$(wc -l < missing.err)" -eq 1 ] && grep -q '^okdlint: nope.Containerfile: ' missing.err || fail "error: $(cat missing.err)"

echo "-- --write in a read-only directory fails clearly and keeps the original"
mkdir ro && printf 'FROM registry.example/ubi9:9.4\nUSER root\n' > ro/Containerfile
chmod 555 ro
ro_before=$(sha256sum ro/Containerfile)
runner=()
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null || { echo "SKIP: root cannot test a read-only directory without setpriv" >&2; exit 77; }
  chmod 755 "$work"; chmod 666 ro/Containerfile  # writable file, read-only directory
  runner=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
set +e; "${runner[@]}" "$okdlint" fix --write ro/Containerfile 2> ro.err; rc=$?; set -e
[ $rc -eq 2 ] || fail "read-only dir exit $rc, want 2 ($(cat ro.err))"
grep -q '^okdlint: ro/Containerfile: cannot create a temporary file' ro.err || fail "error: $(cat ro.err)"
[ "$(sha256sum ro/Containerfile)" = "$ro_before" ] || fail "original changed"
echo "fix_cli: all checks passed"
