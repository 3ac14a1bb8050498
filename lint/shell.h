// Splits shell text (shell-form RUN/CMD/ENTRYPOINT, RUN heredoc bodies) into the simple commands it
// runs, with exact source ranges for every word, so that rules can ask "which commands run, with
// which arguments" and point at the bytes.
//
// This is not a shell: nothing is expanded or executed. Control structures (if/for/while/case,
// subshells, groups, functions) are looked through and the commands inside them are emitted;
// commands inside $(...), `...`, <(...) and the string of `sh -c '...'` are emitted too, one level
// deeper. Any input is accepted: malformed text gives a best-effort result.
#pragma once

#include <string>
#include <vector>

#include "lint/source.h"

namespace okd {

struct ShellWord {
  // After quote removal and backslash-escape processing; $VAR, ${..}, $(..), $((..)) and `..` are
  // kept verbatim.
  std::string value;
  std::string raw;  // the word as written
  Range range;      // the source bytes of the raw word
  // false when value still holds an expansion, a command substitution, a leading ~, a brace
  // expansion or an unquoted glob character, i.e. when the shell would not pass value as-is.
  bool literal = true;
};

struct Redirect {
  std::string op;  // ">", ">>", "<", "<<", "<<-", "<<<", "<>", ">|", ">&", "<&", "&>", "&>>", with an
                   // fd prefix when written ("2>", "2>&")
  ShellWord target;  // the file, fd, or heredoc delimiter (empty when missing)
};

struct SimpleCommand {
  std::vector<ShellWord> assignments;  // leading NAME=value / NAME+=value words
  std::vector<ShellWord> argv;         // argv[0] is the command name; empty for `A=1` or `> f`
  std::vector<Redirect> redirects;
  Range range;                         // from the first to the last word or redirection
  int depth = 0;  // 0 top level; +1 inside $(..), `..`, <(..) or the string of `sh -c '...'`
};

// The commands in source order (by range start; a command before those nested in it).
// `[[ ... ]]` is kept as a command named "[[" with its operators as words; reserved words
// (if, then, for, do, case, esac, {, }, !, function, ...) are never argv[0]. Heredoc bodies
// inside the text are skipped; their delimiter is the redirect target.
std::vector<SimpleCommand> split_shell(const MappedText& text, const SourceFile& source);

// The same for a contiguous source range, e.g. a heredoc body.
std::vector<SimpleCommand> split_shell_range(const SourceFile& source, Range range);

// A MappedText holding source bytes [range.begin, range.end) unchanged.
MappedText mapped_source_range(const SourceFile& source, Range range);

}  // namespace okd
