#include "lint/base_facts.h"

#include <fnmatch.h>

#include <nlohmann/json.hpp>
#include <set>

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
  for (const auto& [k, v] : other.env) env.emplace(k, v);
  if (exposed.empty()) exposed = other.exposed;
  if (!needs_root) needs_root = other.needs_root;
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
