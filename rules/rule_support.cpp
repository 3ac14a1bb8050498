#include "rules/rule_support.h"

#include <cctype>

#include <algorithm>
#include <charconv>
#include <cstdint>
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

std::string group_like_owner_command(std::string_view quoted_dir, bool recursive) {
  std::string dir(quoted_dir);
  if (!recursive) return "chgrp 0 " + dir + " && chmod g=u " + dir;
  // `-perm -100` rather than GNU's `-perm /111`: BusyBox find knows only the former; after g=u,
  // owner-executable and group-executable are the same files.
  return "chgrp -R 0 " + dir + " && chmod -R g=u " + dir + " && find " + dir +
         " -type f -perm -100 -exec chmod g-w {} +";
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

std::string facts_origin(const BaseFacts& facts) {
  if (facts.family == "config") return "as bases: in the configuration states";
  if (facts.from_image) return "read from the registry";
  if (!facts.family.empty()) return "built-in facts for " + facts.family;
  return "as known";
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
