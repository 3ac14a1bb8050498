// OKD302 dir-not-group-writable: directories of the final image that the application is meant to
// write (WORKDIR, VOLUME, mkdir targets, COPY --chown destinations) but that group 0 cannot write.
#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>

#include "lint/containerfile_context.h"
#include "lint/text.h"
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
  bool app_owned = false;                  // handed to a non-root user (chown user:group)

  bool writable_by_random_uid() const {
    bool world = (mode & 0002) != 0;
    return world || (group_zero && (mode & 0030) == 0030);
  }
};

template <typename Declare>
void copy_destination(const ContainerfileContext& ctx, const Instruction& ins, size_t index,
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


// Records, for a command of the RUN at `index`, the absolute paths it names (`touched`) and the
// trees it unpacks or installs a distribution into (`filled`).
void note_paths(const ContainerfileContext& ctx, const RunCommand& run, size_t index,
                std::vector<std::pair<std::string, size_t>>& touched,
                std::vector<std::pair<std::string, size_t>>& filled) {
  const SimpleCommand& command = *run.command;
  std::optional<CommandName> name = command_name(command);
  std::string program = name ? std::string(name->name) : std::string();
  const bool unpacks = program == "tar" || program == "bsdtar" || program == "unzip";
  bool recursive_copy = program == "mv" || program == "rsync";
  const bool installs = program == "make" || program.ends_with("configure") || program == "cmake" ||
                        program == "meson" || program == "ninja";
  std::optional<std::string> last_path;
  bool value_next = false;  // the previous word was -C / --directory / -d
  for (size_t a = name ? name->index + 1 : 0; a < command.argv.size(); ++a) {
    std::optional<std::string> word = resolve_shell_word(ctx, *run.instruction, command.argv[a]);
    if (!word) {
      value_next = false;
      continue;
    }
    std::string_view w = *word;
    if ((program == "cp") && w.starts_with("-") && !w.starts_with("--") &&
        w.find_first_of("rRa") != std::string_view::npos) {
      recursive_copy = true;
    }
    if (program == "cp" && (w == "--recursive" || w == "--archive")) recursive_copy = true;
    std::optional<std::string> path;
    bool fill = false;
    size_t eq = w.find('=');
    if (w.starts_with("/")) {
      path = absolute_path(w);
    } else if (eq != std::string_view::npos && w.substr(eq + 1).starts_with("/")) {
      path = absolute_path(w.substr(eq + 1));
      std::string key = ascii_lower(w.substr(0, eq));
      fill = installs && (key.ends_with("prefix") || key == "destdir" || key.ends_with("install_prefix") ||
                          key == "--directory");
      fill = fill || (unpacks && key == "--directory");
    } else if (!w.starts_with("-") && run.workdir_known && value_next) {
      path = absolute_path(w, run.workdir);
    }
    if (path) {
      touched.emplace_back(*path, index);
      if (value_next && unpacks) fill = true;
      if (fill) filled.emplace_back(*path, index);
      if (!w.starts_with("-")) last_path = *path;
    }
    value_next = unpacks && (w == "-C" || w == "--directory" || w == "-d");
  }
  // cp -r / mv / rsync: the destination is the last argument.
  if (recursive_copy && last_path) filled.emplace_back(*last_path, index);
  (void)ctx;
}

// The last component of a path names run-time data (data, logs, cache, ...).
bool runtime_name(std::string_view path) {
  return looks_runtime_writable(path.substr(path.rfind('/') + 1));
}

struct FixContext {
  const ContainerfileContext& ctx;
  const std::vector<const Instruction*>& sequence;
  const std::vector<bool>& root_at;
  bool base_non_root;
  const std::vector<std::pair<std::string, size_t>>& touched;
  const std::vector<std::pair<std::string, size_t>>& filled;
  // Every path a VOLUME line declares, with that line's index in sequence.
  const std::vector<std::pair<std::string, size_t>>& volumes;
};

struct PlannedFix {
  std::optional<Edit> edit;
  std::string unsafe;   // why the fix is not safe; empty = safe
  bool covered = false; // another finding's recursive fix repairs this directory
};

// Why `chgrp -R 0 DIR && chmod -R g=u DIR` over d may weaken security, or "" when nothing says so:
// a directory on ENV PATH (its programs would become group-writable), a tree a distribution is
// unpacked or installed into, a directory made by mkdir whose name does not say it holds run-time
// data.
std::string recursive_risk(const FixContext& fc, const DirState& d, size_t before) {
  const Stage& target = fc.ctx.model.stages[*fc.ctx.model.target];
  if (auto it = target.env.find("PATH"); it != target.env.end()) {
    std::string_view rest = it->second.value;
    while (!rest.empty()) {
      size_t colon = rest.find(':');
      std::string_view dir = rest.substr(0, colon);
      if (!dir.empty() && dir.front() == '/' && path_within(absolute_path(dir), d.path)) {
        return std::string(dir) + " is on PATH: chmod -R g=u would make its programs group-writable";
      }
      if (colon == std::string_view::npos) break;
      rest.remove_prefix(colon + 1);
    }
  }
  if (!runtime_name(d.path)) {
    for (const auto& [tree, index] : fc.filled) {
      if (index >= before || tree == "/") continue;
      if (path_within(tree, d.path) || path_within(d.path, tree)) {
        return "the file unpacks or installs software into " + tree +
               ": chmod -R g=u would make its programs group-writable";
      }
    }
  }
  if (d.how == "mkdir" && !looks_runtime_writable(d.path)) {
    return "nothing says " + d.path + " holds run-time data rather than the application itself";
  }
  return "";
}

// One RUN per directory the fix can repair, each the fix of its own finding (a consumer that
// applies every finding's fix gets each line once). All go to one place: after the last of the
// directories exists and before the final switch to a non-root USER; wrapped in USER 0 / USER
// back when they must run after that switch. A WORKDIR gets the directory itself (the
// application creates its files there; a recursive chgrp would copy every file already in it,
// node_modules included, into a new layer); directories created or copied for the application get
// the whole tree. A directory below another one of the recursive list gets no line of its own: its
// parent's covers it.
// A directory only a VOLUME declares goes right before its VOLUME line: the classic builder
// discards changes after VOLUME, and BuildKit does not create VOLUME paths, so `mkdir -p` comes
// first; the directory is empty then (non-recursive) unless the file wrote into it before.
std::vector<PlannedFix> fix_edits(const FixContext& fc, const std::vector<const DirState*>& bad) {
  const ContainerfileContext& ctx = fc.ctx;
  const std::vector<const Instruction*>& sequence = fc.sequence;
  const std::vector<bool>& root_at = fc.root_at;
  std::vector<PlannedFix> plans(bad.size());
  // A RUN needs a shell: none in scratch, distroless, chiseled or micro stages, and none that
  // okdlint can vouch for in a Windows stage.
  const Stage& target = ctx.model.stages[*ctx.model.target];
  if (target.facts.no_shell() || target.windows()) return plans;
  std::vector<bool> fixable(bad.size(), false);
  const ChmodMode group_equals_user = *parse_chmod_mode("g=u");
  size_t last_created = 0;
  bool any = false;
  PathSet tree_paths;
  auto volume_only = [](const DirState& d) { return d.how == "VOLUME"; };
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
    if (volume_only(*d)) continue;
    any = true;
    last_created = std::max(last_created, d->created_at);
    if (d->how != "WORKDIR") tree_paths.insert(d->path);
  }
  auto covered = [&](const std::string& path) {
    return within_any(path, tree_paths, true);
  };
  // Without a USER root before it, a RUN in a stage whose base runs as non-root fails (EPERM).
  const std::string non_root_base = "the base image runs as user " + target.facts.user.value_or("?") +
                                    ", so the added RUN would not run as root";
  auto user_before_index = [&](size_t index) {
    for (size_t i = index + 1; i-- > 0;) {
      if (i < sequence.size() && sequence[i]->cmd == "user") return true;
    }
    return false;
  };

  // Directories only a VOLUME declares: mkdir -p, then chgrp, before the VOLUME line.
  for (size_t b = 0; b < bad.size(); ++b) {
    const DirState& d = *bad[b];
    if (!fixable[b] || !volume_only(d)) continue;
    size_t at = d.created_at;
    if (!root_at[at] && !(fc.base_non_root && !user_before_index(at))) continue;
    bool written = std::any_of(fc.touched.begin(), fc.touched.end(), [&](const auto& t) {
      return t.second < at && t.first != "/" && (path_within(t.first, d.path) || path_within(d.path, t.first));
    });
    std::string quoted = shell_quote(d.path);
    plans[b].edit = insert_line_before(ctx.source, *sequence[at],
                                       "RUN mkdir -p " + quoted + " && " + group_like_owner_command(quoted, written));
    if (fc.base_non_root && !user_before_index(at)) plans[b].unsafe = non_root_base;
    if (plans[b].unsafe.empty() && written) plans[b].unsafe = recursive_risk(fc, d, at);
  }
  if (!any) return plans;
  auto run_for = [](const DirState& d) {
    return "RUN " + group_like_owner_command(shell_quote(d.path), d.how != "WORKDIR");
  };

  std::optional<size_t> last_user;
  for (size_t i = 0; i < sequence.size(); ++i) {
    if (sequence[i]->cmd == "user") last_user = i;
  }
  const Instruction& anchor = *sequence[last_created];
  std::function<Edit(const std::string&)> insert;
  size_t insert_at = last_created;  // the fix runs as the user of this instruction's successor
  if (last_user && *last_user > last_created && root_at[*last_user] && !root_at[*last_user + 1]) {
    // The last USER switches to non-root after everything exists: the RUNs go right before it.
    insert = [&](const std::string& run) { return insert_line_before(ctx.source, *sequence[*last_user], run); };
    insert_at = *last_user;
  } else if (root_at[last_created] || (fc.base_non_root && !user_before_index(last_created))) {
    insert = [&](const std::string& run) { return insert_line_after(ctx.source, anchor, run); };
  } else {
    // Created while running as non-root: switch to root for the fix and back.
    std::optional<size_t> user_line;
    for (size_t i = 0; i <= last_created; ++i) {
      if (sequence[i]->cmd == "user") user_line = i;
    }
    if (!user_line || sequence[*user_line]->args.empty()) return plans;
    std::string back(ctx.text(sequence[*user_line]->args.front().range));
    std::string eol(line_ending(ctx.source));
    std::string indent(indentation_of(ctx.source, anchor));
    insert = [&, back, eol, indent](const std::string& run) {
      return insert_line_after(ctx.source, anchor, "USER 0" + eol + indent + run + eol + indent + "USER " + back);
    };
  }
  // The instructions before this index run before the added RUNs.
  const size_t runs_before = insert_at == last_created ? last_created + 1 : insert_at;
  // A VOLUME line freezes its directory: the classic builder and buildah discard what a later RUN
  // changes inside it. A directory inside a volume declared after it exists and before the
  // common insertion point is fixed right before that VOLUME line instead.
  auto frozen_by = [&](const DirState& d) -> std::optional<size_t> {
    for (const auto& [path, index] : fc.volumes) {
      if (index > d.created_at && index < runs_before && path_within(d.path, path)) return index;
    }
    return std::nullopt;
  };
  auto unsafe_reason = [&](const DirState& d, size_t before) -> std::string {
    if (fc.base_non_root && !user_before_index(before)) return non_root_base;
    return d.how == "WORKDIR" ? "" : recursive_risk(fc, d, sequence.size());
  };
  // A directory below a tree whose own fix is safe needs no line of its own; below a tree whose
  // fix is unsafe it gets one, so that the safe fixes alone still make it writable.
  PathSet safe_trees;
  for (size_t b = 0; b < bad.size(); ++b) {
    const DirState& d = *bad[b];
    if (fixable[b] && !volume_only(d) && d.how != "WORKDIR" && !frozen_by(d) && unsafe_reason(d, insert_at).empty()) {
      safe_trees.insert(d.path);
    }
  }
  for (size_t b = 0; b < bad.size(); ++b) {
    const DirState& d = *bad[b];
    if (!fixable[b] || volume_only(d)) continue;
    std::optional<size_t> volume = frozen_by(d);
    if (!volume && covered(d.path) && within_any(d.path, safe_trees, true)) {
      plans[b].covered = true;
      continue;
    }
    if (volume) {
      if (!root_at[*volume] && !(fc.base_non_root && !user_before_index(*volume))) continue;
      plans[b].edit = insert_line_before(ctx.source, *sequence[*volume], run_for(d));
      plans[b].unsafe = unsafe_reason(d, *volume);
      continue;
    }
    plans[b].edit = insert(run_for(d));
    plans[b].unsafe = unsafe_reason(d, insert_at);
  }
  return plans;
}

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
        "exist and before the switch to the non-root USER, and keep programs out of group write "
        "(every process of the pod runs in group 0): the fix appends "
        "`find DIR -type f -perm -100 -exec chmod g-w {} +`. Only directories the application "
        "writes at run time qualify, never a system tree such as /usr or /opt/<runtime>.",
        true};
    return kInfo;
  }

  void check_containerfile(const ContainerfileContext& ctx, DiagnosticSink& sink) const override {
    for (GroupWritableFinding& f : group_writable_findings(ctx)) sink.report(std::move(f.diagnostic));
  }

  void check_image(const ImageContext& ctx, DiagnosticSink& sink) const override {
    check_image_group_writable(ctx, sink);
  }
};

OKD_REGISTER_RULE(DirNotGroupWritableRule);

}  // namespace

std::vector<GroupWritableFinding> group_writable_findings(const ContainerfileContext& ctx) {
  std::vector<GroupWritableFinding> findings;
  if (!ctx.model.target) return findings;
  const std::vector<const Instruction*> sequence = final_image_instructions(ctx.model);
  std::vector<DirState> dirs;
  std::map<std::string, size_t> by_path;
  // Who runs each instruction: root unless a USER says otherwise.
  std::optional<std::string> user, group;
  bool user_known = true;
  // root_at[i]: root runs instruction i; root_at[size]: the final image's user is root. Before
  // any USER, the base image's user: root unless its facts say otherwise (operator-framework's
  // helm-operator ends with USER 1001).
  // The facts lose against the file itself: a RUN before any USER that installs packages, adds
  // users or changes owners worked, so the base runs as root (sclorg's s2i-core matches the s2i
  // family's USER 1001, yet its users run yum and groupadd straight after FROM).
  bool root_evidence = false;
  for (const Instruction* ins : sequence) {
    if (ins->cmd == "user") break;
    if (ins->cmd != "run") continue;
    for (const SimpleCommand& command : ctx.model.commands(ins)) {
      std::optional<CommandName> name = command_name(command);
      if (!name) continue;
      static constexpr std::string_view kRootOnly[] = {"yum",     "dnf",      "microdnf", "tdnf",    "apt-get",
                                                       "apt",     "apk",      "zypper",   "useradd", "groupadd",
                                                       "adduser", "addgroup", "chown",    "chgrp"};
      for (std::string_view program : kRootOnly) root_evidence = root_evidence || name->name == program;
    }
  }
  const bool base_non_root = ctx.model.stages[*ctx.model.target].facts.runs_non_root() && !root_evidence;
  std::vector<bool> root_at(sequence.size() + 1, !base_non_root);
  // Paths the file writes into before each instruction (for VOLUME paths: does anything create or
  // fill it?), and trees a distribution is unpacked or installed into (tar -C, unzip -d,
  // --prefix=, cp -r / mv DEST): a recursive chmod g=u there makes its programs group-writable.
  std::vector<std::pair<std::string, size_t>> touched;
  std::vector<std::pair<std::string, size_t>> filled;
  std::vector<std::pair<std::string, size_t>> volumes;
  std::string workdir = "/";
  bool workdir_known = true;

  auto creator_group_zero = [&]() {
    if (!user_known) return false;
    if (group) return is_root_id(*group);
    return user ? is_root_id(*user) : !base_non_root;
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
    root_at[i] = user_known && (user ? is_root_id(*user) : !base_non_root);
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
        volumes.emplace_back(absolute_path(e.value, workdir), i);
        declare(volumes.back().first, w.range, "VOLUME", i, creator_group_zero());
      }
    } else if (ins.cmd == "copy" || ins.cmd == "add") {
      if (ins.args.size() >= 2) {
        Expanded dest = ctx.model.expand(&ins, ins.args.back().value, ctx.parsed.escape);
        if (dest.known && !dest.value.empty() && (dest.value[0] == '/' || workdir_known)) {
          touched.emplace_back(absolute_path(dest.value, workdir), i);
        }
      }
      copy_destination(ctx, ins, i, workdir, workdir_known, dirs, by_path, declare);
    } else if (ins.cmd == "run") {
      RunCommand run{&ins, nullptr, workdir, workdir_known};
      for (const SimpleCommand& command : ctx.model.commands(&ins)) {
        run.command = &command;
        note_paths(ctx, run, i, touched, filled);
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
              d.app_owned = d.app_owned || app_owned;
            });
          }
        }
      }
    }
  }

  root_at[sequence.size()] = user_known && (user ? is_root_id(*user) : !base_non_root);
  std::vector<const DirState*> bad;
  for (const DirState& d : dirs) {
    if (!d.removed && !d.weak && !d.writable_by_random_uid()) bad.push_back(&d);
  }
  if (bad.empty()) return findings;
  FixContext fc{ctx, sequence, root_at, base_non_root, touched, filled, volumes};
  std::vector<PlannedFix> plans = fix_edits(fc, bad);
  for (size_t b = 0; b < bad.size(); ++b) {
    const DirState* d = bad[b];
    Diagnostic diag;
    diag.message = "directory " + d->path + " (" + d->how + ") is not writable by group 0, so OKD's random uid " +
                   "cannot write to it";
    diag.hint = "add RUN " + group_like_owner_command(shell_quote(d->path), true) +
                " before switching to the non-root USER";
    diag.range = d->declared;
    PlannedFix& plan = plans[b];
    if (plan.edit) {
      std::string description = "make " + d->path + " group-0 writable";
      if (!plan.unsafe.empty()) {
        description += " (unsafe: " + plan.unsafe + ")";
        diag.hint += "; " + plan.unsafe + ": check that first";
      }
      diag.fix = Fix{std::move(description), plan.unsafe.empty() ? Applicability::Safe : Applicability::Unsafe,
                     {std::move(*plan.edit)}};
    }
    findings.push_back(GroupWritableFinding{d->path, std::move(diag), plan.covered});
  }
  return findings;
}

}  // namespace okd
