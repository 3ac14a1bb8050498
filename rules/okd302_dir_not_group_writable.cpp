// OKD302 dir-not-group-writable: directories of the final image that the application is meant to
// write (WORKDIR, VOLUME, mkdir targets, COPY --chown destinations) but that group 0 cannot write.
#include <algorithm>
#include <functional>
#include <map>

#include "lint/containerfile_context.h"
#include "rules/fs_support.h"
#include "rules/image_support.h"
#include "rules/path_policy.h"
#include "rules/rule.h"
#include "rules/rule_support.h"

namespace okd {
namespace {

// Scratch directories every image already has world-writable with the sticky bit.
bool needs_nothing(std::string_view path) {
  return path == "/" || path == "/tmp" || path == "/var/tmp" || path == "/dev/shm";
}

struct DirState {
  std::string path;
  Range declared;                          // where the diagnostic points
  std::string how;                         // "WORKDIR", "VOLUME", "mkdir", "COPY --chown=1001:1001"
  size_t created_at = 0;                   // index in the final image's instruction sequence
  bool group_zero = false;                 // owned by group 0
  uint32_t mode = kTypicalDirMode;         // permission bits, as far as the file tells
  bool removed = false;                    // a later `rm -r` deletes it
  bool weak = false;                       // a mkdir'd dir with no sign the application writes it

  bool writable_by_random_uid() const {
    bool world = (mode & 0002) != 0;
    return world || (group_zero && (mode & 0030) == 0030);
  }
};

class DirNotGroupWritableRule : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo kInfo{
        "OKD302", "dir-not-group-writable", Severity::Warning,
        "A directory the application writes is not writable by group 0",
        "OKD runs the container as a random uid that owns no file in the image; its only useful "
        "identity is group 0. Directories the application writes (its WORKDIR, VOLUMEs, directories "
        "the Containerfile creates or copies with --chown) must therefore belong to group 0 and be "
        "group-writable, or the application fails with 'Permission denied' on OKD although it "
        "works under Docker. Add `RUN chgrp -R 0 DIR && chmod -R g=u DIR` after the directories "
        "exist and before the switch to the non-root USER (or use the s2i fix-permissions script).",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    const std::vector<const Instruction*> sequence = final_image_instructions(ctx.model);
    std::vector<DirState> dirs;
    std::map<std::string, size_t> by_path;
    // Who runs each instruction: root unless a USER says otherwise.
    std::optional<std::string> user, group;
    bool user_known = true;
    // root_at[i]: root runs instruction i; root_at[size]: the final image's user is root.
    std::vector<bool> root_at(sequence.size() + 1, true);
    std::string workdir = "/";
    bool workdir_known = true;

    auto creator_group_zero = [&]() {
      if (!user_known) return false;
      if (group) return is_root_id(*group);
      return !user || is_root_id(*user);
    };
    // Trees a recursive chgrp 0 / chmod g=u (or fix-permissions) already handed to group 0: a
    // directory declared below one later (WORKDIR /var/www/html after chmod -R g=u /var/www)
    // existed when it ran.
    PathSet fixed_trees;
    auto declare = [&](const std::string& path, Range where, std::string how, size_t index, bool group_zero) {
      if (needs_nothing(path) || by_path.count(path) || has_pattern(path)) return;
      // Only directories the application writes at run time: never a system tree or a root-owned
      // directory it only reads; a mkdir'd directory only when its name says it holds run-time data.
      if (is_system_tree(path) || is_read_only_dir(path)) return;
      const bool weak = how == "mkdir" && !looks_runtime_writable(path);
      if (within_any(path, fixed_trees)) return;
      by_path[path] = dirs.size();
      dirs.push_back(DirState{path, where, std::move(how), index, group_zero, kTypicalDirMode});
      dirs.back().weak = weak;
    };
    // Applies an ownership or mode change to the tracked directories it reaches.
    // by_path is ordered, so the directories below target are one contiguous run of it.
    auto affect = [&](const std::string& target, bool recursive, const auto& change) {
      if (auto it = by_path.find(target); it != by_path.end()) change(dirs[it->second]);
      if (!recursive) return;
      const std::string prefix = target.ends_with('/') ? target : target + "/";
      for (auto it = by_path.lower_bound(prefix); it != by_path.end() && it->first.starts_with(prefix); ++it) {
        if (it->first != target) change(dirs[it->second]);
      }
    };

    for (size_t i = 0; i < sequence.size(); ++i) {
      const Instruction& ins = *sequence[i];
      root_at[i] = user_known && (!user || is_root_id(*user));
      if (ins.cmd == "user" && !ins.args.empty()) {
        Expanded e = ctx.model.expand(&ins, ins.args.front().value, ctx.parsed.escape);
        OwnerSpec spec = parse_owner_spec(e.value);
        user = spec.user;
        group = spec.has_colon ? std::optional<std::string>(spec.group) : std::nullopt;
        user_known = e.known;
      } else if (ins.cmd == "workdir" && !ins.args.empty()) {
        Expanded e = ctx.model.expand(&ins, ins.args.front().value, ctx.parsed.escape);
        workdir_known = workdir_known && e.known;
        if (!e.known) continue;
        workdir = absolute_path(e.value, workdir);
        if (workdir_known) declare(workdir, ins.args.front().range, "WORKDIR", i, creator_group_zero());
      } else if (ins.cmd == "volume") {
        for (const Word& w : ins.args) {
          Expanded e = ctx.model.expand(&ins, w.value, ctx.parsed.escape);
          if (!e.known || e.value.empty() || (e.value[0] != '/' && !workdir_known)) continue;
          declare(absolute_path(e.value, workdir), w.range, "VOLUME", i, creator_group_zero());
        }
      } else if (ins.cmd == "copy" || ins.cmd == "add") {
        copy_destination(ctx, ins, i, workdir, workdir_known, dirs, by_path, declare);
      } else if (ins.cmd == "run") {
        RunCommand run{&ins, nullptr, workdir, workdir_known};
        for (const SimpleCommand& command : ctx.model.commands(&ins)) {
          run.command = &command;
          if (std::optional<MkdirCommand> mkdir = parse_mkdir_command(command)) {
            std::optional<ChmodMode> mode = mkdir->mode ? parse_chmod_mode(*mkdir->mode) : std::nullopt;
            for (const ShellWord* t : mkdir->targets) {
              std::optional<std::string> path = resolve_path_word(ctx, run, *t);
              if (!path) continue;
              bool fresh = !by_path.count(*path);
              declare(*path, t->range, "mkdir", i, creator_group_zero());
              if (fresh && mode && by_path.count(*path)) {
                DirState& d = dirs[by_path[*path]];
                d.mode = apply_chmod_mode(*mode, 0777, true, kDefaultUmask);
              }
            }
            continue;
          }
          std::optional<CommandName> name = command_name(command);
          if (name && name->name.find("fix-permissions") != std::string::npos) {
            for (size_t a = name->index + 1; a < command.argv.size(); ++a) {
              if (command.argv[a].value.starts_with("-")) continue;
              if (std::optional<std::string> path = resolve_path_word(ctx, run, command.argv[a])) {
                fixed_trees.insert(*path);
                affect(*path, true, [](DirState& d) {
                  d.group_zero = true;
                  d.mode |= 0070;
                });
              }
            }
            continue;
          }
          if (name && (name->name == "rm" || name->name == "rmdir")) {
            bool recursive = name->name == "rmdir";
            for (size_t a = name->index + 1; a < command.argv.size(); ++a) {
              const std::string& v = command.argv[a].value;
              if (v.starts_with("-")) {
                recursive = recursive || v.find_first_of("rR") != std::string::npos || v == "--recursive";
                continue;
              }
              if (!recursive) continue;
              if (std::optional<std::string> path = resolve_path_word(ctx, run, command.argv[a])) {
                affect(*path, true, [](DirState& d) { d.removed = true; });
              }
            }
            continue;
          }
          std::optional<FileModeCommand> cmd = parse_file_mode_command(command);
          if (!cmd) continue;
          std::optional<std::string> spec = resolve_shell_word(ctx, ins, *cmd->spec);
          if (!spec && cmd->name == "chown") {
            // `chown -R $APP_UID:0 DIR`: the user is unknown, the group is not.
            const std::string& raw = cmd->spec->value;
            size_t colon = raw.rfind(':');
            if (colon != std::string::npos && raw.find('$', colon) == std::string::npos) {
              spec = "unknown:" + raw.substr(colon + 1);
            }
          }
          if (!spec) continue;
          for (const ShellWord* t : cmd->targets) {
            std::optional<std::string> path = resolve_path_word(ctx, run, *t);
            if (!path) continue;
            if (cmd->name == "chmod") {
              std::optional<ChmodMode> mode = parse_chmod_mode(*spec);
              if (!mode) continue;
              if (cmd->recursive && mode_makes_dir_group_writable(*mode)) fixed_trees.insert(*path);
              affect(*path, cmd->recursive, [&](DirState& d) { d.mode = apply_chmod_mode(*mode, d.mode, true); });
            } else if (cmd->name == "chgrp") {
              bool zero = is_root_id(*spec);
              affect(*path, cmd->recursive, [&](DirState& d) { d.group_zero = zero; });
            } else {
              OwnerSpec owner = parse_owner_spec(*spec);
              if (!owner.has_colon) continue;  // the group stays
              bool zero = owner.group.empty() ? is_root_id(owner.user) : is_root_id(owner.group);
              // Handing a directory to a non-root user says the application writes it.
              bool app_owned = !owner.user.empty() && !is_root_id(owner.user);
              affect(*path, cmd->recursive, [&](DirState& d) {
                d.group_zero = zero;
                d.weak = d.weak && !app_owned;
              });
            }
          }
        }
      }
    }

    root_at[sequence.size()] = user_known && (!user || is_root_id(*user));
    std::vector<const DirState*> bad;
    for (const DirState& d : dirs) {
      if (!d.removed && !d.weak && !d.writable_by_random_uid()) bad.push_back(&d);
    }
    if (bad.empty()) return;
    std::vector<std::optional<Edit>> edits = fix_edits(ctx, sequence, root_at, bad);
    for (size_t b = 0; b < bad.size(); ++b) {
      const DirState* d = bad[b];
      Diagnostic diag;
      diag.message = "directory " + d->path + " (" + d->how + ") is not writable by group 0, so OKD's random uid " +
                     "cannot write to it";
      diag.hint = "add RUN chgrp -R 0 " + shell_quote(d->path) + " && chmod -R g=u " + shell_quote(d->path) +
                  " before switching to the non-root USER";
      diag.range = d->declared;
      if (edits[b]) diag.fix = Fix{"make " + d->path + " group-0 writable", Applicability::Safe, {std::move(*edits[b])}};
      sink.report(std::move(diag));
    }
  }

 private:
  template <typename Declare>
  static void copy_destination(const ContainerfileContext& ctx, const Instruction& ins, size_t index,
                               const std::string& workdir, bool workdir_known, std::vector<DirState>& dirs,
                               std::map<std::string, size_t>& by_path, const Declare& declare) {
    const Flag* chown = ins.flag("chown");
    if (!chown || !chown->value || ins.args.size() < 2) return;
    Expanded owner = ctx.model.expand(&ins, *chown->value, ctx.parsed.escape);
    const Word& dest_word = ins.args.back();
    Expanded dest = ctx.model.expand(&ins, dest_word.value, ctx.parsed.escape);
    if (!owner.known || !dest.known || dest.value.empty()) return;
    if (dest.value[0] != '/' && !workdir_known) return;
    // A destination is a directory when it says so (trailing '/', several sources) or has no
    // file-like extension; `COPY --chown=... app.jar /app/app.jar` hands over one file.
    std::string path = absolute_path(dest.value, workdir);
    std::string_view base = std::string_view(path).substr(path.rfind('/') + 1);
    bool directory = dest.value.back() == '/' || dest.value == "." || ins.args.size() > 2 ||
                     base.find('.') == std::string_view::npos;
    if (!directory) return;
    OwnerSpec spec = parse_owner_spec(owner.value);
    bool zero = spec.has_colon ? (spec.group.empty() ? is_root_id(spec.user) : is_root_id(spec.group))
                               : is_root_id(spec.user);
    // An existing directory keeps its own owner and mode (only the copied files change), so only
    // a directory the COPY creates is tracked from here.
    if (by_path.count(path)) return;
    declare(path, dest_word.range, "COPY --chown=" + owner.value, index, zero);
    auto it = by_path.find(path);
    if (it == by_path.end()) return;
    if (const Flag* chmod = ins.flag("chmod"); chmod && chmod->value) {
      if (std::optional<ChmodMode> mode = parse_chmod_mode(*chmod->value)) {
        dirs[it->second].mode = apply_chmod_mode(*mode, kTypicalDirMode, true);
      }
    }
  }

  // One RUN per directory the fix can repair, each the fix of its own finding (a consumer that
  // applies every finding's fix gets each line once). All go to one place: after the last of the
  // directories exists and before the final switch to a non-root USER; wrapped in USER 0 / USER
  // back when they must run after that switch. A WORKDIR gets the directory itself (the
  // application creates its files there; a recursive chgrp would copy every file already in it,
  // node_modules included, into a new layer); VOLUMEs and directories created or copied for the
  // application get the whole tree. A directory below another one of the recursive list gets no
  // line of its own: its parent's covers it.
  static std::vector<std::optional<Edit>> fix_edits(const ContainerfileContext& ctx,
                                                    const std::vector<const Instruction*>& sequence,
                                                    const std::vector<bool>& root_at,
                                                    const std::vector<const DirState*>& bad) {
    std::vector<std::optional<Edit>> edits(bad.size());
    // A RUN needs a shell: none in scratch, distroless, chiseled or micro stages, and none that
    // okdlint can vouch for in a Windows stage.
    const Stage& target = ctx.model.stages[*ctx.model.target];
    if (target.facts.no_shell() || target.windows()) return edits;
    std::vector<bool> fixable(bad.size(), false);
    const ChmodMode group_equals_user = *parse_chmod_mode("g=u");
    size_t last_created = 0;
    bool any = false;
    PathSet tree_paths;
    for (size_t b = 0; b < bad.size(); ++b) {
      const DirState* d = bad[b];
      if (!fixable_app_dir(d->path)) continue;
      // chmod -R g=u over /etc or / would make /etc/passwd group-writable (OKD304): no fix.
      if (path_within("/etc/passwd", d->path) || path_within("/etc/group", d->path)) continue;
      DirState after = *d;
      after.group_zero = true;
      after.mode = apply_chmod_mode(group_equals_user, after.mode, true);
      if (!after.writable_by_random_uid()) continue;
      fixable[b] = true;
      any = true;
      last_created = std::max(last_created, d->created_at);
      if (d->how != "WORKDIR") tree_paths.insert(d->path);
    }
    if (!any) return edits;
    auto covered = [&](const std::string& path) { return within_any(path, tree_paths, true); };
    auto run_for = [](const DirState& d) {
      std::string quoted = shell_quote(d.path);
      if (d.how == "WORKDIR") return "RUN chgrp 0 " + quoted + " && chmod g=u " + quoted;
      return "RUN chgrp -R 0 " + quoted + " && chmod -R g=u " + quoted;
    };

    std::optional<size_t> last_user;
    for (size_t i = 0; i < sequence.size(); ++i) {
      if (sequence[i]->cmd == "user") last_user = i;
    }
    const Instruction& anchor = *sequence[last_created];
    std::function<Edit(const std::string&)> insert;
    if (last_user && *last_user > last_created && root_at[*last_user] && !root_at[*last_user + 1]) {
      // The last USER switches to non-root after everything exists: the RUNs go right before it.
      insert = [&](const std::string& run) { return insert_line_before(ctx.source, *sequence[*last_user], run); };
    } else if (root_at[last_created]) {
      insert = [&](const std::string& run) { return insert_line_after(ctx.source, anchor, run); };
    } else {
      // Created while running as non-root: switch to root for the fix and back.
      std::optional<size_t> user_line;
      for (size_t i = 0; i <= last_created; ++i) {
        if (sequence[i]->cmd == "user") user_line = i;
      }
      if (!user_line || sequence[*user_line]->args.empty()) return edits;
      std::string back(ctx.text(sequence[*user_line]->args.front().range));
      std::string eol(line_ending(ctx.source));
      std::string indent(indentation_of(ctx.source, anchor));
      insert = [&, back, eol, indent](const std::string& run) {
        return insert_line_after(ctx.source, anchor, "USER 0" + eol + indent + run + eol + indent + "USER " + back);
      };
    }
    for (size_t b = 0; b < bad.size(); ++b) {
      if (fixable[b] && !covered(bad[b]->path)) edits[b] = insert(run_for(*bad[b]));
    }
    return edits;
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_group_writable(ctx, sink);
  }
};

OKD_REGISTER_RULE(DirNotGroupWritableRule);

}  // namespace
}  // namespace okd
