// Helpers shared by the rules: whole-line insertions that keep the file's line endings and
// indentation, the instructions the final image is built from, users the file creates, the
// definition a variable's value comes from (so fixes edit an ARG default rather than a `$PORT`
// reference), privileged ports and where they appear, and privilege-escalation patterns.
//
// The definitions live by topic: rule_support_users.cpp (Users), rule_support_ports.cpp (Ports),
// rule_support.cpp (text and edits, the final image, words, variable definitions, escalation).
//
// Section "rules-user" is maintained by the rules-user helper; other helpers append their own
// sections at the end of this file and of rule_support.cpp.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lint/containerfile_context.h"
#include "lint/diagnostic.h"
#include "lint/dockerfile.h"
#include "lint/model.h"
#include "lint/shell.h"
#include "lint/source.h"

namespace okd {

// ===== Section rules-user =====================================================================

// ---- Text and edits ----

// The line terminator a file uses: "\r\n" when its first line break is CRLF, else "\n" (also for
// a file without any line break).
std::string_view line_ending(const SourceFile& source);

// The blanks (spaces and tabs) before the keyword on the instruction's first line.
std::string_view indentation_of(const SourceFile& source, const Instruction& instruction);

// An edit that inserts `line` (no terminator) as a whole new line directly before the line the
// instruction starts on, indented like the instruction, ended with the file's line ending.
Edit insert_line_before(const SourceFile& source, const Instruction& instruction, std::string_view line);

// An edit that inserts `line` as a whole new line after the instruction, i.e. after its last line
// including heredoc bodies, indented like the instruction. When the instruction ends the file
// without a final line break, the break goes first and none is added at the end.
Edit insert_line_after(const SourceFile& source, const Instruction& instruction, std::string_view line);

// An edit replacing the bytes of a range.
Edit replace_range(const Range& range, std::string replacement);

// The shell command that makes `dir` (already shell-quoted) group 0 with the group's permissions
// equal to the owner's, as OKD's random uid (always in group 0) needs. Recursive: over the whole
// tree, except that programs (owner-executable files) never become group-writable — every
// process of an OKD pod runs in group 0, so a group-writable program could be replaced by the
// application. Not recursive: the directory alone.
std::string group_like_owner_command(std::string_view quoted_dir, bool recursive);

// ---- The final image ----

// The instructions the final image is built from: those of every stage in model.target_chain(),
// the root of the chain first, in source order. FROM instructions are not included.
std::vector<const Instruction*> final_image_instructions(const BuildModel& model);

// Whether the instruction belongs to a stage of the target chain (FROM lines included).
bool in_final_image(const BuildModel& model, const Instruction* instruction);

// The last instruction of this kind (lower-case cmd: "cmd", "entrypoint") in the final image: the
// one that takes effect. nullptr when there is none.
const Instruction* effective_instruction(const BuildModel& model, std::string_view cmd);

// The stage at the root of the target chain: its base is an external image. nullptr when the
// file has no stage.
const Stage* chain_root(const BuildModel& model);

// The base image the final image starts from, as expanded (as written when it depends on an
// unknown ARG): "nginx:1.25". Empty when the file has no stage.
std::string final_base_image(const ContainerfileContext& ctx);
// How a base's facts are known, for messages: "read from the registry", "as bases: states",
// "built-in facts for distroless-nonroot".
std::string facts_origin(const BaseFacts& facts);

// ---- Words ----

// The value a shell word has when the build runs it: its value when literal, else the word
// expanded with the variables in scope at the instruction (ARG/ENV are RUN's environment).
// nullopt when it depends on an unknown variable or on a command substitution.
std::optional<std::string> resolved_word(const BuildModel& model, const Instruction* instruction, const ShellWord& word);

// The command name with wrappers looked through: `exec gosu app x`, `env A=1 sudo x`,
// `nohup su-exec ...` give the index of "gosu" / "sudo" / "su-exec" in argv. nullopt when argv
// is empty or holds only wrappers.
std::optional<size_t> command_name_index(const SimpleCommand& command);

// The last path component: "/usr/bin/sudo" → "sudo".
std::string_view program_name(std::string_view argv0);

// ---- Users ----

// A decimal uid: all ASCII digits, fitting in 32 bits ("1001" → 1001; "", "-1", "1e3" → nullopt).
std::optional<uint32_t> parse_uid(std::string_view text);

// "root", or a number equal to 0 ("0", "00").
bool is_root_user(std::string_view user);

// What a `useradd` / `adduser` command line creates: the login name and, when given with
// -u N / -uN / --uid N / --uid=N, its uid. Handles useradd (shadow-utils), BusyBox adduser
// (`adduser -D -u N name [group]`) and Debian adduser (`adduser --uid N --disabled-password
// name`). nullopt when argv is not such a command or names no user.
struct UserCreation {
  std::string name;
  std::optional<uint32_t> uid;
};
std::optional<UserCreation> parse_user_creation(const std::vector<std::string>& argv);

// Users created by RUN instructions of the final image, in order, with a known uid.
struct CreatedUser {
  std::string name;
  uint32_t uid = 0;
  const Instruction* instruction = nullptr;
};
std::vector<CreatedUser> created_users(const BuildModel& model);

// The uid the final image's RUNs give this user name (the last creation wins).
std::optional<uint32_t> created_uid(const BuildModel& model, std::string_view name);

// The uid a fix should switch to: the last non-zero uid the file creates, else config.default_uid.
uint32_t uid_for_fix(const ContainerfileContext& ctx);

// The USER in effect just before each instruction of the final image: walks
// final_image_instructions() and returns, for `instruction`, the expanded user part of the last
// USER before it (nullopt: no USER yet, i.e. the base image's user). `known` is false when it
// depends on an unknown variable.
struct UserAt {
  std::optional<std::string> user;
  bool known = true;
};
UserAt user_before(const BuildModel& model, const Instruction* instruction);

// Instructions a USER line must not come before: RUN (it runs as USER) and COPY/ADD without
// --chown (the author expects them written as root).
bool needs_root(const Instruction& instruction);

// The edit that inserts `line` (e.g. "USER 1001") into the final image after every instruction
// that needs root and follows `after` (nullptr: from the start of the final image): after the last
// such instruction when it is in the target stage, else directly after the target stage's FROM.
// nullopt when `after` is given and nothing after it needs root, or when there is no stage.
std::optional<Edit> insert_user_edit(const ContainerfileContext& ctx, const Instruction* after, std::string_view line);

// Why switching the final image to a non-root USER may break it, or nullopt when nothing in the
// file or the base's facts says so: the base's entrypoint needs root (official nginx/httpd/
// php:apache bind port 80), the image drops privileges itself (gosu, su-exec, supervisord, sshd),
// another stage builds FROM the final one, or it exposes a port below 1024. A USER fix is then
// offered as unsafe, with this reason in its description.
// Also (issue 11 review) root_program_risk and root_path_risk below.
std::optional<std::string> user_switch_risk(const ContainerfileContext& ctx);

// A main process that needs root: the effective ENTRYPOINT/CMD runs /sbin/init, systemd,
// dockerd* or iptables*; the base image is a *dind* or *iptables* image; ENV DOCKER_HOST=unix://
// or a Docker client package (docker-ce-cli, docker.io, docker-cli, moby-*) in a RUN (the bind-mounted
// Docker socket is root:docker 0660).
std::optional<std::string> root_program_risk(const ContainerfileContext& ctx);

// Paths a non-root user cannot use: ENV PATH holding /root/... (0700); no CMD/ENTRYPOINT in the
// final image (a base or toolchain image: its users' builds write $HOME and system trees); an
// OKD302 directory without a safe fix (the application could not write it).
std::optional<std::string> root_path_risk(const ContainerfileContext& ctx);

// ---- Variable definitions (fixing values where they are defined) ----

// Source bytes that hold a value verbatim: text == source.text().substr(begin, end - begin).
struct LiteralSource {
  uint32_t begin = 0;
  uint32_t end = 0;
  std::string text;
};

// Where the value of variable `name`, as seen by `at`, is written: the raw value bytes (quotes
// and references as written) of the ENV pair or ARG default that defines it (ENV before ARG, as BuildKit resolves them; a bare `ARG
// NAME` in a stage leads to the global `ARG NAME=default`). nullopt when the variable comes from a
// --build-arg (config.build_args), has no default, or is not defined.
std::optional<LiteralSource> variable_definition(const ContainerfileContext& ctx, const Instruction* at,
                                                 std::string_view name);

// The literal bytes behind the raw source text [begin, end) of a word evaluated at `at`: the text
// itself when it has no quotes, escapes or variables; its inside when it is one plain quoted
// string; and, when it is exactly one variable reference ($NAME, ${NAME}, optionally in double
// quotes), the literal bytes behind that variable's definition (followed through further single
// references). nullopt otherwise.
std::optional<LiteralSource> literal_source(const ContainerfileContext& ctx, const Instruction* at, uint32_t begin,
                                            uint32_t end);

// The source bytes [first, second) of the decimal number `number` inside the raw word text
// [begin, end) evaluated at `at`: a run of digits with that value in the text itself, or in the
// definition of a $NAME / ${NAME} reference inside it (followed through ARG/ENV definitions).
// The `skip` earliest matches are passed over (for ranges like 80-80). nullopt when not found.
std::optional<std::pair<uint32_t, uint32_t>> locate_number(const ContainerfileContext& ctx, const Instruction* at,
                                                           uint32_t begin, uint32_t end, int number, int skip = 0);

// Where the parts of a USER value are written, for fixes that edit them: `whole` is the literal
// holding all of "user[:group]" (the USER word itself, or the ARG/ENV definition that a
// `USER $SPEC` reference leads to); `user` and `group` the literal bytes of each part, found in
// `whole` or, for `USER $UID:$GID`, behind each part's own reference. Unset when not literal.
struct UserParts {
  std::optional<LiteralSource> whole;
  std::optional<LiteralSource> user;
  std::optional<LiteralSource> group;
};
UserParts user_parts(const ContainerfileContext& ctx, const Instruction& user_instruction);

// ---- Ports ----

// A decimal port 0..65535 ("80" → 80; "080" → 80; "80a", "", "70000" → nullopt).
std::optional<int> parse_port(std::string_view text);

// A port an unprivileged process cannot bind: 1..1023.
inline bool is_privileged_port(int port) { return port >= 1 && port < 1024; }

// A listen address `[scheme://][host]:PORT` where host is empty, `*`, `localhost`, an IPv4
// address or a bracketed IPv6 address: ":80", "0.0.0.0:80", "[::]:443", "tcp://0.0.0.0:80".
std::optional<int> listen_address_port(std::string_view text);

// A privileged port in the final image, where it appears.
enum class PortSiteKind { Expose, Env, Listen };
struct PortSite {
  PortSiteKind kind = PortSiteKind::Expose;
  const Instruction* instruction = nullptr;
  Range range;          // what a diagnostic points at: the EXPOSE word, the ENV value, the port digits
  uint32_t word_begin = 0;  // the raw word the port was read from (for locating the digits)
  uint32_t word_end = 0;
  int first = 0;        // the port; an EXPOSE range gives first < last
  int last = 0;
  std::string written;  // "EXPOSE 80/tcp", "ENV HTTP_PORT=80", "--port=80"
};

// Every privileged port of the final image: EXPOSE words (after expansion, one site per field);
// ENV pairs whose name contains PORT (case-insensitive) with a numeric value, the last pair of
// each name only (it is the value the image carries); and listen arguments of the effective CMD
// and ENTRYPOINT (`--port 80`, `--port=80`, `--http-port=80`, `-p 80`, listen addresses like
// `0.0.0.0:80`, also as `--bind=:80`). Sorted by position.
std::vector<PortSite> privileged_port_sites(const ContainerfileContext& ctx);

// The fix that moves `site`'s port with config.map_port: it edits the digits of every site that
// carries the same single port (so EXPOSE, ENV and the listen argument stay consistent), editing
// ARG/ENV definitions rather than references. For an EXPOSE range both ends move by the same
// offset. nullopt when the site's own digits cannot be located or the new port is not >= 1024.
std::optional<Fix> port_remap_fix(const ContainerfileContext& ctx, const std::vector<PortSite>& sites,
                                  const PortSite& site);

// ---- Privilege escalation ----

// sudo, su, gosu, su-exec, doas.
bool is_privilege_switch_tool(std::string_view program);

// A chmod mode that sets the setuid or setgid bit: octal with 4xxx/2xxx/6xxx ("4755", "02755"),
// or symbolic with +s / =s for u, g, a or everyone ("u+s", "g+s", "+s", "ug=rwxs", "a+rx,u+s").
bool mode_sets_setid(std::string_view mode);

// The index in argv of a chmod command's setuid/setgid mode argument, if it has one.
std::optional<size_t> chmod_setid_mode_index(const std::vector<std::string>& argv);

// ===== End of section rules-user ==============================================================

}  // namespace okd
