// What okdlint knows about a base image before a stage builds on it: the user it runs as, whether
// it has a shell for RUN, its OS, environment it sets (APP_ROOT, HOME), ports it exposes and
// whether its own entrypoint needs root. Every field is optional: unknown stays unknown, and
// rules must treat unknown as "cannot tell", never as a default.
//
// Facts come from sources in this order, each filling only what the previous left unknown:
//   1. `bases:` in .okdlint.yaml and a registry lookup (issue 13, not yet wired);
//   2. the built-in table lint/data/base_facts.json (well-known families, each with a source).
// build_model() attaches the facts of each stage's base to Stage::facts; a stage FROM another
// stage inherits that stage's facts.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace okd {

struct BaseFacts {
  std::string family;                       // entry id that matched ("distroless-nonroot"); "" = none
  std::string source;                       // where the facts come from (URL of the entry, "registry", ...)
  std::optional<std::string> user;          // the image's USER: "0", "65532", "1001"
  std::optional<bool> shell;                // /bin/sh exists, so RUN works
  std::optional<std::string> os;            // "linux" or "windows"
  std::map<std::string, std::string> env;   // known ENV of the image
  std::vector<int> exposed;                 // ports the image EXPOSEs
  std::optional<std::string> needs_root;    // why its entrypoint must start as root (binds <1024,
                                            // drops privileges itself); unset = not known to

  bool known() const { return !family.empty() || !source.empty(); }
  bool windows() const { return os && *os == "windows"; }
  bool no_shell() const { return shell && !*shell; }
  // The image already runs as a non-root user.
  bool runs_non_root() const;
  // Fills the fields still unknown here from `other`.
  void fill_from(const BaseFacts& other);
};

// Facts from the built-in table for a base image as written after expansion ("nginx:1.27",
// "gcr.io/distroless/static:nonroot", "scratch"). `proxy` (config.proxy) is stripped first, so
// "PROXY/library/nginx" is nginx. Nothing is known about a reference that does not parse.
BaseFacts builtin_base_facts(std::string_view reference, std::string_view proxy = {});

// The built-in data files (lint/data/), compiled in.
std::string_view builtin_base_facts_json();
std::string_view builtin_official_images_text();
std::string_view builtin_shortnames_conf();

// Docker Official Images (docker.io/library/NAME) by NAME ("nginx", "php").
bool is_docker_official_image(std::string_view name);

}  // namespace okd
