#!/bin/bash
# The .deb as users get it: `cpack -G DEB` in the build directory makes okdlint_<version>_<arch>.deb
# with the runtime libraries declared (dpkg-shlibdeps); installed with apt into a fresh Debian
# minbase root of this machine's suite (nothing else installed), its okdlint prints version and
# commit and lints the examples it ships exactly as the build tree's okdlint does.
set -euo pipefail
okdlint=${1:?usage: package_deb.sh /path/to/build/okdlint}
build=$(cd "$(dirname "$okdlint")" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
skip() { echo "skipped: $*"; [ -z "${CI:-}" ] && exit 77; echo "FAIL: in CI nothing may be skipped" >&2; exit 1; }
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || skip "needs root (chroot)"
for tool in cpack dpkg-deb dpkg-shlibdeps file chroot python3; do
  command -v "$tool" >/dev/null || skip "$tool is not installed (tools/setup-debian.sh)"
done
[ -f "$build/CPackConfig.cmake" ] || skip "$build has no CPackConfig.cmake"
. /etc/os-release
suite=${VERSION_CODENAME:?/etc/os-release has no VERSION_CODENAME}
work=$(mktemp -d /var/tmp/okdlint-deb.XXXXXX)
chroot_dir=$work/root
cleanup() {
  for m in dev proc; do umount "$chroot_dir/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
start=$(date +%s)

echo "-- cpack -G DEB"
(cd "$build" && cpack -G DEB -B "$work/pkg" > "$work/cpack.log" 2>&1) || fail "cpack: $(tail -n 20 "$work/cpack.log")"
deb=$(ls "$work"/pkg/okdlint_*.deb)
version=$(sed -n 's/^project(okdlint VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
[ "$(basename "$deb")" = "okdlint_${version}_$(dpkg --print-architecture).deb" ] || fail "package name $(basename "$deb")"
depends=$(dpkg-deb -f "$deb" Depends)
echo "package: $(basename "$deb"), $(stat -c %s "$deb") bytes, Depends: $depends"
[[ $depends == *libc6* ]] || fail "Depends does not declare libc6: $depends"
# Every shared library the executable needs is declared by the package that ships it.
declared=$(echo "$depends" | tr ',|' '\n\n' | sed 's/(.*//; s/ //g')
for lib in $(objdump -p "$build/okdlint" | awk '/NEEDED/ {print $2}'); do
  owner=$(dpkg -S "*/$lib" 2>/dev/null | head -n 1 | cut -d: -f1)
  [ -n "$owner" ] || fail "no package owns $lib"
  grep -qx "$owner" <<< "$declared" || fail "$lib ($owner) is not in Depends: $depends"
done
dpkg-deb -c "$deb" | awk '{print $6}' > "$work/contents"
for f in ./usr/bin/okdlint ./usr/share/doc/okdlint/README.md ./usr/share/doc/okdlint/running.md \
         ./usr/share/doc/okdlint/examples/python-api/Containerfile ./usr/share/doc/okdlint/examples/ci/github-workflow.yml; do
  grep -qx "$f" "$work/contents" || fail "$f is not in the package: $(cat "$work/contents")"
done

echo "-- install into a fresh Debian $suite minbase root"
tarball=$("$root/tools/debian-minbase.sh" "$suite")
mkdir -p "$chroot_dir"
tar -C "$chroot_dir" -xf "$tarball"
cp /etc/resolv.conf "$chroot_dir/etc/resolv.conf"
mount --bind /proc "$chroot_dir/proc"
mount --bind /dev "$chroot_dir/dev"
cp "$deb" "$chroot_dir/tmp/"
install_start=$(date +%s)
chroot "$chroot_dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root bash -c \
  "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/$(basename "$deb")" \
  > "$work/apt.log" 2>&1 || fail "apt-get install the .deb: $(tail -n 20 "$work/apt.log")"
echo "apt-get update + install: $(( $(date +%s) - install_start )) s"
in_root() { chroot "$chroot_dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root NO_COLOR=1 "$@"; }

echo "-- the installed okdlint"
[ "$(in_root sh -c 'command -v okdlint')" = /usr/bin/okdlint ] || fail "okdlint is not /usr/bin/okdlint"
installed_version=$(in_root okdlint --version)
[ "$installed_version" = "$("$okdlint" --version)" ] || fail "--version: '$installed_version' vs '$("$okdlint" --version)'"
[[ $installed_version =~ ^okdlint\ $version\ \(commit\ [0-9a-f]{7,}(-dirty)?\)$ ]] || fail "--version: $installed_version"
in_root okdlint /usr/share/doc/okdlint/examples/already-okd/Containerfile > "$work/out" 2>&1 ||
  fail "already-okd example: $(cat "$work/out")"
set +e
in_root sh -c 'cd /usr/share/doc/okdlint/examples && okdlint --format json .' > "$work/installed.json"
rc=$?
(cd "$root/examples" && "$okdlint" --root . --format json .) > "$work/built.json"
built_rc=$?
set -e
[ $rc -eq 1 ] && [ $built_rc -eq 1 ] || fail "examples: exit $rc (installed), $built_rc (build tree); expected 1"
cmp -s "$work/installed.json" "$work/built.json" || fail "the installed okdlint reports other findings: $(diff "$work/installed.json" "$work/built.json" | head)"
python3 - "$work/installed.json" <<'EOF' || fail "examples' findings"
import json, sys
findings = json.load(open(sys.argv[1]))
rules = {(f["file"], f["rule"]) for f in findings}
for expected in [("python-api/Containerfile", "OKD401"), ("python-api/Containerfile", "OKD201"),
                 ("nginx-static/Containerfile", "OKD102")]:
    assert expected in rules, (expected, sorted(rules))
assert not any(f["file"].startswith("already-okd/") for f in findings), findings
EOF
echo "package: all checks passed in $(( $(date +%s) - start )) s"
