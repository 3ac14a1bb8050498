#include "lint/shell.h"

#include <cstdint>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace okd {
namespace {

using Strings = std::vector<std::string>;

// A text mapped 1:1 onto its source (origin[i] == i).
MappedText whole(const SourceFile& source) {
  return mapped_source_range(source, source.range(0, static_cast<uint32_t>(source.text().size())));
}

std::vector<SimpleCommand> split(const SourceFile& source) { return split_shell(whole(source), source); }

// "line:column-line:column"
std::string where(const Range& r) {
  return std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column) + "-" + std::to_string(r.end.line) +
         ":" + std::to_string(r.end.column);
}

Strings argv_of(const SimpleCommand& cmd) {
  Strings out;
  for (const auto& w : cmd.argv) out.push_back(w.value);
  return out;
}

std::vector<Strings> all_argv(const std::vector<SimpleCommand>& cmds) {
  std::vector<Strings> out;
  for (const auto& c : cmds) out.push_back(argv_of(c));
  return out;
}

// The source text a range covers.
std::string text_at(const SourceFile& source, const Range& r) {
  return source.text().substr(r.begin.offset, r.end.offset - r.begin.offset);
}

TEST(SplitShell, AndListWithRanges) {
  SourceFile source("t", "apt-get update && apt-get install -y x");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(argv_of(cmds[0]), (Strings{"apt-get", "update"}));
  EXPECT_EQ(argv_of(cmds[1]), (Strings{"apt-get", "install", "-y", "x"}));
  EXPECT_EQ(where(cmds[0].argv[0].range), "1:1-1:8");
  EXPECT_EQ(where(cmds[0].argv[1].range), "1:9-1:15");
  EXPECT_EQ(where(cmds[0].range), "1:1-1:15");
  EXPECT_EQ(where(cmds[1].argv[2].range), "1:35-1:37");
  EXPECT_EQ(where(cmds[1].range), "1:19-1:39");
  EXPECT_EQ(cmds[0].depth, 0);
  EXPECT_TRUE(cmds[1].argv[3].literal);
}

TEST(SplitShell, Separators) {
  SourceFile source("t", "a | b |& c; d & e || f\ng;;h");
  EXPECT_EQ(all_argv(split(source)),
            (std::vector<Strings>{{"a"}, {"b"}, {"c"}, {"d"}, {"e"}, {"f"}, {"g"}, {"h"}}));
}

TEST(SplitShell, QuotesAreRemovedAndRawIsKept) {
  SourceFile source("t", R"SH(echo "a b" 'c $d' e"f"'g' "")SH");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(argv_of(cmds[0]), (Strings{"echo", "a b", "c $d", "efg", ""}));
  EXPECT_EQ(cmds[0].argv[1].raw, "\"a b\"");
  EXPECT_EQ(where(cmds[0].argv[1].range), "1:6-1:11");
  EXPECT_EQ(where(cmds[0].argv[3].range), "1:19-1:26");
  EXPECT_TRUE(cmds[0].argv[2].literal);  // single-quoted $ is plain text
  EXPECT_EQ(where(cmds[0].argv[4].range), "1:27-1:29");
}

TEST(SplitShell, BackslashEscapes) {
  SourceFile source("t", R"SH(echo a\ b \"q\" "x\$y\\z\n" \$HOME)SH");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(argv_of(cmds[0]), (Strings{"echo", "a b", "\"q\"", "x$y\\z\\n", "$HOME"}));
  EXPECT_TRUE(cmds[0].argv[4].literal);
  EXPECT_EQ(where(cmds[0].argv[1].range), "1:6-1:10");
}

TEST(SplitShell, CommandSubstitution) {
  SourceFile source("t", "chown $(id -u):0 /app");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(argv_of(cmds[0]), (Strings{"chown", "$(id -u):0", "/app"}));
  EXPECT_FALSE(cmds[0].argv[1].literal);
  EXPECT_TRUE(cmds[0].argv[2].literal);
  EXPECT_EQ(cmds[0].depth, 0);
  EXPECT_EQ(argv_of(cmds[1]), (Strings{"id", "-u"}));
  EXPECT_EQ(cmds[1].depth, 1);
  EXPECT_EQ(where(cmds[1].argv[0].range), "1:9-1:11");
  EXPECT_EQ(where(cmds[1].range), "1:9-1:14");
}

TEST(SplitShell, NestedSubstitutionsAndQuotes) {
  SourceFile source("t", R"SH(echo "$(dirname "$(readlink -f x)")" $((1 + 2)) ${A:-$(nope)})SH");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_EQ(argv_of(cmds[0]), (Strings{"echo", "$(dirname \"$(readlink -f x)\")", "$((1 + 2))", "${A:-$(nope)}"}));
  EXPECT_EQ(argv_of(cmds[1]), (Strings{"dirname", "$(readlink -f x)"}));
  EXPECT_EQ(cmds[1].depth, 1);
  EXPECT_EQ(argv_of(cmds[2]), (Strings{"readlink", "-f", "x"}));
  EXPECT_EQ(cmds[2].depth, 2);
  EXPECT_EQ(text_at(source, cmds[2].range), "readlink -f x");
}

TEST(SplitShell, Backquotes) {
  SourceFile source("t", "touch `date +%s`.log && echo `echo \\`id -u\\``");
  auto cmds = split(source);
  ASSERT_EQ(all_argv(cmds), (std::vector<Strings>{
                                {"touch", "`date +%s`.log"}, {"date", "+%s"}, {"echo", "`echo \\`id -u\\``"},
                                {"echo", "`id -u`"}, {"id", "-u"}}));
  EXPECT_EQ(cmds[1].depth, 1);
  EXPECT_EQ(where(cmds[1].argv[1].range), "1:13-1:16");
  EXPECT_EQ(cmds[4].depth, 2);
  EXPECT_EQ(text_at(source, cmds[4].range), "id -u");
}

TEST(SplitShell, IfThenFi) {
  SourceFile source("t", "if [ -f a ]; then chmod 777 /x; elif true; then :; else rm -f b; fi");
  auto cmds = split(source);
  EXPECT_EQ(all_argv(cmds), (std::vector<Strings>{
                                {"[", "-f", "a", "]"}, {"chmod", "777", "/x"}, {"true"}, {":"}, {"rm", "-f", "b"}}));
  EXPECT_EQ(where(cmds[1].range), "1:19-1:31");
}

TEST(SplitShell, Loops) {
  SourceFile source("t",
                    "for f in a $(ls /x) c; do\n  chmod g+w \"$f\"\ndone\n"
                    "while read -r l; do echo $l; done < list\n"
                    "until false; do break; done\nfor ((i=0;i<3;i++)); do w; done\nfor x; do y; done");
  auto cmds = split(source);
  std::vector<Strings> expected = {{"ls", "/x"}, {"chmod", "g+w", "$f"}, {"read", "-r", "l"}, {"echo", "$l"}, {},
                                   {"false"},    {"break"},              {"w"},                 {"y"}};
  EXPECT_EQ(all_argv(cmds), expected);
  EXPECT_EQ(where(cmds[1].argv[0].range), "2:3-2:8");
  EXPECT_FALSE(cmds[1].argv[2].literal);
  // `done < list`: the redirection of the loop is kept, without a command name.
  ASSERT_EQ(cmds[4].redirects.size(), 1u);
  EXPECT_EQ(cmds[4].redirects[0].target.value, "list");
}

TEST(SplitShell, Case) {
  SourceFile source("t",
                    "case \"$(uname -m)\" in\n  x86_64|amd64) A=amd64 ;;\n  (aarch64) arch=arm64; echo hi;;\n"
                    "  *) exit 1 ;;\nesac; done_cmd");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 6u);
  EXPECT_EQ(argv_of(cmds[0]), (Strings{"uname", "-m"}));
  EXPECT_TRUE(cmds[1].argv.empty());
  ASSERT_EQ(cmds[1].assignments.size(), 1u);
  EXPECT_EQ(cmds[1].assignments[0].value, "A=amd64");
  EXPECT_EQ(where(cmds[1].assignments[0].range), "2:17-2:24");
  EXPECT_EQ(cmds[2].assignments[0].value, "arch=arm64");
  EXPECT_EQ(argv_of(cmds[3]), (Strings{"echo", "hi"}));
  EXPECT_EQ(argv_of(cmds[4]), (Strings{"exit", "1"}));
  EXPECT_EQ(argv_of(cmds[5]), (Strings{"done_cmd"}));
}

TEST(SplitShell, CaseInsideSubstitution) {
  SourceFile source("t", "X=$(case a in a) echo one;; esac) cmd");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(argv_of(cmds[0]), (Strings{"cmd"}));
  EXPECT_EQ(cmds[0].assignments[0].value, "X=$(case a in a) echo one;; esac)");
  EXPECT_EQ(argv_of(cmds[1]), (Strings{"echo", "one"}));
}

TEST(SplitShell, SubshellsGroupsAndFunctions) {
  SourceFile source("t", "(cd /src && make) ; { echo a; echo b; } > out\nf() { g x; }\nfunction h { ! i; }\n! j");
  auto cmds = split(source);
  EXPECT_EQ(all_argv(cmds), (std::vector<Strings>{{"cd", "/src"}, {"make"}, {"echo", "a"}, {"echo", "b"}, {},
                                                   {"g", "x"}, {"i"}, {"j"}}));
  EXPECT_EQ(cmds[4].redirects[0].op, ">");
  EXPECT_EQ(where(cmds[1].range), "1:13-1:17");
}

TEST(SplitShell, ShellDashC) {
  SourceFile source("t", "sh -c 'chown 1:2 /a && chmod 777 /b'");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_EQ(argv_of(cmds[0]), (Strings{"sh", "-c", "chown 1:2 /a && chmod 777 /b"}));
  EXPECT_EQ(argv_of(cmds[1]), (Strings{"chown", "1:2", "/a"}));
  EXPECT_EQ(argv_of(cmds[2]), (Strings{"chmod", "777", "/b"}));
  EXPECT_EQ(cmds[1].depth, 1);
  EXPECT_EQ(where(cmds[1].argv[0].range), "1:8-1:13");
  EXPECT_EQ(where(cmds[2].argv[1].range), "1:30-1:33");
  EXPECT_EQ(text_at(source, cmds[2].range), "chmod 777 /b");
}

TEST(SplitShell, ShellDashCVariants) {
  SourceFile source("t",
                    "/bin/bash -o pipefail -ec \"useradd -u \\\"$UID\\\" app\" && exec sh -xc 'id' && "
                    "bash script.sh -c nope && sh -c");
  auto cmds = split(source);
  std::vector<Strings> expected = {{"/bin/bash", "-o", "pipefail", "-ec", "useradd -u \"$UID\" app"},
                                   {"useradd", "-u", "$UID", "app"},
                                   {"exec", "sh", "-xc", "id"},
                                   {"id"},
                                   {"bash", "script.sh", "-c", "nope"},
                                   {"sh", "-c"}};
  EXPECT_EQ(all_argv(cmds), expected);
  // Inside the double-quoted string, the escaped quotes map back to their source bytes.
  EXPECT_EQ(text_at(source, cmds[1].argv[2].range), "\\\"$UID\\\"");
  EXPECT_EQ(text_at(source, cmds[1].range), "useradd -u \\\"$UID\\\" app");
}

TEST(SplitShell, HeredocRedirectSkipsTheBody) {
  SourceFile source("t", "cat <<EOF > /etc/x.conf\nrm -rf / ; not a command\nEOF\ncat <<-'END'\n\tbody\n\tEND\necho done");
  auto cmds = split(source);
  ASSERT_EQ(all_argv(cmds), (std::vector<Strings>{{"cat"}, {"cat"}, {"echo", "done"}}));
  ASSERT_EQ(cmds[0].redirects.size(), 2u);
  EXPECT_EQ(cmds[0].redirects[0].op, "<<");
  EXPECT_EQ(cmds[0].redirects[0].target.value, "EOF");
  EXPECT_EQ(cmds[0].redirects[1].op, ">");
  EXPECT_EQ(cmds[0].redirects[1].target.value, "/etc/x.conf");
  EXPECT_EQ(where(cmds[0].redirects[1].target.range), "1:13-1:24");
  EXPECT_EQ(cmds[1].redirects[0].op, "<<-");
  EXPECT_EQ(cmds[1].redirects[0].target.value, "END");
  EXPECT_EQ(where(cmds[2].range), "7:1-7:10");
}

TEST(SplitShell, MultiLineText) {
  SourceFile source("t", "set -eux\n# a comment; rm x\nuseradd \\\n  -u 1001 app # trailing\n\nid");
  auto cmds = split(source);
  ASSERT_EQ(all_argv(cmds), (std::vector<Strings>{{"set", "-eux"}, {"useradd", "-u", "1001", "app"}, {"id"}}));
  EXPECT_EQ(where(cmds[1].argv[1].range), "4:3-4:5");
  EXPECT_EQ(where(cmds[1].range), "3:1-4:14");
  EXPECT_EQ(where(cmds[2].range), "6:1-6:3");
}

TEST(SplitShell, Assignments) {
  SourceFile source("t", "A=1 B=\"x y\" C+=2 cmd D=4 && E=(1 2) F=$(pwd)");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 3u);
  ASSERT_EQ(cmds[0].assignments.size(), 3u);
  EXPECT_EQ(cmds[0].assignments[1].value, "B=x y");
  EXPECT_EQ(where(cmds[0].assignments[1].range), "1:5-1:12");
  EXPECT_EQ(argv_of(cmds[0]), (Strings{"cmd", "D=4"}));
  EXPECT_TRUE(cmds[1].argv.empty());
  ASSERT_EQ(cmds[1].assignments.size(), 2u);
  EXPECT_EQ(cmds[1].assignments[0].value, "E=(1 2)");
  EXPECT_EQ(argv_of(cmds[2]), (Strings{"pwd"}));
}

TEST(SplitShell, Redirects) {
  SourceFile source("t", "cmd > /dev/null 2>&1 <in >>log &>all 2>err x");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(argv_of(cmds[0]), (Strings{"cmd", "x"}));
  std::vector<std::pair<std::string, std::string>> redirects;
  for (const auto& r : cmds[0].redirects) redirects.emplace_back(r.op, r.target.value);
  EXPECT_EQ(redirects, (std::vector<std::pair<std::string, std::string>>{
                           {">", "/dev/null"}, {"2>&", "1"}, {"<", "in"}, {">>", "log"}, {"&>", "all"}, {"2>", "err"}}));
  EXPECT_EQ(where(cmds[0].redirects[0].target.range), "1:7-1:16");
  EXPECT_EQ(where(cmds[0].range), "1:1-1:45");
}

TEST(SplitShell, MissingRedirectTargetDoesNotSwallowTheSeparator) {
  SourceFile source("t", "a > ; b");
  auto cmds = split(source);
  ASSERT_EQ(all_argv(cmds), (std::vector<Strings>{{"a"}, {"b"}}));
  EXPECT_EQ(cmds[0].redirects[0].target.value, "");
}

TEST(SplitShell, GapsInOriginsMapAcrossTheJoin) {
  // A continuation-joined line: "RUN chown 1001 \\\n    /app && id" becomes "chown 1001 /app && id".
  SourceFile source("t", "RUN chown 1001 \\\n    /app && id");
  MappedText joined;
  for (uint32_t i = 4; i < 15; ++i) joined.push(source.text()[i], i);   // "chown 1001 "
  for (uint32_t i = 21; i < source.text().size(); ++i) joined.push(source.text()[i], i);  // "/app && id"
  auto cmds = split_shell(joined, source);
  ASSERT_EQ(all_argv(cmds), (std::vector<Strings>{{"chown", "1001", "/app"}, {"id"}}));
  EXPECT_EQ(where(cmds[0].argv[0].range), "1:5-1:10");
  EXPECT_EQ(where(cmds[0].argv[2].range), "2:5-2:9");
  EXPECT_EQ(where(cmds[0].range), "1:5-2:9");
  EXPECT_EQ(where(cmds[1].range), "2:13-2:15");
  // A word split by the gap still maps onto both of its pieces.
  SourceFile split_word("t", "ch\\\nown x");
  MappedText glued;
  for (uint32_t i : {0u, 1u, 4u, 5u, 6u, 7u, 8u}) glued.push(split_word.text()[i], i);
  auto glued_cmds = split_shell(glued, split_word);
  ASSERT_EQ(glued_cmds.size(), 1u);
  EXPECT_EQ(glued_cmds[0].argv[0].value, "chown");
  EXPECT_EQ(where(glued_cmds[0].argv[0].range), "1:1-2:4");
}

TEST(SplitShell, RangeHelperForHeredocBodies) {
  SourceFile source("t", "RUN <<EOF\nset -e\nchmod 0777 /data\nEOF\n");
  Range body = source.range(10, 34);
  auto cmds = split_shell_range(source, body);
  ASSERT_EQ(all_argv(cmds), (std::vector<Strings>{{"set", "-e"}, {"chmod", "0777", "/data"}}));
  EXPECT_EQ(where(cmds[1].argv[1].range), "3:7-3:11");
}

TEST(SplitShell, ReservedWordsOnlyInCommandPosition) {
  SourceFile source("t", "echo if then done; \"if\" x; A=1 done");
  auto cmds = split(source);
  EXPECT_EQ(all_argv(cmds), (std::vector<Strings>{{"echo", "if", "then", "done"}, {"if", "x"}, {"done"}}));
}

TEST(SplitShell, DoubleBracketTestKeepsOperators) {
  SourceFile source("t", "[[ -f a && ( -n $b || x < y ) ]] && echo ok");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(argv_of(cmds[0]), (Strings{"[[", "-f", "a", "&&", "(", "-n", "$b", "||", "x", "<", "y", ")", "]]"}));
  EXPECT_EQ(argv_of(cmds[1]), (Strings{"echo", "ok"}));
}

TEST(SplitShell, LiteralFlag) {
  SourceFile source("t", "x *.txt a?b [ab] [ ~/x a~ {a,b} '*' \\* $'a\\tb' plain");
  auto cmds = split(source);
  ASSERT_EQ(cmds.size(), 1u);
  std::vector<bool> literal;
  for (const auto& w : cmds[0].argv) literal.push_back(w.literal);
  EXPECT_EQ(literal, (std::vector<bool>{true, false, false, false, true, false, true, false, true, true, true, true}));
  EXPECT_EQ(cmds[0].argv[10].value, "a\tb");
}

TEST(SplitShell, ProcessSubstitution) {
  SourceFile source("t", "diff <(sort a) <(sort b)");
  auto cmds = split(source);
  ASSERT_EQ(all_argv(cmds), (std::vector<Strings>{{"diff", "<(sort a)", "<(sort b)"}, {"sort", "a"}, {"sort", "b"}}));
  EXPECT_EQ(cmds[2].depth, 1);
}

TEST(SplitShell, UnbalancedInputIsBestEffort) {
  {
    SourceFile source("t", "echo 'unterminated && rm x");
    auto cmds = split(source);
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(argv_of(cmds[0]), (Strings{"echo", "unterminated && rm x"}));
  }
  {
    SourceFile source("t", "echo \"open $(id");
    auto cmds = split(source);
    ASSERT_EQ(all_argv(cmds), (std::vector<Strings>{{"echo", "open $(id"}, {"id"}}));
  }
  {
    SourceFile source("t", "a ) b ))) ; `c");
    // The unterminated backquote runs to the end: the word "`c" and, inside it, the command c.
    EXPECT_EQ(all_argv(split(source)), (std::vector<Strings>{{"a"}, {"b"}, {"`c"}, {"c"}}));
  }
  {
    SourceFile source("t", "if then fi; case; esac; for; done; x \\");
    EXPECT_EQ(all_argv(split(source)), (std::vector<Strings>{{"x", "\\"}}));
  }
}

TEST(SplitShell, DeepNestingIsBounded) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += "$(";
  deep += "x";
  for (int i = 0; i < 5000; ++i) deep += ")";
  SourceFile source("t", deep);
  auto cmds = split(source);
  EXPECT_FALSE(cmds.empty());
  std::string dash_c;
  for (int i = 0; i < 200; ++i) dash_c += "sh -c '";
  SourceFile nested("t", dash_c);
  EXPECT_FALSE(split(nested).empty());
}

TEST(SplitShell, ArbitraryBytesNeverCrash) {
  std::mt19937 rng(12345);
  const std::string alphabet = std::string("ab $(){}[]'\"`\\;&|<>#\n\t=*?!-~", 29) + std::string("\0\xff\xc3", 3);
  for (int round = 0; round < 3000; ++round) {
    std::string text;
    size_t length = rng() % 60;
    for (size_t i = 0; i < length; ++i) text.push_back(alphabet[rng() % alphabet.size()]);
    SourceFile source("t", text);
    auto cmds = split(source);
    for (const auto& cmd : cmds) {
      EXPECT_LE(cmd.range.begin.offset, cmd.range.end.offset) << text;
      EXPECT_LE(cmd.range.end.offset, text.size()) << text;
      for (const auto& w : cmd.argv) EXPECT_LE(w.range.end.offset, text.size()) << text;
    }
  }
}

}  // namespace
}  // namespace okd
