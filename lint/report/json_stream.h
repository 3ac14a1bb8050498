// Internal to lint/report/: writes a JSON array one element at a time, byte for byte as
// nlohmann's dump(2, ' ', false, replace) would print the whole array, so a report with a million
// findings never holds a million-element JSON tree (issue 10 §3).
#pragma once

#include <ostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace okd::report {

using Json = nlohmann::ordered_json;

// What nlohmann prints for value at indentation 0 (two spaces per level, invalid UTF-8 replaced).
inline std::string dump_json(const Json& value) { return value.dump(2, ' ', false, Json::error_handler_t::replace); }

// An array whose '[' is written at indentation `indent` (the caller has written what precedes it,
// e.g. `"results": `); elements are indented two more. finish() writes the closing bracket, or
// "[]" when nothing was added, as nlohmann prints an empty array.
class JsonArrayStream {
 public:
  JsonArrayStream(std::ostream& out, size_t indent) : out_(out), indent_(indent) { out_ << '['; }

  void add(const Json& element) {
    out_ << (count_ == 0 ? "\n" : ",\n");
    std::string text = dump_json(element);
    const std::string pad(indent_ + 2, ' ');
    out_ << pad;
    // Strings are escaped, so every '\n' in the dump starts a nested line: shift it by pad.
    size_t begin = 0;
    for (size_t nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', begin)) {
      out_ << std::string_view(text).substr(begin, nl + 1 - begin) << pad;
      begin = nl + 1;
    }
    out_ << std::string_view(text).substr(begin);
    ++count_;
  }

  void finish() {
    if (count_ > 0) out_ << '\n' << std::string(indent_, ' ');
    out_ << ']';
  }

 private:
  std::ostream& out_;
  size_t indent_;
  size_t count_ = 0;
};

// A document printed around one streamed array: dump `document` (whose last key holds an empty
// array placeholder) and split it at that "[]", so the text before and after the array is
// exactly nlohmann's. `key` is the placeholder's key ("results"); the indentation of its line is
// what the streamed array needs.
struct JsonFrame {
  std::string before;  // up to and including `"key": `
  std::string after;   // from just past "[]" to the end, with the final newline
  size_t indent = 0;   // indentation of the line holding the key
};

inline JsonFrame json_frame(const Json& document, std::string_view key) {
  std::string text = dump_json(document);
  std::string marker = "\"" + std::string(key) + "\": []";
  size_t at = text.rfind(marker);
  if (at == std::string::npos) throw std::logic_error("json_frame: no empty \"" + std::string(key) + "\" array");
  JsonFrame frame;
  size_t line_begin = text.rfind('\n', at);
  line_begin = line_begin == std::string::npos ? 0 : line_begin + 1;
  frame.indent = at - line_begin;
  frame.before = text.substr(0, at + marker.size() - 2);
  frame.after = text.substr(at + marker.size()) + "\n";
  return frame;
}

}  // namespace okd::report
