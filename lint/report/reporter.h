// Reporters: turn sorted diagnostics into what a person or a CI system reads (terminal text, JSON,
// SARIF 2.1.0, GitHub workflow commands, GitLab Code Quality, Checkstyle XML).
#pragma once

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "lint/diagnostic.h"
#include "lint/source.h"

namespace okd {

inline constexpr std::string_view kProjectUrl = "https://github.com/okdlint/okdlint";

// The page that documents a rule: docs/rules/OKDnnn.md in the repository, generated from the
// rule's metadata by `okdlint rules --markdown` (a test keeps the committed pages equal to it).
std::string rule_doc_url(std::string_view rule_id);
// That page's Markdown, and the index (docs/rules/README.md) that lists every rule.
std::string rule_markdown(const RuleInfo& rule);
std::string rules_index_markdown(const std::vector<RuleInfo>& rules);

enum class ReportFormat { Tty, Json, Sarif, Github, Gitlab, Checkstyle };

// "tty", "json", "sarif", "github", "gitlab", "checkstyle"; nullopt for anything else.
std::optional<ReportFormat> parse_report_format(std::string_view name);
std::string_view to_string(ReportFormat format);

struct ReportInput {
  std::vector<Diagnostic> diagnostics;  // already sorted (file, line, column, rule)
  std::vector<RuleInfo> rules;          // every known rule, for SARIF driver.rules
  // The source of a linted file, or nullptr for images and unknown files.
  std::function<const SourceFile*(const std::string& file)> source_for;
  std::vector<std::string> files;  // every input linted, in order (checkstyle lists clean files too)
  bool color = false;              // tty only; the caller decides (isatty && !NO_COLOR)
  std::string tool_version;        // "0.1.0"
  bool quiet = false;              // tty only: no summary line
  // Summary only: prefix that makes a repository-relative path a link to the file, e.g.
  // "https://github.com/OWNER/REPO/blob/SHA/"; empty: no links.
  std::string file_url_prefix;
};

void write_report(ReportFormat format, const ReportInput& input, std::ostream& out);

// `--statistics`: one line per rule with its count, most frequent first, then how many findings
// `okdlint fix` fixes ("2 fixable with okdlint fix (1 more with --unsafe-fixes)").
void write_statistics(const ReportInput& input, std::ostream& out);
// A Markdown summary for people (GitHub's job summary): counts per severity and per rule, then
// the first findings, linked when input.file_url_prefix is set.
void write_summary(const ReportInput& input, std::ostream& out);

}  // namespace okd
