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
  // Summary only: prefix that makes a repository-relative path a link to the file, e.g.
  // "https://github.com/OWNER/REPO/blob/SHA/"; empty: no links.
  std::string file_url_prefix;
};

void write_report(ReportFormat format, const ReportInput& input, std::ostream& out);

// A Markdown summary for people (GitHub's job summary): counts per severity and per rule, then
// the first findings, linked when input.file_url_prefix is set.
void write_summary(const ReportInput& input, std::ostream& out);

}  // namespace okd
