#!/bin/bash
# Prints the path of a cached tarball of a debootstrap --variant=minbase Debian root (made once).
#   tools/debian-minbase.sh [SUITE]     SUITE: bookworm (default, Debian 12) or trixie (Debian 13)
# The cache is ${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}; CI bind-mounts it into its chroot,
# so the fresh-machine CI, the image-building tests and developers share one copy per suite.
# The mirror is the one this machine's apt uses (the only network a test may reach).
set -euo pipefail
suite=${1:-bookworm}
cache=${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}
tar="$cache/debian-$suite-minbase.tar"
mkdir -p "$cache"
exec 8>"$cache/.debian-$suite.lock"
flock 8
if [ ! -s "$tar" ]; then
  [ "$(id -u)" = 0 ] || { echo "debian-minbase.sh: debootstrap needs root" >&2; exit 2; }
  command -v debootstrap >/dev/null || {
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null; }
  mirror=$(sed -n 's/^URIs: //p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n 1)
  [ -n "$mirror" ] || mirror=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
  tmp=$(mktemp -d "$cache/.debootstrap.XXXXXX")
  trap 'rm -rf --one-file-system "$tmp"' EXIT
  echo "debian-minbase.sh: debootstrap --variant=minbase $suite (once; cached in $tar)" >&2
  if ! debootstrap --variant=minbase "$suite" "$tmp" "$mirror" >"$cache/debootstrap-$suite.log" 2>&1; then
    echo "debian-minbase.sh: debootstrap $suite failed; see $cache/debootstrap-$suite.log" >&2
    exit 2
  fi
  rm -rf "$tmp/var/cache/apt/archives/"*.deb
  chmod 0755 "$tmp"   # mktemp made it 0700: the root entry of the tarball is the image's /
  tar -C "$tmp" --numeric-owner -cf "$tar.part" . && mv "$tar.part" "$tar"
fi
echo "$tar"
