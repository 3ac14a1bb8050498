// OKD303 world-writable: chmod that makes files or directories of the final image writable by
// every user (777, 666, o+w, a+w) without the sticky bit.
#include <algorithm>

#include "lint/containerfile_context.h"
#include "rules/fs_support.h"
#include "rules/image_support.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

namespace okd {
namespace {

bool is_account_file(std::string_view path) { return path == "/etc/passwd" || path == "/etc/group"; }

class WorldWritableRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD303", "world-writable", Severity::Warning,
        "chmod makes files or directories writable by every user",
        "chmod 777 (or 666, o+w, a+w) is the usual workaround when a container cannot write as its "
        "random uid, but it lets every process and every uid in the container rewrite the files, "
        "and fails security scans. On OKD the random uid always runs in group 0, so group write "
        "access is enough: chgrp -R 0 DIR && chmod -R g=u DIR (775/664 instead of 777/666). Shared "
        "scratch directories that really must be world-writable get the sticky bit (1777).",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    for (const Instruction* ins : final_image_instructions(ctx.model)) {
      if (ins->cmd == "copy" || ins->cmd == "add") check_copy_chmod(ctx, *ins, sink);
    }
    std::vector<RunCommand> runs = final_image_run_commands(ctx);
    std::optional<std::vector<GroupZero>> changes;  // computed on the first finding
    for (const RunCommand& run : runs) {
      std::optional<FileModeCommand> cmd = parse_file_mode_command(*run.command);
      if (!cmd || cmd->name != "chmod") continue;
      std::optional<std::string> mode_text = resolve_shell_word(ctx, *run.instruction, *cmd->spec);
      if (!mode_text) continue;
      std::optional<ChmodMode> mode = parse_chmod_mode(*mode_text);
      if (!mode || !mode_makes_world_writable(*mode)) continue;
      if (removed_later_in_same_run(ctx, run, cmd->targets)) continue;  // a build-time temp dir

      std::string targets;
      std::vector<std::optional<std::string>> paths;
      bool account_file = false;
      for (const ShellWord* t : cmd->targets) {
        targets += (targets.empty() ? "" : " ") + t->value;
        paths.push_back(resolve_path_word(ctx, run, *t));
        if (paths.back() && is_account_file(*paths.back())) account_file = true;
      }
      Diagnostic d;
      d.message = "chmod " + *mode_text + " makes " + targets + " writable by every user";
      std::optional<std::string> safer = mode_without_world_write(*mode_text);
      d.hint = "give group 0 write access instead (chgrp " + std::string(cmd->recursive ? "-R " : "") + "0 " +
               targets + " && chmod " + (cmd->recursive ? "-R " : "") + (safer ? *safer : "g=u") +
               " ...): OKD's random uid runs in group 0";
      d.range = cmd->spec->range;
      // /etc/passwd and /etc/group are OKD304's: its fix removes the chmod altogether.
      if (safer && !account_file && cmd->spec->raw == *mode_text && !run.instruction->json_form) {
        Fix fix;
        fix.applicability = Applicability::Unsafe;
        fix.description = "chmod " + *safer + " and give the files group 0";
        if (!changes) changes = group_zero_changes(ctx, runs);
        if (!has_group_zero(*changes, cmd->targets, paths, run, cmd->recursive)) {
          std::string prefix = "chgrp " + std::string(cmd->recursive ? "-R " : "") + "0";
          for (const ShellWord* t : cmd->targets) prefix += " " + t->raw;
          fix.edits.push_back(Edit{run.command->range.begin.offset, run.command->range.begin.offset, prefix + " && "});
        }
        fix.edits.push_back(Edit{cmd->spec->range.begin.offset, cmd->spec->range.end.offset, *safer});
        d.fix = std::move(fix);
      }
      sink.report(std::move(d));
    }
  }

 private:
  // Every target is deleted by an `rm -r` later in the same RUN (`tempDir="$(mktemp -d)"; chmod 777
  // "$tempDir"; ...; rm -rf "$tempDir"`): nothing of it reaches the image.
  static bool removed_later_in_same_run(const ContainerfileContext& ctx, const RunCommand& run,
                                        const std::vector<const ShellWord*>& targets) {
    if (targets.empty()) return false;
    std::vector<std::string> removed;
    bool after = false;
    for (const SimpleCommand& c : ctx.model.commands(run.instruction)) {
      if (&c == run.command) after = true;
      if (!after || c.argv.empty()) continue;
      std::optional<CommandName> name = command_name(c);
      if (!name || name->name != "rm") continue;
      bool recursive = false;
      for (size_t a = name->index + 1; a < c.argv.size(); ++a) {
        const std::string& v = c.argv[a].value;
        if (v.starts_with("-")) {
          recursive = recursive || v.find_first_of("rR") != std::string::npos;
        } else if (recursive) {
          removed.push_back(c.argv[a].raw);
        }
      }
    }
    return std::all_of(targets.begin(), targets.end(), [&](const ShellWord* t) {
      return std::find(removed.begin(), removed.end(), t->raw) != removed.end();
    });
  }

  // `COPY --chmod=777`: the copied files are world-writable. The fix only changes the mode; a
  // --chown group is OKD301's business.
  static void check_copy_chmod(const ContainerfileContext& ctx, const Instruction& ins, DiagnosticSink& sink) {
    const Flag* chmod = ins.flag("chmod");
    if (!chmod || !chmod->value) return;
    Expanded value = ctx.model.expand(&ins, *chmod->value, ctx.parsed.escape);
    if (!value.known) return;
    std::optional<ChmodMode> mode = parse_chmod_mode(value.value);
    if (!mode || !mode_makes_world_writable(*mode)) return;
    std::string keyword = ins.cmd == "copy" ? "COPY" : "ADD";
    std::optional<std::string> safer = mode_without_world_write(value.value);
    Diagnostic d;
    d.message = keyword + " --chmod=" + value.value + " makes the copied files writable by every user";
    d.hint = "use --chmod=" + (safer ? *safer : std::string("775")) + " with --chown=UID:0: OKD's random uid runs in group 0";
    d.range = chmod->value_range;
    if (safer && ctx.text(chmod->value_range) == value.value) {
      d.fix = Fix{"--chmod=" + *safer, Applicability::Unsafe,
                  {Edit{chmod->value_range.begin.offset, chmod->value_range.end.offset, *safer}}};
    }
    sink.report(std::move(d));
  }

  // A chgrp 0 / chown u:0 of the final image: what it reaches.
  struct GroupZero {
    const Instruction* instruction = nullptr;
    std::optional<std::string> path;  // absolute, when known
    std::string raw;                  // the word as written
    bool recursive = false;
  };

  static std::vector<GroupZero> group_zero_changes(const ContainerfileContext& ctx, const std::vector<RunCommand>& runs) {
    std::vector<GroupZero> out;
    for (const RunCommand& run : runs) {
      std::optional<FileModeCommand> cmd = parse_file_mode_command(*run.command);
      if (!cmd || cmd->name == "chmod") continue;
      std::optional<std::string> spec = resolve_shell_word(ctx, *run.instruction, *cmd->spec);
      if (!spec) continue;
      std::string group = cmd->name == "chgrp" ? *spec : parse_owner_spec(*spec).group;
      if (!is_root_id(group)) continue;
      for (const ShellWord* c : cmd->targets) {
        out.push_back(GroupZero{run.instruction, resolve_path_word(ctx, run, *c), c->raw, cmd->recursive});
      }
    }
    return out;
  }

  // Whether the changes already give every target group 0 (recursively when the chmod is).
  static bool has_group_zero(const std::vector<GroupZero>& changes, const std::vector<const ShellWord*>& targets,
                             const std::vector<std::optional<std::string>>& paths, const RunCommand& at,
                             bool recursive) {
    for (size_t i = 0; i < targets.size(); ++i) {
      bool covered = false;
      for (const GroupZero& g : changes) {
        if (recursive && !g.recursive) continue;
        if (paths[i] && g.path) {
          covered = covered || *g.path == *paths[i] || (g.recursive && path_within(*paths[i], *g.path));
        } else if (g.instruction == at.instruction) {
          covered = covered || g.raw == targets[i]->raw;  // same RUN, same words
        }
      }
      if (!covered) return false;
    }
    return true;
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_world_writable(ctx, sink);
  }
};

OKD_REGISTER_RULE(WorldWritableRule);

}  // namespace
}  // namespace okd
