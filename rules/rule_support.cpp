#include "rules/rule_support.h"

#include <cctype>

#include <algorithm>
#include <charconv>
#include <limits>
#include <map>

#include "lint/text.h"

namespace okd {

// ===== Section rules-user =====================================================================

namespace {

bool is_blank(char c) { return c == ' ' || c == '\t'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }

std::string_view source_text(const SourceFile& source, uint32_t begin, uint32_t end) {
  return std::string_view(source.text()).substr(begin, end - begin);
}

// References and definitions can refer to each other (`ENV PATH=$PATH:/x`); following them is
// bounded so that a cycle cannot recurse forever.
constexpr int kMaxReferenceDepth = 8;

struct Definition {
  const Instruction* instruction = nullptr;
  uint32_t begin = 0;
  uint32_t end = 0;
};

bool before(const Instruction* a, const Instruction* b) { return a->range.begin.offset < b->range.begin.offset; }

// ARG words `NAME=default` / `NAME`, the last one declaring `name` among `instructions` before `at`.
// found=false: no declaration. definition unset with found=true: declared without a default.
struct ArgLookup {
  bool found = false;
  std::optional<Definition> definition;
};

ArgLookup find_arg(const ContainerfileContext& ctx, const std::vector<const Instruction*>& instructions,
                   const Instruction* at, std::string_view name) {
  ArgLookup result;
  for (auto it = instructions.rbegin(); it != instructions.rend(); ++it) {
    const Instruction* ins = *it;
    if (ins->cmd != "arg" || !before(ins, at)) continue;
    for (auto w = ins->args.rbegin(); w != ins->args.rend(); ++w) {
      std::string_view value = w->value;
      size_t eq = value.find('=');
      if (value.substr(0, eq) != name) continue;
      result.found = true;
      if (eq == std::string_view::npos) return result;
      std::string_view raw = ctx.text(w->range);
      if (raw.size() <= name.size() || raw.substr(0, name.size()) != name || raw[name.size()] != '=') return result;
      uint32_t begin = w->range.begin.offset + static_cast<uint32_t>(name.size()) + 1;
      result.definition = Definition{ins, begin, w->range.end.offset};
      return result;
    }
  }
  return result;
}

std::optional<Definition> find_definition(const ContainerfileContext& ctx, const Instruction* at, std::string_view name) {
  const BuildModel& model = ctx.model;
  const Stage* stage = model.stage_of(at);
  bool build_arg = ctx.config.build_args.count(std::string(name)) > 0;
  if (stage && at != stage->from) {
    // ENV wins over ARG and is inherited from the stages this one is built FROM.
    for (const Stage* s = stage; s; s = s->parent ? &model.stages[*s->parent] : nullptr) {
      for (auto it = s->instructions.rbegin(); it != s->instructions.rend(); ++it) {
        const Instruction* ins = *it;
        if (ins->cmd != "env" || (s == stage && !before(ins, at))) continue;
        for (auto kv = ins->pairs.rbegin(); kv != ins->pairs.rend(); ++kv) {
          if (kv->key == name) return Definition{ins, kv->value_range.begin.offset, kv->value_range.end.offset};
        }
      }
    }
    ArgLookup arg = find_arg(ctx, stage->instructions, at, name);
    if (arg.found) {
      if (build_arg) return std::nullopt;
      if (arg.definition) return arg.definition;
      // A bare `ARG NAME` in a stage takes the global value.
      ArgLookup global = find_arg(ctx, model.global_args, stage->from, name);
      return global.found && !build_arg ? global.definition : std::nullopt;
    }
    return std::nullopt;
  }
  ArgLookup global = find_arg(ctx, model.global_args, at, name);
  if (!global.found || build_arg) return std::nullopt;
  return global.definition;
}

// `$NAME` or `${NAME}`: the name; otherwise empty.
std::string_view single_reference(std::string_view raw) {
  if (raw.size() < 2 || raw[0] != '$') return {};
  std::string_view name = raw.substr(1);
  if (name.front() == '{') {
    if (name.size() < 3 || name.back() != '}') return {};
    name = name.substr(1, name.size() - 2);
  }
  if (!is_name_start(name.front())) return {};
  for (char c : name) {
    if (!is_name_char(c)) return {};
  }
  return name;
}

bool has_special(std::string_view text, char escape) {
  return text.find_first_of(std::string("$\"'`") + escape) != std::string_view::npos;
}

std::optional<LiteralSource> literal_source_at(const ContainerfileContext& ctx, const Instruction* at, uint32_t begin,
                                               uint32_t end, int depth) {
  if (depth > kMaxReferenceDepth || begin > end) return std::nullopt;
  std::string_view raw = source_text(ctx.source, begin, end);
  char escape = ctx.parsed.escape;
  if (!has_special(raw, escape)) return LiteralSource{begin, end, std::string(raw)};
  std::string_view inner = raw;
  uint32_t inner_begin = begin;
  if (raw.size() >= 2 && raw.front() == raw.back() && (raw.front() == '"' || raw.front() == '\'')) {
    inner = raw.substr(1, raw.size() - 2);
    inner_begin = begin + 1;
    if (!has_special(inner, escape)) return LiteralSource{inner_begin, inner_begin + uint32_t(inner.size()), std::string(inner)};
    if (raw.front() == '\'') return std::nullopt;
  }
  std::string_view name = single_reference(inner);
  if (name.empty()) return std::nullopt;
  std::optional<Definition> def = find_definition(ctx, at, name);
  if (!def) return std::nullopt;
  return literal_source_at(ctx, def->instruction, def->begin, def->end, depth + 1);
}

bool locate_number_at(const ContainerfileContext& ctx, const Instruction* at, uint32_t begin, uint32_t end, int number,
                      int& skip, int depth, std::pair<uint32_t, uint32_t>& found) {
  if (depth > kMaxReferenceDepth) return false;
  std::string_view raw = source_text(ctx.source, begin, end);
  char escape = ctx.parsed.escape;
  size_t i = 0;
  while (i < raw.size()) {
    char c = raw[i];
    if (c == escape) {
      i += 2;
    } else if (c == '$') {
      size_t name_begin = i + 1, name_end = name_begin, next = name_begin;
      if (name_begin < raw.size() && raw[name_begin] == '{') {
        size_t close = raw.find('}', name_begin);
        if (close == std::string_view::npos) return false;
        name_begin += 1;
        name_end = name_begin;
        while (name_end < close && is_name_char(raw[name_end])) ++name_end;
        next = close + 1;
        if (name_end != close) {  // ${NAME:-default} and friends: not followed
          i = next;
          continue;
        }
      } else {
        while (name_end < raw.size() && is_name_char(raw[name_end])) ++name_end;
        next = name_end;
      }
      if (name_end > name_begin) {
        std::string_view name = raw.substr(name_begin, name_end - name_begin);
        if (std::optional<Definition> def = find_definition(ctx, at, name)) {
          if (locate_number_at(ctx, def->instruction, def->begin, def->end, number, skip, depth + 1, found)) return true;
        }
      }
      i = std::max(next, i + 1);
    } else if (is_digit(c)) {
      size_t j = i;
      while (j < raw.size() && is_digit(raw[j])) ++j;
      std::optional<int> value = parse_port(raw.substr(i, j - i));
      if (value && *value == number) {
        if (skip == 0) {
          found = {begin + static_cast<uint32_t>(i), begin + static_cast<uint32_t>(j)};
          return true;
        }
        --skip;
      }
      i = j;
    } else if (is_name_char(c)) {
      // Digits inside a word such as "http2" are not a port.
      while (i < raw.size() && is_name_char(raw[i])) ++i;
    } else {
      ++i;
    }
  }
  return false;
}

bool starts_with_option(std::string_view word) { return word.size() > 1 && word[0] == '-'; }

}  // namespace

// ---- Text and edits ----

std::string_view line_ending(const SourceFile& source) {
  const std::string& text = source.text();
  size_t nl = text.find('\n');
  if (nl != std::string::npos && nl > 0 && text[nl - 1] == '\r') return "\r\n";
  return "\n";
}

std::string_view indentation_of(const SourceFile& source, const Instruction& instruction) {
  uint32_t start = source.line_start(instruction.range.begin.line);
  std::string_view prefix = source_text(source, start, instruction.range.begin.offset);
  size_t blanks = 0;
  while (blanks < prefix.size() && is_blank(prefix[blanks])) ++blanks;
  return prefix.substr(0, blanks);
}

Edit insert_line_before(const SourceFile& source, const Instruction& instruction, std::string_view line) {
  uint32_t start = source.line_start(instruction.range.begin.line);
  std::string text = std::string(indentation_of(source, instruction)) + std::string(line) + std::string(line_ending(source));
  return Edit{start, start, std::move(text)};
}

namespace {

// The file's escape character, from an `# escape=` directive in its leading comment block.
char escape_of(std::string_view text) {
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    size_t i = line.find_first_not_of(" \t");
    if (i == std::string_view::npos || line[i] != '#') break;
    std::string lowered;
    for (char c : line.substr(i + 1)) if (c != ' ' && c != '\t' && c != '\r') lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lowered == "escape=`") return '`';
    if (nl == std::string_view::npos) break;
    pos = nl + 1;
  }
  return '\\';
}

}  // namespace

Edit insert_line_after(const SourceFile& source, const Instruction& instruction, std::string_view line) {
  const std::string& text = source.text();
  std::string indented = std::string(indentation_of(source, instruction)) + std::string(line);
  const uint32_t end = instruction.full_range.end.offset;
  size_t nl = text.find('\n', end);
  // An instruction whose last line still ends in the escape character continued to the end of
  // the file (only blank or comment lines follow): a line inserted after it would be swallowed
  // into it, so the dangling escape goes.
  if (instruction.heredocs.empty() && end > instruction.range.begin.offset && text[end - 1] == escape_of(text)) {
    uint32_t line_end = nl == std::string::npos ? static_cast<uint32_t>(text.size()) : static_cast<uint32_t>(nl + 1);
    std::string tail = text.substr(end, line_end - end);
    if (nl == std::string::npos) return Edit{end - 1, line_end, tail + std::string(line_ending(source)) + indented};
    return Edit{end - 1, line_end, tail + indented + std::string(line_ending(source))};
  }
  if (nl == std::string::npos) {
    auto size = static_cast<uint32_t>(text.size());
    return Edit{size, size, std::string(line_ending(source)) + indented};
  }
  uint32_t at = static_cast<uint32_t>(nl + 1);
  return Edit{at, at, indented + std::string(line_ending(source))};
}

Edit replace_range(const Range& range, std::string replacement) {
  return Edit{range.begin.offset, range.end.offset, std::move(replacement)};
}

// ---- The final image ----

std::vector<const Instruction*> final_image_instructions(const BuildModel& model) {
  std::vector<const Stage*> chain = model.target_chain();
  std::vector<const Instruction*> out;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    out.insert(out.end(), (*it)->instructions.begin(), (*it)->instructions.end());
  }
  return out;
}

bool in_final_image(const BuildModel& model, const Instruction* instruction) {
  const Stage* stage = model.stage_of(instruction);
  if (!stage) return false;
  std::vector<const Stage*> chain = model.target_chain();
  return std::find(chain.begin(), chain.end(), stage) != chain.end();
}

const Instruction* effective_instruction(const BuildModel& model, std::string_view cmd) {
  const Instruction* last = nullptr;
  for (const Instruction* ins : final_image_instructions(model)) {
    if (ins->cmd == cmd) last = ins;
  }
  return last;
}

const Stage* chain_root(const BuildModel& model) {
  std::vector<const Stage*> chain = model.target_chain();
  return chain.empty() ? nullptr : chain.back();
}

std::string final_base_image(const ContainerfileContext& ctx) {
  const Stage* root = chain_root(ctx.model);
  if (!root) return "";
  if (root->base.known && !root->base.value.empty()) return root->base.value;
  return std::string(ctx.text(root->base_range));
}

// ---- Words ----

std::optional<std::string> resolved_word(const BuildModel& model, const Instruction* instruction, const ShellWord& word) {
  if (word.literal) return word.value;
  if (word.raw.find("$(") != std::string::npos || word.raw.find('`') != std::string::npos) return std::nullopt;
  Expanded e = model.expand(instruction, word.raw);
  if (!e.known || !e.error.empty()) return std::nullopt;
  return e.value;
}

std::string_view program_name(std::string_view argv0) {
  size_t slash = argv0.rfind('/');
  return slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
}

std::optional<size_t> command_name_index(const SimpleCommand& command) {
  const std::vector<ShellWord>& argv = command.argv;
  size_t i = 0;
  while (i < argv.size()) {
    std::string_view name = program_name(argv[i].value);
    if (name == "exec" || name == "command" || name == "nohup" || name == "time") {
      ++i;
      while (i < argv.size() && starts_with_option(argv[i].value)) ++i;
    } else if (name == "env") {
      ++i;
      while (i < argv.size() && (starts_with_option(argv[i].value) || argv[i].value.find('=') != std::string::npos)) ++i;
    } else {
      return i;
    }
  }
  return std::nullopt;
}

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
  return std::nullopt;
}

// ---- Variable definitions ----

std::optional<LiteralSource> variable_definition(const ContainerfileContext& ctx, const Instruction* at,
                                                 std::string_view name) {
  std::optional<Definition> def = find_definition(ctx, at, name);
  if (!def) return std::nullopt;
  return LiteralSource{def->begin, def->end, std::string(source_text(ctx.source, def->begin, def->end))};
}

std::optional<LiteralSource> literal_source(const ContainerfileContext& ctx, const Instruction* at, uint32_t begin,
                                            uint32_t end) {
  return literal_source_at(ctx, at, begin, end, 0);
}

std::optional<std::pair<uint32_t, uint32_t>> locate_number(const ContainerfileContext& ctx, const Instruction* at,
                                                           uint32_t begin, uint32_t end, int number, int skip) {
  std::pair<uint32_t, uint32_t> found;
  if (locate_number_at(ctx, at, begin, end, number, skip, 0, found)) return found;
  return std::nullopt;
}

UserParts user_parts(const ContainerfileContext& ctx, const Instruction& user_instruction) {
  UserParts parts;
  if (user_instruction.args.empty()) return parts;
  const Range& word = user_instruction.args.front().range;
  auto split = [](const LiteralSource& whole, size_t colon, UserParts& into) {
    uint32_t c = whole.begin + static_cast<uint32_t>(colon);
    into.user = LiteralSource{whole.begin, c, whole.text.substr(0, colon)};
    into.group = LiteralSource{c + 1, whole.end, whole.text.substr(colon + 1)};
  };
  parts.whole = literal_source(ctx, &user_instruction, word.begin.offset, word.end.offset);
  if (parts.whole) {
    size_t colon = parts.whole->text.find(':');
    if (colon == std::string::npos) {
      parts.user = parts.whole;
    } else {
      split(*parts.whole, colon, parts);
    }
    return parts;
  }
  // `$UID:$GID`: the first ':' outside ${...}.
  std::string_view raw = ctx.text(word);
  size_t colon = std::string_view::npos;
  int braces = 0;
  for (size_t i = 0; i < raw.size() && colon == std::string_view::npos; ++i) {
    if (raw[i] == '{') ++braces;
    else if (raw[i] == '}') --braces;
    else if (raw[i] == ':' && braces == 0) colon = i;
  }
  uint32_t begin = word.begin.offset, end = word.end.offset;
  if (colon == std::string_view::npos) {
    parts.user = literal_source(ctx, &user_instruction, begin, end);
    return parts;
  }
  uint32_t c = begin + static_cast<uint32_t>(colon);
  parts.user = literal_source(ctx, &user_instruction, begin, c);
  parts.group = literal_source(ctx, &user_instruction, c + 1, end);
  return parts;
}

// ---- Ports ----

std::optional<int> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (!is_digit(c)) return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > 65535) return std::nullopt;
  return value;
}

std::optional<int> listen_address_port(std::string_view text) {
  size_t scheme = text.find("://");
  if (scheme != std::string_view::npos) {
    for (char c : text.substr(0, scheme)) {
      if (!is_name_char(c) && c != '+' && c != '-' && c != '.') return std::nullopt;
    }
    text = text.substr(scheme + 3);
  }
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  std::string_view host = text.substr(0, colon);
  bool host_ok = host.empty() || host == "*" || host == "localhost";
  if (!host_ok && host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host_ok = std::all_of(host.begin() + 1, host.end() - 1, [](char c) {
      return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
    });
  }
  if (!host_ok) {
    int parts = 0;
    size_t pos = 0;
    host_ok = true;
    while (host_ok && pos <= host.size()) {
      size_t dot = host.find('.', pos);
      std::string_view part = host.substr(pos, dot == std::string_view::npos ? std::string_view::npos : dot - pos);
      std::optional<int> octet = parse_port(part);
      host_ok = part.size() <= 3 && octet && *octet <= 255;
      ++parts;
      if (dot == std::string_view::npos) break;
      pos = dot + 1;
    }
    host_ok = host_ok && parts == 4;
  }
  if (!host_ok) return std::nullopt;
  return parse_port(text.substr(colon + 1));
}

namespace {

// Adds a listen-argument site whose port digits sit in the raw word after byte `skip_raw`.
void add_listen_site(const ContainerfileContext& ctx, const Instruction* ins, const ShellWord& word, size_t skip_raw,
                     int port, std::string written, std::vector<PortSite>& out) {
  PortSite site;
  site.kind = PortSiteKind::Listen;
  site.instruction = ins;
  site.word_begin = word.range.begin.offset + static_cast<uint32_t>(std::min(skip_raw, size_t(word.range.size())));
  site.word_end = word.range.end.offset;
  site.first = site.last = port;
  site.written = std::move(written);
  site.range = word.range;
  if (auto digits = locate_number(ctx, ins, site.word_begin, site.word_end, port)) {
    site.range = ctx.source.range(digits->first, digits->second);
  }
  out.push_back(std::move(site));
}

bool is_port_option(std::string_view option) {
  if (option == "-p") return true;
  if (!option.starts_with("--")) return false;
  return ascii_lower(option).ends_with("port");
}

void listen_sites(const ContainerfileContext& ctx, const Instruction* ins, std::vector<PortSite>& out) {
  for (const SimpleCommand& command : ctx.model.commands(ins)) {
    const std::vector<ShellWord>& argv = command.argv;
    for (size_t k = 1; k < argv.size(); ++k) {
      const ShellWord& w = argv[k];
      if (!w.literal) continue;
      std::string_view v = w.value;
      std::string_view raw = ctx.text(w.range);
      if (v.starts_with("--") && v.find('=') != std::string_view::npos) {
        size_t eq = v.find('=');
        std::string_view value = v.substr(eq + 1);
        size_t raw_eq = raw.find('=');
        std::optional<int> port = is_port_option(v.substr(0, eq)) ? parse_port(value) : listen_address_port(value);
        if (port && is_privileged_port(*port)) {
          size_t skip = raw_eq == std::string_view::npos ? 0 : raw_eq + 1;
          size_t raw_colon = raw.rfind(':');
          if (!is_port_option(v.substr(0, eq)) && raw_colon != std::string_view::npos) skip = std::max(skip, raw_colon + 1);
          add_listen_site(ctx, ins, w, skip, *port, std::string(v), out);
        }
      } else if (is_port_option(v) && k + 1 < argv.size() && argv[k + 1].literal) {
        std::optional<int> port = parse_port(argv[k + 1].value);
        if (port && is_privileged_port(*port)) {
          add_listen_site(ctx, ins, argv[k + 1], 0, *port, std::string(v) + " " + argv[k + 1].value, out);
          ++k;
        }
      } else if (std::optional<int> port = listen_address_port(v); port && is_privileged_port(*port)) {
        size_t colon = raw.rfind(':');
        add_listen_site(ctx, ins, w, colon == std::string_view::npos ? 0 : colon + 1, *port, std::string(v), out);
      }
    }
  }
}

}  // namespace

std::vector<PortSite> privileged_port_sites(const ContainerfileContext& ctx) {
  std::vector<PortSite> out;
  const BuildModel& model = ctx.model;
  if (!model.target) return out;
  for (const ExposedPort& p : model.stages[*model.target].exposed) {
    if (!p.first || !p.last || *p.first > 1023 || *p.last < 1) continue;
    PortSite site;
    site.kind = PortSiteKind::Expose;
    site.instruction = p.instruction;
    site.range = p.range;
    site.word_begin = p.range.begin.offset;
    site.word_end = p.range.end.offset;
    site.first = *p.first;
    site.last = *p.last;
    site.written = "EXPOSE " + std::string(ctx.text(p.range));
    out.push_back(std::move(site));
  }
  // Only the ENV value the image ends up with: a later ENV of the same name replaces it.
  std::map<std::string, std::pair<const Instruction*, const KeyValue*>> last_env;
  for (const Instruction* ins : final_image_instructions(model)) {
    if (ins->cmd != "env") continue;
    for (const KeyValue& kv : ins->pairs) last_env[kv.key] = {ins, &kv};
  }
  for (const Instruction* ins : final_image_instructions(model)) {
    if (ins->cmd != "env") continue;
    for (const KeyValue& kv : ins->pairs) {
      if (ascii_upper(kv.key).find("PORT") == std::string::npos || last_env[kv.key].second != &kv) continue;
      Expanded e = process_word(kv.value, model.scope_at(ins), ctx.parsed.escape);
      if (!e.known) continue;
      std::optional<int> port = parse_port(e.value);
      if (!port || !is_privileged_port(*port)) continue;
      PortSite site;
      site.kind = PortSiteKind::Env;
      site.instruction = ins;
      site.range = kv.value_range;
      site.word_begin = kv.value_range.begin.offset;
      site.word_end = kv.value_range.end.offset;
      site.first = site.last = *port;
      site.written = "ENV " + kv.key + "=" + kv.value;
      out.push_back(std::move(site));
    }
  }
  for (std::string_view cmd : {"entrypoint", "cmd"}) {
    if (const Instruction* ins = effective_instruction(model, cmd)) listen_sites(ctx, ins, out);
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const PortSite& a, const PortSite& b) { return a.range.begin.offset < b.range.begin.offset; });
  return out;
}

std::optional<Fix> port_remap_fix(const ContainerfileContext& ctx, const std::vector<PortSite>& sites,
                                  const PortSite& site) {
  int delta = ctx.config.map_port(site.first) - site.first;
  int new_first = site.first + delta, new_last = site.last + delta;
  if (new_first < 1024 || new_last > 65535) return std::nullopt;
  std::vector<Edit> edits;
  auto add = [&](std::pair<uint32_t, uint32_t> digits, int port) {
    for (const Edit& e : edits) {
      if (e.begin < digits.second && digits.first < e.end) return;  // already moved (a shared ARG) or clashing
    }
    edits.push_back(Edit{digits.first, digits.second, std::to_string(port)});
  };
  Fix fix;
  fix.applicability = Applicability::Unsafe;
  // Moving EXPOSE alone changes the documentation, not what the application listens on: a remap
  // is offered only when it also moves a listen setting the file shows (ENV *PORT*, an argument).
  bool moves_listen = site.kind != PortSiteKind::Expose;
  if (site.first != site.last) {
    if (!moves_listen) return std::nullopt;
    auto first = locate_number(ctx, site.instruction, site.word_begin, site.word_end, site.first);
    auto last = locate_number(ctx, site.instruction, site.word_begin, site.word_end, site.last);
    if (!first || !last) return std::nullopt;
    add(*first, new_first);
    add(*last, new_last);
    fix.description = "move ports " + std::to_string(site.first) + "-" + std::to_string(site.last) + " to " +
                      std::to_string(new_first) + "-" + std::to_string(new_last);
  } else {
    auto own = locate_number(ctx, site.instruction, site.word_begin, site.word_end, site.first);
    if (!own) return std::nullopt;
    add(*own, new_first);
    for (const PortSite& other : sites) {
      if (&other == &site || other.first != site.first || other.last != site.last) continue;
      if (auto digits = locate_number(ctx, other.instruction, other.word_begin, other.word_end, other.first)) {
        add(*digits, new_first);
        moves_listen = moves_listen || other.kind != PortSiteKind::Expose;
      }
    }
    if (!moves_listen) return std::nullopt;
    fix.description = "move port " + std::to_string(site.first) + " to " + std::to_string(new_first);
  }
  std::sort(edits.begin(), edits.end(), [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  fix.edits = std::move(edits);
  return fix;
}

// ---- Privilege escalation ----

bool is_privilege_switch_tool(std::string_view program) {
  return program == "sudo" || program == "su" || program == "gosu" || program == "su-exec" || program == "doas";
}

bool mode_sets_setid(std::string_view mode) {
  if (mode.empty()) return false;
  if (std::all_of(mode.begin(), mode.end(), [](char c) { return c >= '0' && c <= '7'; })) {
    if (mode.size() < 4) return false;
    int special = mode[mode.size() - 4] - '0';
    return (special & 6) != 0;
  }
  size_t pos = 0;
  while (pos <= mode.size()) {
    size_t comma = mode.find(',', pos);
    std::string_view clause = mode.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    size_t k = 0;
    while (k < clause.size() && std::string_view("ugoa").find(clause[k]) != std::string_view::npos) ++k;
    std::string_view who = clause.substr(0, k);
    bool who_ok = who.empty() || who.find_first_of("uga") != std::string_view::npos;
    char op = 0;
    for (; k < clause.size(); ++k) {
      char c = clause[k];
      if (c == '+' || c == '-' || c == '=') {
        op = c;
      } else if (c == 's' && (op == '+' || op == '=') && who_ok) {
        return true;
      }
    }
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

std::optional<size_t> chmod_setid_mode_index(const std::vector<std::string>& argv) {
  if (argv.empty() || program_name(argv[0]) != "chmod") return std::nullopt;
  for (size_t i = 1; i < argv.size(); ++i) {
    std::string_view a = argv[i];
    if (a == "--") {
      if (i + 1 < argv.size() && mode_sets_setid(argv[i + 1])) return i + 1;
      return std::nullopt;
    }
    if (a.starts_with("--reference")) return std::nullopt;
    // GNU chmod takes "-s"/"-x"-style modes too; they only remove bits, so skipping them is right.
    if (starts_with_option(a)) continue;
    if (mode_sets_setid(a)) return i;
    return std::nullopt;
  }
  return std::nullopt;
}

// ===== End of section rules-user ==============================================================

}  // namespace okd
