#include "lint/image/servers.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "lint/text.h"

namespace okd {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }
bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view unquote(std::string_view s) {
  s = ascii_trim(s);
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) s = s.substr(1, s.size() - 2);
  return s;
}

// Every line of text with its comment ('#' starting a word) cut off and blanks trimmed.
template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    for (size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line = line.substr(0, i);
        break;
      }
    }
    line = ascii_trim(line);
    if (!line.empty()) fn(line);
    pos = end + 1;
  }
}

// Directories that many programs share: a file the server writes there is made writable on its
// own (a pid file in /run), instead of opening the whole directory to group 0.
bool shared_directory(std::string_view dir) {
  static const std::set<std::string_view> kShared = {
      "/",        "/run",      "/tmp",      "/var",       "/var/run", "/var/tmp", "/var/log", "/var/lib",
      "/var/cache", "/var/lock", "/run/lock", "/var/spool", "/etc",     "/usr",     "/opt",     "/srv",
      "/home"};
  return kShared.count(dir) > 0;
}

std::string parent_of(std::string_view path) {
  size_t slash = path.rfind('/');
  if (slash == 0 || slash == std::string_view::npos) return "/";
  return std::string(path.substr(0, slash));
}

class Collector {
 public:
  Collector(const LoadedImage& image, ServerNeeds& out) : image_(image), fs_(*image.fs), out_(out) {}

  void dir(std::string_view raw, const std::string& why) { add(raw, ServerPath::Need::WritableDir, why); }

  // A file the server writes: the file itself in a shared directory, else its directory.
  void file(std::string_view raw, const std::string& why) {
    std::optional<std::string> path = absolute(raw);
    if (!path) return;
    std::string parent = parent_of(*path);
    std::optional<std::string> real_parent = fs_.resolve(parent);
    if (shared_directory(parent) || (real_parent && shared_directory(*real_parent))) {
      add(*path, ServerPath::Need::WritableFile, why);
    } else {
      add(parent, ServerPath::Need::WritableDir, why);
    }
  }

  void readable(std::string_view path, const std::string& why) { add(path, ServerPath::Need::ReadableFile, why); }

  void user(std::string_view name, const std::string& why) {
    name = unquote(name);
    if (name.empty() || name == "root" || name == "0" || name.find('$') != std::string_view::npos) return;
    out_.service_users.emplace(std::string(name), why);
  }

 private:
  std::optional<std::string> absolute(std::string_view raw) {
    raw = unquote(raw);
    if (raw.empty() || raw.front() != '/' || raw.find('$') != std::string_view::npos) return std::nullopt;
    std::optional<std::string> path = normalize_image_path(raw);
    if (!path || *path == "/" || starts_with(*path, "/dev/") || starts_with(*path, "/proc/")) return std::nullopt;
    // A log that is a symlink to /dev/stdout (official nginx and httpd images) needs nothing.
    if (std::optional<std::string> real = fs_.resolve(*path); real && (starts_with(*real, "/dev/") || starts_with(*real, "/proc/"))) {
      return std::nullopt;
    }
    return path;
  }

  void add(std::string_view raw, ServerPath::Need need, const std::string& why) {
    std::optional<std::string> path = absolute(raw);
    if (!path) return;
    if (!seen_.insert({*path, static_cast<int>(need)}).second) return;
    out_.paths.push_back({*path, need, why});
  }

  const LoadedImage& image_;
  const FilesystemView& fs_;
  ServerNeeds& out_;
  std::set<std::pair<std::string, int>> seen_;
};

// Captured config files below a directory that their server reads.
std::vector<std::string> configs_under(const FilesystemView& fs, std::string_view dir) {
  std::vector<std::string> out;
  fs.for_each_under(dir, [&](std::string_view path, const FileEntry& e) {
    if (e.type == FileType::Regular && is_captured_path(path) && server_config_in_use(fs, path)) out.emplace_back(path);
  });
  return out;
}

void collect_nginx(const LoadedImage& image, Collector& c) {
  const FilesystemView& fs = *image.fs;
  if (!fs.find("/etc/nginx/nginx.conf")) return;
  // Compiled-in defaults of Debian's and the official images' builds: the error log is opened
  // before the config is read, temp files go below /var/lib/nginx or /var/cache/nginx.
  if (fs.find("/var/log/nginx")) c.file("/var/log/nginx/error.log", "nginx: default error_log");
  if (fs.find("/var/lib/nginx")) c.dir("/var/lib/nginx", "nginx: default temp paths");
  if (fs.find("/var/cache/nginx")) c.dir("/var/cache/nginx", "nginx: default temp paths");
  for (const std::string& path : configs_under(fs, "/etc/nginx")) {
    c.readable(path, "nginx config");
    std::optional<std::string_view> text = fs.content(path);
    if (!text) continue;
    for_each_line(*text, [&](std::string_view line) {
      size_t start = 0;
      while (start < line.size()) {
        size_t stop = line.find_first_of(";{}", start);
        if (stop == std::string_view::npos) stop = line.size();
        std::vector<std::string_view> w = ascii_words(line.substr(start, stop - start));
        start = stop + 1;
        if (w.size() < 2) continue;
        std::string why = "nginx: " + std::string(w[0]) + " " + std::string(w[1]);
        if (w[0] == "user") {
          c.user(w[1], "nginx: user " + std::string(w[1]));
        } else if (w[0] == "pid" || w[0] == "error_log" || w[0] == "access_log") {
          c.file(w[1], why);
        } else if (ends_with(w[0], "_temp_path") || w[0] == "proxy_cache_path" || w[0] == "fastcgi_cache_path") {
          c.dir(w[1], why);
        }
      }
    });
  }
}

// Apache httpd: Debian's apache2 (envvars + apache2.conf) and the RHEL / official layouts.
void collect_httpd(const LoadedImage& image, Collector& c) {
  const FilesystemView& fs = *image.fs;
  std::string root;
  for (std::string_view candidate : {"/etc/apache2", "/etc/httpd", "/usr/local/apache2"}) {
    if (fs.find(std::string(candidate) + (candidate == "/etc/apache2" ? "/apache2.conf" : "/conf/httpd.conf"))) {
      root = candidate;
      break;
    }
  }
  if (root.empty()) return;
  std::map<std::string, std::string> vars;
  if (std::optional<std::string_view> envvars = fs.content(root + "/envvars")) {
    vars = parse_envvars(*envvars);
    for (const char* name : {"APACHE_RUN_DIR", "APACHE_LOCK_DIR", "APACHE_LOG_DIR"}) {
      if (auto it = vars.find(name); it != vars.end()) c.dir(it->second, "apache2: envvars " + std::string(name));
    }
    if (auto it = vars.find("APACHE_PID_FILE"); it != vars.end()) c.file(it->second, "apache2: envvars APACHE_PID_FILE");
    // Debian's apache2ctl makes APACHE_RUN_DIR/socks (mod_cgid) and chowns it to APACHE_RUN_USER
    // unless it exists: as a non-root uid the chown fails and apache2ctl exits.
    if (auto it = vars.find("APACHE_RUN_DIR"); it != vars.end() && fs.find("/usr/sbin/apache2ctl")) {
      c.dir(it->second + "/socks", "apache2ctl: creates and chowns APACHE_RUN_DIR/socks");
    }
    if (auto it = vars.find("APACHE_RUN_USER"); it != vars.end()) c.user(it->second, "apache2: envvars APACHE_RUN_USER");
  }
  auto expand = [&](std::string_view value) {
    std::string out;
    size_t i = 0;
    while (i < value.size()) {
      if (value.compare(i, 2, "${") == 0) {
        size_t close = value.find('}', i);
        if (close == std::string_view::npos) return std::string("$");
        auto it = vars.find(std::string(value.substr(i + 2, close - i - 2)));
        if (it == vars.end()) return std::string("$");  // unknown: the path is not judged
        out += it->second;
        i = close + 1;
      } else {
        out += value[i++];
      }
    }
    return out;
  };
  auto path_of = [&](std::string_view value) {
    std::string expanded = expand(unquote(value));
    if (!expanded.empty() && expanded.front() != '/' && expanded.front() != '$' && expanded.front() != '|') {
      expanded = root + "/" + expanded;
    }
    return expanded;
  };
  for (const std::string& path : configs_under(fs, root)) {
    c.readable(path, "httpd config");
    std::optional<std::string_view> text = fs.content(path);
    if (!text) continue;
    for_each_line(*text, [&](std::string_view line) {
      std::vector<std::string_view> w = ascii_words(line);
      if (w.size() < 2) return;
      std::string why = "httpd: " + std::string(w[0]) + " " + std::string(w[1]);
      if (ascii_iequals(w[0], "User")) {
        c.user(expand(w[1]), why);
      } else if (ascii_iequals(w[0], "PidFile") || ascii_iequals(w[0], "ErrorLog") || ascii_iequals(w[0], "CustomLog") ||
                 ascii_iequals(w[0], "TransferLog")) {
        c.file(path_of(w[1]), why);
      } else if (ascii_iequals(w[0], "DefaultRuntimeDir")) {
        c.dir(path_of(w[1]), why);
      } else if (ascii_iequals(w[0], "Mutex") && starts_with(w[1], "file:")) {
        c.dir(path_of(w[1].substr(5)), why);
      }
    });
  }
}

// lighttpd: `key = "value"`, `key = ( "a", "b" )`, `var.name = "…"` and `name + "…"`.
void collect_lighttpd(const LoadedImage& image, Collector& c) {
  const FilesystemView& fs = *image.fs;
  if (!fs.find("/etc/lighttpd/lighttpd.conf")) return;
  std::map<std::string, std::string> vars;
  auto value_of = [&](std::string_view expr) {
    std::string out;
    for (std::string_view part : ascii_words(expr)) {
      if (part == "+") continue;
      if (!part.empty() && part.front() == '"') {
        out += unquote(part);
      } else {
        std::string name(part);
        if (starts_with(name, "var.")) name = name.substr(4);
        auto it = vars.find(name);
        if (it == vars.end()) return std::string("$");
        out += it->second;
      }
    }
    return out;
  };
  std::vector<std::string> files = configs_under(fs, "/etc/lighttpd");
  // lighttpd.conf first: it defines the variables the included files use.
  std::stable_partition(files.begin(), files.end(), [](const std::string& p) { return p == "/etc/lighttpd/lighttpd.conf"; });
  for (const std::string& path : files) {
    c.readable(path, "lighttpd config");
    std::optional<std::string_view> text = fs.content(path);
    if (!text) continue;
    for_each_line(*text, [&](std::string_view line) {
      size_t eq = line.find('=');
      if (eq == std::string_view::npos || eq == 0) return;
      std::string_view key = ascii_trim(line.substr(0, eq));
      if (!key.empty() && (key.back() == '+' || key.back() == ':')) key = ascii_trim(key.substr(0, key.size() - 1));
      std::string_view value = ascii_trim(line.substr(eq + 1));
      if (starts_with(key, "var.")) {
        vars[std::string(key.substr(4))] = value_of(value);
        return;
      }
      std::string why = "lighttpd: " + std::string(key);
      if (key == "server.username") {
        c.user(value_of(value), why);
      } else if (key == "server.pid-file" || key == "server.errorlog" || key == "accesslog.filename" ||
                 key == "server.breakagelog") {
        c.file(value_of(value), why);
      } else if (key == "server.upload-dirs" || ends_with(key, ".cache-dir")) {
        std::string_view list = value;
        if (!list.empty() && list.front() == '(') list = list.substr(1);
        if (!list.empty() && list.back() == ')') list.remove_suffix(1);
        size_t start = 0;
        while (start <= list.size()) {
          size_t comma = list.find(',', start);
          if (comma == std::string_view::npos) comma = list.size();
          std::string item = value_of(list.substr(start, comma - start));
          if (!item.empty()) c.dir(item, why);
          start = comma + 1;
        }
      }
    });
  }
}

void collect_redis(const LoadedImage& image, Collector& c) {
  const FilesystemView& fs = *image.fs;
  for (const std::string& path : configs_under(fs, "/etc/redis")) {
    c.readable(path, "redis config");
    std::optional<std::string_view> text = fs.content(path);
    if (!text) continue;
    for_each_line(*text, [&](std::string_view line) {
      std::vector<std::string_view> w = ascii_words(line);
      if (w.size() < 2) return;
      std::string why = "redis: " + std::string(w[0]) + " " + std::string(w[1]);
      if (w[0] == "dir") {
        c.dir(w[1], why);
      } else if (w[0] == "pidfile" || w[0] == "logfile" || w[0] == "unixsocket") {
        c.file(w[1], why);
      }
    });
  }
}

}  // namespace

std::map<std::string, std::string> parse_envvars(std::string_view text) {
  std::map<std::string, std::string> vars;
  for_each_line(text, [&](std::string_view line) {
    if (!starts_with(line, "export ")) return;
    line = ascii_trim(line.substr(7));
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return;
    std::string name(line.substr(0, eq));
    std::string_view raw = unquote(line.substr(eq + 1));
    std::string value;
    size_t i = 0;
    while (i < raw.size()) {
      if (raw[i] != '$') {
        value += raw[i++];
        continue;
      }
      size_t begin = i + 1, end;
      if (begin < raw.size() && raw[begin] == '{') {
        end = raw.find('}', begin);
        if (end == std::string_view::npos) end = raw.size();
        auto it = vars.find(std::string(raw.substr(begin + 1, end - begin - 1)));
        if (it != vars.end()) value += it->second;
        i = end + 1;
      } else {
        end = begin;
        while (end < raw.size() && (std::isalnum(static_cast<unsigned char>(raw[end])) || raw[end] == '_')) ++end;
        auto it = vars.find(std::string(raw.substr(begin, end - begin)));
        if (it != vars.end()) value += it->second;
        i = end;
      }
    }
    vars[name] = value;
  });
  return vars;
}

std::optional<std::vector<std::string>> apache_enabled_modules(const FilesystemView& fs) {
  const FileEntry* dir = fs.find("/etc/apache2/mods-enabled");
  if (!dir || dir->type != FileType::Directory) return std::nullopt;
  std::vector<std::string> out;
  fs.for_each_under("/etc/apache2/mods-enabled", [&](std::string_view path, const FileEntry&) {
    std::string_view name = path.substr(path.rfind('/') + 1);
    if (!ends_with(name, ".load")) return;
    name.remove_suffix(5);
    out.push_back(std::string(name) + "_module");
    out.push_back("mod_" + std::string(name) + ".c");
  });
  return out;
}

bool server_config_in_use(const FilesystemView& fs, std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kLinked[] = {
      {"/etc/apache2/mods-available/", "/etc/apache2/mods-enabled"},
      {"/etc/apache2/conf-available/", "/etc/apache2/conf-enabled"},
      {"/etc/apache2/sites-available/", "/etc/apache2/sites-enabled"},
      {"/etc/nginx/sites-available/", "/etc/nginx/sites-enabled"},
      {"/etc/nginx/modules-available/", "/etc/nginx/modules-enabled"},
      {"/etc/lighttpd/conf-available/", "/etc/lighttpd/conf-enabled"},
  };
  for (const auto& [available, enabled] : kLinked) {
    if (!starts_with(path, available)) continue;
    const FileEntry* dir = fs.find(enabled);
    if (!dir || dir->type != FileType::Directory) return true;  // not Debian's layout: assume read
    bool linked = false;
    fs.for_each_under(enabled, [&](std::string_view child, const FileEntry&) {
      if (!linked && fs.resolve(child) == std::optional<std::string>(std::string(path))) linked = true;
    });
    return linked;
  }
  return true;
}

ServerNeeds server_needs(const LoadedImage& image) {
  ServerNeeds out;
  if (!image.fs) return out;
  Collector collector(image, out);
  collect_nginx(image, collector);
  collect_httpd(image, collector);
  collect_lighttpd(image, collector);
  collect_redis(image, collector);
  // Package system users: a uid 1-999 whose HOME is a directory it owns (redis's /var/lib/redis).
  for (const PasswdEntry& entry : image.passwd) {
    if (entry.uid == 0 || entry.uid >= 1000 || entry.home.empty() || entry.home == "/") continue;
    std::optional<std::string> home = normalize_image_path(entry.home);
    std::optional<std::string> real = home ? image.fs->resolve(*home) : std::nullopt;
    const FileEntry* e = real ? image.fs->find(*real) : nullptr;
    if (e && e->type == FileType::Directory && e->uid == entry.uid) {
      out.service_users.emplace(entry.name, "system user owning its HOME " + entry.home);
    }
  }
  return out;
}

}  // namespace okd
