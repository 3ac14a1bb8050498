// Source text with positions. Every range in okdlint is a pair of byte offsets into the original
// bytes of one file; line and column are derived from those offsets on demand.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace okd {

// A point in a source file. offset is a byte offset; line and column are 1-based, and column
// counts Unicode code points (bytes that are not UTF-8 continuation bytes) from the line start,
// which is what editors, GitHub and SARIF ("unicodeCodePoints") show.
struct Position {
  uint32_t offset = 0;
  uint32_t line = 1;
  uint32_t column = 1;
  friend bool operator==(const Position&, const Position&) = default;
};

// Half-open byte range [begin, end) with both ends resolved to line:column.
struct Range {
  Position begin;
  Position end;
  uint32_t size() const { return end.offset - begin.offset; }
  bool empty() const { return begin.offset == end.offset; }
  friend bool operator==(const Range&, const Range&) = default;
};

class SourceFile {
 public:
  SourceFile() = default;
  // path is kept as the user gave it; it is what reporters print.
  SourceFile(std::string path, std::string text);

  const std::string& path() const { return path_; }
  const std::string& text() const { return text_; }

  Position position(uint32_t offset) const;
  Range range(uint32_t begin, uint32_t end) const { return {position(begin), position(end)}; }

  uint32_t line_count() const { return static_cast<uint32_t>(line_starts_.size()); }
  // The bytes of one 1-based line without its line terminator (LF or CRLF).
  std::string_view line_text(uint32_t line) const;
  uint32_t line_start(uint32_t line) const { return line_starts_.at(line - 1); }

 private:
  std::string path_;
  std::string text_;
  std::vector<uint32_t> line_starts_;
  std::vector<bool> line_is_ascii_;  // column == byte offset + 1 on these lines
};

// Text assembled from pieces of a source (a logical line joined across continuations, a word with
// its quotes removed): each byte remembers the source offset it came from, so any sub-range of the
// assembled text maps back to a source range. Stored as runs of consecutive offsets, since most
// text is copied from the source in long contiguous stretches.
struct MappedText {
  struct Run {
    uint32_t text_index;  // first byte of the run in text
    uint32_t source;      // its source offset; the run's bytes map to consecutive offsets
  };
  std::string text;
  std::vector<Run> runs;
  // Source offset just past the last byte (used for empty texts and for end positions).
  uint32_t end_origin = 0;

  void push(char c, uint32_t source_offset) {
    auto index = static_cast<uint32_t>(text.size());
    if (runs.empty() || runs.back().source + (index - runs.back().text_index) != source_offset) {
      runs.push_back({index, source_offset});
    }
    text.push_back(c);
    end_origin = source_offset + 1;
  }
  // Appends source bytes [begin, end) of source_text.
  void append_source(std::string_view source_text, uint32_t begin, uint32_t end);
  void append(const MappedText& other);

  // Source byte range covering text[b, e).
  uint32_t source_begin(size_t b) const;
  uint32_t source_end(size_t e) const { return e == 0 ? source_begin(0) : source_begin(e - 1) + 1; }
  MappedText substr(size_t b, size_t e) const;
};

}  // namespace okd
