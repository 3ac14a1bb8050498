// What git knows about the repository in the current directory: which files a push, the index or
// a range of commits changes, and their content. Errors are GitError with git's own complaint.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace okd::git {

struct GitError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Which paths (from the repository root) a caller wants, e.g. Containerfile names.
using PathFilter = std::function<bool(const std::string& path)>;

// A file as git holds it: its path from the repository root and its blob.
struct GitFile {
  std::string path;
  std::string blob;    // object id, or ":PATH" for a staged file not hashed yet
  std::string origin;  // the ref it came from, to tell apart two versions of one path
};

// One line of what git passes to a pre-push hook on stdin.
struct PushUpdate {
  std::string local_ref, local_id, remote_ref, remote_id;
};

// Parses the pre-push hook's stdin; throws GitError "stdin:LINE: …" on a malformed line.
std::vector<PushUpdate> parse_push_updates(const std::string& text);

// Regular files matching `wanted` that the pushed commits change (against what the remote has,
// or against the remote's default branch for a new branch), with their blobs at those commits.
std::vector<GitFile> files_changed_by_push(const std::vector<PushUpdate>& updates, const std::string& remote,
                                           const PathFilter& wanted);

// Regular files matching `wanted` that the next commit changes, with their staged blobs.
std::vector<GitFile> files_staged_for_commit(const PathFilter& wanted);

// Paths changed between REF and the work tree, relative to the current directory (deleted files
// left out), as `git diff --name-only --relative REF` lists them.
std::set<std::string> files_changed_since(const std::string& ref);

// The repository's top directory.
std::string toplevel();

// The hooks directory (honours core.hooksPath and linked worktrees), absolute.
std::string hooks_directory();

// A blob's content; nullopt with git's complaint in `error` when it cannot be read.
std::optional<std::string> read_blob(const std::string& blob, std::string& error);

// Internals the tests exercise on git's own output.
std::vector<GitFile> parse_raw_diff(const std::string& output, const std::string& origin, const PathFilter& wanted);
std::vector<GitFile> parse_ls_tree(const std::string& output, const std::string& origin, const PathFilter& wanted);

}  // namespace okd::git
