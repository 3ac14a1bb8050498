#!/usr/bin/env bash
# `okdlint --changed-since REF PATH...` lints only the Containerfiles that differ from REF (commits
# and work-tree changes, not deletions), with real git. Which files were linted is read from the
# checkstyle report, which lists clean inputs too.
# Usage: bash changed_since.sh /path/to/okdlint
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 /path/to/okdlint" >&2
  exit 2
fi
okdlint=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
if ! command -v git >/dev/null 2>&1; then
  echo "SKIP: git is not installed"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export HOME=$work/home
mkdir -p "$HOME"
export GIT_CONFIG_NOSYSTEM=1 NO_COLOR=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_CONFIG_GLOBAL XDG_CONFIG_HOME
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^OKDLINT_' || true)

checks=0
check() {
  checks=$((checks + 1))
  echo "== $*"
}
fail() {
  echo "FAIL: $*" >&2
  if [[ -n "${output:-}" ]]; then printf 'last output:\n%s\n' "$output" >&2; fi
  exit 1
}
run() {  # keeps stdout in $output, stderr in $errors, the exit code in $status
  set +e
  output=$("$@" 2>"$work/stderr")
  status=$?
  set -e
  errors=$(cat "$work/stderr")
}
# The files a checkstyle report names, sorted, one per line.
linted_files() {
  { grep -o '<file name="[^"]*"' <<<"$output" || true; } | sed 's/^<file name="//; s/"$//' | sort | tr '\n' ' ' | sed 's/ $//'
}
expect_linted() {
  local got
  got=$(linted_files)
  [[ "$got" == "$1" ]] || fail "linted [$got], expected [$1]"
}

bad=$'FROM registry.example/ubi:9\nUSER root\n'
good=$'FROM registry.example/ubi:9\nUSER 1001\n'

check "precondition: the bad Containerfile has findings, the good one none"
printf '%s' "$bad" >"$work/bad.Containerfile"
printf '%s' "$good" >"$work/good.Containerfile"
run "$okdlint" "$work/bad.Containerfile"
[[ $status -eq 1 ]] || fail "bad Containerfile: exit $status"
run "$okdlint" "$work/good.Containerfile"
[[ $status -eq 0 ]] || fail "good Containerfile: exit $status"

git init -q -b main "$work/repo"
cd "$work/repo"
git config user.name "okdlint test"
git config user.email "okdlint-test@example.invalid"
mkdir -p a b c d e
printf '%s' "$good" >a/Containerfile
printf '%s' "$good" >b/Dockerfile
printf '%s' "$good" >c/app.Dockerfile
printf '%s' "$bad" >e/Containerfile  # bad but never changed: must not fail a changed-only run
echo "readme" >README.md
git add .
git commit -q -m base
git tag base

printf '%s' "$good" | sed 's/^FROM .*/FROM registry.example\/ubi:9.4/' >b/Dockerfile
printf '%s' "$bad" >d/Containerfile
git rm -q c/app.Dockerfile
echo "more" >>README.md
git add .
git commit -q -m change
printf '# edited\n%s' "$good" >a/Containerfile  # uncommitted

check "the whole tree: every Containerfile, and the unchanged bad one fails the run"
run "$okdlint" --format checkstyle .
[[ $status -eq 1 ]] || fail "exit $status, expected 1"
expect_linted "a/Containerfile b/Dockerfile d/Containerfile e/Containerfile"

check "--changed-since base: committed and work-tree changes, no deletions, no unchanged files"
run "$okdlint" --changed-since base --format checkstyle .
[[ $status -eq 1 ]] || fail "exit $status, expected 1 (d/Containerfile is bad)"
expect_linted "a/Containerfile b/Dockerfile d/Containerfile"

check "--changed-since HEAD: only the work-tree edit, which is clean"
run "$okdlint" --changed-since HEAD --format checkstyle .
[[ $status -eq 0 ]] || fail "exit $status, expected 0"
expect_linted "a/Containerfile"

check "--changed-since from a subdirectory: only its files, reported by repository path"
cd b
run "$okdlint" --changed-since base --format checkstyle .
[[ $status -eq 0 ]] || fail "exit $status, expected 0"
expect_linted "b/Dockerfile"
cd ..

check "--changed-since with explicit files: an unchanged file given by name is skipped"
run "$okdlint" --changed-since base --format checkstyle e/Containerfile b/Dockerfile
[[ $status -eq 0 ]] || fail "exit $status, expected 0 (e/Containerfile is unchanged)"
expect_linted "b/Dockerfile"

check "--changed-since with nothing changed lints nothing and passes"
git stash -q
run "$okdlint" --changed-since HEAD --format checkstyle .
[[ $status -eq 0 ]] || fail "exit $status, expected 0"
expect_linted ""
git stash pop -q

check "--changed-since an unknown ref is an input error"
run "$okdlint" --changed-since no-such-ref .
[[ $status -eq 2 ]] || fail "exit $status, expected 2"
grep -q "^okdlint: .*no-such-ref" <<<"$errors" || fail "no error line naming the ref: $errors"

check "--changed-since passes the ref to git as one argument, never through a shell"
run "$okdlint" --changed-since "x'; touch $work/injected; '" .
[[ $status -eq 2 ]] || fail "exit $status, expected 2 (no such ref)"
[[ ! -e "$work/injected" ]] || fail "the ref was run by a shell"
run "$okdlint" --changed-since "--output=$work/injected" .
[[ $status -eq 2 ]] || fail "exit $status, expected 2 for a ref that looks like an option"
[[ ! -e "$work/injected" ]] || fail "the ref was taken as a git option"

echo "$checks passed, 0 failed"
