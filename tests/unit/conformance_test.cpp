// BuildKit's own parser test data: every positive case must dump byte-identically to its
// `result` file, every negative case must be rejected.
#include <gtest/gtest.h>

#include "tests/unit/test_support.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lint/dockerfile.h"

namespace fs = std::filesystem;

namespace {

using okd::test::read_file;

std::vector<std::string> case_names(const char* folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(fs::path(OKDLINT_TEST_DATA) / "buildkit-parser" / folder)) {
    if (entry.is_directory()) names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

class PositiveCase : public testing::TestWithParam<std::string> {};
class NegativeCase : public testing::TestWithParam<std::string> {};

TEST_P(PositiveCase, DumpMatchesBuildKit) {
  fs::path dir = fs::path(OKDLINT_TEST_DATA) / "buildkit-parser" / "testfiles" / GetParam();
  okd::SourceFile src((dir / "Dockerfile").string(), read_file(dir / "Dockerfile"));
  okd::ParsedDockerfile parsed = okd::parse_dockerfile(src);
  for (const auto& e : parsed.errors) ADD_FAILURE() << e.range.begin.line << ": " << e.message;
  EXPECT_EQ(okd::dump_buildkit(parsed) + "\n", read_file(dir / "result"));
}

TEST_P(NegativeCase, IsRejectedWithPosition) {
  fs::path file = fs::path(OKDLINT_TEST_DATA) / "buildkit-parser" / "testfiles-negative" / GetParam() / "Dockerfile";
  okd::SourceFile src(file.string(), read_file(file));
  okd::ParsedDockerfile parsed = okd::parse_dockerfile(src);
  ASSERT_TRUE(parsed.has_errors());
  EXPECT_EQ(parsed.errors.front().rule_id, "OKD001");
  EXPECT_GE(parsed.errors.front().range.begin.line, 1u);
}

std::string param_name(const testing::TestParamInfo<std::string>& info) {
  std::string n = info.param;
  for (char& c : n) if (!isalnum(static_cast<unsigned char>(c))) c = '_';
  return n;
}

INSTANTIATE_TEST_SUITE_P(BuildKit, PositiveCase, testing::ValuesIn(case_names("testfiles")), param_name);
INSTANTIATE_TEST_SUITE_P(BuildKit, NegativeCase, testing::ValuesIn(case_names("testfiles-negative")), param_name);

TEST(Conformance, CaseCounts) {
  EXPECT_EQ(case_names("testfiles").size(), 33u);
  EXPECT_EQ(case_names("testfiles-negative").size(), 4u);
}

// testfile-line: the root spans lines 5-31; FROM 5-5, ENV 11-12, RUN 17-31.
TEST(Conformance, LineNumbers) {
  fs::path file = fs::path(OKDLINT_TEST_DATA) / "buildkit-parser" / "testfile-line" / "Dockerfile";
  okd::SourceFile src(file.string(), read_file(file));
  okd::ParsedDockerfile parsed = okd::parse_dockerfile(src);
  ASSERT_FALSE(parsed.has_errors());
  ASSERT_EQ(parsed.instructions.size(), 3u);
  EXPECT_EQ(parsed.instructions[0].start_line, 5u);
  EXPECT_EQ(parsed.instructions[0].end_line, 5u);
  EXPECT_EQ(parsed.instructions[1].start_line, 11u);
  EXPECT_EQ(parsed.instructions[1].end_line, 12u);
  EXPECT_EQ(parsed.instructions[2].start_line, 17u);
  EXPECT_EQ(parsed.instructions[2].end_line, 31u);
}

}  // namespace
