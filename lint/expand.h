// Variable expansion on instruction arguments, exactly as BuildKit's shell lexer does it
// (frontend/dockerfile/shell/lex.go: ProcessWord, ProcessWords): quote removal, escape handling,
// $VAR, ${VAR}, ${VAR:-x} and friends, ${VAR#pat}, ${VAR%pat}, ${VAR/pat/repl}.
//
// On top of BuildKit's behaviour, values may be *unknown* (an ARG declared without a default whose
// value only arrives with --build-arg): results that depend on one are marked known=false and the
// unknown value is never guessed.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace okd {

struct Var {
  std::string value;
  bool known = true;  // false: declared (ARG without default, no --build-arg) but value unknown
};

// nullptr = the variable is not defined at all (BuildKit expands it to "").
using VarLookup = std::function<const Var*(std::string_view name)>;

struct Expanded {
  std::string value;   // the result; unknown variables contribute ""
  bool known = true;   // false if the result depends on any unknown variable
  std::vector<std::string> referenced;  // variable names in textual order (may repeat)
  // Non-empty when BuildKit would reject the text (unterminated quote, "${}", "${V:?msg}" with V
  // unset, ...). value then holds a best-effort result.
  std::string error;
};

// BuildKit ProcessWord: the whole text as one word. escape is the Dockerfile escape character
// ('\\' or '`').
Expanded process_word(std::string_view text, const VarLookup& lookup, char escape = '\\');

// BuildKit ProcessWords: the text split into fields on unquoted whitespace, where whitespace that
// comes from a variable's value also splits (used for EXPOSE, VOLUME, ...). Each field carries its
// own known flag and referenced names; a field holding only an unknown variable is kept (with an
// empty value) so that callers see that something is there. A text-wide error is reported on
// every field, or on a single empty field when there are none.
std::vector<Expanded> process_words(std::string_view text, const VarLookup& lookup, char escape = '\\');

// A lookup over a fixed list, handy for callers and tests. Later entries win.
struct VarEntry {
  std::string name;
  Var var;
};
VarLookup lookup_from(std::vector<VarEntry> vars);

}  // namespace okd
