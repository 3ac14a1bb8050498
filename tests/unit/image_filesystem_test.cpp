// FilesystemView semantics on hand-built layers: whiteouts, opaque directories, hardlink groups,
// symlink resolution inside the image root, path normalisation, captured contents.
#include <cstdint>
#include <utility>
#include <gtest/gtest.h>

#include "lint/image/filesystem.h"
#include "lint/image/image.h"

namespace okd {
namespace {

FileEntry dir(uint32_t mode = 0755) {
  FileEntry e;
  e.type = FileType::Directory;
  e.mode = mode;
  return e;
}
FileEntry file(uint64_t size = 1, uint32_t uid = 0) {
  FileEntry e;
  e.type = FileType::Regular;
  e.mode = 0644;
  e.size = size;
  e.uid = uid;
  return e;
}
FileEntry symlink(std::string target) {
  FileEntry e;
  e.type = FileType::Symlink;
  e.mode = 0777;
  e.link_target = std::move(target);
  return e;
}
FileEntry hardlink(std::string target) {
  FileEntry e;
  e.type = FileType::Hardlink;
  e.mode = 0644;
  e.link_target = std::move(target);
  return e;
}

std::vector<std::string> paths(const FilesystemView& view) {
  std::vector<std::string> out;
  view.for_each([&](std::string_view p, const FileEntry&) { out.emplace_back(p); });
  return out;
}

TEST(ImagePath, Normalisation) {
  EXPECT_EQ(normalize_image_path("./etc//passwd/"), "/etc/passwd");
  EXPECT_EQ(normalize_image_path("/usr/./bin"), "/usr/bin");
  EXPECT_EQ(normalize_image_path("."), "/");
  EXPECT_EQ(normalize_image_path(""), "/");
  EXPECT_EQ(normalize_image_path("a/../b"), std::nullopt);
  EXPECT_EQ(normalize_image_path("../etc"), std::nullopt);
  EXPECT_EQ(normalize_image_path("a/..b"), "/a/..b");  // only a whole ".." component climbs
}

TEST(ImagePath, CapturedPaths) {
  for (const char* p : {"/etc/passwd", "/etc/group", "/etc/nginx/nginx.conf", "/etc/nginx/conf.d/default.conf",
                        "/etc/nginx/sites-enabled/default", "/etc/httpd/conf/httpd.conf",
                        "/etc/httpd/conf.d/ssl.conf", "/etc/apache2/ports.conf",
                        "/etc/apache2/sites-enabled/000-default.conf", "/usr/local/apache2/conf/httpd.conf",
                        "/etc/lighttpd/lighttpd.conf"}) {
    EXPECT_TRUE(is_captured_path(p)) << p;
  }
  for (const char* p : {"/etc/shadow", "/etc/nginx/mime.types", "/etc/httpd/conf.d/README", "/app/nginx.conf",
                        "/etc/passwd-", "/usr/share/nginx/html/index.html"}) {
    EXPECT_FALSE(is_captured_path(p)) << p;
  }
}

TEST(FilesystemView, WhiteoutsHideLowerLayersOnly) {
  FilesystemView view;
  view.apply_layer({{}, {}, {{"/etc", dir()}, {"/etc/a", file()}, {"/etc/b", file()}, {"/var", dir()},
                             {"/var/cache", dir()}, {"/var/cache/x", file()}, {"/var/cached", file()}},
                    {{"/etc/a", "secret"}}},
                   0);
  // Layer 1 whites out /etc/b and the whole /var/cache (not /var/cached) and writes /etc/b anew:
  // whiteouts hide lower layers only, so its own /etc/b survives.
  view.apply_layer({{"/etc/b", "/var/cache"}, {}, {{"/etc/b", file(7)}}, {}}, 1);
  EXPECT_NE(view.find("/etc/a"), nullptr);
  ASSERT_NE(view.find("/etc/b"), nullptr);
  EXPECT_EQ(view.find("/etc/b")->size, 7u);
  EXPECT_EQ(view.find("/etc/b")->layer, 1u);
  EXPECT_EQ(view.find("/var/cache"), nullptr);
  EXPECT_EQ(view.find("/var/cache/x"), nullptr);
  EXPECT_NE(view.find("/var/cached"), nullptr);
  EXPECT_EQ(view.content("/etc/a"), "secret");
  view.apply_layer({{"/etc/a"}, {}, {}, {}}, 2);
  EXPECT_EQ(view.find("/etc/a"), nullptr);
  EXPECT_FALSE(view.content("/etc/a").has_value());  // content goes with the file
}

TEST(FilesystemView, OpaqueDirectoryKeepsOnlyItsOwnLayer) {
  FilesystemView view;
  view.apply_layer({{}, {}, {{"/opt", dir()}, {"/opt/a", file()}, {"/opt/sub", dir()}, {"/opt/sub/b", file()},
                             {"/optional", file()}},
                    {}},
                   0);
  view.apply_layer({{}, {"/opt"}, {{"/opt", dir(0700)}, {"/opt/new", file()}}, {}}, 1);
  EXPECT_EQ(paths(view), (std::vector<std::string>{"/opt", "/opt/new", "/optional"}));
  EXPECT_EQ(view.find("/opt")->mode, 0700u);
}

TEST(FilesystemView, RootOpaqueAndFileReplacingADirectory) {
  FilesystemView view;
  view.apply_layer({{}, {}, {{"/", dir()}, {"/a", dir()}, {"/a/b", file()}, {"/c", file()}}, {}}, 0);
  view.apply_layer({{}, {}, {{"/a", file(3)}}, {}}, 1);  // a file where a directory was
  EXPECT_EQ(view.find("/a/b"), nullptr);
  EXPECT_EQ(view.find("/a")->type, FileType::Regular);
  view.apply_layer({{}, {"/"}, {{"/d", file()}}, {}}, 2);  // ".wh..wh..opq" at the top level
  EXPECT_EQ(paths(view), (std::vector<std::string>{"/", "/d"}));
}

TEST(FilesystemView, HardlinkGroups) {
  FilesystemView view;
  view.apply_layer({{}, {}, {{"/bin/tool", file(18)}, {"/bin/tool2", hardlink("/bin/tool")},
                             {"/bin/tool3", hardlink("/bin/tool2")}},  // a link to a link: same inode
                    {}},
                   0);
  std::vector<std::string> group{"/bin/tool", "/bin/tool2", "/bin/tool3"};
  EXPECT_EQ(view.hardlink_group("/bin/tool"), group);
  EXPECT_EQ(view.hardlink_group("/bin/tool3"), group);
  EXPECT_EQ(view.find("/bin/tool3")->link_target, "/bin/tool");
  EXPECT_EQ(view.find("/bin/tool3")->size, 18u);
  EXPECT_TRUE(view.hardlink_group("/nope").empty());

  // Deleting the first path keeps the inode alive under the remaining names.
  view.apply_layer({{"/bin/tool"}, {}, {}, {}}, 1);
  EXPECT_EQ(view.hardlink_group("/bin/tool3"), (std::vector<std::string>{"/bin/tool2", "/bin/tool3"}));
  EXPECT_EQ(view.find("/bin/tool2")->type, FileType::Regular);
  // A new file at the old path is a different inode.
  view.apply_layer({{}, {}, {{"/bin/tool", file()}}, {}}, 2);
  EXPECT_EQ(view.hardlink_group("/bin/tool"), std::vector<std::string>{"/bin/tool"});
}

TEST(FilesystemView, HardlinksMustNameEarlierEntries) {
  FilesystemView view;
  view.apply_layer({{}, {}, {{"/a", file()}}, {}}, 0);
  view.apply_layer({{}, {}, {{"/b", hardlink("/a")}}, {}}, 1);  // into a lower layer: fine
  EXPECT_EQ(view.hardlink_group("/a").size(), 2u);
  EXPECT_THROW(view.apply_layer({{}, {}, {{"/c", hardlink("/later")}, {"/later", file()}}, {}}, 2),
               std::invalid_argument);
  FilesystemView other;
  other.apply_layer({{}, {}, {{"/a", file()}}, {}}, 0);
  // Whited out by the same layer: no longer there.
  EXPECT_THROW(other.apply_layer({{"/a"}, {}, {{"/b", hardlink("/a")}}, {}}, 1), std::invalid_argument);
  EXPECT_THROW(other.apply_layer({{}, {}, {{"/a", hardlink("/a")}}, {}}, 1), std::invalid_argument);
}

TEST(FilesystemView, ResolveStaysInsideTheImage) {
  FilesystemView view;
  view.apply_layer({{}, {}, {{"/usr", dir()}, {"/usr/bin", dir()}, {"/usr/bin/tool", file()},
                             {"/bin", symlink("usr/bin")},           // relative, at the top
                             {"/usr/bin/abs", symlink("/usr/bin/tool")},
                             {"/usr/bin/up", symlink("../../../../../etc/passwd")},  // ".." stops at /
                             {"/loop1", symlink("/loop2")}, {"/loop2", symlink("loop1")},
                             {"/usr/bin/dangling", symlink("missing/file")}, {"/etc", dir()},
                             {"/etc/passwd", file()}, {"/etc/alt", symlink("passwd")}},
                    {{"/etc/passwd", "root:x:0:0::/root:/bin/sh\n"}}},
                   0);
  EXPECT_EQ(view.resolve("/bin/tool"), "/usr/bin/tool");
  EXPECT_EQ(view.resolve("/bin/abs"), "/usr/bin/tool");
  EXPECT_EQ(view.resolve("/bin/up"), "/etc/passwd");
  EXPECT_EQ(view.resolve("/usr/bin/../bin/./tool"), "/usr/bin/tool");
  EXPECT_EQ(view.resolve("/usr/bin/dangling"), "/usr/bin/missing/file");
  EXPECT_EQ(view.resolve("/loop1"), std::nullopt);
  EXPECT_EQ(view.resolve("/etc/passwd/x"), std::nullopt);  // a file is not a directory
  EXPECT_EQ(view.resolve("/"), "/");
  EXPECT_EQ(view.content("/etc/alt"), "root:x:0:0::/root:/bin/sh\n");  // through the symlink
  EXPECT_EQ(view.content("/bin/up"), "root:x:0:0::/root:/bin/sh\n");
}

TEST(FilesystemView, FindNormalisesAndSubtreesIterate) {
  FilesystemView view;
  view.apply_layer({{}, {}, {{"/a", dir()}, {"/a/x", file()}, {"/a/y", dir()}, {"/a/y/z", file()}, {"/a-b", file()},
                             {"/a0", file()}},
                    {}},
                   0);
  EXPECT_NE(view.find("a/x"), nullptr);
  EXPECT_NE(view.find("/a//y/"), nullptr);
  EXPECT_EQ(view.find("/a/../a/x"), nullptr);
  std::vector<std::string> under;
  view.for_each_under("/a", [&](std::string_view p, const FileEntry&) { under.emplace_back(p); });
  EXPECT_EQ(under, (std::vector<std::string>{"/a/x", "/a/y", "/a/y/z"}));
  EXPECT_EQ(view.size(), 6u);
}

TEST(Accounts, PasswdAndGroupParsing) {
  auto passwd = parse_passwd(
      "root:x:0:0:root:/root:/bin/bash\n# comment\nbroken line\napp:x:1001:0:App:/opt/app:/sbin/nologin\r\n"
      "bad:x:notanumber:0::/:/bin/sh\n");
  ASSERT_EQ(passwd.size(), 2u);
  EXPECT_EQ(passwd[1].name, "app");
  EXPECT_EQ(passwd[1].uid, 1001u);
  EXPECT_EQ(passwd[1].gid, 0u);
  EXPECT_EQ(passwd[1].home, "/opt/app");
  EXPECT_EQ(passwd[1].shell, "/sbin/nologin");
  auto groups = parse_group("root:x:0:\nwheel:x:10:root,app\nnogid:x::\n");
  EXPECT_EQ(groups.size(), 2u);
  EXPECT_EQ(groups.at("wheel"), 10u);

  LoadedImage image;
  image.passwd = passwd;
  EXPECT_EQ(image.uid_of("app"), 1001u);
  EXPECT_EQ(image.uid_of("app:root"), 1001u);
  EXPECT_EQ(image.uid_of("0"), 0u);
  EXPECT_EQ(image.uid_of("ghost"), std::nullopt);
  EXPECT_EQ(image.uid_of("99999999999"), std::nullopt);  // not a uid_t
}

}  // namespace
}  // namespace okd
