// Properties of `okdlint fix` over every Containerfile in tests/data and examples/ (BuildKit's
// conformance files included), with safe and with unsafe fixes:
//  - fix(fix(x)) == fix(x);
//  - the fixed text parses, and re-linting it reports none of the rules whose fixes applied;
//  - in one pass, bytes outside the edits are unchanged, and every instruction no edit touched
//    dumps exactly as before (BuildKit dump), in the same order.
#include <gtest/gtest.h>

#include "tests/unit/test_support.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "rewrite/fixer.h"
#include "rewrite/source_edits.h"

namespace fs = std::filesystem;

namespace {

using okd::test::read_file;

std::vector<std::string> corpus() {
  std::vector<std::string> files;
  for (const char* dir : {OKDLINT_TEST_DATA, OKDLINT_SOURCE_DIR "/examples"}) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file()) continue;
      std::string name = e.path().filename().string();
      if (name == "Dockerfile" || name == "Containerfile" || e.path().extension() == ".Containerfile") {
        files.push_back(fs::relative(e.path(), OKDLINT_SOURCE_DIR).string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string dump_of(const okd::Instruction& ins) {
  okd::ParsedDockerfile one;
  one.instructions.push_back(ins);
  return okd::dump_buildkit(one);
}

class FixProperties : public testing::TestWithParam<std::tuple<std::string, bool>> {};

TEST_P(FixProperties, Hold) {
  const auto& [file, unsafe] = GetParam();
  std::string text = read_file(fs::path(OKDLINT_SOURCE_DIR) / file);
  okd::Config config;
  okd::RegistryAliases aliases;
  okd::FixOptions options;
  options.unsafe = unsafe;

  okd::FixResult fixed = okd::fix_containerfile(file, text, config, aliases, options);
  EXPECT_TRUE(fixed.converged);
  okd::FixResult again = okd::fix_containerfile(file, fixed.text, config, aliases, options);
  EXPECT_EQ(again.text, fixed.text) << "not idempotent";

  okd::SourceFile original_source(file, text);
  bool original_parses = !okd::parse_dockerfile(original_source).has_errors();
  okd::SourceFile fixed_source(file, fixed.text);
  okd::ParsedDockerfile fixed_tree = okd::parse_dockerfile(fixed_source);
  if (original_parses) {
    EXPECT_FALSE(fixed_tree.has_errors()) << "the fixed file does not parse";
  }
  std::set<std::string> applied_rules;
  for (const auto& d : fixed.applied) applied_rules.insert(d.rule_id);
  for (const auto& d : fixed.remaining) {
    if (!d.fix) continue;  // a rule may report a second, unfixable problem
    bool applicable = d.fix->applicability == okd::Applicability::Safe || unsafe;
    EXPECT_FALSE(applicable && applied_rules.count(d.rule_id))
        << d.rule_id << " still reported with an applicable fix at " << d.range.begin.line << ": " << d.message;
  }

  // One pass: edits in original coordinates.
  options.max_passes = 1;
  okd::FixResult one = okd::fix_containerfile(file, text, config, aliases, options);
  std::vector<okd::Edit> edits;
  for (const auto& d : one.applied) edits.insert(edits.end(), d.fix->edits.begin(), d.fix->edits.end());
  std::sort(edits.begin(), edits.end(), [](const okd::Edit& a, const okd::Edit& b) { return a.begin < b.begin; });
  // Bytes outside the edits appear unchanged and in order.
  size_t cursor = 0, out = 0;
  for (const okd::Edit& e : edits) {
    std::string keep = text.substr(cursor, e.begin - cursor);
    ASSERT_EQ(one.text.compare(out, keep.size(), keep), 0) << "bytes before offset " << e.begin << " changed";
    out += keep.size() + e.replacement.size();
    cursor = e.end;
  }
  EXPECT_EQ(one.text.substr(out), text.substr(cursor));
  if (!original_parses) return;
  // Untouched instructions dump the same, in order, in the fixed file.
  okd::ParsedDockerfile before = okd::parse_dockerfile(original_source);
  okd::SourceFile one_source(file, one.text);
  okd::ParsedDockerfile after = okd::parse_dockerfile(one_source);
  std::vector<std::string> after_dumps;
  for (const auto& ins : after.instructions) after_dumps.push_back(dump_of(ins));
  size_t next = 0;
  for (const auto& ins : before.instructions) {
    bool touched = std::any_of(edits.begin(), edits.end(), [&](const okd::Edit& e) {
      return e.begin < ins.full_range.end.offset && e.end > ins.full_range.begin.offset;
    });
    if (touched) continue;
    std::string want = dump_of(ins);
    while (next < after_dumps.size() && after_dumps[next] != want) ++next;
    ASSERT_LT(next, after_dumps.size()) << "untouched instruction changed or moved: " << want;
    ++next;
  }
}

std::string param_name(const testing::TestParamInfo<std::tuple<std::string, bool>>& info) {
  std::string n = std::get<0>(info.param) + (std::get<1>(info.param) ? "_unsafe" : "_safe");
  for (char& c : n) if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(AllContainerfiles, FixProperties,
                         testing::Combine(testing::ValuesIn(corpus()), testing::Bool()), param_name);

}  // namespace
