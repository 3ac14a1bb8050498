#!/usr/bin/env python3
"""Start an unpacked image the way OKD's restricted-v2 SCC runs it, also for images without a shell
or setpriv (scratch, distroless, busybox): a uid outside /etc/passwd (default 1000770000), gid 0, no
supplementary groups, every capability dropped (bounding, permitted, effective, inheritable,
ambient), no_new_privs, HOME=/, the image's Env/WorkingDir/Entrypoint+Cmd; a missing WorkingDir or VOLUME path is created
as root 0755, as runc and CRI-O do. The process gets its own
network namespace (only lo, so parallel tests never collide on ports and ports < 1024 stay
privileged) and mount namespace (/proc, a minimal /dev), so nothing is left mounted when it exits.
The container's files are ROOTFS itself (a copy the caller owns), not an overlay.
  okd-run.py ROOTFS CONFIG.json LOG [UID]
CONFIG.json is `podman image inspect`'s output (an array; .[0].Config is used). stdout/stderr go
to LOG. Exec's the process in place: the caller's pid is the container's pid (probe its network
with `nsenter --net=/proc/PID/ns/net`)."""
import ctypes, errno, fcntl, json, os, socket, struct, sys
# os.execvpe imports `warnings` when it searches PATH, which happens after the chroot, where the
# image has no Python library (busybox, scratch): import it while the host's library is visible.
import warnings  # noqa: F401

libc = ctypes.CDLL(None, use_errno=True)
CLONE_NEWNS, CLONE_NEWNET = 0x00020000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 4096, 16384, 1 << 18
PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS, PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL = 24, 38, 47, 4


def check(ret, what):
    if ret != 0:
        e = ctypes.get_errno()
        sys.exit(f"okd-run.py: {what}: {os.strerror(e)}")


def mount(src, dst, fstype, flags, data=None):
    check(libc.mount(src and src.encode(), dst.encode(), fstype and fstype.encode(), flags,
                     data and data.encode()), f"mount {dst}")


def lo_up():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    ifr = struct.pack("16sH14x", b"lo", 0)
    flags = struct.unpack("16sH14x", fcntl.ioctl(s, 0x8913, ifr))[1]  # SIOCGIFFLAGS
    fcntl.ioctl(s, 0x8914, struct.pack("16sH14x", b"lo", flags | 1))  # SIOCSIFFLAGS, IFF_UP
    s.close()


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    root, config_path, log = sys.argv[1], sys.argv[2], sys.argv[3]
    uid = int(sys.argv[4]) if len(sys.argv) > 4 else 1000770000
    with open(config_path) as f:
        cfg = json.load(f)[0]["Config"]
    args = (cfg.get("Entrypoint") or []) + (cfg.get("Cmd") or [])
    if not args:
        sys.exit("okd-run.py: the image has neither Entrypoint nor Cmd")
    env = dict(e.split("=", 1) for e in (cfg.get("Env") or []) if "=" in e)
    env.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    env["HOME"] = "/"
    cwd = cfg.get("WorkingDir") or "/"

    try:
        os.setsid()  # its own process group, so that the caller can stop it and its children
    except OSError:
        pass  # already a process group leader (started by a shell with job control)
    check(libc.unshare(CLONE_NEWNS | CLONE_NEWNET), "unshare")
    lo_up()
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    for d in ("proc", "dev"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    mount("proc", f"{root}/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("tmpfs", f"{root}/dev", "tmpfs", MS_NOSUID, "mode=755")
    for node in ("null", "zero", "full", "random", "urandom", "tty"):
        open(f"{root}/dev/{node}", "w").close()
        mount(f"/dev/{node}", f"{root}/dev/{node}", None, MS_BIND)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0"),
                         ("stdout", "/proc/self/fd/1"), ("stderr", "/proc/self/fd/2")):
        os.symlink(target, f"{root}/dev/{name}")
    os.mkdir(f"{root}/dev/shm")
    mount("tmpfs", f"{root}/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")

    # The log is the container's stdout and stderr; 0666 so that the process can reopen
    # /dev/stdout (nginx's access.log symlink) as the unprivileged uid, as it can a CRI pipe.
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666)
    os.fchmod(fd, 0o666)
    devnull = os.open("/dev/null", os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(fd, 1)
    os.dup2(fd, 2)

    # As the runtime does: runc creates a missing working directory, CRI-O (image_volumes = mkdir,
    # its default) each VOLUME path; both as root, mode 0755, before the process starts.
    for path in [cwd] + sorted(cfg.get("Volumes") or {}):
        target = os.path.join(root, path.lstrip("/"))
        if not os.path.lexists(target):
            os.makedirs(target, 0o755)
    os.chroot(root)
    check(libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    for cap in range(64):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 and ctypes.get_errno() != errno.EINVAL:
            check(1, f"drop capability {cap}")
    check(libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "clear ambient caps")
    os.setgroups([])
    os.setgid(0)
    os.setuid(uid)  # from uid 0 to non-zero: permitted and effective capabilities are cleared
    header = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3
    data = (ctypes.c_uint32 * 6)()                # all zero: no inheritable capabilities either
    check(libc.capset(header, data), "capset")
    try:
        os.chdir(cwd)
    except OSError as e:  # a runtime refuses to start a container whose workdir it cannot enter
        sys.exit(f"okd-run.py: chdir to {cwd}: {e.strerror}")
    try:
        os.execvpe(args[0], args, env)
    except OSError as e:
        sys.exit(f"okd-run.py: exec {args[0]}: {e.strerror}")


main()
