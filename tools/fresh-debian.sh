#!/bin/bash
# Runs a command on a copy of the committed tree inside a fresh debootstrap --variant=minbase Debian
# chroot: nothing installed beyond minbase, as on a newcomer's machine. CI runs the README's test
# command this way, so a missing install step fails CI instead of hiding behind this machine's
# packages.  (Adapted from the project's shared fresh-debian.sh, which a clone does not have.)
#   tools/fresh-debian.sh 'tools/setup-debian.sh && tools/test.sh'
#   FRESH_SUITE=trixie tools/fresh-debian.sh '…'          # Debian 13
# Needs root (debootstrap, chroot, bind mounts) and Debian's mirror. Kept between runs, under
# ${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}: the minbase tarball, downloaded .debs (apt still
# installs every package afresh), and the tests' own caches (built images), bind-mounted at the
# same path inside. Returns the command's exit status.
set -euo pipefail
cmd=${1:?usage: tools/fresh-debian.sh 'COMMAND' (runs in the repository copy)}
[ "$(id -u)" = 0 ] || { echo "fresh-debian.sh: needs root (debootstrap, chroot, bind mounts)" >&2; exit 2; }
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
suite=${FRESH_SUITE:-bookworm}
cache=${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}
tarball=$("$top/tools/debian-minbase.sh" "$suite")
root=$(mktemp -d /var/tmp/fresh-debian.XXXXXX)
cleanup() {
  # Unmount everything below the root, deepest first (our binds and what the command mounted).
  awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r m; do umount -l "$m" 2>/dev/null || true; done
  umount -l "$root" 2>/dev/null || true
  rm -rf --one-file-system "$root"
}
trap cleanup EXIT
tar -C "$root" --numeric-owner -xf "$tarball"
chmod 755 "$root"   # mktemp made it 0700; a real / is 0755 (tests run as other users too)
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# The host network's own trust: CAs added locally (an egress proxy's, a company's) are part of
# reaching the package registries from this network, not an install step of the project. npm
# reads them through NODE_EXTRA_CA_CERTS; update-ca-certificates adds them once ca-certificates
# is installed.
extra_cas=
if ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cat /usr/local/share/ca-certificates/*.crt > "$root/usr/local/share/ca-certificates/host-network.crt"
  extra_cas=/usr/local/share/ca-certificates/host-network.crt
fi
mkdir -p "$root/root/repo"
git -C "$top" archive HEAD | tar -C "$root/root/repo" -xf -
# The root is a mount point of its own, as in a container, so that podman/buildah can remount it.
mount --bind "$root" "$root" && mount --make-private "$root"
for m in proc sys dev dev/pts; do mount --bind "/$m" "$root/$m"; done
mkdir -p "$cache/apt-$suite/partial" "$root$cache" "$root/var/cache/apt/archives"
mount --bind "$cache" "$root$cache"
mount --bind "$cache/apt-$suite" "$root/var/cache/apt/archives"
# minbase's apt deletes downloaded .debs after install; keep them in the bound cache.
echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' >"$root/etc/apt/apt.conf.d/10keep-debs"
rm -f "$root/etc/apt/apt.conf.d/docker-clean"
set +e
chroot "$root" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 CI="${CI:-}" \
  OKDLINT_TEST_CACHE="$cache" OKDLINT_SLOW_TESTS="${OKDLINT_SLOW_TESTS:-}" \
  OKDLINT_FUZZ_SECONDS="${OKDLINT_FUZZ_SECONDS:-}" ${extra_cas:+NODE_EXTRA_CA_CERTS=$extra_cas} \
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  bash -c "cd /root/repo && $cmd"
rc=$?
set -e
echo "fresh-debian.sh: '$cmd' exited $rc in a fresh Debian $suite" >&2
exit $rc
