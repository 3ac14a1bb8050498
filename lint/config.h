// okdlint configuration: .okdlint.yaml discovery, the YAML schema, and OKDLINT_* environment
// overrides. Every mistake in a configuration is an error that names the file, the line and the
// key, because a silently ignored setting is worse than a refusal to start.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "lint/base_facts.h"
#include "lint/diagnostic.h"

namespace okd {

inline constexpr std::string_view kDefaultProxy = "registry.eu-2.paas.open-science-cloud.ec.europa.eu/base";

// what() is one line: "FILE:LINE: message", or "FILE: message" when line is 0 (a whole file, or an
// environment variable, whose name is then the "file").
struct ConfigError : std::runtime_error {
  ConfigError(std::string file, int line, const std::string& message);
  std::string file;
  int line = 0;  // 1-based; 0 = no line
  std::string message;
};

// Whether base images are looked up in their registries (--resolve-bases, `resolve-bases:`):
// Off reads nothing (a file lints the same on every machine); Cached uses only what an earlier
// lookup left in the cache (no network); On uses the cache and fetches what is missing or stale.
enum class BaseResolution { Off, Cached, On };

struct Config {
  std::string proxy = std::string(kDefaultProxy);  // no trailing '/'
  std::set<std::string> ignore;                    // rule ids to skip
  std::map<std::string, std::optional<Severity>> severity;  // overrides; nullopt = "off"
  // Exit 1 when a finding's severity is >= this; nullopt ("none") = never fail on findings.
  std::optional<Severity> failure_threshold = Severity::Warning;
  uint32_t default_uid = 1001;
  std::map<int, int> port_map;  // explicit remaps; see map_port for the defaults
  std::optional<std::string> target;
  std::map<std::string, std::string> build_args;
  bool disable_inline_ignores = false;
  std::string profile = "default";  // or "certification"
  std::vector<std::string> loaded_from;  // configuration files applied, in order
  BaseResolution resolve_bases = BaseResolution::Off;
  long base_cache_ttl = 3600;  // seconds a cached tag → digest answer is used without asking again
  bool hook_network = false;   // git hooks may fetch bases (else they use the cache only)
  // `bases:` — facts the user states for base images, by normalised name ("registry.example/team/
  // base", any tag) or name with tag or digest ("…/base:1"), which wins over the bare name.
  std::map<std::string, BaseFacts> bases;
  // Facts read from registries for this run (filled by the caller before linting), by the base
  // as written after ARG expansion.
  std::map<std::string, BaseFacts> resolved_bases;

  // What is known of a base image as written after expansion: `bases:`, then resolved_bases,
  // then the built-in table (lint/base_facts.h), each filling what the earlier left unknown.
  BaseFacts facts_for_base(std::string_view base) const;

  // The unprivileged port a privileged one moves to: an explicit port-map entry, else 80→8080,
  // 443→8443, any other port below 1024 → port+8000; ports from 1024 up are returned unchanged.
  int map_port(int port) const;
  // The severity a rule's findings get after `ignore` and `severity` overrides: nullopt when the
  // rule is ignored or turned off.
  std::optional<Severity> effective_severity(const std::string& rule_id, Severity default_severity) const;
  // Whether a finding at this (effective) severity makes the run fail.
  bool fails(Severity severity) const { return failure_threshold && severity >= *failure_threshold; }
};

// Rule ids look like OKD101.
bool is_rule_id(std::string_view id);

// Applies one YAML document over config (keys present override, others stay). file_name is what
// errors name. Throws ConfigError.
void apply_config_yaml(Config& config, std::string_view yaml_text, const std::string& file_name);
// The defaults with one YAML document applied (for tests and --config files).
Config parse_config_yaml(std::string_view yaml_text, const std::string& file_name);
// Applies OKDLINT_* variables from env over config. Empty values count as unset; other variables
// are ignored. Lists and maps given in the environment replace the configured ones whole.
// Throws ConfigError naming the variable.
void apply_environment(Config& config, const std::map<std::string, std::string>& env);

// The configuration file that discovery picks, if any: walking up from start_dir for
// .okdlint.yaml (then .okdlint.yml) in each directory, stopping after the repository root (a
// directory containing .git) or the filesystem root; failing that the user's config,
// $XDG_CONFIG_HOME/okdlint/config.yaml (XDG_CONFIG_HOME only when absolute), else
// $HOME/.config/okdlint/config.yaml, when it exists. HOME and XDG_CONFIG_HOME come from env.
std::optional<std::filesystem::path> discover_config_file(const std::filesystem::path& start_dir,
                                                          const std::map<std::string, std::string>& env);

// Defaults, then explicit_file (from --config; it must exist) or the discovered file, then the
// OKDLINT_* environment. Throws ConfigError.
Config load_config(const std::filesystem::path& start_dir, const std::optional<std::filesystem::path>& explicit_file,
                   const std::map<std::string, std::string>& env);

// From environ: only OKDLINT_* and HOME / XDG_CONFIG_HOME.
std::map<std::string, std::string> current_environment();

}  // namespace okd
