// --resolve-bases for the commands that lint Containerfiles (lint, fix, git hooks): before a file
// is linted, its bases are looked up (registry/base_resolver.h) and their facts put into
// Config::resolved_bases. A base that cannot be resolved is one warning line on stderr and the
// file is linted without its facts (as without --resolve-bases): never exit 2 for it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <utility>

#include "cli/common.h"
#include "lint/config.h"
#include "lint/source.h"
#include "registry/base_resolver.h"

namespace okd::cli {

class BaseLookup {
 public:
  // in_hook: git hooks use the cache only, unless the configuration says hook-network: true.
  BaseLookup(const RegistryFlags& registry, std::string platform, bool in_hook = false)
      : registry_(registry), platform_(std::move(platform)), in_hook_(in_hook) {}

  // Fills config.resolved_bases for the bases of source when config.resolve_bases asks for it.
  void apply(const SourceFile& source, Config& config);

 private:
  registry::BaseResolver& resolver(bool network, long ttl);

  RegistryFlags registry_;
  std::string platform_;
  bool in_hook_ = false;
  std::map<std::pair<bool, long>, std::unique_ptr<registry::BaseResolver>> resolvers_;
};

}  // namespace okd::cli
