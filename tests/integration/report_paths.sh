#!/bin/bash
# Reported paths land where CI systems look them up: relative to the repository root (or --root),
# normalised, never "./x", in every format, whether okdlint runs at the root with ".", from a
# subdirectory, or with a path that walks up and down. And --summary writes GitHub's job summary.
set -euo pipefail
okdlint=${1:?usage: report_paths.sh /path/to/okdlint}
command -v python3 >/dev/null || { echo "skipped: python3 is not installed"; [ -z "${CI:-}" ] && exit 77; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

repo=$work/repo
mkdir -p "$repo/services/api" "$repo/services/web" "$repo/plain"
git -C "$repo" init -q
printf 'FROM registry.example/ubi9:9.4\nUSER root\nEXPOSE 80\n' > "$repo/services/api/Containerfile"
printf 'FROM registry.example/ubi9:9.4\nUSER 0\n' > "$repo/services/web/Dockerfile"
printf 'FROM registry.example/ubi9:9.4\nUSER root\n' > "$work/outside.Containerfile"

# Prints the sorted, unique file paths a report names, one per line.
paths_of() {  # FORMAT REPORT_FILE
  python3 - "$1" "$2" <<'EOF'
import json, re, sys, xml.etree.ElementTree as ET
fmt, report = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
if fmt == "json":
    paths = [d["file"] for d in json.loads(report)]
elif fmt == "gitlab":
    paths = [d["location"]["path"] for d in json.loads(report)]
elif fmt == "sarif":
    # Absolute paths are file:// URIs in SARIF; repository paths are relative references.
    paths = [re.sub(r"^file://", "", loc["physicalLocation"]["artifactLocation"]["uri"])
             for run in json.loads(report)["runs"] for r in run["results"] for loc in r["locations"]]
elif fmt == "checkstyle":
    paths = [f.get("name") for f in ET.fromstring(report).iter("file") if len(f)]
elif fmt == "github":
    paths = re.findall(r"^::\w+ file=([^,]*)", report, re.M)
elif fmt == "tty":
    paths = re.findall(r"^(\S+):\d+:\d+: (?:error|warning|info)\[", report, re.M)
print("\n".join(sorted(set(paths))))
EOF
}

formats=(tty json sarif github gitlab checkstyle)
# check DIR EXPECTED ARGS...: in DIR, every format reports exactly the EXPECTED paths.
check() {
  local dir=$1 expected=$2; shift 2
  for f in "${formats[@]}"; do
    local rc=0
    (cd "$dir" && NO_COLOR=1 "$okdlint" --format "$f" "$@" > "$work/report.$f" 2> "$work/err") || rc=$?
    [ $rc -eq 1 ] || fail "$f in ${dir#"$work"/} with '$*': exit $rc (expected 1): $(cat "$work/err")"
    got=$(paths_of "$f" "$work/report.$f")
    [ "$got" = "$expected" ] || fail "$f in ${dir#"$work"/} with '$*': got [$got], expected [$expected]"
    grep -q '\./' "$work/report.$f" && fail "$f in ${dir#"$work"/} with '$*': a ./ path: $(grep -m1 '\./' "$work/report.$f")"
  done
  return 0
}
both=$'services/api/Containerfile\nservices/web/Dockerfile'

echo "-- at the repository root with '.': repository paths without ./"
check "$repo" "$both" .
echo "-- from a subdirectory with '.': still relative to the repository root"
check "$repo/services" "$both" .
check "$repo/services/api" "services/api/Containerfile" .
echo "-- a path that goes up and down is normalised"
check "$repo/services/web" "services/api/Containerfile" ./../api/../api/Containerfile
check "$repo/plain" "$both" ../services/
echo "-- --root names the base directory"
check "$repo/services" $'api/Containerfile\nweb/Dockerfile' --root . .
check "$repo" $'api/Containerfile\nweb/Dockerfile' --root services ./services
echo "-- a file outside the root is reported by its absolute path"
outside=$(cd "$work" && pwd -P)/outside.Containerfile
check "$repo/services" "$outside" ../../outside.Containerfile
echo "-- outside any git repository: relative to the current directory"
rm -rf "$repo/.git"
check "$repo/services" $'api/Containerfile\nweb/Dockerfile' .
git -C "$repo" init -q

echo "-- SARIF artifact URIs are relative references (no file:// for repository files)"
(cd "$repo/services" && "$okdlint" --format sarif . > "$work/report.sarif") && fail "sarif: exit 0 with findings"
python3 - "$work/report.sarif" <<'EOF' || fail "sarif artifacts"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
uris = sorted({a["location"]["uri"] for a in run.get("artifacts", [])} |
              {l["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"] for l in r["locations"]})
assert uris == ["services/api/Containerfile", "services/web/Dockerfile"], uris
EOF

echo "-- --summary appends GitHub's job summary: counts per rule, findings linked to their line"
summary=$work/summary.md
echo "previous step's summary" > "$summary"
set +e
(cd "$repo/services" && GITHUB_SERVER_URL=https://github.example GITHUB_REPOSITORY=acme/app GITHUB_SHA=0123abcd \
  "$okdlint" --format github --summary "$summary" . > /dev/null)
rc=$?
set -e
[ $rc -eq 1 ] || fail "--summary: exit $rc"
head -n 1 "$summary" | grep -qx "previous step's summary" || fail "--summary overwrote the file"
grep -q '^### okdlint: 3 findings (3 errors) in 2 of 2 files$' "$summary" || fail "summary heading: $(cat "$summary")"
grep -q '^| OKD101 | root\\-user | error | 2 |$' "$summary" || fail "summary OKD101 row: $(cat "$summary")"
grep -q '^| OKD201 | privileged\\-port | error | 1 |$' "$summary" || fail "summary OKD201 row: $(cat "$summary")"
grep -qF '[`services/api/Containerfile:2:6`](https://github.example/acme/app/blob/0123abcd/services/api/Containerfile#L2) error **OKD101**' "$summary" ||
  fail "summary finding link: $(cat "$summary")"
grep -q '^Findings:$' "$summary" || fail "summary: all 3 findings are listed: $(cat "$summary")"
echo "-- past 20 findings the summary lists the first 20 and counts the rest"
ports=$(seq -s ' ' 1 30)
printf 'FROM registry.example/ubi9:9.4\nUSER 1001\nEXPOSE %s\n' "$ports" > "$work/ports.Containerfile"
total=$(cd "$work" && "$okdlint" --format json ports.Containerfile | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') || true
[ "$total" -gt 20 ] || fail "expected more than 20 findings for 30 privileged ports, got $total"
: > "$summary"
(cd "$work" && "$okdlint" --summary "$summary" ports.Containerfile > /dev/null) && fail "ports: exit 0"
grep -q '^First 20 findings:$' "$summary" || fail "summary of $total findings: $(head -n 12 "$summary")"
[ "$(grep -c '^- `ports.Containerfile:3:' "$summary")" = 20 ] || fail "summary lists other than 20 findings (no links without GITHUB_*): $(cat "$summary")"
grep -q "^…and $((total - 20)) more: " "$summary" || fail "summary does not count the rest: $(tail -n 3 "$summary")"
echo "-- a clean run says so"
printf 'FROM registry.example/ubi9:9.4\nUSER 1001\n' > "$work/clean.Containerfile"
(cd "$work" && "$okdlint" --summary "$summary" clean.Containerfile) || fail "clean run with --summary"
tail -n 2 "$summary" | grep -qx '### okdlint: no findings in 1 file' || fail "clean summary: $(tail -n 3 "$summary")"
echo "-- a summary file that cannot be written is an input error"
set +e
(cd "$work" && "$okdlint" --summary /nonexistent/dir/summary.md clean.Containerfile 2> "$work/err")
rc=$?
set -e
[ $rc -eq 2 ] || fail "unwritable summary: exit $rc"
grep -q '^okdlint: /nonexistent/dir/summary.md: --summary: cannot open it for writing$' "$work/err" || fail "summary error: $(cat "$work/err")"
echo "report paths: all checks passed"
