// The Containerfile syntax tree: what BuildKit's parser produces, plus exact source ranges for
// every instruction, flag, argument word and heredoc, so that rules can point at and fixes can
// edit the exact bytes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "lint/diagnostic.h"
#include "lint/source.h"

namespace okd {

// One argument node as BuildKit's Dump() prints it. value is BuildKit's node value (for JSON form
// the decoded string; for shell form the raw text). range covers the word's raw source bytes.
struct Word {
  std::string value;
  Range range;
};

// A leading `--name=value` flag. text is what BuildKit prints ("--chown=a b" with quotes removed and
// escapes processed); name is "chown", value "a b" (nullopt for a bare `--flag`).
struct Flag {
  std::string text;
  std::string name;
  std::optional<std::string> value;
  Range range;        // the whole raw flag word
  Range value_range;  // the raw value after '=' (empty range at the end of the word when no '=')
};

// `[N]<<[-]WORD` in RUN/COPY/ADD and its body.
struct Heredoc {
  std::string name;       // terminator word after quote removal
  int fd = 0;             // N in `N<<EOF`, default 0
  bool expand = true;     // false when the word was quoted
  bool chomp = false;     // `<<-`
  std::string content;    // body lines, each with "\n", terminator excluded
  Range word_range;       // `<<EOF` in the instruction line
  Range body_range;       // the body bytes (may be empty)
  Range terminator_range; // the terminator line (without its line break)
};

// ENV / LABEL pair. equals is false for the legacy `ENV KEY value` syntax.
struct KeyValue {
  std::string key;
  std::string value;  // raw, quotes kept (as BuildKit's node)
  Range key_range;
  Range value_range;
  bool equals = true;
};

struct Instruction {
  std::string keyword;    // as written ("Run")
  std::string cmd;        // lower-case ("run"); what BuildKit dumps
  Range range;            // keyword to the end of the logical line, heredoc bodies excluded
  Range full_range;       // including heredoc bodies and their terminators
  Range keyword_range;
  std::vector<Flag> flags;
  std::vector<Word> args;  // BuildKit's argument nodes (ENV/LABEL: key, value, sep triples)
  std::vector<KeyValue> pairs;  // ENV/LABEL only
  bool json_form = false;  // RUN/CMD/ENTRYPOINT/SHELL/ADD/COPY/VOLUME/HEALTHCHECK given as JSON
  // The logical text after the keyword and the flags, continuations removed, quoting as written,
  // each byte mapped to its source offset. The shell splitter works on this.
  MappedText rest;
  std::vector<Heredoc> heredocs;
  std::vector<Instruction> onbuild;  // ONBUILD: exactly one nested instruction
  uint32_t start_line = 0;
  uint32_t end_line = 0;

  const Flag* flag(std::string_view name) const;
};

struct Directive {
  std::string name;   // lower-case: "syntax", "escape", "check"
  std::string value;
  Range range;
};

struct Comment {
  std::string text;   // after '#', untrimmed
  Range range;        // the whole comment line from '#'
};

struct ParsedDockerfile {
  std::vector<Directive> directives;
  char escape = '\\';
  std::vector<Instruction> instructions;
  std::vector<Comment> comments;
  // Parse problems (rule OKD001) and warnings such as empty continuation lines. The tree holds
  // everything that could still be parsed.
  std::vector<Diagnostic> errors;
  // OKD001 errors of BuildKit's instruction layer (frontend/dockerfile/instructions) on a tree its
  // parser accepts: a bare USER or FROM, no FROM, a blank ENV/LABEL name. The tree is complete, so
  // these do not stop fixes; has_errors() does not count them.
  std::vector<Diagnostic> instruction_errors;
  bool has_errors() const;
};

ParsedDockerfile parse_dockerfile(const SourceFile& source);

// BuildKit's AST.Dump() format (see tests/data/buildkit-parser/README.md), one line per
// instruction, without the trailing newline the upstream result files add.
std::string dump_buildkit(const ParsedDockerfile& parsed);

// Go's strconv.Quote, as BuildKit's dump uses it.
std::string go_quote(std::string_view s);

}  // namespace okd
