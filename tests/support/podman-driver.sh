#!/bin/bash
# Prints the storage driver the podman tests should use: overlay where the kernel mounts it for
# podman here (no copy of the whole root per build step: several times faster), else vfs (works
# everywhere, copies every layer). Decided by a real build in a throw-away store.
#   podman-driver.sh   → "overlay" or "vfs"
set -uo pipefail
[ -n "${OKDLINT_PODMAN_DRIVER:-}" ] && { echo "$OKDLINT_PODMAN_DRIVER"; exit 0; }
probe=$(mktemp -d /tmp/okdlint-driver.XXXXXX)
P=(podman --root "$probe/root" --runroot "$probe/run" --storage-driver overlay --cgroup-manager cgroupfs --events-backend file)
driver=vfs
mkdir -p "$probe/rootfs/bin"
if cp "$(command -v busybox)" "$probe/rootfs/bin/busybox" 2>/dev/null && ln -s busybox "$probe/rootfs/bin/sh" &&
   tar -C "$probe/rootfs" -cf - . | "${P[@]}" import -q - localhost/okdlint-driver-probe >/dev/null 2>&1 &&
   printf 'FROM localhost/okdlint-driver-probe\nRUN echo ok > /probe\n' > "$probe/Containerfile" &&
   "${P[@]}" build --pull=never --isolation=chroot -q -t localhost/okdlint-driver-probe:built "$probe" >/dev/null 2>&1; then
  driver=overlay
fi
"${P[@]}" system reset -f >/dev/null 2>&1
umount -R "$probe/root" 2>/dev/null
rm -rf --one-file-system "$probe" 2>/dev/null
echo "$driver"
