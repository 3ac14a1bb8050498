// rule_support.h, section Users: uids, users the file creates, who runs each instruction, where a
// USER line goes and when adding one is not safe. Split out of rule_support.cpp (issue 11).
#include "rules/rule_support.h"

#include <cctype>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>
#include <map>

#include "lint/text.h"
#include "rules/fs_support.h"

namespace okd {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool starts_with_option(std::string_view word) { return word.size() > 1 && word[0] == '-'; }

}  // namespace

// ---- Users ----

std::optional<uint32_t> parse_uid(std::string_view text) {
  if (text.empty() || text.size() > 10) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(c - '0');
  }
  if (value > std::numeric_limits<uint32_t>::max()) return std::nullopt;
  return static_cast<uint32_t>(value);
}

bool is_root_user(std::string_view user) {
  if (user == "root") return true;
  std::optional<uint32_t> uid = parse_uid(user);
  return uid && *uid == 0;
}

std::optional<UserCreation> parse_user_creation(const std::vector<std::string>& argv) {
  if (argv.empty()) return std::nullopt;
  std::string_view program = program_name(argv[0]);
  if (program != "useradd" && program != "adduser") return std::nullopt;
  // Short options that take a value, across useradd and BusyBox adduser.
  constexpr std::string_view kShortWithValue = "bcdefgGhkKpsuRPZ";
  // Long options that take a value, across useradd and Debian adduser.
  static const std::vector<std::string_view> kLongWithValue = {
      "base-dir", "comment", "home-dir", "home",  "expiredate", "inactive", "gid",      "groups",  "skel",
      "key",      "password", "shell",   "uid",   "root",       "prefix",   "selinux-user", "gecos", "ingroup",
      "firstuid", "lastuid", "conf",     "firstgid", "lastgid", "extrausers-dir"};
  UserCreation result;
  std::optional<std::string> uid_text;
  bool options_done = false;
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    if (!options_done && a == "--") {
      options_done = true;
    } else if (!options_done && a.starts_with("--")) {
      std::string_view name = a.substr(2);
      size_t eq = name.find('=');
      std::optional<std::string_view> value;
      if (eq != std::string_view::npos) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
      } else if (std::find(kLongWithValue.begin(), kLongWithValue.end(), name) != kLongWithValue.end() &&
                 i + 1 < argv.size()) {
        value = argv[++i];
      }
      if (name == "uid" && value) uid_text = std::string(*value);
    } else if (!options_done && starts_with_option(a)) {
      // A getopt cluster: "-Du", "-u1001", "-r".
      for (size_t k = 1; k < a.size(); ++k) {
        char opt = a[k];
        if (kShortWithValue.find(opt) == std::string_view::npos) continue;
        std::string value;
        if (k + 1 < a.size()) {
          value = std::string(a.substr(k + 1));
        } else if (i + 1 < argv.size()) {
          value = argv[++i];
        }
        if (opt == 'u') uid_text = value;
        break;
      }
    } else if (result.name.empty()) {
      result.name = std::string(a);  // adduser's second positional is a group; useradd has one
    }
  }
  if (result.name.empty()) return std::nullopt;
  if (uid_text) result.uid = parse_uid(*uid_text);
  return result;
}

std::vector<CreatedUser> created_users(const BuildModel& model) {
  // Stands for a word whose value is unknown; never part of a valid name or uid.
  static const std::string kUnknown = "\x7f";
  std::vector<CreatedUser> out;
  for (const Instruction* ins : final_image_instructions(model)) {
    if (ins->cmd != "run") continue;
    for (const SimpleCommand& command : model.commands(ins)) {
      std::optional<size_t> start = command_name_index(command);
      if (!start) continue;
      std::string_view program = program_name(command.argv[*start].value);
      if (program != "useradd" && program != "adduser") continue;
      std::vector<std::string> argv;
      for (size_t i = *start; i < command.argv.size(); ++i) {
        argv.push_back(resolved_word(model, ins, command.argv[i]).value_or(kUnknown));
      }
      std::optional<UserCreation> created = parse_user_creation(argv);
      if (!created || !created->uid || created->name.find(kUnknown) != std::string::npos) continue;
      out.push_back({created->name, *created->uid, ins});
    }
  }
  return out;
}

std::optional<uint32_t> created_uid(const BuildModel& model, std::string_view name) {
  std::optional<uint32_t> uid;
  for (const CreatedUser& u : created_users(model)) {
    if (u.name == name) uid = u.uid;
  }
  return uid;
}

uint32_t uid_for_fix(const ContainerfileContext& ctx) {
  uint32_t uid = ctx.config.default_uid;
  for (const CreatedUser& u : created_users(ctx.model)) {
    if (u.uid != 0) uid = u.uid;
  }
  return uid;
}

UserAt user_before(const BuildModel& model, const Instruction* instruction) {
  UserAt at;
  for (const Instruction* ins : final_image_instructions(model)) {
    if (ins == instruction) break;
    if (ins->cmd != "user" || ins->args.empty()) continue;
    Expanded e = model.expand(ins, ins->args.front().value);
    at.user = e.value.substr(0, e.value.find(':'));
    at.known = e.known;
  }
  return at;
}

bool needs_root(const Instruction& instruction) {
  if (instruction.cmd == "run") return true;
  return (instruction.cmd == "copy" || instruction.cmd == "add") && !instruction.flag("chown");
}

std::optional<Edit> insert_user_edit(const ContainerfileContext& ctx, const Instruction* after, std::string_view line) {
  const BuildModel& model = ctx.model;
  if (!model.target) return std::nullopt;
  const Stage& target = model.stages[*model.target];
  std::vector<const Instruction*> sequence = final_image_instructions(model);
  auto from = sequence.begin();
  if (after) {
    from = std::find(sequence.begin(), sequence.end(), after);
    if (from == sequence.end()) return std::nullopt;
    ++from;
  }
  // VOLUME and WORKDIR count too: they create directories, and a chgrp another fix adds after
  // them in the same pass must still run as root.
  const Instruction* anchor = nullptr;
  for (auto it = from; it != sequence.end(); ++it) {
    if (needs_root(**it) || (*it)->cmd == "volume" || (*it)->cmd == "workdir") anchor = *it;
  }
  if (after && !anchor) return std::nullopt;
  if (anchor && model.stage_of(anchor) == &target) return insert_line_after(ctx.source, *anchor, line);
  return insert_line_after(ctx.source, *target.from, line);
}

std::optional<std::string> user_switch_risk(const ContainerfileContext& ctx) {
  const BuildModel& model = ctx.model;
  if (!model.target) return std::nullopt;
  const Stage& target = model.stages[*model.target];
  if (target.facts.needs_root) return *target.facts.needs_root;
  for (const Stage& s : model.stages) {
    if (s.parent && *s.parent == target.index) {
      return "stage " + std::to_string(s.index) + " is built FROM this stage and may need its root user";
    }
  }
  static constexpr std::string_view kDroppers[] = {"gosu",      "su-exec", "supervisord", "sshd",       "runuser",
                                                   "setpriv",   "chpst",   "s6-setuidgid", "setuidgid", "dropbear",
                                                   "su",        "sudo"};
  for (const Instruction* ins : final_image_instructions(model)) {
    if (ins->cmd != "run" && ins->cmd != "cmd" && ins->cmd != "entrypoint") continue;
    for (const SimpleCommand& c : model.commands(ins)) {
      for (const ShellWord& w : c.argv) {
        std::string_view name = program_name(w.value);
        for (std::string_view d : kDroppers) {
          if (name == d) {
            return std::string(d) + " in the image suggests the entrypoint starts as root and drops privileges itself";
          }
        }
      }
    }
    std::string_view raw = ctx.text(ins->range);
    for (std::string_view d : {std::string_view("gosu"), std::string_view("su-exec"), std::string_view("supervisord")}) {
      if (raw.find(d) != std::string_view::npos) {
        return std::string(d) + " in the image suggests the entrypoint starts as root and drops privileges itself";
      }
    }
  }
  for (const ExposedPort& p : target.exposed) {
    if (p.first && is_privileged_port(*p.first)) {
      return "the image exposes port " + std::to_string(*p.first) + ", which a non-root user cannot bind";
    }
  }
  if (std::optional<std::string> reason = root_program_risk(ctx)) return reason;
  if (std::optional<std::string> reason = root_path_risk(ctx)) return reason;
  return std::nullopt;
}

std::optional<std::string> root_program_risk(const ContainerfileContext& ctx) {
  const BuildModel& model = ctx.model;
  if (!model.target) return std::nullopt;
  const Stage& target = model.stages[*model.target];
  // The main process: init systems, the Docker daemon and firewall tools need root (mounts,
  // cgroups, netlink); capabilities a pod adds are only effective for uid 0.
  for (std::string_view kind : {std::string_view("entrypoint"), std::string_view("cmd")}) {
    const Instruction* ins = effective_instruction(model, kind);
    if (!ins) continue;
    for (const SimpleCommand& c : model.commands(ins)) {
      for (const ShellWord& w : c.argv) {
        std::string_view name = program_name(w.value);
        if (w.value == "/sbin/init" || name == "systemd" || name.starts_with("dockerd") ||
            name.starts_with("iptables") || name.starts_with("ip6tables")) {
          return "the " + std::string(kind == "cmd" ? "CMD" : "ENTRYPOINT") + " runs " + std::string(name) +
                 ", which needs root";
        }
      }
    }
  }
  if (const Stage* root = chain_root(model)) {
    std::string base = ascii_lower(root->base.known ? root->base.value : std::string(ctx.text(root->base_range)));
    for (std::string_view word : {std::string_view("dind"), std::string_view("iptables")}) {
      if (base.find(word) != std::string::npos) {
        return "the base image " + base + " (" + std::string(word) + ") runs a process that needs root";
      }
    }
  }
  // The Docker socket a container bind-mounts is root:docker 0660: a random uid cannot open it.
  if (auto it = target.env.find("DOCKER_HOST"); it != target.env.end() && it->second.value.starts_with("unix://")) {
    return "DOCKER_HOST=" + it->second.value + " talks to a Docker socket that only root (or group docker) can open";
  }
  static constexpr std::string_view kDockerClients[] = {"docker-ce-cli", "docker-ce", "docker.io", "docker-cli",
                                                        "moby-engine",   "moby-cli"};
  for (const Instruction* ins : final_image_instructions(model)) {
    if (ins->cmd != "run") continue;
    for (const SimpleCommand& c : model.commands(ins)) {
      for (const ShellWord& w : c.argv) {
        for (std::string_view pkg : kDockerClients) {
          if (w.value == pkg) {
            return "the image installs " + std::string(pkg) +
                   ", so it drives Docker through a socket that only root (or group docker) can open";
          }
        }
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> root_path_risk(const ContainerfileContext& ctx) {
  const BuildModel& model = ctx.model;
  if (!model.target) return std::nullopt;
  const Stage& target = model.stages[*model.target];
  // /root is 0700: tools installed under it are out of reach of any other uid.
  if (auto it = target.env.find("PATH"); it != target.env.end()) {
    std::string_view path = it->second.value;
    while (!path.empty()) {
      size_t colon = path.find(':');
      std::string_view dir = path.substr(0, colon);
      if (dir == "/root" || dir.starts_with("/root/")) {
        return "PATH holds " + std::string(dir) + ", which a non-root user cannot reach (/root is 0700)";
      }
      if (colon == std::string_view::npos) break;
      path.remove_prefix(colon + 1);
    }
  }
  // No CMD or ENTRYPOINT of its own, and tools put on PATH: a toolchain for other builds (golang),
  // whose users run compilers and package managers that write $HOME (/ for a uid without a passwd
  // entry) and system trees.
  bool sets_path = false;
  for (const Instruction* ins : final_image_instructions(model)) {
    if (ins->cmd != "env") continue;
    for (const KeyValue& pair : ins->pairs) sets_path = sets_path || pair.key == "PATH";
  }
  if (sets_path && !effective_instruction(model, "cmd") && !effective_instruction(model, "entrypoint")) {
    return "the image puts tools on PATH and sets no CMD or ENTRYPOINT, so it is a toolchain for other builds, "
           "which may need root (build caches under $HOME, package installs)";
  }
  // A directory the application writes that OKD302 cannot safely hand to group 0.
  for (const GroupWritableFinding& f : group_writable_findings(ctx)) {
    if (f.covered) continue;
    if (!f.diagnostic.fix || f.diagnostic.fix->applicability != Applicability::Safe) {
      return "OKD302 finds " + f.path + " not writable by group 0 and has no safe fix for it";
    }
  }
  return std::nullopt;
}

}  // namespace okd
