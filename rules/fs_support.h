// Helpers for the filesystem-permission and image-source rules (OKD3xx, OKD4xx): chmod modes
// (octal and symbolic, as GNU coreutils applies them), owner specs of chown/--chown, the
// chmod/chown/chgrp/mkdir commands a RUN runs, absolute paths, and removing one simple command
// from a shell line. Owned by the rules-fs helper.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "lint/containerfile_context.h"
#include "lint/diagnostic.h"
#include "lint/shell.h"

namespace okd {

// ---- chmod modes -------------------------------------------------------------------------------

// One action of a symbolic clause: `+rwX`, `=u`, `-w`.
struct ModeAction {
  char op = '+';        // '+', '-' or '='
  std::string perms;    // subset of "rwxXst" as written
  char copy_from = 0;   // 'u', 'g' or 'o' for `g=u`; 0 otherwise
};

// `[ugoa]*` followed by actions: one comma-separated part of a symbolic mode.
struct ModeClause {
  std::string who;  // as written; empty = all classes, filtered by the umask
  std::vector<ModeAction> actions;
};

struct ChmodMode {
  bool octal = false;
  uint32_t octal_value = 0;
  size_t octal_digits = 0;
  std::vector<ModeClause> clauses;  // symbolic modes only
};

// Parses what chmod accepts as its MODE argument: octal (up to 07777, leading zeros allowed) or
// a symbolic list like `g+rwX,o-w` or `u=rwx,g=u`. nullopt for anything chmod would reject.
std::optional<ChmodMode> parse_chmod_mode(std::string_view text);

inline constexpr uint32_t kDefaultUmask = 022;

// The permission bits chmod leaves on a file or directory that had old_mode (07777 bits), as GNU
// chmod computes them: `X` counts for directories and already-executable files, a clause without
// who is filtered by the umask, `=` keeps a directory's set-user/group-ID bits unless named.
uint32_t apply_chmod_mode(const ChmodMode& mode, uint32_t old_mode, bool directory, uint32_t umask = kDefaultUmask);

// Modes a freshly created directory and file usually have before the chmod.
inline constexpr uint32_t kTypicalDirMode = 0755;
inline constexpr uint32_t kTypicalFileMode = 0644;

// World-writable without the sticky bit on a typical directory or file (`777`, `o+w`, `a+w`,
// `666`; not `1777`, `+w`, `o+wt`).
bool mode_makes_world_writable(const ChmodMode& mode);
// Writable by the group (or everyone) on a typical file: `g+w`, `664`, `g=u`, `666`.
bool mode_makes_file_group_writable(const ChmodMode& mode);
// A typical directory ends up writable and searchable by its group (`g+rwX`, `g=u`, `775`).
bool mode_makes_dir_group_writable(const ChmodMode& mode);

// The same mode text without the write bit for others, for fixes: `777`→`775`, `0666`→`0664`,
// `o+w`→`g+w`, `a+w`→`ug+w`, `g+rwX,o+w`→`g+rwX`, `ugo=rwx`→`ug=rwx`. nullopt when the mode is
// not world-writable or cannot be rewritten mechanically (`o=u`).
std::optional<std::string> mode_without_world_write(std::string_view text);

// ---- owners ------------------------------------------------------------------------------------

// `user[:group]` as chown and `--chown` take it. `u:` (group = u's login group) has colon set and
// an empty group; `:g` has an empty user.
struct OwnerSpec {
  std::string user;
  std::string group;
  bool has_colon = false;
  size_t colon = std::string::npos;  // index of ':' in the text
};
OwnerSpec parse_owner_spec(std::string_view text);

bool is_root_id(std::string_view name_or_id);  // "0" or "root"

// ---- commands ----------------------------------------------------------------------------------

// argv[0]'s base name after `sudo`, `exec`, `command`, `busybox` and `env`-style prefixes, and the
// index in argv where the real command starts.
struct CommandName {
  std::string name;
  size_t index = 0;
};
std::optional<CommandName> command_name(const SimpleCommand& command);

// `chmod [opts] MODE FILE...`, `chown [opts] OWNER FILE...`, `chgrp [opts] GROUP FILE...`.
struct FileModeCommand {
  std::string name;                     // "chmod", "chown" or "chgrp"
  const ShellWord* spec = nullptr;      // the MODE / OWNER / GROUP word
  std::vector<const ShellWord*> targets;
  bool recursive = false;
};
std::optional<FileModeCommand> parse_file_mode_command(const SimpleCommand& command);

// `mkdir [-p] [-m MODE] DIR...`.
struct MkdirCommand {
  std::vector<const ShellWord*> targets;
  std::optional<std::string> mode;  // -m / --mode value
};
std::optional<MkdirCommand> parse_mkdir_command(const SimpleCommand& command);

// The literal value of a shell word: its value when the shell passes it as-is, or its expansion
// when every variable it references is a known ARG/ENV in scope at the instruction (and the word
// has no command substitution). nullopt otherwise (never a guess).
std::optional<std::string> resolve_shell_word(const ContainerfileContext& ctx, const Instruction& instruction,
                                              const ShellWord& word);

// A command some RUN of the final image runs, with the working directory it runs in.
struct RunCommand {
  const Instruction* instruction = nullptr;
  const SimpleCommand* command = nullptr;
  std::string workdir = "/";
  bool workdir_known = true;  // false after a WORKDIR that depends on an unknown ARG
};
// Every command of every RUN of the final image (final_image_instructions order).
std::vector<RunCommand> final_image_run_commands(const ContainerfileContext& ctx);

// The absolute path a command's file argument names, when it is known.
std::optional<std::string> resolve_path_word(const ContainerfileContext& ctx, const RunCommand& run,
                                             const ShellWord& word);

// ---- paths -------------------------------------------------------------------------------------

// An absolute, normalised path: relative paths resolved against workdir, `.`/`..`/`//` and a
// trailing slash removed ("/" stays "/").
std::string absolute_path(std::string_view path, std::string_view workdir = "/");
// True when path equals ancestor or lies below it.
bool path_within(std::string_view path, std::string_view ancestor);
using PathSet = std::set<std::string, std::less<>>;
// Whether path_within(path, tree) holds for one of trees (for a tree other than path itself when
// proper), looking up path's ancestors instead of scanning trees: a rule asking this for every
// directory of a big file stays linear (issue 10 §3).
bool within_any(std::string_view path, const PathSet& trees, bool proper = false);

// Quotes a word for a POSIX shell when it needs quoting.
std::string shell_quote(std::string_view word);

// ---- images -----------------------------------------------------------------------------------

// Whether `text` (expanded) names a build stage rather than an image: a stage name (any case) or,
// when allow_index, a stage number, as `COPY --from=0` and `--mount=from=builder` use them.
bool names_stage(const BuildModel& model, std::string_view text, bool allow_index);

// An image a Containerfile pulls, with what Docker Hub detection found.
struct PulledImage {
  ImageReference ref;      // as written (normalised by parse_image_reference)
  bool docker_hub = false; // pulled from Docker Hub, not through the proxy
  std::string hub_name;    // "docker.io/library/nginx" when docker_hub
  std::string proxied;     // the proxied form a fix writes, tag and digest kept, when docker_hub
  // A Red Hat style short name (ubi9/s2i-core, rhel:7.4, rhscl/...): podman resolves it through
  // registries.conf, Docker through Docker Hub, so it is ambiguous and never sent to the proxy.
  // `fully_qualified` is the name containers' shortnames.conf gives it (or the Red Hat registry).
  bool ambiguous = false;
  std::string fully_qualified;
};
// The image an expanded reference text names: nullopt for `scratch` and text that does not parse.
// Short names that ctx.aliases (--registries-conf) maps elsewhere are not Docker Hub; text already
// under ctx.config.proxy is not either; a single name that is not a Docker Official Image
// (lint/data/docker-official-images.txt) is a locally built image; Red Hat short names are
// `ambiguous`.
std::optional<PulledImage> pulled_image(const ContainerfileContext& ctx, std::string_view text);

// ---- OKD302 findings ----------------------------------------------------------------------------

// One OKD302 finding: a directory the application writes that group 0 cannot write, with its
// diagnostic (and fix, when okdlint has one). `covered`: the fix of another finding (a recursive
// one on a parent directory) repairs it, so it carries no fix of its own.
struct GroupWritableFinding {
  std::string path;
  Diagnostic diagnostic;
  bool covered = false;
};
// What OKD302 reports for a Containerfile (rules/okd302_dir_not_group_writable.cpp); OKD101/102
// read it to tell whether a USER switch leaves the application a directory it cannot write.
std::vector<GroupWritableFinding> group_writable_findings(const ContainerfileContext& ctx);

// ---- shell editing -----------------------------------------------------------------------------

// An edit that deletes one simple command of a RUN together with one `&&`, `||` or `;`
// connecting it to its neighbour, so the line stays valid: `a && chmod x && b` → `a && b`,
// `a && chmod x` → `a`. When the command is the RUN's only command, the whole instruction with its
// lines is deleted. nullopt when no such clean cut exists (inside if/then, a pipe, `sh -c`...).
std::optional<Edit> remove_simple_command_edit(const ContainerfileContext& ctx, const Instruction& instruction,
                                               const SimpleCommand& command);

// Deletes the whole lines of an instruction (heredoc bodies included).
Edit remove_instruction_edit(const SourceFile& source, const Instruction& instruction);

}  // namespace okd
