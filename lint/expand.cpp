#include "lint/expand.h"

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>

namespace okd {
namespace {

// ---------------------------------------------------------------------------------------------
// UTF-8 helpers. BuildKit scans runes; specials are all ASCII, so bytes are compared directly and
// only copying and whitespace tests care about whole runes. Invalid bytes pass through unchanged.

size_t rune_length(std::string_view s, size_t pos) {
  auto lead = static_cast<unsigned char>(s[pos]);
  size_t len = lead < 0x80 ? 1 : (lead >> 5) == 0x6 ? 2 : (lead >> 4) == 0xE ? 3 : (lead >> 3) == 0x1E ? 4 : 1;
  if (pos + len > s.size()) return 1;
  for (size_t i = 1; i < len; ++i) {
    if ((static_cast<unsigned char>(s[pos + i]) & 0xC0) != 0x80) return 1;
  }
  return len;
}

// Code point of a rune, or 0x110000 + byte for an invalid byte (so it only equals itself).
uint32_t decode_rune(std::string_view rune) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(rune[i])); };
  switch (rune.size()) {
    case 1: return b(0) < 0x80 ? b(0) : 0x110000 + b(0);
    case 2: return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3: return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default: return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

void append_rune(std::string& out, uint32_t cp) {
  if (cp >= 0x110000) {
    out.push_back(static_cast<char>(cp - 0x110000));
  } else if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::vector<uint32_t> decode_all(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    size_t len = rune_length(s, i);
    out.push_back(decode_rune(s.substr(i, len)));
    i += len;
  }
  return out;
}

std::string encode_all(const std::vector<uint32_t>& runes, size_t begin = 0, size_t end = SIZE_MAX) {
  std::string out;
  end = std::min(end, runes.size());
  for (size_t i = begin; i < end; ++i) append_rune(out, runes[i]);
  return out;
}

// Go's unicode.IsSpace.
bool is_space(uint32_t cp) {
  switch (cp) {
    case '\t': case '\n': case '\v': case '\f': case '\r': case ' ': case 0x85: case 0xA0:
    case 0x1680: case 0x2028: case 0x2029: case 0x202F: case 0x205F: case 0x3000:
      return true;
    default:
      return cp >= 0x2000 && cp <= 0x200A;
  }
}

bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }
bool is_ascii_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_ascii_digit(c) || c == '_';
}
// POSIX special parameters ($@, $*, ...); '0' is caught by the digit rule first.
bool is_special_param(char c) {
  return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' || c == '0';
}

// ---------------------------------------------------------------------------------------------
// Shell patterns for ${v#p}, ${v%p}, ${v/p/r}. BuildKit turns them into Go regexps ('*' → ".*" or
// ".*?", '?' → '.', which do not match '\n') and lets leftmost-first matching pick the result; a
// backtracking matcher that tries alternatives in the same order gives the same answers.

struct PatternToken {
  enum Kind { Literal, AnyRune, Star } kind = Literal;
  uint32_t rune = 0;
};

struct Pattern {
  std::vector<PatternToken> tokens;
  std::string error;
};

Pattern parse_pattern(std::string_view text) {
  Pattern pattern;
  std::vector<uint32_t> runes = decode_all(text);
  for (size_t i = 0; i < runes.size(); ++i) {
    uint32_t r = runes[i];
    if (r == '*') {
      pattern.tokens.push_back({PatternToken::Star, 0});
    } else if (r == '?') {
      pattern.tokens.push_back({PatternToken::AnyRune, 0});
    } else if (r == '\\') {
      // "\}" and "\/" only protect the delimiter; the backslash is not part of the pattern.
      if (i + 1 < runes.size() && (runes[i + 1] == '}' || runes[i + 1] == '/')) continue;
      if (i + 1 >= runes.size() || (runes[i + 1] != '*' && runes[i + 1] != '?' && runes[i + 1] != '\\')) {
        pattern.error = "invalid escape in pattern";
        return pattern;
      }
      pattern.tokens.push_back({PatternToken::Literal, runes[++i]});
    } else {
      pattern.tokens.push_back({PatternToken::Literal, r});
    }
  }
  return pattern;
}

class PatternMatcher {
 public:
  PatternMatcher(const std::vector<PatternToken>& tokens, const std::vector<uint32_t>& subject, bool greedy)
      : tokens_(tokens), subject_(subject), greedy_(greedy) {}

  // End of the preferred match starting at `start`, if any.
  std::optional<size_t> match_at(size_t start) { return match(0, start); }
  // Leftmost match at or after `from`: {begin, end}.
  std::optional<std::pair<size_t, size_t>> find(size_t from) {
    for (size_t s = from; s <= subject_.size(); ++s) {
      if (auto end = match_at(s)) return std::make_pair(s, *end);
      if (gave_up()) return std::nullopt;
    }
    return std::nullopt;
  }
  // Pathological patterns (many stars on long values) stop early; the caller marks them unknown.
  bool gave_up() const { return steps_ > kStepBudget; }

 private:
  static constexpr size_t kStepBudget = 200000;

  std::optional<size_t> match(size_t ti, size_t si) {
    if (++steps_ > kStepBudget) return std::nullopt;
    if (ti == tokens_.size()) return si;
    const PatternToken& tok = tokens_[ti];
    switch (tok.kind) {
      case PatternToken::Literal:
        if (si < subject_.size() && subject_[si] == tok.rune) return match(ti + 1, si + 1);
        return std::nullopt;
      case PatternToken::AnyRune:
        if (si < subject_.size() && subject_[si] != '\n') return match(ti + 1, si + 1);
        return std::nullopt;
      case PatternToken::Star:
        break;
    }
    size_t limit = si;
    while (limit < subject_.size() && subject_[limit] != '\n') ++limit;
    for (size_t n = 0; n <= limit - si; ++n) {
      size_t take = greedy_ ? limit - n : si + n;
      if (auto end = match(ti + 1, take)) return end;
      if (gave_up()) return std::nullopt;
    }
    return std::nullopt;
  }

  const std::vector<PatternToken>& tokens_;
  const std::vector<uint32_t>& subject_;
  bool greedy_;
  size_t steps_ = 0;
};

struct PatternResult {
  std::string value;
  bool known = true;
  std::string error;
};

// ${v#p} / ${v##p}; for ${v%p} / ${v%%p} BuildKit reverses pattern and value and trims a prefix.
PatternResult trim_affix(std::string_view pattern_text, std::string_view value, bool greedy, bool suffix) {
  Pattern pattern = parse_pattern(pattern_text);
  if (!pattern.error.empty()) return {"", true, pattern.error};
  std::vector<uint32_t> subject = decode_all(value);
  if (suffix) {
    std::reverse(pattern.tokens.begin(), pattern.tokens.end());
    std::reverse(subject.begin(), subject.end());
  }
  PatternMatcher matcher(pattern.tokens, subject, greedy);
  std::optional<size_t> end = matcher.match_at(0);
  if (matcher.gave_up()) return {"", false, ""};
  if (end) subject.erase(subject.begin(), subject.begin() + static_cast<long>(*end));
  if (suffix) std::reverse(subject.begin(), subject.end());
  return {encode_all(subject), true, ""};
}

// Go's Regexp.Expand on a template for a pattern without groups: "$$" is '$', "$0"/"${0}" the whole
// match, other names nothing, and a '$' that starts no name stays.
std::string expand_go_template(std::string_view tmpl, std::string_view match) {
  std::string out;
  size_t i = 0;
  while (i < tmpl.size()) {
    if (tmpl[i] != '$') {
      out.push_back(tmpl[i++]);
      continue;
    }
    ++i;
    if (i < tmpl.size() && tmpl[i] == '$') {
      out.push_back('$');
      ++i;
      continue;
    }
    bool brace = i < tmpl.size() && tmpl[i] == '{';
    size_t name_begin = i + (brace ? 1 : 0);
    size_t name_end = name_begin;
    while (name_end < tmpl.size() && (is_ascii_name_char(tmpl[name_end]) ||
                                      static_cast<unsigned char>(tmpl[name_end]) >= 0x80)) {
      ++name_end;
    }
    bool closed = !brace || (name_end < tmpl.size() && tmpl[name_end] == '}');
    if (name_end == name_begin || !closed) {
      out.push_back('$');
      continue;
    }
    std::string_view name = tmpl.substr(name_begin, name_end - name_begin);
    if (name == "0") out.append(match);
    i = name_end + (brace ? 1 : 0);
  }
  return out;
}

// ${v/p/r} (first match) and ${v//p/r} (all matches, with Go's ReplaceAllString semantics).
PatternResult replace_pattern(std::string_view pattern_text, std::string_view replacement, std::string_view value,
                              bool all) {
  Pattern pattern = parse_pattern(pattern_text);
  if (!pattern.error.empty()) return {"", true, pattern.error};
  std::vector<uint32_t> subject = decode_all(value);
  PatternMatcher matcher(pattern.tokens, subject, /*greedy=*/true);
  if (!all) {
    auto found = matcher.find(0);
    if (matcher.gave_up()) return {"", false, ""};
    if (!found) return {std::string(value), true, ""};
    return {encode_all(subject, 0, found->first) + std::string(replacement) + encode_all(subject, found->second),
            true, ""};
  }
  std::string out;
  size_t last_end = 0;
  size_t search = 0;
  while (search <= subject.size()) {
    auto found = matcher.find(search);
    if (matcher.gave_up()) return {"", false, ""};
    if (!found) break;
    auto [begin, end] = *found;
    out += encode_all(subject, last_end, begin);
    // No replacement for an empty match right after the previous match (Go's rule).
    if (end > last_end || begin == 0) out += expand_go_template(replacement, encode_all(subject, begin, end));
    last_end = end;
    search = std::max(search + 1, end);
  }
  out += encode_all(subject, last_end);
  return {out, true, ""};
}

// ---------------------------------------------------------------------------------------------
// Expansion proper, following lex.go function by function.

struct Piece {
  std::string text;
  bool known = true;
};

// BuildKit's wordsStruct, extended with known flags and referenced names per field.
class FieldSplitter {
 public:
  void add_char(std::string_view rune) {
    if (is_space(decode_rune(rune))) {
      if (in_word_ && (!word_.empty() || forced_)) finish_word();
    } else {
      add_raw_char(rune);
    }
  }
  void add_raw_char(std::string_view rune) {
    word_.append(rune);
    in_word_ = true;
  }
  // Text from a $ expansion: its whitespace splits fields.
  void add_split(const Piece& piece, const std::vector<std::string>& refs) {
    size_t first = fields_.size();
    for (size_t i = 0; i < piece.text.size();) {
      size_t len = rune_length(piece.text, i);
      add_char(std::string_view(piece.text).substr(i, len));
      i += len;
    }
    attach(first, piece, refs);
  }
  // Quoted text: one piece of the current field, whatever it contains.
  void add_unsplit(const Piece& piece, const std::vector<std::string>& refs) {
    size_t first = fields_.size();
    word_ += piece.text;
    in_word_ = true;
    attach(first, piece, refs);
  }
  std::vector<Expanded> take() {
    if (!word_.empty() || forced_) finish_word();
    return std::move(fields_);
  }

 private:
  void attach(size_t first, const Piece& piece, const std::vector<std::string>& refs) {
    bool touches_current = in_word_ || fields_.size() == first;
    for (size_t i = first; i < fields_.size(); ++i) {
      fields_[i].referenced.insert(fields_[i].referenced.end(), refs.begin(), refs.end());
      if (!piece.known) fields_[i].known = false;
    }
    if (touches_current) current_refs_.insert(current_refs_.end(), refs.begin(), refs.end());
    if (!piece.known && touches_current) {
      // An unknown value may be anything, so its field exists even when it is empty here.
      current_known_ = false;
      forced_ = true;
      in_word_ = true;
    }
  }
  void finish_word() {
    fields_.push_back({std::move(word_), current_known_, std::move(current_refs_), ""});
    word_.clear();
    current_refs_.clear();
    current_known_ = true;
    forced_ = false;
    in_word_ = false;
  }

  std::vector<Expanded> fields_;
  std::string word_;
  std::vector<std::string> current_refs_;
  bool in_word_ = false;
  bool current_known_ = true;
  bool forced_ = false;
};

class Expander {
 public:
  Expander(std::string_view text, const VarLookup& lookup, char escape)
      : text_(text), lookup_(lookup), escape_(escape) {}

  Expanded run(FieldSplitter* fields) {
    Stopped top = process_until(-1, /*raw_escapes=*/false, fields);
    return {std::move(top.piece.text), top.piece.known, std::move(refs_), std::move(error_)};
  }

 private:
  struct Stopped {
    Piece piece;
    bool found_stop = false;
  };

  bool at_end() const { return pos_ >= text_.size(); }
  int peek() const { return at_end() ? -1 : static_cast<unsigned char>(text_[pos_]); }
  std::string_view next_rune() {
    if (at_end()) return {};
    size_t len = rune_length(text_, pos_);
    std::string_view rune = text_.substr(pos_, len);
    pos_ += len;
    return rune;
  }
  bool is_escape(std::string_view rune) const { return rune.size() == 1 && rune[0] == escape_; }
  void fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
  }
  std::vector<std::string> refs_since(size_t mark) const {
    return {refs_.begin() + static_cast<long>(mark), refs_.end()};
  }

  // processStopOn: read until `stop` (or the end when stop < 0), handling quotes, escapes and $.
  Stopped process_until(int stop, bool raw_escapes, FieldSplitter* fields) {
    bool saved_raw = raw_escapes_;
    raw_escapes_ = raw_escapes;
    Stopped out;
    while (!at_end()) {
      int c = peek();
      if (stop >= 0 && c == stop) {
        ++pos_;
        out.found_stop = true;
        break;
      }
      if (c == '$' || c == '\'' || c == '"') {
        size_t mark = refs_.size();
        Piece piece = c == '$' ? dollar() : c == '\'' ? single_quote() : double_quote();
        out.piece.text += piece.text;
        out.piece.known = out.piece.known && piece.known;
        if (fields && c == '$') fields->add_split(piece, refs_since(mark));
        if (fields && c != '$') fields->add_unsplit(piece, refs_since(mark));
        continue;
      }
      std::string_view rune = next_rune();
      if (is_escape(rune)) {
        if (raw_escapes_) {
          if (fields) fields->add_raw_char(rune);
          out.piece.text += rune;
        }
        if (at_end()) break;  // a trailing escape is dropped
        rune = next_rune();
        if (fields) fields->add_raw_char(rune);
      } else if (fields) {
        fields->add_char(rune);
      }
      out.piece.text += rune;
    }
    if (stop >= 0 && !out.found_stop) {
      fail(std::string("unexpected end of statement while looking for matching ") + static_cast<char>(stop));
    }
    raw_escapes_ = saved_raw;
    return out;
  }

  Piece single_quote() {
    ++pos_;  // opening quote
    size_t close = text_.find('\'', pos_);
    if (close == std::string_view::npos) {
      fail("unexpected end of statement while looking for matching single-quote");
      close = text_.size();
    }
    Piece piece{std::string(text_.substr(pos_, close - pos_)), true};
    pos_ = std::min(close + 1, text_.size());
    return piece;
  }

  Piece double_quote() {
    ++pos_;  // opening quote
    Piece piece;
    while (true) {
      int c = peek();
      if (c < 0) {
        fail("unexpected end of statement while looking for matching double-quote");
        return piece;
      }
      if (c == '"') {
        ++pos_;
        return piece;
      }
      if (c == '$') {
        Piece inner = dollar();
        piece.text += inner.text;
        piece.known = piece.known && inner.known;
        continue;
      }
      std::string_view rune = next_rune();
      if (is_escape(rune)) {
        if (raw_escapes_) piece.text += rune;
        int after = peek();
        if (after < 0) continue;
        // Only ", $ and the escape itself are escapable; other escapes stay as written.
        if (after == '"' || after == '$' || after == static_cast<unsigned char>(escape_)) rune = next_rune();
      }
      piece.text += rune;
    }
  }

  // processName: digits ($1, $10), one special parameter ($?, $@, ...), or letters/digits/_.
  // Non-ASCII runes count as letters unless they are whitespace (BuildKit uses unicode.IsLetter).
  std::string name() {
    std::string out;
    if (!at_end() && is_ascii_digit(text_[pos_])) {
      while (!at_end() && is_ascii_digit(text_[pos_])) out.push_back(text_[pos_++]);
      return out;
    }
    if (!at_end() && is_special_param(text_[pos_])) return std::string(1, text_[pos_++]);
    while (!at_end()) {
      char c = text_[pos_];
      if (static_cast<unsigned char>(c) >= 0x80) {
        size_t len = rune_length(text_, pos_);
        uint32_t cp = decode_rune(text_.substr(pos_, len));
        if (cp >= 0x110000 || is_space(cp)) break;
        out.append(text_.substr(pos_, len));
        pos_ += len;
        continue;
      }
      if (!is_ascii_name_char(c)) break;
      out.push_back(c);
      ++pos_;
    }
    return out;
  }

  const Var* reference(const std::string& name) {
    refs_.push_back(name);
    return lookup_ ? lookup_(name) : nullptr;
  }
  static Piece value_of(const Var* var) {
    if (!var) return {"", true};
    if (!var->known) return {"", false};
    return {var->value, true};
  }

  Piece dollar() {
    ++pos_;  // '$'
    if (peek() != '{') {
      std::string var_name = name();
      if (var_name.empty()) return {"$", true};
      return value_of(reference(var_name));
    }
    ++pos_;  // '{'
    int first = peek();
    if (first < 0) {
      fail("syntax error: missing '}'");
      return {"", true};
    }
    if (first == '{' || first == '}' || first == ':') {
      fail("syntax error: bad substitution");
      return {"", true};
    }
    std::string var_name = name();
    int op = peek();
    if (op >= 0) ++pos_;
    switch (op) {
      case '}':
        return value_of(reference(var_name));
      case ':':
        return modifier(var_name, /*null_is_unset=*/true);
      case '+': case '-': case '?': case '#': case '%':
        --pos_;
        return modifier(var_name, /*null_is_unset=*/false);
      case '/':
        return substitution(var_name);
      default:
        fail("unsupported modifier in substitution");
        return {"", true};
    }
  }

  // ${name<op>word} with op one of + - ? # % (after an optional ':'), pos_ at op.
  Piece modifier(const std::string& var_name, bool null_is_unset) {
    int op = peek();
    if (op >= 0) ++pos_;
    const Var* var = reference(var_name);
    Stopped word = process_until('}', /*raw_escapes=*/op == '#' || op == '%', nullptr);
    if (!word.found_stop) {
      fail("syntax error: missing '}'");
      return {"", true};
    }
    bool unset = !var || (null_is_unset && var->known && var->value.empty());
    std::string_view value = var && var->known ? std::string_view(var->value) : std::string_view();
    bool var_unknown = var && !var->known;
    switch (op) {
      case '-':
        if (var_unknown) return {"", false};
        return unset ? word.piece : Piece{std::string(value), true};
      case '+':
        if (var_unknown) return {"", false};
        return unset ? Piece{"", true} : word.piece;
      case '?':
        if (var_unknown) return {"", false};
        if (unset) {
          std::string what = !var ? "is not allowed to be unset" : "is not allowed to be empty";
          fail(var_name + ": " + (word.piece.text.empty() ? what : word.piece.text));
          return {"", true};
        }
        return {std::string(value), true};
      case '#': case '%': {
        if (var_unknown || !word.piece.known) return {"", false};
        std::string_view pattern = word.piece.text;
        bool greedy = !pattern.empty() && pattern.front() == op;
        if (greedy) pattern.remove_prefix(1);
        PatternResult trimmed = trim_affix(pattern, value, greedy, /*suffix=*/op == '%');
        if (!trimmed.error.empty()) fail(trimmed.error);
        return {trimmed.value, trimmed.known};
      }
      default:
        fail("unsupported modifier in substitution");
        return {"", true};
    }
  }

  // ${name/pattern/replacement} and ${name//pattern/replacement}, pos_ after the first '/'.
  Piece substitution(const std::string& var_name) {
    bool all = peek() == '/';
    if (all) ++pos_;
    const Var* var = reference(var_name);
    Stopped pattern = process_until('/', /*raw_escapes=*/true, nullptr);
    if (!pattern.found_stop) {
      fail("syntax error: missing '/' in ${}");
      return {"", true};
    }
    Stopped replacement = process_until('}', /*raw_escapes=*/true, nullptr);
    if (!replacement.found_stop) {
      fail("syntax error: missing '}'");
      return {"", true};
    }
    if ((var && !var->known) || !pattern.piece.known || !replacement.piece.known) return {"", false};
    std::string_view value = var ? std::string_view(var->value) : std::string_view();
    PatternResult replaced = replace_pattern(pattern.piece.text, replacement.piece.text, value, all);
    if (!replaced.error.empty()) fail(replaced.error);
    return {replaced.value, replaced.known};
  }

  std::string_view text_;
  const VarLookup& lookup_;
  char escape_;
  size_t pos_ = 0;
  bool raw_escapes_ = false;
  std::vector<std::string> refs_;
  std::string error_;
};

}  // namespace

Expanded process_word(std::string_view text, const VarLookup& lookup, char escape) {
  return Expander(text, lookup, escape).run(nullptr);
}

std::vector<Expanded> process_words(std::string_view text, const VarLookup& lookup, char escape) {
  FieldSplitter fields;
  Expanded whole = Expander(text, lookup, escape).run(&fields);
  std::vector<Expanded> out = fields.take();
  if (!whole.error.empty()) {
    if (out.empty()) out.push_back({"", whole.known, whole.referenced, ""});
    for (Expanded& field : out) field.error = whole.error;
  }
  return out;
}

VarLookup lookup_from(std::vector<VarEntry> vars) {
  auto table = std::make_shared<std::vector<VarEntry>>(std::move(vars));
  return [table](std::string_view name) -> const Var* {
    for (auto it = table->rbegin(); it != table->rend(); ++it) {
      if (it->name == name) return &it->var;
    }
    return nullptr;
  };
}

}  // namespace okd
