#include "rules/path_policy.h"

#include <array>


namespace okd {
namespace {

bool within(std::string_view path, std::string_view tree) {
  if (tree == "/") return true;
  return path == tree || (path.starts_with(tree) && path.size() > tree.size() && path[tree.size()] == '/');
}

}  // namespace

bool is_system_tree(std::string_view path) {
  static constexpr std::array<std::string_view, 12> kTrees = {"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64",
                                                              "/libx32", "/boot", "/etc", "/root", "/proc", "/sys"};
  static constexpr std::array<std::string_view, 12> kRoots = {"/",    "/opt", "/var", "/var/lib", "/home", "/usr",
                                                              "/run", "/mnt", "/media", "/dev", "/var/cache", "/var/log"};
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  for (std::string_view t : kTrees) {
    if (within(path, t)) return true;
  }
  for (std::string_view r : kRoots) {
    if (path == r) return true;
  }
  return within(path, "/dev");
}

bool is_read_only_dir(std::string_view path) {
  std::string_view name = path.substr(path.rfind('/') + 1);
  return name.find("entrypoint") != std::string_view::npos || name.ends_with("-init.d") ||
         name.ends_with("initdb.d") || name == "bin" || name == "sbin" || name == "licenses" || name == "libexec" ||
         name == "plugins" || name == "lib" || name == "lib64";
}

bool has_pattern(std::string_view path) { return path.find_first_of("*?[{}") != std::string_view::npos; }

bool looks_runtime_writable(std::string_view path) {
  static constexpr std::array<std::string_view, 24> kWords = {
      "data",    "cache",  "log",    "logs",    "run",     "tmp",   "temp",    "upload", "uploads",
      "session", "sessions", "spool", "state",  "storage", "work",  "home",    "var",    ".cache",
      "files",   "media",  "db",     "pid",     "runtime", "output"};
  size_t pos = 0;
  while (pos < path.size()) {
    size_t next = path.find('/', pos);
    std::string_view comp = path.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos);
    for (std::string_view w : kWords) {
      if (comp == w || (comp.size() > w.size() && (comp.starts_with(w) || comp.ends_with(w)) &&
                        w.size() >= 4)) {
        return true;
      }
    }
    if (next == std::string_view::npos) break;
    pos = next + 1;
  }
  return false;
}

bool fixable_app_dir(std::string_view path) {
  return !path.empty() && path.front() == '/' && !has_pattern(path) && !is_system_tree(path) &&
         !is_read_only_dir(path);
}

}  // namespace okd
