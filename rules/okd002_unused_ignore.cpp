// OKD002 unused-ignore: an inline `# okdlint ignore=` pragma that suppresses nothing (as ruff's
// RUF100). rules/engine.cpp finds them while it applies the pragmas.
#include "rules/rule.h"

namespace okd {
namespace {

class UnusedIgnoreRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD002", "unused-ignore", Severity::Info, "An inline ignore pragma suppresses nothing",
        "`# okdlint ignore=OKD101` silences OKD101 on the next instruction, and `# okdlint global ignore=OKD401` "
        "in the whole file. Once the problem is fixed, or when the pragma sits above the wrong instruction, it "
        "silences nothing and only hides a future finding. Remove the id from the pragma, or the pragma. Only "
        "rules that ran are judged: a pragma for a rule left out by --select or turned off is not reported.",
        true};
    return kInfo;
  }
};

OKD_REGISTER_RULE(UnusedIgnoreRule);

}  // namespace
}  // namespace okd
