// Terminal output: one compiler-style header per diagnostic, the source line with the range
// underlined, the hint and the fix, then a summary line.
#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "lint/report/formats.h"
#include "lint/report/text.h"

namespace okd::report {

namespace {

constexpr int kTabStop = 8;

constexpr std::string_view kReset = "\x1b[0m";
constexpr std::string_view kBold = "\x1b[1m";
constexpr std::string_view kBoldRed = "\x1b[1;31m";
constexpr std::string_view kBoldYellow = "\x1b[1;33m";
constexpr std::string_view kBoldCyan = "\x1b[1;36m";
constexpr std::string_view kBoldGreen = "\x1b[1;32m";

class Painter {
 public:
  explicit Painter(bool color) : color_(color) {}
  std::string paint(std::string_view style, std::string_view text) const {
    if (!color_) return std::string(text);
    std::string out;
    out.append(style).append(text).append(kReset);
    return out;
  }

 private:
  bool color_;
};

std::string_view severity_style(Severity severity) {
  switch (severity) {
    case Severity::Error: return kBoldRed;
    case Severity::Warning: return kBoldYellow;
    case Severity::Info: return kBoldCyan;
  }
  return kBold;
}

// A source line as the terminal shows it (tabs expanded, control characters replaced) and, for
// every byte offset in the line (and one past the end), the display column where it starts.
struct RenderedLine {
  std::string text;
  std::vector<uint32_t> column;
};

RenderedLine render_line(std::string_view line) {
  RenderedLine rendered;
  rendered.column.assign(line.size() + 1, 0);
  uint32_t width = 0;
  size_t i = 0;
  while (i < line.size()) {
    size_t start = i;
    char32_t cp = decode_utf8(line, i);
    for (size_t k = start; k < i; ++k) rendered.column[k] = width;
    if (cp == '\t') {
      uint32_t spaces = kTabStop - width % kTabStop;
      rendered.text.append(spaces, ' ');
      width += spaces;
    } else if (is_control(cp) || (cp == kReplacementCharacter && i - start == 1)) {
      append_utf8(rendered.text, kReplacementCharacter);
      width += 1;
    } else {
      rendered.text.append(line.substr(start, i - start));
      width += static_cast<uint32_t>(terminal_width(cp));
    }
  }
  rendered.column[line.size()] = width;
  return rendered;
}

std::string plural(size_t count, std::string_view one, std::string_view many) {
  return std::to_string(count) + " " + std::string(count == 1 ? one : many);
}

void write_snippet(const Diagnostic& d, const SourceFile& source, const Painter& painter, std::ostream& out) {
  uint32_t line_number = d.range.begin.line;
  if (line_number == 0 || line_number > source.line_count()) return;
  std::string_view line = source.line_text(line_number);
  uint32_t line_start = source.line_start(line_number);
  auto clamp = [&](uint32_t offset) {
    return std::clamp<uint32_t>(offset, line_start, line_start + static_cast<uint32_t>(line.size())) - line_start;
  };
  uint32_t begin = clamp(d.range.begin.offset);
  // A range that goes on past this line is underlined to the end of the line.
  uint32_t end = d.range.end.line == line_number ? clamp(d.range.end.offset) : static_cast<uint32_t>(line.size());
  end = std::max(begin, end);

  RenderedLine rendered = render_line(line);
  uint32_t begin_column = rendered.column[begin];
  uint32_t end_column = rendered.column[end];
  std::string underline = "^";
  if (end_column > begin_column + 1) underline.append(end_column - begin_column - 1, '~');

  std::string number = std::to_string(line_number);
  out << "  " << number << " |";
  if (!rendered.text.empty()) out << ' ' << rendered.text;
  out << '\n';
  out << "  " << std::string(number.size(), ' ') << " | " << std::string(begin_column, ' ')
      << painter.paint(kBoldGreen, underline) << '\n';
}

}  // namespace

void write_tty(const ReportInput& input, std::ostream& out) {
  Painter painter(input.color);
  size_t errors = 0;
  size_t warnings = 0;
  size_t infos = 0;
  std::set<std::string> files_with_problems;

  for (const Diagnostic& d : input.diagnostics) {
    const SourceFile* source = source_of(input, d);
    std::string location = terminal_safe(d.file, " ");
    if (!is_image_finding(d, source)) {
      location.append(":").append(std::to_string(d.range.begin.line));
      location.append(":").append(std::to_string(d.range.begin.column));
    }
    location += ":";
    std::string label = std::string(to_string(d.severity)) + "[" + terminal_safe(d.rule_id, " ") + "]";
    out << painter.paint(kBold, location) << ' ' << painter.paint(severity_style(d.severity), label) << ' '
        << terminal_safe(d.message, "  ");
    if (!d.logical_location.empty()) out << " (at " << terminal_safe(d.logical_location, " ") << ")";
    out << '\n';

    if (source != nullptr) write_snippet(d, *source, painter, out);
    if (!d.hint.empty()) out << "  hint: " << terminal_safe(d.hint, "        ") << '\n';
    if (d.fix) {
      out << "  fix (" << to_string(d.fix->applicability) << "): " << terminal_safe(d.fix->description, "    ")
          << '\n';
    }
    out << '\n';

    switch (d.severity) {
      case Severity::Error: ++errors; break;
      case Severity::Warning: ++warnings; break;
      case Severity::Info: ++infos; break;
    }
    files_with_problems.insert(d.file);
  }

  if (input.diagnostics.empty() || input.quiet) return;
  out << plural(input.diagnostics.size(), "problem", "problems") << " (" << plural(errors, "error", "errors")
      << ", " << plural(warnings, "warning", "warnings") << ", " << infos << " info) in "
      << plural(files_with_problems.size(), "file", "files") << '\n';
}

}  // namespace okd::report
