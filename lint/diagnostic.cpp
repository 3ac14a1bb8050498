#include "lint/diagnostic.h"

namespace okd {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::Info: return "info";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "error";
}

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "info" || s == "style" || s == "note") return Severity::Info;
  if (s == "warning" || s == "warn") return Severity::Warning;
  if (s == "error") return Severity::Error;
  return std::nullopt;
}

std::string_view to_string(Applicability a) { return a == Applicability::Safe ? "safe" : "unsafe"; }

}  // namespace okd
