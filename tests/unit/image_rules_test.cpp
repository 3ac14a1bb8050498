// The image side of the rules, on images built in memory: a config plus a filesystem view made
// of layer changes, run through lint_loaded_image like the CLI does.
#include <utility>
#include <cstdint>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
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
  EXPECT_NE(found[0].message.find("exec works but the bits are ignored"), std::string::npos) << found[0].message;
  EXPECT_NE(found[1].message.find("setgid"), std::string::npos);
  // Nothing the image starts uses them: info, so a Debian base lints clean at the default threshold.
  EXPECT_EQ(found[0].severity, Severity::Info);
  EXPECT_EQ(found[1].severity, Severity::Info);
}

TEST(ImagePrivilegeEscalation, WarningWhereTheCommandDependsOnThem) {
  ImageBuilder base;
  base.dir("/usr", 0, 0, 0755).dir("/usr/bin", 0, 0, 0755).file("/usr/bin/su", 0, 0, 04755).file("/usr/bin/passwd", 0, 0, 04755);
  // Cmd ["su", "-c", "exec nginx", "www-data"]: su is started, passwd is not.
  LoadedImage image = base.build();
  image.config.cmd = {"su", "-s", "/bin/sh", "-c", "exec nginx -g 'daemon off;'", "www-data"};
  auto found = lint(image, "OKD105");
  ASSERT_EQ(found.size(), 3u);
  std::map<std::string, Severity> by_location;
  for (const Diagnostic& d : found) by_location[d.logical_location] = d.severity;
  EXPECT_EQ(by_location["config.Cmd"], Severity::Warning);
  EXPECT_EQ(by_location["/usr/bin/su"], Severity::Warning);
  EXPECT_EQ(by_location["/usr/bin/passwd"], Severity::Info);
  // Through a shell too, and with the bits already dropped the su call itself is still reported.
  LoadedImage plain = ImageBuilder().build();
  plain.config.entrypoint = {"/bin/sh", "-c"};
  plain.config.cmd = {"gosu app /srv/start"};
  auto again = lint(plain, "OKD105");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0].logical_location, "config.Entrypoint");
  EXPECT_NE(again[0].message.find("through gosu"), std::string::npos) << again[0].message;
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

TEST(ImagePrivilegedListen, ApacheListenInsideIfModuleOfAModuleNotEnabled) {
  const std::string ports = "Listen 80\n<IfModule ssl_module>\n\tListen 443\n</IfModule>\n"
                            "<IfModule mod_gnutls.c>\n\tListen 443\n</IfModule>\n<IfModule !ssl_module>\nListen 81\n</IfModule>\n";
  ImageBuilder base;
  base.dir("/etc/apache2", 0, 0, 0755)
      .file("/etc/apache2/apache2.conf", 0, 0, 0644, "IncludeOptional mods-enabled/*.load\n")
      .file("/etc/apache2/ports.conf", 0, 0, 0644, ports)
      .dir("/etc/apache2/mods-available", 0, 0, 0755)
      .file("/etc/apache2/mods-available/ssl.load", 0, 0, 0644, "LoadModule ssl_module x.so\n")
      .file("/etc/apache2/mods-available/ssl.conf", 0, 0, 0644, "Listen 444\n")
      .dir("/etc/apache2/mods-enabled", 0, 0, 0755);
  // ssl not enabled: 80 and the negated block's 81 count, the ssl 443 and mods-available do not.
  ImageBuilder without = base;
  EXPECT_EQ(lint(without.build(), "OKD202").size(), 2u);
  auto found = image_privileged_listens(*without.build().fs);
  std::vector<uint32_t> got;
  for (const auto& l : found) got.push_back(l.port);
  EXPECT_EQ(got, (std::vector<uint32_t>{80, 81}));
  // Enabled by a symlink: its Listen 443 and ssl.conf count.
  ImageBuilder with = base;
  with.symlink("/etc/apache2/mods-enabled/ssl.load", "../mods-available/ssl.load")
      .symlink("/etc/apache2/mods-enabled/ssl.conf", "../mods-available/ssl.conf");
  got.clear();
  for (const auto& l : image_privileged_listens(*with.build().fs)) got.push_back(l.port);
  EXPECT_EQ(got, (std::vector<uint32_t>{444, 80, 443}));
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

// A root-running image with Debian's nginx: what the config says nginx writes, and what belongs to
// the user it switches to (`user www-data;`), must be group-0 writable.
ImageBuilder debian_nginx() {
  ImageBuilder b;
  b.file("/etc/passwd", 0, 0, 0644,
         "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
         "redis:x:101:104::/var/lib/redis:/usr/sbin/nologin\n")
      .dir("/etc/nginx", 0, 0, 0755)
      .file("/etc/nginx/nginx.conf", 0, 0, 0644,
            "user www-data;\npid /run/nginx.pid;\nerror_log /var/log/nginx/error.log;\n"
            "http { access_log /var/log/nginx/access.log; client_body_temp_path /var/cache/nginx/body; }\n")
      .dir("/run", 0, 0, 0755)
      .dir("/var", 0, 0, 0755)
      .dir("/var/log", 0, 0, 0755)
      .dir("/var/log/nginx", 0, 4, 0755)
      .file("/var/log/nginx/error.log", 33, 4, 0640)
      .dir("/var/lib", 0, 0, 0755)
      .dir("/var/lib/nginx", 0, 0, 0755)
      .dir("/var/www", 0, 0, 0755)
      .dir("/var/www/html", 0, 0, 0755);
  return b;
}

TEST(ImageGroupWritable, ServerConfigPathsOfARootImage) {
  auto found = lint(debian_nginx().build(), "OKD302");
  // /var/log/nginx/: what the log directory already holds (error.log, www-data:adm 0640).
  EXPECT_THAT(locations(found), ElementsAre("/run/nginx.pid", "/var/cache/nginx/body", "/var/lib/nginx", "/var/log/nginx",
                                            "/var/log/nginx/", "/var/log/nginx/error.log"));
  std::string all;
  for (const Diagnostic& d : found) all += d.message + "\n";
  EXPECT_NE(all.find("nginx: pid /run/nginx.pid) does not exist and /run"), std::string::npos) << all;
  EXPECT_NE(all.find("owned by service user www-data (nginx: user www-data)"), std::string::npos) << all;
}

TEST(ImageGroupWritable, ConfigTheServerMustReadAndPackageSystemUsers) {
  auto image = debian_nginx()
                   .dir("/etc/redis", 101, 104, 02770)
                   .file("/etc/redis/redis.conf", 101, 104, 0640,
                         "dir /var/lib/redis\npidfile /run/redis/redis-server.pid\nlogfile \"\"\n")
                   .dir("/var/lib/redis", 101, 104, 0750)
                   .dir("/etc/nginx/conf.d", 0, 0, 0755)
                   .file("/etc/nginx/conf.d/secret.conf", 0, 0, 0600, "server { listen 8080; }\n")
                   .build();
  auto found = lint(image, "OKD302");
  std::set<std::string> at;
  std::string all;
  for (const Diagnostic& d : found) {
    at.insert(d.logical_location);
    all += d.message + "\n";
  }
  EXPECT_TRUE(at.count("/etc/nginx/conf.d/secret.conf")) << all;
  EXPECT_TRUE(at.count("/etc/redis/redis.conf")) << all;   // 0640 redis:redis
  EXPECT_TRUE(at.count("/var/lib/redis")) << all;          // redis: dir, and redis's own HOME
  EXPECT_TRUE(at.count("/run/redis")) << all;              // its pid file's directory is missing, /run is 0755
  EXPECT_NE(all.find("secret.conf (nginx config) is 0:0 mode 0600: the server must read it"), std::string::npos) << all;
}

TEST(ImageGroupWritable, AServiceUsersHomeItDoesNotOwnIsNotReported) {
  // config.User www-data: its HOME /var/www is root's and nginx never writes there.
  auto image = debian_nginx().user("www-data").build();
  for (const Diagnostic& d : lint(image, "OKD302")) EXPECT_NE(d.logical_location, "/var/www") << d.message;
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
