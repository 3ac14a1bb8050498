#include <algorithm>

#include "lint/rule_ids.h"
#include "rules/rule.h"

namespace okd {
namespace {

std::vector<std::unique_ptr<Rule>>& owned_rules() {
  static std::vector<std::unique_ptr<Rule>> rules;
  return rules;
}

std::vector<const Rule*>& sorted_rules() {
  static std::vector<const Rule*> rules;
  return rules;
}

}  // namespace

namespace detail {
void register_rule(std::unique_ptr<Rule> rule) {
  register_rule_id(rule->info().id, rule->info().name);
  auto& view = sorted_rules();
  view.push_back(rule.get());
  std::sort(view.begin(), view.end(), [](const Rule* a, const Rule* b) { return a->info().id < b->info().id; });
  owned_rules().push_back(std::move(rule));
}
}  // namespace detail

const std::vector<const Rule*>& all_rules() { return sorted_rules(); }

const Rule* find_rule(std::string_view id_or_name) {
  std::optional<std::string> id = canonical_rule_id(id_or_name);
  if (!id) return nullptr;
  for (const Rule* r : all_rules()) {
    if (r->info().id == *id) return r;
  }
  return nullptr;
}

std::vector<RuleInfo> all_rule_infos() {
  std::vector<RuleInfo> infos;
  for (const Rule* r : all_rules()) infos.push_back(r->info());
  return infos;
}

}  // namespace okd
