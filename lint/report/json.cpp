// Plain JSON: one object per diagnostic, the fields a script needs without knowing SARIF.
#include "lint/report/formats.h"
#include "lint/report/json_stream.h"

#include <cstdint>

namespace okd::report {

namespace {

Json edit_point(const SourceFile* source, uint32_t offset) {
  Json point = {{"offset", offset}};
  if (source != nullptr) {
    Position position = source->position(offset);
    point["line"] = position.line;
    point["column"] = position.column;
  }
  return point;
}

Json fix_json(const Fix& fix, const SourceFile* source) {
  Json edits = Json::array();
  for (const Edit& edit : fix.edits) {
    edits.push_back({{"start", edit_point(source, edit.begin)},
                     {"end", edit_point(source, edit.end)},
                     {"replacement", edit.replacement}});
  }
  return {{"description", fix.description},
          {"applicability", std::string(to_string(fix.applicability))},
          {"edits", std::move(edits)}};
}

}  // namespace

void write_json(const ReportInput& input, std::ostream& out) {
  // Streamed: each finding is printed as soon as it is formatted. Text from images may not be
  // UTF-8; bad bytes are replaced rather than failing the whole report.
  JsonArrayStream report(out, 0);
  for (const Diagnostic& d : input.diagnostics) {
    Json item = {
        {"file", d.file},
        {"line", d.range.begin.line},
        {"column", d.range.begin.column},
        {"end_line", d.range.end.line},
        {"end_column", d.range.end.column},
        {"rule", d.rule_id},
        {"name", d.rule_name},
        {"severity", std::string(to_string(d.severity))},
        {"message", d.message},
        {"hint", d.hint},
        {"url", rule_doc_url(d.rule_id)},
    };
    if (!d.logical_location.empty()) item["location"] = d.logical_location;
    if (d.fix) item["fix"] = fix_json(*d.fix, source_of(input, d));
    report.add(item);
  }
  report.finish();
  out << '\n';
}

}  // namespace okd::report
