// What okdlint knows about a base image before a stage builds on it: the user it runs as, whether
// it has a shell for RUN, its OS, environment it sets (APP_ROOT, HOME), ports it exposes and
// whether its own entrypoint needs root. Every field is optional: unknown stays unknown, and
// rules must treat unknown as "cannot tell", never as a default.
//
// Facts come from sources in this order, each filling only what the previous left unknown
// (Config::facts_for_base):
//   1. `bases:` in .okdlint.yaml (what the user states wins);
//   2. the base's own image config read from its registry (--resolve-bases; registry/
//      base_resolver.h, cached on disk): user, os, ENV, exposed ports and WORKDIR, all complete;
//   3. the built-in table lint/data/base_facts.json (well-known families, each with a source):
//      shell and needs_root, which an image config cannot tell.
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
  std::optional<std::string> workdir;       // the image's WorkingDir ("/" when it sets none)
  // Read from the image's own config (a registry lookup): user, os, env, exposed and workdir are
  // then the whole truth, not partial knowledge another source may add to.
  bool from_image = false;

  bool known() const { return !family.empty() || !source.empty(); }
  bool windows() const { return os && *os == "windows"; }
  bool no_shell() const { return shell && !*shell; }
  // The image already runs as a non-root user.
  bool runs_non_root() const;
  // Fills the fields still unknown here from `other`. Facts read from an image keep their ENV and
  // ports as they are (complete); other facts gain the ENV names and ports `other` knows.
  void fill_from(const BaseFacts& other);
};

// Facts from an image's config JSON (the registry's config blob): User ("" is root, "0"), os,
// Env, ExposedPorts, WorkingDir. source says where it came from. Throws std::runtime_error with a
// one-line message when the text is not an image config.
BaseFacts base_facts_from_image_config(std::string_view config_json, std::string source);

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
