#!/bin/bash
# Exit codes and messages a CI can trust (issue 10, sections 4 and 5): unknown rule ids, one bad
# input among good ones, `fix --write` exit codes and what it does to symlinks, read-only files and
# hard links; --color, --quiet, --statistics, rule pages, github escaping, --build-arg NAME,
# directory scan names, `extend` and `proxy: none`.
set -euo pipefail
okdlint=${1:?usage: cli_trust.sh /path/to/okdlint}
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cd "$work"
git init -q .
fail() { echo "FAIL: $*" >&2; exit 1; }
run() { set +e; "$@" > out.txt 2> err.txt; rc=$?; set -e; }
expect_rc() { [ "$rc" -eq "$1" ] || fail "$2: exit $rc, expected $1; stdout: $(head -5 out.txt); stderr: $(cat err.txt)"; }

printf 'FROM registry.example/ubi9:9.4\nUSER root\n' > bad.Containerfile
printf 'FROM registry.example/ubi9:9.4\nUSER 1001\nEXPOSE 8080\n' > good.Containerfile

echo "-- unknown rule ids are errors with a did-you-mean, everywhere"
run "$okdlint" --select OKD1O1 bad.Containerfile
expect_rc 2 "--select unknown"
grep -qx "okdlint: --select OKD1O1: unknown rule id 'OKD1O1' (did you mean OKD101?)" err.txt || fail "select message: $(cat err.txt)"
run "$okdlint" --ignore okd999 bad.Containerfile
expect_rc 2 "--ignore unknown"
grep -q "^okdlint: --ignore okd999: unknown rule id 'okd999'" err.txt || fail "ignore message: $(cat err.txt)"
printf 'ignore: [OKD1011]\n' > .okdlint.yaml
run "$okdlint" bad.Containerfile
expect_rc 2 "config ignore unknown"
printf 'severity:\n  OKD209: off\n' > .okdlint.yaml
run "$okdlint" bad.Containerfile
expect_rc 2 "config severity unknown"
grep -q "\.okdlint\.yaml:2: unknown rule id 'OKD209' (did you mean OKD201?)" err.txt || fail "severity message: $(cat err.txt)"
run env OKDLINT_IGNORE=OKD777 "$okdlint" good.Containerfile
expect_rc 2 "OKDLINT_IGNORE unknown"
rm .okdlint.yaml

echo "-- rule ids are case-insensitive everywhere"
run "$okdlint" --select okd101 bad.Containerfile
expect_rc 1 "--select okd101"
grep -q 'error\[OKD101\]' out.txt || fail "lower-case select found nothing"
run "$okdlint" --select root-user --format json bad.Containerfile
expect_rc 1 "--select by name"
run "$okdlint" --ignore okd101 bad.Containerfile
expect_rc 0 "--ignore okd101"
printf 'ignore: [okd101]\n' > .okdlint.yaml
run "$okdlint" bad.Containerfile
expect_rc 0 "config ignore okd101"
rm .okdlint.yaml
[ "$("$okdlint" rules okd101)" = "$("$okdlint" rules OKD101)" ] || fail "rules okd101 differs from OKD101"
"$okdlint" rules OKD001 | grep -q '^OKD001 parse-error' || fail "rules OKD001"
"$okdlint" rules OKD002 | grep -q 'unused-ignore' || fail "rules OKD002"
run "$okdlint" rules OKD1O2
expect_rc 2 "rules unknown"
grep -q "did you mean OKD102" err.txt || fail "rules did-you-mean: $(cat err.txt)"

echo "-- a malformed pragma and an unused ignore are reported"
printf 'FROM registry.example/ubi9:9.4\nUSER 1001\n# okdlint ignore OKD201\nEXPOSE 80\n# okdlint ignore=OKD303\nEXPOSE 8080\n' > pragma.Containerfile
run "$okdlint" --format json pragma.Containerfile
expect_rc 1 "pragmas"
python3 - out.txt <<'PY'
import json, sys
found = {(i["rule"], i["line"], i["severity"]) for i in json.load(open(sys.argv[1]))}
assert ("OKD003", 3, "error") in found, found
assert ("OKD201", 4, "error") in found, found
assert ("OKD002", 5, "info") in found, found
PY

echo "-- one unreadable or missing input does not hide the others: exit 2, one line each"
mkdir empty-dir
ln -s nowhere dangling.Containerfile
run "$okdlint" missing.Containerfile bad.Containerfile dangling.Containerfile good.Containerfile
expect_rc 2 "missing among good"
grep -q '^bad.Containerfile:2:6: error\[OKD101\]' out.txt || fail "findings of the readable file hidden: $(cat out.txt)"
[ "$(wc -l < err.txt)" -eq 2 ] || fail "one line per failure expected: $(cat err.txt)"
grep -qx 'okdlint: missing.Containerfile: no such file or directory' err.txt || fail "missing line: $(cat err.txt)"
grep -q '^okdlint: dangling.Containerfile: ' err.txt || fail "dangling line: $(cat err.txt)"
run "$okdlint" --format json missing.Containerfile bad.Containerfile
expect_rc 2 "json with a missing input"
python3 -c 'import json,sys; assert json.load(open("out.txt"))[0]["rule"] == "OKD101"' || fail "json output broken by the error"
run "$okdlint" empty-dir
expect_rc 0 "empty dir"
grep -q '^okdlint: empty-dir: no Containerfiles found' err.txt || fail "empty dir message: $(cat err.txt)"
run "$okdlint" --quiet empty-dir
[ ! -s err.txt ] || fail "--quiet still says: $(cat err.txt)"

echo "-- directory scans find dockerfile, Dockerfile-*, *.containerfile, not *.dockerignore"
mkdir scan
for name in dockerfile Dockerfile-dev app.containerfile Containerfile.prod; do
  printf 'FROM registry.example/ubi9:9.4\nUSER 0\n' > "scan/$name"
done
printf 'node_modules\n' > scan/Dockerfile.dockerignore
printf 'FROM registry.example/ubi9:9.4\nUSER 0\n' > scan/notes.txt
run "$okdlint" --format json scan
expect_rc 1 "scan"
python3 - out.txt <<'PY'
import json, sys
files = sorted({i["file"] for i in json.load(open(sys.argv[1]))})
assert files == ["scan/Containerfile.prod", "scan/Dockerfile-dev", "scan/app.containerfile", "scan/dockerfile"], files
PY

echo "-- fix --write exits 1 when findings at the threshold remain, 0 when the file ends clean"
# One safe fix (the COPY group); USER root's fix is unsafe next to a privileged EXPOSE, and EXPOSE 80
# alone has no automatic fix (nothing shows what the application listens on).
printf 'FROM registry.example/ubi9:9.4\nCOPY --chown=1001:1001 app.jar /opt/app.jar\nUSER root\nEXPOSE 80\n' > unfixable.Containerfile
run "$okdlint" fix --write unfixable.Containerfile
expect_rc 1 "fix --write with an unsafe-only fix left"
grep -q 'applied 1 fix$' err.txt || fail "plural: $(cat err.txt)"
run "$okdlint" fix --write --unsafe-fixes unfixable.Containerfile
expect_rc 1 "fix --write --unsafe-fixes with EXPOSE 80 left"
printf 'FROM registry.example/ubi9:9.4\nCOPY --chown=1001:1001 app.jar /opt/app.jar\nUSER root\n' > fixable.Containerfile
run "$okdlint" fix --write --unsafe-fixes fixable.Containerfile
expect_rc 0 "fix --write that fixes everything"
run "$okdlint" fixable.Containerfile
expect_rc 0 "the fixed file lints clean"
printf 'FROM registry.example/ubi9:9.4\nUSER root\nEXPOSE 80\n' > threshold.Containerfile
run "$okdlint" fix --write --failure-threshold none threshold.Containerfile
expect_rc 0 "threshold none"

echo "-- fix --write on a symlink writes the target and keeps the link"
mkdir real
printf 'FROM registry.example/ubi9:9.4\nUSER root\n' > real/Containerfile
ln -s real/Containerfile link.Containerfile
run "$okdlint" fix --write link.Containerfile
expect_rc 0 "symlink"
[ -L link.Containerfile ] || fail "the symlink was replaced by a file"
grep -q '^USER 1001$' real/Containerfile || fail "the target was not fixed: $(cat real/Containerfile)"

echo "-- fix --write refuses a read-only file and leaves it alone"
printf 'FROM registry.example/ubi9:9.4\nUSER root\n' > ro.Containerfile
chmod 0444 ro.Containerfile
before=$(stat -c '%i %a' ro.Containerfile)
run "$okdlint" fix --write ro.Containerfile
expect_rc 2 "read-only"
grep -q '^okdlint: ro.Containerfile: is read-only' err.txt || fail "read-only message: $(cat err.txt)"
[ "$(stat -c '%i %a' ro.Containerfile)" = "$before" ] && grep -q '^USER root$' ro.Containerfile || fail "read-only file changed"
ls -a | grep -q okdlint- && fail "temporary file left behind"

echo "-- fix --write keeps hard links (same inode, both names fixed)"
printf 'FROM registry.example/ubi9:9.4\nUSER root\n' > hard.Containerfile
ln hard.Containerfile other-name
inode=$(stat -c %i hard.Containerfile)
run "$okdlint" fix --write hard.Containerfile
expect_rc 0 "hard link"
[ "$(stat -c '%i %h' hard.Containerfile)" = "$inode 2" ] || fail "hard link broken: $(stat -c '%i %h' hard.Containerfile) vs $inode"
grep -q '^USER 1001$' other-name || fail "the other name does not see the fix"
ls -a | grep -q okdlint- && fail "temporary file left behind"

echo "-- --color auto|always|never, --quiet, --statistics"
run "$okdlint" --color always bad.Containerfile
grep -q $'\e\\[' out.txt || fail "--color always has no colour"
run env NO_COLOR=1 "$okdlint" --color always bad.Containerfile
grep -q $'\e\\[' out.txt || fail "--color always beats NO_COLOR"
run "$okdlint" --color never bad.Containerfile
grep -q $'\e\\[' out.txt && fail "--color never has colour"
run "$okdlint" --color sometimes bad.Containerfile
expect_rc 2 "--color bad value"
run "$okdlint" bad.Containerfile
grep -q '^1 problem (1 error, 0 warnings, 0 info) in 1 file$' out.txt || fail "summary: $(tail -1 out.txt)"
run "$okdlint" --quiet bad.Containerfile
expect_rc 1 "--quiet keeps the exit code"
grep -q 'problem' out.txt && fail "--quiet printed the summary"
grep -q 'error\[OKD101\]' out.txt || fail "--quiet hid the finding"
printf 'FROM python:3.12\nUSER root\nEXPOSE 80 443\n' > stats.Containerfile
run "$okdlint" --statistics stats.Containerfile
expect_rc 1 "--statistics"
# EXPOSE alone gets no port remap (nothing shows what the application listens on); USER root next
# to a privileged port is an unsafe fix; the Docker Hub proxy prefix is a safe one.
grep -Eq '^2  OKD201  +privileged-port *$' out.txt || fail "statistics row: $(cat out.txt)"
grep -Eq '^1  OKD101  +root-user +\[1 fixable\]$' out.txt || fail "statistics OKD101: $(cat out.txt)"
grep -qx '4 findings, 1 fixable with okdlint fix (1 more with --unsafe-fixes)' out.txt || fail "statistics total: $(cat out.txt)"

echo "-- rule pages: SARIF helpUri and JSON url point at docs/rules/OKDnnn.md, which exist"
run "$okdlint" --format json bad.Containerfile
python3 -c 'import json; u=json.load(open("out.txt"))[0]["url"]; assert u.endswith("/docs/rules/OKD101.md"), u' || fail "json url"
run "$okdlint" --format sarif bad.Containerfile
python3 - out.txt "$source_dir" <<'PY'
import json, os, sys
run = json.load(open(sys.argv[1]))["runs"][0]
for rule in run["tool"]["driver"]["rules"]:
    page = rule["helpUri"].split("/blob/main/")[1]
    assert os.path.isfile(os.path.join(sys.argv[2], page)), page
PY
"$okdlint" rules --markdown-dir generated-docs
diff -r generated-docs "$source_dir/docs/rules" > docs.diff || fail "docs/rules is stale; run: okdlint rules --markdown-dir docs/rules
$(head -20 docs.diff)"

echo "-- github format: control characters replaced as in tty"
printf 'FROM registry.example/ubi9:9.4\nUSER "\033]0;pwned\007"\n' > esc.Containerfile
run "$okdlint" --format github esc.Containerfile
grep -q $'\e' out.txt && fail "escape character reached the github output"
grep -q $'\a' out.txt && fail "bell reached the github output"
grep -q '^::warning file=esc.Containerfile,line=2' out.txt || fail "github line: $(cat out.txt)"

echo "-- --build-arg NAME takes the value from the environment, as docker does"
printf 'ARG BASE=registry.example/ubi9:9.4\nFROM ${BASE}\nARG RUNAS=1001\nUSER ${RUNAS}\n' > args.Containerfile
run env RUNAS=0 "$okdlint" --build-arg RUNAS args.Containerfile
expect_rc 1 "--build-arg from env"
grep -q 'USER ${RUNAS} = 0' out.txt || fail "env build arg not used: $(cat out.txt)"
run env -u RUNAS "$okdlint" --build-arg RUNAS args.Containerfile
expect_rc 0 "--build-arg NAME unset in env is ignored"
run "$okdlint" --build-arg =x args.Containerfile
expect_rc 2 "--build-arg =x"

echo "-- a nested .okdlint.yaml can extend its parent; proxy: none switches OKD401 off"
mkdir -p nested/svc
printf 'FROM nginx:1.27\nUSER 1001\nEXPOSE 80\n' > nested/svc/Containerfile
printf 'proxy: none\nseverity: {OKD201: info}\n' > nested/.okdlint.yaml
printf 'extend: ../.okdlint.yaml\nfailure-threshold: error\n' > nested/svc/.okdlint.yaml
run "$okdlint" --format json nested/svc/Containerfile
expect_rc 0 "extend"
python3 - out.txt <<'PY'
import json, sys
found = {(i["rule"], i["severity"]) for i in json.load(open(sys.argv[1]))}
assert ("OKD201", "info") in found, found          # from the parent
assert not any(r == "OKD401" for r, _ in found), found  # proxy: none
PY
printf 'extend: parent\n' > nested/svc/.okdlint.yaml
run "$okdlint" --format json nested/svc/Containerfile
expect_rc 0 "extend: parent"
printf 'failure-threshold: error\n' > nested/svc/.okdlint.yaml
run "$okdlint" --format json nested/svc/Containerfile
grep -q OKD401 out.txt || fail "without extend the parent's proxy: none must not apply"
printf 'extend: missing.yaml\n' > nested/svc/.okdlint.yaml
run "$okdlint" nested/svc/Containerfile
expect_rc 2 "extend of a missing file"
grep -q "nested/svc/.okdlint.yaml:1: 'extend' names" err.txt || fail "extend error: $(cat err.txt)"
run "$okdlint" --proxy none --format json stats.Containerfile
grep -q OKD401 out.txt && fail "--proxy none did not switch OKD401 off"
run env OKDLINT_PROXY=none "$okdlint" --format json stats.Containerfile
grep -q OKD401 out.txt && fail "OKDLINT_PROXY=none did not switch OKD401 off"

echo "cli_trust: all checks passed"
