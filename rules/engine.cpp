#include "rules/engine.h"

#include <algorithm>
#include <tuple>

#include "lint/containerfile_context.h"
#include "lint/text.h"
#include "rules/rule.h"

namespace okd {
namespace {


std::set<std::string> split_ids(std::string_view list) {
  std::set<std::string> ids;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string_view id = list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
    while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
    if (!id.empty()) ids.insert(ascii_upper(id));
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return ids;
}

}  // namespace

void RuleSink::report(Diagnostic d) {
  const RuleInfo& info = rule_.info();
  if (d.rule_id.empty()) d.rule_id = info.id;
  if (d.rule_name.empty()) d.rule_name = info.name;
  if (!d.keep_severity) d.severity = info.default_severity;
  if (d.file.empty()) d.file = file_;
  out_.push_back(std::move(d));
}

std::vector<InlineIgnore> inline_ignores(const ParsedDockerfile& parsed) {
  std::vector<InlineIgnore> out;
  for (const Comment& c : parsed.comments) {
    std::string_view t = c.text;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    if (!t.starts_with("okdlint ")) continue;
    t.remove_prefix(8);
    InlineIgnore ignore;
    if (t.starts_with("global ")) {
      ignore.global = true;
      t.remove_prefix(7);
    }
    if (!t.starts_with("ignore=")) continue;
    t.remove_prefix(7);
    t = t.substr(0, t.find(" --"));
    t = t.substr(0, t.find_first_of(" \t"));
    ignore.rules = split_ids(t);
    if (!ignore.global) {
      uint32_t line = c.range.begin.line;
      auto next = std::find_if(parsed.instructions.begin(), parsed.instructions.end(),
                               [&](const Instruction& i) { return i.start_line > line; });
      if (next == parsed.instructions.end()) continue;
      ignore.first_line = next->start_line;
      ignore.last_line = next->full_range.end.line;
    }
    out.push_back(std::move(ignore));
  }
  return out;
}

bool rule_enabled(const RuleInfo& info, const Config& config, const RuleSelection& selection) {
  if (!selection.select.empty() && !selection.select.count(info.id) && !selection.select.count(info.name)) return false;
  if (selection.ignore.count(info.id) || selection.ignore.count(info.name)) return false;
  if (config.ignore.count(info.id)) return false;
  bool enabled = info.enabled_by_default || (config.profile == "certification" && info.id == "OKD502") ||
                 config.severity.count(info.id) || selection.select.count(info.id);
  if (!enabled) return false;
  return config.effective_severity(info.id, info.default_severity).has_value();
}

void finalize_diagnostics(std::vector<Diagnostic>& diagnostics, const Config& config, const RuleSelection& selection) {
  std::vector<Diagnostic> kept;
  for (Diagnostic& d : diagnostics) {
    RuleInfo info{d.rule_id, d.rule_name, d.severity, "", "", true};
    if (const Rule* rule = find_rule(d.rule_id)) info = rule->info();
    if (!rule_enabled(info, config, selection)) continue;
    d.severity = *config.effective_severity(d.rule_id, d.severity);
    kept.push_back(std::move(d));
  }
  std::stable_sort(kept.begin(), kept.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.file, a.range.begin.offset, a.rule_id, a.logical_location) <
           std::tie(b.file, b.range.begin.offset, b.rule_id, b.logical_location);
  });
  diagnostics = std::move(kept);
}

ContainerfileLint lint_containerfile(const SourceFile& source, const Config& config, const RegistryAliases& aliases,
                                     const RuleSelection& selection) {
  ContainerfileLint result;
  result.parsed = parse_dockerfile(source);
  ModelOptions options;
  options.build_args = config.build_args;
  options.target = config.target;
  result.model = build_model(source, result.parsed, options);

  std::vector<Diagnostic> raw = result.parsed.errors;
  ContainerfileContext context{source, result.parsed, result.model, config, aliases};
  for (const Rule* rule : all_rules()) {
    if (!rule_enabled(rule->info(), config, selection)) continue;
    RuleSink sink(*rule, source.path(), raw);
    rule->check_containerfile(context, sink);
  }
  if (!config.disable_inline_ignores) {
    std::vector<InlineIgnore> ignores = inline_ignores(result.parsed);
    std::erase_if(raw, [&](const Diagnostic& d) {
      return std::any_of(ignores.begin(), ignores.end(), [&](const InlineIgnore& ig) {
        if (!ig.rules.count(d.rule_id)) return false;
        return ig.global || (d.range.begin.line >= ig.first_line && d.range.begin.line <= ig.last_line);
      });
    });
  }
  finalize_diagnostics(raw, config, selection);
  result.diagnostics = std::move(raw);
  return result;
}

}  // namespace okd
