// A Markdown summary of a lint run for people: GitHub's job summary ($GITHUB_STEP_SUMMARY) shows
// it on the run's page, where every finding counts even when the annotations are capped at 10.
#include <algorithm>
#include <map>
#include <set>

#include "lint/report/formats.h"

namespace okd {

using report::is_image_finding;
using report::message_with_location;
using report::path_to_uri;
using report::source_of;

namespace {

constexpr size_t kListed = 20;  // findings listed one by one; the rest are counted

// Text as literal Markdown: ASCII punctuation that could start markup is backslash-escaped and
// line breaks become spaces, so a message cannot open a table, a link or raw HTML.
std::string markdown_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      out.push_back(' ');
    } else if (std::string_view("\\`*_{}[]<>()#+-.!|~&").find(c) != std::string_view::npos) {
      out.push_back('\\');
      out.push_back(c);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string plural(size_t n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

// "`file:line:col`", linked to the file's line on the forge when the caller gave a URL prefix.
std::string location_link(const ReportInput& input, const Diagnostic& d, bool image_finding) {
  std::string label = d.file;
  if (!image_finding) label += ":" + std::to_string(d.range.begin.line) + ":" + std::to_string(d.range.begin.column);
  std::string text = "`" + label + "`";
  // Only paths inside the repository have a page: relative, not stdin.
  if (input.file_url_prefix.empty() || d.file.empty() || d.file == "-" || d.file.front() == '/') return text;
  std::string url = input.file_url_prefix + path_to_uri(d.file);
  if (!image_finding) url += "#L" + std::to_string(d.range.begin.line);
  return "[" + text + "](" + url + ")";
}

}  // namespace

void write_summary(const ReportInput& input, std::ostream& out) {
  std::map<Severity, size_t> by_severity;
  struct RuleCount {
    std::string name;
    Severity worst = Severity::Info;
    size_t count = 0;
  };
  std::map<std::string, RuleCount> by_rule;
  std::set<std::string> files_with_findings;
  for (const Diagnostic& d : input.diagnostics) {
    ++by_severity[d.severity];
    RuleCount& rule = by_rule[d.rule_id];
    rule.name = d.rule_name;
    if (rule.count == 0 || d.severity > rule.worst) rule.worst = d.severity;
    ++rule.count;
    files_with_findings.insert(d.file);
  }

  out << "### okdlint: ";
  if (input.diagnostics.empty()) {
    out << "no findings in " << plural(input.files.size(), "file") << "\n\n";
    return;
  }
  out << plural(input.diagnostics.size(), "finding") << " (";
  bool first = true;
  for (Severity s : {Severity::Error, Severity::Warning, Severity::Info}) {
    if (!by_severity.count(s)) continue;
    // "2 errors, 1 warning, 3 info"
    out << (first ? "" : ", ") << (s == Severity::Info ? std::to_string(by_severity[s]) + " info"
                                                        : plural(by_severity[s], to_string(s)));
    first = false;
  }
  out << ") in " << files_with_findings.size() << " of " << plural(input.files.size(), "file") << "\n\n";

  out << "| rule | name | severity | findings |\n|---|---|---|---:|\n";
  for (const auto& [id, rule] : by_rule) {
    out << "| " << markdown_text(id) << " | " << markdown_text(rule.name) << " | " << to_string(rule.worst) << " | "
        << rule.count << " |\n";
  }
  out << "\n";

  size_t listed = std::min(kListed, input.diagnostics.size());
  out << (listed == input.diagnostics.size() ? "Findings:" : "First " + std::to_string(listed) + " findings:")
      << "\n\n";
  for (size_t i = 0; i < listed; ++i) {
    const Diagnostic& d = input.diagnostics[i];
    const bool image_finding = is_image_finding(d, source_of(input, d));
    out << "- " << location_link(input, d, image_finding) << " " << to_string(d.severity) << " **"
        << markdown_text(d.rule_id) << "** " << markdown_text(message_with_location(d)) << "\n";
  }
  if (listed < input.diagnostics.size()) {
    out << "\n…and " << input.diagnostics.size() - listed
        << " more: see the SARIF upload (code scanning), or run okdlint on the repository.\n";
  }
  out << "\n";
}

}  // namespace okd
