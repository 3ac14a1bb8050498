#include "lint/model.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iterator>

#include "lint/text.h"

namespace okd {
namespace {

// BuildKit defines these automatically in the global scope; their values depend on the build
// machine and --platform, so they are unknown here unless given with --build-arg.
constexpr const char* kPlatformArgs[] = {"TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
                                         "BUILDPLATFORM",  "BUILDOS",  "BUILDARCH",  "BUILDVARIANT"};

VarLookup lookup_in(const VarMap& vars) {
  return [&vars](std::string_view name) -> const Var* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : &it->second;
  };
}

std::optional<int> parse_port_number(std::string_view s) {
  if (s.empty() || s.size() > 5) return std::nullopt;
  int value = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return value;
}

void parse_port_spec(ExposedPort& port) {
  if (!port.value.known) return;
  std::string_view v = port.value.value;
  size_t slash = v.find('/');
  if (slash != std::string_view::npos) {
    port.protocol = ascii_lower(v.substr(slash + 1));
    v = v.substr(0, slash);
  }
  size_t dash = v.find('-');
  port.first = parse_port_number(v.substr(0, dash));
  port.last = dash == std::string_view::npos ? port.first : parse_port_number(v.substr(dash + 1));
}

// BuildKit's dockerfile2llb portSpecs.parsePort on one expanded EXPOSE word: "" when valid.
std::string expose_error(std::string_view spec) {
  size_t colon = spec.rfind(':');
  std::string_view container = colon == std::string_view::npos ? spec : spec.substr(colon + 1);
  size_t slash = container.find('/');
  std::string_view port = container.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string proto = ascii_lower(container.substr(slash + 1));
    if (!proto.empty() && proto != "tcp" && proto != "udp" && proto != "sctp") {
      return "invalid port: \"" + std::string(spec) + "\": invalid proto: " + std::string(container.substr(slash + 1));
    }
  }
  if (port.empty()) return "invalid port: \"" + std::string(spec) + "\": no port specified";
  auto number = [](std::string_view s) -> std::optional<long> {
    if (s.starts_with('+')) s.remove_prefix(1);
    if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    long v = 0;
    std::from_chars(s.data(), s.data() + s.size(), v);
    if (v > 65535) return std::nullopt;
    return v;
  };
  size_t dash = port.find('-');
  std::optional<long> first = number(port.substr(0, dash));
  std::optional<long> last = first;
  if (dash != std::string_view::npos && port.substr(dash + 1) != port.substr(0, dash)) last = number(port.substr(dash + 1));
  if (!first || !last || *last < *first) {
    return "invalid containerPort: " + std::string(port) + " (a port or range of ports 0-65535)";
  }
  return "";
}

std::string join_path(const std::string& base, const std::string& rel) {
  if (!rel.empty() && rel[0] == '/') return rel;
  if (base.empty() || base.back() == '/') return base + rel;
  return base + "/" + rel;
}

bool is_shell_name(std::string_view argv0) {
  size_t slash = argv0.rfind('/');
  std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
  return base == "sh" || base == "bash" || base == "ash" || base == "dash" || base == "zsh" || base == "ksh";
}

ShellWord word_from_arg(const Word& w, const SourceFile& source) {
  ShellWord sw;
  sw.value = w.value;
  sw.raw = source.text().substr(w.range.begin.offset, w.range.size());
  sw.range = w.range;
  sw.literal = true;
  return sw;
}

std::vector<SimpleCommand> commands_of(const Instruction& ins, const SourceFile& source) {
  std::vector<SimpleCommand> out;
  if (ins.json_form) {
    if (ins.args.empty()) return out;
    SimpleCommand cmd;
    for (const Word& w : ins.args) cmd.argv.push_back(word_from_arg(w, source));
    cmd.range = {ins.args.front().range.begin, ins.args.back().range.end};
    bool shell_c = cmd.argv.size() >= 3 && is_shell_name(cmd.argv[0].value) && cmd.argv[1].value == "-c";
    out.push_back(std::move(cmd));
    if (shell_c) {
      // ["sh", "-c", "script"]: split the script too. Map it to the source when the JSON string
      // has no escapes, so ranges stay exact; otherwise positions fall on the whole string.
      const Word& script = ins.args[2];
      std::string_view literal = std::string_view(source.text()).substr(script.range.begin.offset, script.range.size());
      if (literal.size() >= 2 && literal.find('\\') == std::string_view::npos) {
        Range inner = source.range(script.range.begin.offset + 1, script.range.end.offset - 1);
        for (SimpleCommand& c : split_shell_range(source, inner)) {
          c.depth += 1;
          out.push_back(std::move(c));
        }
      }
    }
    return out;
  }
  out = split_shell(ins.rest, source);
  if (ins.cmd == "run" && !ins.heredocs.empty()) {
    // The body is a shell script when the heredoc feeds a shell (or the RUN line is only the
    // heredoc), unless its shebang names another interpreter.
    bool feeds_shell = out.empty() || out.front().argv.empty() || is_shell_name(out.front().argv.front().value);
    for (const Heredoc& h : ins.heredocs) {
      if (!feeds_shell || h.fd != 0) continue;
      std::string_view body = h.content;
      if (body.substr(0, 2) == "#!") {
        std::string_view shebang = body.substr(2, body.find('\n') - 2);
        size_t space = shebang.find(' ');
        std::string_view interp = shebang.substr(0, space);
        if (!is_shell_name(interp) && !(interp.ends_with("/env") && space != std::string_view::npos &&
                                         is_shell_name(shebang.substr(space + 1)))) {
          continue;
        }
      }
      for (SimpleCommand& c : split_shell_range(source, h.body_range)) out.push_back(std::move(c));
    }
  }
  return out;
}

class ModelBuilder {
 public:
  ModelBuilder(const SourceFile& source, const ParsedDockerfile& parsed, const ModelOptions& options)
      : source_(source), parsed_(parsed), options_(options) {}

  BuildModel build() {
    const auto& instructions = parsed_.instructions;
    model_.first_instruction = instructions.empty() ? nullptr : instructions.data();
    model_.instruction_count = instructions.size();
    model_.instruction_stage.assign(instructions.size(), BuildModel::kNoStage);
    seq_ = 0;  // before the first instruction
    for (const char* name : kPlatformArgs) set_global(name, build_arg_or(name, Var{"", false}));
    for (size_t i = 0; i < instructions.size(); ++i) {
      seq_ = static_cast<uint32_t>(i + 1);
      index_ = i;
      visit(instructions[i]);
    }
    choose_target();
    return std::move(model_);
  }

 private:
  Var build_arg_or(const std::string& name, Var fallback) const {
    auto it = options_.build_args.find(name);
    if (it != options_.build_args.end()) return Var{it->second, true};
    return fallback;
  }

  void set_global(const std::string& name, Var value) {
    model_.global_changes.set(name, seq_, value);
    globals_[name] = std::move(value);
  }

  // ARG NAME[=default] words: the --build-arg wins over the default; a bare name in a stage takes
  // the global value; otherwise the value stays unknown. A global ARG's default sees the ARGs
  // declared before it on the same line (BuildKit's meta-arg loop); a stage ARG's defaults see the
  // scope before the instruction (BuildKit expands the instruction first).
  void declare_args(const Instruction& ins, bool global) {
    std::vector<std::pair<std::string, Var>> declared;
    for (const Word& w : ins.args) {
      size_t eq = w.value.find('=');
      std::string name = w.value.substr(0, eq);
      Var value{"", false};
      if (eq != std::string::npos) {
        Expanded def = process_word(w.value.substr(eq + 1), global ? lookup_in(globals_) : stage_lookup(false, nullptr),
                                    parsed_.escape);
        value = Var{def.value, def.known};
      } else if (!global) {
        auto g = globals_.find(name);
        if (g != globals_.end()) value = g->second;
      }
      Var declared_value = build_arg_or(name, value);
      if (global) {
        set_global(name, std::move(declared_value));
      } else {
        declared.emplace_back(std::move(name), std::move(declared_value));
      }
    }
    for (auto& [name, value] : declared) {
      current().arg_changes.set(name, seq_, value);
      stage_args_[name] = std::move(value);
    }
  }

  // The stage's variables now: ENV over ARG over the base image's ENV. No copy: lookups read the
  // maps the builder keeps up to date.
  const Var* live(std::string_view name) const {
    const Stage& stage = current();
    if (auto it = stage.env.find(name); it != stage.env.end()) return &it->second;
    if (auto it = stage_args_.find(name); it != stage_args_.end()) return &it->second;
    if (auto it = stage.base_env.find(name); it != stage.base_env.end()) return &it->second;
    return nullptr;
  }
  // open: the scope also holds the base image's ENV, which the file does not show, so a name it
  // does not define is unknown rather than empty. Except a global ARG the stage did not declare
  // again (issue 10): the file names it, so it meant its ARG, which BuildKit leaves out of the
  // stage: it expands to empty.
  VarLookup stage_lookup(bool open, const VarMap* globals) const {
    static const Var kFromBase{"", false};
    return [this, open, globals](std::string_view name) -> const Var* {
      if (const Var* v = live(name)) return v;
      if (globals && globals->find(name) != globals->end()) return nullptr;
      return open ? &kFromBase : nullptr;
    };
  }

  Stage& current() { return model_.stages.back(); }
  const Stage& current() const { return model_.stages.back(); }

  void visit(const Instruction& ins) {
    if (ins.cmd == "from") {
      start_stage(ins);
      return;
    }
    if (model_.stages.empty()) {
      if (ins.cmd == "arg") {
        model_.global_args.push_back(&ins);
        declare_args(ins, true);
      }
      return;
    }
    Stage& stage = current();
    stage.instructions.push_back(&ins);
    model_.instruction_stage[index_] = static_cast<uint32_t>(stage.index);
    const bool open = stage.base_env_open;
    const VarLookup lookup = stage_lookup(open, &globals_);
    const std::string& c = ins.cmd;
    if (c == "arg") {
      declare_args(ins, false);
    } else if (c == "env") {
      for (const KeyValue& kv : ins.pairs) {
        if (kv.key.empty()) continue;
        // Later pairs on the same line see earlier ones: the lookup reads stage.env as it is now.
        Expanded e = process_word(kv.value, lookup, parsed_.escape);
        Var& value = stage.env[kv.key];
        value = Var{e.value, e.known};
        stage.env_changes.set(kv.key, seq_, value);
      }
    } else if (c == "user" && !ins.args.empty()) {
      UserSetting u;
      u.instruction = &ins;
      u.range = ins.args.front().range;
      u.value = process_word(ins.args.front().value, lookup, parsed_.escape);
      size_t colon = u.value.value.find(':');
      u.user = u.value.value.substr(0, colon);
      if (colon != std::string::npos) u.group = u.value.value.substr(colon + 1);
      stage.user = std::move(u);
    } else if (c == "expose") {
      for (const Word& w : ins.args) {
        for (Expanded& field : process_words(w.value, lookup, parsed_.escape)) {
          ExposedPort port;
          port.instruction = &ins;
          port.range = w.range;
          port.value = std::move(field);
          if (port.value.known) {
            if (std::string err = expose_error(port.value.value); !err.empty()) {
              Diagnostic d;
              d.rule_id = "OKD001";
              d.rule_name = "parse-error";
              d.severity = Severity::Error;
              d.message = "EXPOSE " + err;
              d.file = source_.path();
              d.range = w.range;
              model_.errors.push_back(std::move(d));
            }
          }
          parse_port_spec(port);
          stage.exposed.push_back(std::move(port));
        }
      }
    } else if (c == "shell" && !ins.args.empty()) {
      std::string program = ascii_lower(ins.args.front().value);
      if (program.find("powershell") != std::string::npos || program.find("pwsh") != std::string::npos ||
          program == "cmd" || program.starts_with("cmd.exe") || program.find(":\\") != std::string::npos) {
        stage.facts.os = "windows";
      }
    } else if (c == "workdir" && !ins.args.empty()) {
      Expanded e = process_word(ins.args.front().value, lookup, parsed_.escape);
      stage.workdir = join_path(stage.workdir, e.value);
      stage.workdir_known = stage.workdir_known && e.known;
    }
    if (c == "run" || c == "cmd" || c == "entrypoint") model_.command_cache[&ins] = commands_of(ins, source_);
  }

  void start_stage(const Instruction& ins) {
    Stage stage;
    stage.index = model_.stages.size();
    stage.from = &ins;
    model_.instruction_stage[index_] = static_cast<uint32_t>(stage.index);
    const VarLookup lookup = lookup_in(globals_);
    if (!ins.args.empty()) {
      stage.base = process_word(ins.args.front().value, lookup, parsed_.escape);
      stage.base_shape = stage.base.value;
      if (!stage.base.known) {
        static const Var kMark{std::string(1, kUnknownMark), true};
        VarLookup marked = [this](std::string_view name) -> const Var* {
          auto it = globals_.find(name);
          if (it == globals_.end()) return nullptr;
          return it->second.known ? &it->second : &kMark;
        };
        stage.base_shape = process_word(ins.args.front().value, marked, parsed_.escape).value;
      }
      stage.base_range = ins.args.front().range;
    }
    if (ins.args.size() >= 3 && ascii_lower(ins.args[1].value) == "as") stage.name = ascii_lower(ins.args[2].value);
    if (const Flag* platform = ins.flag("platform"); platform && platform->value) {
      stage.platform = process_word(*platform->value, lookup, parsed_.escape);
    }
    if (stage.base.known) {
      std::string base = ascii_lower(stage.base.value);
      for (const Stage& earlier : model_.stages) {
        if (!earlier.name.empty() && earlier.name == base) stage.parent = earlier.index;
      }
    }
    if (stage.parent) {
      const Stage& parent = model_.stages[*stage.parent];
      stage.facts = parent.facts;
      stage.base_env_open = parent.base_env_open;
      stage.user = parent.user;
      stage.exposed = parent.exposed;
      stage.env = parent.env;
      stage.workdir = parent.workdir;
      stage.workdir_known = parent.workdir_known;
    }
    if (!stage.parent) {
      if (stage.base.known) {
        stage.facts = options_.base_facts ? options_.base_facts(stage.base.value)
                                           : builtin_base_facts(stage.base.value, options_.proxy);
        if (stage.facts.workdir && stage.facts.workdir->starts_with('/')) stage.workdir = *stage.facts.workdir;
      }
      // scratch has no ENV; a base whose config was read has exactly the ENV in its facts.
      stage.base_env_open = !(stage.base.known && ascii_lower(stage.base.value) == "scratch") && !stage.facts.from_image;
    }
    if (parsed_.escape == '`' && !stage.facts.os) stage.facts.os = "windows";
    for (const auto& [k, v] : stage.facts.env) stage.base_env.emplace(k, Var{v, true});
    stage_args_.clear();
    model_.stages.push_back(std::move(stage));
  }

  void choose_target() {
    if (model_.stages.empty()) return;
    if (options_.target) {
      std::string wanted = ascii_lower(*options_.target);
      for (const Stage& s : model_.stages) {
        if (s.name == wanted) model_.target = s.index;
      }
      if (!model_.target) model_.error = "target stage '" + *options_.target + "' could not be found";
      return;
    }
    model_.target = model_.stages.size() - 1;
  }

  const SourceFile& source_;
  const ParsedDockerfile& parsed_;
  const ModelOptions& options_;
  BuildModel model_;
  VarMap globals_;
  VarMap stage_args_;
  uint32_t seq_ = 0;   // the instruction being visited: its index + 1
  size_t index_ = 0;
};

}  // namespace

namespace {
// base_shape split at the last '/': the tail and where its tag or digest starts (npos if none).
struct ShapeTail {
  size_t tail_begin;
  size_t cut;
};
ShapeTail shape_tail(std::string_view shape) {
  size_t slash = shape.rfind('/');
  size_t tail = slash == std::string_view::npos ? 0 : slash + 1;
  size_t cut = shape.find_first_of(":@", tail);
  return {tail, cut};
}
}  // namespace

std::optional<std::string> Stage::known_repository() const {
  if (base.known) return std::nullopt;
  auto [tail, cut] = shape_tail(base_shape);
  if (cut == std::string::npos || cut == tail) return std::nullopt;
  std::string repo = base_shape.substr(0, cut);
  if (repo.find(kUnknownMark) != std::string::npos) return std::nullopt;
  return repo;
}

bool Stage::surely_untagged() const {
  if (base.known || base_shape.find(kUnknownMark) == std::string::npos) return false;
  auto [tail, cut] = shape_tail(base_shape);
  return cut == std::string::npos && tail < base_shape.size() &&
         base_shape.find(kUnknownMark, tail) == std::string::npos;
}

std::vector<const Stage*> BuildModel::target_chain() const {
  std::vector<const Stage*> chain;
  if (!target) return chain;
  for (std::optional<size_t> i = target; i; i = stages[*i].parent) {
    chain.push_back(&stages[*i]);
    if (chain.size() > stages.size()) break;
  }
  return chain;
}

void VarHistory::set(const std::string& name, uint32_t seq, Var var) {
  auto it = changes_.find(name);
  if (it == changes_.end()) it = changes_.emplace(name, std::vector<std::pair<uint32_t, Var>>{}).first;
  it->second.emplace_back(seq, std::move(var));
}

const Var* VarHistory::before(std::string_view name, uint32_t seq) const {
  auto it = changes_.find(name);
  if (it == changes_.end()) return nullptr;
  const auto& values = it->second;  // in order of seq
  auto after = std::lower_bound(values.begin(), values.end(), seq,
                                [](const std::pair<uint32_t, Var>& change, uint32_t s) { return change.first < s; });
  return after == values.begin() ? nullptr : &std::prev(after)->second;
}

std::optional<size_t> BuildModel::index_of(const Instruction* instruction) const {
  std::less<const Instruction*> less;
  if (first_instruction == nullptr || instruction == nullptr || less(instruction, first_instruction) ||
      !less(instruction, first_instruction + instruction_count)) {
    return std::nullopt;
  }
  return static_cast<size_t>(instruction - first_instruction);
}

const Stage* BuildModel::stage_of(const Instruction* instruction) const {
  std::optional<size_t> index = index_of(instruction);
  if (!index || instruction_stage[*index] == kNoStage) return nullptr;
  return &stages[instruction_stage[*index]];
}

// What was set before the instruction: FROM lines and what comes before the first FROM see the
// global ARGs; a stage's instructions see its ENV (inherited from a parent stage) over its ARGs
// over its base image's ENV, and names the file does not define are unknown when the base's ENV
// is open.
VarLookup BuildModel::scope_at(const Instruction* instruction) const {
  std::optional<size_t> index = index_of(instruction);
  if (!index) return [](std::string_view) -> const Var* { return nullptr; };
  const auto seq = static_cast<uint32_t>(*index + 1);
  const Stage* stage = stage_of(instruction);
  if (stage == nullptr || instruction->cmd == "from") {
    return [this, seq](std::string_view name) { return global_changes.before(name, seq); };
  }
  const VarMap* inherited = stage->parent ? &stages[*stage->parent].env : nullptr;
  return [stage, inherited, seq](std::string_view name) -> const Var* {
    static const Var kFromBase{"", false};
    if (const Var* v = stage->env_changes.before(name, seq)) return v;
    if (inherited) {
      if (auto it = inherited->find(name); it != inherited->end()) return &it->second;
    }
    if (const Var* v = stage->arg_changes.before(name, seq)) return v;
    if (auto it = stage->base_env.find(name); it != stage->base_env.end()) return &it->second;
    return stage->base_env_open ? &kFromBase : nullptr;
  };
}

Expanded BuildModel::expand(const Instruction* instruction, std::string_view text, char escape) const {
  return process_word(text, scope_at(instruction), escape);
}

const std::vector<SimpleCommand>& BuildModel::commands(const Instruction* instruction) const {
  static const std::vector<SimpleCommand> kNone;
  auto it = command_cache.find(instruction);
  return it == command_cache.end() ? kNone : it->second;
}

BuildModel build_model(const SourceFile& source, const ParsedDockerfile& parsed, const ModelOptions& options) {
  return ModelBuilder(source, parsed, options).build();
}

}  // namespace okd
