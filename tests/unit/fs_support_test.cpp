// Tests for rules/fs_support: chmod mode parsing and application (GNU semantics), the
// world-writable rewrite used by fixes, owner specs, command parsing, paths and command removal.
#include "rules/fs_support.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <gtest/gtest.h>

#include "rewrite/fixer.h"
#include "rewrite/source_edits.h"
#include "rules/engine.h"

namespace okd {
namespace {

uint32_t apply(std::string_view mode_text, uint32_t old_mode, bool directory) {
  std::optional<ChmodMode> mode = parse_chmod_mode(mode_text);
  EXPECT_TRUE(mode.has_value()) << mode_text;
  return mode ? apply_chmod_mode(*mode, old_mode, directory) : 0;
}

TEST(ChmodMode, ParsesOctalUpToFourDigitsWithLeadingZeros) {
  auto m = parse_chmod_mode("0775");
  ASSERT_TRUE(m);
  EXPECT_TRUE(m->octal);
  EXPECT_EQ(m->octal_value, 0775u);
  EXPECT_EQ(parse_chmod_mode("00001777")->octal_value, 01777u);
  EXPECT_FALSE(parse_chmod_mode("17777"));  // above 07777
  EXPECT_FALSE(parse_chmod_mode("778"));    // 8 is not octal, and not symbolic either
}

TEST(ChmodMode, ParsesSymbolicClauses) {
  auto m = parse_chmod_mode("g+rwX,o-w");
  ASSERT_TRUE(m);
  ASSERT_EQ(m->clauses.size(), 2u);
  EXPECT_EQ(m->clauses[0].who, "g");
  EXPECT_EQ(m->clauses[0].actions[0].op, '+');
  EXPECT_EQ(m->clauses[0].actions[0].perms, "rwX");
  EXPECT_EQ(m->clauses[1].actions[0].op, '-');
  auto copy = parse_chmod_mode("g=u");
  ASSERT_TRUE(copy);
  EXPECT_EQ(copy->clauses[0].actions[0].copy_from, 'u');
  EXPECT_TRUE(parse_chmod_mode("u+x-w=r"));  // several actions in one clause
  EXPECT_TRUE(parse_chmod_mode("o="));
  EXPECT_FALSE(parse_chmod_mode("g"));
  EXPECT_FALSE(parse_chmod_mode("g+rw,"));
  EXPECT_FALSE(parse_chmod_mode("g+q"));
  EXPECT_FALSE(parse_chmod_mode(""));
  EXPECT_FALSE(parse_chmod_mode("/app"));
}

TEST(ChmodMode, AppliesLikeGnuChmod) {
  EXPECT_EQ(apply("g+rwX", 0755, true), 0775u);
  EXPECT_EQ(apply("g+rwX", 0644, false), 0664u);   // X: not for a non-executable file
  EXPECT_EQ(apply("g+rwX", 0744, false), 0774u);   // X: already executable by someone
  EXPECT_EQ(apply("g=u", 0755, true), 0775u);
  EXPECT_EQ(apply("g=u", 0600, false), 0660u);
  EXPECT_EQ(apply("o-w", 0777, true), 0775u);
  EXPECT_EQ(apply("a+w", 0755, true), 0777u);
  EXPECT_EQ(apply("+w", 0755, true), 0755u);      // no who: the umask 022 filters o+w and g+w
  EXPECT_EQ(apply("=rwx", 0, true), 0755u);
  EXPECT_EQ(apply("u=rwx,g=rx,o=", 0777, false), 0750u);
  EXPECT_EQ(apply("+t", 0777, true), 01777u);
  EXPECT_EQ(apply("g+s", 0755, true), 02755u);
  EXPECT_EQ(apply("775", 02755, true), 02775u);    // directories keep setgid under octal modes
  EXPECT_EQ(apply("775", 02755, false), 0775u);
  EXPECT_EQ(apply("1777", 0755, true), 01777u);
}

TEST(ChmodMode, WorldWritableUnlessSticky) {
  for (const char* ww : {"777", "0777", "666", "o+w", "a+w", "ugo+rwx", "o=rwx", "a=rw", "757"}) {
    EXPECT_TRUE(mode_makes_world_writable(*parse_chmod_mode(ww))) << ww;
  }
  for (const char* ok : {"1777", "775", "+w", "g+w", "o+wt", "a+rwxt", "o-w", "755", "=rwx"}) {
    EXPECT_FALSE(mode_makes_world_writable(*parse_chmod_mode(ok))) << ok;
  }
}

TEST(ChmodMode, GroupWritableFilesAndDirectories) {
  for (const char* gw : {"g+w", "664", "g=u", "666", "a+w", "g+rw", "u+w,g+w"}) {
    EXPECT_TRUE(mode_makes_file_group_writable(*parse_chmod_mode(gw))) << gw;
  }
  for (const char* no : {"644", "g-w", "+w", "u+w", "o-w", "g=r"}) {
    EXPECT_FALSE(mode_makes_file_group_writable(*parse_chmod_mode(no))) << no;
  }
  for (const char* dir : {"g+rwX", "g=u", "775", "770", "g+w", "1777", "2775"}) {
    EXPECT_TRUE(mode_makes_dir_group_writable(*parse_chmod_mode(dir))) << dir;
  }
  for (const char* no : {"755", "g+r", "g=rw", "+w", "750"}) {
    EXPECT_FALSE(mode_makes_dir_group_writable(*parse_chmod_mode(no))) << no;
  }
}

TEST(ChmodMode, RemovesTheWorldWriteBitForFixes) {
  EXPECT_EQ(mode_without_world_write("777"), "775");
  EXPECT_EQ(mode_without_world_write("0777"), "0775");
  EXPECT_EQ(mode_without_world_write("666"), "664");
  EXPECT_EQ(mode_without_world_write("2777"), "2775");
  EXPECT_EQ(mode_without_world_write("o+w"), "g+w");
  EXPECT_EQ(mode_without_world_write("a+w"), "ug+w");
  EXPECT_EQ(mode_without_world_write("go+w"), "g+w");
  EXPECT_EQ(mode_without_world_write("ugo=rwx"), "ug=rwx");
  EXPECT_EQ(mode_without_world_write("g+rwX,o+w"), "g+rwX");
  EXPECT_EQ(mode_without_world_write("u+x,a+rw"), "u+x,ug+rw");
  EXPECT_FALSE(mode_without_world_write("775"));   // nothing to fix
  EXPECT_FALSE(mode_without_world_write("1777"));  // sticky: fine as it is
  EXPECT_FALSE(mode_without_world_write("o=u"));   // depends on the file
}

TEST(OwnerSpec, SplitsUserAndGroup) {
  OwnerSpec both = parse_owner_spec("1001:1001");
  EXPECT_EQ(both.user, "1001");
  EXPECT_EQ(both.group, "1001");
  EXPECT_TRUE(both.has_colon);
  EXPECT_EQ(both.colon, 4u);
  OwnerSpec user_only = parse_owner_spec("app");
  EXPECT_FALSE(user_only.has_colon);
  EXPECT_EQ(user_only.user, "app");
  OwnerSpec login_group = parse_owner_spec("app:");
  EXPECT_TRUE(login_group.has_colon);
  EXPECT_EQ(login_group.group, "");
  OwnerSpec group_only = parse_owner_spec(":0");
  EXPECT_EQ(group_only.user, "");
  EXPECT_EQ(group_only.group, "0");
  EXPECT_TRUE(is_root_id("0"));
  EXPECT_TRUE(is_root_id("root"));
  EXPECT_TRUE(is_root_id("00"));
  EXPECT_FALSE(is_root_id("1001"));
  EXPECT_FALSE(is_root_id(""));
  EXPECT_FALSE(is_root_id("rooted"));
}

SimpleCommand command_of(std::initializer_list<const char*> words) {
  SimpleCommand c;
  for (const char* w : words) {
    ShellWord sw;
    sw.value = w;
    sw.raw = w;
    c.argv.push_back(sw);
  }
  return c;
}

TEST(Commands, ParsesChmodChownChgrp) {
  SimpleCommand c = command_of({"chmod", "-R", "g=u", "/app", "/data"});
  auto chmod = parse_file_mode_command(c);
  ASSERT_TRUE(chmod);
  EXPECT_EQ(chmod->name, "chmod");
  EXPECT_TRUE(chmod->recursive);
  EXPECT_EQ(chmod->spec->value, "g=u");
  ASSERT_EQ(chmod->targets.size(), 2u);
  EXPECT_EQ(chmod->targets[1]->value, "/data");

  SimpleCommand minus = command_of({"chmod", "-w", "file"});  // a mode that starts with '-'
  auto m = parse_file_mode_command(minus);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->spec->value, "-w");
  EXPECT_FALSE(m->recursive);

  SimpleCommand sudo = command_of({"sudo", "-E", "/bin/chown", "--recursive", "--from=0", "1001:0", "/app"});
  auto chown = parse_file_mode_command(sudo);
  ASSERT_TRUE(chown);
  EXPECT_EQ(chown->name, "chown");
  EXPECT_TRUE(chown->recursive);
  EXPECT_EQ(chown->spec->value, "1001:0");

  SimpleCommand busybox = command_of({"busybox", "chgrp", "-Rf", "0", "/app"});
  auto chgrp = parse_file_mode_command(busybox);
  ASSERT_TRUE(chgrp);
  EXPECT_EQ(chgrp->name, "chgrp");
  EXPECT_TRUE(chgrp->recursive);

  EXPECT_FALSE(parse_file_mode_command(command_of({"chmod", "--reference=/etc", "/app"})));
  EXPECT_FALSE(parse_file_mode_command(command_of({"chmod", "755"})));  // no file
  EXPECT_FALSE(parse_file_mode_command(command_of({"echo", "chmod", "777", "/x"})));
}

TEST(Commands, ParsesMkdir) {
  SimpleCommand c = command_of({"mkdir", "-pm", "775", "/a", "b"});
  auto m = parse_mkdir_command(c);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->mode, "775");
  ASSERT_EQ(m->targets.size(), 2u);
  EXPECT_EQ(m->targets[1]->value, "b");
  EXPECT_EQ(parse_mkdir_command(command_of({"mkdir", "-m1777", "/t"}))->mode, "1777");
  EXPECT_EQ(parse_mkdir_command(command_of({"mkdir", "--mode=777", "/t"}))->mode, "777");
  EXPECT_FALSE(parse_mkdir_command(command_of({"mkdir", "-p"})));
}

TEST(Paths, AbsoluteAndWithin) {
  EXPECT_EQ(absolute_path("/app/"), "/app");
  EXPECT_EQ(absolute_path("data", "/app"), "/app/data");
  EXPECT_EQ(absolute_path("../x/./y//", "/app/sub"), "/app/x/y");
  EXPECT_EQ(absolute_path("/"), "/");
  EXPECT_EQ(absolute_path(".", "/srv"), "/srv");
  EXPECT_TRUE(path_within("/app/data", "/app"));
  EXPECT_TRUE(path_within("/app", "/app"));
  EXPECT_FALSE(path_within("/application", "/app"));
  EXPECT_TRUE(path_within("/anything", "/"));
  EXPECT_EQ(shell_quote("/app"), "/app");
  EXPECT_EQ(shell_quote("/my dir"), "'/my dir'");
  EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
}

// Removing a command keeps the rest of the shell line valid.
struct Removal {
  std::string containerfile;
  std::string expected;  // the file after the edit; "" = no edit expected
};

void PrintTo(const Removal& r, std::ostream* os) { *os << testing::PrintToString(r.containerfile); }

class RemoveCommand : public testing::TestWithParam<Removal> {};

TEST_P(RemoveCommand, CutsTheCommandAndOneConnector) {
  const Removal& r = GetParam();
  SourceFile source("Containerfile", r.containerfile);
  ParsedDockerfile parsed = parse_dockerfile(source);
  BuildModel model = build_model(source, parsed, {});
  Config config;
  RegistryAliases aliases;
  ContainerfileContext ctx{source, parsed, model, config, aliases};
  auto run_it = std::find_if(parsed.instructions.begin(), parsed.instructions.end(),
                             [](const Instruction& i) { return i.cmd == "run"; });
  ASSERT_NE(run_it, parsed.instructions.end());
  const Instruction& run = *run_it;
  const SimpleCommand* target = nullptr;
  for (const SimpleCommand& c : model.commands(&run)) {
    if (!c.argv.empty() && c.argv[0].value == "chmod") target = &c;
  }
  ASSERT_NE(target, nullptr);
  std::optional<Edit> edit = remove_simple_command_edit(ctx, run, *target);
  if (r.expected.empty()) {
    EXPECT_FALSE(edit) << r.containerfile;
    return;
  }
  ASSERT_TRUE(edit) << r.containerfile;
  EXPECT_EQ(apply_edits(r.containerfile, {*edit}), r.expected);
}

INSTANTIATE_TEST_SUITE_P(
    Shell, RemoveCommand,
    testing::Values(
        Removal{"FROM x\nRUN a && chmod g+w /etc/passwd && b\n", "FROM x\nRUN a && b\n"},
        Removal{"FROM x\nRUN a && chmod g+w /etc/passwd\n", "FROM x\nRUN a\n"},
        Removal{"FROM x\nRUN chmod g+w /etc/passwd; b\n", "FROM x\nRUN b\n"},
        Removal{"FROM x\nRUN a && \\\n    chmod g+w /etc/passwd && \\\n    b\n", "FROM x\nRUN a && \\\n    b\n"},
        Removal{"FROM x\nRUN a && \\\n    chmod g+w /etc/passwd\nUSER 1001\n", "FROM x\nRUN a\nUSER 1001\n"},
        Removal{"FROM x\nRUN chmod g+w /etc/passwd\nUSER 1001\n", "FROM x\nUSER 1001\n"},
        Removal{"FROM x\r\nRUN chmod g+w /etc/passwd \\\r\n  /etc/group\r\nUSER 1\r\n", "FROM x\r\nUSER 1\r\n"},
        Removal{"FROM x\nRUN <<EOF\nset -e\nchmod g+w /etc/passwd\necho hi\nEOF\n",
                "FROM x\nRUN <<EOF\nset -e\necho hi\nEOF\n"},
        Removal{"FROM x\nRUN if a; then chmod g+w /etc/passwd; fi\n", ""},
        Removal{"FROM x\nRUN a | chmod g+w /etc/passwd\n", ""},
        Removal{"FROM x\nRUN sh -c 'a && chmod g+w /etc/passwd'\n", ""}));

// A Containerfile with its parse, model and context, for helpers that need them.
struct Linted {
  explicit Linted(std::string text, Config cfg = {}, RegistryAliases al = {})
      : source("Containerfile", std::move(text)),
        parsed(parse_dockerfile(source)),
        model(build_model(source, parsed, {})),
        config(std::move(cfg)),
        aliases(std::move(al)),
        ctx{source, parsed, model, config, aliases} {}
  SourceFile source;
  ParsedDockerfile parsed;
  BuildModel model;
  Config config;
  RegistryAliases aliases;
  ContainerfileContext ctx;
};

TEST(Images, StagesAreNotImages) {
  Linted l("FROM alpine:3 AS Builder\nFROM builder\n");
  EXPECT_TRUE(names_stage(l.model, "builder", false));
  EXPECT_TRUE(names_stage(l.model, "BUILDER", false));
  EXPECT_TRUE(names_stage(l.model, "0", true));
  EXPECT_FALSE(names_stage(l.model, "0", false));
  EXPECT_FALSE(names_stage(l.model, "alpine", true));
}

TEST(Images, DockerHubDetectionFollowsNormalisation) {
  Config config;
  config.proxy = "harbor.example/hub";
  RegistryAliases aliases;
  aliases.aliases["ubi"] = "registry.access.redhat.com/ubi9/ubi";
  aliases.aliases["alp"] = "docker.io/library/alpine";
  Linted l("FROM scratch\n", config, aliases);
  auto hub = [&](std::string_view text) {
    std::optional<PulledImage> p = pulled_image(l.ctx, text);
    return p && p->docker_hub;
  };
  EXPECT_TRUE(hub("nginx"));
  EXPECT_TRUE(hub("nginx:1.27"));
  EXPECT_TRUE(hub("bitnami/redis"));
  EXPECT_TRUE(hub("docker.io/library/nginx"));
  EXPECT_TRUE(hub("index.docker.io/library/nginx"));
  EXPECT_TRUE(hub("alp:3.20"));  // alias that points at Docker Hub
  EXPECT_FALSE(hub("ubi"));      // alias elsewhere
  EXPECT_FALSE(hub("quay.io/org/x"));
  EXPECT_FALSE(hub("localhost/x"));
  EXPECT_FALSE(hub("registry:5000/x"));
  EXPECT_FALSE(hub("harbor.example/hub/library/nginx:1"));
  EXPECT_FALSE(pulled_image(l.ctx, "scratch"));
  EXPECT_FALSE(pulled_image(l.ctx, "Not/Valid"));
  std::optional<PulledImage> p = pulled_image(l.ctx, "nginx:1.27@sha256:" + std::string(64, 'a'));
  ASSERT_TRUE(p);
  EXPECT_EQ(p->proxied, "harbor.example/hub/library/nginx:1.27@sha256:" + std::string(64, 'a'));
  EXPECT_EQ(p->hub_name, "docker.io/library/nginx");
  EXPECT_EQ(pulled_image(l.ctx, "alp:3.20")->proxied, "harbor.example/hub/library/alpine:3.20");
}

TEST(RunCommands, TrackTheWorkdirAndResolveArguments) {
  Linted l("FROM a AS base\nWORKDIR /app\nARG SUB=data\nFROM base\nRUN mkdir $SUB ../up \"$HOME\"\n");
  std::vector<RunCommand> runs = final_image_run_commands(l.ctx);
  ASSERT_EQ(runs.size(), 1u);
  EXPECT_EQ(runs[0].workdir, "/app");
  const SimpleCommand& mkdir = *runs[0].command;
  ASSERT_EQ(mkdir.argv.size(), 4u);
  // ARGs do not cross FROM: SUB is not in the second stage's scope.
  EXPECT_FALSE(resolve_path_word(l.ctx, runs[0], mkdir.argv[1]));
  EXPECT_EQ(resolve_path_word(l.ctx, runs[0], mkdir.argv[2]), "/up");
  EXPECT_FALSE(resolve_path_word(l.ctx, runs[0], mkdir.argv[3]));  // a shell variable: unknown
}

// Each OKD302 diagnostic carries its own insertion (one RUN for its own directory, all at the
// same point), so a consumer applying every finding's fix adds each line once, and the fixer,
// which composes whole-line insertions at one point, gets the same text in one pass.
TEST(Okd302, EachDiagnosticCarriesItsOwnInsertion) {
  const std::string text =
      "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\n"
      "WORKDIR /app\n"
      "RUN mkdir /data /cache\n"
      "VOLUME /state\n"
      "USER 1001\n";
  Config config;
  RegistryAliases aliases;
  RuleSelection selection;
  selection.select.insert("OKD302");
  SourceFile source("Containerfile", text);
  ContainerfileLint lint = lint_containerfile(source, config, aliases, selection);
  ASSERT_EQ(lint.diagnostics.size(), 4u);
  const std::vector<std::string> dirs = {"/app", "/data", "/cache", "/state"};
  const auto user_line = static_cast<uint32_t>(text.find("USER 1001"));
  const auto volume_line = static_cast<uint32_t>(text.find("VOLUME /state"));
  std::vector<Edit> all;
  for (size_t i = 0; i < dirs.size(); ++i) {
    const Diagnostic& d = lint.diagnostics[i];
    ASSERT_TRUE(d.fix);
    ASSERT_EQ(d.fix->edits.size(), 1u);
    // A WORKDIR: not recursive. A path only a VOLUME declares: created, before the VOLUME line
    // (BuildKit does not create it; the classic builder discards changes after VOLUME).
    const std::string run = dirs[i] == "/app"     ? "RUN chgrp 0 /app && chmod g=u /app\n"
                            : dirs[i] == "/state" ? "RUN mkdir -p /state && chgrp 0 /state && chmod g=u /state\n"
                                                  : "RUN chgrp -R 0 " + dirs[i] + " && chmod -R g=u " + dirs[i] + " && find " + dirs[i] +
                                                      " -type f -perm -100 -exec chmod g-w {} +\n";
    const uint32_t at = dirs[i] == "/state" ? volume_line : user_line;
    EXPECT_EQ(d.fix->edits[0], (Edit{at, at, run}));
    all.push_back(d.fix->edits[0]);
  }
  FixOptions options;
  options.selection = selection;
  FixResult once = fix_containerfile("Containerfile", text, config, aliases, options);
  EXPECT_TRUE(once.converged);
  EXPECT_EQ(once.passes, 1);
  EXPECT_TRUE(once.remaining.empty());
  const std::string expected =
      "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\n"
      "WORKDIR /app\n"
      "RUN mkdir /data /cache\n"
      "RUN mkdir -p /state && chgrp 0 /state && chmod g=u /state\n"
      "VOLUME /state\n"
      // The WORKDIR gets the directory itself, not a recursive copy of its files (issue 11).
      "RUN chgrp 0 /app && chmod g=u /app\n"
      "RUN chgrp -R 0 /data && chmod -R g=u /data && find /data -type f -perm -100 -exec chmod g-w {} +\n"
      "RUN chgrp -R 0 /cache && chmod -R g=u /cache && find /cache -type f -perm -100 -exec chmod g-w {} +\n"
      "USER 1001\n";
  EXPECT_EQ(once.text, expected);
  EXPECT_EQ(apply_edits(text, all), expected);  // every finding's fix, applied together
  FixResult twice = fix_containerfile("Containerfile", once.text, config, aliases, options);
  EXPECT_EQ(twice.text, once.text);
  EXPECT_TRUE(twice.applied.empty());
}

// Only the directory a fix names is repaired by it: applying one finding's fix leaves the others
// reported.
TEST(Okd302, OneFindingsFixRepairsOnlyItsDirectory) {
  const std::string text =
      "FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\n"
      "RUN mkdir /data /cache\n"
      "USER 1001\n";
  Config config;
  RegistryAliases aliases;
  RuleSelection selection;
  selection.select.insert("OKD302");
  SourceFile source("Containerfile", text);
  ContainerfileLint lint = lint_containerfile(source, config, aliases, selection);
  ASSERT_EQ(lint.diagnostics.size(), 2u);
  ASSERT_TRUE(lint.diagnostics[1].fix);
  SourceFile fixed("Containerfile", apply_edits(text, lint.diagnostics[1].fix->edits));
  ContainerfileLint after = lint_containerfile(fixed, config, aliases, selection);
  ASSERT_EQ(after.diagnostics.size(), 1u);
  EXPECT_NE(after.diagnostics[0].message.find("/data"), std::string::npos) << after.diagnostics[0].message;
}

}  // namespace
}  // namespace okd
