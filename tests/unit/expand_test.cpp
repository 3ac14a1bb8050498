#include "lint/expand.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace okd {
namespace {

// FOO=foo, EMPTY="", SPACED="a b  c", PORT=8080, PATHV=/usr/local/bin/tool.tar.gz, UNK declared
// without a value.
VarLookup test_vars() {
  return lookup_from({{"FOO", {"foo", true}},
                      {"EMPTY", {"", true}},
                      {"SPACED", {"a b  c", true}},
                      {"PORT", {"8080", true}},
                      {"PATHV", {"/usr/local/bin/tool.tar.gz", true}},
                      {"UNK", {"", false}}});
}

std::string word(std::string_view text, char escape = '\\') { return process_word(text, test_vars(), escape).value; }

std::vector<std::string> values(const std::vector<Expanded>& fields) {
  std::vector<std::string> out;
  for (const auto& f : fields) out.push_back(f.value);
  return out;
}

using Strings = std::vector<std::string>;

TEST(ProcessWord, PlainTextIsUnchanged) {
  Expanded e = process_word("hello world", test_vars());
  EXPECT_EQ(e.value, "hello world");
  EXPECT_TRUE(e.known);
  EXPECT_TRUE(e.referenced.empty());
  EXPECT_TRUE(e.error.empty());
}

TEST(ProcessWord, SimpleAndBracedVariables) {
  EXPECT_EQ(word("$FOO"), "foo");
  EXPECT_EQ(word("${FOO}"), "foo");
  EXPECT_EQ(word("x$FOO.y"), "xfoo.y");
  EXPECT_EQ(word("${FOO}bar"), "foobar");
  EXPECT_EQ(word("$FOObar"), "");  // the name is FOObar
  EXPECT_EQ(word("$NOPE|${NOPE}|"), "||");
}

TEST(ProcessWord, DefaultModifiers) {
  EXPECT_EQ(word("${FOO:-x}"), "foo");
  EXPECT_EQ(word("${EMPTY:-x}"), "x");
  EXPECT_EQ(word("${NOPE:-x}"), "x");
  EXPECT_EQ(word("${FOO-x}"), "foo");
  EXPECT_EQ(word("${EMPTY-x}"), "");
  EXPECT_EQ(word("${NOPE-x}"), "x");
  EXPECT_EQ(word("${NOPE:-$FOO/bin}"), "foo/bin");
  EXPECT_EQ(word("${NOPE:-'a b'}"), "a b");
}

TEST(ProcessWord, AlternativeModifiers) {
  EXPECT_EQ(word("${FOO:+x}"), "x");
  EXPECT_EQ(word("${EMPTY:+x}"), "");
  EXPECT_EQ(word("${NOPE:+x}"), "");
  EXPECT_EQ(word("${FOO+x}"), "x");
  EXPECT_EQ(word("${EMPTY+x}"), "x");
  EXPECT_EQ(word("${NOPE+x}"), "");
}

TEST(ProcessWord, ErrorModifiers) {
  EXPECT_EQ(word("${FOO:?must be set}"), "foo");
  EXPECT_EQ(word("${EMPTY?must be set}"), "");
  Expanded unset = process_word("${NOPE?}", test_vars());
  EXPECT_EQ(unset.error, "NOPE: is not allowed to be unset");
  Expanded empty = process_word("${EMPTY:?}", test_vars());
  EXPECT_EQ(empty.error, "EMPTY: is not allowed to be empty");
  Expanded message = process_word("${NOPE:?give it}", test_vars());
  EXPECT_EQ(message.error, "NOPE: give it");
  EXPECT_TRUE(process_word("${EMPTY?x}", test_vars()).error.empty());
}

TEST(ProcessWord, PrefixAndSuffixPatterns) {
  EXPECT_EQ(word("${PATHV#*/}"), "usr/local/bin/tool.tar.gz");
  EXPECT_EQ(word("${PATHV##*/}"), "tool.tar.gz");
  EXPECT_EQ(word("${PATHV%.*}"), "/usr/local/bin/tool.tar");
  EXPECT_EQ(word("${PATHV%%.*}"), "/usr/local/bin/tool");
  EXPECT_EQ(word("${PATHV#/usr}"), "/local/bin/tool.tar.gz");
  EXPECT_EQ(word("${PATHV%nomatch}"), "/usr/local/bin/tool.tar.gz");
  EXPECT_EQ(word("${PORT#?}"), "080");
  EXPECT_EQ(word("${PORT%?0}"), "80");
  EXPECT_EQ(word("${FOO:#f}"), "oo");
  // An escaped star is literal.
  EXPECT_EQ(process_word("${V#\\*}", lookup_from({{"V", {"*x", true}}})).value, "x");
  // '*' and '?' do not cross newlines (Go's '.').
  EXPECT_EQ(process_word("${V#*b}", lookup_from({{"V", {"a\nb", true}}})).value, "a\nb");
}

TEST(ProcessWord, Replacement) {
  EXPECT_EQ(word("${PATHV/local/opt}"), "/usr/opt/bin/tool.tar.gz");
  EXPECT_EQ(word("${PATHV//\\//_}"), "_usr_local_bin_tool.tar.gz");
  EXPECT_EQ(word("${PATHV/\\//_}"), "_usr/local/bin/tool.tar.gz");
  EXPECT_EQ(word("${PATHV/t*l/X}"), "/usr/local/bin/X.tar.gz");  // greedy: tool → t..l
  EXPECT_EQ(word("${FOO//o/0}"), "f00");
  EXPECT_EQ(word("${FOO/x/y}"), "foo");
  // Go's ReplaceAll rules for empty matches: between every rune and at both ends.
  EXPECT_EQ(word("${FOO///-}"), "-f-o-o-");
  // An undefined variable is the empty string, which an empty pattern still matches.
  EXPECT_EQ(word("${NOPE///x}"), "x");
  // "${V//x}" is replace-all with the pattern "x" and no replacement part: an error.
  EXPECT_FALSE(process_word("${NOPE//x}", test_vars()).error.empty());
  Expanded missing = process_word("${FOO/x}", test_vars());
  EXPECT_FALSE(missing.error.empty());
}

// Cases from BuildKit's own lexer tests (lex_test.go TestProcessWithMatches), which pin down the
// pattern semantics that are easy to get subtly wrong.
struct BuildKitCase {
  std::string input;
  std::vector<VarEntry> vars;
  std::string expected;
};

TEST(ProcessWord, MatchesBuildKitPatternCases) {
  const std::vector<BuildKitCase> cases = {
      {"${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}", {{"FOO", {"xxx"}}, {"BAR", {""}}}, "xxx  ccc"},
      {"${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}", {{"FOO", {"xxx"}}, {"BAR", {""}}}, "aaa  "},
      {"${FOO#()[]{\\}^$.\\*\\?|\\\\}", {{"FOO", {"()[]{}^$.*?|\\x"}}}, "x"},
      {"${FOO%%\\**}", {{"FOO", {"xx**"}}}, "xx"},
      {"${FOO#*x*y}", {{"FOO", {"xxyy"}}}, "y"},
      {"${FOO#*}", {{"FOO", {"xxyy"}}}, "xxyy"},
      {"${FOO##*x}", {{"FOO", {"xxyy"}}}, "yy"},
      {"${FOO#?\\?}", {{"FOO", {"???y"}}}, "?y"},
      {"${FOO%%\\**\\*}", {{"FOO", {"a***yy*"}}}, "a"},
      {"${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}", {{"FOO", {"/foo*/*/*.txt"}}, {"NEEDLE", {"\\*/"}}},
       "/foo.*/*.txt - /foo..*.txt"},
      {"${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}", {{"FOO", {"/tmp/tmp/bar.txt"}}, {"NEEDLE", {"/tmp"}}},
       "/tmp/bar.txt - /bar.txt"},
      {"${FOO/$N/$R} - ${FOO//$N/$R}", {{"FOO", {"/a/foo/b/c.txt"}}, {"N", {"/?/"}}, {"R", {"/"}}},
       "/foo/b/c.txt - /foo/c.txt"},
      {"${FOO//\\//\\/}", {{"FOO", {"/tmp/foo.txt"}}}, "\\/tmp\\/foo.txt"},
      {"${FOO/$BAR/ww}", {{"FOO", {"xxyy"}}, {"BAR", {""}}}, "wwxxyy"},
      {"${FOO///}", {{"FOO", {"xxyy"}}}, "xxyy"},
      {"something-${V}.${OS}-${ARCH}${VARIANT:+-${VARIANT}}.tar.gz",
       {{"V", {"v1.2.3"}}, {"OS", {"linux"}}, {"ARCH", {"arm"}}, {"VARIANT", {"v7"}}},
       "something-v1.2.3.linux-arm-v7.tar.gz"},
  };
  for (const auto& c : cases) {
    Expanded e = process_word(c.input, lookup_from(c.vars));
    EXPECT_EQ(e.value, c.expected) << c.input;
    EXPECT_TRUE(e.error.empty()) << c.input << ": " << e.error;
  }
  for (std::string_view bad : {"${FOO=aaa}", "${FOO=:aaa}", "${FOO//ww}", "${FOO//}"}) {
    EXPECT_FALSE(process_word(bad, lookup_from({{"FOO", {"xxx"}}})).error.empty()) << bad;
  }
}

TEST(ProcessWord, UnknownVariablesAreNeverGuessed) {
  auto vars = test_vars();
  for (std::string_view text : {"$UNK", "${UNK}", "a${UNK}b", "${UNK:-x}", "${UNK-x}", "${UNK:+x}", "${UNK+x}",
                                "${UNK:?m}", "${UNK#x}", "${UNK%x}", "${UNK/a/b}", "\"$UNK\"", "${NOPE:-$UNK}",
                                "${FOO#$UNK}", "${FOO/$UNK/x}"}) {
    Expanded e = process_word(text, vars);
    EXPECT_FALSE(e.known) << text;
    EXPECT_TRUE(e.error.empty()) << text;
  }
  Expanded partial = process_word("a${UNK}b", vars);
  EXPECT_EQ(partial.value, "ab");
  // When the alternative is not taken, its unknown content does not matter.
  EXPECT_TRUE(process_word("${FOO:-$UNK}", vars).known);
  EXPECT_TRUE(process_word("${NOPE:+$UNK}", vars).known);
  EXPECT_TRUE(process_word("'$UNK'", vars).known);
  EXPECT_TRUE(process_word("\\$UNK", vars).known);
}

TEST(ProcessWord, ReferencedNamesInTextualOrder) {
  Expanded e = process_word("$FOO ${NOPE:-$PORT} \"${FOO}\" '$SKIP' \\$ESC ${PATHV#$EMPTY}", test_vars());
  EXPECT_EQ(e.referenced, (Strings{"FOO", "NOPE", "PORT", "FOO", "PATHV", "EMPTY"}));
}

TEST(ProcessWord, Quotes) {
  EXPECT_EQ(word("'$FOO'"), "$FOO");
  EXPECT_EQ(word("\"$FOO\""), "foo");
  EXPECT_EQ(word("\"a 'b' c\""), "a 'b' c");
  EXPECT_EQ(word("'a \"b\" c'"), "a \"b\" c");
  EXPECT_EQ(word("a\"b\"'c'd"), "abcd");
  EXPECT_EQ(word("\"\""), "");
  EXPECT_EQ(word("'\\'"), "\\");
}

TEST(ProcessWord, BackslashEscapes) {
  EXPECT_EQ(word("\\$FOO"), "$FOO");
  EXPECT_EQ(word("a\\ b"), "a b");
  EXPECT_EQ(word("\\\\"), "\\");
  EXPECT_EQ(word("\\'x\\'"), "'x'");
  EXPECT_EQ(word("abc\\"), "abc");  // a trailing escape is dropped
  // Inside double quotes only \" \$ and \\ are escapes.
  EXPECT_EQ(word("\"\\$FOO \\\" \\\\ \\n\""), "$FOO \" \\ \\n");
}

TEST(ProcessWord, BacktickEscape) {
  EXPECT_EQ(word("`$FOO", '`'), "$FOO");
  EXPECT_EQ(word("C:`\\dir", '`'), "C:\\dir");
  EXPECT_EQ(word("C:\\dir", '`'), "C:\\dir");  // backslash is an ordinary character
  EXPECT_EQ(word("\"`\"x`$FOO\"", '`'), "\"x$FOO");
  EXPECT_EQ(word("\"\\$FOO\"", '`'), "\\foo");
}

TEST(ProcessWord, DollarEdgeCases) {
  EXPECT_EQ(word("$"), "$");
  EXPECT_EQ(word("a$"), "a$");
  EXPECT_EQ(word("$ x"), "$ x");
  EXPECT_EQ(word("$/"), "$/");
  Expanded digits = process_word("$12x", test_vars());
  EXPECT_EQ(digits.value, "x");
  EXPECT_EQ(digits.referenced, (Strings{"12"}));
  Expanded special = process_word("$?$@$$", test_vars());
  EXPECT_EQ(special.value, "");
  EXPECT_EQ(special.referenced, (Strings{"?", "@", "$"}));
  EXPECT_EQ(word("${1:-one}"), "one");
}

TEST(ProcessWord, MalformedInputReportsErrorsWithoutCrashing) {
  for (std::string_view text : {"${", "${FOO", "${FOO:-x", "${}", "${:x}", "${{x}}", "${FOO!x}", "'open", "\"open",
                                "\"open\\", "${FOO/x", "${FOO:x}", "${PATHV#\\a}"}) {
    Expanded e = process_word(text, test_vars());
    EXPECT_FALSE(e.error.empty()) << text;
  }
  EXPECT_EQ(process_word("'open", test_vars()).value, "open");
  std::string junk("a\0b\xff\xfe$\xc3", 7);
  Expanded e = process_word(junk, test_vars());
  EXPECT_EQ(e.value, junk);
}

TEST(ProcessWord, NonAsciiNames) {
  auto vars = lookup_from({{"ÄRG", {"v", true}}, {"A", {"a", true}}});
  EXPECT_EQ(process_word("$ÄRG", vars).value, "v");
  // A no-break space ends a name, as it is not a letter.
  EXPECT_EQ(process_word("$A\u00a0x", vars).value, "a\u00a0x");
}

TEST(ProcessWords, SplitsOnUnquotedWhitespace) {
  auto vars = test_vars();
  EXPECT_EQ(values(process_words("80 443/tcp  9000", vars)), (Strings{"80", "443/tcp", "9000"}));
  EXPECT_EQ(values(process_words("  lead trail  ", vars)), (Strings{"lead", "trail"}));
  EXPECT_EQ(values(process_words("'a b' \"c d\" e\\ f", vars)), (Strings{"a b", "c d", "e f"}));
  EXPECT_EQ(values(process_words("", vars)), Strings{});
}

TEST(ProcessWords, VariableValuesSplitButQuotedOnesDoNot) {
  auto vars = test_vars();
  EXPECT_EQ(values(process_words("$SPACED", vars)), (Strings{"a", "b", "c"}));
  EXPECT_EQ(values(process_words("x$SPACED", vars)), (Strings{"xa", "b", "c"}));
  EXPECT_EQ(values(process_words("\"$SPACED\"", vars)), (Strings{"a b  c"}));
  EXPECT_EQ(values(process_words("${NOPE:-1 2}", vars)), (Strings{"1", "2"}));
  EXPECT_EQ(values(process_words("$PORT/tcp $EMPTY 22", vars)), (Strings{"8080/tcp", "22"}));
}

TEST(ProcessWords, EmptyQuotedFieldsVanishLikeInBuildKit) {
  EXPECT_EQ(values(process_words("a \"\" b", test_vars())), (Strings{"a", "b"}));
}

TEST(ProcessWords, UnknownFieldsAreKeptAndMarked) {
  auto fields = process_words("80 $UNK ${PORT}", test_vars());
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[0].value, "80");
  EXPECT_TRUE(fields[0].known);
  EXPECT_EQ(fields[1].value, "");
  EXPECT_FALSE(fields[1].known);
  EXPECT_EQ(fields[1].referenced, (Strings{"UNK"}));
  EXPECT_EQ(fields[2].value, "8080");
  EXPECT_TRUE(fields[2].known);
  EXPECT_EQ(fields[2].referenced, (Strings{"PORT"}));

  auto glued = process_words("$UNK/tcp", test_vars());
  ASSERT_EQ(glued.size(), 1u);
  EXPECT_EQ(glued[0].value, "/tcp");
  EXPECT_FALSE(glued[0].known);
}

TEST(ProcessWords, ReferencesFollowTheirFields) {
  auto fields = process_words("$SPACED $FOO", test_vars());
  ASSERT_EQ(fields.size(), 4u);
  EXPECT_EQ(fields[0].referenced, (Strings{"SPACED"}));
  EXPECT_EQ(fields[2].referenced, (Strings{"SPACED"}));
  EXPECT_EQ(fields[3].referenced, (Strings{"FOO"}));
}

TEST(ProcessWords, ErrorsAreReported) {
  auto fields = process_words("80 'open", test_vars());
  ASSERT_FALSE(fields.empty());
  for (const auto& f : fields) EXPECT_FALSE(f.error.empty());
  auto only_error = process_words("${", test_vars());
  ASSERT_EQ(only_error.size(), 1u);
  EXPECT_FALSE(only_error[0].error.empty());
}

TEST(ProcessWord, EmptyLookupTreatsEverythingAsUndefined) {
  EXPECT_EQ(process_word("a$X${Y:-z}", VarLookup{}).value, "az");
}

}  // namespace
}  // namespace okd
