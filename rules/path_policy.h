// Which directories a fix may hand to group 0 and make group-writable. Every process of an OKD pod
// runs in group 0, so a group-writable system tree or binary lets the application replace it:
// only directories the application writes at run time are candidates, never a system tree.
#pragma once

#include <string_view>

namespace okd {

// A system tree or a path inside one that an application must not be able to write: "/", /usr and
// everything below it, /bin, /sbin, /lib*, /boot, /etc and below, /root, /proc, /sys, /dev, and the
// top-level roots that hold other trees (/opt, /var, /var/lib, /home, /run, /mnt, /media).
bool is_system_tree(std::string_view path);

// Directories of entrypoint scripts and configuration that root owns and the application only
// reads: /docker-entrypoint.d, /docker-entrypoint-initdb.d, *.d under /etc..., and directories of
// programs and code named bin, sbin, lib, lib64, libexec or plugins (Nagios' libexec holds the
// check_* plugins it runs).
bool is_read_only_dir(std::string_view path);

// Text a shell would expand or that names no single path: globs (*?[) and braces ({a,b}).
bool has_pattern(std::string_view path);

// A name the application typically writes at run time: data, cache, log(s), run, tmp, uploads,
// sessions, spool, state, storage, work, home, .cache ... in any component.
bool looks_runtime_writable(std::string_view path);

// A directory a fix may chgrp 0 and chmod g=u: absolute, no pattern, not a system tree, not a
// read-only dir.
bool fixable_app_dir(std::string_view path);

}  // namespace okd
