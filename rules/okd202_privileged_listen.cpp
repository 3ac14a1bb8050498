// OKD202 privileged-listen: the final image configures the application to listen below 1024.
#include "lint/containerfile_context.h"
#include "lint/text.h"
#include "rules/image_support.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

namespace okd {
namespace {

class PrivilegedListenRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD202", "privileged-listen", Severity::Warning,
        "The application is configured to listen on a port below 1024",
        "An ENV such as PORT=80 or a listen argument such as --port 80 or 0.0.0.0:80 in CMD or "
        "ENTRYPOINT makes the application bind a privileged port, which needs root or "
        "CAP_NET_BIND_SERVICE; OKD's restricted SCC gives neither, so the bind fails at startup. "
        "Configure an unprivileged port (80 → 8080, 443 → 8443) and EXPOSE the same port.",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    std::vector<PortSite> sites = privileged_port_sites(ctx);
    for (const PortSite& site : sites) {
      if (site.kind == PortSiteKind::Expose) continue;
      std::string port = std::to_string(site.first);
      std::string moved = std::to_string(ctx.config.map_port(site.first));
      Diagnostic d;
      if (site.kind == PortSiteKind::Env) {
        d.message = site.written + " sets privileged port " + port +
                    " (< 1024): the application cannot bind it without root on OKD";
      } else {
        d.message = ascii_upper(site.instruction->cmd) + " listens on privileged port " + port + " (" + site.written +
                    "): the application cannot bind it without root on OKD";
      }
      d.hint = "use an unprivileged port such as " + moved + " here and in EXPOSE";
      d.range = site.range;
      d.fix = port_remap_fix(ctx, sites, site);
      sink.report(std::move(d));
    }
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_privileged_listen(ctx, sink);
  }
};

OKD_REGISTER_RULE(PrivilegedListenRule);

}  // namespace
}  // namespace okd
