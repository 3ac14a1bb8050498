#include "rewrite/unified_diff.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace okd {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(pos, end - pos));
    pos = end;
  }
  return lines;
}

enum class Op { Keep, Remove, Add };
struct Step {
  Op op;
  size_t a;  // index in before (Keep/Remove)
  size_t b;  // index in after (Keep/Add)
};

// Longest common subsequence on lines after trimming the common prefix and suffix; fixes touch a
// few lines of small files, so the middle is small.
std::vector<Step> diff_lines(const std::vector<std::string_view>& a, const std::vector<std::string_view>& b) {
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix && a[a.size() - 1 - suffix] == b[b.size() - 1 - suffix]) ++suffix;
  size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
  std::vector<Step> steps;
  for (size_t i = 0; i < prefix; ++i) steps.push_back({Op::Keep, i, i});
  if (n * m <= 16'000'000) {
    std::vector<std::vector<uint32_t>> lcs(n + 1, std::vector<uint32_t>(m + 1, 0));
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        lcs[i][j] = a[prefix + i] == b[prefix + j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[prefix + i] == b[prefix + j]) {
        steps.push_back({Op::Keep, prefix + i++, prefix + j++});
      } else if (j < m && (i == n || lcs[i][j + 1] > lcs[i + 1][j])) {
        steps.push_back({Op::Add, prefix + i, prefix + j++});
      } else {
        steps.push_back({Op::Remove, prefix + i++, prefix + j});
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) steps.push_back({Op::Remove, prefix + i, prefix});
    for (size_t j = 0; j < m; ++j) steps.push_back({Op::Add, prefix + n, prefix + j});
  }
  for (size_t k = 0; k < suffix; ++k) steps.push_back({Op::Keep, a.size() - suffix + k, b.size() - suffix + k});
  return steps;
}

void append_line(std::string& out, char mark, std::string_view line) {
  out += mark;
  out.append(line);
  if (line.empty() || line.back() != '\n') out += "\n\\ No newline at end of file\n";
}

std::string range_text(size_t start, size_t count) {
  // diff prints "start,count" and, for an empty side, the line before the hunk.
  if (count == 1) return std::to_string(start + 1);
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

}  // namespace

std::string unified_diff(std::string_view path, std::string_view before, std::string_view after, int context) {
  if (before == after) return "";
  std::vector<std::string_view> a = split_lines(before), b = split_lines(after);
  std::vector<Step> steps = diff_lines(a, b);
  std::string p(path);
  while (p.starts_with("./")) p.erase(0, 2);
  std::string out = "diff --git a/" + p + " b/" + p + "\n--- a/" + p + "\n+++ b/" + p + "\n";
  const auto ctx = static_cast<size_t>(context);
  size_t k = 0;
  while (k < steps.size()) {
    while (k < steps.size() && steps[k].op == Op::Keep) ++k;
    if (k == steps.size()) break;
    size_t start = k >= ctx ? k - ctx : 0;
    size_t end = k;  // extend while changes are within 2*context of each other
    while (end < steps.size()) {
      if (steps[end].op != Op::Keep) { ++end; continue; }
      size_t run = end;
      while (run < steps.size() && steps[run].op == Op::Keep) ++run;
      if (run == steps.size() || run - end > 2 * ctx) { end = std::min(run, end + ctx); break; }
      end = run;
    }
    size_t a_start = steps[start].a, b_start = steps[start].b, a_count = 0, b_count = 0;
    std::string body;
    for (size_t s = start; s < end; ++s) {
      const Step& st = steps[s];
      if (st.op == Op::Keep) { append_line(body, ' ', a[st.a]); ++a_count; ++b_count; }
      else if (st.op == Op::Remove) { append_line(body, '-', a[st.a]); ++a_count; }
      else { append_line(body, '+', b[st.b]); ++b_count; }
    }
    out += "@@ -" + range_text(a_start, a_count) + " +" + range_text(b_start, b_count) + " @@\n" + body;
    k = end;
  }
  return out;
}

}  // namespace okd
