// The semantic model: stages, targets, alias inheritance and BuildKit's ARG/ENV scoping.
#include <memory>
#include <optional>
#include <utility>

#include <gtest/gtest.h>

#include "lint/model.h"

namespace {

struct Built {
  okd::SourceFile source;
  okd::ParsedDockerfile parsed;
  okd::BuildModel model;
};

std::unique_ptr<Built> build(std::string text, okd::ModelOptions options = {}) {
  auto b = std::make_unique<Built>();
  b->source = okd::SourceFile("Containerfile", std::move(text));
  b->parsed = okd::parse_dockerfile(b->source);
  b->model = okd::build_model(b->source, b->parsed, options);
  return b;
}

TEST(Stages, NamesTargetAndChain) {
  auto b = build("FROM golang:1.22 AS Build\nRUN go build\nFROM build AS test\nFROM alpine\nUSER 1\n");
  const okd::BuildModel& m = b->model;
  ASSERT_EQ(m.stages.size(), 3u);
  EXPECT_EQ(m.stages[0].name, "build");  // stage names are case-insensitive
  EXPECT_EQ(m.stages[1].parent, std::optional<size_t>(0));
  EXPECT_EQ(m.target, std::optional<size_t>(2));
  EXPECT_EQ(m.target_chain().size(), 1u);
}

TEST(Stages, TargetOptionAndUnknownTarget) {
  okd::ModelOptions options;
  options.target = "test";
  auto b = build("FROM golang AS build\nFROM build AS test\nFROM alpine\n", options);
  ASSERT_EQ(b->model.target, std::optional<size_t>(1));
  auto chain = b->model.target_chain();
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[1]->index, 0u);
  options.target = "nope";
  auto c = build("FROM a\n", options);
  EXPECT_FALSE(c->model.target);
  EXPECT_NE(c->model.error.find("nope"), std::string::npos);
}

TEST(Stages, AliasInheritsUserExposeEnvWorkdir) {
  auto b = build("FROM ubi AS base\nUSER 1001\nEXPOSE 8080\nENV A=1\nWORKDIR /app\nFROM base\nWORKDIR data\n");
  const okd::Stage& last = b->model.stages[1];
  ASSERT_TRUE(last.user);
  EXPECT_EQ(last.user->user, "1001");
  ASSERT_EQ(last.exposed.size(), 1u);
  EXPECT_EQ(last.exposed[0].first, std::optional<int>(8080));
  EXPECT_EQ(last.env.at("A").value, "1");
  EXPECT_EQ(last.workdir, "/app/data");
}

TEST(Variables, GlobalArgsOnlyInFromOrAfterBareArg) {
  auto b = build("ARG BASE=ubi9\nARG UID=1001\nFROM ${BASE}:latest\nUSER $UID\nARG UID\nUSER $UID:0\n");
  const okd::Stage& s = b->model.stages[0];
  EXPECT_EQ(s.base.value, "ubi9:latest");
  const auto& ins = b->parsed.instructions;
  EXPECT_EQ(b->model.expand(&ins[3], ins[3].args[0].value).value, "");  // not imported yet
  ASSERT_TRUE(s.user);
  EXPECT_EQ(s.user->value.value, "1001:0");
  EXPECT_EQ(*s.user->group, "0");
}

TEST(Variables, BuildArgsOverrideDefaultsAndUnknownStaysUnknown) {
  okd::ModelOptions options;
  options.build_args["PORT"] = "8443";
  auto b = build("FROM a\nARG PORT=80\nARG USERNAME\nEXPOSE $PORT\nUSER ${USERNAME:-root}\n", options);
  const okd::Stage& s = b->model.stages[0];
  ASSERT_EQ(s.exposed.size(), 1u);
  EXPECT_EQ(s.exposed[0].first, std::optional<int>(8443));
  ASSERT_TRUE(s.user);
  EXPECT_FALSE(s.user->value.known);  // never guessed as root
}

TEST(Variables, EnvOverridesArgAndModifiers) {
  // scratch: no base ENV, so NOPE is unset rather than unknown.
  auto b = build("FROM scratch\nARG P=1\nENV P=2 Q=${P}0\nARG R\nEXPOSE ${Q:+443} ${NOPE-81}/udp\n");
  const okd::Stage& s = b->model.stages[0];
  EXPECT_EQ(s.env.at("Q").value, "20");
  ASSERT_EQ(s.exposed.size(), 2u);
  EXPECT_EQ(s.exposed[0].first, std::optional<int>(443));
  EXPECT_EQ(s.exposed[1].first, std::optional<int>(81));
  EXPECT_EQ(s.exposed[1].protocol, "udp");
}

TEST(Variables, NamesFromTheBaseImageAreUnknownNotEmpty) {
  // Issue 11 class 9: ${APP_ROOT} comes from the base's ENV; only scratch has none.
  auto b = build("FROM quay.io/x/y:1\nWORKDIR ${APP_ROOT}/etc\nFROM scratch\nWORKDIR ${APP_ROOT}/etc\n");
  EXPECT_FALSE(b->model.stages[0].workdir_known);
  EXPECT_TRUE(b->model.stages[1].workdir_known);
  EXPECT_EQ(b->model.stages[1].workdir, "/etc");
  // Known families bring their ENV: s2i images set APP_ROOT.
  auto s2i = build("FROM registry.access.redhat.com/ubi9/s2i-core:1\nWORKDIR ${APP_ROOT}/etc\n");
  EXPECT_TRUE(s2i->model.stages[0].workdir_known);
  EXPECT_EQ(s2i->model.stages[0].workdir, "/opt/app-root/etc");
  EXPECT_TRUE(s2i->model.stages[0].facts.runs_non_root());
}

TEST(Variables, AResolvedBaseHasExactlyItsConfigEnvAndWorkdir) {
  // --resolve-bases: the base's config lists all its ENV, so other names are empty, not unknown.
  okd::ModelOptions options;
  options.base_facts = [](const std::string& base) {
    if (base != "registry.example/team/base:1") return okd::BaseFacts{};
    return okd::base_facts_from_image_config(
        R"({"os":"linux","config":{"Env":["APP_ROOT=/opt/app-root"],"WorkingDir":"/opt/app-root/src"}})", "registry test");
  };
  auto b = build("FROM registry.example/team/base:1\nWORKDIR ${APP_ROOT}/etc${NOPE}\nFROM other/base:1\nWORKDIR ${NOPE}/x\n"
                 "FROM registry.example/team/base:1\nWORKDIR data\n",
                 options);
  EXPECT_TRUE(b->model.stages[0].workdir_known);
  EXPECT_EQ(b->model.stages[0].workdir, "/opt/app-root/etc");
  EXPECT_FALSE(b->model.stages[1].workdir_known);              // not resolved: the base may set NOPE
  EXPECT_EQ(b->model.stages[2].workdir, "/opt/app-root/src/data");  // relative to the base's WorkingDir
}

TEST(Variables, ScopeAtEachInstructionIsWhatWasSetBeforeIt) {
  // Scopes are recorded as changes (issue 10 §3); each instruction still sees exactly the values
  // set before it, also after later instructions changed them.
  auto b = build(
      "ARG G=g1\n"                // 0
      "ARG G=g2 H=${G}h\n"        // 1  a global default sees the ARGs before it on the line
      "FROM scratch AS one\n"     // 2
      "ENV A=1\n"                 // 3
      "RUN x\n"                   // 4
      "ENV A=2 B=${A}b\n"         // 5  later pairs see earlier ones
      "ARG C=${A}c D=${C}d\n"     // 6  a stage ARG's defaults see the scope before the line
      "RUN y\n"                   // 7
      "FROM one\n"                // 8
      "RUN z\n"                   // 9  ENV is inherited, ARG is not
      "ENV A=3\n");               // 10
  const auto& ins = b->parsed.instructions;
  const okd::BuildModel& m = b->model;
  ASSERT_EQ(ins.size(), 11u);
  EXPECT_EQ(m.expand(&ins[0], "[$G]").value, "[]");
  EXPECT_EQ(m.expand(&ins[1], "$G").value, "g1");
  EXPECT_EQ(m.expand(&ins[2], "$G-$H").value, "g2-g2h");
  EXPECT_EQ(m.expand(&ins[3], "[$A]").value, "[]");
  EXPECT_EQ(m.expand(&ins[4], "$A").value, "1");
  EXPECT_EQ(m.expand(&ins[5], "$A").value, "1");
  EXPECT_EQ(m.expand(&ins[7], "$A $B $C $D").value, "2 2b 2c d");
  EXPECT_EQ(m.expand(&ins[8], "[$A] $G").value, "[] g2");
  EXPECT_EQ(m.expand(&ins[9], "$A$B[$C]").value, "22b[]");
  EXPECT_EQ(m.expand(&ins[10], "$A").value, "2");
  EXPECT_EQ(m.stages[1].env.at("A").value, "3");
  EXPECT_EQ(m.stages[0].env.at("A").value, "2");
  EXPECT_EQ(m.stage_of(&ins[9]), &m.stages[1]);
  EXPECT_EQ(m.stage_of(&ins[1]), nullptr);
  // An instruction the model never visited has no variables.
  okd::Instruction outside;
  EXPECT_EQ(m.scope_at(&outside)("A"), nullptr);
  EXPECT_EQ(m.stage_of(&outside), nullptr);
}

TEST(Variables, EscapedDollarIsLiteral) {
  auto b = build("FROM a\nENV A=x\nUSER \\$A\n");
  EXPECT_EQ(b->model.stages[0].user->value.value, "$A");
}

TEST(Ports, RangesAndProtocols) {
  auto b = build("FROM a\nEXPOSE 80/tcp 8000-8010/UDP 443\n");
  const auto& ports = b->model.stages[0].exposed;
  ASSERT_EQ(ports.size(), 3u);
  EXPECT_EQ(ports[1].first, std::optional<int>(8000));
  EXPECT_EQ(ports[1].last, std::optional<int>(8010));
  EXPECT_EQ(ports[1].protocol, "udp");
}

TEST(Commands, ShellJsonAndHeredocBodies) {
  auto b = build(
      "FROM a\nRUN apt-get update && chmod 777 /x\nCMD [\"sh\", \"-c\", \"exec gosu app run\"]\n"
      "RUN <<EOF\nchown 1:2 /y\nEOF\nRUN python3 <<EOF\nprint('not shell')\nEOF\n");
  const auto& ins = b->parsed.instructions;
  const auto& run = b->model.commands(&ins[1]);
  ASSERT_EQ(run.size(), 2u);
  EXPECT_EQ(run[1].argv[0].value, "chmod");
  EXPECT_EQ(run[1].argv[1].range.begin.line, 2u);
  const auto& cmd = b->model.commands(&ins[2]);
  ASSERT_EQ(cmd.size(), 2u);
  EXPECT_EQ(cmd[1].argv[1].value, "gosu");
  EXPECT_EQ(cmd[1].depth, 1);
  const auto& heredoc = b->model.commands(&ins[3]);
  ASSERT_FALSE(heredoc.empty());
  EXPECT_EQ(heredoc.back().argv[0].value, "chown");
  EXPECT_EQ(heredoc.back().argv[0].range.begin.line, 5u);
  for (const auto& c : b->model.commands(&ins[4])) {
    for (const auto& w : c.argv) EXPECT_NE(w.value, "print('not");
  }
}

}  // namespace
