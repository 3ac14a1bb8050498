// SARIF 2.1.0 (OASIS), the format GitHub code scanning and most security dashboards ingest.
#include <map>

#include "lint/report/formats.h"
#include "lint/report/json_stream.h"

namespace okd::report {

namespace {

constexpr std::string_view kSchemaUri =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
constexpr std::string_view kInformationUri = kProjectUrl;

std::string_view sarif_level(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "note";
  }
  return "warning";
}

// GitHub code scanning reads this property to rank alerts (error, warning, recommendation).
std::string_view github_problem_severity(Severity severity) {
  switch (severity) {
    case Severity::Error: return "error";
    case Severity::Warning: return "warning";
    case Severity::Info: return "recommendation";
  }
  return "warning";
}

std::string first_paragraph(const std::string& text) {
  size_t end = text.find("\n\n");
  std::string paragraph = text.substr(0, end);
  while (!paragraph.empty() && (paragraph.back() == '\n' || paragraph.back() == ' ')) paragraph.pop_back();
  return paragraph;
}

Json rule_descriptor(const RuleInfo& rule) {
  std::string summary = rule.summary.empty() ? rule.name : rule.summary;
  std::string rationale = rule.rationale.empty() ? summary : rule.rationale;
  return {
      {"id", rule.id},
      {"name", rule.name},
      {"shortDescription", {{"text", summary}}},
      {"fullDescription", {{"text", first_paragraph(rationale)}}},
      {"help", {{"text", rationale}}},
      {"helpUri", rule_doc_url(rule.id)},
      {"defaultConfiguration",
       {{"enabled", rule.enabled_by_default}, {"level", std::string(sarif_level(rule.default_severity))}}},
      {"properties",
       {{"tags", Json::array({"okd"})},
        {"problem.severity", std::string(github_problem_severity(rule.default_severity))}}},
  };
}

Json region_of(const Range& range) {
  return {{"startLine", range.begin.line},
          {"startColumn", range.begin.column},
          {"endLine", range.end.line},
          {"endColumn", range.end.column}};
}

Json fix_of(const Diagnostic& d, const std::string& uri) {
  Json replacements = Json::array();
  for (const Edit& edit : d.fix->edits) {
    // Edits are byte ranges; SARIF's charOffset would count characters, so use byteOffset.
    Json replacement = {{"deletedRegion", {{"byteOffset", edit.begin}, {"byteLength", edit.end - edit.begin}}}};
    if (!edit.replacement.empty()) replacement["insertedContent"] = {{"text", edit.replacement}};
    replacements.push_back(std::move(replacement));
  }
  return {
      {"description", {{"text", d.fix->description}}},
      {"artifactChanges", Json::array({{{"artifactLocation", {{"uri", uri}}}, {"replacements", replacements}}})},
      {"properties", {{"applicability", std::string(to_string(d.fix->applicability))}}},
  };
}

}  // namespace

void write_sarif(const ReportInput& input, std::ostream& out) {
  Json rules = Json::array();
  std::map<std::string, size_t> rule_index;
  for (const RuleInfo& rule : input.rules) {
    if (rule_index.emplace(rule.id, rules.size()).second) rules.push_back(rule_descriptor(rule));
  }
  // A finding from a rule the caller did not list still gets a descriptor, so ruleIndex is valid.
  for (const Diagnostic& d : input.diagnostics) {
    if (rule_index.contains(d.rule_id)) continue;
    rule_index.emplace(d.rule_id, rules.size());
    rules.push_back(rule_descriptor(RuleInfo{d.rule_id, d.rule_name, d.severity, d.rule_name, "", true}));
  }

  Json driver = {
      {"name", "okdlint"},
      {"version", input.tool_version},
      {"informationUri", kInformationUri},
      {"rules", std::move(rules)},
  };
  Json log = {
      {"$schema", kSchemaUri},
      {"version", "2.1.0"},
      {"runs", Json::array({{{"tool", {{"driver", std::move(driver)}}},
                             {"columnKind", "unicodeCodePoints"},
                             {"results", Json::array()}}})},
  };
  // The document is printed around its results, which are streamed: each finding is written as
  // soon as it is formatted, never held as one tree.
  JsonFrame frame = json_frame(log, "results");
  out << frame.before;
  JsonArrayStream results(out, frame.indent);
  for (const Diagnostic& d : input.diagnostics) {
    std::string uri = path_to_uri(d.file);
    Json location = {{"physicalLocation", {{"artifactLocation", {{"uri", uri}}}, {"region", region_of(d.range)}}}};
    if (!d.logical_location.empty()) {
      location["logicalLocations"] =
          Json::array({{{"fullyQualifiedName", d.logical_location}, {"kind", "resource"}}});
    }
    Json result = {
        {"ruleId", d.rule_id},
        {"ruleIndex", rule_index.at(d.rule_id)},
        {"level", std::string(sarif_level(d.severity))},
        {"message", {{"text", d.message}}},
        {"locations", Json::array({std::move(location)})},
    };
    // SARIF requires at least one change per fix; a fix without edits is only advice.
    if (d.fix && !d.fix->edits.empty()) result["fixes"] = Json::array({fix_of(d, uri)});
    results.add(result);
  }
  results.finish();
  out << frame.after;
}

std::string path_to_uri(std::string_view path) {
  bool absolute = !path.empty() && path.front() == '/';
  auto keep = [absolute](unsigned char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
    // ':' would turn the first segment of a relative reference into a scheme.
    if (c == ':') return absolute;
    return std::string_view("-._~!$&'()*+,;=/@").find(static_cast<char>(c)) != std::string_view::npos;
  };
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string uri = absolute ? "file://" : "";
  for (char ch : path) {
    auto c = static_cast<unsigned char>(ch);
    if (keep(c)) {
      uri.push_back(ch);
    } else {
      uri.push_back('%');
      uri.push_back(kHex[c >> 4]);
      uri.push_back(kHex[c & 0x0F]);
    }
  }
  return uri;
}

}  // namespace okd::report
