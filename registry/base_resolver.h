// --resolve-bases: what a Containerfile's base images really are, read from their registries.
// For each base (as written after ARG expansion) okdlint fetches only the manifest (the platform's
// entry of an index) and the config blob — a few KiB, never a layer — and turns the config into
// BaseFacts (lint/base_facts.h: User, ExposedPorts, Env, WorkingDir, os). A Docker Hub base is
// fetched through the configured proxy, as the cluster pulls it.
//
// Answers are cached on disk under $XDG_CACHE_HOME/okdlint/bases (default ~/.cache/okdlint/bases):
//   configs/sha256/HEX   config blobs by digest — immutable, kept forever, checked against their
//                        digest when read (a damaged one is ignored and fetched again);
//   refs/HEX.json        reference + platform → manifest and config digest, with the time it was
//                        fetched: a tag answer is used for ttl seconds, a digest answer forever.
// Every write is a temporary file renamed into place. With an entry in the cache no network is
// used; with network off (--resolve-bases=cached, git hooks) only the cache is read, stale or not.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lint/base_facts.h"
#include "registry/client.h"

namespace okd::registry {

struct BaseResolverOptions {
  ClientOptions client;
  std::string platform = "linux/amd64";  // the entry of an index to read
  bool network = true;                   // false: the cache only
  long tag_ttl_seconds = 3600;           // how long a cached tag → digest answer is trusted
  std::filesystem::path cache_dir;       // default_base_cache_dir() when empty
  unsigned parallel = 4;                 // bases fetched at once
};

// $XDG_CACHE_HOME/okdlint/bases (XDG_CACHE_HOME only when absolute), else $HOME/.cache/okdlint/bases;
// empty when neither is set (then nothing is cached).
std::filesystem::path default_base_cache_dir();

// The registry reference okdlint reads for a base as written: a Docker Hub image through the
// proxy ("nginx:1.27" with proxy P → "P/library/nginx:1.27"), anything else as it is. nullopt
// when the text is not an image reference.
std::optional<RemoteReference> base_fetch_reference(std::string_view base, std::string_view proxy);

struct ResolvedBase {
  std::optional<BaseFacts> facts;  // set when resolved
  std::string error;               // why not, one line (when facts is unset)
  std::string warning;             // resolved, but with a caveat (stale cache entry used)
  bool from_cache = false;
};

class BaseResolver {
 public:
  explicit BaseResolver(BaseResolverOptions options);
  ~BaseResolver();
  BaseResolver(const BaseResolver&) = delete;
  BaseResolver& operator=(const BaseResolver&) = delete;

  // Each base of `bases` (as written) resolved, at most options.parallel at once. Answers are
  // remembered for the resolver's lifetime, so a base named in many files is fetched once.
  std::map<std::string, ResolvedBase> resolve(const std::vector<std::string>& bases, std::string_view proxy);

  // Network requests made so far (all registries), for figures.
  uint64_t requests() const;

 private:
  ResolvedBase resolve_one(const RemoteReference& ref);
  Client& client_for(const std::string& domain);

  BaseResolverOptions options_;
  mutable std::mutex mutex_;  // guards what follows
  std::map<std::string, std::unique_ptr<Client>> clients_;
  std::map<std::string, ResolvedBase> memo_;  // by fetch reference text
};

}  // namespace okd::registry
