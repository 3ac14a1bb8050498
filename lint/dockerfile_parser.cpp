// A Containerfile parser that follows BuildKit's frontend/dockerfile/parser step by step (line
// scanning, directives, continuations, flag extraction, per-instruction argument parsing,
// heredocs) while keeping, for every byte of every logical line, the source offset it came from.
// Where BuildKit stops at the first error, this parser records an OKD001 diagnostic and goes on
// with the next line, so one typo does not hide the rest of the file.
#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "lint/dockerfile.h"
#include "lint/text.h"

namespace okd {
namespace {

constexpr uint32_t kMaxLineBytes = 65535;  // bufio.MaxScanTokenSize - 1, as BuildKit reports it

bool is_ascii_split_space(char c) {  // BuildKit's reWhitespace: [\t\v\f\r ]
  return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

// One physical line: [begin, content_end) without the trailing CR/LF run, end past the '\n'.
struct PhysicalLine {
  uint32_t begin;
  uint32_t content_end;
  uint32_t end;
};

std::vector<PhysicalLine> split_physical_lines(std::string_view text) {
  std::vector<PhysicalLine> lines;
  uint32_t pos = 0;
  const auto size = static_cast<uint32_t>(text.size());
  while (pos < size) {
    size_t nl = text.find('\n', pos);
    uint32_t end = nl == std::string_view::npos ? size : static_cast<uint32_t>(nl) + 1;
    uint32_t content_end = end;
    while (content_end > pos && (text[content_end - 1] == '\n' || text[content_end - 1] == '\r')) --content_end;
    lines.push_back({pos, content_end, end});
    pos = end;
  }
  return lines;
}

MappedText map_source(std::string_view text, uint32_t begin, uint32_t end) {
  MappedText m;
  m.append_source(text, begin, end);
  m.end_origin = end;
  return m;
}

void append(MappedText& to, const MappedText& from) { to.append(from); }

// Drops a prefix of n bytes / keeps [b, e) — MappedText::substr with a name that reads well here.
MappedText slice(const MappedText& m, size_t b, size_t e) { return m.substr(b, e); }

bool is_comment(std::string_view content) {
  std::string_view t = content.substr(leading_unicode_space(content));
  return !t.empty() && t[0] == '#';
}

// BuildKit's line-continuation regex: `([^E])E[ \t]*$|^E[ \t]*$` replaced by "$1".
bool trim_continuation(MappedText& line, char escape) {
  size_t e = line.text.size();
  while (e > 0 && (line.text[e - 1] == ' ' || line.text[e - 1] == '\t')) --e;
  if (e == 0 || line.text[e - 1] != escape) return false;
  if (e >= 2 && line.text[e - 2] == escape) return false;
  line = slice(line, 0, e - 1);
  return true;
}

class Parser {
 public:
  explicit Parser(const SourceFile& source) : src_(source), text_(source.text()) {}

  ParsedDockerfile run();

 private:
  // Never inverted: an empty span that straddles a joined continuation (`ENV = \` newline `=`)
  // would otherwise map its end to the first line and its begin to the next one.
  Range range_of(const MappedText& m, size_t b, size_t e) const {
    uint32_t begin = m.source_begin(b);
    uint32_t end = e > b ? m.source_end(e) : begin;
    const auto size = static_cast<uint32_t>(text_.size());
    begin = std::min(begin, size);
    end = std::min(std::max(end, begin), size);
    return src_.range(begin, end);
  }
  void error(Range range, std::string message, bool instruction_layer = false) {
    Diagnostic d;
    d.rule_id = "OKD001";
    d.rule_name = "parse-error";
    d.severity = Severity::Error;
    d.message = std::move(message);
    d.file = src_.path();
    d.range = range;
    (instruction_layer ? out_.instruction_errors : out_.errors).push_back(std::move(d));
  }
  Range line_range(const PhysicalLine& l) const { return src_.range(l.begin, l.content_end); }

  void directive(const PhysicalLine& line, uint32_t content_begin);
  bool build_instruction(const MappedText& line, Instruction& ins, std::string& err, Range& err_range);
  void split_flags(const MappedText& args, size_t begin, size_t end, Instruction& ins, size_t& rest_begin);
  bool parse_arguments(const MappedText& rest, Instruction& ins, std::string& err, Range& err_range);
  bool parse_json_array(const MappedText& rest, Instruction& ins, bool& is_json, std::string& err);
  void parse_whitespace_split(const MappedText& rest, Instruction& ins);
  void parse_single_string(const MappedText& rest, Instruction& ins);
  std::vector<std::pair<size_t, size_t>> parse_words(const MappedText& rest, std::vector<std::string>& values);
  bool parse_name_value(const MappedText& rest, Instruction& ins, std::string_view key, std::string& err);
  bool can_contain_heredoc(const Instruction& ins) const;
  bool find_heredocs(const MappedText& line, std::vector<Heredoc>& docs, std::string& err);
  void check_instruction_layer(const Instruction& ins);

  const SourceFile& src_;
  std::string_view text_;
  ParsedDockerfile out_;
  char escape_ = '\\';
  bool directives_done_ = false;
  bool seen_from_ = false;
  bool reported_no_stage_ = false;
};

// What BuildKit's instruction layer (frontend/dockerfile/instructions/parse.go) rejects in a tree
// its parser accepted: `docker build` fails on these, so they are OKD001 errors too. The
// instruction stays in the tree so the rest of the file is still linted.
void Parser::check_instruction_layer(const Instruction& ins) {
  const std::string& c = ins.cmd;
  if (c == "from") {
    seen_from_ = true;
    bool named = ins.args.size() == 3 && ascii_lower(ins.args[1].value) == "as";
    if (!named && ins.args.size() != 1) error(ins.range, "FROM requires either one or three arguments", true);
    return;
  }
  if (!seen_from_ && c != "arg" && !reported_no_stage_) {
    reported_no_stage_ = true;
    error(ins.range, "no build stage in current context: " + ins.keyword + " before the first FROM", true);
  }
  if (c == "user" && ins.args.size() != 1) error(ins.range, "USER requires exactly one argument", true);
  if (c == "env" || c == "label") {  // parseKvps
    for (const KeyValue& kv : ins.pairs) {
      if (kv.key.empty()) {
        error(ins.range, ascii_upper(c) + " names can not be blank", true);
        break;
      }
    }
  }
}

void Parser::directive(const PhysicalLine& line, uint32_t content_begin) {
  if (directives_done_) return;
  std::string_view t = text_.substr(content_begin, line.content_end - content_begin);
  // ^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$   (Go \s is [\t\n\f\r ])
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; };
  size_t i = 0;
  if (t.empty() || t[0] != '#') { directives_done_ = true; return; }
  ++i;
  while (i < t.size() && is_space(t[i])) ++i;
  size_t key_begin = i;
  if (i >= t.size() || !std::isalpha(static_cast<unsigned char>(t[i]))) { directives_done_ = true; return; }
  while (i < t.size() && std::isalnum(static_cast<unsigned char>(t[i]))) ++i;
  std::string key = ascii_lower(t.substr(key_begin, i - key_begin));
  while (i < t.size() && is_space(t[i])) ++i;
  if (i >= t.size() || t[i] != '=') { directives_done_ = true; return; }
  ++i;
  while (i < t.size() && is_space(t[i])) ++i;
  size_t value_end = t.size();
  while (value_end > i && is_space(t[value_end - 1])) --value_end;
  if (value_end == i) { directives_done_ = true; return; }
  std::string value(t.substr(i, value_end - i));
  if (key != "escape" && key != "syntax" && key != "check") { directives_done_ = true; return; }
  Range r = src_.range(content_begin, line.content_end);
  for (const auto& d : out_.directives) {
    if (d.name == key) {
      error(r, "only one " + key + " parser directive can be used");
      return;
    }
  }
  if (key == "escape") {
    if (value != "`" && value != "\\") {
      error(r, "invalid escape token '" + value + "' does not match ` or \\");
      return;
    }
    escape_ = value[0];
    out_.escape = escape_;
  }
  out_.directives.push_back({key, value, r});
}

// extractBuilderFlags: leading `--words`, quotes removed, backslash escapes processed.
// Works on args.text[begin, end); rest_begin is an index into args.text.
void Parser::split_flags(const MappedText& args, size_t begin, size_t end, Instruction& ins, size_t& rest_begin) {
  const std::string& line = args.text;
  enum { kSpaces, kWord, kQuote } phase = kSpaces;
  std::string word;
  size_t word_begin = 0;
  size_t eq_pos = std::string::npos;  // index in `line` just past the first '='
  char quote = 0;
  bool blank_ok = false;
  auto emit = [&](size_t word_end) {
    Flag f;
    f.text = word;
    f.range = range_of(args, word_begin, word_end);
    std::string body = word.substr(2);
    size_t eq = body.find('=');
    f.name = body.substr(0, eq);
    if (eq != std::string::npos) f.value = body.substr(eq + 1);
    f.value_range = eq_pos != std::string::npos ? range_of(args, eq_pos, word_end)
                                                : src_.range(args.source_end(word_end), args.source_end(word_end));
    ins.flags.push_back(std::move(f));
  };
  for (size_t pos = begin; pos <= end; ++pos) {
    char ch = pos < end ? line[pos] : 0;
    if (phase == kSpaces) {
      if (pos == end) break;
      if (is_unicode_space_byte(ch)) continue;
      if (ch != '-' || pos + 1 == end || line[pos + 1] != '-') { rest_begin = pos; return; }
      phase = kWord;
      word_begin = pos;
      eq_pos = std::string::npos;
    }
    if (pos == end) {
      if (word != "--" && (blank_ok || !word.empty())) emit(pos);
      break;
    }
    if (phase == kWord) {
      if (is_unicode_space_byte(ch)) {
        phase = kSpaces;
        if (word == "--") { rest_begin = pos; return; }
        if (blank_ok || !word.empty()) emit(pos);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') { quote = ch; blank_ok = true; phase = kQuote; continue; }
      if (ch == '\\') {
        if (pos + 1 == end) continue;
        ch = line[++pos];
      }
      if (ch == '=' && eq_pos == std::string::npos) eq_pos = pos + 1;
      word += ch;
      continue;
    }
    // kQuote
    if (ch == quote) { phase = kWord; continue; }
    if (ch == '\\') {
      if (pos + 1 == end) { phase = kWord; continue; }
      ch = line[++pos];
    }
    word += ch;
  }
  rest_begin = end;
}

bool Parser::build_instruction(const MappedText& line, Instruction& ins, std::string& err, Range& err_range) {
  // Indices into line.text: the trimmed line is [b, e); no copies until the rest is stored.
  const std::string& t = line.text;
  size_t b = leading_unicode_space(t);
  size_t e = t.size() - trailing_unicode_space(std::string_view(t).substr(b));
  size_t k = b;
  while (k < e && !is_ascii_split_space(t[k])) ++k;
  ins.keyword = t.substr(b, k - b);
  ins.cmd = ascii_lower(ins.keyword);
  ins.keyword_range = range_of(line, b, k);
  size_t a = k;
  while (a < e && is_ascii_split_space(t[a])) ++a;
  size_t rest_begin = e;
  if (a < e) split_flags(line, a, e, ins, rest_begin);
  std::string_view rest_view = std::string_view(t).substr(rest_begin, e - rest_begin);
  size_t rb = rest_begin + leading_unicode_space(rest_view);
  size_t re = e - trailing_unicode_space(std::string_view(t).substr(rb, e - rb));
  ins.rest = slice(line, rb, re);
  err_range = range_of(line, b, e);
  return parse_arguments(ins.rest, ins, err, err_range);
}

bool Parser::parse_json_array(const MappedText& rest, Instruction& ins, bool& is_json, std::string& err) {
  is_json = false;
  size_t lead = leading_unicode_space(rest.text);
  if (lead >= rest.text.size() || rest.text[lead] != '[') return true;
  auto parsed = nlohmann::json::parse(rest.text.begin() + static_cast<long>(lead), rest.text.end(), nullptr, false);
  if (parsed.is_discarded() || !parsed.is_array()) return true;  // not JSON: shell form
  for (const auto& element : parsed) {
    if (!element.is_string()) {
      err = "when using JSON array syntax, arrays must be comprised of strings only";
      return false;
    }
  }
  // Valid array of strings: find each string literal for its range.
  size_t i = lead + 1;
  const std::string& t = rest.text;
  for (const auto& element : parsed) {
    while (i < t.size() && t[i] != '"') ++i;
    size_t b = i++;
    while (i < t.size() && t[i] != '"') i += t[i] == '\\' ? 2 : 1;
    size_t e = std::min(i + 1, t.size());
    ins.args.push_back({element.get<std::string>(), range_of(rest, b, e)});
    i = e;
  }
  is_json = true;
  ins.json_form = true;
  return true;
}

void Parser::parse_whitespace_split(const MappedText& rest, Instruction& ins) {
  const std::string& t = rest.text;
  if (t.empty()) return;
  size_t i = 0;
  while (true) {
    size_t b = i;
    while (i < t.size() && !is_ascii_split_space(t[i])) ++i;
    ins.args.push_back({t.substr(b, i - b), range_of(rest, b, i)});
    if (i >= t.size()) break;
    while (i < t.size() && is_ascii_split_space(t[i])) ++i;
  }
}

void Parser::parse_single_string(const MappedText& rest, Instruction& ins) {
  if (rest.text.empty()) return;
  ins.args.push_back({rest.text, range_of(rest, 0, rest.text.size())});
}

// BuildKit's parseWords: shell-like words, quotes and escapes kept raw; invalid UTF-8 becomes
// U+FFFD as Go's rune decoding makes it. Returns [begin, end) of each word in rest.
std::vector<std::pair<size_t, size_t>> Parser::parse_words(const MappedText& rest, std::vector<std::string>& values) {
  const std::string& s = rest.text;
  std::vector<std::pair<size_t, size_t>> spans;
  enum { kSpaces, kWord, kQuote } phase = kSpaces;
  std::string word;
  size_t word_begin = 0;
  uint32_t quote = 0;
  bool blank_ok = false;
  uint32_t ch = 0;
  size_t width = 0;
  auto push = [&](size_t end) {
    values.push_back(word);
    spans.emplace_back(word_begin, end);
  };
  for (size_t pos = 0; pos <= s.size(); pos += width) {
    if (pos != s.size()) ch = decode_utf8(s, pos, width);
    else width = 1;
    if (phase == kSpaces) {
      if (pos == s.size()) break;
      if (is_unicode_space(ch)) continue;
      phase = kWord;
      word_begin = pos;
    }
    if (pos == s.size()) {
      if (blank_ok || !word.empty()) push(pos);
      break;
    }
    if (phase == kWord) {
      if (is_unicode_space(ch)) {
        phase = kSpaces;
        if (blank_ok || !word.empty()) push(pos);
        word.clear();
        blank_ok = false;
        continue;
      }
      if (ch == '\'' || ch == '"') { quote = ch; blank_ok = true; phase = kQuote; }
      if (ch == static_cast<unsigned char>(escape_)) {
        if (pos + width == s.size()) continue;
        append_utf8(word, ch);
        pos += width;
        ch = decode_utf8(s, pos, width);
      }
      append_utf8(word, ch);
      continue;
    }
    if (ch == quote) phase = kWord;
    if (ch == static_cast<unsigned char>(escape_) && quote != '\'') {
      if (pos + width == s.size()) { phase = kWord; continue; }
      pos += width;
      append_utf8(word, ch);
      ch = decode_utf8(s, pos, width);
    }
    append_utf8(word, ch);
  }
  return spans;
}

bool Parser::parse_name_value(const MappedText& rest, Instruction& ins, std::string_view key, std::string& err) {
  std::vector<std::string> words;
  auto spans = parse_words(rest, words);
  if (words.empty()) return true;
  if (words[0].find('=') == std::string::npos) {
    // Legacy `KEY name value`: split the raw text once on whitespace.
    const std::string& t = rest.text;
    size_t k = 0;
    while (k < t.size() && !is_ascii_split_space(t[k])) ++k;
    if (k >= t.size()) {
      err = std::string(key) + " must have two arguments";
      return false;
    }
    size_t v = k;
    while (v < t.size() && is_ascii_split_space(t[v])) ++v;
    KeyValue kv{t.substr(0, k), t.substr(v), range_of(rest, 0, k), range_of(rest, v, t.size()), false};
    ins.args.push_back({kv.key, kv.key_range});
    ins.args.push_back({kv.value, kv.value_range});
    ins.args.push_back({"", kv.value_range});
    ins.pairs.push_back(std::move(kv));
    return true;
  }
  for (size_t w = 0; w < words.size(); ++w) {
    size_t eq = words[w].find('=');
    if (eq == std::string::npos) {
      err = "Syntax error - can't find = in " + go_quote(words[w]) + ". Must be of the form: name=value";
      return false;
    }
    auto [b, e] = spans[w];
    size_t raw_eq = rest.text.find('=', b);
    if (raw_eq == std::string::npos || raw_eq >= e) raw_eq = b;
    KeyValue kv{words[w].substr(0, eq), words[w].substr(eq + 1), range_of(rest, b, raw_eq),
                range_of(rest, raw_eq + 1, e), true};
    ins.args.push_back({kv.key, kv.key_range});
    ins.args.push_back({kv.value, kv.value_range});
    ins.args.push_back({"=", range_of(rest, raw_eq, raw_eq + 1)});
    ins.pairs.push_back(std::move(kv));
  }
  return true;
}

bool Parser::parse_arguments(const MappedText& rest, Instruction& ins, std::string& err, Range& err_range) {
  const std::string& c = ins.cmd;
  bool is_json = false;
  if (c == "run" || c == "cmd" || c == "entrypoint" || c == "shell") {
    if (rest.text.empty()) return true;
    if (!parse_json_array(rest, ins, is_json, err)) return false;
    if (!is_json) parse_single_string(rest, ins);
    return true;
  }
  if (c == "add" || c == "copy" || c == "volume") {
    if (!parse_json_array(rest, ins, is_json, err)) return false;
    if (!is_json) parse_whitespace_split(rest, ins);
    return true;
  }
  if (c == "from" || c == "expose") { parse_whitespace_split(rest, ins); return true; }
  if (c == "user" || c == "workdir" || c == "maintainer" || c == "stopsignal") {
    parse_single_string(rest, ins);
    return true;
  }
  if (c == "arg") {
    std::vector<std::string> words;
    auto spans = parse_words(rest, words);
    for (size_t w = 0; w < words.size(); ++w) ins.args.push_back({words[w], range_of(rest, spans[w].first, spans[w].second)});
    return true;
  }
  if (c == "env") return parse_name_value(rest, ins, "ENV", err);
  if (c == "label") return parse_name_value(rest, ins, "LABEL", err);
  if (c == "healthcheck") {
    const std::string& t = rest.text;
    size_t sep = 0;
    while (sep < t.size() && !is_unicode_space_byte(t[sep])) ++sep;
    size_t next = sep;
    while (next < t.size() && is_unicode_space_byte(t[next])) ++next;
    if (sep == 0) return true;
    ins.args.push_back({t.substr(0, sep), range_of(rest, 0, sep)});
    MappedText cmd = slice(rest, next, t.size());
    if (cmd.text.empty()) return true;
    if (!parse_json_array(cmd, ins, is_json, err)) return false;
    if (!is_json) parse_single_string(cmd, ins);
    return true;
  }
  if (c == "onbuild") {
    if (rest.text.empty()) return true;
    Instruction nested;
    if (!build_instruction(rest, nested, err, err_range)) return false;
    nested.start_line = src_.position(rest.source_begin(0)).line;
    nested.range = range_of(rest, 0, rest.text.size());
    nested.full_range = nested.range;
    nested.end_line = nested.range.end.line;
    ins.onbuild.push_back(std::move(nested));
    return true;
  }
  // Unknown keyword: BuildKit's parser keeps it with one empty argument; the instruction layer
  // rejects it, which is what users see from `docker build`.
  ins.args.push_back({"", range_of(rest, 0, rest.text.size())});
  return true;
}

bool Parser::can_contain_heredoc(const Instruction& ins) const {
  const Instruction* i = &ins;
  if (i->cmd == "onbuild" && !i->onbuild.empty()) i = &i->onbuild.front();
  if (i->cmd != "run" && i->cmd != "copy" && i->cmd != "add") return false;
  return !i->json_form;
}

// heredocsFromLine: split the logical line into shell words (quotes and escapes kept raw, no
// expansion), and take the words shaped `[N]<<[-]NAME`.
bool Parser::find_heredocs(const MappedText& line, std::vector<Heredoc>& docs, std::string& err) {
  for (const RawShellWord& w : split_raw_shell_words(line.text)) {
    std::string_view word(line.text.data() + w.begin, w.end - w.begin);
    size_t i = 0;
    while (i < word.size() && std::isdigit(static_cast<unsigned char>(word[i]))) ++i;
    if (word.substr(i, 2) != "<<") continue;
    std::string_view digits = word.substr(0, i);
    i += 2;
    bool chomp = false;
    if (i < word.size() && word[i] == '-') { chomp = true; ++i; }
    // reHeredoc `^(\d*)<<(-?)\s*([^<]*)$` (BuildKit 0b77373ab): blanks may follow `<<` or `<<-`.
    while (i < word.size() && (word[i] == ' ' || word[i] == '\t' || word[i] == '\n' || word[i] == '\f' || word[i] == '\r')) ++i;
    std::string_view raw_name = word.substr(i);
    if (raw_name.empty() || raw_name.find('<') != std::string_view::npos) continue;
    auto name = unquote_heredoc_name(raw_name);
    if (!name) {
      err = "unterminated quote in heredoc name " + std::string(raw_name);
      return false;
    }
    if (name->words != 1) continue;
    Heredoc h;
    h.name = name->value;
    h.fd = 0;
    for (char d : digits) h.fd = std::min(h.fd * 10 + (d - '0'), 1 << 20);
    h.chomp = chomp;
    h.expand = !name->quoted;
    h.word_range = range_of(line, w.begin, w.end);
    docs.push_back(std::move(h));
  }
  return true;
}

ParsedDockerfile Parser::run() {
  std::vector<PhysicalLine> lines = split_physical_lines(text_);
  size_t li = 0;
  bool any_instruction = false;
  auto content_of = [&](size_t index) {
    PhysicalLine l = lines[index];
    if (index == 0 && text_.substr(0, 3) == "\xEF\xBB\xBF") l.begin = std::min<uint32_t>(3, l.content_end);
    return l;
  };
  while (li < lines.size()) {
    PhysicalLine first = content_of(li);
    ++li;
    if (first.content_end - first.begin > kMaxLineBytes) {
      error(line_range(first), "dockerfile line greater than max allowed size of 65535");
      continue;
    }
    std::string_view raw(text_.data() + first.begin, first.content_end - first.begin);
    uint32_t lead = static_cast<uint32_t>(leading_unicode_space(raw));
    if (is_comment(raw)) {
      uint32_t hash = first.begin + lead;
      out_.comments.push_back({std::string(text_.substr(hash + 1, first.content_end - hash - 1)),
                               src_.range(hash, first.content_end)});
    }
    directive(first, first.begin + lead);
    MappedText line = map_source(text_, first.begin + lead, first.content_end);
    if (!line.text.empty() && line.text[0] == '#') line = slice(line, 0, 0);
    bool continued = trim_continuation(line, escape_);
    if (!continued && line.text.empty()) continue;

    uint32_t last_content_end = first.content_end;
    while (continued && li < lines.size()) {
      PhysicalLine next = content_of(li);
      ++li;
      std::string_view next_raw(text_.data() + next.begin, next.content_end - next.begin);
      if (is_comment(next_raw)) {
        out_.comments.push_back({std::string(next_raw.substr(leading_unicode_space(next_raw) + 1)),
                                 src_.range(next.begin + static_cast<uint32_t>(leading_unicode_space(next_raw)),
                                            next.content_end)});
        continue;
      }
      if (leading_unicode_space(next_raw) == next_raw.size()) continue;  // empty continuation line
      MappedText piece = map_source(text_, next.begin, next.content_end);
      continued = trim_continuation(piece, escape_);
      append(line, piece);
      last_content_end = next.content_end;
    }

    Instruction ins;
    std::string err;
    Range err_range;
    uint32_t begin = first.begin + lead;
    uint32_t end = last_content_end;
    while (end > begin && is_ascii_split_space(text_[end - 1])) --end;
    ins.range = src_.range(begin, end);
    ins.start_line = ins.range.begin.line;
    ins.end_line = ins.range.end.line;
    if (!build_instruction(line, ins, err, err_range)) {
      error(ins.range, err);
      continue;
    }
    ins.full_range = ins.range;

    if (can_contain_heredoc(ins)) {
      std::vector<Heredoc> docs;
      if (!find_heredocs(line, docs, err)) {
        error(ins.range, err);
        continue;
      }
      bool ok = true;
      for (Heredoc& h : docs) {
        bool terminated = false;
        uint32_t body_begin = li < lines.size() ? lines[li].begin : static_cast<uint32_t>(text_.size());
        uint32_t body_end = body_begin;
        while (li < lines.size()) {
          PhysicalLine l = lines[li++];
          std::string_view candidate(text_.data() + l.begin, l.content_end - l.begin);
          if (h.chomp) candidate.remove_prefix(std::min(candidate.find_first_not_of('\t'), candidate.size()));
          if (candidate == h.name) {
            terminated = true;
            h.terminator_range = src_.range(l.begin, l.content_end);
            ins.full_range.end = h.terminator_range.end;
            break;
          }
          h.content.append(text_.substr(l.begin, l.end - l.begin));
          body_end = l.end;
        }
        h.body_range = src_.range(body_begin, body_end);
        if (!terminated) {
          error(ins.range, "unterminated heredoc " + h.name);
          ok = false;
          break;
        }
      }
      if (!ok) continue;
      ins.heredocs = std::move(docs);
    }
    if (ins.cmd != "onbuild" || !ins.onbuild.empty()) {
      static const char* const kKnown[] = {"add", "arg", "cmd", "copy", "entrypoint", "env", "expose", "from",
                                           "healthcheck", "label", "maintainer", "onbuild", "run", "shell",
                                           "stopsignal", "user", "volume", "workdir"};
      const Instruction& checked = ins.cmd == "onbuild" ? ins.onbuild.front() : ins;
      if (std::find(std::begin(kKnown), std::end(kKnown), checked.cmd) == std::end(kKnown)) {
        error(checked.keyword_range, "unknown instruction: " + checked.keyword);
      }
    }
    check_instruction_layer(ins);
    any_instruction = true;
    out_.instructions.push_back(std::move(ins));
  }
  auto end = static_cast<uint32_t>(text_.size());
  if (!any_instruction) {
    error(src_.range(end, end), "file with no instructions");
  } else if (!seen_from_ && !reported_no_stage_) {
    error(src_.range(end, end), "dockerfile contains no stages to build: no FROM instruction", true);
  }
  return std::move(out_);
}

}  // namespace

const Flag* Instruction::flag(std::string_view name) const {
  for (const Flag& f : flags) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

bool ParsedDockerfile::has_errors() const {
  return std::any_of(errors.begin(), errors.end(), [](const Diagnostic& d) { return d.severity == Severity::Error; });
}

ParsedDockerfile parse_dockerfile(const SourceFile& source) { return Parser(source).run(); }

}  // namespace okd
