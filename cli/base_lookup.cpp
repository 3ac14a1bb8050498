#include "cli/base_lookup.h"

#include <iostream>

#include "rules/engine.h"

namespace okd::cli {

registry::BaseResolver& BaseLookup::resolver(bool network, long ttl) {
  std::unique_ptr<registry::BaseResolver>& r = resolvers_[{network, ttl}];
  if (!r) {
    registry::BaseResolverOptions options;
    options.client = registry_.client_options();
    options.platform = platform_;
    options.network = network;
    options.tag_ttl_seconds = ttl;
    r = std::make_unique<registry::BaseResolver>(options);
  }
  return *r;
}

void BaseLookup::apply(const SourceFile& source, Config& config) {
  if (config.resolve_bases == BaseResolution::Off) return;
  const bool network = config.resolve_bases == BaseResolution::On && (!in_hook_ || config.hook_network);
  std::vector<std::string> bases = containerfile_bases(source, config);
  if (bases.empty()) return;
  std::map<std::string, registry::ResolvedBase> resolved = resolver(network, config.base_cache_ttl).resolve(bases, config.proxy);
  for (const std::string& base : bases) {
    const registry::ResolvedBase& r = resolved[base];
    if (r.facts) {
      config.resolved_bases[base] = *r.facts;
      if (!r.warning.empty()) std::cerr << "okdlint: warning: " << source.path() << ": base " << base << ": " << r.warning << "\n";
    } else {
      std::cerr << "okdlint: warning: " << source.path() << ": base " << base << " not resolved: " << r.error
                << "; linting without its facts\n";
    }
  }
}

}  // namespace okd::cli
