#include "git/repository.h"

#include <climits>
#include <cstdlib>
#include <sstream>
#include <string_view>

#include "git/process.h"

namespace okd::git {
namespace {

ProcessResult git(std::vector<std::string> args) {
  args.insert(args.begin(), "git");
  return run_process(args);
}

std::string first_line(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.empty() ? std::string("failed") : line;
}

std::string trim_newline(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// git's stdout, or GitError carrying git's own complaint.
std::string git_checked(const std::vector<std::string>& args) {
  ProcessResult r = git(args);
  if (r.exit_code != 0) throw GitError("git " + args.front() + ": " + first_line(r.err));
  return r.out;
}

std::vector<std::string> split_nul(const std::string& text) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\0', start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

bool is_null_object_id(std::string_view id) {
  return !id.empty() && id.find_first_not_of('0') == std::string_view::npos;
}

bool is_regular_file_mode(std::string_view mode) { return mode == "100644" || mode == "100755"; }

std::optional<std::string> resolve_commit(const std::string& rev) {
  ProcessResult r = git({"rev-parse", "--verify", "--quiet", rev + "^{commit}"});
  if (r.exit_code != 0) return std::nullopt;
  return trim_newline(r.out);
}

std::optional<std::string> merge_base(const std::string& a, const std::string& b) {
  ProcessResult r = git({"merge-base", a, b});
  if (r.exit_code != 0) return std::nullopt;
  return trim_newline(r.out);
}

// Where a new branch forks from what the remote already has: the merge-base with the remote's
// default branch, else the nearest merge-base with any of its remote-tracking branches.
std::optional<std::string> base_for_new_branch(const std::string& remote, const std::string& local_commit) {
  if (remote.empty() || remote.find_first_of(":/\\ ") != std::string::npos) return std::nullopt;  // a URL
  if (auto head = resolve_commit("refs/remotes/" + remote + "/HEAD")) {
    if (auto base = merge_base(*head, local_commit)) return base;
  }
  ProcessResult refs = git({"for-each-ref", "--format=%(objectname)", "refs/remotes/" + remote + "/"});
  if (refs.exit_code != 0) return std::nullopt;
  std::optional<std::string> best;
  long best_distance = LONG_MAX;
  std::istringstream lines(refs.out);
  for (std::string ref; std::getline(lines, ref);) {
    auto base = merge_base(ref, local_commit);
    if (!base) continue;
    ProcessResult count = git({"rev-list", "--count", *base + ".." + local_commit});
    if (count.exit_code != 0) continue;
    long distance = std::strtol(count.out.c_str(), nullptr, 10);
    if (distance < best_distance) {
      best_distance = distance;
      best = base;
    }
  }
  return best;
}

}  // namespace

// Parses `git diff-tree/diff-index -z` raw output: ":OLDMODE NEWMODE OLDSHA NEWSHA STATUS\0PATH\0".
// Renames are off (plumbing default), so each entry has one path.
std::vector<GitFile> parse_raw_diff(const std::string& output, const std::string& origin, const PathFilter& wanted) {
  std::vector<GitFile> files;
  std::vector<std::string> parts = split_nul(output);
  for (size_t i = 0; i + 1 < parts.size(); i += 2) {
    std::istringstream header(parts[i]);
    std::string old_mode, new_mode, old_id, new_id, status;
    header >> old_mode >> new_mode >> old_id >> new_id >> status;
    const std::string& path = parts[i + 1];
    if (!is_regular_file_mode(new_mode) || !wanted(path)) continue;  // symlinks, submodules
    files.push_back({path, new_id, origin});
  }
  return files;
}

// Parses `git ls-tree -r -z` output: "MODE TYPE ID\tPATH\0".
std::vector<GitFile> parse_ls_tree(const std::string& output, const std::string& origin, const PathFilter& wanted) {
  std::vector<GitFile> files;
  for (const std::string& entry : split_nul(output)) {
    size_t tab = entry.find('\t');
    if (tab == std::string::npos) continue;
    std::istringstream header(entry.substr(0, tab));
    std::string mode, type, id;
    header >> mode >> type >> id;
    std::string path = entry.substr(tab + 1);
    if (type != "blob" || !is_regular_file_mode(mode) || !wanted(path)) continue;
    files.push_back({path, id, origin});
  }
  return files;
}

std::vector<PushUpdate> parse_push_updates(const std::string& text) {
  std::vector<PushUpdate> updates;
  std::istringstream lines(text);
  int number = 0;
  for (std::string line; std::getline(lines, line);) {
    ++number;
    line = trim_newline(line);
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::istringstream fields(line);
    PushUpdate u;
    std::string extra;
    if (!(fields >> u.local_ref >> u.local_id >> u.remote_ref >> u.remote_id) || (fields >> extra)) {
      throw GitError("stdin:" + std::to_string(number) +
                     ": expected '<local ref> <local sha> <remote ref> <remote sha>' as git passes to pre-push");
    }
    updates.push_back(u);
  }
  return updates;
}

std::vector<GitFile> files_changed_by_push(const std::vector<PushUpdate>& updates, const std::string& remote,
                                           const PathFilter& wanted) {
  std::vector<GitFile> files;
  for (const PushUpdate& u : updates) {
    if (is_null_object_id(u.local_id)) continue;  // deleting a remote ref pushes no content
    std::optional<std::string> local = resolve_commit(u.local_id);
    if (!local) continue;  // e.g. a tag of a tree: nothing a Containerfile check applies to
    std::optional<std::string> base;
    if (!is_null_object_id(u.remote_id)) base = resolve_commit(u.remote_id);  // unknown locally: not fetched
    if (!base) base = base_for_new_branch(remote, *local);
    std::vector<GitFile> found;
    if (base) {
      found = parse_raw_diff(git_checked({"diff-tree", "-r", "-z", "--no-renames", "--diff-filter=d", *base, *local}),
                             u.local_ref, wanted);
    } else {
      found = parse_ls_tree(git_checked({"ls-tree", "-r", "-z", *local}), u.local_ref, wanted);
    }
    files.insert(files.end(), found.begin(), found.end());
  }
  return files;
}

std::vector<GitFile> files_staged_for_commit(const PathFilter& wanted) {
  std::string against = "HEAD";
  if (!resolve_commit("HEAD")) {
    // No commit yet: everything staged is new; compare with the empty tree.
    against = trim_newline(git_checked({"hash-object", "-t", "tree", "/dev/null"}));
  }
  std::vector<GitFile> files = parse_raw_diff(
      git_checked({"diff-index", "--cached", "-z", "--no-renames", "--diff-filter=d", against}), "index", wanted);
  for (GitFile& f : files) {
    if (is_null_object_id(f.blob)) f.blob = ":" + f.path;  // not hashed yet: read it from the index by path
  }
  return files;
}

std::set<std::string> files_changed_since(const std::string& ref) {
  // The ref is an argument of its own (no shell), and `--end-of-options` keeps it from being an option.
  ProcessResult r = git({"diff", "--name-only", "-z", "--diff-filter=d", "--relative", "--end-of-options", ref, "--"});
  if (r.exit_code != 0) throw GitError("--changed-since " + ref + ": git diff: " + first_line(r.err));
  std::set<std::string> out;
  for (std::string& path : split_nul(r.out)) {
    if (!path.empty()) out.insert(std::move(path));
  }
  return out;
}

std::string toplevel() { return trim_newline(git_checked({"rev-parse", "--show-toplevel"})); }

std::string hooks_directory() {
  // --git-path is relative to the current directory; the caller makes it absolute.
  return trim_newline(git_checked({"rev-parse", "--git-path", "hooks"}));
}

std::optional<std::string> read_blob(const std::string& blob, std::string& error) {
  ProcessResult content = git({"cat-file", "blob", blob});
  if (content.exit_code != 0) {
    error = first_line(content.err);
    return std::nullopt;
  }
  return std::move(content.out);
}

}  // namespace okd::git
