// OKD301 chown-group-not-root: files of the final image handed to a group other than 0.
#include "lint/containerfile_context.h"
#include "rules/fs_support.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

#include <cstdint>

namespace okd {
namespace {

// The first ':' of a raw owner text that is not inside ${...}.
std::optional<uint32_t> raw_colon(std::string_view raw) {
  int braces = 0;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '{' && i > 0 && raw[i - 1] == '$') ++braces;
    else if (raw[i] == '}' && braces > 0) --braces;
    else if (raw[i] == ':' && braces == 0) return static_cast<uint32_t>(i);
  }
  return std::nullopt;
}

bool plain_text(std::string_view raw) { return raw.find_first_of("$\\\"'`") == std::string_view::npos; }

// The edit that makes the group of the owner text at source bytes [begin, end) (whose value is
// `value`) group 0, touching only the group bytes: `u:g` → `u:0`, `u:$GID` → `u:0`, `u:` → `u:0`,
// `u` and `$OWNER` → `...:0`. When the colon itself comes from a variable (`OWNER=app:app`), the
// group part of that definition is edited. nullopt when the bytes cannot be located exactly.
std::optional<Edit> group_edit(const ContainerfileContext& ctx, const Instruction* at, uint32_t begin, uint32_t end,
                               std::string_view value) {
  std::string_view raw = std::string_view(ctx.source.text()).substr(begin, end - begin);
  // One quoted string: work inside the quotes.
  if (raw.size() >= 2 && (raw.front() == '"' || raw.front() == '\'') && raw.back() == raw.front() &&
      raw.substr(1, raw.size() - 2).find_first_of("\"'\\") == std::string_view::npos) {
    ++begin;
    --end;
    raw = raw.substr(1, raw.size() - 2);
  }
  if (std::optional<uint32_t> colon = raw_colon(raw)) return Edit{begin + *colon + 1, end, "0"};
  if (value.find(':') == std::string_view::npos) return Edit{end, end, ":0"};
  std::optional<LiteralSource> def = literal_source(ctx, at, begin, end);
  if (!def || !plain_text(def->text)) return std::nullopt;
  size_t c = def->text.find(':');
  if (c == std::string::npos) return std::nullopt;
  return Edit{def->begin + static_cast<uint32_t>(c) + 1, def->end, "0"};
}

class ChownGroupNotRootRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD301", "chown-group-not-root", Severity::Warning,
        "Files are given to a group other than 0 (root)",
        "OKD runs containers with a random uid that is not in /etc/passwd; the only identity it "
        "reliably has is group 0. Files and directories owned by another group (chown 1001:1001, "
        "COPY --chown=app, which means app's own primary group) cannot be written by that uid. Give "
        "them group 0 instead (chown 1001:0, COPY --chown=1001:0) and make them group-writable "
        "where the application writes (chmod g=u).",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    for (const Instruction* ins : final_image_instructions(ctx.model)) {
      if (ins->cmd == "copy" || ins->cmd == "add") check_copy(ctx, *ins, sink);
      if (ins->cmd == "run") check_run(ctx, *ins, sink);
    }
  }

 private:
  // What is wrong with an owner value, or "" when its group is 0.
  static std::string problem(const OwnerSpec& spec, std::string_view command) {
    if (spec.has_colon) {
      if (spec.group.empty()) {
        if (spec.user.empty() || is_root_id(spec.user)) return "";
        return std::string(command) + " gives " + spec.user + "'s login group, not group 0";
      }
      if (is_root_id(spec.group)) return "";
      return std::string(command) + " gives group " + spec.group + ", not group 0 (root)";
    }
    if (is_root_id(spec.user)) return "";
    return std::string(command) + " gives " + spec.user + "'s primary group, not group 0 (root)";
  }

  void check_copy(const ContainerfileContext& ctx, const Instruction& ins, DiagnosticSink& sink) const {
    const Flag* chown = ins.flag("chown");
    if (!chown || !chown->value) return;
    Expanded value = ctx.model.expand(&ins, *chown->value, ctx.parsed.escape);
    if (!value.known || value.value.empty()) return;
    OwnerSpec spec = parse_owner_spec(value.value);
    std::string keyword = ins.cmd == "copy" ? "COPY" : "ADD";
    std::string what = problem(spec, keyword + " --chown=" + value.value);
    if (what.empty()) return;
    std::string fixed = (spec.user.empty() ? std::string() : spec.user) + ":0";
    Diagnostic d;
    d.message = what;
    d.hint = "use --chown=" + fixed + ": the random uid OKD assigns always runs in group 0";
    d.range = chown->value_range;
    if (std::optional<Edit> edit =
            group_edit(ctx, &ins, chown->value_range.begin.offset, chown->value_range.end.offset,
                       value.value)) {
      d.fix = Fix{"set the --chown group to 0", Applicability::Safe, {*edit}};
    }
    sink.report(std::move(d));
  }

  void check_run(const ContainerfileContext& ctx, const Instruction& ins, DiagnosticSink& sink) const {
    for (const SimpleCommand& command : ctx.model.commands(&ins)) {
      std::optional<FileModeCommand> cmd = parse_file_mode_command(command);
      if (!cmd || cmd->name == "chmod") continue;
      std::optional<std::string> value = resolve_shell_word(ctx, ins, *cmd->spec);
      if (!value) continue;
      OwnerSpec spec;
      if (cmd->name == "chgrp") {
        spec.has_colon = true;
        spec.group = *value;
        if (spec.group.empty()) continue;
      } else {
        spec = parse_owner_spec(*value);
        if (!spec.has_colon) continue;  // `chown u FILE` keeps the group
      }
      std::string what = problem(spec, cmd->name + " " + *value);
      if (what.empty()) continue;
      Diagnostic d;
      d.message = what;
      d.hint = cmd->name == "chgrp" ? "use chgrp 0: the random uid OKD assigns always runs in group 0"
                                    : "use chown " + spec.user + ":0: the random uid OKD assigns always runs in group 0";
      d.range = cmd->spec->range;
      std::optional<Edit> edit;
      const uint32_t begin = cmd->spec->range.begin.offset, end = cmd->spec->range.end.offset;
      if (cmd->name == "chgrp") {
        edit = Edit{begin, end, "0"};
      } else {
        edit = group_edit(ctx, &ins, begin, end, *value);
      }
      if (edit) d.fix = Fix{"set the group to 0", Applicability::Safe, {*edit}};
      sink.report(std::move(d));
    }
  }
};

OKD_REGISTER_RULE(ChownGroupNotRootRule);

}  // namespace
}  // namespace okd
