#include "lint/rule_ids.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "lint/text.h"

namespace okd {
namespace {

std::vector<std::pair<std::string, std::string>>& known() {  // {ID, name}
  static std::vector<std::pair<std::string, std::string>> ids;
  return ids;
}

}  // namespace

void register_rule_id(std::string id, std::string name) { known().emplace_back(std::move(id), std::move(name)); }

std::optional<std::string> canonical_rule_id(std::string_view id_or_name) {
  std::string upper = ascii_upper(id_or_name);
  std::string lower = ascii_lower(id_or_name);
  for (const auto& [id, name] : known()) {
    if (id == upper || name == lower) return id;
  }
  return std::nullopt;
}

std::string unknown_rule_message(std::string_view given) {
  std::string upper = ascii_upper(given);
  std::string lower = ascii_lower(given);
  std::string best;
  size_t best_distance = 3;  // suggest only what is at most 2 edits away
  for (const auto& [id, name] : known()) {
    size_t d = edit_distance(upper, id);
    if (d < best_distance) best_distance = d, best = id;
    d = edit_distance(lower, name);
    if (d < best_distance || (d <= name.size() / 4 && best.empty())) best_distance = d, best = name + " (" + id + ")";
  }
  std::string message = "unknown rule id '" + std::string(given) + "'";
  return message + (best.empty() ? " (okdlint rules lists them)" : " (did you mean " + best + "?)");
}

}  // namespace okd
