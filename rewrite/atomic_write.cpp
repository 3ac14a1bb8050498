#include "rewrite/atomic_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace okd {
namespace {

bool write_all(int fd, const std::string& content) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

void write_file_atomically(const std::string& path, const std::string& content) {
  auto fail = [&](const std::string& what) { throw std::runtime_error(path + ": " + what + ": " + std::strerror(errno)); };
  auto refuse = [&](const std::string& what) { throw std::runtime_error(path + ": " + what); };
  // A symlink is followed: the file it points to is written and the link stays a link.
  std::error_code ec;
  std::filesystem::path target = std::filesystem::canonical(path, ec);
  if (ec) {
    errno = ec.value();
    fail("cannot write");
  }
  struct stat original {};
  if (stat(target.c_str(), &original) != 0) fail("cannot write");
  if (!S_ISREG(original.st_mode)) refuse("not a regular file, not writing it");
  // Root may replace anything: the mode bits say whether the owner meant the file to be written.
  if ((original.st_mode & 0222) == 0 || access(target.c_str(), W_OK) != 0) {
    refuse("is read-only, not writing it (make it writable to apply the fixes)");
  }
  std::string dir = target.parent_path().string();
  std::string tmp = dir + "/." + target.filename().string() + ".okdlint-XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) fail("cannot create a temporary file in " + dir);
  auto cleanup = [&](const std::string& what) {
    int saved = errno;
    close(fd);
    unlink(tmp.c_str());
    errno = saved;
    fail(what);
  };
  if (!write_all(fd, content)) cleanup("cannot write the temporary file");
  if (fchmod(fd, original.st_mode & 07777) != 0) cleanup("cannot keep the file mode");
  // Keeping the owner needs privileges when it differs from ours; an unprivileged user can only
  // write files they own anyway, so EPERM here means nothing to keep.
  if (fchown(fd, original.st_uid, original.st_gid) != 0 && errno != EPERM) cleanup("cannot keep the owner");
  if (fsync(fd) != 0) cleanup("cannot sync the temporary file");
  if (close(fd) != 0) {
    unlink(tmp.c_str());
    fail("cannot close the temporary file");
  }
  if (original.st_nlink > 1) {
    // Hard links share the inode: renaming would split them. The full temporary copy proved the
    // content fits on this filesystem; now write it in place through the same inode.
    unlink(tmp.c_str());
    int out = open(target.c_str(), O_WRONLY);
    if (out < 0) fail("cannot open for writing");
    if (!write_all(out, content) || ftruncate(out, static_cast<off_t>(content.size())) != 0 || fsync(out) != 0) {
      int saved = errno;
      close(out);
      errno = saved;
      fail("cannot write in place (the file has hard links)");
    }
    if (close(out) != 0) fail("cannot close");
    return;
  }
  if (rename(tmp.c_str(), target.c_str()) != 0) {
    int saved = errno;
    unlink(tmp.c_str());
    errno = saved;
    fail("cannot replace the file");
  }
  int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (dfd >= 0) {
    fsync(dfd);
    close(dfd);
  }
}

}  // namespace okd
