// `okdlint --statistics`: findings counted per rule, and how many `okdlint fix` would fix.
#include <algorithm>
#include <map>
#include <tuple>

#include <fmt/format.h>

#include "lint/report/reporter.h"

namespace okd {

void write_statistics(const ReportInput& input, std::ostream& out) {
  struct Row {
    std::string id;
    std::string name;
    size_t count = 0;
    size_t fixable = 0;
  };
  std::map<std::string, Row> rows;
  size_t safe = 0;
  size_t unsafe = 0;
  for (const Diagnostic& d : input.diagnostics) {
    Row& row = rows[d.rule_id];
    row.id = d.rule_id;
    row.name = d.rule_name;
    ++row.count;
    if (!d.fix) continue;
    ++row.fixable;
    ++(d.fix->applicability == Applicability::Safe ? safe : unsafe);
  }
  std::vector<Row> sorted;
  for (auto& [id, row] : rows) sorted.push_back(row);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Row& a, const Row& b) { return a.count > b.count; });
  size_t width = 1;
  for (const Row& row : sorted) width = std::max(width, std::to_string(row.count).size());
  for (const Row& row : sorted) {
    std::string line = fmt::format("{:>{}}  {:<7} {:<26} {}", row.count, width, row.id, row.name,
                                   row.fixable == 0 ? std::string() : fmt::format("[{} fixable]", row.fixable));
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
  size_t total = input.diagnostics.size();
  out << total << (total == 1 ? " finding" : " findings") << ", " << safe << " fixable with okdlint fix";
  if (unsafe > 0) out << " (" << unsafe << " more with --unsafe-fixes)";
  out << "\n";
}

}  // namespace okd
