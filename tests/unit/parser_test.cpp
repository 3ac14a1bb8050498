// Parser behaviour beyond BuildKit's conformance data: directives, continuations, instruction
// forms, heredocs, exact ranges, and inputs that must never crash it.
#include <utility>

#include <gtest/gtest.h>

#include "lint/dockerfile.h"

namespace {

using okd::ParsedDockerfile;
using okd::SourceFile;

struct Parsed {
  SourceFile source;
  ParsedDockerfile tree;
};

Parsed parse(std::string text) {
  Parsed p{SourceFile("Containerfile", std::move(text)), {}};
  p.tree = okd::parse_dockerfile(p.source);
  return p;
}

std::string text_of(const Parsed& p, okd::Range r) { return p.source.text().substr(r.begin.offset, r.size()); }

TEST(Directives, CaseInsensitiveKeysAndSpaces) {
  Parsed p = parse("# SYNTAX = docker/dockerfile:1\n#Escape=`\n# check=skip=all\nFROM a\n");
  ASSERT_EQ(p.tree.directives.size(), 3u);
  EXPECT_EQ(p.tree.directives[0].name, "syntax");
  EXPECT_EQ(p.tree.directives[0].value, "docker/dockerfile:1");
  EXPECT_EQ(p.tree.directives[1].name, "escape");
  EXPECT_EQ(p.tree.escape, '`');
  EXPECT_EQ(p.tree.directives[2].value, "skip=all");
}

TEST(Directives, OnlyBeforeFirstInstructionOrComment) {
  Parsed p = parse("# hello\n# escape=`\nFROM a\n");
  EXPECT_TRUE(p.tree.directives.empty());
  EXPECT_EQ(p.tree.escape, '\\');
  Parsed q = parse("FROM a\n# escape=`\nRUN x\n");
  EXPECT_TRUE(q.tree.directives.empty());
}

TEST(Directives, RepeatedAndInvalidAreErrors) {
  Parsed p = parse("# escape=\\\n# escape=`\nFROM a\n");
  ASSERT_TRUE(p.tree.has_errors());
  EXPECT_EQ(p.tree.errors[0].range.begin.line, 2u);
  EXPECT_NE(p.tree.errors[0].message.find("only one escape"), std::string::npos);
  Parsed q = parse("# escape=x\nFROM a\n");
  ASSERT_TRUE(q.tree.has_errors());
  EXPECT_NE(q.tree.errors[0].message.find("invalid escape token"), std::string::npos);
}

TEST(Continuations, CommentsAndEmptyLinesInside) {
  Parsed p = parse("RUN a \\\n# note\n\n  b \\\n   # indented note\n  c\nUSER x\n");
  ASSERT_FALSE(p.tree.has_errors());
  ASSERT_EQ(p.tree.instructions.size(), 2u);
  EXPECT_EQ(p.tree.instructions[0].args[0].value, "a   b   c");
  EXPECT_EQ(p.tree.instructions[0].start_line, 1u);
  EXPECT_EQ(p.tree.instructions[0].end_line, 6u);
  EXPECT_EQ(p.tree.instructions[1].start_line, 7u);
}

TEST(Continuations, BacktickEscape) {
  Parsed p = parse("# escape=`\nFROM windows\nRUN dir c:\\ `\n  && echo hi\n");
  ASSERT_FALSE(p.tree.has_errors());
  EXPECT_EQ(okd::dump_buildkit(p.tree), "(from \"windows\")\n(run \"dir c:\\\\   && echo hi\")");
}

TEST(Continuations, RestMapsAcrossLines) {
  Parsed p = parse("RUN apt-get update \\\n    && chmod 777 /x\n");
  const okd::Instruction& run = p.tree.instructions[0];
  size_t at = run.rest.text.find("777");
  ASSERT_NE(at, std::string::npos);
  okd::Range r = p.source.range(run.rest.source_begin(at), run.rest.source_end(at + 3));
  EXPECT_EQ(r.begin.line, 2u);
  EXPECT_EQ(r.begin.column, 14u);
  EXPECT_EQ(text_of(p, r), "777");
}

TEST(Forms, JsonAndShell) {
  Parsed p = parse("CMD [\"nginx\", \"-g\", \"daemon off;\"]\nCMD nginx -g 'daemon off;'\nCMD ['single']\n");
  ASSERT_EQ(p.tree.instructions.size(), 3u);
  EXPECT_TRUE(p.tree.instructions[0].json_form);
  ASSERT_EQ(p.tree.instructions[0].args.size(), 3u);
  EXPECT_EQ(p.tree.instructions[0].args[2].value, "daemon off;");
  EXPECT_EQ(text_of(p, p.tree.instructions[0].args[1].range), "\"-g\"");
  EXPECT_FALSE(p.tree.instructions[1].json_form);
  EXPECT_FALSE(p.tree.instructions[2].json_form);
}

TEST(Forms, NonStringJsonIsAnError) {
  Parsed p = parse("FROM a\nCMD [\"a\", 1]\nUSER b\n");
  ASSERT_TRUE(p.tree.has_errors());
  EXPECT_EQ(p.tree.errors[0].range.begin.line, 2u);
  // The rest of the file still parses.
  EXPECT_EQ(p.tree.instructions.back().cmd, "user");
}

TEST(Forms, FlagsWithRanges) {
  Parsed p = parse("COPY --chown=app:app --chmod=0644 src /dst\n");
  const okd::Instruction& copy = p.tree.instructions[0];
  ASSERT_EQ(copy.flags.size(), 2u);
  EXPECT_EQ(copy.flags[0].name, "chown");
  EXPECT_EQ(*copy.flags[0].value, "app:app");
  EXPECT_EQ(text_of(p, copy.flags[0].range), "--chown=app:app");
  EXPECT_EQ(text_of(p, copy.flags[0].value_range), "app:app");
  EXPECT_EQ(copy.flags[0].value_range.begin.column, 14u);
  ASSERT_EQ(copy.args.size(), 2u);
  EXPECT_EQ(text_of(p, copy.args[1].range), "/dst");
}

TEST(Forms, EnvBothSyntaxes) {
  Parsed p = parse("ENV A=1 B=\"two words\"\nENV LEGACY some value\n");
  const okd::Instruction& env = p.tree.instructions[0];
  ASSERT_EQ(env.pairs.size(), 2u);
  EXPECT_EQ(env.pairs[1].key, "B");
  EXPECT_EQ(env.pairs[1].value, "\"two words\"");
  EXPECT_EQ(text_of(p, env.pairs[1].value_range), "\"two words\"");
  const okd::Instruction& legacy = p.tree.instructions[1];
  ASSERT_EQ(legacy.pairs.size(), 1u);
  EXPECT_FALSE(legacy.pairs[0].equals);
  EXPECT_EQ(legacy.pairs[0].value, "some value");
}

TEST(Forms, FromWithPlatformAndAlias) {
  Parsed p = parse("FROM --platform=$BUILDPLATFORM golang:1.22 AS build\n");
  const okd::Instruction& from = p.tree.instructions[0];
  ASSERT_EQ(from.args.size(), 3u);
  EXPECT_EQ(from.flag("platform")->value.value(), "$BUILDPLATFORM");
  EXPECT_EQ(from.args[2].value, "build");
}

TEST(Forms, OnbuildAndHealthcheck) {
  Parsed p = parse("ONBUILD RUN echo hi\nHEALTHCHECK NONE\nHEALTHCHECK --interval=5s CMD [\"curl\", \"-f\", \"x\"]\n");
  ASSERT_EQ(p.tree.instructions.size(), 3u);
  ASSERT_EQ(p.tree.instructions[0].onbuild.size(), 1u);
  EXPECT_EQ(p.tree.instructions[0].onbuild[0].cmd, "run");
  EXPECT_EQ(text_of(p, p.tree.instructions[0].onbuild[0].range), "RUN echo hi");
  EXPECT_EQ(okd::dump_buildkit(p.tree),
            "(onbuild (run \"echo hi\"))\n(healthcheck \"NONE\")\n(healthcheck [\"--interval=5s\"] \"CMD\" \"curl\" \"-f\" \"x\")");
}

TEST(Heredocs, BodiesAreKeptAndLocated) {
  Parsed p = parse("FROM a\nRUN <<EOF\necho one\n# not a comment\nEOF\nUSER 1001\n");
  ASSERT_FALSE(p.tree.has_errors());
  ASSERT_EQ(p.tree.instructions.size(), 3u);
  const okd::Instruction& run = p.tree.instructions[1];
  ASSERT_EQ(run.heredocs.size(), 1u);
  EXPECT_EQ(run.heredocs[0].name, "EOF");
  EXPECT_TRUE(run.heredocs[0].expand);
  EXPECT_EQ(run.heredocs[0].content, "echo one\n# not a comment\n");
  EXPECT_EQ(run.heredocs[0].body_range.begin.line, 3u);
  EXPECT_EQ(run.heredocs[0].terminator_range.begin.line, 5u);
  EXPECT_EQ(run.full_range.end.line, 5u);
  EXPECT_EQ(okd::dump_buildkit(p.tree), "(from \"a\")\n(run \"<<EOF\")\n(user \"1001\")");
}

TEST(Heredocs, QuotedChompedSeveralAndFd) {
  Parsed p = parse("FROM a\nCOPY <<'A' <<-\"B\" /dst/\nbody a\nA\n\tbody b\n\tB\nRUN 3<<IN cat <&3\nx\nIN\n");
  ASSERT_FALSE(p.tree.has_errors());
  const okd::Instruction& copy = p.tree.instructions[1];
  ASSERT_EQ(copy.heredocs.size(), 2u);
  EXPECT_FALSE(copy.heredocs[0].expand);
  EXPECT_EQ(copy.heredocs[0].content, "body a\n");
  EXPECT_TRUE(copy.heredocs[1].chomp);
  EXPECT_EQ(copy.heredocs[1].content, "\tbody b\n");
  EXPECT_EQ(p.tree.instructions[2].heredocs[0].fd, 3);
}

// BuildKit 0b77373ab (parser_heredoc_test.go): blanks may follow `<<`; the lexer keeps them in the
// `<<` word, so `<< -EOF` names "-EOF" while `<<- EOF` is the word `<<-` and no heredoc at all.
TEST(Heredocs, WhitespaceAfterTheOperator) {
  Parsed p = parse("FROM a\nRUN <<  EOF\nEOF\nRUN <<  EOF  > foo\nEOF\nRUN << -EOF\n-EOF\nCOPY <<\tEOT /x\nEXPOSE 80\nEOT\n");
  ASSERT_FALSE(p.tree.has_errors()) << p.tree.errors[0].message;
  ASSERT_EQ(p.tree.instructions.size(), 5u);
  for (size_t i = 1; i < 5; ++i) ASSERT_EQ(p.tree.instructions[i].heredocs.size(), 1u) << i;
  EXPECT_EQ(p.tree.instructions[1].heredocs[0].name, "EOF");
  EXPECT_TRUE(p.tree.instructions[1].heredocs[0].expand);
  EXPECT_EQ(p.tree.instructions[1].heredocs[0].content, "");
  EXPECT_EQ(p.tree.instructions[2].heredocs[0].name, "EOF");
  EXPECT_EQ(p.tree.instructions[3].heredocs[0].name, "-EOF");
  EXPECT_FALSE(p.tree.instructions[3].heredocs[0].chomp);
  EXPECT_EQ(p.tree.instructions[4].heredocs[0].content, "EXPOSE 80\n");
  EXPECT_EQ(text_of(p, p.tree.instructions[4].heredocs[0].word_range), "<<\tEOT");

  Parsed q = parse("FROM a\nRUN <<- EOF\nUSER root\n");
  ASSERT_EQ(q.tree.instructions.size(), 3u);
  EXPECT_TRUE(q.tree.instructions[1].heredocs.empty());
  EXPECT_EQ(q.tree.instructions[2].cmd, "user");
}

TEST(InstructionLayer, WhatBuildKitRejects) {
  auto first_error = [](const std::string& text) {
    Parsed p = parse(text);
    EXPECT_TRUE(p.tree.errors.empty()) << text;  // BuildKit's parser accepts all of these
    return p.tree.instruction_errors.empty() ? std::string() : p.tree.instruction_errors[0].message;
  };
  EXPECT_EQ(first_error("FROM a\nUSER\n"), "USER requires exactly one argument");
  EXPECT_EQ(first_error("FROM\n"), "FROM requires either one or three arguments");
  EXPECT_EQ(first_error("FROM a b\n"), "FROM requires either one or three arguments");
  EXPECT_EQ(first_error("FROM a x b\n"), "FROM requires either one or three arguments");
  EXPECT_EQ(first_error("FROM a As b\n"), "");
  EXPECT_EQ(first_error("FROM a\nENV =x\n"), "ENV names can not be blank");
  EXPECT_EQ(first_error("FROM a\nENV = =x\n"), "ENV names can not be blank");
  Parsed blank = parse("FROM a\nENV = x\n");  // BuildKit's parser: can't find = in "x"
  ASSERT_EQ(blank.tree.errors.size(), 1u);
  EXPECT_NE(blank.tree.errors[0].message.find("can't find = in \"x\""), std::string::npos);
  EXPECT_EQ(first_error("FROM a\nLABEL =x\n"), "LABEL names can not be blank");
  EXPECT_EQ(first_error("ARG A\nRUN x\nFROM a\n"), "no build stage in current context: RUN before the first FROM");
  EXPECT_EQ(first_error("ARG A\n"), "dockerfile contains no stages to build: no FROM instruction");
  // The bare USER stays in the tree, so the rest of the file is linted as before; the blank name
  // is dumped as BuildKit's parser dumps it.
  Parsed p = parse("FROM a\nUSER\nUSER 1001\n");
  EXPECT_EQ(p.tree.instructions.size(), 3u);
  EXPECT_EQ(okd::dump_buildkit(parse("FROM a\nENV =x\n").tree), "(from \"a\")\n(env \"\" \"x\" \"=\")");
}

// Every range lies inside the input and never ends before it begins, whatever the bytes: the
// libFuzzer run found `ENV = \` newline `=` (an empty key straddling a continuation).
TEST(Ranges, NeverInvertedOrPastTheEnd) {
  const std::string inputs[] = {
      std::string("ENV = \\\n=", 9), "ENV = \\\n=", "LABEL a=\\\n=b", "ENV \\\n\\\n=", "FROM a\nENV x= \\\n =y\n",
      "ARG \\\n=", "RUN --x= \\\n=", "COPY \\\n <<  E /\nE", "EXPOSE \\\n \\\n", "HEALTHCHECK \\\n CMD",
  };
  auto check = [](const okd::Range& r, size_t size, const std::string& what) {
    EXPECT_LE(r.begin.offset, r.end.offset) << what;
    EXPECT_LE(r.end.offset, size) << what;
  };
  for (const std::string& text : inputs) {
    Parsed p = parse(text);
    for (const okd::Instruction& ins : p.tree.instructions) {
      check(ins.range, text.size(), text);
      check(ins.full_range, text.size(), text);
      for (const auto& w : ins.args) check(w.range, text.size(), text);
      for (const auto& f : ins.flags) check(f.range, text.size(), text);
      for (const auto& kv : ins.pairs) {
        check(kv.key_range, text.size(), text);
        check(kv.value_range, text.size(), text);
      }
      for (const auto& h : ins.heredocs) check(h.body_range, text.size(), text);
    }
    for (const auto& e : p.tree.errors) check(e.range, text.size(), text);
    for (const auto& e : p.tree.instruction_errors) check(e.range, text.size(), text);
  }
}

TEST(Heredocs, NotHeredocs) {
  Parsed p = parse("RUN echo \"<<EOF\" && cat <<<word\nUSER <<X\nRUN [\"<<EOF\"]\n");
  for (const auto& ins : p.tree.instructions) EXPECT_TRUE(ins.heredocs.empty()) << ins.keyword;
}

TEST(Heredocs, UnterminatedIsAnError) {
  Parsed p = parse("RUN <<EOF\necho\n");
  ASSERT_TRUE(p.tree.has_errors());
  EXPECT_NE(p.tree.errors[0].message.find("unterminated heredoc"), std::string::npos);
}

TEST(Ranges, CrlfBomAndUtf8Columns) {
  Parsed p = parse("\xEF\xBB\xBF" "FROM a\r\nLABEL t=\"\xC3\xA9t\xC3\xA9\" x=1\r\n");
  ASSERT_FALSE(p.tree.has_errors());
  EXPECT_EQ(p.tree.instructions[0].keyword_range.begin.column, 1u);  // BOM is not a column here
  const okd::Instruction& label = p.tree.instructions[1];
  EXPECT_EQ(label.pairs[1].key, "x");
  EXPECT_EQ(label.pairs[1].key_range.begin.column, 15u);  // é counts as one column
  EXPECT_EQ(label.range.end.offset, p.source.text().size() - 2);  // CRLF not in the range
}

TEST(Robustness, HostileBytesNeverCrash) {
  std::string nasty = std::string("FROM a\0b\n", 9) + "RUN \xff\xfe\x80 \\\n\\\n" + "ENV \xc3=\xa0\n" +
                      "COPY --x=\"unterminated /a\nRUN <<\n" + std::string(70000, 'x') + "\nRUN [\"\\u0000\"]\n";
  Parsed p = parse(nasty);
  EXPECT_TRUE(p.tree.has_errors());  // the overlong line
  EXPECT_FALSE(p.tree.instructions.empty());
  okd::dump_buildkit(p.tree);
}

TEST(Robustness, UnknownInstructionAndNoInstructions) {
  Parsed p = parse("FROM a\nFOO bar\n");
  ASSERT_TRUE(p.tree.has_errors());
  EXPECT_EQ(p.tree.errors[0].range.begin.line, 2u);
  EXPECT_EQ(p.tree.errors[0].message, "unknown instruction: FOO");
  Parsed q = parse("{\"not\": \"a containerfile\"}\n");
  EXPECT_TRUE(q.tree.has_errors());
  Parsed r = parse("# only a comment\n\n");
  ASSERT_TRUE(r.tree.has_errors());
  EXPECT_EQ(r.tree.errors[0].message, "file with no instructions");
}

}  // namespace
