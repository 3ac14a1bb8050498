// `okdlint rules [ID]`: the rule list, or one rule's rationale; `--markdown-dir DIR` writes the
// rule pages (docs/rules/) from the rules' metadata.
#include <filesystem>
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/common.h"
#include "lint/report/reporter.h"
#include "lint/rule_ids.h"
#include "rules/rule.h"

namespace okd::cli {
namespace {

struct RulesOptions {
  std::string id;
  bool markdown = false;
  std::optional<std::string> markdown_dir;
};

void write_text_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw InputError(located(path.string(), 0, "cannot write"));
}

int run_rules(const RulesOptions& o) {
  if (o.markdown_dir) {
    std::error_code ec;
    std::filesystem::create_directories(*o.markdown_dir, ec);
    if (ec) throw InputError(located(*o.markdown_dir, 0, ec.message()));
    for (const Rule* rule : all_rules()) {
      write_text_file(std::filesystem::path(*o.markdown_dir) / (rule->info().id + ".md"), rule_markdown(rule->info()));
    }
    write_text_file(std::filesystem::path(*o.markdown_dir) / "README.md", rules_index_markdown(all_rule_infos()));
    return kExitClean;
  }
  if (o.id.empty()) {
    if (o.markdown) {
      std::cout << rules_index_markdown(all_rule_infos());
      return kExitClean;
    }
    for (const Rule* rule : all_rules()) {
      const RuleInfo& info = rule->info();
      std::cout << fmt::format("{:<7} {:<26} {:<8} {}{}\n", info.id, info.name, to_string(info.default_severity),
                               info.summary, info.enabled_by_default ? "" : " (off by default)");
    }
    return kExitClean;
  }
  const Rule* rule = find_rule(o.id);
  if (!rule) {
    print_error(unknown_rule_message(o.id));
    return kExitError;
  }
  const RuleInfo& info = rule->info();
  if (o.markdown) {
    std::cout << rule_markdown(info);
    return kExitClean;
  }
  std::cout << info.id << " " << info.name << " (" << to_string(info.default_severity)
            << (info.enabled_by_default ? "" : ", off by default") << ")\n\n"
            << info.summary << "\n\n" << info.rationale << "\n\n" << rule_doc_url(info.id) << "\n";
  return kExitClean;
}

const CommandRegistrar kRules{{"rules", [](CLI::App& root) -> std::function<int()> {
  auto o = std::make_shared<RulesOptions>();
  CLI::App* sub = root.add_subcommand("rules", "List the rules, or explain one: okdlint rules OKD101");
  sub->add_option("id", o->id, "Rule id or name (any case)");
  sub->add_flag("--markdown", o->markdown, "Print the rule's page (or the rule index) as Markdown");
  sub->add_option("--markdown-dir", o->markdown_dir, "Write every rule's page and README.md into this directory (docs/rules)");
  return [o]() { return run_rules(*o); };
}}};

}  // namespace
}  // namespace okd::cli
