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
  // The closest id or name at most 2 edits away; ties go to the smallest id, so the suggestion
  // does not depend on the order rules registered in.
  std::string best;
  std::string best_id;
  size_t best_distance = 3;
  auto consider = [&](size_t d, const std::string& id, std::string shown) {
    if (d < best_distance || (d == best_distance && !best.empty() && id < best_id)) {
      best_distance = d;
      best_id = id;
      best = std::move(shown);
    }
  };
  for (const auto& [id, name] : known()) {
    consider(edit_distance(upper, id), id, id);
    consider(edit_distance(lower, name), id, name + " (" + id + ")");
  }
  std::string message = "unknown rule id '" + std::string(given) + "'";
  return message + (best.empty() ? " (okdlint rules lists them)" : " (did you mean " + best + "?)");
}

}  // namespace okd
