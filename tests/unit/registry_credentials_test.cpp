#include "registry/credentials.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "registry/client.h"

namespace okd::registry {
namespace {

namespace fs = std::filesystem;

class CredentialsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("okdlint-credentials-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  fs::path dir_;
};

TEST(Base64, RoundTripsEveryPaddingLength) {
  for (std::string text : {"", "a", "ab", "abc", "user:p@ss:word"}) {
    auto decoded = base64_decode(base64_encode(text));
    ASSERT_TRUE(decoded) << text;
    EXPECT_EQ(*decoded, text);
  }
  EXPECT_EQ(base64_encode("okd:secret"), "b2tkOnNlY3JldA==");
  EXPECT_FALSE(base64_decode("not base64!"));
}

TEST_F(CredentialsTest, MostSpecificKeyFirstThenLaterFiles) {
  std::string podman = write("auth.json", R"({"auths": {
      "reg.example:5000": {"auth": ")" + base64_encode("host:h") + R"("},
      "reg.example:5000/team": {"auth": ")" + base64_encode("team:t") + R"("},
      "reg.example:5000/team/app": {"auth": ")" + base64_encode("app:a") + R"("}}})");
  std::string docker = write("config.json", R"({"auths": {
      "https://index.docker.io/v1/": {"auth": ")" + base64_encode("hub:h:with:colons") + R"("},
      "other.example": {"identitytoken": "refresh"}}})");
  std::vector<std::string> files = {(dir_ / "missing.json").string(), podman, docker};

  auto app = find_credentials(files, "reg.example:5000", "team/app");
  ASSERT_TRUE(app);
  EXPECT_EQ(app->username, "app");
  EXPECT_EQ(find_credentials(files, "reg.example:5000", "team/other")->username, "team");
  EXPECT_EQ(find_credentials(files, "reg.example:5000", "solo")->username, "host");

  auto hub = find_credentials(files, "docker.io", "library/nginx");
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->username, "hub");
  EXPECT_EQ(hub->password, "h:with:colons");
  EXPECT_NE(hub->source.find("config.json"), std::string::npos);

  EXPECT_EQ(find_credentials(files, "other.example", "x")->identity_token, "refresh");
  EXPECT_FALSE(find_credentials(files, "unknown.example", "x"));
}

TEST_F(CredentialsTest, MalformedFilesAreErrorsNamingTheFile) {
  std::string bad = write("bad.json", "{not json");
  EXPECT_THROW(find_credentials({bad}, "h", "r"), std::runtime_error);
  std::string bad_auth = write("bad-auth.json", R"({"auths": {"h": {"auth": "bm9jb2xvbg=="}}})");  // "nocolon"
  try {
    find_credentials({bad_auth}, "h", "r");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("bad-auth.json"), std::string::npos) << e.what();
  }
}

TEST(AuthFileCandidates, ExplicitFileAloneElsePodmanThenDocker) {
  EXPECT_EQ(auth_file_candidates("/x/auth.json"), std::vector<std::string>{"/x/auth.json"});
  setenv("REGISTRY_AUTH_FILE", "/env/auth.json", 1);
  EXPECT_EQ(auth_file_candidates(""), std::vector<std::string>{"/env/auth.json"});
  unsetenv("REGISTRY_AUTH_FILE");
  setenv("XDG_RUNTIME_DIR", "/run/user/7", 1);
  setenv("HOME", "/home/u", 1);
  EXPECT_EQ(auth_file_candidates(""), (std::vector<std::string>{"/run/user/7/containers/auth.json",
                                                               "/home/u/.config/containers/auth.json",
                                                               "/home/u/.docker/config.json"}));
}

TEST(RemoteReference, NormalisesLikePodman) {
  auto hub = parse_remote_reference("docker://nginx");
  ASSERT_TRUE(hub);
  EXPECT_EQ(hub->domain, "docker.io");
  EXPECT_EQ(hub->repository, "library/nginx");
  EXPECT_EQ(hub->reference, "latest");
  auto local = parse_remote_reference("docker://127.0.0.1:5000/okd/app@sha256:" + std::string(64, 'a'));
  ASSERT_TRUE(local);
  EXPECT_EQ(local->domain, "127.0.0.1:5000");
  EXPECT_EQ(local->repository, "okd/app");
  EXPECT_EQ(local->text(), "docker://127.0.0.1:5000/okd/app@sha256:" + std::string(64, 'a'));
  std::string error;
  EXPECT_FALSE(parse_remote_reference("docker://Bad/Name", &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace okd::registry
