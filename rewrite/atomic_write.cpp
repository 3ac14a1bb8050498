#include "rewrite/atomic_write.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace okd {

void write_file_atomically(const std::string& path, const std::string& content) {
  auto fail = [&](const std::string& what) { throw std::runtime_error(path + ": " + what + ": " + std::strerror(errno)); };
  struct stat original {};
  if (stat(path.c_str(), &original) != 0) fail("cannot write");
  std::filesystem::path target(path);
  std::string dir = target.has_parent_path() ? target.parent_path().string() : ".";
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
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      cleanup("cannot write the temporary file");
    }
    done += static_cast<size_t>(n);
  }
  if (fchmod(fd, original.st_mode & 07777) != 0) cleanup("cannot keep the file mode");
  // Keeping the owner needs privileges when it differs from ours; an unprivileged user can only
  // write files they own anyway, so EPERM here means nothing to keep.
  if (fchown(fd, original.st_uid, original.st_gid) != 0 && errno != EPERM) cleanup("cannot keep the owner");
  if (fsync(fd) != 0) cleanup("cannot sync the temporary file");
  if (close(fd) != 0) {
    unlink(tmp.c_str());
    fail("cannot close the temporary file");
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
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
