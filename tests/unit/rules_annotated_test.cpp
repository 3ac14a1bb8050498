// Annotated rule tests in the clang-tidy style: each tests/data/rules/*.Containerfile carries its
// expected diagnostics inline, and NAME.fixed next to it is what `okdlint fix` must produce from
// it (without NAME.fixed, fixing must leave the file unchanged).
//
//   USER root
//   # expect: -1:6-10 OKD101 runs as root
//
// `-1` is the line relative to the annotation, `6-10` the start and end column (end optional),
// then the rule id and a substring of the message (optional). Every diagnostic must be expected
// and every expectation met. Options for the whole file:
//   # okdlint-test: target=NAME build-arg=K=V proxy=HOST/PATH unsafe alias=SHORT=FULL select=ID
#include <algorithm>
#include <optional>
#include <cstdint>
#include <gtest/gtest.h>

#include "tests/unit/test_support.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "rewrite/fixer.h"
#include "rules/engine.h"

namespace fs = std::filesystem;

namespace {

using okd::test::read_file;

struct Expectation {
  uint32_t line;
  uint32_t column;
  std::optional<uint32_t> end_column;
  std::string rule;
  std::string message;
  bool met = false;
};

struct TestFile {
  std::vector<Expectation> expectations;
  okd::Config config;
  okd::RegistryAliases aliases;
  okd::RuleSelection selection;
  bool unsafe = false;
};

TestFile read_annotations(const std::string& text) {
  TestFile t;
  static const std::regex expect_re(R"(^\s*# expect: ([+-]\d+):(\d+)(?:-(\d+))? (OKD\d{3})(?: (.*))?$)");
  static const std::regex option_re(R"(^\s*# okdlint-test: (.*)$)");
  std::istringstream in(text);
  std::string line;
  uint32_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::smatch m;
    if (std::regex_match(line, m, expect_re)) {
      Expectation e;
      e.line = static_cast<uint32_t>(static_cast<int>(number) + std::stoi(m[1]));
      e.column = static_cast<uint32_t>(std::stoul(m[2]));
      if (m[3].matched) e.end_column = static_cast<uint32_t>(std::stoul(m[3]));
      e.rule = m[4];
      e.message = m[5].matched ? std::string(m[5]) : "";
      t.expectations.push_back(e);
    } else if (std::regex_match(line, m, option_re)) {
      std::istringstream opts(m[1]);
      std::string opt;
      while (opts >> opt) {
        size_t eq = opt.find('=');
        std::string key = opt.substr(0, eq), value = eq == std::string::npos ? "" : opt.substr(eq + 1);
        if (key == "target") t.config.target = value;
        else if (key == "build-arg") t.config.build_args[value.substr(0, value.find('='))] = value.substr(value.find('=') + 1);
        else if (key == "proxy") t.config.proxy = value;
        else if (key == "unsafe") t.unsafe = true;
        else if (key == "select") t.selection.select.insert(value);
        else if (key == "alias") t.aliases.aliases[value.substr(0, value.find('='))] = value.substr(value.find('=') + 1);
        else ADD_FAILURE() << "unknown test option " << key;
      }
    }
  }
  return t;
}

std::vector<std::string> annotated_files() {
  std::vector<std::string> names;
  fs::path dir = fs::path(OKDLINT_TEST_DATA) / "rules";
  if (!fs::exists(dir)) return names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".Containerfile") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class AnnotatedRuleTest : public testing::TestWithParam<std::string> {};

TEST_P(AnnotatedRuleTest, DiagnosticsMatchAnnotations) {
  fs::path file = fs::path(OKDLINT_TEST_DATA) / "rules" / (GetParam() + ".Containerfile");
  std::string text = read_file(file);
  TestFile t = read_annotations(text);
  okd::SourceFile source(file.filename().string(), text);
  okd::ContainerfileLint lint = okd::lint_containerfile(source, t.config, t.aliases, t.selection);
  for (const okd::Diagnostic& d : lint.diagnostics) {
    auto match = std::find_if(t.expectations.begin(), t.expectations.end(), [&](const Expectation& e) {
      return !e.met && e.rule == d.rule_id && e.line == d.range.begin.line && e.column == d.range.begin.column &&
             (!e.end_column || *e.end_column == d.range.end.column) && d.message.find(e.message) != std::string::npos;
    });
    if (match == t.expectations.end()) {
      ADD_FAILURE() << file.filename().string() << ":" << d.range.begin.line << ":" << d.range.begin.column << "-"
                    << d.range.end.column << ": unexpected " << d.rule_id << " " << d.message;
    } else {
      match->met = true;
    }
  }
  for (const Expectation& e : t.expectations) {
    if (!e.met) {
      ADD_FAILURE() << file.filename().string() << ":" << e.line << ":" << e.column << ": expected " << e.rule << " '"
                    << e.message << "' was not reported";
    }
  }
}

TEST_P(AnnotatedRuleTest, FixMatchesExpectedOutput) {
  fs::path file = fs::path(OKDLINT_TEST_DATA) / "rules" / (GetParam() + ".Containerfile");
  fs::path fixed = file;
  fixed.replace_extension(".fixed");
  std::string text = read_file(file);
  TestFile t = read_annotations(text);
  okd::FixOptions options;
  options.unsafe = t.unsafe;
  options.selection = t.selection;
  okd::FixResult result = okd::fix_containerfile(file.filename().string(), text, t.config, t.aliases, options);
  EXPECT_TRUE(result.converged);
  if (!fs::exists(fixed)) {
    // No NAME.fixed: nothing in this file may be rewritten.
    EXPECT_EQ(result.text, text) << "fixes changed " << file.filename() << " but there is no " << fixed.filename();
    return;
  }
  if (std::getenv("OKDLINT_UPDATE_FIXED")) {  // regenerate the goldens, then review them with git diff
    std::ofstream(fixed, std::ios::binary) << result.text;
  }
  EXPECT_EQ(result.text, read_file(fixed));
  // Idempotence: fixing the fixed text changes nothing more.
  okd::FixResult again = okd::fix_containerfile(file.filename().string(), result.text, t.config, t.aliases, options);
  EXPECT_EQ(again.text, result.text) << "fix is not idempotent on " << file.filename();
  if (getenv("OKDLINT_UPDATE_GOLDEN")) std::ofstream(fixed, std::ios::binary) << result.text;
}

std::string param_name(const testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& c : n) if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(Rules, AnnotatedRuleTest, testing::ValuesIn(annotated_files()), param_name);
GTEST_ALLOW_UNINSTANTIATED_PARAMETERIZED_TEST(AnnotatedRuleTest);

}  // namespace
