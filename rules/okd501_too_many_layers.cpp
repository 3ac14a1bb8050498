// OKD501 too-many-layers: the image has more layers than Red Hat certification accepts.
#include "rules/image_support.h"
#include "rules/rule.h"

namespace okd {
namespace {

class TooManyLayersRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD501", "too-many-layers", Severity::Warning, "The image has more than 40 layers",
        "Red Hat's preflight certification check (LayerCountAcceptable) fails images with more than "
        "40 layers, and every layer costs a pull round-trip and an overlay mount on each node. "
        "Combine related RUN steps, copy build results from a builder stage in a multi-stage build, "
        "or squash the image.",
        true};
    return kInfo;
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override { check_image_layer_count(ctx, sink); }
};

OKD_REGISTER_RULE(TooManyLayersRule);

}  // namespace
}  // namespace okd
