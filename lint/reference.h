// Container image references: parsing and Docker Hub normalisation exactly as
// github.com/distribution/reference's ParseNormalizedNamed does it (which is what Docker, BuildKit
// and Podman use to decide that "nginx" means docker.io/library/nginx), the short-name aliases of
// containers-registries.conf(5), and the proxied form that OKD fixes rewrite Docker Hub images to.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace okd {

inline constexpr std::string_view kDockerHubDomain = "docker.io";

struct ImageReference {
  std::string original;        // as written
  std::string domain;          // after normalisation: "docker.io" for Docker Hub (index.docker.io too)
  std::string path;            // "library/nginx"
  std::optional<std::string> tag;
  std::optional<std::string> digest;  // "sha256:<hex>"
  bool explicit_domain = false;       // the text itself named a registry host

  bool is_docker_hub() const { return domain == kDockerHubDomain; }
  std::string name() const;  // domain/path ("docker.io/library/nginx")
};

// Parses like ParseNormalizedNamed: no host, docker.io or index.docker.io = Docker Hub; the first
// of several components is a host when it contains '.' or ':', equals "localhost", or contains an
// uppercase letter (upstream's rule: repository paths are lowercase, so it must be a host);
// single-component Hub paths get "library/"; uppercase in the repository path is an error; a
// digest must name sha256/sha384/sha512 with the right number of lowercase hex digits. A lone
// word is always a Hub name, so "localhost:5000" is docker.io/library/localhost tagged 5000, as
// upstream. On failure returns nullopt and, when error is given, upstream's message.
std::optional<ImageReference> parse_image_reference(std::string_view text, std::string* error = nullptr);

// The [aliases] table of containers-registries.conf(5): short name → fully qualified name.
struct RegistryAliases {
  std::map<std::string, std::string> aliases;

  // Loads <dir>/registries.conf, then <dir>/registries.conf.d/*.conf in name order, each later
  // file overriding earlier keys; an empty value erases an alias (as containers/image does).
  // Missing or unreadable files contribute nothing. Only the [aliases] table is read.
  static RegistryAliases load(const std::filesystem::path& containers_dir = "/etc/containers");
  // Parses one file's text (a TOML subset: tables, array tables, bare/quoted/dotted keys, basic and
  // literal strings, comments; other values such as arrays and inline tables are skipped).
  // Entries with empty values are kept, so that merge() can erase with them.
  static RegistryAliases parse(std::string_view toml_text);
  // Applies a later file's aliases over these ones.
  void merge(const RegistryAliases& later);

  // The fully qualified name for a short name as written (e.g. "fedora" or "ubi8/ubi"); a tag or
  // digest on it is ignored, as containers/image strips them before alias resolution.
  std::optional<std::string> lookup(std::string_view short_name) const;
};

// True when the reference text is already pulled through the proxy: it starts with the proxy
// ("registry.example/base") followed by '/', so "registry.example/base/library/nginx" is under it
// but "registry.example/basement/x" is not. The host part compares case-insensitively.
bool is_under_proxy(std::string_view reference_text, std::string_view proxy);

// The proxied form used by fixes: proxy + "/" + normalised path + ":" tag + "@" digest, keeping the
// tag and digest as written: ("nginx:1.25", P) → "P/library/nginx:1.25". Meant for Docker Hub
// references (a Harbor proxy project mirrors one upstream registry).
std::string proxied_reference(const ImageReference& ref, std::string_view proxy);

// distribution/reference's patterns (regexp.go), each matched against the whole text by hand.
namespace reference_grammar {
bool match_reference(std::string_view text);       // name (":" tag)? ("@" digest)?
bool match_name(std::string_view text);            // (domainAndPort "/")? remoteName
bool match_domain_and_port(std::string_view text);
bool match_remote_name(std::string_view text);
bool match_path_component(std::string_view text);
bool match_tag(std::string_view text);
bool match_digest(std::string_view text);          // reference's digest pattern
bool match_digest_format(std::string_view text);   // go-digest's "alg:encoded" format
bool is_identifier(std::string_view text);         // 64 lowercase hex digits
}  // namespace reference_grammar

}  // namespace okd
