// Everything a rule may read about one Containerfile. Built once per file by the engine.
#pragma once

#include "lint/config.h"
#include "lint/dockerfile.h"
#include "lint/model.h"
#include "lint/reference.h"

namespace okd {

struct ContainerfileContext {
  const SourceFile& source;
  const ParsedDockerfile& parsed;
  const BuildModel& model;
  const Config& config;
  const RegistryAliases& aliases;

  // The text of a source range, for messages and replacements.
  std::string_view text(Range r) const { return std::string_view(source.text()).substr(r.begin.offset, r.size()); }
};

}  // namespace okd
