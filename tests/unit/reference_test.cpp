#include "lint/reference.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace okd {
namespace {

namespace fs = std::filesystem;

const std::string kSha = "sha256:dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c";
const std::string kProxy = "registry.example/base";

struct Expected {
  std::string input;
  std::string domain;
  std::string path;
  std::optional<std::string> tag;
  std::optional<std::string> digest;
  bool explicit_domain;
};

// Inputs and expected domain/path taken from github.com/distribution/reference's normalize_test.go
// (TestParseRepositoryInfo, TestNormalizedSplitHostname, TestParseAnyReference; Apache-2.0), plus
// the cases okdlint cares about.
const std::vector<Expected> kValid = {
    {"fooo/bar", "docker.io", "fooo/bar", {}, {}, false},
    {"docker.io/fooo/bar", "docker.io", "fooo/bar", {}, {}, true},
    {"index.docker.io/fooo/bar", "docker.io", "fooo/bar", {}, {}, true},
    {"ubuntu", "docker.io", "library/ubuntu", {}, {}, false},
    {"library/ubuntu", "docker.io", "library/ubuntu", {}, {}, false},
    {"docker.io/library/ubuntu", "docker.io", "library/ubuntu", {}, {}, true},
    {"other/library", "docker.io", "other/library", {}, {}, false},
    {"127.0.0.1:8000/private/moonbase", "127.0.0.1:8000", "private/moonbase", {}, {}, true},
    {"127.0.0.1:8000/privatebase", "127.0.0.1:8000", "privatebase", {}, {}, true},
    {"example.com/private/moonbase", "example.com", "private/moonbase", {}, {}, true},
    {"example.com:8000/privatebasee", "example.com:8000", "privatebasee", {}, {}, true},
    {"ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", {}, {}, false},
    {"index.docker.io/library/ubuntu-12.04-base", "docker.io", "library/ubuntu-12.04-base", {}, {}, true},
    {"docker.io/foo", "docker.io", "library/foo", {}, {}, true},
    {"library/foo/bar", "docker.io", "library/foo/bar", {}, {}, false},
    {"store/foo/bar", "docker.io", "store/foo/bar", {}, {}, false},
    {"Foo/bar", "Foo", "bar", {}, {}, true},
    {"FOO/bar", "FOO", "bar", {}, {}, true},
    {"test.com/foo", "test.com", "foo", {}, {}, true},
    {"test_com/foo", "docker.io", "test_com/foo", {}, {}, false},
    {"test-com:8080/foo", "test-com:8080", "foo", {}, {}, true},
    {"xn--n3h.com:18080/foo", "xn--n3h.com:18080", "foo", {}, {}, true},
    {"docker.io/library/foo/bar", "docker.io", "library/foo/bar", {}, {}, true},
    {"redis:latest", "docker.io", "library/redis", "latest", {}, false},
    {"redis@" + kSha, "docker.io", "library/redis", {}, kSha, false},
    {"dmcgowan/myapp@" + kSha, "docker.io", "dmcgowan/myapp", {}, kSha, false},
    {"busybox:latest@" + kSha, "docker.io", "library/busybox", "latest", kSha, false},
    {"dbcc1", "docker.io", "library/dbcc1", {}, {}, false},
    // 63 hex characters is a name, not an identifier.
    {"dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", "docker.io",
     "library/dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9", {}, {}, false},
    {"192.168.0.1", "docker.io", "library/192.168.0.1", {}, {}, false},
    {"192.168.0.1:80", "docker.io", "library/192.168.0.1", "80", {}, false},
    {"[fc00::1]:5000/docker", "[fc00::1]:5000", "docker", {}, {}, true},
    {"[fc00:1:2:3:4:5:6:7]:5000/library/debian", "[fc00:1:2:3:4:5:6:7]:5000", "library/debian", {}, {}, true},
    {"dock__er/docker", "docker.io", "dock__er/docker", {}, {}, false},
    {"docker---rules/docker", "docker.io", "docker---rules/docker", {}, {}, false},
    // localhost is a host only when followed by a path; alone it is a Hub name (upstream FIXME).
    {"localhost/x", "localhost", "x", {}, {}, true},
    {"localhost:5000/x", "localhost:5000", "x", {}, {}, true},
    {"localhost:5000/team/app:1.0", "localhost:5000", "team/app", "1.0", {}, true},
    {"localhost", "docker.io", "library/localhost", {}, {}, false},
    {"localhost:5000", "docker.io", "library/localhost", "5000", {}, false},
    {"nginx:1.25", "docker.io", "library/nginx", "1.25", {}, false},
    {"quay.io/x", "quay.io", "x", {}, {}, true},
    {"quay.io/fedora/fedora:39", "quay.io", "fedora/fedora", "39", {}, true},
    {"registry.example/base/library/nginx", "registry.example", "base/library/nginx", {}, {}, true},
    {"index.docker.io/library/x", "docker.io", "library/x", {}, {}, true},
    {"docker.io/x", "docker.io", "library/x", {}, {}, true},
    {"docker.io/bitnami/redis@" + kSha, "docker.io", "bitnami/redis", {}, kSha, true},
    {"registry.access.redhat.com/ubi9/ubi-minimal:9.4", "registry.access.redhat.com", "ubi9/ubi-minimal", "9.4", {}, true},
    {"myhost:5000/app:Tag_With.Upper-1", "myhost:5000", "app", "Tag_With.Upper-1", {}, true},
};

TEST(ParseImageReference, NormalisesLikeDistributionReference) {
  for (const auto& c : kValid) {
    SCOPED_TRACE(c.input);
    std::string error;
    const auto ref = parse_image_reference(c.input, &error);
    ASSERT_TRUE(ref.has_value()) << error;
    EXPECT_EQ(ref->original, c.input);
    EXPECT_EQ(ref->domain, c.domain);
    EXPECT_EQ(ref->path, c.path);
    EXPECT_EQ(ref->tag, c.tag);
    EXPECT_EQ(ref->digest, c.digest);
    EXPECT_EQ(ref->explicit_domain, c.explicit_domain);
    EXPECT_EQ(ref->is_docker_hub(), c.domain == "docker.io");
    EXPECT_EQ(ref->name(), c.domain + "/" + c.path);
  }
}

// Invalid names from normalize_test.go (TestValidateReferenceName, TestValidateRemoteName).
TEST(ParseImageReference, RejectsInvalidNamesLikeUpstream) {
  const std::vector<std::string> invalid = {
      "https://github.com/docker/docker",
      "docker/Docker",
      "-docker",
      "-docker/docker",
      "-docker.io/docker/docker",
      "docker///docker",
      "docker.io/docker/Docker",
      "docker.io/docker///docker",
      "[fc00::1]",
      "[fc00::1]:5000",
      "fc00::1:5000/debian",
      "[fe80::1%eth0]:5000/debian",
      "[2001:db8:3:4::192.0.2.33]:5000/debian",
      "1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a",
      "docker-/docker",
      "-docker-/docker",
      "____/____",
      "_docker/_docker",
      "dock..er/docker",
      "dock_.er/docker",
      "dock-.er/docker",
      "docker/",
      "",
      "nginx:",
      "nginx:-bad",
      "nginx@",
      "$BASE_IMAGE",
      "nginx latest",
  };
  for (const auto& input : invalid) {
    std::string error;
    EXPECT_FALSE(parse_image_reference(input, &error).has_value()) << input;
    EXPECT_FALSE(error.empty()) << input;
  }
}

TEST(ParseImageReference, UppercaseRepositoryIsAnError) {
  std::string error;
  EXPECT_FALSE(parse_image_reference("docker.io/library/Nginx", &error));
  EXPECT_EQ(error, "invalid reference format: repository name (library/Nginx) must be lowercase");
  EXPECT_FALSE(parse_image_reference("Nginx:1.0", &error));
  EXPECT_EQ(error, "invalid reference format: repository name (library/Nginx) must be lowercase");
  // An uppercase first component is taken as a host, so the path may still be fine.
  EXPECT_TRUE(parse_image_reference("MyRegistry/app"));
}

TEST(ParseImageReference, RejectsOverlongPath) {
  const std::string long_namespace(250, 'a');
  std::string error;
  EXPECT_FALSE(parse_image_reference(long_namespace + "/docker", &error));
  EXPECT_EQ(error, "repository name must not be more than 255 characters");
  EXPECT_TRUE(parse_image_reference(std::string(240, 'a') + "/docker"));
}

TEST(ParseImageReference, RejectsHexIdentifier) {
  std::string error;
  EXPECT_FALSE(parse_image_reference(kSha.substr(7), &error));
  EXPECT_NE(error.find("cannot specify 64-byte hexadecimal strings"), std::string::npos);
  // With a host in front it is an ordinary repository name.
  EXPECT_TRUE(parse_image_reference("docker.io/" + kSha.substr(7)));
}

TEST(ParseImageReference, ValidatesDigests) {
  const std::string hex64 = kSha.substr(7);
  std::string error;
  EXPECT_TRUE(parse_image_reference("alpine@sha512:" + std::string(128, 'a'), &error)) << error;
  EXPECT_TRUE(parse_image_reference("alpine@sha384:" + std::string(96, '0'), &error)) << error;

  EXPECT_FALSE(parse_image_reference("alpine@sha256:" + hex64.substr(0, 63), &error));
  EXPECT_EQ(error, "invalid checksum digest length");
  EXPECT_FALSE(parse_image_reference("alpine@md5:" + std::string(32, 'a'), &error));
  EXPECT_EQ(error, "unsupported digest algorithm");
  EXPECT_FALSE(parse_image_reference("alpine@sha256:" + std::string(64, 'A'), &error));
  EXPECT_FALSE(error.empty());
  EXPECT_FALSE(parse_image_reference("alpine@sha256:" + std::string(31, 'a'), &error));
  EXPECT_EQ(error, "invalid reference format");
}

TEST(ParseImageReference, ErrorPointerIsOptional) {
  EXPECT_FALSE(parse_image_reference("docker/Docker"));
  EXPECT_TRUE(parse_image_reference("docker/docker"));
}

// The hand-written recognisers against upstream's regular expressions themselves (regexp.go,
// spelled as RE2 patterns), on random strings built from the tokens that make the grammar's edge
// cases: separators in runs, ports, IPv6 brackets, tags, digests of several lengths.
namespace upstream {
const std::string kAlphanumeric = "[a-z0-9]+";
const std::string kSeparator = "(?:[._]|__|[-]+)";
const std::string kDomainNameComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
const std::string kOptionalPort = "(?::[0-9]+)?";
const std::string kTag = "[\\w][\\w.-]{0,127}";
const std::string kDigest = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}";
const std::string kIpv6Address = "\\[(?:[a-fA-F0-9:]+)\\]";
const std::string kDomainName = kDomainNameComponent + "(?:\\." + kDomainNameComponent + ")*";
const std::string kHost = "(?:" + kDomainName + "|" + kIpv6Address + ")";
const std::string kDomainAndPort = kHost + kOptionalPort;
const std::string kPathComponent = kAlphanumeric + "(?:" + kSeparator + kAlphanumeric + ")*";
const std::string kRemoteName = kPathComponent + "(?:/" + kPathComponent + ")*";
const std::string kNamePattern = "(?:" + kDomainAndPort + "/)?" + kRemoteName;
const std::string kReference = kNamePattern + "(?::" + kTag + ")?(?:@" + kDigest + ")?";
const std::string kDigestFormat = "[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+";
}  // namespace upstream

TEST(ReferenceGrammar, MatchesUpstreamRegularExpressions) {
  using Matcher = bool (*)(std::string_view);
  struct Case {
    const char* name;
    std::string pattern;
    Matcher matcher;
  };
  const std::vector<Case> cases = {
      {"reference", upstream::kReference, reference_grammar::match_reference},
      {"name", upstream::kNamePattern, reference_grammar::match_name},
      {"domainAndPort", upstream::kDomainAndPort, reference_grammar::match_domain_and_port},
      {"remoteName", upstream::kRemoteName, reference_grammar::match_remote_name},
      {"pathComponent", upstream::kPathComponent, reference_grammar::match_path_component},
      {"tag", upstream::kTag, reference_grammar::match_tag},
      {"digest", upstream::kDigest, reference_grammar::match_digest},
      {"digestFormat", upstream::kDigestFormat, reference_grammar::match_digest_format},
      {"identifier", "[a-f0-9]{64}", reference_grammar::is_identifier},
  };
  const std::vector<std::string> tokens = {
      "a", "b", "z", "0", "9", "x1", "A", "Q", "-", "--", "_", "__", "___", ".", "..", "/", "//", ":",
      "::", "@", "[", "]", "[fc00::1]", "5000", "sha256", "sha512", "+", "=", "localhost", "example.com",
      "dbcc1c35ac38df41fd2f5e4130b32ffd", "DBCC1C35AC38DF41FD2F5E4130B32FFD", "e", "f", " ", "%", "g",
      "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c", std::string(128, 'a')};
  std::mt19937 rng(14);  // fixed seed: the same strings every run
  std::vector<std::string> samples = {"", "a", "a:b", "a@b:" + std::string(32, 'f'), "[]", "[::]:1/a"};
  for (int i = 0; i < 60000; ++i) {
    std::string text;
    const int count = 1 + static_cast<int>(rng() % 9);
    for (int t = 0; t < count; ++t) text += tokens[rng() % tokens.size()];
    samples.push_back(std::move(text));
  }
  // Shaped like a reference (name, maybe ":" tag, maybe "@" digest), each part random tokens, and
  // the digest part alone: without these, digests would rarely appear whole.
  const std::vector<std::string> algorithms = {"sha256", "sha512", "a", "A1", "a-b", "a+b", "a..b", "1a", "", "a_B.c"};
  const std::vector<std::string> encodings = {std::string(32, 'f'), std::string(31, 'f'), std::string(64, 'A'),
                                              "dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9g", "x=", ""};
  const auto random_tokens = [&](int most) {
    std::string text;
    for (int t = 1 + static_cast<int>(rng() % most); t > 0; --t) text += tokens[rng() % tokens.size()];
    return text;
  };
  for (int i = 0; i < 20000; ++i) {
    std::string digest = algorithms[rng() % algorithms.size()] + ":" + encodings[rng() % encodings.size()];
    std::string text = random_tokens(5);
    if (rng() % 2) text += ":" + random_tokens(2);
    if (rng() % 2) text += "@" + digest;
    samples.push_back(std::move(text));
    samples.push_back(std::move(digest));
  }
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const RE2 re(c.pattern);
    ASSERT_TRUE(re.ok()) << re.error();
    size_t accepted = 0;
    for (const auto& text : samples) {
      const bool expected = RE2::FullMatch(text, re);
      ASSERT_EQ(c.matcher(text), expected) << "'" << text << "'";
      accepted += expected;
    }
    // Both answers occur often enough for the comparison to mean something.
    EXPECT_GT(accepted, 50u);
    EXPECT_GT(samples.size() - accepted, 50u);
  }
}

TEST(Proxy, RecognisesReferencesUnderTheProxy) {
  EXPECT_TRUE(is_under_proxy("registry.example/base/library/nginx", kProxy));
  EXPECT_TRUE(is_under_proxy("registry.example/base/library/nginx:1.25", kProxy));
  EXPECT_TRUE(is_under_proxy("registry.example/base/bitnami/redis@" + kSha, kProxy));
  EXPECT_TRUE(is_under_proxy("Registry.Example/base/library/nginx", kProxy));
  EXPECT_TRUE(is_under_proxy("registry.example/base/library/nginx", "registry.example/base/"));
  EXPECT_FALSE(is_under_proxy("registry.example/basement/library/nginx", kProxy));
  EXPECT_FALSE(is_under_proxy("registry.example/base", kProxy));
  EXPECT_FALSE(is_under_proxy("registry.example/base/", kProxy));
  EXPECT_FALSE(is_under_proxy("registry.example/Base/library/nginx", kProxy));
  EXPECT_FALSE(is_under_proxy("nginx", kProxy));
  EXPECT_FALSE(is_under_proxy("docker.io/library/nginx", kProxy));
  EXPECT_FALSE(is_under_proxy("registry.example/base/library/nginx", ""));
}

TEST(Proxy, ProxiedReferenceKeepsTagAndDigest) {
  const auto proxied = [](const std::string& text, std::string_view proxy = kProxy) {
    const auto ref = parse_image_reference(text);
    EXPECT_TRUE(ref.has_value()) << text;
    return ref ? proxied_reference(*ref, proxy) : std::string();
  };
  EXPECT_EQ(proxied("nginx:1.25"), kProxy + "/library/nginx:1.25");
  EXPECT_EQ(proxied("nginx"), kProxy + "/library/nginx");
  EXPECT_EQ(proxied("docker.io/bitnami/redis@" + kSha), kProxy + "/bitnami/redis@" + kSha);
  EXPECT_EQ(proxied("index.docker.io/library/busybox:1.36@" + kSha),
            kProxy + "/library/busybox:1.36@" + kSha);
  EXPECT_EQ(proxied("docker.io/alpine:3.20", kProxy + "/"), kProxy + "/library/alpine:3.20");
  // A proxied reference is itself under the proxy and parses as a non-Hub reference.
  const auto again = parse_image_reference(proxied("nginx:1.25"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(again->is_docker_hub());
  EXPECT_TRUE(is_under_proxy(again->original, kProxy));
}

TEST(RegistryAliases, ParsesAliasesTableOnly) {
  const auto aliases = RegistryAliases::parse(R"toml(
# system registries
unqualified-search-registries = ["registry.fedoraproject.org", "docker.io"]
short-name-mode = "enforcing"   # comment after a value

[[registry]]
prefix = "docker.io"
location = "mirror.example"
[[registry.mirror]]
location = "mirror2.example"
insecure = false

[aliases]
  # a comment inside the table
  "fedora" = "registry.fedoraproject.org/fedora"  # trailing comment
  "ubi8/ubi" = "registry.access.redhat.com/ubi8/ubi"
  bare-key = 'quay.io/literal/string'
  "with#hash" = "example.com/hash#inside"
  "escaped" = "example.com/a\u0062c"

[other]
"fedora" = "not.an.alias/fedora"
)toml");
  EXPECT_EQ(aliases.aliases.size(), 5u);
  EXPECT_EQ(aliases.lookup("fedora"), "registry.fedoraproject.org/fedora");
  EXPECT_EQ(aliases.lookup("ubi8/ubi"), "registry.access.redhat.com/ubi8/ubi");
  EXPECT_EQ(aliases.lookup("bare-key"), "quay.io/literal/string");
  EXPECT_EQ(aliases.lookup("with#hash"), "example.com/hash#inside");
  EXPECT_EQ(aliases.lookup("escaped"), "example.com/abc");
  EXPECT_EQ(aliases.lookup("registry"), std::nullopt);
}

TEST(RegistryAliases, SkipsMultiLineValuesAndUnderstandsDottedKeys) {
  const auto aliases = RegistryAliases::parse(R"toml(
unqualified-search-registries = [
  "registry.fedoraproject.org",
  # [aliases] inside an array is not a table header
  [ "nested" ],
]
aliases.top = "example.com/dotted"
[[registry]]
mirror = [
  { location = "m1.example", insecure = true },
]
"aliases" = "not a table"
[aliases]
"after" = """example.com/multi"""
)toml");
  EXPECT_EQ(aliases.lookup("top"), "example.com/dotted");
  EXPECT_EQ(aliases.lookup("after"), "example.com/multi");
  EXPECT_EQ(aliases.aliases.size(), 2u);
}

TEST(RegistryAliases, LookupIgnoresTagAndDigest) {
  const auto aliases = RegistryAliases::parse("[aliases]\n\"fedora\" = \"registry.fedoraproject.org/fedora\"\n"
                                              "\"ubi8/ubi\" = \"registry.access.redhat.com/ubi8/ubi\"\n");
  EXPECT_EQ(aliases.lookup("fedora:39"), "registry.fedoraproject.org/fedora");
  EXPECT_EQ(aliases.lookup("fedora@" + kSha), "registry.fedoraproject.org/fedora");
  EXPECT_EQ(aliases.lookup("ubi8/ubi:8.9"), "registry.access.redhat.com/ubi8/ubi");
  EXPECT_EQ(aliases.lookup("ubi8"), std::nullopt);
  EXPECT_EQ(aliases.lookup("docker.io/fedora"), std::nullopt);
}

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("okdlint-reference-test-" + std::to_string(rd()) + "-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  void write(const fs::path& relative, const std::string& text) const {
    fs::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative, std::ios::binary) << text;
  }

 private:
  fs::path path_;
};

TEST(RegistryAliases, LoadsDropInsInNameOrderWithOverrides) {
  TempDir dir;
  dir.write("registries.conf",
            "[aliases]\n\"fedora\" = \"registry.fedoraproject.org/fedora\"\n\"old\" = \"example.com/old\"\n"
            "\"centos\" = \"quay.io/centos/centos\"\n");
  dir.write("registries.conf.d/000-shortnames.conf", "[aliases]\n\"fedora\" = \"first.example/fedora\"\n");
  dir.write("registries.conf.d/100-site.conf",
            "[aliases]\n'fedora' = \"site.example/fedora\"  # site mirror\n\"old\" = \"\"\n");
  dir.write("registries.conf.d/050-middle.conf", "[aliases]\n\"fedora\" = \"middle.example/fedora\"\n");
  dir.write("registries.conf.d/999-ignored.txt", "[aliases]\n\"fedora\" = \"ignored.example/fedora\"\n");
  dir.write("registries.conf.d/sub.conf/nested.conf", "[aliases]\n\"fedora\" = \"nested.example/fedora\"\n");

  const auto aliases = RegistryAliases::load(dir.path());
  EXPECT_EQ(aliases.lookup("fedora"), "site.example/fedora");
  EXPECT_EQ(aliases.lookup("centos"), "quay.io/centos/centos");
  EXPECT_EQ(aliases.lookup("old"), std::nullopt);  // erased by an empty value
  EXPECT_EQ(aliases.aliases.count("old"), 0u);
}

TEST(RegistryAliases, MissingFilesMeanNoAliases) {
  TempDir dir;
  EXPECT_TRUE(RegistryAliases::load(dir.path() / "does-not-exist").aliases.empty());
  EXPECT_TRUE(RegistryAliases::load(dir.path()).aliases.empty());
  // Only drop-ins, no main file.
  dir.write("registries.conf.d/a.conf", "[aliases]\n\"x\" = \"example.com/x\"\n");
  EXPECT_EQ(RegistryAliases::load(dir.path()).lookup("x"), "example.com/x");
}

TEST(RegistryAliases, ReadsFixtureFile) {
  const fs::path fixture = fs::path(OKDLINT_TEST_DATA) / "config" / "containers";
  const auto aliases = RegistryAliases::load(fixture);
  EXPECT_EQ(aliases.lookup("alpine"), "docker.io/library/alpine");
  EXPECT_EQ(aliases.lookup("ubi9"), "registry.access.redhat.com/ubi9");
  EXPECT_EQ(aliases.lookup("fedora"), "mirror.example/fedora");  // overridden by the drop-in
}

}  // namespace
}  // namespace okd
