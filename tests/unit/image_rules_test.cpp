// The image side of the rules, on images built in memory: a config plus a filesystem view made
// of layer changes, run through lint_loaded_image like the CLI does.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "lint/config.h"
#include "lint/image/image.h"
#include "rules/image_engine.h"
#include "rules/image_support.h"

namespace okd {
namespace {

class ImageBuilder {
 public:
  ImageBuilder() {
    image_.kind = ImageInputKind::OciLayout;
    image_.fs.emplace();
    dir("/", 0, 0, 0755);
    dir("/etc", 0, 0, 0755);
    file("/etc/passwd", 0, 0, 0644, "root:x:0:0:root:/root:/bin/sh\napp:x:1001:0::/home/app:/bin/sh\n"
                                    "toor:x:0:0::/root:/bin/sh\n");
    file("/etc/group", 0, 0, 0644, "root:x:0:\nweb:x:1001:\n");
  }
  ImageBuilder& user(std::string u) { image_.config.user = std::move(u); return *this; }
  ImageBuilder& workdir(std::string w) { image_.config.working_dir = std::move(w); return *this; }
  ImageBuilder& volume(std::string v) { image_.config.volumes.push_back(std::move(v)); return *this; }
  ImageBuilder& port(std::string p) { image_.config.exposed_ports.push_back(std::move(p)); return *this; }
  ImageBuilder& label(std::string k, std::string v) { image_.config.labels[k] = std::move(v); return *this; }
  ImageBuilder& dir(std::string path, uint32_t uid, uint32_t gid, uint32_t mode) {
    return add(std::move(path), FileType::Directory, uid, gid, mode);
  }
  ImageBuilder& file(std::string path, uint32_t uid, uint32_t gid, uint32_t mode, std::string content = "",
                     std::string capability = "") {
    if (!content.empty()) changes_.contents[path] = content;
    add(path, FileType::Regular, uid, gid, mode);
    changes_.entries.back().entry.capability = std::move(capability);
    changes_.entries.back().entry.size = content.size();
    return *this;
  }
  ImageBuilder& symlink(std::string path, std::string target) {
    add(std::move(path), FileType::Symlink, 0, 0, 0777);
    changes_.entries.back().entry.link_target = std::move(target);
    return *this;
  }
  ImageBuilder& hardlink(std::string path, std::string target, uint32_t mode) {
    add(std::move(path), FileType::Hardlink, 0, 0, mode);
    changes_.entries.back().entry.link_target = std::move(target);
    return *this;
  }
  ImageBuilder& layers(size_t n) {
    image_.layers.resize(n);
    image_.config.diff_ids.resize(n, "sha256:00");
    return *this;
  }
  LoadedImage build() {
    LoadedImage out = image_;
    out.fs->apply_layer(LayerChanges(changes_), 0);
    if (auto text = out.fs->content("/etc/passwd")) out.passwd = parse_passwd(*text);
    if (auto text = out.fs->content("/etc/group")) out.group_gids = parse_group(*text);
    return out;
  }

 private:
  ImageBuilder& add(std::string path, FileType type, uint32_t uid, uint32_t gid, uint32_t mode) {
    LayerChanges::Entry e;
    e.path = std::move(path);
    e.entry.type = type;
    e.entry.uid = uid;
    e.entry.gid = gid;
    e.entry.mode = mode;
    changes_.entries.push_back(std::move(e));
    return *this;
  }
  LoadedImage image_;
  LayerChanges changes_;
};

std::vector<Diagnostic> lint(const LoadedImage& image, const std::string& rule, std::string profile = "") {
  Config config;
  if (!profile.empty()) config.profile = profile;
  RuleSelection selection;
  selection.select.insert(rule);
  return lint_loaded_image(image, "image.tar", config, selection);
}

std::vector<std::string> locations(const std::vector<Diagnostic>& found) {
  std::vector<std::string> out;
  for (const Diagnostic& d : found) out.push_back(d.logical_location);
  return out;
}

using ::testing::ElementsAre;

TEST(ImageRootUser, EmptyRootZeroAndUidZeroNamesAreRoot) {
  for (std::string user : {"", "root", "0", "0:0", "root:1001", "toor"}) {
    auto found = lint(ImageBuilder().user(user).build(), "OKD101");
    ASSERT_EQ(found.size(), 1u) << "user " << user;
    EXPECT_EQ(found[0].rule_id, "OKD101");
    EXPECT_EQ(found[0].logical_location, "config.User");
    EXPECT_EQ(found[0].file, "image.tar");
    EXPECT_EQ(found[0].range.begin.line, 1u);
    EXPECT_FALSE(found[0].fix.has_value());
  }
  auto toor = lint(ImageBuilder().user("toor").build(), "OKD101");
  EXPECT_NE(toor[0].message.find("uid 0 in the image's /etc/passwd"), std::string::npos) << toor[0].message;
}

TEST(ImageRootUser, NonRootUsersPass) {
  for (std::string user : {"1001", "1001:0", "app", "app:root"}) {
    EXPECT_TRUE(lint(ImageBuilder().user(user).build(), "OKD101").empty()) << user;
  }
}

TEST(ImageNonNumericUser, NamesTheResolvedUid) {
  auto found = lint(ImageBuilder().user("app").build(), "OKD103");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].message.find("uid 1001"), std::string::npos) << found[0].message;
  auto unknown = lint(ImageBuilder().user("ghost").build(), "OKD103");
  ASSERT_EQ(unknown.size(), 1u);
  EXPECT_NE(unknown[0].message.find("does not define ghost"), std::string::npos) << unknown[0].message;
  EXPECT_TRUE(lint(ImageBuilder().user("1001:0").build(), "OKD103").empty());
  EXPECT_TRUE(lint(ImageBuilder().user("root").build(), "OKD103").empty());  // OKD101's finding
}

TEST(ImageUserGroup, GroupMustBeZero) {
  EXPECT_EQ(lint(ImageBuilder().user("1001:1001").build(), "OKD104").size(), 1u);
  auto named = lint(ImageBuilder().user("1001:web").build(), "OKD104");
  ASSERT_EQ(named.size(), 1u);
  EXPECT_NE(named[0].message.find("gid 1001"), std::string::npos) << named[0].message;
  EXPECT_TRUE(lint(ImageBuilder().user("1001:0").build(), "OKD104").empty());
  EXPECT_TRUE(lint(ImageBuilder().user("1001:root").build(), "OKD104").empty());
  EXPECT_TRUE(lint(ImageBuilder().user("1001").build(), "OKD104").empty());
}

TEST(ImagePrivilegeEscalation, SetuidSetgidAndCapabilities) {
  auto image = ImageBuilder()
                   .dir("/usr", 0, 0, 0755)
                   .dir("/usr/bin", 0, 0, 0755)
                   .file("/usr/bin/tool", 0, 0, 04755, "", std::string("\x01\x00\x00\x02", 4))
                   .file("/usr/bin/wall", 0, 5, 02755)
                   .file("/usr/bin/plain", 0, 0, 0755)
                   .hardlink("/usr/bin/tool2", "/usr/bin/tool", 04755)
                   .build();
  auto found = lint(image, "OKD105");
  EXPECT_THAT(locations(found), ElementsAre("/usr/bin/tool", "/usr/bin/wall"));
  EXPECT_NE(found[0].message.find("setuid"), std::string::npos);
  EXPECT_NE(found[0].message.find("capabilities"), std::string::npos);
  EXPECT_NE(found[0].message.find("operation not permitted"), std::string::npos);
  EXPECT_NE(found[1].message.find("setgid"), std::string::npos);
}

TEST(ImagePrivilegedPort, OnePerPortBelow1024) {
  auto found = lint(ImageBuilder().port("443/tcp").port("80/tcp").port("8080/tcp").port("53/udp").build(), "OKD201");
  ASSERT_EQ(found.size(), 3u);
  for (const Diagnostic& d : found) EXPECT_EQ(d.logical_location, "config.ExposedPorts");
  EXPECT_NE(found[0].message.find("443/tcp"), std::string::npos);
  EXPECT_NE(found[2].message.find("53/udp"), std::string::npos);
}

TEST(ImagePrivilegedListen, NginxForms) {
  auto found = nginx_privileged_listens("/etc/nginx/conf.d/default.conf",
                                        "server {\n"
                                        "  listen 80 default_server;\n"
                                        "  listen [::]:80;\n"
                                        "  listen 127.0.0.1:443 ssl; # comment listen 22;\n"
                                        "  listen 8080;\n"
                                        "  listen [::]:8443 ssl;\n"
                                        "  listen unix:/run/nginx.sock;\n"
                                        "  # listen 81;\n"
                                        "  listen localhost;\n"
                                        "}\n");
  std::vector<std::pair<uint32_t, uint32_t>> got;
  for (auto& l : found) got.push_back({l.line, l.port});
  EXPECT_EQ(got, (std::vector<std::pair<uint32_t, uint32_t>>{{2, 80}, {3, 80}, {4, 443}, {9, 80}}));
}

TEST(ImagePrivilegedListen, HttpdAndLighttpd) {
  auto httpd = httpd_privileged_listens("/etc/httpd/conf/httpd.conf", "# Listen 80\nListen 80\nlisten 0.0.0.0:443 https\nListen 8080\n");
  ASSERT_EQ(httpd.size(), 2u);
  EXPECT_EQ(httpd[0].line, 2u);
  EXPECT_EQ(httpd[1].port, 443u);
  auto lighttpd = lighttpd_privileged_listens("/etc/lighttpd/lighttpd.conf", "server.port = 80\n");
  ASSERT_EQ(lighttpd.size(), 1u);
}

TEST(ImagePrivilegedListen, ReportsFileAndLineFromTheImage) {
  auto image = ImageBuilder()
                   .dir("/etc/nginx", 0, 0, 0755)
                   .dir("/etc/nginx/conf.d", 0, 0, 0755)
                   .file("/etc/nginx/conf.d/default.conf", 0, 0, 0644, "server {\n\n  listen 80;\n}\n")
                   .file("/etc/nginx/conf.d/ok.conf", 0, 0, 0644, "server { listen 8080; }\n")
                   .dir("/etc/httpd", 0, 0, 0755)
                   .dir("/etc/httpd/conf", 0, 0, 0755)
                   .file("/etc/httpd/conf/httpd.conf", 0, 0, 0644, "Listen 8080\n")
                   .build();
  auto found = lint(image, "OKD202");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].logical_location, "/etc/nginx/conf.d/default.conf");
  EXPECT_NE(found[0].message.find("/etc/nginx/conf.d/default.conf:3 listens on port 80"), std::string::npos)
      << found[0].message;
}

TEST(ImageGroupWritable, WorkdirVolumeHomeAndOwnedPaths) {
  auto image = ImageBuilder()
                   .user("1001")
                   .workdir("/app")
                   .volume("/data")
                   .volume("/missing")
                   .dir("/app", 1001, 1001, 0755)
                   .file("/app/ok.txt", 1001, 0, 0664)
                   .file("/app/bad.txt", 1001, 0, 0644)
                   .dir("/srv", 0, 0, 0775)
                   .dir("/srv/data", 0, 0, 0775)
                   .symlink("/data", "/srv/data")
                   .dir("/home", 0, 0, 0755)
                   .dir("/home/app", 1001, 0, 0770)
                   .build();
  auto found = lint(image, "OKD302");
  // /app (workdir, 1001:1001), /app/bad.txt (no g+w); /srv/data is 0:0 0775 and /home/app 1001:0 0770
  // are fine; /missing is skipped.
  EXPECT_THAT(locations(found), ElementsAre("/app", "/app/bad.txt"));
  EXPECT_NE(found[0].message.find("WorkingDir"), std::string::npos) << found[0].message;
}

TEST(ImageGroupWritable, SymlinkedVolumeIsJudgedAtItsTarget) {
  auto image = ImageBuilder()
                   .user("1001:0")
                   .volume("/data")
                   .dir("/srv", 0, 0, 0755)
                   .dir("/srv/data", 0, 0, 0755)
                   .symlink("/data", "/srv/data")
                   .build();
  auto found = lint(image, "OKD302");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].logical_location, "/srv/data");
  EXPECT_NE(found[0].message.find("/data (-> /srv/data)"), std::string::npos) << found[0].message;
  EXPECT_NE(found[0].message.find("no group write/execute"), std::string::npos) << found[0].message;
}

TEST(ImageWorldWritable, StickyTmpPassesSymlinksAreNotDoubleReported) {
  auto image = ImageBuilder()
                   .dir("/tmp", 0, 0, 01777)
                   .dir("/shared", 0, 0, 0777)
                   .symlink("/shared-link", "/shared")
                   .file("/etc/app.conf", 0, 0, 0666)
                   .dir("/opt", 0, 0, 0755)
                   .build();
  auto found = lint(image, "OKD303");
  EXPECT_THAT(locations(found), ElementsAre("/etc/app.conf", "/shared"));
  EXPECT_NE(found[1].message.find("sticky"), std::string::npos);
}

TEST(ImagePasswdWritable, GroupOrWorldWritableAccounts) {
  ImageBuilder builder;
  builder.file("/etc/passwd", 0, 0, 0664, "root:x:0:0:root:/root:/bin/sh\n");
  auto found = lint(builder.build(), "OKD304");
  EXPECT_THAT(locations(found), ElementsAre("/etc/passwd"));
  EXPECT_NE(found[0].message.find("group-writable"), std::string::npos);
  EXPECT_TRUE(lint(ImageBuilder().build(), "OKD304").empty());
}

TEST(ImageLayerCount, MoreThanFortyLayers) {
  EXPECT_TRUE(lint(ImageBuilder().layers(40).build(), "OKD501").empty());
  auto found = lint(ImageBuilder().layers(41).build(), "OKD501");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_NE(found[0].message.find("41 layers"), std::string::npos);
}

TEST(ImageCertificationLabels, OnlyWithTheCertificationProfile) {
  auto bare = ImageBuilder().build();
  Config config;
  std::vector<Diagnostic> plain = lint_loaded_image(bare, "image.tar", config, {});
  EXPECT_TRUE(std::none_of(plain.begin(), plain.end(), [](const Diagnostic& d) { return d.rule_id == "OKD502"; }));
  config.profile = "certification";
  std::vector<Diagnostic> certified = lint_loaded_image(bare, "image.tar", config, {});
  size_t count = std::count_if(certified.begin(), certified.end(), [](const Diagnostic& d) { return d.rule_id == "OKD502"; });
  EXPECT_EQ(count, 8u);  // seven labels and /licenses
}

TEST(ImageCertificationLabels, CompleteImagePasses) {
  ImageBuilder builder;
  for (const char* label : {"name", "vendor", "version", "release", "summary", "description", "maintainer"}) {
    builder.label(label, "x");
  }
  builder.dir("/licenses", 0, 0, 0755);
  auto empty_licenses = lint(builder.build(), "OKD502");
  EXPECT_THAT(locations(empty_licenses), ElementsAre("/licenses"));
  builder.file("/licenses/LICENSE", 0, 0, 0644);
  EXPECT_TRUE(lint(builder.build(), "OKD502").empty());
  builder.label("release", " ");
  EXPECT_THAT(locations(lint(builder.build(), "OKD502")), ElementsAre("config.Labels.release"));
}

TEST(ContainerfileMapping, HistoryNamesTheUserInstruction) {
  LoadedImage image = ImageBuilder().user("0").port("80/tcp").port("8080/tcp").build();
  image.config.history.push_back({"/bin/sh -c #(nop)  USER root", "", true});
  SourceFile containerfile("Containerfile", "FROM a AS build\nUSER 1001\nFROM b\nUSER root\nEXPOSE 8080 80/tcp\n");
  Config config;
  std::vector<Diagnostic> found = lint_loaded_image(image, "image.tar", config, {});
  map_to_containerfile(found, image, containerfile);
  auto root = std::find_if(found.begin(), found.end(), [](const Diagnostic& d) { return d.rule_id == "OKD101"; });
  ASSERT_NE(root, found.end());
  EXPECT_EQ(root->file, "Containerfile");
  EXPECT_EQ(root->range.begin.line, 4u);
  EXPECT_EQ(root->range.begin.column, 6u);
  EXPECT_NE(root->message.find("found in the image image.tar"), std::string::npos) << root->message;
  auto port = std::find_if(found.begin(), found.end(), [](const Diagnostic& d) { return d.rule_id == "OKD201"; });
  ASSERT_NE(port, found.end());
  EXPECT_EQ(port->file, "Containerfile");
  EXPECT_EQ(port->range.begin.line, 5u);
  EXPECT_EQ(port->range.begin.column, 13u);
}

TEST(ContainerfileMapping, UnrelatedUserStaysOnTheImage) {
  // The image runs as 0 but neither its history nor its config came from this USER.
  LoadedImage image = ImageBuilder().user("0").build();
  SourceFile containerfile("Containerfile", "FROM b\nUSER app\n");
  Config config;
  std::vector<Diagnostic> found = lint_loaded_image(image, "image.tar", config, {});
  map_to_containerfile(found, image, containerfile);
  for (const Diagnostic& d : found) EXPECT_EQ(d.file, "image.tar") << d.rule_id;
}

}  // namespace
}  // namespace okd
