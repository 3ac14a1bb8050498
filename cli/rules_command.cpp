// `okdlint rules [ID]`: the rule list, or one rule's rationale.
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/common.h"
#include "rules/rule.h"

namespace okd::cli {
namespace {

const CommandRegistrar kRules{{"rules", [](CLI::App& root) -> std::function<int()> {
  auto id = std::make_shared<std::string>();
  CLI::App* sub = root.add_subcommand("rules", "List the rules, or explain one: okdlint rules OKD101");
  sub->add_option("id", *id, "Rule id or name");
  return [id]() {
    if (id->empty()) {
      for (const Rule* rule : all_rules()) {
        const RuleInfo& info = rule->info();
        std::cout << fmt::format("{:<7} {:<26} {:<8} {}{}\n", info.id, info.name, to_string(info.default_severity),
                                 info.summary, info.enabled_by_default ? "" : " (off by default)");
      }
      return kExitClean;
    }
    const Rule* rule = find_rule(*id);
    if (!rule) {
      print_error("unknown rule '" + *id + "' (okdlint rules lists them)");
      return kExitError;
    }
    const RuleInfo& info = rule->info();
    std::cout << info.id << " " << info.name << " (" << to_string(info.default_severity)
              << (info.enabled_by_default ? "" : ", off by default") << ")\n\n"
              << info.summary << "\n\n" << info.rationale << "\n";
    return kExitClean;
  };
}}};

}  // namespace
}  // namespace okd::cli
