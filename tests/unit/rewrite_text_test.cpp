// The text side of the rewriter: applying edits, unified diffs, atomic writes.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "rewrite/atomic_write.h"
#include "rewrite/source_edits.h"
#include "rewrite/unified_diff.h"

namespace fs = std::filesystem;

TEST(ApplyEdits, NonOverlappingInOffsetOrderAndSkipsOverlaps) {
  std::vector<okd::Edit> skipped;
  std::string out = okd::apply_edits("USER root\nEXPOSE 80\n",
                                     {{17, 19, "8080"}, {5, 9, "1001"}, {6, 8, "xx"}, {10, 10, "# hi\n"}}, &skipped);
  EXPECT_EQ(out, "USER 1001\n# hi\nEXPOSE 8080\n");
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_EQ(skipped[0].replacement, "xx");
}

TEST(UnifiedDiff, GitHeadersRemovalsBeforeAdditionsAndNoNewlineMarker) {
  std::string diff = okd::unified_diff("./a/Containerfile", "FROM a\nUSER root\nCMD x", "FROM a\nUSER 1001\nCMD x");
  EXPECT_EQ(diff,
            "diff --git a/a/Containerfile b/a/Containerfile\n--- a/a/Containerfile\n+++ b/a/Containerfile\n"
            "@@ -1,3 +1,3 @@\n FROM a\n-USER root\n+USER 1001\n CMD x\n\\ No newline at end of file\n");
  EXPECT_EQ(okd::unified_diff("x", "same\n", "same\n"), "");
}

TEST(UnifiedDiff, SeparateHunksForDistantChanges) {
  std::string before, after;
  for (int i = 0; i < 20; ++i) {
    before += "line " + std::to_string(i) + "\n";
    after += (i == 2 || i == 17 ? "changed " : "line ") + std::to_string(i) + "\n";
  }
  std::string diff = okd::unified_diff("f", before, after);
  EXPECT_NE(diff.find("@@ -1,6 +1,6 @@"), std::string::npos) << diff;
  EXPECT_NE(diff.find("@@ -15,6 +15,6 @@"), std::string::npos) << diff;
}

TEST(AtomicWrite, ReplacesKeepsModeAndLeavesNoTemporary) {
  fs::path dir = fs::temp_directory_path() / ("okdlint-aw-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "Containerfile";
  std::ofstream(file) << "old\n";
  fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  okd::write_file_atomically(file.string(), "new\n");
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "new\n");
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0640u);
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
  fs::remove_all(dir);
}

TEST(AtomicWrite, VanishedFileIsAnErrorAndNothingIsCreated) {
  fs::path dir = fs::temp_directory_path() / ("okdlint-aw2-" + std::to_string(getpid()));
  fs::create_directories(dir);
  fs::path file = dir / "gone";
  try {
    okd::write_file_atomically(file.string(), "x");
    ADD_FAILURE() << "no error for a vanished file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("gone: cannot write"), std::string::npos) << e.what();
  }
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}
