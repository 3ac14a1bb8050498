#!/bin/bash
# The lint command end to end: exit codes, inputs (files, directories, stdin), formats, config
# files and errors, inline ignores, colour rules.
set -euo pipefail
okdlint=${1:?usage: lint_cli.sh /path/to/okdlint}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
git init -q .
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { set +e; "$@" > out.txt 2> err.txt; rc=$?; set -e; }

printf 'FROM registry.example/ubi9:9.4\nUSER 1001\nEXPOSE 8080\n' > Containerfile
printf 'FROM registry.example/ubi9:9.4\nUSER root\n' > bad.Containerfile
mkdir -p svc/node_modules/x .git/hooks-dir
printf 'FROM registry.example/ubi9:9.4\nUSER 0\n' > svc/Dockerfile.prod
printf 'FROM registry.example/ubi9:9.4\nUSER 0\n' > svc/node_modules/x/Dockerfile

echo "-- clean file: exit 0, no output"
run "$okdlint" Containerfile
[ $rc -eq 0 ] || fail "clean exit $rc: $(cat out.txt err.txt)"

echo "-- findings: exit 1 with file:line:col: severity[ID]"
run "$okdlint" bad.Containerfile
[ $rc -eq 1 ] || fail "findings exit $rc"
grep -q '^bad.Containerfile:2:6: error\[OKD101\]' out.txt || fail "tty line: $(head -3 out.txt)"
grep -q $'\e\\[' out.txt && fail "colour on a pipe"

echo "-- directories: recursive, skipping node_modules"
run "$okdlint" --format json .
[ $rc -eq 1 ] || fail "dir exit $rc"
python3 - out.txt <<'PY'
import json, sys
items = json.load(open(sys.argv[1]))
files = sorted({i["file"] for i in items})
assert files == ["bad.Containerfile", "svc/Dockerfile.prod"], files
for i in items:
    for k in ("file", "line", "column", "end_line", "end_column", "rule", "name", "severity", "message"):
        assert k in i, k
PY

echo "-- stdin with --stdin-filename"
run "$okdlint" --stdin-filename from-stdin.Containerfile - < bad.Containerfile
[ $rc -eq 1 ] && grep -q '^from-stdin.Containerfile:2:6' out.txt || fail "stdin: $rc $(cat out.txt err.txt)"

echo "-- failure threshold and severity overrides"
run "$okdlint" --failure-threshold none bad.Containerfile
[ $rc -eq 0 ] || fail "threshold none exit $rc"
printf 'severity:\n  OKD101: info\n' > .okdlint.yaml
run "$okdlint" bad.Containerfile
[ $rc -eq 0 ] && grep -q 'info\[OKD101\]' out.txt || fail "config severity: $rc $(cat out.txt)"
printf 'ignore: [OKD101]\n' > .okdlint.yaml
run "$okdlint" bad.Containerfile
[ $rc -eq 0 ] && [ ! -s out.txt ] || fail "config ignore: $rc $(cat out.txt)"

echo "-- a bad config is a one-line error naming the key and line, exit 2"
printf 'proxy: x\nfailure_threshold: error\n' > .okdlint.yaml
run "$okdlint" bad.Containerfile
[ $rc -eq 2 ] || fail "bad config exit $rc"
[ "$(wc -l < err.txt)" -eq 1 ] && grep -q "^okdlint: .*\.okdlint.yaml:2: unknown key 'failure_threshold'" err.txt || fail "config error: $(cat err.txt)"
rm .okdlint.yaml

echo "-- inline ignores, and --disable-inline-ignores"
printf 'FROM registry.example/ubi9:9.4\n# okdlint ignore=OKD101 -- needed for the installer\nUSER root\n' > ignored.Containerfile
run "$okdlint" ignored.Containerfile
[ $rc -eq 0 ] || fail "inline ignore exit $rc: $(cat out.txt)"
run "$okdlint" --disable-inline-ignores ignored.Containerfile
[ $rc -eq 1 ] || fail "--disable-inline-ignores exit $rc"

echo "-- JSON that is not an image is not linted as a Containerfile: one line, exit 2"
printf '{"name": "package.json"}\n' > Dockerfile.json
run "$okdlint" Dockerfile.json
[ $rc -eq 2 ] && [ ! -s out.txt ] && grep -q '^okdlint: Dockerfile.json: JSON that is neither an image config' err.txt ||
  fail "non-Containerfile: $rc $(cat out.txt err.txt)"

echo "-- usage errors exit 2"
run "$okdlint" --format nope Containerfile
[ $rc -eq 2 ] || fail "bad format exit $rc"
run "$okdlint" missing.Containerfile
[ $rc -eq 2 ] && grep -q '^okdlint: missing.Containerfile: ' err.txt || fail "missing file: $rc $(cat err.txt)"
run "$okdlint" --target nope bad.Containerfile
[ $rc -eq 2 ] || fail "unknown target exit $rc"

echo "-- rules and --version"
"$okdlint" rules | grep -q '^OKD101 ' || fail "rules list"
"$okdlint" rules OKD101 | grep -q 'root' || fail "rule rationale"
"$okdlint" --version | grep -q '^okdlint ' || fail "version"
echo "lint_cli: all checks passed"
