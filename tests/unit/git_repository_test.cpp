// git/repository.h: parsing git's plumbing output and the pre-push hook's stdin.
#include "git/repository.h"

#include <gtest/gtest.h>

#include <string>

namespace okd::git {
namespace {

using namespace std::string_literals;

bool containerfiles(const std::string& path) { return path.ends_with("Containerfile") || path.ends_with("Dockerfile"); }

TEST(GitRepository, RawDiffKeepsRegularWantedFilesWithTheirNewBlob) {
  std::string raw =
      ":000000 100644 0000000 1111111 A\0app/Containerfile\0"s
      ":100644 100755 2222222 3333333 M\0Dockerfile\0"s
      ":100644 120000 4444444 5555555 T\0link/Dockerfile\0"s   // now a symlink: skipped
      ":000000 160000 0000000 6666666 A\0sub/Containerfile\0"s  // a submodule: skipped
      ":100644 100644 7777777 8888888 M\0README.md\0"s;          // not wanted
  std::vector<GitFile> files = parse_raw_diff(raw, "refs/heads/main", containerfiles);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "app/Containerfile");
  EXPECT_EQ(files[0].blob, "1111111");
  EXPECT_EQ(files[1].path, "Dockerfile");
  EXPECT_EQ(files[1].blob, "3333333");
  EXPECT_EQ(files[1].origin, "refs/heads/main");
}

TEST(GitRepository, LsTreeKeepsBlobsOnly) {
  std::string tree =
      "100644 blob aaaaaaa\tContainerfile\0"s
      "040000 tree bbbbbbb\tdir/Dockerfile\0"s
      "120000 blob ccccccc\tlinked/Dockerfile\0"s
      "100644 blob ddddddd\tpath with spaces/Dockerfile\0"s;
  std::vector<GitFile> files = parse_ls_tree(tree, "HEAD", containerfiles);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0].path, "Containerfile");
  EXPECT_EQ(files[1].path, "path with spaces/Dockerfile");
  EXPECT_EQ(files[1].blob, "ddddddd");
}

TEST(GitRepository, PushUpdatesParseAndRejectMalformedLines) {
  std::vector<PushUpdate> updates = parse_push_updates("refs/heads/a 111 refs/heads/a 000\n\nrefs/heads/b 222 refs/heads/c 333\n");
  ASSERT_EQ(updates.size(), 2u);
  EXPECT_EQ(updates[1].local_ref, "refs/heads/b");
  EXPECT_EQ(updates[1].remote_ref, "refs/heads/c");
  EXPECT_EQ(updates[1].remote_id, "333");
  try {
    parse_push_updates("refs/heads/a 111 refs/heads/a 000\nonly three fields\n");
    FAIL() << "a three-field line was accepted";
  } catch (const GitError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("stdin:2: ", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace okd::git
