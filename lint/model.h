// The semantic model of a Containerfile: stages, the target stage and its `FROM alias` chain,
// variables in scope at every instruction (BuildKit's ARG/ENV rules), the effective USER, EXPOSE,
// ENV and WORKDIR per stage, and the shell commands each RUN/CMD/ENTRYPOINT runs.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "lint/base_facts.h"
#include "lint/diagnostic.h"
#include "lint/dockerfile.h"
#include "lint/expand.h"
#include "lint/shell.h"

namespace okd {

using VarMap = std::map<std::string, Var, std::less<>>;

// Every value a set of variables takes over a file, each with the sequence number of the
// instruction that set it. The scope at an instruction is what was set before it, so scopes are
// recorded as changes and never copied per instruction (issue 10 §3: a copy per instruction made
// memory and time quadratic in files with many ENV/ARG lines).
class VarHistory {
 public:
  void set(const std::string& name, uint32_t seq, Var var);
  // The value set last by an instruction before seq (a smaller sequence number), or nullptr.
  const Var* before(std::string_view name, uint32_t seq) const;

 private:
  std::map<std::string, std::vector<std::pair<uint32_t, Var>>, std::less<>> changes_;
};

inline constexpr char kUnknownMark = '\x01';

struct ModelOptions {
  std::map<std::string, std::string> build_args;  // --build-arg NAME=VALUE
  std::optional<std::string> target;              // --target NAME
  std::string proxy;                              // config.proxy, stripped before base lookups
  // Where a base image's facts come from; unset = the built-in table (builtin_base_facts).
  std::function<BaseFacts(const std::string& base)> base_facts;
};

// USER as written and after expansion. user/group are split at the first ':'.
struct UserSetting {
  const Instruction* instruction = nullptr;
  Range range;            // the argument word
  Expanded value;         // expanded "user[:group]"
  std::string user;
  std::optional<std::string> group;
};

struct ExposedPort {
  const Instruction* instruction = nullptr;
  Range range;            // the argument word in the source (a port token)
  Expanded value;         // expanded "80/tcp", "8000-8010", "$PORT"
  std::optional<int> first;  // parsed port numbers when known
  std::optional<int> last;
  std::string protocol = "tcp";
};

struct Stage {
  size_t index = 0;
  std::string name;                     // lower-cased `AS name`, "" when unnamed
  const Instruction* from = nullptr;
  Expanded base;                        // the expanded base name ("nginx:1.25", "builder", ...)
  // The base with each unknown variable's value shown as kUnknownMark: `node:${V}` with ARG V and no
  // default is "node:\x01", enough to know the repository without guessing the tag.
  std::string base_shape;
  // For a base that depends on unknown variables: the repository when only the tag or digest is
  // unknown (`node:${V}` → "node"), and whether it surely has no tag or digest whatever the
  // variables hold (`${REGISTRY}/ubuntu`).
  std::optional<std::string> known_repository() const;
  bool surely_untagged() const;
  Range base_range;                     // the base word in the source
  std::optional<Expanded> platform;     // --platform
  std::optional<size_t> parent;         // index of the earlier stage this FROM names
  std::vector<const Instruction*> instructions;  // after FROM, up to the next FROM

  // State at the end of the stage, inherited along the parent chain.
  std::optional<UserSetting> user;      // last USER in this stage or its parents
  std::vector<ExposedPort> exposed;     // parents' first
  VarMap env;                           // ENV only (what the image carries)
  std::string workdir = "/";
  bool workdir_known = true;

  // What is known of the external base at the root of this stage's chain (lint/base_facts.h),
  // plus what the stage itself shows: os = "windows" after SHELL ["powershell"...] / cmd or in a
  // file with `# escape=``.
  BaseFacts facts;
  // The base image may set ENV the file does not show: names the file does not define expand to
  // unknown, not empty (false for FROM scratch and for a base whose image config was read).
  bool base_env_open = true;
  bool windows() const { return facts.windows(); }

  // How variables changed in this stage (see BuildModel::scope_at): ENV and ARG values set here,
  // and the base image's known ENV.
  VarHistory env_changes;
  VarHistory arg_changes;
  VarMap base_env;
};

struct BuildModel {
  std::vector<Stage> stages;
  std::vector<const Instruction*> global_args;  // ARGs before the first FROM
  std::optional<size_t> target;                 // nullopt when there is no stage
  std::string error;                            // e.g. unknown --target
  // OKD001 errors BuildKit only finds when it dispatches (after expansion): `EXPOSE 70000`.
  std::vector<Diagnostic> errors;

  // target, its parent, grandparent...: the stages whose settings the final image carries.
  std::vector<const Stage*> target_chain() const;
  const Stage* stage_of(const Instruction* instruction) const;

  // The variables in scope when an instruction is evaluated (ARG and ENV, BuildKit's rules).
  VarLookup scope_at(const Instruction* instruction) const;
  Expanded expand(const Instruction* instruction, std::string_view text, char escape = '\\') const;

  // The simple commands a RUN / CMD / ENTRYPOINT / HEALTHCHECK runs: shell form split by the
  // shell splitter, JSON form as one command, RUN heredoc bodies fed to a shell included.
  const std::vector<SimpleCommand>& commands(const Instruction* instruction) const;

  // The instructions of the parsed file, in order; instruction i has sequence number i + 1 (0 is
  // "before the file": the platform ARGs and --build-args).
  const Instruction* first_instruction = nullptr;
  size_t instruction_count = 0;
  // Per instruction: its stage, kNoStage before the first FROM.
  static constexpr uint32_t kNoStage = UINT32_MAX;
  std::vector<uint32_t> instruction_stage;
  VarHistory global_changes;  // global ARGs (before the first FROM) and the platform ARGs
  std::unordered_map<const Instruction*, std::vector<SimpleCommand>> command_cache;

  // The instruction's index in the parsed file, or nullopt for one the model did not visit (an
  // ONBUILD's nested instruction).
  std::optional<size_t> index_of(const Instruction* instruction) const;
};

BuildModel build_model(const SourceFile& source, const ParsedDockerfile& parsed, const ModelOptions& options);

}  // namespace okd
