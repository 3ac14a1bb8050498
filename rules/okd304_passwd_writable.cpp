// OKD304 passwd-writable: /etc/passwd or /etc/group made group- or world-writable
// (CVE-2020-10695 and its kind).
#include "lint/containerfile_context.h"
#include "rules/fs_support.h"
#include "rules/image_support.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

#include <cstdint>

namespace okd {
namespace {

class PasswdWritableRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD304", "passwd-writable", Severity::Error,
        "/etc/passwd or /etc/group is made writable by group 0 or everyone",
        "Older OpenShift images ran `chmod g=u /etc/passwd` so that an entrypoint could add the "
        "random uid to /etc/passwd. Every OKD container runs in group 0, so any process in the "
        "container can then add a uid-0 entry or change root's shell and password hash, and gain "
        "root inside the container (CVE-2020-10695, CVE-2019-19350 and friends). CRI-O on OKD 4 "
        "adds the arbitrary uid to /etc/passwd by itself; where something still needs a passwd "
        "entry, use nss_wrapper. Remove the chmod.",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    for (const RunCommand& run : final_image_run_commands(ctx)) {
      std::optional<FileModeCommand> cmd = parse_file_mode_command(*run.command);
      if (!cmd || cmd->name != "chmod") continue;
      std::optional<std::string> mode_text = resolve_shell_word(ctx, *run.instruction, *cmd->spec);
      if (!mode_text) continue;
      std::optional<ChmodMode> mode = parse_chmod_mode(*mode_text);
      if (!mode || !mode_makes_file_group_writable(*mode)) continue;
      std::vector<size_t> hits;
      std::vector<std::string> names;
      for (size_t i = 0; i < cmd->targets.size(); ++i) {
        std::optional<std::string> path = resolve_path_word(ctx, run, *cmd->targets[i]);
        if (!path) continue;
        if (*path == "/etc/passwd" || *path == "/etc/group") {
          hits.push_back(i);
          names.push_back(*path);
        } else if (cmd->recursive && (*path == "/" || *path == "/etc")) {
          hits.push_back(i);
          names.push_back("/etc/passwd (chmod -R " + *path + ")");
        }
      }
      if (hits.empty()) continue;
      const bool world = mode_makes_world_writable(*mode);
      for (size_t h = 0; h < hits.size(); ++h) {
        Diagnostic d;
        d.message = "chmod " + *mode_text + " makes " + names[h] + (world ? " world-writable" : " group-writable") +
                    ": any process in group 0 can become root";
        d.hint = "remove the chmod: CRI-O adds the random uid to /etc/passwd itself; use nss_wrapper if "
                 "something still needs an entry";
        d.range = cmd->targets[hits[h]]->range;
        std::optional<Edit> edit;
        if (hits.size() == cmd->targets.size()) {
          // One removal of the whole command; each finding's fix is its own, so only the first
          // finding of the command carries it.
          if (h == 0) {
            edit = remove_simple_command_edit(ctx, *run.instruction, *run.command);
          } else {
            d.hint += "; the fix of the finding for " + cmd->targets[hits[0]]->value + " removes this chmod";
          }
        } else if (hits.size() == 1) {
          // Other files keep their chmod: drop only this argument and the blank before it.
          const ShellWord& word = *cmd->targets[hits[h]];
          uint32_t begin = word.range.begin.offset;
          std::string_view text = ctx.source.text();
          while (begin > 0 && (text[begin - 1] == ' ' || text[begin - 1] == '\t')) --begin;
          edit = Edit{begin, word.range.end.offset, ""};
        }
        if (edit) {
          d.fix = Fix{"remove the chmod of " + cmd->targets[hits[h]]->value, Applicability::Unsafe, {*edit}};
        }
        sink.report(std::move(d));
      }
    }
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_passwd_writable(ctx, sink);
  }
};

OKD_REGISTER_RULE(PasswdWritableRule);

}  // namespace
}  // namespace okd
