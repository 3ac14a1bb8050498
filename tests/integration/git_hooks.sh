#!/usr/bin/env bash
# `okdlint hook` end to end with real git: a work repository pushing to a bare file:// remote.
# Checks that the pre-push hook blocks pushes that add findings (reading the pushed commits, not
# the work tree), lets through pushes that change no Containerfile, that the pre-commit hook reads
# the index, that --force/--chain/uninstall keep other hooks safe, and that core.hooksPath is used.
# Usage: bash git_hooks.sh /path/to/okdlint
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 /path/to/okdlint" >&2
  exit 2
fi
okdlint=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
source_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
if ! command -v git >/dev/null 2>&1; then
  echo "SKIP: git is not installed"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Nothing from the caller's git or okdlint setup may leak in (a global core.hooksPath would move
# the hooks; OKDLINT_* would change what fails).
export HOME=$work/home
mkdir -p "$HOME"
export GIT_CONFIG_NOSYSTEM=1 GIT_TERMINAL_PROMPT=0 NO_COLOR=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CONFIG_GLOBAL XDG_CONFIG_HOME
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
# run CMD...: runs it, keeping its combined output in $output and its exit code in $status.
run() {
  set +e
  output=$("$@" 2>&1)
  status=$?
  set -e
}
expect_status() {
  [[ $status -eq $1 ]] || fail "expected exit $1, got $status"
}
expect_output() {
  grep -qF -- "$1" <<<"$output" || fail "output does not contain '$1'"
}
expect_no_output() {
  if grep -qF -- "$1" <<<"$output"; then fail "output contains '$1'"; fi
}

bad_containerfile=$'FROM registry.example/ubi:9\nUSER root\n'

new_repository() {  # new_repository NAME: a work repository $work/NAME with a bare remote as origin
  git init -q -b main "$work/$1"
  git init -q --bare "$work/$1-remote.git"
  git -C "$work/$1" config user.name "okdlint test"
  git -C "$work/$1" config user.email "okdlint-test@example.invalid"
  git -C "$work/$1" remote add origin "file://$work/$1-remote.git"
}
remote_has() {  # remote_has NAME REF: whether the bare remote of NAME has REF
  git -C "$work/$1-remote.git" rev-parse --verify -q "$2" >/dev/null
}

check "precondition: the test Containerfile has a finding and the fixed one has none"
printf '%s' "$bad_containerfile" >"$work/probe.Containerfile"
run "$okdlint" "$work/probe.Containerfile"
expect_status 1
expect_output "OKD101"
run "$okdlint" fix --write "$work/probe.Containerfile"
expect_status 0
run "$okdlint" "$work/probe.Containerfile"
expect_status 0

# ---------------------------------------------------------------------------------------------
new_repository repo
cd "$work/repo"
hooks=$(git rev-parse --git-path hooks)

check "hook install writes an executable pre-push hook that runs this okdlint"
run "$okdlint" hook install
expect_status 0
[[ -x "$hooks/pre-push" ]] || fail "$hooks/pre-push is not an executable file"
grep -q "okdlint-managed-hook" "$hooks/pre-push" || fail "no marker line in the hook"
grep -qF "$okdlint" "$hooks/pre-push" || fail "the hook does not name $okdlint"
[[ ! -e "$hooks/pre-commit" ]] || fail "a pre-commit hook was written without --pre-commit"

check "first push of a branch with a bad Containerfile is rejected and shows the finding"
printf '%s' "$bad_containerfile" >Containerfile
echo "# demo" >README.md
git add Containerfile README.md
git commit -q -m "bad Containerfile"
run git push -u origin main
[[ $status -ne 0 ]] || fail "push succeeded"
expect_output "OKD101"
expect_output "Containerfile:2:"
! remote_has repo refs/heads/main || fail "the remote received main"

check "okdlint fix --write, commit: the push passes"
run "$okdlint" fix --write Containerfile
expect_status 0
git commit -q -am "fix the Containerfile"
run git push -u origin main
expect_status 0
expect_output "checked 1 Containerfile"
[[ $(git -C "$work/repo-remote.git" rev-parse main) == $(git rev-parse main) ]] || fail "remote main differs"

check "an update that touches only other files passes and lints nothing, even with a bad work tree"
good_containerfile=$(cat Containerfile)
printf '%s' "$bad_containerfile" >Containerfile  # uncommitted: must not matter
echo "more" >>README.md
git commit -q -m "docs" -- README.md
run git push
expect_status 0
expect_output "okdlint: no Containerfiles changed"

check "the pushed commit is linted, not the work tree: bad commit + good work tree is rejected"
git commit -q -am "bad again"
printf '%s\n' "$good_containerfile" >Containerfile  # uncommitted fix: must not matter
run git push
[[ $status -ne 0 ]] || fail "push succeeded"
expect_output "OKD101"
git reset -q --hard origin/main

check "a new branch touching only other files passes and lints nothing"
git checkout -q -b docs
echo "docs" >docs.md
git add docs.md
git commit -q -m "docs only"
run git push -u origin docs
expect_status 0
expect_output "okdlint: no Containerfiles changed"
remote_has repo refs/heads/docs || fail "docs was not pushed"

check "a new branch is linted against what the remote has: only its own new Containerfile"
git checkout -q -b feature main
mkdir -p sub
printf '%s' "$bad_containerfile" >sub/Dockerfile.dev
git add sub/Dockerfile.dev
git commit -q -m "add a dev Dockerfile"
run git push origin feature
[[ $status -ne 0 ]] || fail "push succeeded"
expect_output "sub/Dockerfile.dev:2:"
expect_output "checked 1 Containerfile"
! remote_has repo refs/heads/feature || fail "the remote received feature"

check "deleting a remote branch lints nothing"
run git push origin --delete docs
expect_status 0
! remote_has repo refs/heads/docs || fail "docs still on the remote"
git checkout -q main

# ---------------------------------------------------------------------------------------------
check "pre-commit hook: staged content is linted"
run "$okdlint" hook install --pre-commit
expect_status 0
[[ -x "$hooks/pre-commit" ]] || fail "no executable pre-commit hook"
printf '%s' "$bad_containerfile" >app.Containerfile
git add app.Containerfile
run git commit -m "bad app"
[[ $status -ne 0 ]] || fail "commit succeeded"
expect_output "app.Containerfile:2:"
expect_output "OKD101"

check "pre-commit hook: fixing only the work tree does not help, staging the fix does"
run "$okdlint" fix --write app.Containerfile
expect_status 0
run git commit -m "bad app"
[[ $status -ne 0 ]] || fail "commit of the unfixed index succeeded"
git add app.Containerfile
run git commit -m "fixed app"
expect_status 0
expect_output "checked 1 Containerfile"

check "pre-commit hook: a commit without Containerfiles lints nothing"
echo "x" >>README.md
git add README.md
run git commit -m "readme"
expect_status 0
expect_output "okdlint: no Containerfiles changed"

check "hook uninstall --pre-commit removes only the pre-commit hook"
run "$okdlint" hook uninstall --pre-commit
expect_status 0
[[ ! -e "$hooks/pre-commit" ]] || fail "pre-commit hook still there"
[[ -e "$hooks/pre-push" ]] || fail "pre-push hook was removed"
run "$okdlint" hook uninstall
expect_status 0
[[ ! -e "$hooks/pre-push" ]] || fail "pre-push hook still there"

# ---------------------------------------------------------------------------------------------
check "an existing hook is never overwritten without --force or --chain"
cat >"$hooks/pre-push" <<EOF
#!/bin/sh
echo "foreign hook ran for \$1" >&2
cat >"$work/chained-stdin"
exit "\${FOREIGN_HOOK_EXIT:-0}"
EOF
chmod +x "$hooks/pre-push"
cp "$hooks/pre-push" "$work/foreign-pre-push"
run "$okdlint" hook install
expect_status 2
expect_output "--chain"
cmp -s "$hooks/pre-push" "$work/foreign-pre-push" || fail "the foreign hook was changed"

check "--chain keeps the existing hook and runs it first with git's stdin"
run "$okdlint" hook install --chain
expect_status 0
cmp -s "$hooks/pre-push.okdlint-chained" "$work/foreign-pre-push" || fail "the foreign hook was not kept"
grep -q "okdlint-managed-hook" "$hooks/pre-push" || fail "okdlint's hook not installed"
printf '%s' "$bad_containerfile" >Containerfile
git commit -q -am "bad for chain"
run git push
[[ $status -ne 0 ]] || fail "push succeeded"
expect_output "foreign hook ran for origin"
expect_output "OKD101"
grep -q "refs/heads/main" "$work/chained-stdin" || fail "the chained hook did not get git's update lines"
git reset -q --hard origin/main

check "--chain: a failing chained hook blocks the push by itself"
echo "y" >>README.md
git commit -q -am "clean change"
FOREIGN_HOOK_EXIT=3 run git push
[[ $status -ne 0 ]] || fail "push succeeded although the chained hook failed"
expect_output "foreign hook ran"
run git push
expect_status 0
expect_output "foreign hook ran"
expect_output "okdlint: no Containerfiles changed"

check "reinstalling over okdlint's own hook keeps the chain"
run "$okdlint" hook install
expect_status 0
grep -q "okdlint-chained" "$hooks/pre-push" || fail "the rewritten hook lost the chain"

check "uninstall restores the chained hook"
run "$okdlint" hook uninstall
expect_status 0
cmp -s "$hooks/pre-push" "$work/foreign-pre-push" || fail "the foreign hook was not restored"
[[ ! -e "$hooks/pre-push.okdlint-chained" ]] || fail "the chained copy is still there"

check "uninstall leaves a hook okdlint did not write alone"
run "$okdlint" hook uninstall
expect_status 0
expect_output "did not write"
cmp -s "$hooks/pre-push" "$work/foreign-pre-push" || fail "the foreign hook was touched"

check "--force replaces the existing hook"
run "$okdlint" hook install --force
expect_status 0
grep -q "okdlint-managed-hook" "$hooks/pre-push" || fail "okdlint's hook not installed"
[[ ! -e "$hooks/pre-push.okdlint-chained" ]] || fail "--force chained the hook"
run "$okdlint" hook install --force --chain
expect_status 2
run "$okdlint" hook uninstall
[[ ! -e "$hooks/pre-push" ]] || fail "pre-push hook still there"

# ---------------------------------------------------------------------------------------------
check "the hook falls back to okdlint on PATH when the installing binary is gone"
mkdir -p "$work/gone" "$work/bin"
cp "$okdlint" "$work/gone/okdlint"
run "$work/gone/okdlint" hook install
expect_status 0
grep -qF "$work/gone/okdlint" "$hooks/pre-push" || fail "the hook does not name the installing binary"
rm "$work/gone/okdlint"
ln -s "$okdlint" "$work/bin/okdlint"
printf '%s' "$bad_containerfile" >Containerfile
git commit -q -am "bad for PATH fallback"
PATH="$work/bin:$PATH" run git push
[[ $status -ne 0 ]] || fail "push succeeded"
expect_output "OKD101"

check "no okdlint at all: the push is blocked with a message, not waved through"
rm "$work/bin/okdlint"
bare_path="$(dirname "$(command -v git)"):/usr/bin:/bin"
if env PATH="$bare_path" sh -c "command -v okdlint" >/dev/null 2>&1; then
  echo "   (skipped: okdlint is installed system-wide)"
else
  run env PATH=$bare_path git push
  [[ $status -ne 0 ]] || fail "push succeeded without okdlint"
  expect_output "okdlint is not installed"
fi
git reset -q --hard origin/main
"$okdlint" hook uninstall >/dev/null

# ---------------------------------------------------------------------------------------------
check "core.hooksPath is honoured"
new_repository hookspath
cd "$work/hookspath"
git config core.hooksPath .githooks
run "$okdlint" hook install
expect_status 0
[[ -x .githooks/pre-push ]] || fail "no hook in .githooks"
[[ ! -e .git/hooks/pre-push ]] || fail "hook written to .git/hooks despite core.hooksPath"
printf '%s' "$bad_containerfile" >Dockerfile
git add Dockerfile
git commit -q -m "bad"
run git push -u origin main
[[ $status -ne 0 ]] || fail "push succeeded"
expect_output "Dockerfile:2:"
run "$okdlint" hook uninstall
expect_status 0
[[ ! -e .githooks/pre-push ]] || fail "hook still in .githooks"

check "pre-commit framework: the hooks in .pre-commit-hooks.yaml lint and fix Containerfiles only"
if ! command -v pre-commit >/dev/null 2>&1; then
  echo "   (skipped: the pre-commit framework is not installed)"
else
  # try-repo takes hooks from a git repository: one holding just the manifest.
  git init -q -b main "$work/hook-manifest"
  cp "$source_dir/.pre-commit-hooks.yaml" "$work/hook-manifest/"
  git -C "$work/hook-manifest" add .pre-commit-hooks.yaml
  git -C "$work/hook-manifest" -c user.name=t -c user.email=t@example.invalid commit -q -m manifest
  new_repository framework
  cd "$work/framework"
  mkdir -p x docs
  printf '%s' "$bad_containerfile" >Dockerfile.prod
  printf '%s' "$bad_containerfile" >x/app.Containerfile
  printf 'not a Containerfile\n' >docs/notes.txt
  printf 'not a Containerfile either\n' >docs/Dockerfiles.md
  git add .
  ln -sf "$okdlint" "$work/bin/okdlint"
  PATH="$work/bin:$PATH" run pre-commit try-repo "$work/hook-manifest" okdlint --all-files
  [[ $status -ne 0 ]] || fail "the okdlint hook passed bad Containerfiles"
  expect_output "Dockerfile.prod:2:"
  expect_output "x/app.Containerfile:2:"
  expect_no_output "notes.txt"
  expect_no_output "Dockerfiles.md"
  PATH="$work/bin:$PATH" run pre-commit try-repo "$work/hook-manifest" okdlint-fix --all-files
  [[ $status -ne 0 ]] || fail "okdlint-fix changed files but pre-commit did not report it"
  git add .
  PATH="$work/bin:$PATH" run pre-commit try-repo "$work/hook-manifest" okdlint --all-files
  expect_status 0
fi

check "hook install outside a git repository is an input error"
mkdir -p "$work/not-a-repo"
cd "$work/not-a-repo"
run "$okdlint" hook install
expect_status 2
expect_output "okdlint: git rev-parse:"

echo "$checks passed, 0 failed"
