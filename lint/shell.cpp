#include "lint/shell.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace okd {
namespace {

// Deeper nesting of $(..), `..` or sh -c is scanned but not parsed, so hostile input cannot
// exhaust the stack.
constexpr int kMaxNesting = 48;

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r'; }
bool is_operator_char(char c) {
  return c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')';
}
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool is_name_char(char c) { return is_name_start(c) || is_digit(c); }
bool is_special_param(char c) {
  return c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' || c == '!' || is_digit(c);
}

// NAME= or NAME+= at the start of a raw word.
bool starts_with_assignment(std::string_view raw) {
  if (raw.empty() || !is_name_start(raw[0])) return false;
  size_t i = 1;
  while (i < raw.size() && is_name_char(raw[i])) ++i;
  if (i < raw.size() && raw[i] == '=') return true;
  return i + 1 < raw.size() && raw[i] == '+' && raw[i + 1] == '=';
}

bool is_reserved_word(std::string_view word) {
  static constexpr std::array<std::string_view, 17> kReserved = {
      "if", "then", "elif", "else", "fi", "do", "done", "while", "until", "for", "select",
      "case", "esac", "function", "{", "}", "!"};
  return std::find(kReserved.begin(), kReserved.end(), word) != kReserved.end();
}

std::string_view basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

bool is_shell_name(std::string_view name) {
  static constexpr std::array<std::string_view, 7> kShells = {"sh", "bash", "dash", "ash", "zsh", "ksh", "mksh"};
  return std::find(kShells.begin(), kShells.end(), name) != kShells.end();
}

struct Token {
  enum Kind { Word, Operator, Redirection, Newline, End } kind = End;
  std::string op;            // Operator / Redirection text, fd prefix included
  size_t begin = 0;          // [begin, end) in the text being parsed
  size_t end = 0;
  MappedText value;          // Word: quotes removed, escapes processed, expansions verbatim
  bool literal = true;
  bool quoted = false;       // some quoting or escaping was used

  bool is_op(std::string_view s) const { return kind == Operator && op == s; }
  bool is_plain_word(std::string_view s) const { return kind == Word && !quoted && value.text == s; }
};

struct PendingHeredoc {
  std::string delimiter;
  bool strip_tabs = false;
};

struct PendingRedirect {
  Token op;
  Token target;
};

// The command being collected, as tokens (their mapped values are needed for `sh -c`).
struct PendingCommand {
  std::vector<Token> assignments;
  std::vector<Token> argv;
  std::vector<PendingRedirect> redirects;
  size_t begin = SIZE_MAX;
  size_t end = 0;

  bool empty() const { return assignments.empty() && argv.empty() && redirects.empty(); }
  void cover(const Token& tok) {
    begin = std::min(begin, tok.begin);
    end = std::max(end, tok.end);
  }
};

// Lexer and parser in one: the lexer needs the parser for $(...), whose end is only known once
// its contents are parsed. The parser is deliberately flat (a mode, a subshell depth and a case
// depth instead of a grammar) so that malformed input degrades gracefully.
class ShellParser {
 public:
  ShellParser(const MappedText& text, const SourceFile& source, int depth, std::vector<SimpleCommand>& out)
      : text_(text), source_(source), depth_(depth), out_(out) {}

  // Parses until the end, or (stop_at_paren) until the ')' closing a $( or <( at this level.
  void parse(bool stop_at_paren);
  size_t position() const { return pos_; }
  void set_position(size_t pos) { pos_ = pos; }

 private:
  enum class Mode { Normal, ForName, ForIn, ForWords, CaseSubject, CaseIn, CasePattern, FunctionName, FunctionParens };

  // --- lexing -------------------------------------------------------------------------------
  size_t size() const { return text_.text.size(); }
  char at(size_t i) const { return i < size() ? text_.text[i] : '\0'; }
  bool starts_with(size_t i, std::string_view s) const {
    return i <= size() && std::string_view(text_.text).substr(i).starts_with(s);
  }

  Token next_token();
  void skip_blanks_and_comments();
  Token scan_operator();
  Token scan_test_operator();
  Token scan_word();
  std::optional<Token> scan_fd_redirection();
  void push_char(Token& tok, size_t i) { tok.value.push(text_.text[i], source_of(i)); }
  // text_.source_begin(i) for the byte the scanner is at: scanning moves forward through the
  // runs, so the run found last is tried (and then the next one) before a binary search.
  uint32_t source_of(size_t i) {
    const auto& runs = text_.runs;
    if (i >= text_.text.size() || runs.empty()) return text_.end_origin;
    for (size_t k = run_hint_; k < runs.size() && k <= run_hint_ + 1; ++k) {
      if (runs[k].text_index <= i && (k + 1 == runs.size() || i < runs[k + 1].text_index)) {
        run_hint_ = k;
        return runs[k].source + static_cast<uint32_t>(i - runs[k].text_index);
      }
    }
    run_hint_ = static_cast<size_t>(
        std::upper_bound(runs.begin(), runs.end(), i, [](size_t v, const MappedText::Run& r) { return v < r.text_index; }) -
        runs.begin() - 1);
    return runs[run_hint_].source + static_cast<uint32_t>(i - runs[run_hint_].text_index);
  }
  void push_raw(Token& tok, size_t from, size_t to) {
    for (size_t i = from; i < to && i < size(); ++i) push_char(tok, i);
  }
  void scan_escape(Token& tok);
  void scan_single_quoted(Token& tok);
  void scan_double_quoted(Token& tok);
  void scan_ansi_c_quoted(Token& tok);
  void scan_dollar(Token& tok, bool in_double_quotes);
  void scan_backquoted(Token& tok);
  void scan_process_substitution(Token& tok);
  size_t matching_paren(size_t open) const;
  size_t matching_brace(size_t open) const;
  size_t parse_substitution(size_t start);
  void read_heredoc_bodies();
  bool skip_arithmetic_command();

  // --- parsing ------------------------------------------------------------------------------
  bool consume_header_token(const Token& tok);
  void handle_word(Token tok);
  void handle_reserved(const Token& tok);
  void handle_redirection(Token op);
  void finish_command();
  ShellWord make_word(const Token& tok) const;
  uint32_t source_begin_of(size_t index) const;
  void parse_shell_dash_c(const PendingCommand& cmd);

  const MappedText& text_;
  size_t run_hint_ = 0;  // source_of's last run
  const SourceFile& source_;
  int depth_;
  std::vector<SimpleCommand>& out_;
  size_t pos_ = 0;
  std::optional<Token> pending_token_;
  std::vector<PendingHeredoc> heredocs_;
  PendingCommand cmd_;
  Mode mode_ = Mode::Normal;
  int paren_depth_ = 0;
  int case_depth_ = 0;
  bool test_mode_ = false;  // inside [[ ... ]]: && || < > ( ) are words
};

// ---------------------------------------------------------------------------------------------
// Lexing

void ShellParser::skip_blanks_and_comments() {
  while (pos_ < size()) {
    char c = at(pos_);
    if (is_blank(c)) {
      ++pos_;
    } else if (c == '\\' && at(pos_ + 1) == '\n') {
      pos_ += 2;  // line continuation
    } else if (c == '#') {
      while (pos_ < size() && at(pos_) != '\n') ++pos_;
    } else {
      return;
    }
  }
}

Token ShellParser::next_token() {
  if (pending_token_) {
    Token tok = std::move(*pending_token_);
    pending_token_.reset();
    return tok;
  }
  skip_blanks_and_comments();
  Token tok;
  tok.begin = tok.end = pos_;
  if (pos_ >= size()) return tok;
  char c = at(pos_);
  if (c == '\n') {
    tok.kind = Token::Newline;
    tok.end = ++pos_;
    read_heredoc_bodies();
    return tok;
  }
  if (test_mode_ && (c == '&' || c == '|' || c == '<' || c == '>' || c == '(' || c == ')')) return scan_test_operator();
  if (auto redirection = scan_fd_redirection()) return *redirection;
  if ((c == '<' || c == '>') && at(pos_ + 1) == '(') return scan_word();  // process substitution
  if (is_operator_char(c)) return scan_operator();
  return scan_word();
}

Token ShellParser::scan_operator() {
  static constexpr std::array<std::string_view, 23> kOperators = {
      ";;&", ";;", ";&", ";", "&&", "&>>", "&>", "&", "||", "|&", "|", "(", ")",
      "<<<", "<<-", "<<", "<>", "<&", "<", ">>", ">&", ">|", ">"};
  Token tok;
  tok.begin = pos_;
  for (std::string_view op : kOperators) {
    if (starts_with(pos_, op)) {
      tok.op = std::string(op);
      break;
    }
  }
  pos_ += tok.op.size();
  tok.end = pos_;
  bool redirection = tok.op[0] == '<' || tok.op[0] == '>' || tok.op == "&>" || tok.op == "&>>";
  tok.kind = redirection ? Token::Redirection : Token::Operator;
  return tok;
}

// Inside [[ ]], operators are arguments of the test.
Token ShellParser::scan_test_operator() {
  Token tok;
  tok.kind = Token::Word;
  tok.begin = pos_;
  bool doubled = (at(pos_) == '&' || at(pos_) == '|') && at(pos_ + 1) == at(pos_);
  push_raw(tok, pos_, pos_ + (doubled ? 2 : 1));
  pos_ += doubled ? 2 : 1;
  tok.end = pos_;
  return tok;
}

// `2>file`, `2>&1`, `0<in`: a digit run glued to a redirection operator.
std::optional<Token> ShellParser::scan_fd_redirection() {
  size_t i = pos_;
  while (is_digit(at(i))) ++i;
  if (i == pos_ || (at(i) != '<' && at(i) != '>') || at(i + 1) == '(') return std::nullopt;
  size_t start = pos_;
  pos_ = i;
  Token tok = scan_operator();
  tok.op = text_.text.substr(start, i - start) + tok.op;
  tok.begin = start;
  return tok;
}

Token ShellParser::scan_word() {
  Token tok;
  tok.kind = Token::Word;
  tok.begin = pos_;
  bool bracket_open = false;
  bool brace_open = false;
  bool brace_list = false;
  while (pos_ < size()) {
    char c = at(pos_);
    if (c == '(' && starts_with_assignment(std::string_view(text_.text).substr(tok.begin, pos_ - tok.begin)) &&
        at(pos_ - 1) == '=') {
      // bash array assignment A=(1 2): one word.
      size_t close = matching_paren(pos_);
      push_raw(tok, pos_, close);
      pos_ = close;
      tok.literal = false;
      continue;
    }
    if ((c == '<' || c == '>') && pos_ == tok.begin && at(pos_ + 1) == '(') {
      scan_process_substitution(tok);
      continue;
    }
    if (is_blank(c) || c == '\n' || is_operator_char(c)) break;
    switch (c) {
      case '\\': scan_escape(tok); continue;
      case '\'': scan_single_quoted(tok); continue;
      case '"': scan_double_quoted(tok); continue;
      case '$': scan_dollar(tok, /*in_double_quotes=*/false); continue;
      case '`': scan_backquoted(tok); continue;
      case '*': case '?': tok.literal = false; break;
      case '[': bracket_open = true; break;
      case ']': if (bracket_open) tok.literal = false; break;
      case '~': if (pos_ == tok.begin) tok.literal = false; break;
      case '{': brace_open = true; break;
      case ',': brace_list = brace_list || brace_open; break;
      case '.': brace_list = brace_list || (brace_open && at(pos_ + 1) == '.'); break;
      case '}': if (brace_open && brace_list) tok.literal = false; break;
      default: break;
    }
    push_char(tok, pos_++);
  }
  if (pos_ == tok.begin) push_char(tok, pos_++);  // never stall, whatever the byte
  tok.end = pos_;
  return tok;
}

void ShellParser::scan_escape(Token& tok) {
  if (at(pos_ + 1) == '\n' && pos_ + 1 < size()) {
    pos_ += 2;  // line continuation inside a word
    return;
  }
  if (pos_ + 1 >= size()) {
    push_char(tok, pos_++);  // a lone trailing backslash stays
    return;
  }
  tok.quoted = true;
  push_char(tok, pos_ + 1);
  pos_ += 2;
}

void ShellParser::scan_single_quoted(Token& tok) {
  tok.quoted = true;
  ++pos_;
  while (pos_ < size() && at(pos_) != '\'') push_char(tok, pos_++);
  if (pos_ < size()) ++pos_;
}

void ShellParser::scan_double_quoted(Token& tok) {
  tok.quoted = true;
  ++pos_;
  while (pos_ < size()) {
    char c = at(pos_);
    if (c == '"') {
      ++pos_;
      return;
    }
    if (c == '\\' && pos_ + 1 < size()) {
      char next = at(pos_ + 1);
      if (next == '\n') {
        pos_ += 2;
        continue;
      }
      if (next == '$' || next == '`' || next == '"' || next == '\\') {
        push_char(tok, pos_ + 1);
        pos_ += 2;
        continue;
      }
    }
    if (c == '$') {
      scan_dollar(tok, /*in_double_quotes=*/true);
    } else if (c == '`') {
      scan_backquoted(tok);
    } else {
      push_char(tok, pos_++);
    }
  }
}

// bash $'...': C-like escapes; an escape maps to its backslash.
void ShellParser::scan_ansi_c_quoted(Token& tok) {
  tok.quoted = true;
  pos_ += 2;
  while (pos_ < size() && at(pos_) != '\'') {
    if (at(pos_) == '\\' && pos_ + 1 < size()) {
      char next = at(pos_ + 1);
      char decoded = next == 'n' ? '\n' : next == 't' ? '\t' : next == 'r' ? '\r' : next == 'a' ? '\a' : next;
      if (decoded == next && next != '\\' && next != '\'' && next != '"' && next != '?') {
        push_char(tok, pos_);  // unknown escape: keep it as written
        push_char(tok, pos_ + 1);
      } else {
        tok.value.push(decoded, text_.source_begin(pos_));
      }
      pos_ += 2;
      continue;
    }
    push_char(tok, pos_++);
  }
  if (pos_ < size()) ++pos_;
}

void ShellParser::scan_dollar(Token& tok, bool in_double_quotes) {
  size_t start = pos_;
  char next = at(pos_ + 1);
  if (pos_ + 1 >= size()) {
    push_char(tok, pos_++);
    return;
  }
  if (next == '(') {
    pos_ = at(pos_ + 2) == '(' ? matching_paren(pos_ + 1) : parse_substitution(pos_ + 2);
  } else if (next == '{') {
    pos_ = matching_brace(pos_ + 1);
  } else if (next == '\'' && !in_double_quotes) {
    scan_ansi_c_quoted(tok);
    return;
  } else if (next == '"' && !in_double_quotes) {
    ++pos_;  // bash $"..." (locale translation): a double-quoted string
    scan_double_quoted(tok);
    return;
  } else if (is_name_start(next)) {
    pos_ += 2;
    while (is_name_char(at(pos_))) ++pos_;
  } else if (is_special_param(next)) {
    pos_ += 2;
  } else {
    push_char(tok, pos_++);  // a lone '$' is literal
    return;
  }
  push_raw(tok, start, pos_);
  tok.literal = false;
}

void ShellParser::scan_backquoted(Token& tok) {
  size_t start = pos_;
  size_t close = pos_ + 1;
  while (close < size() && at(close) != '`') close += at(close) == '\\' ? 2 : 1;
  close = std::min(close, size());
  // Inside backquotes \` \\ and \$ are escapes; the rest is parsed as a script of its own.
  MappedText inner;
  for (size_t i = start + 1; i < close; ++i) {
    char c = at(i);
    if (c == '\\' && i + 1 < close && (at(i + 1) == '`' || at(i + 1) == '\\' || at(i + 1) == '$')) ++i;
    inner.push(at(i), text_.source_begin(i));
  }
  inner.end_origin = text_.source_begin(close);
  if (depth_ < kMaxNesting) {
    ShellParser nested(inner, source_, depth_ + 1, out_);
    nested.parse(/*stop_at_paren=*/false);
  }
  pos_ = std::min(close + 1, size());
  push_raw(tok, start, pos_);
  tok.literal = false;
}

void ShellParser::scan_process_substitution(Token& tok) {
  size_t start = pos_;
  pos_ = parse_substitution(pos_ + 2);
  push_raw(tok, start, pos_);
  tok.literal = false;
}

// Parses the commands of $( / <( starting at `start`; returns the index after the closing ')'.
size_t ShellParser::parse_substitution(size_t start) {
  if (depth_ >= kMaxNesting) return matching_paren(start - 1);
  ShellParser nested(text_, source_, depth_ + 1, out_);
  nested.set_position(start);
  nested.parse(/*stop_at_paren=*/true);
  return nested.position();
}

// Index after the ')' matching the '(' at `open`, skipping quoted text; the end if unbalanced.
size_t ShellParser::matching_paren(size_t open) const {
  int level = 0;
  for (size_t i = open; i < size(); ++i) {
    char c = at(i);
    if (c == '\\') {
      ++i;
    } else if (c == '\'') {
      while (i + 1 < size() && at(i + 1) != '\'') ++i;
      ++i;
    } else if (c == '(') {
      ++level;
    } else if (c == ')' && --level == 0) {
      return i + 1;
    }
  }
  return size();
}

// Index after the '}' matching the '{' at `open` (for ${...}), skipping quoted text.
size_t ShellParser::matching_brace(size_t open) const {
  int level = 0;
  bool in_double = false;
  for (size_t i = open; i < size(); ++i) {
    char c = at(i);
    if (c == '\\') {
      ++i;
    } else if (c == '"') {
      in_double = !in_double;
    } else if (c == '\'' && !in_double) {
      while (i + 1 < size() && at(i + 1) != '\'') ++i;
      ++i;
    } else if (c == '{' && !in_double) {
      ++level;
    } else if (c == '}' && !in_double && --level == 0) {
      return i + 1;
    }
  }
  return size();
}

// After a newline: skip the bodies of heredocs started on the line just ended.
void ShellParser::read_heredoc_bodies() {
  for (const PendingHeredoc& heredoc : heredocs_) {
    while (pos_ < size()) {
      size_t line_end = text_.text.find('\n', pos_);
      if (line_end == std::string::npos) line_end = size();
      std::string_view line = std::string_view(text_.text).substr(pos_, line_end - pos_);
      if (heredoc.strip_tabs) {
        while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
      }
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      pos_ = std::min(line_end + 1, size());
      if (line == heredoc.delimiter) break;
    }
  }
  heredocs_.clear();
}

// bash `(( expr ))` in command position: arithmetic, not commands.
bool ShellParser::skip_arithmetic_command() {
  skip_blanks_and_comments();
  if (!starts_with(pos_, "((")) return false;
  pos_ = matching_paren(pos_);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Parsing

void ShellParser::parse(bool stop_at_paren) {
  while (true) {
    if (!pending_token_ && mode_ == Mode::Normal && cmd_.empty() && skip_arithmetic_command()) continue;
    Token tok = next_token();
    if (tok.kind == Token::End) break;
    if (consume_header_token(tok)) continue;
    switch (tok.kind) {
      case Token::Word:
        handle_word(std::move(tok));
        break;
      case Token::Redirection:
        handle_redirection(std::move(tok));
        break;
      case Token::Newline:
        finish_command();
        break;
      case Token::Operator:
        if (tok.op == "(" && cmd_.argv.size() == 1 && cmd_.assignments.empty() && cmd_.redirects.empty()) {
          // `name() { ...; }`: a function definition, not a command.
          skip_blanks_and_comments();
          if (at(pos_) == ')') {
            ++pos_;
            cmd_ = PendingCommand();
            break;
          }
        }
        finish_command();
        if (tok.op == "(") {
          ++paren_depth_;
        } else if (tok.op == ")") {
          if (paren_depth_ > 0) {
            --paren_depth_;
          } else if (stop_at_paren) {
            return;
          }
        } else if ((tok.op == ";;" || tok.op == ";&" || tok.op == ";;&") && case_depth_ > 0) {
          mode_ = Mode::CasePattern;
        }
        break;
      case Token::End:
        break;
    }
  }
  finish_command();
}

// for/case/function headers: returns true when the token belonged to one.
bool ShellParser::consume_header_token(const Token& tok) {
  bool word = tok.kind == Token::Word;
  bool separator = tok.kind == Token::Newline || tok.is_op(";");
  switch (mode_) {
    case Mode::Normal:
      return false;
    case Mode::ForName:
      mode_ = word ? Mode::ForIn : Mode::Normal;
      return word;
    case Mode::ForIn:
      if (separator) return true;
      if (tok.is_plain_word("in")) {
        mode_ = Mode::ForWords;
        return true;
      }
      mode_ = Mode::Normal;
      return false;
    case Mode::ForWords:
      if (word) return true;
      mode_ = Mode::Normal;
      return separator;
    case Mode::CaseSubject:
      mode_ = word ? Mode::CaseIn : Mode::Normal;
      return word;
    case Mode::CaseIn:
      if (tok.kind == Token::Newline) return true;
      mode_ = tok.is_plain_word("in") ? Mode::CasePattern : Mode::Normal;
      return mode_ == Mode::CasePattern;
    case Mode::CasePattern:
      if (tok.is_plain_word("esac")) {
        case_depth_ = std::max(0, case_depth_ - 1);
        mode_ = Mode::Normal;
      } else if (tok.is_op(")")) {
        mode_ = Mode::Normal;
      }
      return true;  // patterns, '|', '(' and blank lines
    case Mode::FunctionName:
      mode_ = word ? Mode::FunctionParens : Mode::Normal;
      return word;
    case Mode::FunctionParens:
      if (tok.is_op("(")) return true;
      mode_ = Mode::Normal;
      return tok.is_op(")");
  }
  return false;
}

void ShellParser::handle_word(Token tok) {
  if (cmd_.empty() && !tok.quoted && is_reserved_word(tok.value.text)) {
    handle_reserved(tok);
    return;
  }
  cmd_.cover(tok);
  if (cmd_.argv.empty() && !tok.quoted && tok.value.text == "[[") test_mode_ = true;
  if (test_mode_ && tok.is_plain_word("]]")) test_mode_ = false;
  if (cmd_.argv.empty() && starts_with_assignment(std::string_view(text_.text).substr(tok.begin, tok.end - tok.begin))) {
    cmd_.assignments.push_back(std::move(tok));
  } else {
    cmd_.argv.push_back(std::move(tok));
  }
}

void ShellParser::handle_reserved(const Token& tok) {
  const std::string& word = tok.value.text;
  if (word == "for" || word == "select") {
    mode_ = skip_arithmetic_command() ? Mode::Normal : Mode::ForName;
  } else if (word == "case") {
    ++case_depth_;
    mode_ = Mode::CaseSubject;
  } else if (word == "esac") {
    case_depth_ = std::max(0, case_depth_ - 1);
  } else if (word == "function") {
    mode_ = Mode::FunctionName;
  }
  // if/then/elif/else/fi/do/done/while/until/{/}/! only structure the commands around them.
}

void ShellParser::handle_redirection(Token op) {
  cmd_.cover(op);
  Token target = next_token();
  if (target.kind != Token::Word) {
    pending_token_ = std::move(target);
    target = Token();
    target.kind = Token::Word;
    target.begin = target.end = op.end;
  } else {
    cmd_.cover(target);
  }
  std::string_view base = std::string_view(op.op).substr(op.op.find_first_not_of("0123456789"));
  if ((base == "<<" || base == "<<-") && target.end > target.begin) {
    heredocs_.push_back({target.value.text, base == "<<-"});
  }
  cmd_.redirects.push_back({std::move(op), std::move(target)});
}

ShellWord ShellParser::make_word(const Token& tok) const {
  ShellWord word;
  word.value = tok.value.text;
  word.raw = text_.text.substr(tok.begin, tok.end - tok.begin);
  word.range = source_.range(source_begin_of(tok.begin), text_.source_end(tok.end));
  word.literal = tok.literal;
  return word;
}

// Source offset where the word starting at text index `index` begins. In a nested text (a sh -c
// string, a backquoted command) a first character that was escaped in the outer text (\" in
// "...") maps to the character itself; the word then starts at its backslash.
uint32_t ShellParser::source_begin_of(size_t index) const {
  uint32_t begin = text_.source_begin(index);
  if (depth_ == 0 || begin == 0 || begin > source_.text().size()) return begin;
  bool previous_is_mapped = index > 0 && text_.source_begin(index - 1) + 1 == begin;
  if (!previous_is_mapped && source_.text()[begin - 1] == '\\') return begin - 1;
  return begin;
}

void ShellParser::finish_command() {
  test_mode_ = false;
  if (cmd_.empty()) return;
  PendingCommand cmd = std::move(cmd_);
  cmd_ = PendingCommand();
  SimpleCommand command;
  command.depth = depth_;
  for (const Token& tok : cmd.assignments) command.assignments.push_back(make_word(tok));
  for (const Token& tok : cmd.argv) command.argv.push_back(make_word(tok));
  for (const PendingRedirect& r : cmd.redirects) command.redirects.push_back({r.op.op, make_word(r.target)});
  command.range = source_.range(source_begin_of(cmd.begin), text_.source_end(cmd.end));
  out_.push_back(std::move(command));
  parse_shell_dash_c(cmd);
}

// `sh -c 'script'` (also bash/dash/..., behind exec/nohup/time/env/busybox): parse the script.
void ShellParser::parse_shell_dash_c(const PendingCommand& cmd) {
  if (depth_ >= kMaxNesting) return;
  const std::vector<Token>& argv = cmd.argv;
  size_t i = 0;
  while (i < argv.size()) {
    std::string_view name = basename(argv[i].value.text);
    if (name == "exec" || name == "nohup" || name == "time" || name == "busybox") {
      ++i;
    } else if (name == "env") {
      ++i;
      while (i < argv.size() && (argv[i].value.text.find('=') != std::string::npos ||
                                 argv[i].value.text.starts_with("-"))) {
        ++i;
      }
    } else {
      break;
    }
  }
  if (i >= argv.size() || !is_shell_name(basename(argv[i].value.text))) return;
  bool dash_c = false;
  for (++i; i < argv.size(); ++i) {
    std::string_view arg = argv[i].value.text;
    if (arg == "--" || arg == "-") {
      ++i;
      break;
    }
    if (arg.size() < 2 || (arg[0] != '-' && arg[0] != '+')) break;
    if (arg == "-o" || arg == "+o" || arg == "-O" || arg == "+O") {
      ++i;  // the option name argument
      continue;
    }
    if (arg[0] == '-' && arg[1] != '-' && arg.find('c') != std::string_view::npos) dash_c = true;
  }
  if (!dash_c || i >= argv.size()) return;
  ShellParser nested(argv[i].value, source_, depth_ + 1, out_);
  nested.parse(/*stop_at_paren=*/false);
}

}  // namespace

std::vector<SimpleCommand> split_shell(const MappedText& text, const SourceFile& source) {
  std::vector<SimpleCommand> commands;
  ShellParser parser(text, source, 0, commands);
  parser.parse(/*stop_at_paren=*/false);
  std::stable_sort(commands.begin(), commands.end(), [](const SimpleCommand& a, const SimpleCommand& b) {
    return a.range.begin.offset < b.range.begin.offset;
  });
  return commands;
}

MappedText mapped_source_range(const SourceFile& source, Range range) {
  MappedText mapped;
  uint32_t end = std::min<uint32_t>(range.end.offset, static_cast<uint32_t>(source.text().size()));
  for (uint32_t i = range.begin.offset; i < end; ++i) mapped.push(source.text()[i], i);
  mapped.end_origin = std::max(range.begin.offset, end);
  return mapped;
}

std::vector<SimpleCommand> split_shell_range(const SourceFile& source, Range range) {
  return split_shell(mapped_source_range(source, range), source);
}

}  // namespace okd
