// GitHub Actions workflow commands: each line becomes an annotation on the pull request.
#include "lint/report/formats.h"
#include "lint/report/text.h"

namespace okd::report {

namespace {

std::string_view command_for(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "notice";
  }
  return "warning";
}

}  // namespace

std::string github_escape_data(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

std::string github_escape_property(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '%': out += "%25"; break;
      case '\r': out += "%0D"; break;
      case '\n': out += "%0A"; break;
      case ':': out += "%3A"; break;
      case ',': out += "%2C"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

void write_github(const ReportInput& input, std::ostream& out) {
  for (const Diagnostic& d : input.diagnostics) {
    const SourceFile* source = source_of(input, d);
    // Control characters are replaced as in the tty format: the runner echoes these lines to the
    // log, where an escape sequence in a file name or message would drive the viewer's terminal.
    out << "::" << command_for(d.severity) << " file=" << github_escape_property(terminal_safe(d.file, ""));
    if (!is_image_finding(d, source)) {
      out << ",line=" << d.range.begin.line << ",endLine=" << d.range.end.line;
      // GitHub only honours columns on single-line annotations.
      if (d.range.begin.line == d.range.end.line) {
        out << ",col=" << d.range.begin.column << ",endColumn=" << d.range.end.column;
      }
    }
    out << ",title=" << github_escape_property(terminal_safe(d.rule_id + " " + d.rule_name, "")) << "::";
    out << github_escape_data(terminal_safe(message_with_location(d), "")) << '\n';
  }
}

}  // namespace okd::report
