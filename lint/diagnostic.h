// What rules produce: a diagnostic with a rule id, an exact range, a fix hint and optionally a
// machine-applicable fix (byte-range edits, as in ruff). Reporters and the rewriter consume these.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "lint/source.h"

namespace okd {

enum class Severity { Info = 0, Warning = 1, Error = 2 };

std::string_view to_string(Severity s);                 // "info" | "warning" | "error"
std::optional<Severity> parse_severity(std::string_view s);  // also accepts "style"→info, "off"→nullopt

// safe: behaviour on OKD only improves. unsafe: changes what the application sees (e.g. a port).
enum class Applicability { Safe, Unsafe };
std::string_view to_string(Applicability a);

// Replace bytes [begin, end) of the original text with replacement. begin == end inserts.
struct Edit {
  uint32_t begin = 0;
  uint32_t end = 0;
  std::string replacement;
  friend bool operator==(const Edit&, const Edit&) = default;
};

struct Fix {
  std::string description;  // "set USER 1001" — shown by reporters and `okdlint fix`
  Applicability applicability = Applicability::Safe;
  std::vector<Edit> edits;
};

struct Diagnostic {
  std::string rule_id;   // "OKD101"
  std::string rule_name; // "root-user"
  Severity severity = Severity::Warning;
  std::string message;
  std::string hint;      // one line: how to fix it by hand
  std::string file;      // the path as the user gave it
  Range range;           // for images: an empty range at 1:1
  // For image findings: the path inside the image ("/etc/passwd") or a config field
  // ("config.User"); reporters emit it as a SARIF logical location.
  std::string logical_location;
  std::optional<Fix> fix;
  // Set by a rule that chose the severity of this finding itself (OKD105 in images: info for a
  // setuid bit nothing uses, warning where the command depends on it); else the rule's default.
  bool keep_severity = false;
};

// Static description of a rule; `okdlint rules` prints these and SARIF embeds them.
struct RuleInfo {
  std::string id;
  std::string name;
  Severity default_severity = Severity::Warning;
  std::string summary;    // one line
  std::string rationale;  // paragraphs: why OKD cares, how to fix
  bool enabled_by_default = true;
};

}  // namespace okd
