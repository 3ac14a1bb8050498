// OKD502 certification-labels: labels and license files Red Hat certification requires are
// missing. Off by default; the certification profile turns it on.
#include "rules/image_support.h"
#include "rules/rule.h"

namespace okd {
namespace {

class CertificationLabelsRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD502", "certification-labels", Severity::Warning,
        "Labels or /licenses required for Red Hat certification are missing",
        "Red Hat's preflight certification checks (HasRequiredLabel, HasLicense) require the labels "
        "name, vendor, version, release, summary, description and maintainer, and the license terms "
        "of the software in the image under /licenses. Add them with LABEL and COPY LICENSE "
        "/licenses/. Only relevant for images submitted for certification, so this rule runs with "
        "profile = \"certification\" (or when selected explicitly).",
        false};
    return kInfo;
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_certification_labels(ctx, sink);
  }
};

OKD_REGISTER_RULE(CertificationLabelsRule);

}  // namespace
}  // namespace okd
