#!/bin/bash
# okdlint's own image (the repository's Containerfile, issue 15), built as a user builds it and run
# as OKD runs pods:
#   1. `okdlint Containerfile` is clean (the image passes its own linter);
#   2. `podman build --isolation=chroot` of the source tree, BASE = a local Debian 12 minbase
#      (debootstrap, imported into a private store, overlay or else vfs; no registry), builds;
#   3. the image runs as uid 1000770000, gid 0, no capabilities, no_new_privs: `okdlint --version`
#      names this commit, a lint of a Containerfile in /work finds what the build tree's okdlint
#      finds (same JSON), and `okdlint fix --write` can write in /work (group 0 may write there);
#   4. its config says USER 1001:0 and it holds no group-writable system file or executable.
# Slow (apt and a compile inside the build): run with the slow suites. Needs root, podman, umoci, jq.
set -euo pipefail
OKDLINT=$(realpath "${1:?usage: own_image.sh /path/to/build/okdlint}")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
skip() {
  if [ -n "${CI:-}" ]; then echo "FAIL (CI must not skip): $*" >&2; exit 1; fi
  echo "SKIP: $*"; exit 77
}
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (podman --isolation=chroot, chroot to run the image)"
for tool in podman umoci skopeo jq python3 setpriv; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (tools/setup-debian.sh installs it)"
done
start=$(date +%s)
CACHE=${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}
MINBASE=$(bash "$ROOT/tools/debian-minbase.sh" bookworm) || fail "tools/debian-minbase.sh"
DRIVER=$(bash "$ROOT/tests/support/podman-driver.sh")   # overlay where it works, else vfs
STORE=$CACHE/own-image-$DRIVER
mkdir -p "$STORE"
exec 9>"$STORE/.lock"; flock 9
WORK=$(mktemp -d /var/tmp/okdlint-own.XXXXXX)
P=(podman --root "$STORE/root" --runroot "/tmp/okdlint-own-run-$DRIVER" --storage-driver "$DRIVER" --cgroup-manager cgroupfs
   --events-backend file)
cleanup() {
  for m in proc dev; do umount "$WORK/bundle/rootfs/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$WORK"
}
trap cleanup EXIT
POLICY=()
[ -f /etc/containers/policy.json ] || { echo '{"default":[{"type":"insecureAcceptAnything"}]}' > "$WORK/policy.json"
  POLICY=(--policy "$WORK/policy.json"); }

echo "-- 1. okdlint Containerfile"
(cd "$ROOT" && "$OKDLINT" Containerfile) || fail "okdlint reports findings on its own Containerfile"

echo "-- 2. podman build"
# The base: Debian 12 minbase as the image `debian:12-slim` would be (re-imported when the tarball changes).
base_tag=localhost/okdlint-own/debian:$(stat -c '%s-%Y' "$MINBASE")
if ! "${P[@]}" image exists "$base_tag"; then
  mkdir "$WORK/debian" && tar -C "$WORK/debian" -xf "$MINBASE" && chmod 0755 "$WORK/debian"
  rm -rf "$WORK/debian"/usr/share/{doc,man,locale,info} "$WORK/debian"/var/lib/apt/lists/*
  mkdir -p "$WORK/debian/var/lib/apt/lists/partial"
  tar -C "$WORK/debian" --numeric-owner -cf - . | "${P[@]}" import -q --change 'CMD ["bash"]' - "$base_tag" >/dev/null ||
    fail "podman import of the Debian minbase"
  rm -rf --one-file-system "$WORK/debian"
fi
# The build context is the source tree as a user has it; .containerignore leaves out .git and
# build directories. The commit comes from git, or from cmake/commit.txt in a `git archive` export.
commit=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null ||
         sed -n '1s/^\([0-9a-f]\{12\}\).*/\1/p' "$ROOT/cmake/commit.txt")
[ -n "$commit" ] || fail "no commit: neither git nor a filled-in cmake/commit.txt"
"${P[@]}" build --pull=never --isolation=chroot --build-arg BASE="$base_tag" --build-arg OKDLINT_COMMIT="$commit" \
  -t localhost/okdlint-own/okdlint:test "$ROOT" > "$WORK/build.log" 2>&1 ||
  fail "podman build: $(tail -n 30 "$WORK/build.log")"
echo "built after $(( $(date +%s) - start )) s"

echo "-- 3. run as OKD"
"${P[@]}" push -q localhost/okdlint-own/okdlint:test oci:"$WORK/layout:own" > "$WORK/push.log" 2>&1 ||
  fail "podman push to an OCI layout: $(tail -n 5 "$WORK/push.log")"
umoci unpack --image "$WORK/layout:own" "$WORK/bundle" > /dev/null || fail "umoci unpack"
R=$WORK/bundle/rootfs
cwd=$(jq -r '.process.cwd' "$WORK/bundle/config.json")
user=$(jq -r '.config.User' <(skopeo "${POLICY[@]}" inspect --config oci:"$WORK/layout:own"))
[ "$user" = "1001:0" ] || fail "the image's User is '$user', expected 1001:0"
mapfile -t envs < <(jq -r '.process.env[] | select(startswith("HOME=")|not)' "$WORK/bundle/config.json")
mount -t proc proc "$R/proc"; mount --bind /dev "$R/dev"
as_okd() {  # the image's environment and working directory, OKD's uid, gid 0, nothing else
  chroot "$R" /usr/bin/setpriv --reuid=1000770000 --regid=0 --clear-groups --inh-caps=-all \
    --ambient-caps=-all --bounding-set=-all --no-new-privs -- /usr/bin/env -i -C "$cwd" "${envs[@]}" HOME=/ "$@"
}
version=$(as_okd okdlint --version) || fail "okdlint --version as OKD: $version"
echo "$version"
grep -q "$commit" <<<"$version" || fail "okdlint --version does not name the commit $commit: $version"
example=$ROOT/examples/nginx-static/Containerfile
[ -f "$example" ] || example=$(ls "$ROOT"/examples/*/Containerfile | head -n 1)
cp "$example" "$R$cwd/Containerfile"
# As in a Tekton workspace or a mounted checkout on OKD: the files are group 0 and group-writable.
chown 1001:0 "$R$cwd/Containerfile"; chmod 0664 "$R$cwd/Containerfile"
set +e
as_okd okdlint --format json Containerfile > "$WORK/inside.json"; inside_rc=$?
(cd "$(dirname "$example")" && "$OKDLINT" --format json --root . Containerfile) > "$WORK/outside.json"; outside_rc=$?
set -e
[ "$inside_rc" = "$outside_rc" ] || fail "lint exit $inside_rc in the image, $outside_rc from the build tree"
jq -S . "$WORK/inside.json" > "$WORK/inside.sorted" && jq -S . "$WORK/outside.json" > "$WORK/outside.sorted" ||
  fail "the lint output is not JSON"
diff -u "$WORK/outside.sorted" "$WORK/inside.sorted" || fail "the image's okdlint reports differently from the build tree's"
[ "$(jq length "$WORK/inside.json")" -gt 0 ] || fail "the example has no findings: nothing was compared"
as_okd okdlint fix --write --unsafe-fixes Containerfile > "$WORK/fix.out" 2>&1 || true
as_okd sh -c 'touch /work/.okdlint-write-probe' || fail "uid 1000770000 in group 0 cannot write in /work"
cmp -s "$example" "$R$cwd/Containerfile" && fail "okdlint fix --write changed nothing in /work: $(cat "$WORK/fix.out")"
echo "lint inside the image: exit $inside_rc, $(jq length "$WORK/inside.json") findings, same as the build tree; fix --write wrote /work"

echo "-- 4. nothing system-wide is group-writable"
umount "$R/proc" "$R/dev"
gw=$(cd "$R" && { find usr bin sbin lib etc root -xdev \( -type f -o -type d \) -perm -g+w 2>/dev/null
                  find . -xdev -type f -perm -g+w -perm /111 2>/dev/null; } | head -n 5)
[ -z "$gw" ] || fail "group-writable system files or executables in the image: $gw"
echo "own_image: passed in $(( $(date +%s) - start )) s"
