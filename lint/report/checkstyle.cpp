// Checkstyle XML, read by Jenkins (warnings-ng), reviewdog and many IDE plugins.
#include <map>
#include <vector>

#include "lint/report/formats.h"
#include "lint/report/text.h"

namespace okd::report {

namespace {

bool allowed_in_xml(char32_t cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

}  // namespace

std::string xml_escape_attribute(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    char32_t cp = decode_utf8(text, i);
    bool invalid_byte = cp == kReplacementCharacter && i - start == 1;
    switch (cp) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      // Attribute-value normalisation would turn these into spaces; references keep them.
      case '\t': out += "&#9;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (invalid_byte || !allowed_in_xml(cp)) {
          append_utf8(out, kReplacementCharacter);
        } else {
          out.append(text.substr(start, i - start));
        }
    }
  }
  return out;
}

void write_checkstyle(const ReportInput& input, std::ostream& out) {
  // Clean inputs are listed too (an empty <file>), so consumers can tell "checked, no problems"
  // from "not checked"; files only named by diagnostics follow in order of appearance.
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Diagnostic*>> by_file;
  for (const std::string& file : input.files) {
    if (by_file.try_emplace(file).second) order.push_back(file);
  }
  for (const Diagnostic& d : input.diagnostics) {
    auto [it, inserted] = by_file.try_emplace(d.file);
    if (inserted) order.push_back(d.file);
    it->second.push_back(&d);
  }

  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n";
  for (const std::string& file : order) {
    const std::vector<const Diagnostic*>& diagnostics = by_file.at(file);
    out << "  <file name=\"" << xml_escape_attribute(file) << "\"";
    if (diagnostics.empty()) {
      out << "/>\n";
      continue;
    }
    out << ">\n";
    for (const Diagnostic* d : diagnostics) {
      std::string message = message_with_location(*d);
      out << "    <error line=\"" << d->range.begin.line << "\"";
      if (!is_image_finding(*d, source_of(input, *d))) out << " column=\"" << d->range.begin.column << "\"";
      out << " severity=\"" << to_string(d->severity) << "\" message=\"" << xml_escape_attribute(message)
          << "\" source=\"okdlint." << xml_escape_attribute(d->rule_id) << "\"/>\n";
    }
    out << "  </file>\n";
  }
  out << "</checkstyle>\n";
}

}  // namespace okd::report
