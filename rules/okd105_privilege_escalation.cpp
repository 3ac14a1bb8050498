// OKD105 privilege-escalation: sudo/su/gosu/su-exec/doas at runtime or after a non-root USER,
// file capabilities and setuid/setgid bits in the final image.
#include <algorithm>

#include "lint/containerfile_context.h"
#include "lint/text.h"
#include "rules/image_support.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

namespace okd {
namespace {

constexpr const char* kNoFix = "no automatic fix: ";

class PrivilegeEscalationRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD105", "privilege-escalation", Severity::Warning,
        "The image relies on privilege escalation (sudo, gosu, setuid, file capabilities)",
        "OKD's restricted SCC runs containers with allowPrivilegeEscalation: false (no_new_privs), "
        "drops all capabilities and assigns a random non-root uid. sudo, su, gosu, su-exec and doas "
        "cannot switch users (su answers \"Authentication failure\"); exec of a setuid/setgid binary or "
        "one with file capabilities works, but the bits are ignored. In images, such files are reported "
        "at info (every Debian or UBI base has a dozen: passwd, su, mount) and at warning where the "
        "entrypoint or command runs them or goes through sudo/su/gosu. Run the process directly as the image's numeric "
        "USER, make what it writes group-0 writable instead of switching users, and listen on "
        "ports >= 1024 instead of granting cap_net_bind_service. There is no automatic fix.",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    const BuildModel& model = ctx.model;
    std::optional<std::string> user;  // the USER in effect; nullopt = the base image's
    bool user_known = true;
    for (const Instruction* ins : final_image_instructions(model)) {
      if (ins->cmd == "user" && !ins->args.empty()) {
        Expanded e = model.expand(ins, ins->args.front().value, ctx.parsed.escape);
        user = e.value.substr(0, e.value.find(':'));
        user_known = e.known;
      } else if (ins->cmd == "run") {
        bool non_root = user && user_known && !user->empty() && !is_root_user(*user);
        check_run(ctx, ins, non_root ? &*user : nullptr, sink);
      } else if ((ins->cmd == "copy" || ins->cmd == "add") && ins->flag("chmod")) {
        const Flag* chmod = ins->flag("chmod");
        if (chmod->value && mode_sets_setid(*chmod->value)) {
          report(sink, chmod->value_range,
                 ascii_upper(ins->cmd) + " --chmod=" + *chmod->value +
                     " sets the setuid/setgid bit: OKD runs with no_new_privs, so it has no effect",
                 "drop the setuid/setgid bit; run the program as the image's USER and give it group-0 access");
        }
      }
    }
    for (std::string_view cmd : {"entrypoint", "cmd"}) {
      const Instruction* ins = effective_instruction(model, cmd);
      if (!ins) continue;
      for (const SimpleCommand& command : model.commands(ins)) {
        std::optional<size_t> at = command_name_index(command);
        if (!at || !command.argv[*at].literal) continue;
        std::string_view tool = program_name(command.argv[*at].value);
        if (!is_privilege_switch_tool(tool)) continue;
        report(sink, command.argv[*at].range,
               std::string(tool) + " in " + ascii_upper(ins->cmd) +
                   " switches user at runtime: OKD forbids privilege escalation and already runs as a non-root uid",
               "run the program directly and set the user with a numeric USER instruction");
      }
    }
  }

 private:
  static void report(DiagnosticSink& sink, const Range& range, std::string message, std::string hint) {
    Diagnostic d;
    d.message = std::move(message);
    d.hint = kNoFix + std::move(hint);
    d.range = range;
    sink.report(std::move(d));
  }

  static void check_run(const ContainerfileContext& ctx, const Instruction* ins, const std::string* non_root_user,
                        DiagnosticSink& sink) {
    static const std::string kUnknown = "\x7f";
    for (const SimpleCommand& command : ctx.model.commands(ins)) {
      std::optional<size_t> at = command_name_index(command);
      if (!at) continue;
      std::vector<std::string> argv;
      for (size_t i = *at; i < command.argv.size(); ++i) {
        argv.push_back(resolved_word(ctx.model, ins, command.argv[i]).value_or(kUnknown));
      }
      std::string_view tool = program_name(argv.front());
      if (non_root_user && is_privilege_switch_tool(tool)) {
        report(sink, command.argv[*at].range,
               std::string(tool) + " in RUN after USER " + *non_root_user +
                   ": the image depends on privilege escalation, which OKD forbids",
               "run this step before switching USER (as root), and keep " + std::string(tool) + " out of the image");
      } else if (tool == "setcap" && std::find(argv.begin(), argv.end(), "-r") == argv.end()) {
        report(sink, command.argv[*at].range,
               "setcap gives a file capabilities: OKD drops capabilities and forbids privilege escalation, so the "
               "program fails to start",
               "remove setcap; listen on a port >= 1024 instead of using cap_net_bind_service");
      } else if (std::optional<size_t> mode = chmod_setid_mode_index(argv)) {
        report(sink, command.argv[*at + *mode].range,
               "chmod " + argv[*mode] + " sets the setuid/setgid bit: OKD runs with no_new_privs, so it has no effect",
               "drop the setuid/setgid bit; run the program as the image's USER and give it group-0 access");
      }
    }
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_privilege_escalation(ctx, sink);
  }
};

OKD_REGISTER_RULE(PrivilegeEscalationRule);

}  // namespace
}  // namespace okd
