// The hostile-input catalogue (tests/data/hostile, written by tests/make_hostile_archives.py):
// every input must be refused with an ImageError carrying the reason its README row names.
#include <cstdint>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "lint/image/image.h"

namespace okd {
namespace {

namespace fs = std::filesystem;

const std::string kHostileDir = std::string(OKDLINT_TEST_DATA) + "/hostile";

struct HostileCase {
  std::string file;
  std::string expected;
  std::string options;
};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '`')) s.pop_back();
  size_t start = 0;
  while (start < s.size() && (s[start] == ' ' || s[start] == '`')) ++start;
  return s.substr(start);
}

// Rows of the README table: | `file` | `expected` | options | what |
std::vector<HostileCase> read_catalogue() {
  std::ifstream in(kHostileDir + "/README.md");
  std::vector<HostileCase> cases;
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    std::vector<std::string> cells;
    std::stringstream row(line.substr(1));
    std::string cell;
    while (std::getline(row, cell, '|')) cells.push_back(trim(cell));
    if (cells.size() >= 3) cases.push_back({cells[0], cells[1], cells[2]});
  }
  return cases;
}

ImageLoadOptions options_from(const std::string& text) {
  ImageLoadOptions options;
  std::stringstream words(text);
  std::string word;
  while (words >> word) {
    auto eq = word.find('=');
    std::string key = word.substr(0, eq);
    uint64_t value = std::stoull(word.substr(eq + 1));
    if (key == "max_layer_bytes") options.max_layer_bytes = value;
    else if (key == "max_ratio") options.max_ratio = value;
    else if (key == "ratio_grace_bytes") options.ratio_grace_bytes = value;
    else if (key == "max_json_depth") options.max_json_depth = value;
    else if (key == "max_json_bytes") options.max_json_bytes = value;
    else ADD_FAILURE() << "unknown option in README: " << key;
  }
  return options;
}

TEST(ImageHostileCatalogue, ListsEveryFileAndAtLeastTwenty) {
  auto cases = read_catalogue();
  EXPECT_GE(cases.size(), 20u);
  std::set<std::string> listed;
  for (const auto& c : cases) listed.insert(c.file);
  std::set<std::string> present;
  for (const auto& entry : fs::directory_iterator(kHostileDir)) {
    if (entry.path().filename() != "README.md") present.insert(entry.path().filename().string());
  }
  EXPECT_EQ(listed, present);
}

class ImageHostile : public ::testing::TestWithParam<HostileCase> {};

TEST_P(ImageHostile, IsRefusedWithItsReason) {
  const HostileCase& c = GetParam();
  for (unsigned threads : {1u, 0u}) {
    ImageLoadOptions options = options_from(c.options);
    options.threads = threads;
    try {
      auto images = load_images(kHostileDir + "/" + c.file, options);
      ADD_FAILURE() << c.file << " was accepted (" << images.size() << " images)";
    } catch (const ImageError& e) {
      std::string message = e.what();
      EXPECT_NE(message.find(c.expected), std::string::npos) << c.file << ": got \"" << message << "\"";
      EXPECT_EQ(message.find('\n'), std::string::npos) << "one line: " << message;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Catalogue, ImageHostile, ::testing::ValuesIn(read_catalogue()),
                         [](const ::testing::TestParamInfo<HostileCase>& info) {
                           std::string name = info.param.file;
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

// The sniff used by the CLI must not be fooled into claiming garbage, nor crash on it.
TEST(ImageHostileCatalogue, SniffNeverThrows) {
  for (const auto& c : read_catalogue()) {
    EXPECT_NO_THROW(looks_like_image(kHostileDir + "/" + c.file)) << c.file;
  }
  EXPECT_FALSE(looks_like_image(kHostileDir + "/garbage.bin"));
  EXPECT_FALSE(looks_like_image(kHostileDir + "/empty-file.bin"));
  EXPECT_FALSE(looks_like_image(kHostileDir + "/json-not-an-image.json"));
}

}  // namespace
}  // namespace okd
