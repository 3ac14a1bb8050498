// Internal to lint/report/: one writer per format plus the pieces the unit tests check directly.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "lint/report/reporter.h"

namespace okd::report {

void write_tty(const ReportInput& input, std::ostream& out);
void write_json(const ReportInput& input, std::ostream& out);
void write_sarif(const ReportInput& input, std::ostream& out);
void write_github(const ReportInput& input, std::ostream& out);
void write_gitlab(const ReportInput& input, std::ostream& out);
void write_checkstyle(const ReportInput& input, std::ostream& out);

// The source of d.file, or nullptr when there is none (images, unknown files, no callback).
const SourceFile* source_of(const ReportInput& input, const Diagnostic& d);

// Image findings have no source position, only a path or config field inside the image.
bool is_image_finding(const Diagnostic& d, const SourceFile* source);

// The message, followed by " (at /etc/passwd)" when the finding has a logical location: formats
// with no field for it would otherwise lose where in an image the problem is.
std::string message_with_location(const Diagnostic& d);

// GitHub Actions workflow commands (@actions/core escapeData / escapeProperty).
std::string github_escape_data(std::string_view text);
std::string github_escape_property(std::string_view text);

// GitLab Code Quality fingerprint: sha256 hex of file, rule, message and the anchor text (the
// trimmed source line, or the logical location for image findings), plus an occurrence number
// that tells identical findings apart. No line number, so it survives lines moving.
std::string gitlab_fingerprint(std::string_view file, std::string_view rule_id, std::string_view message,
                               std::string_view anchor_text, uint32_t occurrence);

// XML 1.0 attribute value: entities for & < > " ', character references for tab/LF/CR (so
// parsers keep them), U+FFFD for characters XML 1.0 forbids and for invalid UTF-8.
std::string xml_escape_attribute(std::string_view text);

// A file path as a SARIF artifact URI: absolute paths become file:// URIs, relative paths stay
// relative; bytes outside RFC 3986 unreserved/sub-delims ('/' and '@' kept) are percent-encoded.
std::string path_to_uri(std::string_view path);

}  // namespace okd::report
