#include "rules/fs_support.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>

#include "lint/base_facts.h"
#include "rules/rule_support.h"

namespace okd {
namespace {

bool is_octal_digit(char c) { return c >= '0' && c <= '7'; }

// Class bit masks: the rwx bits of a class plus the special bit that belongs to it.
constexpr uint32_t kUserBits = 04700;
constexpr uint32_t kGroupBits = 02070;
constexpr uint32_t kOtherBits = 01007;

uint32_t who_mask(std::string_view who) {
  if (who.empty()) return 07777;
  uint32_t mask = 0;
  for (char c : who) {
    if (c == 'u') mask |= kUserBits;
    if (c == 'g') mask |= kGroupBits;
    if (c == 'o') mask |= kOtherBits;
    if (c == 'a') mask |= kUserBits | kGroupBits | kOtherBits;
  }
  return mask;
}

// The rwx bits of one class, copied into all three classes (for `g=u`).
uint32_t copied_bits(uint32_t mode, char from) {
  int shift = from == 'u' ? 6 : from == 'g' ? 3 : 0;
  uint32_t v = (mode >> shift) & 07;
  return v | (v << 3) | (v << 6);
}

uint32_t perm_bits(const ModeAction& action, uint32_t mode, bool directory) {
  if (action.copy_from) return copied_bits(mode, action.copy_from);
  uint32_t bits = 0;
  for (char c : action.perms) {
    switch (c) {
      case 'r': bits |= 0444; break;
      case 'w': bits |= 0222; break;
      case 'x': bits |= 0111; break;
      case 'X':
        if (directory || (mode & 0111)) bits |= 0111;
        break;
      case 's': bits |= 06000; break;
      case 't': bits |= 01000; break;
      default: break;
    }
  }
  return bits;
}

bool is_world_writable(uint32_t mode) { return (mode & 0002) && !(mode & 01000); }

bool has_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

}  // namespace

// ---- chmod modes -------------------------------------------------------------------------------

std::optional<ChmodMode> parse_chmod_mode(std::string_view text) {
  if (text.empty()) return std::nullopt;
  if (std::all_of(text.begin(), text.end(), is_octal_digit)) {
    ChmodMode mode;
    mode.octal = true;
    mode.octal_digits = text.size();
    uint64_t value = 0;
    for (char c : text) {
      value = value * 8 + static_cast<uint64_t>(c - '0');
      if (value > 07777) return std::nullopt;
    }
    mode.octal_value = static_cast<uint32_t>(value);
    return mode;
  }
  ChmodMode mode;
  size_t pos = 0;
  while (true) {
    ModeClause clause;
    while (pos < text.size() && std::string_view("ugoa").find(text[pos]) != std::string_view::npos) {
      clause.who += text[pos++];
    }
    while (pos < text.size() && (text[pos] == '+' || text[pos] == '-' || text[pos] == '=')) {
      ModeAction action;
      action.op = text[pos++];
      if (pos < text.size() && std::string_view("ugo").find(text[pos]) != std::string_view::npos) {
        action.copy_from = text[pos++];
      } else {
        while (pos < text.size() && std::string_view("rwxXst").find(text[pos]) != std::string_view::npos) {
          action.perms += text[pos++];
        }
      }
      clause.actions.push_back(std::move(action));
    }
    if (clause.actions.empty()) return std::nullopt;
    mode.clauses.push_back(std::move(clause));
    if (pos == text.size()) break;
    if (text[pos] != ',') return std::nullopt;
    ++pos;
  }
  return mode;
}

uint32_t apply_chmod_mode(const ChmodMode& mode, uint32_t old_mode, bool directory, uint32_t umask) {
  old_mode &= 07777;
  if (mode.octal) {
    uint32_t result = mode.octal_value;
    // GNU chmod keeps a directory's set-user/group-ID bits for numeric modes of up to 4 digits.
    if (directory && mode.octal_digits < 5) result |= old_mode & 06000;
    return result;
  }
  uint32_t current = old_mode;
  for (const ModeClause& clause : mode.clauses) {
    const uint32_t mask = who_mask(clause.who);
    for (const ModeAction& action : clause.actions) {
      uint32_t value = perm_bits(action, current, directory) & mask;
      if (clause.who.empty()) value &= ~(umask & 0777);
      switch (action.op) {
        case '+': current |= value; break;
        case '-': current &= ~value; break;
        default: {  // '='
          uint32_t clear = mask & 0777;
          if (!directory) clear |= mask & 07000;
          else clear |= mask & 01000;
          current = (current & ~clear) | value;
          break;
        }
      }
    }
  }
  return current & 07777;
}

bool mode_makes_world_writable(const ChmodMode& mode) {
  return is_world_writable(apply_chmod_mode(mode, kTypicalDirMode, true)) ||
         is_world_writable(apply_chmod_mode(mode, kTypicalFileMode, false));
}

bool mode_makes_file_group_writable(const ChmodMode& mode) {
  return (apply_chmod_mode(mode, kTypicalFileMode, false) & 0022) != 0;
}

bool mode_makes_dir_group_writable(const ChmodMode& mode) {
  return (apply_chmod_mode(mode, kTypicalDirMode, true) & 0030) == 0030;
}

std::optional<std::string> mode_without_world_write(std::string_view text) {
  std::optional<ChmodMode> mode = parse_chmod_mode(text);
  if (!mode || !mode_makes_world_writable(*mode)) return std::nullopt;
  std::string out;
  if (mode->octal) {
    out = std::string(text);
    char& last = out.back();
    last = static_cast<char>('0' + ((last - '0') & ~2));
  } else {
    std::vector<std::string> parts;
    const bool several = mode->clauses.size() > 1;
    for (const ModeClause& clause : mode->clauses) {
      const bool names_others = clause.who.find_first_of("oa") != std::string::npos;
      bool grants_write = false;
      for (const ModeAction& a : clause.actions) {
        if (a.op == '-') continue;
        if (a.copy_from) {
          if (names_others) return std::nullopt;  // `o=u`: depends on the file, not rewritable
          continue;
        }
        if (a.perms.find('w') != std::string::npos) grants_write = true;
      }
      std::string who = clause.who;
      if (names_others && grants_write) {
        bool user = clause.who.find_first_of("ua") != std::string::npos;
        bool group = clause.who.find_first_of("ga") != std::string::npos;
        if (!user && !group && several) continue;  // `o+w` next to other clauses: drop it
        who = std::string(user ? "u" : "") + "g";  // the group-0 user gets what others had
      }
      std::string part = who;
      for (const ModeAction& a : clause.actions) {
        part += a.op;
        if (a.copy_from) part += a.copy_from;
        else part += a.perms;
      }
      parts.push_back(std::move(part));
    }
    if (parts.empty()) return std::nullopt;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "," : "") + parts[i];
  }
  std::optional<ChmodMode> check = parse_chmod_mode(out);
  if (!check || mode_makes_world_writable(*check)) return std::nullopt;
  return out;
}

// ---- owners ------------------------------------------------------------------------------------

OwnerSpec parse_owner_spec(std::string_view text) {
  OwnerSpec spec;
  spec.colon = text.find(':');
  if (spec.colon == std::string_view::npos) {
    spec.user = std::string(text);
    return spec;
  }
  spec.has_colon = true;
  spec.user = std::string(text.substr(0, spec.colon));
  spec.group = std::string(text.substr(spec.colon + 1));
  return spec;
}

bool is_root_id(std::string_view name_or_id) {
  if (name_or_id == "root") return true;
  if (name_or_id.empty()) return false;
  return std::all_of(name_or_id.begin(), name_or_id.end(), [](char c) { return c == '0'; });
}

// ---- commands ----------------------------------------------------------------------------------

std::optional<CommandName> command_name(const SimpleCommand& command) {
  static constexpr std::array<std::string_view, 6> kPrefixes = {"sudo", "exec", "command", "busybox", "doas", "env"};
  size_t i = 0;
  while (i < command.argv.size()) {
    std::string_view value = command.argv[i].value;
    std::string_view base = value.substr(value.rfind('/') == std::string_view::npos ? 0 : value.rfind('/') + 1);
    if (std::find(kPrefixes.begin(), kPrefixes.end(), base) == kPrefixes.end()) {
      return CommandName{std::string(base), i};
    }
    ++i;
    // Options of the prefix itself (`sudo -E`, `env -i`) and env's NAME=value words.
    while (i < command.argv.size() && (command.argv[i].value.starts_with("-") ||
                                       (base == "env" && command.argv[i].value.find('=') != std::string::npos))) {
      ++i;
    }
  }
  return std::nullopt;
}

std::optional<FileModeCommand> parse_file_mode_command(const SimpleCommand& command) {
  std::optional<CommandName> name = command_name(command);
  if (!name || (name->name != "chmod" && name->name != "chown" && name->name != "chgrp")) return std::nullopt;
  FileModeCommand out;
  out.name = name->name;
  bool options_done = false;
  for (size_t i = name->index + 1; i < command.argv.size(); ++i) {
    const ShellWord& w = command.argv[i];
    std::string_view v = w.value;
    if (!options_done && v == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && !out.spec && v.size() > 1 && v[0] == '-') {
      if (v.starts_with("--")) {
        if (v == "--recursive") out.recursive = true;
        if (v.starts_with("--reference")) return std::nullopt;  // no mode/owner word to judge
        continue;
      }
      bool all_flags = v.find_first_not_of("RcfvhHLP", 1) == std::string_view::npos;
      if (all_flags) {
        if (v.find('R') != std::string_view::npos) out.recursive = true;
        continue;
      }
      // `chmod -w file`: a symbolic mode that starts with '-'.
      if (out.name != "chmod" || !parse_chmod_mode(v)) continue;
    }
    if (!out.spec) out.spec = &w;
    else out.targets.push_back(&w);
  }
  if (!out.spec || out.targets.empty()) return std::nullopt;
  return out;
}

std::optional<MkdirCommand> parse_mkdir_command(const SimpleCommand& command) {
  std::optional<CommandName> name = command_name(command);
  if (!name || name->name != "mkdir") return std::nullopt;
  MkdirCommand out;
  bool options_done = false;
  for (size_t i = name->index + 1; i < command.argv.size(); ++i) {
    std::string_view v = command.argv[i].value;
    if (!options_done && v == "--") {
      options_done = true;
      continue;
    }
    if (!options_done && v.size() > 1 && v[0] == '-') {
      if (v.starts_with("--mode=")) {
        out.mode = std::string(v.substr(7));
      } else if (v == "--mode") {
        if (i + 1 < command.argv.size()) out.mode = command.argv[++i].value;
      } else if (!v.starts_with("--")) {
        size_t m = v.find('m');
        if (m != std::string_view::npos) {
          if (m + 1 < v.size()) out.mode = std::string(v.substr(m + 1));
          else if (i + 1 < command.argv.size()) out.mode = command.argv[++i].value;
        }
      }
      continue;
    }
    out.targets.push_back(&command.argv[i]);
  }
  if (out.targets.empty()) return std::nullopt;
  return out;
}

std::optional<std::string> resolve_shell_word(const ContainerfileContext& ctx, const Instruction& instruction,
                                              const ShellWord& word) {
  if (word.literal) return word.value;
  if (word.raw.find("$(") != std::string::npos || word.raw.find('`') != std::string::npos) return std::nullopt;
  if (word.raw.find_first_of("*?[~") != std::string::npos) return std::nullopt;
  Expanded e = ctx.model.expand(&instruction, word.raw, '\\');
  if (!e.known || !e.error.empty()) return std::nullopt;
  VarLookup scope = ctx.model.scope_at(&instruction);
  for (const std::string& name : e.referenced) {
    const Var* var = scope(name);
    if (!var || !var->known) return std::nullopt;
  }
  return e.value;
}

std::vector<RunCommand> final_image_run_commands(const ContainerfileContext& ctx) {
  std::vector<RunCommand> out;
  std::string workdir = "/";
  bool known = true;
  for (const Instruction* ins : final_image_instructions(ctx.model)) {
    if (ins->cmd == "workdir" && !ins->args.empty()) {
      Expanded e = ctx.model.expand(ins, ins->args.front().value, ctx.parsed.escape);
      workdir = absolute_path(e.value, workdir);
      known = known && e.known;
    }
    if (ins->cmd != "run") continue;
    for (const SimpleCommand& c : ctx.model.commands(ins)) out.push_back(RunCommand{ins, &c, workdir, known});
  }
  return out;
}

std::optional<std::string> resolve_path_word(const ContainerfileContext& ctx, const RunCommand& run,
                                             const ShellWord& word) {
  std::optional<std::string> value = resolve_shell_word(ctx, *run.instruction, word);
  if (!value || value->empty()) return std::nullopt;
  if ((*value)[0] != '/' && !run.workdir_known) return std::nullopt;
  return absolute_path(*value, run.workdir);
}

// ---- paths -------------------------------------------------------------------------------------

std::string absolute_path(std::string_view path, std::string_view workdir) {
  std::string joined;
  if (!path.empty() && path[0] == '/') {
    joined = std::string(path);
  } else {
    joined = std::string(workdir.empty() ? "/" : workdir) + "/" + std::string(path);
  }
  std::vector<std::string_view> parts;
  std::string_view rest = joined;
  while (!rest.empty()) {
    size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (std::string_view part : parts) {
    out += '/';
    out += part;
  }
  return out.empty() ? "/" : out;
}

bool path_within(std::string_view path, std::string_view ancestor) {
  if (ancestor == "/") return !path.empty() && path[0] == '/';
  if (!path.starts_with(ancestor)) return false;
  return path.size() == ancestor.size() || path[ancestor.size()] == '/';
}

bool within_any(std::string_view path, const PathSet& trees, bool proper) {
  if (trees.empty()) return false;
  // "/" holds every absolute path; any other ancestor is a prefix of path followed by '/'.
  if (!path.empty() && path[0] == '/' && trees.contains(std::string_view("/")) && !(proper && path == "/")) return true;
  for (size_t k = 0; k < path.size(); ++k) {
    if (path[k] == '/' && trees.contains(path.substr(0, k))) return true;
  }
  return !proper && trees.contains(path);
}

std::string shell_quote(std::string_view word) {
  bool plain = !word.empty() && std::all_of(word.begin(), word.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("_@%+=:,./-").find(c) != std::string_view::npos;
  });
  if (plain) return std::string(word);
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

// ---- images -----------------------------------------------------------------------------------

bool names_stage(const BuildModel& model, std::string_view text, bool allow_index) {
  if (text.empty()) return false;
  if (allow_index && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return true;
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return std::any_of(model.stages.begin(), model.stages.end(), [&](const Stage& s) { return s.name == lower; });
}

namespace {

// First components of Red Hat short names: ubi8, ubi9-minimal, rhel, rhel7.4, rhscl, openshift3,
// jboss-eap-7, redhat-openjdk-18, rhoar-nodejs.
bool is_red_hat_namespace(std::string_view first) {
  for (std::string_view p : {"ubi", "rhel", "rhscl", "openshift", "jboss-", "redhat-", "rhoar-", "rh-sso", "fuse7",
                             "amq7", "rhpam-", "rhdm-", "rhmap", "rhceph"}) {
    if (first.starts_with(p)) {
      std::string_view rest = first.substr(p.size());
      // "ubi9", "ubi9-minimal", "rhel7.4", "rhscl" but not "ubiquity" or "rhelper".
      return p.back() == '-' || rest.empty() || std::isdigit(static_cast<unsigned char>(rest.front())) ||
             rest.front() == '-' || rest.front() == '.';
    }
  }
  return false;
}

}  // namespace

std::optional<PulledImage> pulled_image(const ContainerfileContext& ctx, std::string_view text) {
  std::string lower;
  for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (lower == "scratch") return std::nullopt;
  std::optional<ImageReference> ref = parse_image_reference(text);
  if (!ref) return std::nullopt;
  PulledImage out;
  out.ref = *ref;
  if (is_under_proxy(text, ctx.config.proxy)) return out;
  ImageReference resolved = *ref;
  if (!ref->explicit_domain) {
    // registries.conf aliases apply to the short name without tag or digest.
    if (std::optional<std::string> full = ctx.aliases.lookup(text)) {
      std::optional<ImageReference> target = parse_image_reference(*full);
      if (!target) return out;
      resolved = *target;
      resolved.tag = ref->tag;
      resolved.digest = ref->digest;
    }
  }
  if (!resolved.is_docker_hub()) return out;
  if (!ref->explicit_domain) {
    std::string_view path = resolved.path;
    std::string_view first = path.starts_with("library/") ? path.substr(8) : path.substr(0, path.find('/'));
    if (is_red_hat_namespace(first)) {
      out.ambiguous = true;
      std::string_view name = text.substr(0, std::min(text.find('@'), text.size()));
      if (size_t colon = name.rfind(':'); colon != std::string_view::npos && name.find('/', colon) == std::string_view::npos) {
        name = name.substr(0, colon);
      }
      static const RegistryAliases kShortnames = RegistryAliases::parse(builtin_shortnames_conf());
      std::string full = kShortnames.lookup(name).value_or("registry.access.redhat.com/" + std::string(name));
      if (ref->tag) full += ":" + *ref->tag;
      if (ref->digest) full += "@" + *ref->digest;
      out.fully_qualified = full;
      return out;
    }
    if (path.starts_with("library/") && !is_docker_official_image(path.substr(8))) return out;  // a local build
  }
  out.docker_hub = true;
  out.hub_name = resolved.name();
  out.proxied = proxied_reference(resolved, ctx.config.proxy);
  return out;
}

// ---- shell editing -----------------------------------------------------------------------------

namespace {

// Scans over blanks and line continuations (escape char + newline) from pos in direction dir.
struct Scanner {
  std::string_view text;
  char escape;
  uint32_t lo;  // region bounds
  uint32_t hi;

  uint32_t skip_forward(uint32_t pos) const {
    while (pos < hi) {
      if (has_blank(text[pos])) {
        ++pos;
      } else if (text[pos] == escape && pos + 1 < hi && text[pos + 1] == '\n') {
        pos += 2;
      } else if (text[pos] == escape && pos + 2 < hi && text[pos + 1] == '\r' && text[pos + 2] == '\n') {
        pos += 3;
      } else {
        break;
      }
    }
    return pos;
  }
  // Returns the offset just after the previous non-blank byte.
  uint32_t skip_backward(uint32_t pos) const {
    while (pos > lo) {
      char c = text[pos - 1];
      if (has_blank(c)) {
        --pos;
      } else if (c == '\n') {
        uint32_t p = pos - 1;
        if (p > lo && text[p - 1] == '\r') --p;
        if (p > lo && text[p - 1] == escape) pos = p - 1;
        else break;
      } else {
        break;
      }
    }
    return pos;
  }
};

bool is_word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '/' || c == '.';
}

// The shell token that ends just before pos (pos already past blanks): "&&", "||", ";", "|",
// "\n", a word, or "" at the region start.
std::string_view token_before(std::string_view text, uint32_t lo, uint32_t pos) {
  if (pos == lo) return {};
  char c = text[pos - 1];
  if (c == '\n') return "\n";
  if ((c == '&' || c == '|') && pos - 1 > lo && text[pos - 2] == c) return text.substr(pos - 2, 2);
  if (c == ';' || c == '|' || c == '&' || c == '(' || c == ')') return text.substr(pos - 1, 1);
  uint32_t b = pos;
  while (b > lo && is_word_char(text[b - 1])) --b;
  if (b == pos) return text.substr(pos - 1, 1);  // a quote or another single byte
  return text.substr(b, pos - b);
}

std::string_view token_after(std::string_view text, uint32_t pos, uint32_t hi) {
  if (pos >= hi) return {};
  char c = text[pos];
  if (c == '\n') return "\n";
  if ((c == '&' || c == '|' || c == ';') && pos + 1 < hi && text[pos + 1] == c) return text.substr(pos, 2);
  if (std::string_view(";|&()<>").find(c) != std::string_view::npos) return text.substr(pos, 1);
  uint32_t e = pos;
  while (e < hi && is_word_char(text[e])) ++e;
  return text.substr(pos, std::max<uint32_t>(e - pos, 1));
}

bool closes_block(std::string_view token) {
  return token == "fi" || token == "done" || token == "esac" || token == "}" || token == ")" || token == ";;" ||
         token == "else" || token == "elif" || token == "then" || token == "do";
}

}  // namespace

Edit remove_instruction_edit(const SourceFile& source, const Instruction& instruction) {
  uint32_t begin = source.line_start(instruction.start_line);
  uint32_t last = instruction.full_range.end.line;
  uint32_t end = last < source.line_count() ? source.line_start(last + 1) : static_cast<uint32_t>(source.text().size());
  return Edit{begin, end, ""};
}

std::optional<Edit> remove_simple_command_edit(const ContainerfileContext& ctx, const Instruction& instruction,
                                               const SimpleCommand& command) {
  if (command.depth != 0 || instruction.json_form) return std::nullopt;
  const std::vector<SimpleCommand>& all = ctx.model.commands(&instruction);
  size_t runnable = std::count_if(all.begin(), all.end(), [](const SimpleCommand& c) { return !c.argv.empty(); });
  if (runnable == 1) return remove_instruction_edit(ctx.source, instruction);

  std::string_view text = ctx.source.text();
  uint32_t lo = instruction.rest.source_begin(0);
  uint32_t hi = instruction.rest.source_end(instruction.rest.text.size());
  bool in_heredoc = false;
  for (const Heredoc& h : instruction.heredocs) {
    if (command.range.begin.offset >= h.body_range.begin.offset && command.range.end.offset <= h.body_range.end.offset) {
      lo = h.body_range.begin.offset;
      hi = h.body_range.end.offset;
      in_heredoc = true;
    }
  }
  if (command.range.begin.offset < lo || command.range.end.offset > hi) return std::nullopt;
  Scanner scan{text, ctx.parsed.escape, lo, hi};
  const uint32_t begin = command.range.begin.offset;
  const uint32_t end = command.range.end.offset;
  const uint32_t before = scan.skip_backward(begin);
  const uint32_t after = scan.skip_forward(end);
  std::string_view prev = token_before(text, lo, before);
  std::string_view next = token_after(text, after, hi);

  // A heredoc line holding only this command: drop the line.
  if (in_heredoc && (prev.empty() || prev == "\n") && (next.empty() || next == "\n")) {
    uint32_t line_end = next == "\n" ? after + 1 : after;
    return Edit{before, line_end, ""};
  }
  const bool prev_ok = prev.empty() || prev == "&&" || prev == "||" || prev == ";" || prev == "\n" ||
                       prev == "then" || prev == "do" || prev == "else" || prev == "{";
  // Forward: `chmod x && next` → `next`, when a command follows the connector.
  if (prev_ok && (next == "&&" || next == "||" || next == ";")) {
    uint32_t following = scan.skip_forward(after + static_cast<uint32_t>(next.size()));
    std::string_view then = token_after(text, following, hi);
    if (!then.empty() && then != "\n" && !closes_block(then) && std::string_view(";|&)").find(then[0]) == std::string_view::npos) {
      return Edit{begin, following, ""};
    }
  }
  // Backward: `prev && chmod x` → `prev`, when the command ends its list.
  if (prev == "&&" || prev == "||" || prev == ";") {
    const bool end_ok = next.empty() || next == "\n" || next == ";" || next == ";;" || next == ")" || next == "}" ||
                        next == "fi" || next == "done" || next == "esac" || next == "&";
    if (end_ok) {
      uint32_t cut = scan.skip_backward(before - static_cast<uint32_t>(prev.size()));
      std::string_view earlier = token_before(text, lo, cut);
      if (!earlier.empty() && earlier != "\n" && earlier != "&&" && earlier != "||" && earlier != ";" &&
          earlier != "|" && earlier != "then" && earlier != "do" && earlier != "else" && earlier != "{") {
        return Edit{cut, end, ""};
      }
    }
  }
  return std::nullopt;
}

}  // namespace okd
