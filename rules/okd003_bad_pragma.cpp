// OKD003 bad-pragma: an inline okdlint pragma that is malformed or names an unknown rule; it would
// silently ignore nothing. rules/engine.cpp reports them while it reads the pragmas.
#include "rules/rule.h"

namespace okd {
namespace {

class BadPragmaRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD003", "bad-pragma", Severity::Error, "An inline okdlint pragma is malformed or names an unknown rule",
        "Inline pragmas are `# okdlint ignore=OKD101,OKD201 -- reason` (the next instruction) and `# okdlint global "
        "ignore=OKD401` (the whole file); ids are rule ids or names in any case. A comment that starts like a "
        "pragma but is not one (`# okdlint ignore OKD201`, a misspelt id) would otherwise ignore nothing without a "
        "word, and the finding it was meant for would surprise the next reader.",
        true};
    return kInfo;
  }
};

OKD_REGISTER_RULE(BadPragmaRule);

}  // namespace
}  // namespace okd
