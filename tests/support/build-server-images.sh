#!/bin/bash
# Builds real server images from Debian 12 packages, packaged the way Docker Hub images usually
# are: config User empty (root), ExposedPorts the package's default port, Cmd the server in the
# foreground. A debootstrap minbase root (tools/debian-minbase.sh) is the base layer all images
# share; each image adds one layer: its server installed with apt-get in a chroot of an umoci
# bundle whose /usr/sbin/policy-rc.d exits 101 (no service starts).
#   build-server-images.sh        prints the OCI layout directory; tags: nginx apache2 lighttpd redis
# Cached under ${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}/server-images-HASH, HASH covering
# this script and the minbase tarball, so only the first run pays for apt.
# Needs root, umoci, tar, sha256sum, and the Debian mirror apt uses.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
cache=${OKDLINT_TEST_CACHE:-/var/cache/okdlint-tests}
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
bundle=$work/bundle
cleanup() {
  for m in dev proc; do umount "$bundle/rootfs/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
echo "build-server-images.sh: apt-get install nginx apache2 lighttpd redis-server (once; cached in $out)" >&2
mkdir -p "$work/rootfs"
tar -C "$work/rootfs" --numeric-owner --xattrs --xattrs-include='*' -xf "$minbase"
printf '#!/bin/sh\nexit 101\n' > "$work/rootfs/usr/sbin/policy-rc.d"
chmod 0755 "$work/rootfs/usr/sbin/policy-rc.d"
chmod 0755 "$work/rootfs"  # the minbase tarball's root entry is mktemp's 0700: nobody but root could exec
tar -C "$work/rootfs" --numeric-owner --xattrs --xattrs-include='*' --sort=name -cf "$work/base.tar" .
rm -rf "$work/rootfs"
umoci init --layout "$out/oci"
umoci new --image "$out/oci:base"
umoci raw add-layer --image "$out/oci:base" "$work/base.tar" --history.created_by "debootstrap --variant=minbase bookworm"
rm -f "$work/base.tar"

PATH_ENV=PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
# image TAG PACKAGE PORT CMD...: the base layer + one layer with the package installed by apt.
image() {
  local tag=$1 package=$2 port=$3; shift 3
  umoci tag --image "$out/oci:base" "$tag"
  umoci unpack --image "$out/oci:$tag" "$bundle" > /dev/null
  cp /etc/resolv.conf "$bundle/rootfs/etc/resolv.conf"
  mount -t proc proc "$bundle/rootfs/proc"
  mount --bind /dev "$bundle/rootfs/dev"
  local apt=(chroot "$bundle/rootfs" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive)
  { "${apt[@]}" apt-get update -qq && "${apt[@]}" apt-get install -y -qq --no-install-recommends "$package"; } \
    >> "$out/apt.log" 2>&1 || { umount "$bundle/rootfs/dev" "$bundle/rootfs/proc"; tail -n 30 "$out/apt.log" >&2; exit 1; }
  umount "$bundle/rootfs/dev" "$bundle/rootfs/proc"
  rm -rf "$bundle"/rootfs/var/lib/apt/lists/* "$bundle"/rootfs/var/cache/apt/*.bin \
    "$bundle"/rootfs/var/cache/apt/archives/*.deb
  : > "$bundle/rootfs/etc/resolv.conf"
  umoci repack --image "$out/oci:$tag" --history.created_by "apt-get install $package" "$bundle" > /dev/null
  rm -rf "$bundle"
  local args=()
  for a in "$@"; do args+=(--config.cmd "$a"); done
  umoci config --image "$out/oci:$tag" --architecture amd64 --os linux --config.user '' \
    --config.env "$PATH_ENV" --config.exposedports "$port/tcp" --config.workingdir / "${args[@]}" \
    --history.created_by "CMD $*"
}
image nginx nginx 80 nginx -g 'daemon off;'
image apache2 apache2 80 apache2ctl -D FOREGROUND
image lighttpd lighttpd 80 lighttpd -D -f /etc/lighttpd/lighttpd.conf
image redis redis-server 6379 redis-server /etc/redis/redis.conf --daemonize no
umoci gc --layout "$out/oci"
touch "$out/done"
echo "$out/oci"
