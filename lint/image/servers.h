// What the servers installed in an image need at runtime, read from their configs captured in the
// image (nginx, Apache httpd incl. Debian's envvars, lighttpd, redis): the paths they write (pid
// files, logs, temp/cache/state dirs), the configs they must read, and the users they are
// configured to switch to when started as root. OKD302 (image check) and the rewrite plan both use
// this, so what lint reports and what rewrite fixes are the same list.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lint/image/image.h"

namespace okd {

struct ServerPath {
  enum class Need {
    WritableDir,   // the server creates files in it (created by the rewrite when missing)
    WritableFile,  // the server writes this file, in a directory shared with others (/run, /var/log)
    ReadableFile,  // the server reads this config
  };
  std::string path;  // absolute, normalised, as configured (may go through symlinks)
  Need need = Need::WritableDir;
  std::string why;   // "nginx: pid /run/nginx.pid"
};

struct ServerNeeds {
  std::vector<ServerPath> paths;
  // Users the servers switch to when started as root (`user www-data;`, APACHE_RUN_USER,
  // server.username, `User apache`) and package system users (uid 1-999 whose HOME is a directory
  // they own, like redis's /var/lib/redis): files they own are the application's.
  std::map<std::string, std::string> service_users;  // name → why
};

ServerNeeds server_needs(const LoadedImage& image);

// Debian's apache2 layout: the modules /etc/apache2/mods-enabled loads ("ssl_module"), or nullopt
// when the image has no such directory (every module is then assumed loaded).
std::optional<std::vector<std::string>> apache_enabled_modules(const FilesystemView& fs);
// Whether a server config file is read by its server: Debian's *-available files count only
// through a *-enabled symlink.
bool server_config_in_use(const FilesystemView& fs, std::string_view abs_path);

// The values of `export NAME=value` lines of a shell fragment such as /etc/apache2/envvars, with
// ${NAME} / $NAME of earlier lines expanded (unknown names expand to "").
std::map<std::string, std::string> parse_envvars(std::string_view text);

}  // namespace okd
