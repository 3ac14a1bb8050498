#include "lint/config.h"

#include "lint/reference.h"
#include "lint/rule_ids.h"
#include "lint/text.h"

#include <cstdint>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <fstream>
#include <limits>
#include <sstream>

extern char** environ;

namespace okd {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 15> kKnownKeys = {
    "proxy",  "ignore",     "severity",               "failure-threshold", "default-uid",
    "port-map", "target",   "build-args",             "disable-inline-ignores", "profile", "extend",
    "resolve-bases", "base-cache-ttl", "hook-network", "bases"};

std::string where_prefix(const std::string& file, int line) {
  if (line > 0) return file + ":" + std::to_string(line) + ": ";
  return file.empty() ? std::string() : file + ": ";
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split(std::string_view s, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = s.find(separator, start);
    parts.push_back(s.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// Whole-string decimal integer; no sign, spaces or other bases.
std::optional<long long> parse_integer(std::string_view s) {
  if (s.empty() || !std::isdigit(static_cast<unsigned char>(s.front()))) return std::nullopt;
  long long value = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<bool> parse_bool(std::string_view s) {
  const std::string v = lower(trim(s));
  if (v == "true" || v == "yes" || v == "on" || v == "1") return true;
  if (v == "false" || v == "no" || v == "off" || v == "0") return false;
  return std::nullopt;
}

std::string unknown_key_message(const std::string& key) {
  std::string message = "unknown key '" + key + "'";
  std::string_view best;
  size_t best_distance = 3;  // suggest only close spellings
  const std::string normalised = lower(key);
  for (std::string_view known : kKnownKeys) {
    std::string candidate = normalised;
    std::replace(candidate.begin(), candidate.end(), '_', '-');
    const size_t d = edit_distance(candidate, known);
    if (d < best_distance) {
      best_distance = d;
      best = known;
    }
  }
  if (!best.empty()) message += " (did you mean '" + std::string(best) + "'?)";
  return message;
}

// Port checks shared by the YAML and environment forms; error text without location.
std::optional<std::string> check_port_pair(long long from, long long to) {
  if (from < 1 || from > 65535) return "port " + std::to_string(from) + " is out of range 1..65535";
  if (to < 1 || to > 65535) return "port " + std::to_string(to) + " is out of range 1..65535";
  if (to < 1024)
    return "port " + std::to_string(from) + " must map to an unprivileged port (1024..65535), not " +
           std::to_string(to);
  return std::nullopt;
}

std::optional<std::pair<int, int>> parse_port_pair_text(std::string_view text, std::string* error) {
  const size_t colon = text.find(':');
  const auto from = colon == std::string_view::npos ? std::nullopt : parse_integer(trim(text.substr(0, colon)));
  const auto to = colon == std::string_view::npos ? std::nullopt : parse_integer(trim(text.substr(colon + 1)));
  if (!from || !to) {
    *error = "expected PORT:TARGET such as 80:8080, not '" + std::string(text) + "'";
    return std::nullopt;
  }
  if (auto problem = check_port_pair(*from, *to)) {
    *error = *problem;
    return std::nullopt;
  }
  return std::pair<int, int>(static_cast<int>(*from), static_cast<int>(*to));
}

// Severity override words; false for anything else. (Out-parameters rather than a nested
// optional, which GCC 12 flags with a false maybe-uninitialized warning at -O2.)
bool parse_severity_setting(std::string_view s, std::optional<Severity>* out) {
  if (s == "off") *out = std::nullopt;
  else if (s == "error") *out = Severity::Error;
  else if (s == "warning") *out = Severity::Warning;
  else if (s == "info") *out = Severity::Info;
  else return false;
  return true;
}

// Failure thresholds: a severity, or "none" (never fail) stored as nullopt.
bool parse_threshold(std::string_view s, std::optional<Severity>* out) {
  if (s == "none") {
    *out = std::nullopt;
    return true;
  }
  return s != "off" && parse_severity_setting(s, out);
}

std::optional<uint32_t> parse_uid(std::string_view s) {
  const auto value = parse_integer(s);
  if (!value || *value < 1 || *value > std::numeric_limits<int32_t>::max()) return std::nullopt;
  return static_cast<uint32_t>(*value);
}

bool is_profile(std::string_view s) { return s == "default" || s == "certification"; }

// resolve-bases values: a boolean, or "cached" (the cache only, never the network).
std::optional<BaseResolution> parse_resolution(std::string_view s) {
  if (lower(trim(s)) == "cached") return BaseResolution::Cached;
  if (auto flag = parse_bool(s)) return *flag ? BaseResolution::On : BaseResolution::Off;
  return std::nullopt;
}

// "3600", "90s", "30m", "1h", "2d" → seconds.
std::optional<long> parse_duration(std::string_view s) {
  s = trim(s);
  long unit = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 's': unit = 1; break;
      case 'm': unit = 60; break;
      case 'h': unit = 3600; break;
      case 'd': unit = 86400; break;
      default: unit = 0;
    }
    if (unit) s.remove_suffix(1);
    else unit = 1;
  }
  const auto value = parse_integer(s);
  if (!value || *value > 10LL * 365 * 86400 / unit) return std::nullopt;
  return static_cast<long>(*value * unit);
}

// The key a `bases:` entry or a base is looked up by: "domain/path" and, with a tag or digest,
// "domain/path:tag" / "domain/path@digest". nullopt when the text is not an image reference.
std::optional<std::pair<std::string, std::string>> base_keys(std::string_view text) {
  std::optional<ImageReference> ref = parse_image_reference(text);
  if (!ref) return std::nullopt;
  std::string name = ref->name();
  std::string exact = ref->digest ? name + "@" + *ref->digest : name + ":" + ref->tag.value_or("latest");
  return std::pair<std::string, std::string>(name, exact);
}

std::string normalise_proxy(std::string_view s) {
  s = trim(s);
  while (!s.empty() && s.back() == '/') s.remove_suffix(1);
  return std::string(s);
}

// Problems with a proxy value, without location.
std::optional<std::string> check_proxy(const std::string& proxy) {
  if (proxy.empty()) return "must name a registry host and path such as registry.example/base";
  if (proxy.find("://") != std::string::npos)
    return "must be a registry host and path without a scheme, not '" + proxy + "'";
  if (std::any_of(proxy.begin(), proxy.end(), [](unsigned char c) { return std::isspace(c); }))
    return "must not contain spaces";
  return std::nullopt;
}

// One YAML document being applied; knows the file name for errors.
class YamlApplier {
 public:
  YamlApplier(Config& config, std::string file) : config_(config), file_(std::move(file)) {}

  void apply(std::string_view text) {
    YAML::Node root;
    try {
      root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
      throw ConfigError(file_, e.mark.is_null() ? 0 : e.mark.line + 1, "invalid YAML: " + e.msg);
    }
    if (!root || root.IsNull()) return;  // an empty file changes nothing
    if (!root.IsMap()) fail(root, "the configuration must be a mapping of keys to values");

    std::set<std::string> seen;
    for (const auto& entry : root) {
      const YAML::Node& key_node = entry.first;
      const YAML::Node& value = entry.second;
      if (!key_node.IsScalar()) fail(key_node, "keys must be plain names");
      const std::string key = key_node.Scalar();
      if (!seen.insert(key).second) fail(key_node, "duplicate key '" + key + "'");
      apply_key(key, key_node, value);
    }
  }

 private:
  Config& config_;
  std::string file_;

  static int line_of(const YAML::Node& node) {
    const YAML::Mark mark = node.Mark();
    return mark.is_null() ? 0 : mark.line + 1;
  }

  [[noreturn]] void fail(const YAML::Node& node, const std::string& message) const {
    throw ConfigError(file_, line_of(node), message);
  }
  // Values that are missing (`key:` alone) have no useful mark of their own; point at the key.
  [[noreturn]] void fail_value(const YAML::Node& key, const YAML::Node& value, const std::string& message) const {
    const int line = line_of(value);
    throw ConfigError(file_, line > 0 && !value.IsNull() ? line : line_of(key), message);
  }

  std::string scalar(const std::string& name, const YAML::Node& key, const YAML::Node& value) const {
    if (!value || value.IsNull()) fail_value(key, value, "'" + name + "' needs a value");
    if (!value.IsScalar()) fail_value(key, value, "'" + name + "' must be a single value, not a list or mapping");
    return value.Scalar();
  }

  void apply_key(const std::string& key, const YAML::Node& key_node, const YAML::Node& value) {
    if (key == "extend") {
      scalar(key, key_node, value);  // load_config follows it before this file is applied
    } else if (key == "proxy") {
      if (lower(trim(scalar(key, key_node, value))) == "none") {  // no proxy: OKD401 is off
        config_.proxy.clear();
        return;
      }
      const std::string proxy = normalise_proxy(scalar(key, key_node, value));
      if (auto problem = check_proxy(proxy)) fail_value(key_node, value, "'proxy' " + *problem);
      config_.proxy = proxy;
    } else if (key == "ignore") {
      apply_ignore(key_node, value);
    } else if (key == "severity") {
      apply_severity(key_node, value);
    } else if (key == "failure-threshold") {
      const std::string text = scalar(key, key_node, value);
      if (!parse_threshold(text, &config_.failure_threshold))
        fail_value(key_node, value, "'failure-threshold' must be one of error, warning, info, none, not '" + text + "'");
    } else if (key == "default-uid") {
      const std::string text = scalar(key, key_node, value);
      const auto uid = parse_uid(text);
      if (!uid)
        fail_value(key_node, value,
                   "'default-uid' must be an integer from 1 to 2147483647 (not 0: OKD never runs as root), not '" +
                       text + "'");
      config_.default_uid = *uid;
    } else if (key == "port-map") {
      apply_port_map(key_node, value);
    } else if (key == "target") {
      const std::string text = scalar(key, key_node, value);
      if (trim(text).empty()) fail_value(key_node, value, "'target' must name a build stage");
      config_.target = text;
    } else if (key == "build-args") {
      apply_build_args(key_node, value);
    } else if (key == "disable-inline-ignores") {
      const std::string text = scalar(key, key_node, value);
      const auto flag = parse_bool(text);
      if (!flag)
        fail_value(key_node, value, "'disable-inline-ignores' must be true or false, not '" + text + "'");
      config_.disable_inline_ignores = *flag;
    } else if (key == "profile") {
      const std::string text = scalar(key, key_node, value);
      if (!is_profile(text))
        fail_value(key_node, value, "'profile' must be default or certification, not '" + text + "'");
      config_.profile = text;
    } else if (key == "resolve-bases") {
      const std::string text = scalar(key, key_node, value);
      const auto mode = parse_resolution(text);
      if (!mode) fail_value(key_node, value, "'resolve-bases' must be true, false or cached, not '" + text + "'");
      config_.resolve_bases = *mode;
    } else if (key == "base-cache-ttl") {
      const std::string text = scalar(key, key_node, value);
      const auto seconds = parse_duration(text);
      if (!seconds)
        fail_value(key_node, value, "'base-cache-ttl' must be a duration such as 3600, 90s, 30m, 1h or 2d, not '" + text + "'");
      config_.base_cache_ttl = *seconds;
    } else if (key == "hook-network") {
      const std::string text = scalar(key, key_node, value);
      const auto flag = parse_bool(text);
      if (!flag) fail_value(key_node, value, "'hook-network' must be true or false, not '" + text + "'");
      config_.hook_network = *flag;
    } else if (key == "bases") {
      apply_bases(key_node, value);
    } else {
      fail(key_node, unknown_key_message(key));
    }
  }

  // The canonical id of a rule id in any case; an id no linked-in rule has is an error.
  std::string known_rule_id(const YAML::Node& node, const std::string& id) {
    std::optional<std::string> canonical = canonical_rule_id(id);
    if (!canonical) fail(node, unknown_rule_message(id));
    return *canonical;
  }

  void apply_ignore(const YAML::Node& key, const YAML::Node& value) {
    if (value.IsNull()) {
      config_.ignore.clear();
      return;
    }
    if (!value.IsSequence()) fail_value(key, value, "'ignore' must be a list of rule ids such as [OKD101]");
    std::set<std::string> ids;
    for (const auto& item : value) {
      if (!item.IsScalar() || !is_rule_id(ascii_upper(item.Scalar())))
        fail(item, "'ignore' entries must be rule ids such as OKD101, not '" +
                       (item.IsScalar() ? item.Scalar() : std::string("a list or mapping")) + "'");
      ids.insert(known_rule_id(item, item.Scalar()));
    }
    config_.ignore = std::move(ids);
  }

  void apply_severity(const YAML::Node& key, const YAML::Node& value) {
    if (value.IsNull()) return;
    if (!value.IsMap()) fail_value(key, value, "'severity' must map rule ids to error, warning, info or off");
    for (const auto& entry : value) {
      if (!entry.first.IsScalar())
        fail(entry.first, "'severity' keys must be rule ids such as OKD101, not '" +
                              (entry.first.IsScalar() ? entry.first.Scalar() : std::string("a list or mapping")) +
                              "'");
      if (!is_rule_id(ascii_upper(entry.first.Scalar())))
        fail(entry.first, "'severity' keys must be rule ids such as OKD101, not '" + entry.first.Scalar() + "'");
      const std::string id = known_rule_id(entry.first, entry.first.Scalar());
      const std::string text = scalar("severity: " + id, entry.first, entry.second);
      std::optional<Severity> setting;
      if (!parse_severity_setting(text, &setting))
        fail_value(entry.first, entry.second,
                   "'severity' for " + id + " must be one of error, warning, info, off, not '" + text + "'");
      config_.severity[id] = setting;
    }
  }

  void apply_port_map(const YAML::Node& key, const YAML::Node& value) {
    if (value.IsNull()) return;
    if (value.IsMap()) {
      for (const auto& entry : value) {
        const std::string from_text = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
        const std::string to_text = scalar("port-map: " + from_text, entry.first, entry.second);
        const auto from = parse_integer(from_text);
        const auto to = parse_integer(to_text);
        if (!from) fail(entry.first, "'port-map' keys must be port numbers, not '" + from_text + "'");
        if (!to) fail_value(entry.first, entry.second, "'port-map' targets must be port numbers, not '" + to_text + "'");
        if (auto problem = check_port_pair(*from, *to)) fail_value(entry.first, entry.second, "'port-map': " + *problem);
        config_.port_map[static_cast<int>(*from)] = static_cast<int>(*to);
      }
      return;
    }
    if (value.IsSequence()) {
      for (const auto& item : value) {
        if (!item.IsScalar()) fail(item, "'port-map' list entries must look like \"80:8080\"");
        std::string error;
        const auto pair = parse_port_pair_text(item.Scalar(), &error);
        if (!pair) fail(item, "'port-map': " + error);
        config_.port_map[pair->first] = pair->second;
      }
      return;
    }
    fail_value(key, value, "'port-map' must be a mapping (80: 8080) or a list (\"80:8080\")");
  }

  // bases: { "registry.example/team/base": { user: "1001", shell: true, expose: [8080] } }
  void apply_bases(const YAML::Node& key, const YAML::Node& value) {
    if (value.IsNull()) return;
    if (!value.IsMap()) fail_value(key, value, "'bases' must map image names to facts such as {user: \"1001\", shell: true}");
    for (const auto& entry : value) {
      const std::string name = entry.first.IsScalar() ? entry.first.Scalar() : std::string();
      const auto keys = base_keys(name);
      if (!keys) fail(entry.first, "'bases' keys must be image names such as registry.example/team/base, not '" + name + "'");
      const std::optional<ImageReference> ref = parse_image_reference(name);
      const bool exact = ref->tag || ref->digest;
      if (!entry.second.IsMap()) fail_value(entry.first, entry.second, "'bases: " + name + "' must be a mapping of facts (user, shell, os, expose, env, workdir, needs-root)");
      BaseFacts facts;
      facts.family = "config";
      facts.source = file_ + ": bases: " + name;
      for (const auto& field : entry.second) {
        const std::string f = field.first.IsScalar() ? field.first.Scalar() : std::string();
        const std::string where = "'bases: " + name + ": " + f + "'";
        if (f == "user") {
          const std::string user = scalar(where, field.first, field.second);
          if (trim(user).empty()) fail_value(field.first, field.second, where + " must name a user such as 1001");
          facts.user = std::string(trim(user));
        } else if (f == "shell") {
          const auto flag = parse_bool(scalar(where, field.first, field.second));
          if (!flag) fail_value(field.first, field.second, where + " must be true or false");
          facts.shell = *flag;
        } else if (f == "os") {
          const std::string os = lower(trim(scalar(where, field.first, field.second)));
          if (os != "linux" && os != "windows") fail_value(field.first, field.second, where + " must be linux or windows");
          facts.os = os;
        } else if (f == "expose") {
          if (!field.second.IsSequence()) fail_value(field.first, field.second, where + " must be a list of ports such as [8080]");
          for (const auto& item : field.second) {
            std::string text = item.IsScalar() ? item.Scalar() : std::string();
            text = std::string(trim(text.substr(0, text.find('/'))));
            const auto port = parse_integer(text);
            if (!port || *port < 1 || *port > 65535) fail(item, where + " entries must be ports from 1 to 65535");
            facts.exposed.push_back(static_cast<int>(*port));
          }
        } else if (f == "env") {
          if (!field.second.IsMap()) fail_value(field.first, field.second, where + " must map names to values");
          for (const auto& kv : field.second) {
            if (!kv.first.IsScalar() || kv.first.Scalar().empty()) fail(kv.first, where + " keys must be variable names");
            facts.env[kv.first.Scalar()] = scalar(where, kv.first, kv.second);
          }
        } else if (f == "workdir") {
          const std::string dir = scalar(where, field.first, field.second);
          if (!dir.starts_with('/')) fail_value(field.first, field.second, where + " must be an absolute path");
          facts.workdir = dir;
        } else if (f == "needs-root") {
          facts.needs_root = scalar(where, field.first, field.second);
        } else {
          fail(field.first, "unknown key " + where + " (known: user, shell, os, expose, env, workdir, needs-root)");
        }
      }
      config_.bases[exact ? keys->second : keys->first] = std::move(facts);
    }
  }

  void apply_build_args(const YAML::Node& key, const YAML::Node& value) {
    if (value.IsNull()) return;
    if (!value.IsMap()) fail_value(key, value, "'build-args' must map argument names to values");
    for (const auto& entry : value) {
      if (!entry.first.IsScalar() || entry.first.Scalar().empty())
        fail(entry.first, "'build-args' keys must be argument names");
      const std::string name = entry.first.Scalar();
      if (name.find('=') != std::string::npos || name.find_first_of(" \t") != std::string::npos)
        fail(entry.first, "'build-args' name '" + name + "' must not contain '=' or spaces");
      config_.build_args[name] = scalar("build-args: " + name, entry.first, entry.second);
    }
  }
};

std::string read_config_file(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) throw ConfigError(path.string(), 0, "is a directory, not a configuration file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path.string(), 0, "cannot read configuration file");
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string env_value(const std::map<std::string, std::string>& env, const std::string& name) {
  const auto it = env.find(name);
  return it == env.end() ? std::string() : it->second;
}

fs::path without_trailing_separator(fs::path p) {
  while (!p.has_filename() && p.has_relative_path()) p = p.parent_path();
  return p;
}

}  // namespace

ConfigError::ConfigError(std::string file_name, int line_number, const std::string& text)
    : std::runtime_error(where_prefix(file_name, line_number) + text),
      file(std::move(file_name)),
      line(line_number),
      message(text) {}

bool is_rule_id(std::string_view id) {
  return id.size() == 6 && id.starts_with("OKD") &&
         std::all_of(id.begin() + 3, id.end(), [](char c) { return c >= '0' && c <= '9'; });
}

BaseFacts Config::facts_for_base(std::string_view base) const {
  BaseFacts facts;
  std::string text(base);
  if (!proxy.empty() && is_under_proxy(text, proxy)) text = text.substr(proxy.size() + 1);
  if (!bases.empty()) {
    if (const auto keys = base_keys(text)) {
      if (auto it = bases.find(keys->second); it != bases.end()) facts = it->second;
      else if (auto it2 = bases.find(keys->first); it2 != bases.end()) facts = it2->second;
    }
  }
  if (auto it = resolved_bases.find(std::string(base)); it != resolved_bases.end()) facts.fill_from(it->second);
  facts.fill_from(builtin_base_facts(base, proxy));
  return facts;
}

int Config::map_port(int port) const {
  if (const auto it = port_map.find(port); it != port_map.end()) return it->second;
  if (port == 80) return 8080;
  if (port == 443) return 8443;
  if (port > 0 && port < 1024) return port + 8000;
  return port;
}

std::optional<Severity> Config::effective_severity(const std::string& rule_id, Severity default_severity) const {
  if (ignore.count(rule_id)) return std::nullopt;
  if (const auto it = severity.find(rule_id); it != severity.end()) return it->second;
  return default_severity;
}

void apply_config_yaml(Config& config, std::string_view yaml_text, const std::string& file_name) {
  YamlApplier(config, file_name).apply(yaml_text);
}

Config parse_config_yaml(std::string_view yaml_text, const std::string& file_name) {
  Config config;
  apply_config_yaml(config, yaml_text, file_name);
  return config;
}

void apply_environment(Config& config, const std::map<std::string, std::string>& env) {
  const auto get = [&](const char* name) -> std::optional<std::string> {
    const std::string value(trim(env_value(env, name)));
    if (value.empty()) return std::nullopt;
    return value;
  };
  const auto fail = [](const char* name, const std::string& message) { throw ConfigError(name, 0, message); };

  if (const auto v = get("OKDLINT_PROXY"); v && lower(trim(*v)) == "none") {
    config.proxy.clear();
  } else if (v) {
    const std::string proxy = normalise_proxy(*v);
    if (auto problem = check_proxy(proxy)) fail("OKDLINT_PROXY", "the proxy " + *problem);
    config.proxy = proxy;
  }
  if (const auto v = get("OKDLINT_IGNORE")) {
    std::set<std::string> ids;
    for (std::string_view part : split(*v, ',')) {
      part = trim(part);
      if (part.empty()) continue;
      if (!is_rule_id(ascii_upper(part))) fail("OKDLINT_IGNORE", "'" + std::string(part) + "' is not a rule id such as OKD101");
      std::optional<std::string> canonical = canonical_rule_id(part);
      if (!canonical) fail("OKDLINT_IGNORE", unknown_rule_message(part));
      ids.insert(*canonical);
    }
    config.ignore = std::move(ids);
  }
  if (const auto v = get("OKDLINT_FAILURE_THRESHOLD")) {
    if (!parse_threshold(lower(*v), &config.failure_threshold))
      fail("OKDLINT_FAILURE_THRESHOLD", "must be one of error, warning, info, none, not '" + *v + "'");
  }
  if (const auto v = get("OKDLINT_DEFAULT_UID")) {
    const auto uid = parse_uid(*v);
    if (!uid) fail("OKDLINT_DEFAULT_UID", "must be an integer from 1 to 2147483647, not '" + *v + "'");
    config.default_uid = *uid;
  }
  if (const auto v = get("OKDLINT_PORT_MAP")) {
    std::map<int, int> ports;
    for (std::string_view part : split(*v, ',')) {
      part = trim(part);
      if (part.empty()) continue;
      std::string error;
      const auto pair = parse_port_pair_text(part, &error);
      if (!pair) fail("OKDLINT_PORT_MAP", error);
      ports[pair->first] = pair->second;
    }
    config.port_map = std::move(ports);
  }
  if (const auto v = get("OKDLINT_TARGET")) config.target = *v;
  if (const auto v = get("OKDLINT_BUILD_ARGS")) {
    std::map<std::string, std::string> args;
    for (std::string_view part : split(*v, ',')) {
      if (trim(part).empty()) continue;
      const size_t equals = part.find('=');
      const std::string_view name = trim(part.substr(0, equals));
      if (equals == std::string_view::npos || name.empty())
        fail("OKDLINT_BUILD_ARGS", "expected NAME=VALUE pairs separated by commas, not '" + std::string(part) + "'");
      args[std::string(name)] = std::string(part.substr(equals + 1));
    }
    config.build_args = std::move(args);
  }
  if (const auto v = get("OKDLINT_DISABLE_INLINE_IGNORES")) {
    const auto flag = parse_bool(*v);
    if (!flag) fail("OKDLINT_DISABLE_INLINE_IGNORES", "must be 1, true, 0 or false, not '" + *v + "'");
    config.disable_inline_ignores = *flag;
  }
  if (const auto v = get("OKDLINT_RESOLVE_BASES")) {
    const auto mode = parse_resolution(*v);
    if (!mode) fail("OKDLINT_RESOLVE_BASES", "must be 1, true, 0, false or cached, not '" + *v + "'");
    config.resolve_bases = *mode;
  }
  if (const auto v = get("OKDLINT_BASE_CACHE_TTL")) {
    const auto seconds = parse_duration(*v);
    if (!seconds) fail("OKDLINT_BASE_CACHE_TTL", "must be a duration such as 3600, 90s, 30m, 1h or 2d, not '" + *v + "'");
    config.base_cache_ttl = *seconds;
  }
  if (const auto v = get("OKDLINT_PROFILE")) {
    if (!is_profile(*v)) fail("OKDLINT_PROFILE", "must be default or certification, not '" + *v + "'");
    config.profile = *v;
  }
}

std::optional<fs::path> discover_config_file(const fs::path& start_dir, const std::map<std::string, std::string>& env) {
  std::error_code ec;
  fs::path dir = without_trailing_separator(fs::absolute(start_dir, ec).lexically_normal());
  if (fs::is_regular_file(dir, ec)) dir = dir.parent_path();
  while (!dir.empty()) {
    for (const char* name : {".okdlint.yaml", ".okdlint.yml"}) {
      const fs::path candidate = dir / name;
      if (fs::is_regular_file(candidate, ec)) return candidate;
    }
    if (fs::exists(dir / ".git", ec)) break;  // repository root: do not read a parent's settings
    const fs::path parent = dir.parent_path();
    if (parent == dir) break;
    dir = parent;
  }

  fs::path user_dir;
  const fs::path xdg = env_value(env, "XDG_CONFIG_HOME");
  const std::string home = env_value(env, "HOME");
  if (!xdg.empty() && xdg.is_absolute()) user_dir = xdg / "okdlint";
  else if (!home.empty()) user_dir = fs::path(home) / ".config" / "okdlint";
  if (user_dir.empty()) return std::nullopt;
  for (const char* name : {"config.yaml", "config.yml"}) {
    const fs::path candidate = user_dir / name;
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  return std::nullopt;
}

namespace {

// `extend: PATH` (relative to the file) or `extend: parent` (the configuration discovery finds
// from the parent directory): that file is applied first, then this one over it.
void apply_config_file(Config& config, const fs::path& file, const std::map<std::string, std::string>& env,
                       std::vector<fs::path>& chain) {
  std::error_code ec;
  fs::path canonical = fs::weakly_canonical(file, ec);
  if (std::find(chain.begin(), chain.end(), canonical) != chain.end() || chain.size() > 16) {
    throw ConfigError(file.string(), 0, "'extend' loops back to a file already extended");
  }
  chain.push_back(canonical);
  const std::string text = read_config_file(file);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception&) {
    root = YAML::Node();  // apply_config_yaml reports it with its line
  }
  if (root && root.IsMap() && root["extend"] && root["extend"].IsScalar()) {
    const YAML::Node node = root["extend"];
    const int line = node.Mark().is_null() ? 0 : node.Mark().line + 1;
    const std::string target = node.Scalar();
    std::optional<fs::path> base;
    if (lower(trim(target)) == "parent") {
      base = discover_config_file(canonical.parent_path().parent_path(), env);
      if (!base) throw ConfigError(file.string(), line, "'extend: parent' but no configuration file above " + canonical.parent_path().string());
    } else {
      base = fs::path(target).is_absolute() ? fs::path(target) : canonical.parent_path() / target;
      if (!fs::is_regular_file(*base, ec)) throw ConfigError(file.string(), line, "'extend' names " + base->string() + ", which is not a file");
    }
    apply_config_file(config, *base, env, chain);
  }
  apply_config_yaml(config, text, file.string());
  config.loaded_from.push_back(file.string());
}

}  // namespace

Config load_config(const fs::path& start_dir, const std::optional<fs::path>& explicit_file,
                   const std::map<std::string, std::string>& env) {
  Config config;
  const std::optional<fs::path> file = explicit_file ? explicit_file : discover_config_file(start_dir, env);
  if (file) {
    std::vector<fs::path> chain;
    apply_config_file(config, *file, env, chain);
  }
  apply_environment(config, env);
  return config;
}

std::map<std::string, std::string> current_environment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry && *entry; ++entry) {
    const std::string_view text(*entry);
    const size_t equals = text.find('=');
    if (equals == std::string_view::npos) continue;
    const std::string_view name = text.substr(0, equals);
    if (name.starts_with("OKDLINT_") || name == "HOME" || name == "XDG_CONFIG_HOME")
      env.emplace(std::string(name), std::string(text.substr(equals + 1)));
  }
  return env;
}

}  // namespace okd
