#include "rules/image_support.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <set>

#include "lint/image/servers.h"
#include "rules/image_engine.h"
#include "rules/rule.h"
#include "rules/fs_support.h"
#include "rules/rule_support.h"

namespace okd {
namespace {

std::optional<uint32_t> parse_number(std::string_view s) {
  if (s.empty() || s.size() > 10) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value > UINT32_MAX) return std::nullopt;
  return static_cast<uint32_t>(value);
}

std::string octal_mode(uint32_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", mode & 07777);
  return buf;
}

std::string in_quotes(std::string_view s) { return "\"" + std::string(s) + "\""; }

Diagnostic image_diagnostic(const ImageContext& ctx, std::string location, std::string message, std::string hint) {
  Diagnostic d;
  d.file = ctx.file;
  d.logical_location = std::move(location);
  d.message = std::move(message);
  d.hint = std::move(hint);
  return d;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> words(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.push_back(s.substr(start, i - start));
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

// The port of a listen address: "80", "[::]:80", "127.0.0.1:80", "*:80". An address without a
// port means the server's default (80 for nginx); nullopt for unix sockets and unparsable words.
std::optional<uint32_t> listen_port(std::string_view address, std::optional<uint32_t> default_port) {
  if (starts_with(address, "unix:")) return std::nullopt;
  if (auto n = parse_number(address)) return n;
  std::string_view port;
  if (starts_with(address, "[")) {
    size_t close = address.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    if (close + 1 < address.size() && address[close + 1] == ':') port = address.substr(close + 2);
  } else if (size_t colon = address.rfind(':'); colon != std::string_view::npos) {
    port = address.substr(colon + 1);
  }
  if (port.empty()) return default_port;
  return parse_number(port);
}

// The runtime uid config.User resolves to, if it can be known.
std::optional<uint32_t> runtime_uid(const LoadedImage& image) {
  ImageUser u = split_image_user(image.config.user);
  if (u.user.empty()) return 0u;
  return image.uid_of(u.user);
}

}  // namespace

ImageUser split_image_user(std::string_view config_user) {
  ImageUser out;
  size_t colon = config_user.find(':');
  out.user = std::string(config_user.substr(0, colon));
  if (colon != std::string_view::npos) out.group = std::string(config_user.substr(colon + 1));
  return out;
}

bool image_runs_as_root(const LoadedImage& image) {
  ImageUser u = split_image_user(image.config.user);
  if (u.user.empty() || u.user == "root") return true;
  std::optional<uint32_t> uid = image.uid_of(u.user);
  return uid && *uid == 0;
}

std::vector<PrivilegedListen> nginx_privileged_listens(std::string_view path, std::string_view text) {
  std::vector<PrivilegedListen> out;
  uint32_t line_number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(pos, end - pos);
    ++line_number;
    if (size_t hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    // A line may hold several statements: "server { listen 80; }".
    size_t start = 0;
    while (start <= line.size()) {
      size_t stop = line.find_first_of(";{}", start);
      if (stop == std::string_view::npos) stop = line.size();
      std::vector<std::string_view> w = words(line.substr(start, stop - start));
      if (w.size() >= 2 && w[0] == "listen") {
        if (auto port = listen_port(w[1], 80u); port && *port < 1024) {
          out.push_back({std::string(path), line_number, *port});
        }
      }
      start = stop + 1;
    }
    pos = end + 1;
  }
  return out;
}

namespace {
template <class Match>
std::vector<PrivilegedListen> line_directives(std::string_view path, std::string_view text, Match match) {
  std::vector<PrivilegedListen> out;
  uint32_t line_number = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = trim(text.substr(pos, end - pos));
    ++line_number;
    if (!line.empty() && line.front() != '#') {
      if (std::optional<uint32_t> port = match(line); port && *port < 1024) {
        out.push_back({std::string(path), line_number, *port});
      }
    }
    pos = end + 1;
  }
  return out;
}
}  // namespace

std::vector<PrivilegedListen> httpd_privileged_listens(std::string_view path, std::string_view text,
                                                       const std::vector<std::string>* enabled_modules) {
  std::vector<bool> active;  // one per open <IfModule>: whether its condition holds
  return line_directives(path, text, [&](std::string_view line) -> std::optional<uint32_t> {
    std::vector<std::string_view> w = words(line);
    if (w.empty()) return std::nullopt;
    if (iequals(w[0], "<IfModule") && w.size() >= 2) {
      std::string_view module = w[1];
      if (!module.empty() && module.back() == '>') module.remove_suffix(1);
      bool negated = !module.empty() && module.front() == '!';
      if (negated) module.remove_prefix(1);
      bool loaded = !enabled_modules ||
                    std::find(enabled_modules->begin(), enabled_modules->end(), module) != enabled_modules->end();
      active.push_back(loaded != negated);
      return std::nullopt;
    }
    if (iequals(w[0], "</IfModule>")) {
      if (!active.empty()) active.pop_back();
      return std::nullopt;
    }
    if (w.size() < 2 || !iequals(w[0], "Listen")) return std::nullopt;
    if (std::find(active.begin(), active.end(), false) != active.end()) return std::nullopt;
    return listen_port(w[1], std::nullopt);
  });
}

std::vector<PrivilegedListen> lighttpd_privileged_listens(std::string_view path, std::string_view text) {
  return line_directives(path, text, [](std::string_view line) -> std::optional<uint32_t> {
    if (!starts_with(line, "server.port")) return std::nullopt;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    std::string_view value = trim(line.substr(eq + 1));
    if (size_t hash = value.find('#'); hash != std::string_view::npos) value = trim(value.substr(0, hash));
    return parse_number(value);
  });
}

void check_image_root_user(const ImageContext& ctx, DiagnosticSink& sink) {
  if (!image_runs_as_root(ctx.image)) return;
  const std::string& user = ctx.image.config.user;
  ImageUser u = split_image_user(user);
  std::string why = u.user.empty() ? "config.User is empty, so it runs as root"
                    : (u.user == "root" || u.user == "0")
                        ? "config.User is " + in_quotes(user)
                        : "config.User " + in_quotes(user) + " is uid 0 in the image's /etc/passwd";
  sink.report(image_diagnostic(ctx, "config.User", "image runs as root: " + why,
                               "set a numeric non-root user such as USER 1001 (okdlint rewrite can set it)"));
}

void check_image_non_numeric_user(const ImageContext& ctx, DiagnosticSink& sink) {
  ImageUser u = split_image_user(ctx.image.config.user);
  if (u.user.empty() || parse_number(u.user) || image_runs_as_root(ctx.image)) return;
  std::optional<uint32_t> uid = ctx.image.uid_of(u.user);
  std::string message = "config.User " + in_quotes(ctx.image.config.user) +
                        " names a user instead of a numeric uid: runAsNonRoot cannot verify it";
  if (uid) {
    message += " (the image's /etc/passwd maps " + u.user + " to uid " + std::to_string(*uid) + ")";
  } else if (ctx.image.fs) {
    message += " (the image's /etc/passwd does not define " + u.user + ")";
  }
  std::string hint = uid ? "use the uid: USER " + std::to_string(*uid) + (u.group ? ":0" : "")
                         : "create the user with a fixed uid and set USER to that number";
  sink.report(image_diagnostic(ctx, "config.User", std::move(message), std::move(hint)));
}

void check_image_user_group(const ImageContext& ctx, DiagnosticSink& sink) {
  ImageUser u = split_image_user(ctx.image.config.user);
  if (!u.group || u.group->empty()) return;
  const std::string& group = *u.group;
  std::string message;
  if (auto gid = parse_number(group)) {
    if (*gid == 0) return;
    message = "config.User " + in_quotes(ctx.image.config.user) + " sets group " + group + ", not 0";
  } else {
    if (group == "root") return;
    auto it = ctx.image.group_gids.find(group);
    if (it != ctx.image.group_gids.end()) {
      if (it->second == 0) return;
      message = "config.User " + in_quotes(ctx.image.config.user) + " sets group " + group + " (gid " +
                std::to_string(it->second) + " in /etc/group), not 0";
    } else {
      message = "config.User " + in_quotes(ctx.image.config.user) + " sets group " + group +
                (ctx.image.fs ? ", which the image's /etc/group does not define" : ", not 0");
    }
  }
  message += ": files made group-0 writable for OKD's random uid are not writable for it";
  sink.report(image_diagnostic(ctx, "config.User", std::move(message), "use group 0 (USER 1001:0) or omit the group"));
}

namespace {
// The program names Entrypoint + Cmd run: each word's last path component, with shell text
// ("sh -c 'su www-data -c nginx'") split on blanks and operators.
std::set<std::string> started_programs(const ImageConfig& config) {
  std::set<std::string> out;
  auto add_words = [&](std::string_view text) {
    std::string cleaned(text);
    for (char& c : cleaned) {
      if (c == ';' || c == '&' || c == '|' || c == '(' || c == ')' || c == '`' || c == '"' || c == '\'') c = ' ';
    }
    for (std::string_view w : words(cleaned)) out.insert(std::string(program_name(w)));
  };
  for (const std::string& arg : config.entrypoint) add_words(arg);
  for (const std::string& arg : config.cmd) add_words(arg);
  return out;
}
}  // namespace

void check_image_privilege_escalation(const ImageContext& ctx, DiagnosticSink& sink) {
  std::set<std::string> started = started_programs(ctx.image.config);
  // A process started through sudo/su/gosu cannot switch users under no_new_privs, whatever the bits.
  for (const std::string& tool : started) {
    if (!is_privilege_switch_tool(tool)) continue;
    Diagnostic d = image_diagnostic(
        ctx, ctx.image.config.entrypoint.empty() ? "config.Cmd" : "config.Entrypoint",
        "the image starts its process through " + tool +
            ": under OKD's no_new_privs and random uid it cannot switch users (su answers \"Authentication "
            "failure\"), so the process never starts",
        "run the program directly as the image's numeric USER");
    d.severity = Severity::Warning;
    d.keep_severity = true;
    sink.report(std::move(d));
  }
  if (!ctx.image.fs) return;
  ctx.image.fs->for_each([&](std::string_view path, const FileEntry& entry) {
    // A hardlink shares the inode (and its bits) of the file it names: report that file once.
    if (entry.type != FileType::Regular) return;
    std::vector<std::string> what;
    if (entry.mode & 04000) what.push_back("setuid (owner " + std::to_string(entry.uid) + ")");
    if (entry.mode & 02000) what.push_back("setgid (group " + std::to_string(entry.gid) + ")");
    if (!entry.capability.empty()) what.push_back("has file capabilities (security.capability)");
    if (what.empty()) return;
    std::string joined;
    for (size_t i = 0; i < what.size(); ++i) joined += (i ? (i + 1 == what.size() ? " and " : ", ") : "") + what[i];
    std::string name(program_name(path));
    bool used = started.count(name) > 0;
    Diagnostic d = image_diagnostic(
        ctx, std::string(path),
        std::string(path) + " is " + joined + " (mode " + octal_mode(entry.mode) +
            "): OKD runs with no_new_privs, so exec works but the bits are ignored" +
            (used ? " and the image's entrypoint/command, which runs " + name + ", cannot gain what it needs"
                  : " (harmless unless the process relies on them)"),
        "remove the bits (chmod u-s,g-s " + std::string(path) + ", setcap -r " + std::string(path) +
            "; okdlint rewrite --unsafe-fixes does it) and grant what it needs through the pod spec instead");
    d.severity = used ? Severity::Warning : Severity::Info;
    d.keep_severity = true;
    sink.report(std::move(d));
  });
}

void check_image_privileged_ports(const ImageContext& ctx, DiagnosticSink& sink) {
  for (const std::string& exposed : ctx.image.config.exposed_ports) {
    std::string_view port_text = std::string_view(exposed).substr(0, exposed.find('/'));
    std::optional<uint32_t> port = parse_number(port_text);
    if (!port || *port >= 1024) continue;
    sink.report(image_diagnostic(
        ctx, "config.ExposedPorts",
        "image exposes port " + exposed + ", below 1024: OKD's random uid cannot bind it",
        "listen on an unprivileged port such as " + std::to_string(*port == 80 ? 8080 : *port == 443 ? 8443 : 8000 + *port) +
            " and map the privileged port in the Service"));
  }
}

std::vector<PrivilegedListen> image_privileged_listens(const FilesystemView& fs,
                                                       const std::map<std::string, std::string>* patched) {
  std::vector<PrivilegedListen> found;
  std::optional<std::vector<std::string>> modules = apache_enabled_modules(fs);
  fs.for_each([&](std::string_view path, const FileEntry& entry) {
    // Symlinked configs (sites-enabled → sites-available) are read at their real path; Debian's
    // *-available files only when a *-enabled link names them.
    if (entry.type != FileType::Regular || !is_captured_path(path) || !server_config_in_use(fs, path)) return;
    std::optional<std::string_view> text;
    if (patched) {
      if (auto it = patched->find(std::string(path)); it != patched->end()) text = it->second;
    }
    if (!text) text = fs.content(path);
    if (!text) return;
    std::vector<PrivilegedListen> here;
    if (starts_with(path, "/etc/nginx/")) {
      here = nginx_privileged_listens(path, *text);
    } else if (starts_with(path, "/etc/httpd/") || starts_with(path, "/etc/apache2/") ||
               starts_with(path, "/usr/local/apache2/")) {
      here = httpd_privileged_listens(path, *text, modules ? &*modules : nullptr);
    } else if (starts_with(path, "/etc/lighttpd/")) {
      here = lighttpd_privileged_listens(path, *text);
    }
    found.insert(found.end(), here.begin(), here.end());
  });
  return found;
}

void check_image_privileged_listen(const ImageContext& ctx, DiagnosticSink& sink) {
  if (!ctx.image.fs) return;
  for (const PrivilegedListen& l : image_privileged_listens(*ctx.image.fs)) {
    sink.report(image_diagnostic(
        ctx, l.path,
        l.path + ":" + std::to_string(l.line) + " listens on port " + std::to_string(l.port) +
            ": OKD's random uid cannot bind ports below 1024",
        "listen on an unprivileged port (e.g. " + std::to_string(l.port == 443 ? 8443 : 8080) +
            ") and map the privileged port in the Service"));
  }
}

void check_image_group_writable(const ImageContext& ctx, DiagnosticSink& sink) {
  if (!ctx.image.fs) return;
  const FilesystemView& fs = *ctx.image.fs;
  std::optional<uint32_t> uid = runtime_uid(ctx.image);
  using Need = ServerPath::Need;

  struct Location {
    std::string path, why;
    Need need = Need::WritableDir;
    bool server = false;  // from a server's config: what the directory holds is written too
  };
  std::vector<Location> locations;
  const std::string& workdir = ctx.image.config.working_dir;
  if (!workdir.empty() && workdir != "/") locations.push_back({workdir, "config.WorkingDir"});
  for (const std::string& volume : ctx.image.config.volumes) locations.push_back({volume, "config.Volumes"});
  // Root-owned paths are the image's own; paths owned by a non-root runtime uid, or by a user a
  // server switches to when started as root, are there for it to write.
  std::map<uint32_t, std::string> owners;
  if (uid && *uid != 0) {
    if (const PasswdEntry* entry = ctx.image.passwd_entry(*uid); entry && !entry->home.empty() && entry->home != "/") {
      // A HOME the user does not own (www-data's /var/www) is not where it writes.
      std::optional<std::string> home = normalize_image_path(entry->home);
      std::optional<std::string> real = home ? fs.resolve(*home) : std::nullopt;
      const FileEntry* e = real ? fs.find(*real) : nullptr;
      if (e && e->uid == *uid) locations.push_back({entry->home, "HOME of " + entry->name + " in /etc/passwd"});
    }
    owners[*uid] = "the runtime uid " + std::to_string(*uid);
  }
  ServerNeeds needs = server_needs(ctx.image);
  for (const ServerPath& p : needs.paths) locations.push_back({p.path, p.why, p.need, true});
  for (const auto& [name, why] : needs.service_users) {
    std::optional<uint32_t> owner = ctx.image.uid_of(name);
    if (owner && *owner != 0) owners.emplace(*owner, "service user " + name + " (" + why + ")");
  }
  fs.for_each([&](std::string_view path, const FileEntry& entry) {
    if (entry.type != FileType::Regular && entry.type != FileType::Directory) return;
    auto owner = owners.find(entry.uid);
    if (owner == owners.end() || path == "/etc/passwd") return;
    locations.push_back({std::string(path), "owned by " + owner->second,
                         entry.type == FileType::Directory ? Need::WritableDir : Need::WritableFile});
  });

  std::set<std::string> seen;
  for (const Location& location : locations) {
    std::optional<std::string> normalized = normalize_image_path(location.path);
    if (!normalized) continue;
    std::optional<std::string> real = fs.resolve(*normalized);
    if (!real) continue;
    if (!seen.insert(*real).second) continue;
    std::string shown = *real == *normalized ? *real : *normalized + " (-> " + *real + ")";
    const FileEntry* entry = fs.find(*real);
    if (!entry) {
      if (location.need == Need::ReadableFile || location.why.rfind("config.", 0) == 0) continue;
      // The server creates it: the nearest existing directory above must let group 0 in.
      std::string parent = *real;
      const FileEntry* p = nullptr;
      while (!p && parent != "/") {
        parent = parent.substr(0, std::max<size_t>(parent.rfind('/'), 1));
        std::optional<std::string> resolved = fs.resolve(parent);
        p = resolved ? fs.find(*resolved) : nullptr;
      }
      if (!p || p->type != FileType::Directory || (p->gid == 0 && (p->mode & 030) == 030)) continue;
      sink.report(image_diagnostic(
          ctx, *real,
          shown + " (" + location.why + ") does not exist and " + parent + " (" + std::to_string(p->uid) + ":" +
              std::to_string(p->gid) + " mode " + octal_mode(p->mode) +
              ") is not writable by group 0: OKD's random uid cannot create it",
          location.need == Need::WritableFile ? "create it at build time: touch " + *real + " && chgrp 0 " + *real +
                                                    " && chmod g+w " + *real
                                              : "create it at build time: mkdir -p " + *real + " && chgrp 0 " + *real +
                                                    " && chmod g+rwx " + *real));
      continue;
    }
    bool directory = entry->type == FileType::Directory;
    if (entry->type != FileType::Regular && !directory) continue;
    if (location.need == Need::ReadableFile) {
      if (directory) continue;
      bool readable = entry->gid == 0 ? (entry->mode & 040) : (entry->mode & 04);
      if (readable) continue;
      sink.report(image_diagnostic(
          ctx, *real,
          shown + " (" + location.why + ") is " + std::to_string(entry->uid) + ":" + std::to_string(entry->gid) +
              " mode " + octal_mode(entry->mode) +
              ": the server must read it, but OKD's random uid runs in group 0 and cannot",
          "chgrp 0 " + *real + " && chmod g+r " + *real));
      continue;
    }
    if (directory && location.need == Need::WritableDir && location.server) {
      // What a server's directory already holds is written too (apache2's error.log, root:adm 0640).
      size_t bad = 0;
      std::string example;
      fs.for_each_under(*real, [&](std::string_view path, const FileEntry& child) {
        if (child.type != FileType::Regular && child.type != FileType::Directory) return;
        // A program stays out of group write (the rewrite never adds it): group 0 may run it.
        bool program = child.type == FileType::Regular && (child.mode & 0100);
        uint32_t want = child.type == FileType::Directory ? 030 : program ? 010 : 020;
        if (child.gid == 0 && (child.mode & want) == want) return;
        if (bad++ == 0) {
          example = std::string(path) + " " + std::to_string(child.uid) + ":" + std::to_string(child.gid) + " mode " +
                    octal_mode(child.mode);
        }
      });
      if (bad) {
        sink.report(image_diagnostic(
            ctx, *real + "/",
            std::to_string(bad) + " entries in " + shown + " (" + location.why + ") are not writable by group 0 (" +
                example + (bad > 1 ? ", ..." : "") + "): OKD's random uid runs in group 0 and cannot write them",
            group_like_owner_command(shell_quote(*real), true)));
      }
    }
    // A program (owner-executable file) needs group 0 to run it, never to write it.
    const bool program = !directory && (entry->mode & 0100);
    uint32_t needed = directory ? 030 : program ? 010 : 020;
    if (entry->gid == 0 && (entry->mode & needed) == needed) continue;
    std::string problem = entry->gid != 0 ? "group " + std::to_string(entry->gid) + ", not 0"
                                          : std::string(directory ? "no group write/execute"
                                                                  : program ? "no group execute" : "no group write");
    sink.report(image_diagnostic(
        ctx, *real,
        shown + " (" + location.why + ") is " + std::to_string(entry->uid) + ":" + std::to_string(entry->gid) + " mode " +
            octal_mode(entry->mode) + " with " + problem +
            ": OKD's random uid runs in group 0 and cannot write it",
        group_like_owner_command(shell_quote(*real), true)));
  }
}

void check_image_world_writable(const ImageContext& ctx, DiagnosticSink& sink) {
  if (!ctx.image.fs) return;
  ctx.image.fs->for_each([&](std::string_view path, const FileEntry& entry) {
    // Symlinks are always 0777 and hardlinks share their file's bits; devices are not storage.
    if (entry.type != FileType::Regular && entry.type != FileType::Directory) return;
    if (!(entry.mode & 02)) return;
    bool directory = entry.type == FileType::Directory;
    if (directory && (entry.mode & 01000)) return;  // /tmp-style sticky directories are fine
    sink.report(image_diagnostic(
        ctx, std::string(path),
        std::string(directory ? "directory " : "file ") + std::string(path) + " is world-writable (mode " +
            octal_mode(entry.mode) + (directory ? ") without the sticky bit" : ")") +
            ": group 0 write access is enough on OKD",
        "chgrp 0 " + std::string(path) + " && chmod o-w,g+w" + (directory ? "x " : " ") + std::string(path)));
  });
}

void check_image_passwd_writable(const ImageContext& ctx, DiagnosticSink& sink) {
  if (!ctx.image.fs) return;
  for (std::string_view file : {"/etc/passwd", "/etc/group"}) {
    std::optional<std::string> real = ctx.image.fs->resolve(file);
    if (!real) continue;
    const FileEntry* entry = ctx.image.fs->find(*real);
    if (!entry || entry->type != FileType::Regular || !(entry->mode & 022)) continue;
    std::string who = (entry->mode & 020) && (entry->mode & 02) ? "group- and world-writable"
                      : (entry->mode & 020)                      ? "group-writable"
                                                                 : "world-writable";
    sink.report(image_diagnostic(
        ctx, std::string(file),
        std::string(file) + " is " + who + " (" + std::to_string(entry->uid) + ":" + std::to_string(entry->gid) +
            " mode " + octal_mode(entry->mode) + "): any process in the container can add a uid-0 account",
        "chmod 0644 " + std::string(file) + "; generate the random uid's entry with nss_wrapper or at build time"));
  }
}

void check_image_layer_count(const ImageContext& ctx, DiagnosticSink& sink) {
  size_t layers = std::max(ctx.image.layers.size(), ctx.image.config.diff_ids.size());
  if (layers <= kMaxImageLayers) return;
  sink.report(image_diagnostic(ctx, "config.rootfs.diff_ids",
                               "image has " + std::to_string(layers) + " layers, more than the " +
                                   std::to_string(kMaxImageLayers) + " Red Hat certification accepts",
                               "combine RUN steps, use a multi-stage build, or squash the image"));
}

void check_image_certification_labels(const ImageContext& ctx, DiagnosticSink& sink) {
  static constexpr std::string_view kRequired[] = {"name",    "vendor",      "version",   "release",
                                                   "summary", "description", "maintainer"};
  for (std::string_view label : kRequired) {
    auto it = ctx.image.config.labels.find(std::string(label));
    if (it != ctx.image.config.labels.end() && !trim(it->second).empty()) continue;
    bool present = it != ctx.image.config.labels.end();
    sink.report(image_diagnostic(ctx, "config.Labels." + std::string(label),
                                 "label " + std::string(label) + (present ? " is empty" : " is missing") +
                                     ": Red Hat certification requires it",
                                 "add LABEL " + std::string(label) + "=\"...\""));
  }
  if (!ctx.image.fs) return;
  std::optional<std::string> real = ctx.image.fs->resolve("/licenses");
  const FileEntry* entry = real ? ctx.image.fs->find(*real) : nullptr;
  bool has_file = false;
  if (entry && entry->type == FileType::Directory) {
    ctx.image.fs->for_each_under(*real, [&](std::string_view, const FileEntry& child) {
      if (child.type == FileType::Regular || child.type == FileType::Hardlink) has_file = true;
    });
  }
  if (has_file) return;
  sink.report(image_diagnostic(ctx, "/licenses",
                               entry ? "/licenses holds no license files: Red Hat certification requires them"
                                     : "/licenses is missing: Red Hat certification requires the license files there",
                               "COPY LICENSE /licenses/"));
}

}  // namespace okd
