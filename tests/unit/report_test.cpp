// Reporters: golden files for every format, plus checks that the output means what it should
// (SARIF against the OASIS schema, JSON fields, XML that parses back, escaping, fingerprints).
#include <utility>
#include <cstdint>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "lint/report/formats.h"
#include "lint/report/json_stream.h"
#include "lint/report/reporter.h"

namespace okd {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path kGoldenDir = fs::path(OKDLINT_TEST_DATA) / "golden" / "report";
const fs::path kSarifSchema = fs::path(OKDLINT_TEST_DATA) / "schemas" / "sarif-schema-2.1.0.json";

// A tab before apt-get, accented letters, an arrow and CJK (two columns each) in one line.
constexpr std::string_view kContainerfile =
    "FROM docker.io/library/nginx:latest\n"
    "LABEL description=\"caf\u00e9 \u2192 \u65e5\u672c\"\n"
    "RUN\tapt-get update && \\\n"
    "    echo \"\u00fcn\u00efcode\" > /tmp/x\n"
    "USER root\n"
    "EXPOSE 80\n";

Range range_of(const SourceFile& source, std::string_view needle) {
  size_t at = source.text().find(needle);
  EXPECT_NE(at, std::string::npos) << needle;
  return source.range(static_cast<uint32_t>(at), static_cast<uint32_t>(at + needle.size()));
}

Edit replace(const SourceFile& source, std::string_view needle, std::string replacement) {
  Range range = range_of(source, needle);
  return Edit{range.begin.offset, range.end.offset, std::move(replacement)};
}

Diagnostic diagnostic(std::string id, std::string name, Severity severity, std::string message, std::string hint,
                      std::string file, Range range) {
  Diagnostic d;
  d.rule_id = std::move(id);
  d.rule_name = std::move(name);
  d.severity = severity;
  d.message = std::move(message);
  d.hint = std::move(hint);
  d.file = std::move(file);
  d.range = range;
  return d;
}

std::vector<RuleInfo> known_rules() {
  return {
      {"OKD101", "root-user", Severity::Error, "The container runs as root.",
       "OKD runs every container with a random UID in group 0, so a root user is never what runs.\n\n"
       "Set USER to a numeric non-root UID such as 1001.",
       true},
      {"OKD102", "privileged-port", Severity::Warning, "A port below 1024 is exposed.",
       "A non-root process cannot bind ports below 1024.", true},
      {"OKD110", "apt-cache-kept", Severity::Warning, "apt lists stay in the layer.",
       "Remove /var/lib/apt/lists in the same RUN.", true},
      {"OKD150", "tmp-write", Severity::Info, "A build step writes to /tmp.", "", true},
      {"OKD201", "docker-hub-direct", Severity::Error, "An image is pulled from Docker Hub directly.",
       "Pulls go through the Harbor proxy cache.", true},
      {"OKD401", "openshift-labels", Severity::Info, "A label the OpenShift console ignores.",
       "The console shows io.k8s.description.", true},
      {"OKD501", "passwd-not-group-writable", Severity::Warning, "/etc/passwd is not group-writable.",
       "Images that add the random UID to /etc/passwd at start need it group-writable.", true},
      {"OKD999", "unused-rule", Severity::Info, "Never fires in these tests.", "", false},
  };
}

struct Fixture {
  SourceFile source{"Containerfile", std::string(kContainerfile)};
  ReportInput input;

  Fixture() {
    const SourceFile& s = source;
    std::vector<Diagnostic>& out = input.diagnostics;

    Diagnostic hub = diagnostic("OKD201", "docker-hub-direct", Severity::Error,
                                "image pulled from docker.io: 100% of pulls count against the rate limit, "
                                "use the Harbor proxy",
                                "prefix the image with harbor.example.com/dockerhub/", "Containerfile",
                                range_of(s, "docker.io/library/nginx:latest"));
    hub.fix = Fix{"pull through harbor.example.com/dockerhub", Applicability::Safe,
                  {replace(s, "docker.io", "harbor.example.com/dockerhub")}};
    out.push_back(hub);

    out.push_back(diagnostic("OKD401", "openshift-labels", Severity::Info,
                             "use io.k8s.description so the OpenShift console shows it", "", "Containerfile",
                             range_of(s, "description=\"caf\u00e9 \u2192 \u65e5\u672c\"")));

    // From apt-get to the end of the instruction: two lines.
    Range run = range_of(s, "apt-get update && \\\n    echo \"\u00fcn\u00efcode\" > /tmp/x");
    out.push_back(diagnostic("OKD110", "apt-cache-kept", Severity::Warning,
                             "the layer keeps /var/lib/apt/lists <about 40 MB> & more\n"
                             "remove them in the same RUN",
                             "", "Containerfile", run));

    out.push_back(diagnostic("OKD150", "tmp-write", Severity::Info, "writes to /tmp at build time",
                             "write to a directory owned by group 0", "Containerfile", range_of(s, "/tmp/x")));

    Diagnostic root = diagnostic("OKD101", "root-user", Severity::Error,
                                 "USER root: OKD runs the container with a random UID, not root",
                                 "use a numeric UID such as 1001 and chgrp -R 0 what it writes", "Containerfile",
                                 range_of(s, "root"));
    root.fix = Fix{"set USER 1001", Applicability::Safe, {replace(s, "root", "1001")}};
    out.push_back(root);

    Diagnostic port = diagnostic("OKD102", "privileged-port", Severity::Warning,
                                 "port 80 is below 1024 and cannot be bound without root", "listen on 8080",
                                 "Containerfile", range_of(s, "80"));
    port.fix = Fix{"expose 8080 instead", Applicability::Unsafe, {replace(s, "EXPOSE 80", "EXPOSE 8080")}};
    out.push_back(port);

    Diagnostic config_user = diagnostic("OKD101", "root-user", Severity::Error, "the image config runs as root",
                                        "rebuild with USER 1001", "images/app image:1.0.tar", Range{});
    config_user.logical_location = "config.User";
    out.push_back(config_user);

    Diagnostic passwd = diagnostic("OKD501", "passwd-not-group-writable", Severity::Warning,
                                   "/etc/passwd is mode 0644, the random UID can't add itself", "chmod g+w /etc/passwd",
                                   "images/app image:1.0.tar", Range{});
    passwd.logical_location = "/etc/passwd";
    out.push_back(passwd);

    input.rules = known_rules();
    input.files = {"Containerfile", "images/app image:1.0.tar", "clean/Containerfile"};
    input.tool_version = "0.1.0";
    input.source_for = [this](const std::string& file) -> const SourceFile* {
      return file == source.path() ? &source : nullptr;
    };
  }
  Fixture(const Fixture&) = delete;
  Fixture& operator=(const Fixture&) = delete;
};

std::string render(ReportFormat format, const ReportInput& input) {
  std::ostringstream out;
  write_report(format, input, out);
  return out.str();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// Compares with tests/data/golden/report/<name>; OKDLINT_UPDATE_GOLDEN=1 rewrites the file
// instead (then read the diff before committing it).
void expect_golden(const std::string& name, const std::string& actual) {
  fs::path path = kGoldenDir / name;
  const char* update = std::getenv("OKDLINT_UPDATE_GOLDEN");
  if (update != nullptr && std::string_view(update) == "1") {
    fs::create_directories(kGoldenDir);
    write_file(path, actual);
    return;
  }
  ASSERT_TRUE(fs::exists(path)) << path << " is missing; run with OKDLINT_UPDATE_GOLDEN=1";
  EXPECT_EQ(read_file(path), actual) << "output differs from " << path;
}

// A file in a fresh temporary directory, removed with it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "okdlint-report-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data()) != nullptr ? fs::path(pattern) : fs::path();
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

int run_shell(const std::string& command) {
  int status = std::system(command.c_str());
  if (status == -1 || !WIFEXITED(status)) return -1;
  return WEXITSTATUS(status);
}

bool python_has_module(const std::string& module) {
  return run_shell("python3 -c 'import " + module + "' >/dev/null 2>&1") == 0;
}

// ---------------------------------------------------------------------------------------------
// Format names

TEST(ReportFormatTest, ParsesEveryNameAndRejectsOthers) {
  EXPECT_EQ(parse_report_format("tty"), ReportFormat::Tty);
  EXPECT_EQ(parse_report_format("json"), ReportFormat::Json);
  EXPECT_EQ(parse_report_format("sarif"), ReportFormat::Sarif);
  EXPECT_EQ(parse_report_format("github"), ReportFormat::Github);
  EXPECT_EQ(parse_report_format("gitlab"), ReportFormat::Gitlab);
  EXPECT_EQ(parse_report_format("checkstyle"), ReportFormat::Checkstyle);
  EXPECT_EQ(parse_report_format("SARIF"), std::nullopt);
  EXPECT_EQ(parse_report_format(""), std::nullopt);
  EXPECT_EQ(parse_report_format("junit"), std::nullopt);
  for (auto format : {ReportFormat::Tty, ReportFormat::Json, ReportFormat::Sarif, ReportFormat::Github,
                      ReportFormat::Gitlab, ReportFormat::Checkstyle}) {
    EXPECT_EQ(parse_report_format(to_string(format)), format);
  }
}

// ---------------------------------------------------------------------------------------------
// Golden files

TEST(ReportGoldenTest, Tty) {
  Fixture f;
  expect_golden("basic.tty", render(ReportFormat::Tty, f.input));
}

TEST(ReportGoldenTest, TtyColor) {
  Fixture f;
  f.input.color = true;
  expect_golden("basic.tty-color", render(ReportFormat::Tty, f.input));
}

TEST(ReportGoldenTest, Json) {
  Fixture f;
  expect_golden("basic.json", render(ReportFormat::Json, f.input));
}

TEST(ReportGoldenTest, Sarif) {
  Fixture f;
  expect_golden("basic.sarif", render(ReportFormat::Sarif, f.input));
}

TEST(ReportGoldenTest, Github) {
  Fixture f;
  expect_golden("basic.github", render(ReportFormat::Github, f.input));
}

TEST(ReportGoldenTest, Gitlab) {
  Fixture f;
  expect_golden("basic.gitlab", render(ReportFormat::Gitlab, f.input));
}

TEST(ReportGoldenTest, Checkstyle) {
  Fixture f;
  expect_golden("basic.checkstyle", render(ReportFormat::Checkstyle, f.input));
}

// ---------------------------------------------------------------------------------------------
// tty

TEST(TtyReportTest, NoDiagnosticsPrintsNothing) {
  ReportInput input;
  input.files = {"Containerfile"};
  EXPECT_EQ(render(ReportFormat::Tty, input), "");
}

TEST(TtyReportTest, CaretStaysUnderTheRangeAfterATab) {
  SourceFile source("Containerfile", "FROM x\n\tUSER  root\n");
  ReportInput input;
  input.diagnostics.push_back(
      diagnostic("OKD101", "root-user", Severity::Error, "root", "", "Containerfile", range_of(source, "root")));
  input.source_for = [&](const std::string&) { return &source; };
  std::string text = render(ReportFormat::Tty, input);
  // The tab expands to column 8, "USER  " takes 6 more: the caret sits under the 'r' of root.
  EXPECT_NE(text.find("  2 |         USER  root\n"
                      "    |               ^~~~\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Containerfile:2:8: error[OKD101] root\n"), std::string::npos) << text;
  EXPECT_NE(text.find("1 problem (1 error, 0 warnings, 0 info) in 1 file\n"), std::string::npos) << text;
}

TEST(TtyReportTest, WideCharactersTakeTwoColumns) {
  SourceFile source("Containerfile", "LABEL x=\"\u65e5\u672c\" y=1\n");
  ReportInput input;
  input.diagnostics.push_back(
      diagnostic("OKD401", "openshift-labels", Severity::Info, "m", "", "Containerfile", range_of(source, "y=1")));
  input.source_for = [&](const std::string&) { return &source; };
  std::string text = render(ReportFormat::Tty, input);
  // LABEL x=" is 9 columns, the two ideographs 4, the quote and the space 2: y is at column 15.
  EXPECT_NE(text.find("    |                ^~~\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Containerfile:1:14:"), std::string::npos) << text;
}

TEST(TtyReportTest, EmptyRangeGetsOneCaretAndMultiLineRangeStopsAtTheLineEnd) {
  SourceFile source("Containerfile", "RUN a \\\n  b\n");
  ReportInput input;
  Diagnostic insert = diagnostic("OKD1", "n", Severity::Warning, "m", "", "Containerfile", source.range(4, 4));
  Diagnostic spanning = diagnostic("OKD2", "n", Severity::Warning, "m", "", "Containerfile", source.range(4, 11));
  input.diagnostics = {insert, spanning};
  input.source_for = [&](const std::string&) { return &source; };
  std::string text = render(ReportFormat::Tty, input);
  EXPECT_NE(text.find("Containerfile:1:5: warning[OKD1] m\n  1 | RUN a \\\n    |     ^\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("Containerfile:1:5: warning[OKD2] m\n  1 | RUN a \\\n    |     ^~~\n"),
            std::string::npos)
      << text;
}

TEST(TtyReportTest, ControlCharactersCannotReachTheTerminal) {
  ReportInput input;
  input.diagnostics.push_back(diagnostic("OKD501", "n", Severity::Warning, "evil \x1b[2Jname", "",
                                         "image.tar", Range{}));
  input.diagnostics.back().logical_location = "/etc/\x1b]0;title\x07";
  std::string text = render(ReportFormat::Tty, input);
  EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
  EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  EXPECT_NE(text.find("image.tar: warning[OKD501] evil \uFFFD[2Jname (at /etc/\uFFFD]0;title\uFFFD)\n"),
            std::string::npos)
      << text;
}

TEST(TtyReportTest, ColorOnlyWhenAsked) {
  Fixture f;
  EXPECT_EQ(render(ReportFormat::Tty, f.input).find('\x1b'), std::string::npos);
  f.input.color = true;
  std::string colored = render(ReportFormat::Tty, f.input);
  EXPECT_NE(colored.find("\x1b[1;31merror[OKD201]\x1b[0m"), std::string::npos);
  EXPECT_NE(colored.find("\x1b[1;33mwarning[OKD110]\x1b[0m"), std::string::npos);
  EXPECT_NE(colored.find("\x1b[1;36minfo[OKD401]\x1b[0m"), std::string::npos);
  EXPECT_NE(colored.find("\x1b[1mContainerfile:5:6:\x1b[0m"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// json

TEST(JsonReportTest, ParsesAndHasTheFields) {
  Fixture f;
  json report = json::parse(render(ReportFormat::Json, f.input));
  ASSERT_TRUE(report.is_array());
  ASSERT_EQ(report.size(), f.input.diagnostics.size());
  for (size_t i = 0; i < report.size(); ++i) {
    const json& item = report[i];
    const Diagnostic& d = f.input.diagnostics[i];
    EXPECT_EQ(item["file"], d.file);
    EXPECT_EQ(item["line"], d.range.begin.line);
    EXPECT_EQ(item["column"], d.range.begin.column);
    EXPECT_EQ(item["end_line"], d.range.end.line);
    EXPECT_EQ(item["end_column"], d.range.end.column);
    EXPECT_EQ(item["rule"], d.rule_id);
    EXPECT_EQ(item["name"], d.rule_name);
    EXPECT_EQ(item["severity"], std::string(to_string(d.severity)));
    EXPECT_EQ(item["message"], d.message);
    EXPECT_EQ(item["hint"], d.hint);
    EXPECT_EQ(item.contains("location"), !d.logical_location.empty());
    EXPECT_EQ(item.contains("fix"), d.fix.has_value());
  }
  // USER root at 5:6; its fix replaces bytes [start, start + 4) with 1001.
  const json& root = report[4];
  EXPECT_EQ(root["line"], 5);
  EXPECT_EQ(root["column"], 6);
  EXPECT_EQ(root["end_column"], 10);
  const json& edit = root["fix"]["edits"][0];
  uint32_t offset = static_cast<uint32_t>(f.source.text().find("root"));
  EXPECT_EQ(edit["start"], json({{"offset", offset}, {"line", 5}, {"column", 6}}));
  EXPECT_EQ(edit["end"], json({{"offset", offset + 4}, {"line", 5}, {"column", 10}}));
  EXPECT_EQ(edit["replacement"], "1001");
  EXPECT_EQ(root["fix"]["applicability"], "safe");
  EXPECT_EQ(report[5]["fix"]["applicability"], "unsafe");
  EXPECT_EQ(report[7]["location"], "/etc/passwd");
  // Column counts code points, not bytes: /tmp/x starts at byte 23 of its line, after two
  // two-byte letters, so at column 22.
  EXPECT_EQ(report[3]["column"], 22);
}

TEST(JsonReportTest, EmptyIsAnEmptyArray) {
  ReportInput input;
  EXPECT_EQ(render(ReportFormat::Json, input), "[]\n");
}

TEST(JsonReportTest, InvalidUtf8IsReplacedNotFatal) {
  ReportInput input;
  input.diagnostics.push_back(diagnostic("OKD501", "n", Severity::Warning, "bad \xff byte", "", "image.tar", {}));
  json report = json::parse(render(ReportFormat::Json, input));
  EXPECT_EQ(report[0]["message"], "bad \uFFFD byte");
}

// Streaming (issue 10 §3): an array written element by element, and a document printed around
// one, are byte for byte what nlohmann prints for the whole tree.
TEST(JsonStreamTest, ArrayEqualsTheWholeDump) {
  using report::Json;
  std::vector<Json> elements = {
      Json::object(), Json::array(), 7, "multi\nline \"quoted\"",
      Json{{"a", 1}, {"nested", {{"list", Json::array({1, Json{{"deep", Json::array()}}})}, {"o", Json::object()}}}},
      Json::array({Json::array({"x"}), Json{{"k", "v"}}})};
  for (size_t n = 0; n <= elements.size(); ++n) {
    Json whole = Json::array();
    std::ostringstream streamed;
    report::JsonArrayStream array(streamed, 0);
    for (size_t i = 0; i < n; ++i) {
      whole.push_back(elements[i]);
      array.add(elements[i]);
    }
    array.finish();
    EXPECT_EQ(streamed.str(), report::dump_json(whole)) << n << " elements";
  }
}

TEST(JsonStreamTest, FrameAroundAStreamedArrayEqualsTheWholeDump) {
  using report::Json;
  Json items = Json::array({Json{{"id", 1}, {"tags", Json::array({"a", "b"})}}, Json{{"id", 2}}});
  for (const Json& results : {Json::array(), items}) {
    // The placeholder's key also appears earlier, as a value and inside a string.
    Json whole = {{"results", "a \"results\": [] text"},
                  {"runs", Json::array({{{"tool", {{"results", 3}}}, {"results", results}}})}};
    Json placeholder = whole;
    placeholder["runs"][0]["results"] = Json::array();
    report::JsonFrame frame = report::json_frame(placeholder, "results");
    std::ostringstream streamed;
    streamed << frame.before;
    report::JsonArrayStream array(streamed, frame.indent);
    for (const Json& item : results) array.add(item);
    array.finish();
    streamed << frame.after;
    EXPECT_EQ(streamed.str(), report::dump_json(whole) + "\n");
  }
}

// ---------------------------------------------------------------------------------------------
// sarif

TEST(SarifReportTest, ValidatesAgainstTheOasisSchema) {
  if (run_shell("command -v python3 >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 is not installed";
  if (!python_has_module("jsonschema")) GTEST_SKIP() << "python3 jsonschema is not installed (python3-jsonschema)";
  ASSERT_TRUE(fs::exists(kSarifSchema)) << kSarifSchema;

  Fixture f;
  ReportInput empty;
  empty.tool_version = "0.1.0";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  fs::path full = dir.path() / "full.sarif";
  fs::path none = dir.path() / "empty.sarif";
  write_file(full, render(ReportFormat::Sarif, f.input));
  write_file(none, render(ReportFormat::Sarif, empty));

  fs::path script = dir.path() / "validate.py";
  write_file(script,
             "import json, re, sys\n"
             "import jsonschema\n"
             "# jsonschema checks 'uri' only with optional packages; RFC 3986 characters suffice here.\n"
             "checker = jsonschema.FormatChecker()\n"
             "URI_CHARS = r\"(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*\"\n"
             "@checker.checks('uri')\n"
             "def is_uri(value):\n"
             "    return re.fullmatch(r'[A-Za-z][A-Za-z0-9+.-]*:' + URI_CHARS, value) is not None\n"
             "@checker.checks('uri-reference')\n"
             "def is_uri_reference(value):\n"
             "    first = re.split(r'[/?#]', value)[0]\n"
             "    if ':' in first and not re.fullmatch(r'[A-Za-z][A-Za-z0-9+.-]*:.*', value):\n"
             "        return False\n"
             "    return re.fullmatch(URI_CHARS, value) is not None\n"
             "schema = json.load(open(sys.argv[1]))\n"
             "validator = jsonschema.Draft4Validator(schema, format_checker=checker)\n"
             "failed = False\n"
             "for path in sys.argv[2:]:\n"
             "    for error in validator.iter_errors(json.load(open(path))):\n"
             "        failed = True\n"
             "        print(path, list(error.absolute_path), error.message)\n"
             "sys.exit(3 if failed else 0)  # not 1, which is what a crash of the script returns\n");
  std::string command = "python3 '" + script.string() + "' '" + kSarifSchema.string() + "' '" + full.string() +
                        "' '" + none.string() + "'";
  EXPECT_EQ(run_shell(command), 0) << "SARIF does not validate; the errors are printed above";

  // The check must be able to fail: a level SARIF does not know, or a URI with a raw space.
  std::string validate_prefix = command.substr(0, command.find(full.string()) - 1);
  json unknown_level = json::parse(render(ReportFormat::Sarif, f.input));
  unknown_level["runs"][0]["results"][0]["level"] = "fatal";
  json raw_space = json::parse(render(ReportFormat::Sarif, f.input));
  raw_space["runs"][0]["results"][7]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "app image.tar";
  for (const json& broken : {unknown_level, raw_space}) {
    fs::path bad = dir.path() / "broken.sarif";
    write_file(bad, broken.dump());
    EXPECT_EQ(run_shell(validate_prefix + "'" + bad.string() + "' >/dev/null"), 3) << broken.dump(2);
  }
}

TEST(SarifReportTest, ResultsPointAtTheirRulesAndRegions) {
  Fixture f;
  json log = json::parse(render(ReportFormat::Sarif, f.input));
  EXPECT_EQ(log["version"], "2.1.0");
  const json& run = log["runs"][0];
  EXPECT_EQ(run["columnKind"], "unicodeCodePoints");
  const json& driver = run["tool"]["driver"];
  EXPECT_EQ(driver["name"], "okdlint");
  EXPECT_EQ(driver["version"], "0.1.0");
  ASSERT_EQ(driver["rules"].size(), f.input.rules.size());
  EXPECT_EQ(driver["rules"][0]["help"]["text"], f.input.rules[0].rationale);
  EXPECT_EQ(driver["rules"][0]["fullDescription"]["text"],
            "OKD runs every container with a random UID in group 0, so a root user is never what runs.");
  EXPECT_EQ(driver["rules"][7]["defaultConfiguration"]["enabled"], false);
  EXPECT_EQ(driver["rules"][3]["defaultConfiguration"]["level"], "note");

  const json& results = run["results"];
  ASSERT_EQ(results.size(), f.input.diagnostics.size());
  for (size_t i = 0; i < results.size(); ++i) {
    size_t index = results[i]["ruleIndex"];
    EXPECT_EQ(driver["rules"][index]["id"], results[i]["ruleId"]);
    EXPECT_EQ(results[i]["ruleId"], f.input.diagnostics[i].rule_id);
  }
  const json& multi_line = results[2]["locations"][0]["physicalLocation"]["region"];
  EXPECT_EQ(multi_line, json({{"startLine", 3}, {"startColumn", 5}, {"endLine", 4}, {"endColumn", 28}}));

  const json& image = results[7]["locations"][0];
  EXPECT_EQ(image["physicalLocation"]["artifactLocation"]["uri"], "images/app%20image%3A1.0.tar");
  EXPECT_EQ(image["logicalLocations"][0], json({{"fullyQualifiedName", "/etc/passwd"}, {"kind", "resource"}}));
  EXPECT_FALSE(results[4]["locations"][0].contains("logicalLocations"));

  // Fixes are byte ranges: "docker.io" is 9 bytes at offset 5.
  const json& replacement = results[0]["fixes"][0]["artifactChanges"][0]["replacements"][0];
  EXPECT_EQ(replacement["deletedRegion"], json({{"byteOffset", 5}, {"byteLength", 9}}));
  EXPECT_EQ(replacement["insertedContent"]["text"], "harbor.example.com/dockerhub");
  EXPECT_FALSE(results[1].contains("fixes"));
}

TEST(SarifReportTest, UnknownRuleGetsADescriptor) {
  ReportInput input;
  input.rules = {{"OKD101", "root-user", Severity::Error, "s", "r", true}};
  input.diagnostics.push_back(diagnostic("X1", "experimental", Severity::Warning, "m", "", "Containerfile", {}));
  json log = json::parse(render(ReportFormat::Sarif, input));
  const json& rules = log["runs"][0]["tool"]["driver"]["rules"];
  ASSERT_EQ(rules.size(), 2u);
  EXPECT_EQ(rules[1]["id"], "X1");
  EXPECT_EQ(log["runs"][0]["results"][0]["ruleIndex"], 1);
}

TEST(SarifReportTest, PathsBecomeUris) {
  using report::path_to_uri;
  EXPECT_EQ(path_to_uri("Containerfile"), "Containerfile");
  EXPECT_EQ(path_to_uri("./sub dir/Containerfile"), "./sub%20dir/Containerfile");
  EXPECT_EQ(path_to_uri("/abs/a b#c?d"), "file:///abs/a%20b%23c%3Fd");
  EXPECT_EQ(path_to_uri("/abs/c:d"), "file:///abs/c:d");
  EXPECT_EQ(path_to_uri("registry.example.com/app:1.0"), "registry.example.com/app%3A1.0");
  EXPECT_EQ(path_to_uri("caf\u00e9/100%"), "caf%C3%A9/100%25");
  EXPECT_EQ(path_to_uri("a\\b"), "a%5Cb");
}

// ---------------------------------------------------------------------------------------------
// github

TEST(GithubReportTest, EscapesDataAndProperties) {
  using report::github_escape_data;
  using report::github_escape_property;
  EXPECT_EQ(github_escape_data("100% done: a,b\r\nnext"), "100%25 done: a,b%0D%0Anext");
  EXPECT_EQ(github_escape_property("100% done: a,b\r\nnext"), "100%25 done%3A a%2Cb%0D%0Anext");
  EXPECT_EQ(github_escape_data("%0A"), "%250A");
  EXPECT_EQ(github_escape_property("::error::"), "%3A%3Aerror%3A%3A");
  EXPECT_EQ(github_escape_data(""), "");
}

TEST(GithubReportTest, OneCommandPerDiagnostic) {
  Fixture f;
  std::string text = render(ReportFormat::Github, f.input);
  std::vector<std::string> lines;
  std::istringstream stream(text);
  for (std::string line; std::getline(stream, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), f.input.diagnostics.size()) << text;
  EXPECT_EQ(lines[4],
            "::error file=Containerfile,line=5,endLine=5,col=6,endColumn=10,title=OKD101 root-user::"
            "USER root: OKD runs the container with a random UID, not root");
  // Columns only on single-line annotations.
  EXPECT_EQ(lines[2].rfind("::warning file=Containerfile,line=3,endLine=4,title=OKD110 apt-cache-kept::", 0), 0u)
      << lines[2];
  EXPECT_EQ(lines[3].rfind("::notice ", 0), 0u) << lines[3];
  EXPECT_EQ(lines[7],
            "::warning file=images/app image%3A1.0.tar,title=OKD501 passwd-not-group-writable::"
            "/etc/passwd is mode 0644, the random UID can't add itself (at /etc/passwd)");
}

// ---------------------------------------------------------------------------------------------
// gitlab

TEST(GitlabReportTest, FingerprintSurvivesTheLineMoving) {
  SourceFile before("Containerfile", "FROM x\nUSER root\n");
  SourceFile after("Containerfile", "FROM x\n# run as a user\nRUN true\n  USER root\n");
  auto report_for = [](const SourceFile& source, const std::string& rule) {
    ReportInput input;
    input.diagnostics.push_back(
        diagnostic(rule, "root-user", Severity::Error, "runs as root", "", "Containerfile", range_of(source, "root")));
    input.source_for = [&source](const std::string&) { return &source; };
    return json::parse(render(ReportFormat::Gitlab, input));
  };
  json first = report_for(before, "OKD101");
  json moved = report_for(after, "OKD101");
  EXPECT_EQ(first[0]["location"]["lines"]["begin"], 2);
  EXPECT_EQ(moved[0]["location"]["lines"]["begin"], 4);
  EXPECT_EQ(first[0]["fingerprint"], moved[0]["fingerprint"]);
  EXPECT_NE(first[0]["fingerprint"], report_for(before, "OKD102")[0]["fingerprint"]);
  EXPECT_EQ(first[0]["fingerprint"].get<std::string>().size(), 64u);
}

TEST(GitlabReportTest, FingerprintDependsOnEveryPart) {
  using report::gitlab_fingerprint;
  std::string base = gitlab_fingerprint("Containerfile", "OKD101", "m", "USER root", 0);
  EXPECT_EQ(base, gitlab_fingerprint("Containerfile", "OKD101", "m", "USER root", 0));
  EXPECT_NE(base, gitlab_fingerprint("other/Containerfile", "OKD101", "m", "USER root", 0));
  EXPECT_NE(base, gitlab_fingerprint("Containerfile", "OKD102", "m", "USER root", 0));
  EXPECT_NE(base, gitlab_fingerprint("Containerfile", "OKD101", "n", "USER root", 0));
  EXPECT_NE(base, gitlab_fingerprint("Containerfile", "OKD101", "m", "USER 0", 0));
  EXPECT_NE(base, gitlab_fingerprint("Containerfile", "OKD101", "m", "USER root", 1));
  // Field boundaries matter: shifting text from one field to the next changes the hash.
  EXPECT_NE(gitlab_fingerprint("ab", "c", "m", "x", 0), gitlab_fingerprint("a", "bc", "m", "x", 0));
}

TEST(GitlabReportTest, RepeatedFindingsGetDistinctFingerprints) {
  SourceFile source("Containerfile", "USER root\nUSER root\n");
  ReportInput input;
  input.diagnostics.push_back(diagnostic("OKD101", "root-user", Severity::Error, "root", "", "Containerfile",
                                         source.range(5, 9)));
  input.diagnostics.push_back(diagnostic("OKD101", "root-user", Severity::Error, "root", "", "Containerfile",
                                         source.range(15, 19)));
  input.source_for = [&](const std::string&) { return &source; };
  json report = json::parse(render(ReportFormat::Gitlab, input));
  EXPECT_NE(report[0]["fingerprint"], report[1]["fingerprint"]);
}

TEST(GitlabReportTest, SeveritiesAndFields) {
  Fixture f;
  json report = json::parse(render(ReportFormat::Gitlab, f.input));
  ASSERT_EQ(report.size(), f.input.diagnostics.size());
  EXPECT_EQ(report[0]["severity"], "major");
  EXPECT_EQ(report[1]["severity"], "info");
  EXPECT_EQ(report[2]["severity"], "minor");
  for (const json& issue : report) {
    EXPECT_EQ(issue["type"], "issue");
    EXPECT_TRUE(issue["description"].is_string());
    EXPECT_TRUE(issue["check_name"].is_string());
    EXPECT_TRUE(issue["location"]["path"].is_string());
    EXPECT_TRUE(issue["location"]["lines"]["begin"].is_number_integer());
  }
}

// ---------------------------------------------------------------------------------------------
// checkstyle

TEST(CheckstyleReportTest, EscapesXml) {
  using report::xml_escape_attribute;
  EXPECT_EQ(xml_escape_attribute("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
  EXPECT_EQ(xml_escape_attribute("line\nnext\ttab\r"), "line&#10;next&#9;tab&#13;");
  // NUL, ESC and DEL's C0 neighbours are not XML 1.0 characters; invalid UTF-8 is not text.
  EXPECT_EQ(xml_escape_attribute(std::string("a\0b\x1b" "c", 5)), "a\uFFFDb\uFFFDc");
  EXPECT_EQ(xml_escape_attribute("bad\xc3"), "bad\uFFFD");
  EXPECT_EQ(xml_escape_attribute("caf\u00e9 \u65e5"), "caf\u00e9 \u65e5");
}

TEST(CheckstyleReportTest, ParsesBackToTheDiagnostics) {
  if (run_shell("command -v python3 >/dev/null 2>&1") != 0) GTEST_SKIP() << "python3 is not installed";
  Fixture f;
  f.input.diagnostics[0].message += std::string(" \x01 nul\x7f");
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  write_file(dir.path() / "report.xml", render(ReportFormat::Checkstyle, f.input));
  write_file(dir.path() / "dump.py",
             "import json, sys\n"
             "import xml.etree.ElementTree as ET\n"
             "root = ET.parse(sys.argv[1]).getroot()\n"
             "out = [[f.get('name'), [dict(e.attrib) for e in f]] for f in root]\n"
             "json.dump({'version': root.get('version'), 'files': out}, open(sys.argv[2], 'w'))\n");
  ASSERT_EQ(run_shell("python3 '" + (dir.path() / "dump.py").string() + "' '" +
                      (dir.path() / "report.xml").string() + "' '" + (dir.path() / "dump.json").string() + "'"),
            0)
      << "checkstyle output is not well-formed XML";
  json dump = json::parse(read_file(dir.path() / "dump.json"));
  EXPECT_EQ(dump["version"], "4.3");
  const json& files = dump["files"];
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files[0][0], "Containerfile");
  EXPECT_EQ(files[1][0], "images/app image:1.0.tar");
  EXPECT_EQ(files[2][0], "clean/Containerfile");
  EXPECT_TRUE(files[2][1].empty());
  ASSERT_EQ(files[0][1].size(), 6u);
  EXPECT_EQ(files[0][1][2]["message"], f.input.diagnostics[2].message);  // newline, < & > survive
  EXPECT_EQ(files[0][1][2]["line"], "3");
  EXPECT_EQ(files[0][1][2]["column"], "5");
  EXPECT_EQ(files[0][1][2]["severity"], "warning");
  EXPECT_EQ(files[0][1][2]["source"], "okdlint.OKD110");
  EXPECT_EQ(files[0][1][0]["message"].get<std::string>().substr(f.input.diagnostics[0].message.size() - 7),
            " \uFFFD nul\x7f");
  EXPECT_EQ(files[1][1][1]["message"],
            "/etc/passwd is mode 0644, the random UID can't add itself (at /etc/passwd)");
  EXPECT_FALSE(files[1][1][1].contains("column"));
}

TEST(CheckstyleReportTest, FilesOnlyNamedByDiagnosticsAreListedAndDuplicatesOnce) {
  ReportInput input;
  input.files = {"a", "a"};
  input.diagnostics.push_back(diagnostic("OKD1", "n", Severity::Info, "m", "", "b", {}));
  std::string text = render(ReportFormat::Checkstyle, input);
  EXPECT_EQ(text,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<checkstyle version=\"4.3\">\n"
            "  <file name=\"a\"/>\n"
            "  <file name=\"b\">\n"
            "    <error line=\"1\" column=\"1\" severity=\"info\" message=\"m\" source=\"okdlint.OKD1\"/>\n"
            "  </file>\n"
            "</checkstyle>\n");
}

}  // namespace
}  // namespace okd
