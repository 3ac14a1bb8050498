#include "rules/engine.h"

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <tuple>

#include "lint/containerfile_context.h"
#include "lint/rule_ids.h"
#include "lint/text.h"
#include "rules/rule.h"

namespace okd {
namespace {


// The comma-separated list of a pragma, trimmed; empty entries dropped.
std::vector<std::string> split_ids(std::string_view list) {
  std::vector<std::string> ids;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string_view id = list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    while (!id.empty() && id.front() == ' ') id.remove_prefix(1);
    while (!id.empty() && id.back() == ' ') id.remove_suffix(1);
    if (!id.empty()) ids.emplace_back(id);
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return ids;
}

Diagnostic pragma_diagnostic(const char* id, const char* name, Severity severity, const std::string& file, Range range,
                             std::string message) {
  Diagnostic d;
  d.rule_id = id;
  d.rule_name = name;
  d.severity = severity;
  d.file = file;
  d.range = range;
  d.message = std::move(message);
  return d;
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

std::vector<InlineIgnore> inline_ignores(const ParsedDockerfile& parsed, const std::string& file,
                                         std::vector<Diagnostic>* problems) {
  std::vector<InlineIgnore> out;
  constexpr std::string_view kForm = "expected `# okdlint ignore=OKD101[,OKD201] [-- reason]` or `# okdlint global ignore=...`";
  for (const Comment& c : parsed.comments) {
    std::string_view t = c.text;
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    if (!t.starts_with("okdlint")) continue;
    std::string_view after = t.substr(7);
    while (!after.empty() && (after.front() == ' ' || after.front() == '\t' || after.front() == ':')) after.remove_prefix(1);
    // Only comments that start like a pragma are judged: `# okdlint ignore…` or `# okdlint global…`.
    std::string head = ascii_lower(after.substr(0, 6));
    if (head != "ignore" && head != "global") continue;
    auto bad = [&](std::string message) {
      if (problems) {
        problems->push_back(pragma_diagnostic("OKD003", "bad-pragma", Severity::Error, file, c.range, std::move(message)));
      }
    };
    if (!t.starts_with("okdlint ")) {
      bad("malformed okdlint pragma: " + std::string(kForm));
      continue;
    }
    t.remove_prefix(8);
    InlineIgnore ignore;
    ignore.range = c.range;
    if (t.starts_with("global ")) {
      ignore.global = true;
      t.remove_prefix(7);
    }
    if (!t.starts_with("ignore=")) {
      bad("malformed okdlint pragma: " + std::string(kForm));
      continue;
    }
    t.remove_prefix(7);
    t = t.substr(0, t.find(" --"));
    t = t.substr(0, t.find_first_of(" \t"));
    std::vector<std::string> ids = split_ids(t);
    if (ids.empty()) {
      bad("okdlint pragma names no rule: " + std::string(kForm));
      continue;
    }
    for (const std::string& id : ids) {
      if (std::optional<std::string> canonical = canonical_rule_id(id)) {
        ignore.rules.insert(*canonical);
      } else {
        bad("okdlint pragma: " + unknown_rule_message(id));
      }
    }
    if (ignore.rules.empty()) continue;
    if (!ignore.global) {
      uint32_t line = c.range.begin.line;
      // Instructions are in line order: the next one is found by bisection (a file with many
      // pragmas stays linear).
      auto next = std::upper_bound(parsed.instructions.begin(), parsed.instructions.end(), line,
                                   [](uint32_t l, const Instruction& i) { return l < i.start_line; });
      if (next == parsed.instructions.end()) {
        for (const std::string& id : ignore.rules) {
          if (problems) {
            problems->push_back(pragma_diagnostic("OKD002", "unused-ignore", Severity::Info, file, c.range,
                                                  "unused okdlint ignore: no instruction follows to ignore " + id + " on"));
          }
        }
        continue;
      }
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
  // In place: a big file has a million findings, and a second vector of them (or stable_sort's
  // buffer of whole diagnostics) would double the peak (issue 10 §3).
  size_t kept = 0;
  for (size_t i = 0; i < diagnostics.size(); ++i) {
    Diagnostic& d = diagnostics[i];
    const Rule* rule = find_rule(d.rule_id);
    const bool enabled = rule ? rule_enabled(rule->info(), config, selection)
                              : rule_enabled(RuleInfo{d.rule_id, d.rule_name, d.severity, "", "", true}, config, selection);
    if (!enabled) continue;
    d.severity = *config.effective_severity(d.rule_id, d.severity);
    if (kept != i) diagnostics[kept] = std::move(d);
    ++kept;
  }
  diagnostics.erase(diagnostics.begin() + static_cast<std::ptrdiff_t>(kept), diagnostics.end());
  // Sort indices (stable: equal keys keep the rules' order), then move each diagnostic to its
  // place along the permutation's cycles.
  std::vector<size_t> order(diagnostics.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const Diagnostic& a = diagnostics[x];
    const Diagnostic& b = diagnostics[y];
    return std::tie(a.file, a.range.begin.offset, a.rule_id, a.logical_location) <
           std::tie(b.file, b.range.begin.offset, b.rule_id, b.logical_location);
  });
  for (size_t start = 0; start < order.size(); ++start) {
    if (order[start] == start) continue;
    Diagnostic carried = std::move(diagnostics[start]);
    for (size_t at = start;;) {
      size_t from = order[at];  // the diagnostic that belongs at `at`
      order[at] = at;
      if (from == start) {
        diagnostics[at] = std::move(carried);
        break;
      }
      diagnostics[at] = std::move(diagnostics[from]);
      at = from;
    }
  }
}

// Windows stages have no POSIX users, groups or modes: the user, port and permission rules
// (OKD1xx, OKD2xx, OKD3xx) say nothing about them, and offer no fix there.
static void drop_posix_findings_in_windows_stages(const BuildModel& model, std::vector<Diagnostic>& diagnostics) {
  std::vector<std::pair<uint32_t, uint32_t>> windows;  // [begin, end) offsets of Windows stages
  for (size_t i = 0; i < model.stages.size(); ++i) {
    const Stage& s = model.stages[i];
    if (!s.windows() || !s.from) continue;
    uint32_t end = i + 1 < model.stages.size() && model.stages[i + 1].from
                       ? model.stages[i + 1].from->range.begin.offset
                       : UINT32_MAX;
    windows.emplace_back(s.from->range.begin.offset, end);
  }
  if (windows.empty()) return;
  std::erase_if(diagnostics, [&](const Diagnostic& d) {
    if (d.rule_id.size() != 6 || !d.rule_id.starts_with("OKD") || d.rule_id[3] < '1' || d.rule_id[3] > '3') return false;
    const uint32_t at = d.range.begin.offset;
    return std::any_of(windows.begin(), windows.end(), [&](const auto& w) { return at >= w.first && at < w.second; });
  });
}

std::vector<std::string> containerfile_bases(const SourceFile& source, const Config& config) {
  ParsedDockerfile parsed = parse_dockerfile(source);
  ModelOptions options;
  options.build_args = config.build_args;
  options.target = config.target;
  options.proxy = config.proxy;
  BuildModel model = build_model(source, parsed, options);
  std::vector<std::string> out;
  for (const Stage& stage : model.stages) {
    if (stage.parent || !stage.base.known || stage.base.value.empty()) continue;
    if (ascii_lower(stage.base.value) == "scratch") continue;
    if (std::find(out.begin(), out.end(), stage.base.value) == out.end()) out.push_back(stage.base.value);
  }
  return out;
}

ContainerfileLint lint_containerfile(const SourceFile& source, const Config& config, const RegistryAliases& aliases,
                                     const RuleSelection& selection) {
  ContainerfileLint result;
  result.parsed = parse_dockerfile(source);
  ModelOptions options;
  options.build_args = config.build_args;
  options.target = config.target;
  options.proxy = config.proxy;
  options.base_facts = [&config](const std::string& base) { return config.facts_for_base(base); };
  result.model = build_model(source, result.parsed, options);

  std::vector<Diagnostic> raw = result.parsed.errors;
  raw.insert(raw.end(), result.parsed.instruction_errors.begin(), result.parsed.instruction_errors.end());
  raw.insert(raw.end(), result.model.errors.begin(), result.model.errors.end());
  ContainerfileContext context{source, result.parsed, result.model, config, aliases};
  for (const Rule* rule : all_rules()) {
    if (!rule_enabled(rule->info(), config, selection)) continue;
    RuleSink sink(*rule, source.path(), raw);
    rule->check_containerfile(context, sink);
  }
  drop_posix_findings_in_windows_stages(result.model, raw);
  if (!config.disable_inline_ignores) {
    std::vector<Diagnostic> problems;
    std::vector<InlineIgnore> ignores = inline_ignores(result.parsed, source.path(), &problems);
    std::vector<std::set<std::string>> used(ignores.size());
    // Global ignores apply everywhere; the others by line: instructions do not overlap, so the
    // ignores covering a line are those of one instruction, found by bisection over the ignores
    // in order of first_line (a file with many pragmas and findings stays linear).
    std::vector<size_t> global;
    std::vector<size_t> by_line;
    for (size_t i = 0; i < ignores.size(); ++i) (ignores[i].global ? global : by_line).push_back(i);
    std::stable_sort(by_line.begin(), by_line.end(),
                     [&](size_t a, size_t b) { return ignores[a].first_line < ignores[b].first_line; });
    std::erase_if(raw, [&](const Diagnostic& d) {
      bool ignored = false;
      auto apply = [&](size_t i) {
        if (!ignores[i].rules.count(d.rule_id)) return;
        used[i].insert(d.rule_id);
        ignored = true;
      };
      for (size_t i : global) apply(i);
      const uint32_t line = d.range.begin.line;
      auto after = std::upper_bound(by_line.begin(), by_line.end(), line,
                                    [&](uint32_t l, size_t i) { return l < ignores[i].first_line; });
      if (after != by_line.begin()) {
        const uint32_t first = ignores[*std::prev(after)].first_line;
        for (auto it = after; it != by_line.begin() && ignores[*std::prev(it)].first_line == first; --it) {
          if (line <= ignores[*std::prev(it)].last_line) apply(*std::prev(it));
        }
      }
      return ignored;
    });
    // As ruff's RUF100: an ignore for a rule that ran and found nothing there is reported.
    for (size_t i = 0; i < ignores.size(); ++i) {
      for (const std::string& id : ignores[i].rules) {
        const Rule* rule = find_rule(id);
        if (used[i].count(id) || !rule || !rule_enabled(rule->info(), config, selection)) continue;
        problems.push_back(pragma_diagnostic("OKD002", "unused-ignore", Severity::Info, source.path(), ignores[i].range,
                                             "unused okdlint ignore: no " + id + " finding " +
                                                 (ignores[i].global ? "in this file" : "on the next instruction")));
      }
    }
    raw.insert(raw.end(), problems.begin(), problems.end());
  }
  finalize_diagnostics(raw, config, selection);
  result.diagnostics = std::move(raw);
  return result;
}

}  // namespace okd
