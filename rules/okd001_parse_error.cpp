// OKD001 parse-error: what BuildKit refuses to build. The parser (lint/dockerfile_parser.cpp) and
// the model (EXPOSE ports, after expansion) report these; the rule carries their metadata.
#include "rules/rule.h"

namespace okd {
namespace {

class ParseErrorRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD001", "parse-error", Severity::Error, "The Containerfile is not valid: BuildKit would refuse to build it",
        "okdlint parses Containerfiles as BuildKit does and reports, at its line, everything that makes `docker "
        "build` or `podman build` fail before a single step runs: unknown instructions, unterminated heredocs or "
        "quotes, a FROM without an image, a USER without a user, no FROM at all, an instruction before the first "
        "FROM other than ARG, ENV or LABEL with a blank name, an EXPOSE port outside 0-65535. Where BuildKit stops "
        "at the first error, okdlint goes on with the next line, so one typo does not hide the rest of the file.",
        true};
    return kInfo;
  }
};

OKD_REGISTER_RULE(ParseErrorRule);

}  // namespace
}  // namespace okd
