#include "lint/base_facts.h"

#include <fnmatch.h>

#include <nlohmann/json.hpp>
#include <charconv>
#include <set>
#include <stdexcept>

#include "lint/reference.h"

namespace okd {
namespace {

#include "okdlint_data.inc"

struct Family {
  std::vector<std::string> names;  // globs over "domain/path" (or "scratch")
  std::vector<std::string> tags;   // globs over the tag; empty = any
  BaseFacts facts;
};

bool glob(const std::string& pattern, const std::string& text) {
  return fnmatch(pattern.c_str(), text.c_str(), 0) == 0;
}

std::vector<Family> parse_families() {
  std::vector<Family> out;
  nlohmann::json doc = nlohmann::json::parse(kBaseFactsJson);
  for (const nlohmann::json& entry : doc.at("families")) {
    Family f;
    f.names = entry.at("names").get<std::vector<std::string>>();
    if (entry.contains("tags")) f.tags = entry.at("tags").get<std::vector<std::string>>();
    BaseFacts& b = f.facts;
    b.family = entry.at("id").get<std::string>();
    b.source = entry.at("source").get<std::string>();
    if (entry.contains("user")) b.user = entry.at("user").get<std::string>();
    if (entry.contains("shell")) b.shell = entry.at("shell").get<bool>();
    if (entry.contains("os")) b.os = entry.at("os").get<std::string>();
    if (entry.contains("env")) b.env = entry.at("env").get<std::map<std::string, std::string>>();
    if (entry.contains("exposed")) b.exposed = entry.at("exposed").get<std::vector<int>>();
    if (entry.contains("needs_root")) b.needs_root = entry.at("needs_root").get<std::string>();
    out.push_back(std::move(f));
  }
  return out;
}

const std::vector<Family>& families() {
  static const std::vector<Family> kFamilies = parse_families();
  return kFamilies;
}

const std::set<std::string, std::less<>>& official_images() {
  static const std::set<std::string, std::less<>> kNames = [] {
    std::set<std::string, std::less<>> names;
    std::string_view text = kOfficialImages;
    while (!text.empty()) {
      size_t eol = text.find('\n');
      std::string_view line = text.substr(0, eol);
      text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
      if (!line.empty() && line.front() != '#') names.emplace(line);
    }
    return names;
  }();
  return kNames;
}

}  // namespace

bool BaseFacts::runs_non_root() const {
  if (!user) return false;
  std::string_view u = *user;
  u = u.substr(0, u.find(':'));
  return !u.empty() && u != "root" && u.find_first_not_of('0') != std::string_view::npos;
}

void BaseFacts::fill_from(const BaseFacts& other) {
  if (family.empty()) family = other.family;
  if (source.empty()) source = other.source;
  if (!user) user = other.user;
  if (!shell) shell = other.shell;
  if (!os) os = other.os;
  if (!workdir) workdir = other.workdir;
  if (!from_image) {
    for (const auto& [k, v] : other.env) env.emplace(k, v);
    if (exposed.empty()) exposed = other.exposed;
  }
  if (!needs_root) needs_root = other.needs_root;
  from_image = from_image || other.from_image;
}

BaseFacts base_facts_from_image_config(std::string_view config_json, std::string source) {
  nlohmann::json doc = nlohmann::json::parse(config_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw std::runtime_error("the image config is not a JSON object");
  BaseFacts facts;
  facts.source = std::move(source);
  facts.from_image = true;
  const auto text = [](const nlohmann::json& j, const char* key) -> std::string {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  std::string os = text(doc, "os");
  if (!os.empty()) facts.os = os;
  facts.user = "0";  // no User: root
  facts.workdir = "/";
  auto config = doc.find("config");
  if (config == doc.end() || config->is_null()) return facts;
  if (!config->is_object()) throw std::runtime_error("the image config's \"config\" is not an object");
  if (std::string user = text(*config, "User"); !user.empty()) facts.user = user;
  if (std::string dir = text(*config, "WorkingDir"); !dir.empty()) facts.workdir = dir;
  if (auto envs = config->find("Env"); envs != config->end() && envs->is_array()) {
    for (const nlohmann::json& e : *envs) {
      if (!e.is_string()) continue;
      const std::string& kv = e.get_ref<const std::string&>();
      size_t eq = kv.find('=');
      if (eq == std::string::npos || eq == 0) continue;
      facts.env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
  }
  if (auto ports = config->find("ExposedPorts"); ports != config->end() && ports->is_object()) {
    std::set<int> seen;
    for (const auto& [key, value] : ports->items()) {
      (void)value;
      std::string_view p = key;
      p = p.substr(0, p.find('/'));
      int port = 0;
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
      if (ec == std::errc() && end == p.data() + p.size() && port > 0 && port < 65536 && seen.insert(port).second) {
        facts.exposed.push_back(port);
      }
    }
  }
  return facts;
}

BaseFacts builtin_base_facts(std::string_view reference, std::string_view proxy) {
  std::string text(reference);
  if (!proxy.empty() && is_under_proxy(text, proxy)) {
    std::string_view p = proxy;
    while (!p.empty() && p.back() == '/') p.remove_suffix(1);
    text = text.substr(p.size() + 1);
  }
  std::string name, tag;
  if (text == "scratch") {
    name = "scratch";
  } else {
    std::optional<ImageReference> ref = parse_image_reference(text);
    if (!ref) return {};
    name = ref->name();
    tag = ref->tag ? *ref->tag : (ref->digest ? "" : "latest");
  }
  for (const Family& f : families()) {
    bool name_ok = false;
    for (const std::string& n : f.names) name_ok = name_ok || glob(n, name);
    if (!name_ok) continue;
    bool tag_ok = f.tags.empty();
    for (const std::string& t : f.tags) tag_ok = tag_ok || (!tag.empty() && glob(t, tag));
    if (tag_ok) return f.facts;
  }
  return {};
}

std::string_view builtin_base_facts_json() { return kBaseFactsJson; }
std::string_view builtin_official_images_text() { return kOfficialImages; }
std::string_view builtin_shortnames_conf() { return kShortnamesConf; }

bool is_docker_official_image(std::string_view name) { return official_images().count(name) > 0; }

}  // namespace okd
