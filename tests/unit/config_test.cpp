#include "lint/config.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>

namespace okd {
namespace {

namespace fs = std::filesystem;
using Env = std::map<std::string, std::string>;

class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() /
            ("okdlint-config-test-" + std::to_string(rd()) + "-" +
             std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path write(const fs::path& relative, const std::string& text) const {
    fs::create_directories((path_ / relative).parent_path());
    std::ofstream(path_ / relative, std::ios::binary) << text;
    return path_ / relative;
  }
  fs::path mkdir(const fs::path& relative) const {
    fs::create_directories(path_ / relative);
    return path_ / relative;
  }

 private:
  fs::path path_;
};

// The ConfigError thrown by f, or a failure when none is thrown.
ConfigError error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const ConfigError& e) {
    return e;
  }
  ADD_FAILURE() << "expected a ConfigError";
  return ConfigError("", 0, "");
}

ConfigError yaml_error(const std::string& yaml) {
  return error_of([&] { parse_config_yaml(yaml, ".okdlint.yaml"); });
}

TEST(Config, EmptyDocumentKeepsDefaults) {
  for (const char* text : {"", "# only a comment\n", "---\n"}) {
    const Config c = parse_config_yaml(text, "x.yaml");
    EXPECT_EQ(c.proxy, "registry.eu-2.paas.open-science-cloud.ec.europa.eu/base");
    EXPECT_TRUE(c.ignore.empty());
    EXPECT_TRUE(c.severity.empty());
    EXPECT_EQ(c.failure_threshold, Severity::Warning);
    EXPECT_EQ(c.default_uid, 1001u);
    EXPECT_TRUE(c.port_map.empty());
    EXPECT_FALSE(c.target);
    EXPECT_TRUE(c.build_args.empty());
    EXPECT_FALSE(c.disable_inline_ignores);
    EXPECT_EQ(c.profile, "default");
  }
}

TEST(Config, ReadsEveryKeyFromFixture) {
  const fs::path fixture = fs::path(OKDLINT_TEST_DATA) / "config" / "full.okdlint.yaml";
  const Config c = load_config(fs::temp_directory_path(), fixture, {});
  EXPECT_EQ(c.proxy, "harbor.example.org/dockerhub");  // trailing '/' dropped
  EXPECT_EQ(c.ignore, (std::set<std::string>{"OKD104", "OKD301"}));
  ASSERT_EQ(c.severity.size(), 3u);
  EXPECT_EQ(c.severity.at("OKD101"), Severity::Error);
  EXPECT_EQ(c.severity.at("OKD202"), Severity::Info);
  EXPECT_EQ(c.severity.at("OKD303"), std::nullopt);
  EXPECT_EQ(c.failure_threshold, Severity::Error);
  EXPECT_EQ(c.default_uid, 1000680000u);
  EXPECT_EQ(c.port_map, (std::map<int, int>{{80, 8081}, {22, 2222}}));
  EXPECT_EQ(c.target, "runtime");
  EXPECT_EQ(c.build_args, (std::map<std::string, std::string>{{"BASE_TAG", "3.20"},
                                                               {"PIP_INDEX_URL", "https://pypi.example/simple"}}));
  EXPECT_TRUE(c.disable_inline_ignores);
  EXPECT_EQ(c.profile, "certification");
  EXPECT_EQ(c.resolve_bases, BaseResolution::On);
  EXPECT_EQ(c.base_cache_ttl, 7200);
  EXPECT_TRUE(c.hook_network);
  ASSERT_EQ(c.bases.count("registry.example/team/base"), 1u);
  const BaseFacts& base = c.bases.at("registry.example/team/base");
  EXPECT_EQ(base.user, "1001");
  EXPECT_EQ(base.shell, true);
  EXPECT_EQ(base.os, "linux");
  EXPECT_EQ(base.exposed, std::vector<int>{8080});
  EXPECT_EQ(base.env.at("APP_ROOT"), "/opt/app-root");
  EXPECT_EQ(base.workdir, "/opt/app-root/src");
  EXPECT_EQ(base.needs_root, "its entrypoint binds port 80");
  EXPECT_EQ(c.loaded_from, std::vector<std::string>{fixture.string()});
}

TEST(Config, FailureThresholdNoneNeverFails) {
  const Config none = parse_config_yaml("failure-threshold: none\n", "x");
  EXPECT_EQ(none.failure_threshold, std::nullopt);
  EXPECT_FALSE(none.fails(Severity::Error));
  const Config info = parse_config_yaml("failure-threshold: info\n", "x");
  EXPECT_TRUE(info.fails(Severity::Info));
  const Config defaults;
  EXPECT_FALSE(defaults.fails(Severity::Info));
  EXPECT_TRUE(defaults.fails(Severity::Warning));
  EXPECT_TRUE(defaults.fails(Severity::Error));
}

TEST(Config, EffectiveSeverityAppliesIgnoreAndOverrides) {
  const Config c = parse_config_yaml("ignore: [OKD105]\nseverity: {OKD101: error, OKD102: off}\n", "x");
  EXPECT_EQ(c.effective_severity("OKD105", Severity::Error), std::nullopt);
  EXPECT_EQ(c.effective_severity("OKD101", Severity::Info), Severity::Error);
  EXPECT_EQ(c.effective_severity("OKD102", Severity::Warning), std::nullopt);
  EXPECT_EQ(c.effective_severity("OKD103", Severity::Warning), Severity::Warning);
}

TEST(Config, PortMapAcceptsMappingAndListForms) {
  EXPECT_EQ(parse_config_yaml("port-map:\n  80: 9080\n  \"443\": 9443\n", "x").port_map,
            (std::map<int, int>{{80, 9080}, {443, 9443}}));
  EXPECT_EQ(parse_config_yaml("port-map:\n  - \"80:9080\"\n  - 25:2525\n", "x").port_map,
            (std::map<int, int>{{80, 9080}, {25, 2525}}));
}

TEST(Config, MapPortDefaultsAndOverrides) {
  Config c;
  EXPECT_EQ(c.map_port(80), 8080);
  EXPECT_EQ(c.map_port(443), 8443);
  EXPECT_EQ(c.map_port(22), 8022);
  EXPECT_EQ(c.map_port(1), 8001);
  EXPECT_EQ(c.map_port(1023), 9023);
  EXPECT_EQ(c.map_port(1024), 1024);
  EXPECT_EQ(c.map_port(8080), 8080);
  c.port_map[80] = 8000;
  c.port_map[8080] = 9090;  // explicit entries apply even to unprivileged ports
  EXPECT_EQ(c.map_port(80), 8000);
  EXPECT_EQ(c.map_port(8080), 9090);
  EXPECT_EQ(c.map_port(443), 8443);
}

TEST(ConfigErrors, UnknownKeyNamesFileLineAndKey) {
  const ConfigError e = yaml_error("proxy: registry.example/base\n\nfoo: 1\n");
  EXPECT_EQ(e.file, ".okdlint.yaml");
  EXPECT_EQ(e.line, 3);
  EXPECT_STREQ(e.what(), ".okdlint.yaml:3: unknown key 'foo'");
  EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
}

TEST(ConfigErrors, UnknownKeySuggestsCloseSpelling) {
  const ConfigError e = yaml_error("# settings\ndefault_uid: 1000\n");
  EXPECT_EQ(e.line, 2);
  EXPECT_STREQ(e.what(), ".okdlint.yaml:2: unknown key 'default_uid' (did you mean 'default-uid'?)");
}

TEST(ConfigErrors, BadSeverity) {
  const ConfigError e = yaml_error("severity:\n  OKD101: error\n  OKD102: fatal\n");
  EXPECT_EQ(e.line, 3);
  EXPECT_NE(std::string(e.what()).find("'severity' for OKD102 must be one of error, warning, info, off, not 'fatal'"),
            std::string::npos);
  EXPECT_EQ(yaml_error("severity:\n  root-user: error\n").line, 2);
  EXPECT_NE(std::string(yaml_error("severity:\n  OKD1: error\n").what()).find("rule ids"), std::string::npos);
  EXPECT_EQ(yaml_error("severity: error\n").line, 1);
}

TEST(ConfigErrors, BadPorts) {
  EXPECT_EQ(yaml_error("port-map:\n  0: 8080\n").line, 2);
  EXPECT_NE(std::string(yaml_error("port-map:\n  0: 8080\n").what()).find("port 0 is out of range 1..65535"),
            std::string::npos);
  EXPECT_NE(std::string(yaml_error("port-map:\n  80: 70000\n").what()).find("port 70000 is out of range"),
            std::string::npos);
  const ConfigError privileged = yaml_error("port-map:\n  80: 81\n");
  EXPECT_EQ(privileged.line, 2);
  EXPECT_NE(std::string(privileged.what()).find("unprivileged port (1024..65535), not 81"), std::string::npos);
  EXPECT_EQ(yaml_error("port-map:\n  - \"80:8080\"\n  - \"http:8080\"\n").line, 3);
  EXPECT_EQ(yaml_error("port-map:\n  - \"80-8080\"\n").line, 2);
  EXPECT_EQ(yaml_error("port-map: 80\n").line, 1);
  EXPECT_NE(std::string(yaml_error("port-map:\n  eighty: 8080\n").what()).find("port numbers"), std::string::npos);
}

TEST(ConfigErrors, BadUid) {
  for (const char* value : {"0", "-5", "abc", "1.5", "2147483648", "0x3e9", "99999999999999999999999"}) {
    const ConfigError e = yaml_error(std::string("default-uid: ") + value + "\n");
    EXPECT_EQ(e.line, 1) << value;
    EXPECT_NE(std::string(e.what()).find("'default-uid' must be an integer from 1 to 2147483647"), std::string::npos)
        << value;
  }
  EXPECT_EQ(parse_config_yaml("default-uid: 2147483647\n", "x").default_uid, 2147483647u);
  EXPECT_EQ(parse_config_yaml("default-uid: 1\n", "x").default_uid, 1u);
}

TEST(ConfigErrors, OtherBadValues) {
  EXPECT_EQ(yaml_error("ignore:\n  - OKD101\n  - root-user\n").line, 3);
  EXPECT_EQ(yaml_error("ignore: OKD101\n").line, 1);
  EXPECT_EQ(yaml_error("failure-threshold: fatal\n").line, 1);
  EXPECT_EQ(yaml_error("failure-threshold: off\n").line, 1);
  EXPECT_EQ(yaml_error("profile: strict\n").line, 1);
  EXPECT_EQ(yaml_error("disable-inline-ignores: maybe\n").line, 1);
  EXPECT_EQ(yaml_error("proxy: https://registry.example/base\n").line, 1);
  EXPECT_EQ(yaml_error("\nproxy:\n").line, 2);
  EXPECT_EQ(yaml_error("target: [a, b]\n").line, 1);
  EXPECT_EQ(yaml_error("build-args:\n  - A=1\n").line, 2);
  EXPECT_EQ(yaml_error("- proxy\n").line, 1);
  const ConfigError duplicate = yaml_error("target: a\ntarget: b\n");
  EXPECT_EQ(duplicate.line, 2);
  EXPECT_NE(std::string(duplicate.what()).find("duplicate key 'target'"), std::string::npos);
}

TEST(ConfigErrors, InvalidYamlReportsLine) {
  const ConfigError e = yaml_error("proxy: a\nignore: [OKD101\n\n");
  EXPECT_GE(e.line, 2);
  EXPECT_NE(std::string(e.what()).find("invalid YAML"), std::string::npos);
  EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos);
}

TEST(ConfigDiscovery, WalksUpToTheNearestConfig) {
  TempDir tmp;
  tmp.mkdir("repo/.git");
  const fs::path config = tmp.write("repo/.okdlint.yaml", "default-uid: 2000\n");
  const fs::path deep = tmp.mkdir("repo/services/api/docker");
  EXPECT_EQ(discover_config_file(deep, {}), config);
  const Config c = load_config(deep, std::nullopt, {});
  EXPECT_EQ(c.default_uid, 2000u);
  EXPECT_EQ(c.loaded_from, std::vector<std::string>{config.string()});

  // A nearer one wins, and .yml is accepted.
  const fs::path nearer = tmp.write("repo/services/.okdlint.yml", "default-uid: 3000\n");
  EXPECT_EQ(discover_config_file(deep, {}), nearer);
  EXPECT_EQ(load_config(deep, std::nullopt, {}).default_uid, 3000u);
  // .yaml is preferred over .yml in the same directory.
  const fs::path yaml = tmp.write("repo/services/.okdlint.yaml", "default-uid: 4000\n");
  EXPECT_EQ(discover_config_file(deep, {}), yaml);
}

TEST(Config, RuleIdsAnyCaseUnknownOnesAreErrors) {
  const Config c = parse_config_yaml("ignore: [okd101]\nseverity: {Okd102: off}\n", "x");
  EXPECT_EQ(c.ignore, (std::set<std::string>{"OKD101"}));
  EXPECT_TRUE(c.severity.count("OKD102"));
  const ConfigError e = error_of([] { parse_config_yaml("proxy: a/b\nignore:\n  - OKD109\n", "x.yaml"); });
  EXPECT_EQ(e.line, 3);
  EXPECT_EQ(e.message, "unknown rule id 'OKD109' (did you mean OKD101?)");
  EXPECT_EQ(error_of([] { parse_config_yaml("severity: {OKD999: off}\n", "x"); }).line, 1);
  EXPECT_EQ(error_of([] {
              Config config;
              apply_environment(config, {{"OKDLINT_IGNORE", "OKD101,OKD998"}});
            }).file,
            "OKDLINT_IGNORE");
}

TEST(Config, ProxyNone) {
  EXPECT_EQ(parse_config_yaml("proxy: none\n", "x").proxy, "");
  Config config;
  apply_environment(config, {{"OKDLINT_PROXY", "None"}});
  EXPECT_EQ(config.proxy, "");
}

TEST(ConfigDiscovery, ExtendAppliesTheParentFirst) {
  TempDir tmp;
  tmp.mkdir("repo/.git");
  const fs::path parent = tmp.write("repo/.okdlint.yaml", "default-uid: 2000\nproxy: none\nprofile: certification\n");
  const fs::path child = tmp.write("repo/svc/.okdlint.yaml", "extend: parent\ndefault-uid: 3000\n");
  Config c = load_config(tmp.path() / "repo/svc", std::nullopt, {});
  EXPECT_EQ(c.default_uid, 3000u);         // the nested file wins
  EXPECT_EQ(c.proxy, "");                  // what it does not set comes from the parent
  EXPECT_EQ(c.profile, "certification");
  EXPECT_EQ(c.loaded_from, (std::vector<std::string>{parent.string(), child.string()}));
  tmp.write("repo/svc/.okdlint.yaml", "extend: ../.okdlint.yaml\n");
  EXPECT_EQ(load_config(tmp.path() / "repo/svc", std::nullopt, {}).default_uid, 2000u);
  // Without extend the nested file replaces the parent.
  tmp.write("repo/svc/.okdlint.yaml", "default-uid: 3000\n");
  EXPECT_EQ(load_config(tmp.path() / "repo/svc", std::nullopt, {}).proxy, std::string(kDefaultProxy));
  // A missing file or a loop is an error naming the file and line.
  tmp.write("repo/svc/.okdlint.yaml", "profile: default\nextend: nope.yaml\n");
  EXPECT_EQ(error_of([&] { load_config(tmp.path() / "repo/svc", std::nullopt, {}); }).line, 2);
  tmp.write("repo/svc/.okdlint.yaml", "extend: .okdlint.yaml\n");
  EXPECT_NE(error_of([&] { load_config(tmp.path() / "repo/svc", std::nullopt, {}); }).message.find("loops"),
            std::string::npos);
}

TEST(ConfigDiscovery, StopsAtTheRepositoryRoot) {
  TempDir tmp;
  tmp.write(".okdlint.yaml", "default-uid: 5000\n");  // outside the repository: must not apply
  tmp.write("repo/.git", "gitdir: /elsewhere\n");       // a worktree's .git is a file
  const fs::path inner = tmp.mkdir("repo/src");
  EXPECT_EQ(discover_config_file(inner, {}), std::nullopt);
  EXPECT_EQ(load_config(inner, std::nullopt, {}).default_uid, 1001u);
  // Without the .git marker the walk continues upwards and finds it.
  fs::remove(tmp.path() / "repo/.git");
  EXPECT_EQ(discover_config_file(inner, {}), tmp.path() / ".okdlint.yaml");
}

TEST(ConfigDiscovery, FallsBackToTheUserConfig) {
  TempDir tmp;
  tmp.mkdir("repo/.git");
  const fs::path project = tmp.mkdir("repo/app");
  const fs::path home_config = tmp.write("home/.config/okdlint/config.yaml", "profile: certification\n");
  const fs::path xdg_config = tmp.write("xdg/okdlint/config.yaml", "target: xdg\n");

  const Env home_only = {{"HOME", (tmp.path() / "home").string()}};
  EXPECT_EQ(discover_config_file(project, home_only), home_config);
  EXPECT_EQ(load_config(project, std::nullopt, home_only).profile, "certification");

  const Env with_xdg = {{"HOME", (tmp.path() / "home").string()}, {"XDG_CONFIG_HOME", (tmp.path() / "xdg").string()}};
  EXPECT_EQ(discover_config_file(project, with_xdg), xdg_config);
  EXPECT_EQ(load_config(project, std::nullopt, with_xdg).target, "xdg");

  // A relative XDG_CONFIG_HOME is invalid per the XDG spec and ignored.
  const Env relative_xdg = {{"HOME", (tmp.path() / "home").string()}, {"XDG_CONFIG_HOME", "xdg"}};
  EXPECT_EQ(discover_config_file(project, relative_xdg), home_config);

  // A project config wins over the user's.
  const fs::path project_config = tmp.write("repo/.okdlint.yaml", "profile: default\n");
  EXPECT_EQ(discover_config_file(project, with_xdg), project_config);

  // Nothing at all: defaults.
  const Env empty_home = {{"HOME", (tmp.path() / "nobody").string()}};
  fs::remove(project_config);
  EXPECT_EQ(discover_config_file(project, empty_home), std::nullopt);
  EXPECT_TRUE(load_config(project, std::nullopt, empty_home).loaded_from.empty());
}

TEST(ConfigDiscovery, ExplicitFileReplacesDiscovery) {
  TempDir tmp;
  tmp.mkdir("repo/.git");
  tmp.write("repo/.okdlint.yaml", "default-uid: 2000\ntarget: project\n");
  const fs::path explicit_file = tmp.write("elsewhere/ci.yaml", "default-uid: 3000\n");
  const Config c = load_config(tmp.path() / "repo", explicit_file, {});
  EXPECT_EQ(c.default_uid, 3000u);
  EXPECT_FALSE(c.target);  // nothing from the discovered file
  EXPECT_EQ(c.loaded_from, std::vector<std::string>{explicit_file.string()});

  const ConfigError missing = error_of([&] { load_config(tmp.path(), tmp.path() / "missing.yaml", {}); });
  EXPECT_EQ(missing.file, (tmp.path() / "missing.yaml").string());
  EXPECT_NE(std::string(missing.what()).find("cannot read"), std::string::npos);
  const ConfigError directory = error_of([&] { load_config(tmp.path(), tmp.path(), {}); });
  EXPECT_NE(std::string(directory.what()).find("is a directory"), std::string::npos);

  // Errors in a loaded file name that file.
  const fs::path bad = tmp.write("bad.yaml", "proxy: a/b\nbogus: true\n");
  const ConfigError e = error_of([&] { load_config(tmp.path(), bad, {}); });
  EXPECT_EQ(std::string(e.what()), bad.string() + ":2: unknown key 'bogus'");
}

TEST(ConfigEnvironment, OverridesTheFile) {
  TempDir tmp;
  tmp.mkdir("repo/.git");
  tmp.write("repo/.okdlint.yaml",
            "proxy: file.example/base\nignore: [OKD101]\ndefault-uid: 2000\ntarget: file\n"
            "build-args: {A: file, C: 3}\nport-map: {80: 9080}\nprofile: default\n");
  const Env env = {
      {"OKDLINT_PROXY", "env.example/proxy/"},
      {"OKDLINT_IGNORE", "OKD102, OKD103,"},
      {"OKDLINT_FAILURE_THRESHOLD", "none"},
      {"OKDLINT_DEFAULT_UID", "4242"},
      {"OKDLINT_PORT_MAP", "80:8081,443:9443"},
      {"OKDLINT_TARGET", "env-stage"},
      {"OKDLINT_BUILD_ARGS", "A=1,B=x=y"},
      {"OKDLINT_DISABLE_INLINE_IGNORES", "true"},
      {"OKDLINT_PROFILE", "certification"},
      {"OKDLINT_UNRELATED", "ignored"},
  };
  const Config c = load_config(tmp.path() / "repo", std::nullopt, env);
  EXPECT_EQ(c.proxy, "env.example/proxy");
  EXPECT_EQ(c.ignore, (std::set<std::string>{"OKD102", "OKD103"}));
  EXPECT_EQ(c.failure_threshold, std::nullopt);
  EXPECT_EQ(c.default_uid, 4242u);
  EXPECT_EQ(c.port_map, (std::map<int, int>{{80, 8081}, {443, 9443}}));
  EXPECT_EQ(c.target, "env-stage");
  EXPECT_EQ(c.build_args, (std::map<std::string, std::string>{{"A", "1"}, {"B", "x=y"}}));
  EXPECT_TRUE(c.disable_inline_ignores);
  EXPECT_EQ(c.profile, "certification");
  EXPECT_EQ(c.loaded_from.size(), 1u);
}

TEST(ConfigEnvironment, EmptyValuesAreUnsetAndBooleansAreFlexible) {
  Config c = parse_config_yaml("target: file\ndisable-inline-ignores: true\n", "x");
  apply_environment(c, {{"OKDLINT_TARGET", ""}, {"OKDLINT_DISABLE_INLINE_IGNORES", "0"}});
  EXPECT_EQ(c.target, "file");
  EXPECT_FALSE(c.disable_inline_ignores);
  apply_environment(c, {{"OKDLINT_DISABLE_INLINE_IGNORES", "1"}});
  EXPECT_TRUE(c.disable_inline_ignores);
  apply_environment(c, {{"OKDLINT_FAILURE_THRESHOLD", "Error"}});
  EXPECT_EQ(c.failure_threshold, Severity::Error);
}

TEST(ConfigEnvironment, BadValuesNameTheVariable) {
  const auto env_error = [](const std::string& name, const std::string& value) {
    return error_of([&] {
      Config c;
      apply_environment(c, {{name, value}});
    });
  };
  EXPECT_EQ(env_error("OKDLINT_DEFAULT_UID", "0").file, "OKDLINT_DEFAULT_UID");
  EXPECT_STREQ(env_error("OKDLINT_DEFAULT_UID", "0").what(),
               "OKDLINT_DEFAULT_UID: must be an integer from 1 to 2147483647, not '0'");
  EXPECT_EQ(env_error("OKDLINT_PORT_MAP", "80:80").file, "OKDLINT_PORT_MAP");
  EXPECT_EQ(env_error("OKDLINT_PORT_MAP", "80").file, "OKDLINT_PORT_MAP");
  EXPECT_EQ(env_error("OKDLINT_IGNORE", "OKD101,root-user").file, "OKDLINT_IGNORE");
  EXPECT_EQ(env_error("OKDLINT_BUILD_ARGS", "NOVALUE").file, "OKDLINT_BUILD_ARGS");
  EXPECT_EQ(env_error("OKDLINT_BUILD_ARGS", "=1").file, "OKDLINT_BUILD_ARGS");
  EXPECT_EQ(env_error("OKDLINT_FAILURE_THRESHOLD", "fatal").file, "OKDLINT_FAILURE_THRESHOLD");
  EXPECT_EQ(env_error("OKDLINT_PROFILE", "strict").file, "OKDLINT_PROFILE");
  EXPECT_EQ(env_error("OKDLINT_DISABLE_INLINE_IGNORES", "maybe").file, "OKDLINT_DISABLE_INLINE_IGNORES");
  EXPECT_EQ(env_error("OKDLINT_PROXY", "http://x/y").file, "OKDLINT_PROXY");
  EXPECT_EQ(std::string(env_error("OKDLINT_PROFILE", "strict").what()).find('\n'), std::string::npos);
}

TEST(ConfigEnvironment, CurrentEnvironmentKeepsOnlyRelevantVariables) {
  const Env env = current_environment();
  for (const auto& [name, value] : env)
    EXPECT_TRUE(name.starts_with("OKDLINT_") || name == "HOME" || name == "XDG_CONFIG_HOME") << name;
  if (const char* home = std::getenv("HOME")) {
    EXPECT_EQ(env.at("HOME"), home);
  }
  if (std::getenv("PATH")) {
    EXPECT_EQ(env.count("PATH"), 0u);
  }
}

TEST(RuleIds, MatchOkdAndThreeDigits) {
  EXPECT_TRUE(is_rule_id("OKD101"));
  EXPECT_TRUE(is_rule_id("OKD000"));
  EXPECT_FALSE(is_rule_id("OKD10"));
  EXPECT_FALSE(is_rule_id("OKD1011"));
  EXPECT_FALSE(is_rule_id("okd101"));
  EXPECT_FALSE(is_rule_id("DL3002"));
  EXPECT_FALSE(is_rule_id("OKD1a1"));
}

TEST(BaseSettings, ResolveBasesTtlAndHookNetwork) {
  Config c = parse_config_yaml("resolve-bases: true\nbase-cache-ttl: 30m\nhook-network: yes\n", "f.yaml");
  EXPECT_EQ(c.resolve_bases, BaseResolution::On);
  EXPECT_EQ(c.base_cache_ttl, 1800);
  EXPECT_TRUE(c.hook_network);
  EXPECT_EQ(parse_config_yaml("resolve-bases: cached\n", "f").resolve_bases, BaseResolution::Cached);
  EXPECT_EQ(parse_config_yaml("base-cache-ttl: 90\n", "f").base_cache_ttl, 90);
  EXPECT_EQ(Config().resolve_bases, BaseResolution::Off);
  EXPECT_THROW(parse_config_yaml("resolve-bases: sometimes\n", "f"), ConfigError);
  EXPECT_THROW(parse_config_yaml("base-cache-ttl: -5\n", "f"), ConfigError);
  EXPECT_THROW(parse_config_yaml("base-cache-ttl: 1w\n", "f"), ConfigError);
  Config e;
  apply_environment(e, {{"OKDLINT_RESOLVE_BASES", "cached"}, {"OKDLINT_BASE_CACHE_TTL", "0"}});
  EXPECT_EQ(e.resolve_bases, BaseResolution::Cached);
  EXPECT_EQ(e.base_cache_ttl, 0);
  EXPECT_THROW(apply_environment(e, {{"OKDLINT_RESOLVE_BASES", "maybe"}}), ConfigError);
}

TEST(BaseSettings, StatedBasesMatchByRepositoryWithOrWithoutTag) {
  Config c = parse_config_yaml(R"(
bases:
  registry.example/team/base: {user: "1001", shell: true, expose: [8080], env: {APP_ROOT: /opt/app}}
  registry.example/team/base:debug: {user: "0"}
  registry.example/team/tiny: {shell: false, workdir: /srv}
)", "cfg.yaml");
  BaseFacts any = c.facts_for_base("registry.example/team/base:2.1");
  EXPECT_EQ(any.user, "1001");
  EXPECT_EQ(any.shell, true);
  EXPECT_EQ(any.exposed, std::vector<int>{8080});
  EXPECT_EQ(any.env.at("APP_ROOT"), "/opt/app");
  EXPECT_EQ(any.source, "cfg.yaml: bases: registry.example/team/base");
  EXPECT_TRUE(any.runs_non_root());
  EXPECT_EQ(c.facts_for_base("registry.example/team/base").user, "1001");  // untagged = :latest
  EXPECT_EQ(c.facts_for_base("registry.example/team/base:debug").user, "0");  // the tagged entry wins
  EXPECT_TRUE(c.facts_for_base("registry.example/team/tiny:1").no_shell());
  EXPECT_EQ(c.facts_for_base("registry.example/team/tiny:1").workdir, "/srv");
  EXPECT_FALSE(c.facts_for_base("registry.example/team/other:1").known());
  EXPECT_THROW(parse_config_yaml("bases: {\"Not A Name\": {user: 1}}\n", "f"), ConfigError);
  EXPECT_THROW(parse_config_yaml("bases: {x/y: {colour: red}}\n", "f"), ConfigError);
  EXPECT_THROW(parse_config_yaml("bases: {x/y: {expose: [70000]}}\n", "f"), ConfigError);
  EXPECT_THROW(parse_config_yaml("bases: {x/y: {workdir: rel}}\n", "f"), ConfigError);
}

TEST(BaseSettings, RegistryFactsWinOverTheBuiltInTableAndStatedFactsOverBoth) {
  Config c;  // default proxy
  BaseFacts registry = base_facts_from_image_config(
      R"({"os":"linux","config":{"User":"101","ExposedPorts":{"8080/tcp":{}},"Env":["PATH=/usr/bin","A=b=c"],"WorkingDir":"/srv"}})",
      "registry x");
  EXPECT_TRUE(registry.from_image);
  EXPECT_EQ(registry.user, "101");
  EXPECT_EQ(registry.exposed, std::vector<int>{8080});
  EXPECT_EQ(registry.env.at("A"), "b=c");
  EXPECT_EQ(registry.workdir, "/srv");
  c.resolved_bases["nginx:1.27"] = registry;
  BaseFacts f = c.facts_for_base("nginx:1.27");
  EXPECT_EQ(f.user, "101");                       // the registry, not the table's root
  EXPECT_EQ(f.exposed, std::vector<int>{8080});   // complete: the table's 80 is not added
  EXPECT_EQ(f.shell, true);                       // only the table knows the shell
  EXPECT_EQ(f.family, "nginx");
  EXPECT_EQ(f.source, "registry x");
  EXPECT_EQ(c.facts_for_base("nginx:1.26").exposed, std::vector<int>{80});  // not resolved: the table
  // No User is root; a config without "config" is still an image's.
  EXPECT_EQ(base_facts_from_image_config(R"({"os":"windows"})", "r").user, "0");
  EXPECT_TRUE(base_facts_from_image_config(R"({"os":"windows"})", "r").windows());
  EXPECT_THROW(base_facts_from_image_config("[1]", "r"), std::runtime_error);
  EXPECT_THROW(base_facts_from_image_config("{\"config\": 3}", "r"), std::runtime_error);
  Config stated = parse_config_yaml("bases: {nginx: {user: \"0\"}}\n", "f");
  stated.resolved_bases["nginx:1.27"] = registry;
  EXPECT_EQ(stated.facts_for_base("nginx:1.27").user, "0");
  EXPECT_EQ(stated.facts_for_base("nginx:1.27").exposed, std::vector<int>{8080});
}

}  // namespace
}  // namespace okd
