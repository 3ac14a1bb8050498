#!/bin/bash
# Builds real server images from Debian 12 packages, packaged the way Docker Hub images usually
# are: config User empty (root), ExposedPorts the package's default port, Cmd the server in the
# foreground. One debootstrap minbase root (tools/debian-minbase.sh) gets every server installed
# with apt-get in a chroot whose /usr/sbin/policy-rc.d exits 101 (no service starts); that root is
# one layer shared by all images, which differ only in their config.
#   build-server-images.sh        prints the OCI layout directory; tags: nginx apache2 lighttpd redis
# Cached under ${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}/server-images-HASH, HASH covering
# this script and the minbase tarball, so only the first run pays for apt.
# Needs root, umoci, tar, sha256sum, and the Debian mirror apt uses.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cache=${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}
PACKAGES="nginx apache2 lighttpd redis-server"
minbase=$("$ROOT/tools/debian-minbase.sh" bookworm)
key=$( { sha256sum < "$0"; stat -c '%s %Y' "$minbase"; } | sha256sum | cut -c1-16)
out="$cache/server-images-$key"
mkdir -p "$cache"
exec 9>"$cache/.server-images.lock"
flock 9
if [ -f "$out/done" ]; then echo "$out/oci"; exit 0; fi

rm -rf "$out"
mkdir -p "$out"
work=$(mktemp -d "$cache/.server-images.XXXXXX")
rootfs=$work/rootfs
cleanup() {
  for m in dev/pts dev proc; do umount "$rootfs/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
echo "build-server-images.sh: apt-get install $PACKAGES (once; cached in $out)" >&2
mkdir -p "$rootfs"
tar -C "$rootfs" --numeric-owner --xattrs --xattrs-include='*' -xf "$minbase"
printf '#!/bin/sh\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
chmod 0755 "$rootfs/usr/sbin/policy-rc.d"
cp /etc/resolv.conf "$rootfs/etc/resolv.conf"
mount -t proc proc "$rootfs/proc"
mount --bind /dev "$rootfs/dev"
{
  chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get update -qq
  # shellcheck disable=SC2086
  chroot "$rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends $PACKAGES
} > "$out/apt.log" 2>&1 || { tail -n 30 "$out/apt.log" >&2; exit 1; }
umount "$rootfs/dev" "$rootfs/proc"
rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
: > "$rootfs/etc/resolv.conf"

chmod 0755 "$rootfs"  # the minbase tarball's root entry is mktemp's 0700: nobody but root could exec
tar -C "$rootfs" --numeric-owner --xattrs --xattrs-include='*' --sort=name -cf "$work/layer.tar" .
umoci init --layout "$out/oci"
umoci new --image "$out/oci:base"
umoci raw add-layer --image "$out/oci:base" "$work/layer.tar" \
  --history.created_by "debootstrap --variant=minbase bookworm && apt-get install $PACKAGES"
PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
image() {  # TAG PORT CMD...
  local tag=$1 port=$2; shift 2
  local args=()
  for a in "$@"; do args+=(--config.cmd "$a"); done
  umoci config --image "$out/oci:base" --tag "$tag" --architecture amd64 --os linux --config.user '' \
    --config.env "$PATH_ENV" --config.exposedports "$port/tcp" --config.workingdir / "${args[@]}" \
    --history.created_by "CMD $*"
}
image nginx 80 nginx -g 'daemon off;'
image apache2 80 apache2ctl -D FOREGROUND
image lighttpd 80 lighttpd -D -f /etc/lighttpd/lighttpd.conf
image redis 6379 redis-server /etc/redis/redis.conf --daemonize no
umoci gc --layout "$out/oci"
touch "$out/done"
echo "$out/oci"
