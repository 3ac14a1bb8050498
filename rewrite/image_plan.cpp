#include "rewrite/image_plan.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>

#include "lint/image/servers.h"
#include "rules/image_support.h"

namespace okd {

namespace {

std::optional<uint32_t> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint32_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

bool all_digits(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

// The port part of a listen address: "80", "1.2.3.4:80", "[::]:80", "*:80". Returns the offset
// and length of the digits inside the address, or nullopt when it names no port.
std::optional<std::pair<size_t, size_t>> port_in_address(std::string_view address) {
  if (all_digits(address)) return std::pair<size_t, size_t>{0, address.size()};
  size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  size_t bracket = address.rfind(']');
  if (bracket != std::string_view::npos && bracket > colon) return std::nullopt;  // "[::1]" alone
  if (address.find('[') != std::string_view::npos && bracket == std::string_view::npos) return std::nullopt;
  std::string_view digits = address.substr(colon + 1);
  if (!all_digits(digits)) return std::nullopt;
  return std::pair<size_t, size_t>{colon + 1, digits.size()};
}

// Rewrites the port of the address at [begin, end) in line when it moves; returns the new line.
std::string remap_address(std::string_view line, size_t begin, size_t end, bool implicit_80,
                          const std::vector<PortMapping>& port_map) {
  std::string_view address = line.substr(begin, end - begin);
  std::string out(line.substr(0, begin));
  if (auto port = port_in_address(address)) {
    auto number = parse_number(address.substr(port->first, port->second));
    uint32_t moved = number ? remap_port(*number, port_map) : 0;
    if (!number || moved == *number) return std::string(line);
    out.append(address.substr(0, port->first)).append(std::to_string(moved));
    out.append(address.substr(port->first + port->second));
  } else if (implicit_80 && !address.empty() && !starts_with(address, "unix:")) {
    uint32_t moved = remap_port(80, port_map);
    if (moved == 80) return std::string(line);
    out.append(address).append(":").append(std::to_string(moved));
  } else {
    return std::string(line);
  }
  out.append(line.substr(end));
  return out;
}

size_t skip_space(std::string_view s, size_t i) {
  while (i < s.size() && is_space(s[i])) ++i;
  return i;
}

// nginx: every `listen ADDRESS` statement on the line (statements may share a line).
std::string patch_nginx_line(std::string_view line, const std::vector<PortMapping>& port_map) {
  std::string current(line);
  size_t search = 0;
  while (true) {
    std::string_view view(current);
    size_t comment = view.find('#');
    size_t at = view.find("listen", search);
    if (at == std::string_view::npos || (comment != std::string_view::npos && at > comment)) return current;
    bool left_ok = at == 0 || is_space(view[at - 1]) || view[at - 1] == '{' || view[at - 1] == ';';
    size_t after = at + 6;
    if (!left_ok || after >= view.size() || !is_space(view[after])) {
      search = at + 1;
      continue;
    }
    size_t begin = skip_space(view, after);
    size_t end = begin;
    while (end < view.size() && !is_space(view[end]) && view[end] != ';') ++end;
    current = remap_address(view, begin, end, true, port_map);
    search = begin;
  }
}

// httpd: `Listen ADDRESS [protocol]` and `<VirtualHost ADDRESS...>`, one directive per line.
std::string patch_httpd_line(std::string_view line, const std::vector<PortMapping>& port_map) {
  size_t start = skip_space(line, 0);
  size_t word_end = start;
  while (word_end < line.size() && !is_space(line[word_end]) && line[word_end] != '>') ++word_end;
  std::string_view word = line.substr(start, word_end - start);
  if (iequals(word, "Listen")) {
    size_t begin = skip_space(line, word_end);
    size_t end = begin;
    while (end < line.size() && !is_space(line[end])) ++end;
    return remap_address(line, begin, end, false, port_map);
  }
  if (iequals(word, "<VirtualHost")) {
    std::string current(line);
    size_t i = word_end;
    while (true) {
      std::string_view view(current);
      size_t begin = skip_space(view, i);
      if (begin >= view.size() || view[begin] == '>') return current;
      size_t end = begin;
      while (end < view.size() && !is_space(view[end]) && view[end] != '>') ++end;
      std::string next = remap_address(view, begin, end, false, port_map);
      i = end + (next.size() - current.size());
      current = std::move(next);
    }
  }
  return std::string(line);
}

// lighttpd: `server.port = 80`.
std::string patch_lighttpd_line(std::string_view line, const std::vector<PortMapping>& port_map) {
  size_t start = skip_space(line, 0);
  if (line.compare(start, 11, "server.port") != 0) return std::string(line);
  size_t eq = skip_space(line, start + 11);
  if (eq >= line.size() || line[eq] != '=') return std::string(line);
  size_t begin = skip_space(line, eq + 1);
  size_t end = begin;
  while (end < line.size() && line[end] >= '0' && line[end] <= '9') ++end;
  if (end == begin) return std::string(line);
  return remap_address(line, begin, end, false, port_map);
}

std::string trimmed(std::string_view s) {
  size_t b = skip_space(s, 0);
  size_t e = s.size();
  while (e > b && is_space(s[e - 1])) --e;
  return std::string(s.substr(b, e - b));
}

uint32_t user_bits(uint32_t mode) { return (mode >> 6) & 7; }
uint32_t group_bits(uint32_t mode) { return (mode >> 3) & 7; }
// The group bits "g=u" gives a file or directory, except that programs (owner-executable regular
// files) never become group-writable: every process of an OKD pod runs in group 0, so the
// application could replace them.
uint32_t group_like_owner(uint32_t mode, bool regular) {
  uint32_t group = user_bits(mode);
  if (regular && (group & 01u)) group &= ~02u;
  return group;
}
bool lacks_group_like_owner(const FileEntry& e) {
  uint32_t want = group_like_owner(e.mode, e.type != FileType::Directory);
  return e.gid != 0 || (group_bits(e.mode) & want) != want;
}

class Planner {
 public:
  Planner(const LoadedImage& image, const ImageRewriteOptions& options)
      : image_(image), fs_(*image.fs), options_(options) {}

  ImagePlan run() {
    plan_user();
    plan_port_map();
    plan_ports();
    plan_owned_paths();
    plan_writable_locations();
    plan_server_needs();
    plan_privileges();
    plan_server_configs();
    for (auto& [path, entry] : planned_) plan_.entries.push_back(std::move(entry));
    return std::move(plan_);
  }

 private:
  void plan_user() {
    plan_.user_before = image_.config.user;
    std::string_view user = image_.config.user;
    std::string name(user.substr(0, user.find(':')));
    uint32_t uid = 0;
    if (options_.user) {
      if (*options_.user == 0) throw std::invalid_argument("--user 0 is root, which OKD never runs as");
      uid = *options_.user;
    } else if (!name.empty()) {
      if (auto found = image_.uid_of(name)) {
        uid = *found;
      } else {
        plan_.kept.push_back("user '" + name + "' is not in /etc/passwd: the rewritten image runs as 1001");
        uid = 1001;
      }
    }
    if (uid == 0) uid = 1001;
    plan_.runtime_uid = uid;
    plan_.user_after = std::to_string(uid) + ":0";
  }

  // The remaps the rewrite makes: --port-map always; the default ones only with --unsafe-fixes
  // (as `fix` treats them). A port stays where it is when a config okdlint reports a privileged
  // listen in would still listen on it after the patches (a config it cannot rewrite): remapping
  // ExposedPorts alone would point clients at a port nothing listens on.
  void plan_port_map() {
    port_map_.clear();
    if (!options_.unsafe_fixes) {
      std::set<uint32_t> explicit_ports;
      for (const PortMapping& m : options_.port_map) explicit_ports.insert(m.from);
      for (uint32_t port = 1; port < 1024; ++port) {
        if (!explicit_ports.count(port)) port_map_.push_back({port, port});
      }
    }
    port_map_.insert(port_map_.end(), options_.port_map.begin(), options_.port_map.end());
    for (int round = 0; round < 8; ++round) {
      patched_configs_.clear();
      fs_.for_each([&](std::string_view path, const FileEntry& e) {
        if (!is_regular(e) || !is_captured_path(path)) return;
        auto kind = server_config_kind(path);
        auto text = kind ? fs_.content(path) : std::nullopt;
        if (!text) return;
        std::vector<std::string> changes;
        std::string patched = patch_listen_ports(*text, *kind, port_map_, &changes);
        if (!changes.empty()) patched_configs_.emplace(std::string(path), std::move(patched));
      });
      bool more = false;
      for (const PrivilegedListen& l : image_privileged_listens(fs_, &patched_configs_)) {
        uint32_t moved = remap_port(l.port, port_map_);
        if (moved == l.port || blocked_.count(l.port)) continue;
        blocked_.insert(l.port);
        port_map_.push_back({l.port, l.port});
        plan_.kept.push_back("port " + std::to_string(l.port) + " not remapped: " + l.path + ":" +
                             std::to_string(l.line) + " listens on it and okdlint cannot rewrite that line");
        more = true;
      }
      if (!more) break;
    }
  }

  void plan_ports() {
    for (const std::string& key : image_.config.exposed_ports) {
      size_t slash = key.find('/');
      std::string_view number = std::string_view(key).substr(0, slash);
      std::string protocol = slash == std::string::npos ? "" : key.substr(slash);
      auto port = parse_number(number);
      std::string after = key;
      if (port) {
        uint32_t moved = remap_port(*port, port_map_);
        if (moved != *port) {
          after = std::to_string(moved) + protocol;
          plan_.port_changes.emplace_back(key, after);
        } else if (*port < 1024 && !blocked_.count(*port)) {
          plan_.kept.push_back("port " + key + " not remapped: a remap changes the port clients connect to; rerun "
                               "with --unsafe-fixes or --port-map " + std::to_string(*port) + ":" +
                               std::to_string(remap_port(*port, {})));
        }
      }
      plan_.exposed_ports.push_back(after);
    }
    std::sort(plan_.exposed_ports.begin(), plan_.exposed_ports.end());
    plan_.exposed_ports.erase(std::unique(plan_.exposed_ports.begin(), plan_.exposed_ports.end()),
                              plan_.exposed_ports.end());
  }

  PlannedEntry& touch(const std::string& path) {
    auto it = planned_.find(path);
    if (it != planned_.end()) return it->second;
    const FileEntry* e = fs_.find(path);
    PlannedEntry p;
    p.path = path;
    if (e) {
      p.type = e->type == FileType::Directory ? FileType::Directory : FileType::Regular;
      p.uid = e->uid;
      p.gid = p.old_gid = e->gid;
      p.mode = p.old_mode = e->mode;
      p.source_path = path;
      p.source_layer = e->layer;
      p.read_source = p.type != FileType::Directory || !e->xattr_names.empty();
    }
    return planned_.emplace(path, std::move(p)).first->second;
  }

  void add_reason(PlannedEntry& p, const std::string& reason) {
    if (std::find(p.reasons.begin(), p.reasons.end(), reason) == p.reasons.end()) p.reasons.push_back(reason);
  }

  // Applies a change to every path of a regular file's inode: the smallest path is written as the
  // file (content from the view's file), the others as hardlinks to it, all with the same metadata.
  template <class Change>
  void change_file(const std::string& path, const std::string& reason, Change&& change) {
    std::vector<std::string> group = fs_.hardlink_group(path);
    if (group.empty()) return;
    std::string source;
    for (const auto& member : group) {
      const FileEntry* e = fs_.find(member);
      if (e && e->type != FileType::Hardlink) source = member;
    }
    if (source.empty()) return;
    const FileEntry* source_entry = fs_.find(source);
    // Compute the new metadata once (from the first planned state), then stamp it on each member.
    PlannedEntry& first = touch(group.front());
    first.type = FileType::Regular;
    first.uid = source_entry->uid;
    first.old_gid = source_entry->gid;
    first.old_mode = source_entry->mode;
    if (first.reasons.empty()) {
      first.gid = source_entry->gid;
      first.mode = source_entry->mode;
    }
    change(first);
    add_reason(first, reason);
    first.source_path = source;
    first.source_layer = source_entry->layer;
    first.read_source = true;
    first.link_target.clear();
    PlannedEntry model = first;
    for (size_t i = 1; i < group.size(); ++i) {
      PlannedEntry& member = touch(group[i]);
      std::vector<std::string> reasons = std::move(member.reasons);
      member = model;
      member.path = group[i];
      member.type = FileType::Hardlink;
      member.link_target = group.front();
      member.reasons = std::move(reasons);
      add_reason(member, "hardlink of " + group.front());
    }
  }

  static bool is_regular(const FileEntry& e) { return e.type == FileType::Regular; }

  // Paths owned by the runtime uid, or by a user a server switches to when started as root
  // (www-data, redis), are the application's: group 0, g=u.
  void plan_owned_paths() {
    std::map<uint32_t, std::string> owners;
    owners[plan_.runtime_uid] = "owned by uid " + std::to_string(plan_.runtime_uid) + ": group 0, g=u";
    for (const auto& [name, why] : needs_.service_users) {
      std::optional<uint32_t> uid = image_.uid_of(name);
      if (uid && *uid != 0) owners.emplace(*uid, "owned by " + name + " (" + why + "): group 0, g=u");
    }
    std::vector<std::pair<std::string, std::string>> files;
    fs_.for_each([&](std::string_view path, const FileEntry& e) {
      auto owner = owners.find(e.uid);
      if (owner == owners.end() || path == "/etc/passwd") return;
      const std::string& reason = owner->second;
      if (!lacks_group_like_owner(e)) return;
      if (e.type == FileType::Directory) {
        PlannedEntry& p = touch(std::string(path));
        p.gid = 0;
        p.mode = (p.mode & ~070u) | (user_bits(p.mode) << 3);
        add_reason(p, reason);
      } else if (is_regular(e)) {
        files.emplace_back(path, reason);
      }
    });
    for (const auto& [path, reason] : files) {
      std::vector<std::string> group = fs_.hardlink_group(path);
      if (std::find(group.begin(), group.end(), "/etc/passwd") != group.end()) continue;
      change_file(path, reason, [](PlannedEntry& p) {
        p.gid = 0;
        p.mode = (p.mode & ~070u) | (group_like_owner(p.mode, true) << 3);
      });
    }
  }

  void plan_writable_locations() {
    std::vector<std::pair<std::string, std::string>> locations;  // path, why
    if (!image_.config.working_dir.empty()) locations.emplace_back(image_.config.working_dir, "working directory");
    for (const auto& volume : image_.config.volumes) locations.emplace_back(volume, "volume");
    if (const PasswdEntry* entry = image_.passwd_entry(plan_.runtime_uid); entry && !entry->home.empty()) {
      // A HOME the user does not own (www-data's /var/www) is not where it writes.
      auto home = normalize_image_path(entry->home);
      auto real = home ? fs_.resolve(*home) : std::nullopt;
      const FileEntry* e = real ? fs_.find(*real) : nullptr;
      if (!e || e->uid == plan_.runtime_uid) {
        locations.emplace_back(entry->home, "home of uid " + std::to_string(plan_.runtime_uid));
      }
    }
    for (const auto& [raw, why] : locations) {
      auto normalized = normalize_image_path(raw);
      if (!normalized || *normalized == "/") continue;
      auto resolved = fs_.resolve(*normalized);
      if (!resolved) {
        plan_.kept.push_back(raw + " (" + why + "): cannot be resolved in the image (symlink loop?)");
        continue;
      }
      const FileEntry* e = fs_.find(*resolved);
      const std::string reason = why + ": must be writable by gid 0";
      if (!e) {
        if (why.rfind("home", 0) == 0) {
          plan_.kept.push_back(raw + " (" + why + ") does not exist in the image");
          continue;
        }
        create_directory(*resolved, reason);
        continue;
      }
      if (e->type != FileType::Directory) {
        plan_.kept.push_back(raw + " (" + why + ") is a " + std::string(to_string(e->type)) + ", not a directory");
        continue;
      }
      if (*resolved == "/etc/passwd") continue;
      auto existing = planned_.find(*resolved);
      uint32_t gid = existing != planned_.end() ? existing->second.gid : e->gid;
      uint32_t mode = existing != planned_.end() ? existing->second.mode : e->mode;
      if (gid == 0 && (mode & 070u) == 070u) continue;
      PlannedEntry& p = touch(*resolved);
      p.gid = 0;
      p.mode |= 070u;
      add_reason(p, reason);
    }
  }

  // What the servers' configs say they write and read (lint/image/servers.h).
  void plan_server_needs() {
    for (const ServerPath& need : needs_.paths) {
      auto resolved = fs_.resolve(need.path);
      if (!resolved || *resolved == "/etc/passwd") continue;
      const FileEntry* e = fs_.find(*resolved);
      switch (need.need) {
        case ServerPath::Need::ReadableFile: {
          if (!e || !is_regular(*e)) break;
          bool readable = e->gid == 0 ? (e->mode & 040u) : (e->mode & 04u);
          if (readable) break;
          change_file(*resolved, need.why + ": must be readable by gid 0", [](PlannedEntry& p) {
            p.gid = 0;
            p.mode |= 040u;
          });
          break;
        }
        case ServerPath::Need::WritableFile: {
          if (e && is_regular(*e)) {
            if (e->gid == 0 && (e->mode & 020u)) break;
            change_file(*resolved, need.why + ": must be writable by gid 0", [](PlannedEntry& p) {
              p.gid = 0;
              p.mode |= 060u;
            });
          } else if (!e && !planned_.count(*resolved)) {
            // A file the server creates in a shared directory (/run/nginx.pid): made empty, group
            // 0 writable, rather than opening /run to group 0.
            size_t slash = resolved->rfind('/');
            std::string parent = slash == 0 ? "/" : resolved->substr(0, slash);
            const FileEntry* dir = fs_.find(parent);
            if (!dir && !planned_.count(parent)) {
              create_directory(parent, need.why + ": must be writable by gid 0");
              break;
            }
            if (!dir || dir->type != FileType::Directory) break;
            if (dir->gid == 0 && (dir->mode & 030u) == 030u) break;
            PlannedEntry& p = planned_[*resolved];
            p.path = *resolved;
            p.type = FileType::Regular;
            p.created = true;
            p.content = std::string();
            p.mode = p.old_mode = 0664;
            add_reason(p, need.why + ": must be writable by gid 0 (created empty)");
          }
          break;
        }
        case ServerPath::Need::WritableDir: {
          const std::string reason = need.why + ": must be writable by gid 0";
          if (!e) {
            if (!planned_.count(*resolved)) create_directory(*resolved, reason);
            break;
          }
          if (e->type != FileType::Directory) break;
          auto existing = planned_.find(*resolved);
          uint32_t gid = existing != planned_.end() ? existing->second.gid : e->gid;
          uint32_t mode = existing != planned_.end() ? existing->second.mode : e->mode;
          if (gid != 0 || (mode & 070u) != 070u) {
            PlannedEntry& p = touch(*resolved);
            p.gid = 0;
            p.mode |= 070u;
            add_reason(p, reason);
          }
          // What is already in it (apache2's error.log, root:adm 0640) is opened for writing too:
          // chgrp -R 0, chmod -R g=u.
          std::vector<std::string> dirs, files;
          fs_.for_each_under(*resolved, [&](std::string_view path, const FileEntry& child) {
            if (!lacks_group_like_owner(child) || path == "/etc/passwd") return;
            if (child.type == FileType::Directory) dirs.emplace_back(path);
            if (is_regular(child)) files.emplace_back(path);
          });
          for (const std::string& path : dirs) {
            PlannedEntry& p = touch(path);
            p.gid = 0;
            p.mode = (p.mode & ~070u) | (user_bits(p.mode) << 3);
            add_reason(p, "in " + *resolved + " (" + reason + ")");
          }
          for (const std::string& path : files) {
            change_file(path, "in " + *resolved + " (" + reason + ")", [](PlannedEntry& p) {
              p.gid = 0;
              p.mode = (p.mode & ~070u) | (group_like_owner(p.mode, true) << 3);
            });
          }
          break;
        }
      }
    }
  }

  void create_directory(const std::string& path, const std::string& reason) {
    // Missing ancestors first (root-owned 0755, as a runtime would create them).
    size_t slash = 0;
    while ((slash = path.find('/', slash + 1)) != std::string::npos) {
      std::string ancestor = path.substr(0, slash);
      if (fs_.find(ancestor) || planned_.count(ancestor)) continue;
      PlannedEntry& p = planned_[ancestor];
      p.path = ancestor;
      p.type = FileType::Directory;
      p.created = true;
      p.mode = p.old_mode = 0755;
      add_reason(p, "parent of " + path);
    }
    PlannedEntry& p = planned_[path];
    p.path = path;
    p.type = FileType::Directory;
    p.created = true;
    p.uid = plan_.runtime_uid;
    p.mode = p.old_mode = 0775;
    add_reason(p, reason + " (created)");
  }

  void plan_privileges() {
    std::vector<std::string> files;
    fs_.for_each([&](std::string_view path, const FileEntry& e) {
      if (e.type == FileType::Directory && (e.mode & 02u) && !(e.mode & 01000u)) {
        plan_.kept.push_back(std::string(path) + ": world-writable without the sticky bit (" + format_mode(e.mode) +
                             "), left as it is");
      }
      if (!is_regular(e) || (!(e.mode & 06000u) && e.capability.empty())) return;
      files.emplace_back(path);
    });
    for (const std::string& path : files) {
      const FileEntry* e = fs_.find(path);
      std::string what;
      if (e->mode & 04000u) what += "setuid";
      if (e->mode & 02000u) what += std::string(what.empty() ? "" : "+") + "setgid";
      if (!e->capability.empty()) what += std::string(what.empty() ? "" : "+") + "file capabilities";
      if (!options_.unsafe_fixes) {
        plan_.kept.push_back(path + ": " + what + " kept (rerun with --unsafe-fixes to drop them)");
        continue;
      }
      change_file(path, what + " dropped (--unsafe-fixes)", [](PlannedEntry& p) {
        p.mode &= ~06000u;
        p.drop_capability = true;
      });
    }
  }

  void plan_server_configs() {
    std::vector<std::pair<std::string, ServerConfigKind>> configs;
    fs_.for_each([&](std::string_view path, const FileEntry& e) {
      if (!is_regular(e) || !is_captured_path(path)) return;
      if (auto kind = server_config_kind(path)) configs.emplace_back(path, *kind);
    });
    for (const auto& [path, kind] : configs) {
      auto text = fs_.content(path);
      if (!text) continue;
      std::vector<std::string> changes;
      std::string patched = patch_listen_ports(*text, kind, port_map_, &changes);
      if (changes.empty()) continue;
      std::string reason = "listen ports remapped:";
      for (const auto& c : changes) reason += " [" + c + "]";
      change_file(path, reason, [&](PlannedEntry& p) { p.content = patched; });
    }
  }

  const LoadedImage& image_;
  const FilesystemView& fs_;
  const ImageRewriteOptions& options_;
  ServerNeeds needs_ = server_needs(image_);
  std::vector<PortMapping> port_map_;                   // the remaps made, identity where refused
  std::set<uint32_t> blocked_;                          // refused: a config would still listen there
  std::map<std::string, std::string> patched_configs_;  // path → text with the remaps applied
  ImagePlan plan_;
  std::map<std::string, PlannedEntry> planned_;
};

}  // namespace

PortMapping parse_port_mapping(std::string_view text) {
  size_t colon = text.find(':');
  auto bad = [&] {
    return std::invalid_argument("port map '" + std::string(text) + "' is not FROM:TO with ports 1-65535");
  };
  if (colon == std::string_view::npos) throw bad();
  auto from = parse_number(text.substr(0, colon));
  auto to = parse_number(text.substr(colon + 1));
  if (!from || !to || *from == 0 || *to == 0 || *from > 65535 || *to > 65535) throw bad();
  return {*from, *to};
}

uint32_t remap_port(uint32_t port, const std::vector<PortMapping>& overrides) {
  for (auto it = overrides.rbegin(); it != overrides.rend(); ++it) {
    if (it->from == port) return it->to;
  }
  if (port >= 1024 || port == 0) return port;
  if (port == 80) return 8080;
  if (port == 443) return 8443;
  return port + 8000;
}

std::optional<ServerConfigKind> server_config_kind(std::string_view path) {
  if (starts_with(path, "/etc/nginx/")) return ServerConfigKind::Nginx;
  if (starts_with(path, "/etc/httpd/") || starts_with(path, "/usr/local/apache2/") || starts_with(path, "/etc/apache2/")) {
    return ServerConfigKind::Httpd;
  }
  if (starts_with(path, "/etc/lighttpd/")) return ServerConfigKind::Lighttpd;
  return std::nullopt;
}

std::string patch_listen_ports(std::string_view text, ServerConfigKind kind, const std::vector<PortMapping>& port_map,
                               std::vector<std::string>* changes) {
  std::string out;
  out.reserve(text.size() + 16);
  size_t start = 0;
  int line_number = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    bool has_newline = end != std::string_view::npos;
    if (!has_newline) end = text.size();
    std::string_view line = text.substr(start, end - start);
    ++line_number;
    std::string_view first = line.substr(skip_space(line, 0));
    std::string patched = first.empty() || first[0] == '#'    ? std::string(line)
                          : kind == ServerConfigKind::Nginx    ? patch_nginx_line(line, port_map)
                          : kind == ServerConfigKind::Lighttpd ? patch_lighttpd_line(line, port_map)
                                                               : patch_httpd_line(line, port_map);
    if (patched != line && changes) {
      changes->push_back(std::to_string(line_number) + ": " + trimmed(line) + " -> " + trimmed(patched));
    }
    out += patched;
    if (has_newline) out += '\n';
    start = end + 1;
  }
  return out;
}

std::string format_mode(uint32_t mode) {
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "%04o", mode & 07777u);
  return buffer;
}

ImagePlan plan_image_rewrite(const LoadedImage& image, const ImageRewriteOptions& options) {
  if (!image.fs) {
    throw ImageError("rewrite needs the image's layers: give an image archive or an OCI layout, not config JSON or "
                     "inspect output");
  }
  return Planner(image, options).run();
}

std::string describe_plan(const ImagePlan& plan) {
  std::string out;
  out += "config User: \"" + plan.user_before + "\" -> \"" + plan.user_after + "\"\n";
  for (const auto& [before, after] : plan.port_changes) out += "config ExposedPorts: " + before + " -> " + after + "\n";
  out += "config history: + okdlint rewrite entry\n";
  if (!plan.needs_layer()) {
    out += "layer: none needed (nothing in the filesystem to fix)\n";
  } else {
    out += "layer: " + std::to_string(plan.entries.size()) + " entries appended\n";
  }
  for (const PlannedEntry& e : plan.entries) {
    out += "  " + e.path + "  " + std::string(to_string(e.type));
    if (e.type == FileType::Hardlink) out += " -> " + e.link_target;
    if (e.created) {
      out += " created " + std::to_string(e.uid) + ":" + std::to_string(e.gid) + " " + format_mode(e.mode);
    } else {
      out += " " + std::to_string(e.uid) + ":" + std::to_string(e.old_gid) + " " + format_mode(e.old_mode) + " -> " +
             std::to_string(e.uid) + ":" + std::to_string(e.gid) + " " + format_mode(e.mode);
    }
    if (e.type == FileType::Regular && !e.created) out += e.content ? " (copied up, content patched)" : " (copied up)";
    if (e.drop_capability) out += " (capabilities dropped)";
    out += "\n";
    for (const auto& reason : e.reasons) out += "      " + reason + "\n";
  }
  for (const auto& kept : plan.kept) out += "kept: " + kept + "\n";
  return out;
}

}  // namespace okd
