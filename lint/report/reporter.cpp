#include "lint/report/reporter.h"

#include <array>
#include <utility>

#include "lint/report/formats.h"

namespace okd {

namespace {

constexpr std::array<std::pair<std::string_view, ReportFormat>, 6> kFormatNames{{
    {"tty", ReportFormat::Tty},
    {"json", ReportFormat::Json},
    {"sarif", ReportFormat::Sarif},
    {"github", ReportFormat::Github},
    {"gitlab", ReportFormat::Gitlab},
    {"checkstyle", ReportFormat::Checkstyle},
}};

}  // namespace

std::string rule_doc_url(std::string_view rule_id) {
  return std::string(kProjectUrl) + "/blob/main/docs/rules/" + std::string(rule_id) + ".md";
}

std::optional<ReportFormat> parse_report_format(std::string_view name) {
  for (const auto& [text, format] : kFormatNames) {
    if (text == name) return format;
  }
  return std::nullopt;
}

std::string_view to_string(ReportFormat format) {
  for (const auto& [text, known] : kFormatNames) {
    if (known == format) return text;
  }
  return "tty";
}

void write_report(ReportFormat format, const ReportInput& input, std::ostream& out) {
  switch (format) {
    case ReportFormat::Tty: report::write_tty(input, out); return;
    case ReportFormat::Json: report::write_json(input, out); return;
    case ReportFormat::Sarif: report::write_sarif(input, out); return;
    case ReportFormat::Github: report::write_github(input, out); return;
    case ReportFormat::Gitlab: report::write_gitlab(input, out); return;
    case ReportFormat::Checkstyle: report::write_checkstyle(input, out); return;
  }
}

namespace report {

const SourceFile* source_of(const ReportInput& input, const Diagnostic& d) {
  return input.source_for ? input.source_for(d.file) : nullptr;
}

bool is_image_finding(const Diagnostic& d, const SourceFile* source) {
  return source == nullptr && !d.logical_location.empty() && d.range.empty() && d.range.begin.line == 1 &&
         d.range.begin.column == 1;
}

std::string message_with_location(const Diagnostic& d) {
  std::string message = d.message;
  if (!d.logical_location.empty()) message.append(" (at ").append(d.logical_location).append(")");
  return message;
}

}  // namespace report

}  // namespace okd
