// okdlint rewrite: the plan (what must change and why), listen-port patching, the written image
// (read back with the image reader and libarchive), determinism, refusals, and the CLI.
#include <archive.h>
#include <archive_entry.h>
#include <algorithm>
#include <utility>
#include <cstdint>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>

#include "lint/image/detail.h"
#include "lint/image/image.h"
#include "rewrite/image_mutate.h"
#include "rewrite/image_plan.h"
#include "rewrite/image_writer.h"

namespace okd {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// Building small OCI layouts in-process (uncompressed layers), so the tests need no tools.

struct Item {
  std::string path;
  char type = 'f';  // f file, d directory, h hardlink (to link), l symlink (to link)
  uint32_t uid = 0, gid = 0, mode = 0644;
  std::string content;
  std::string link;
  std::vector<std::pair<std::string, std::string>> xattrs;
  int64_t mtime = 1700000000;
};

Item dir(std::string path, uint32_t uid, uint32_t gid, uint32_t mode) {
  Item i;
  i.path = std::move(path);
  i.type = 'd';
  i.uid = uid;
  i.gid = gid;
  i.mode = mode;
  return i;
}
Item file(std::string path, uint32_t uid, uint32_t gid, uint32_t mode, std::string content) {
  Item i;
  i.path = std::move(path);
  i.uid = uid;
  i.gid = gid;
  i.mode = mode;
  i.content = std::move(content);
  return i;
}
Item hardlink(std::string path, std::string target) {
  Item i;
  i.path = std::move(path);
  i.type = 'h';
  i.link = std::move(target);
  return i;
}

la_ssize_t append_to_string(struct archive*, void* client, const void* data, size_t size) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(data), size);
  return static_cast<la_ssize_t>(size);
}

std::string make_tar(const std::vector<Item>& items) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  archive_write_open2(a, &out, nullptr, append_to_string, nullptr, nullptr);
  for (const Item& item : items) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, item.path.c_str());
    archive_entry_set_uid(e, item.uid);
    archive_entry_set_gid(e, item.gid);
    archive_entry_set_perm(e, item.mode);
    archive_entry_set_mtime(e, item.mtime, 0);
    for (const auto& [name, value] : item.xattrs) archive_entry_xattr_add_entry(e, name.c_str(), value.data(), value.size());
    switch (item.type) {
      case 'd': archive_entry_set_filetype(e, AE_IFDIR); break;
      case 'h':
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, item.link.c_str());
        break;
      case 'l':
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, item.link.c_str());
        break;
      default:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, static_cast<la_int64_t>(item.content.size()));
    }
    archive_write_header(a, e);
    if (item.type == 'f' && !item.content.empty()) archive_write_data(a, item.content.data(), item.content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

std::string sha(std::string_view bytes) { return image_detail::sha256_digest(bytes); }

void write_file(const fs::path& path, std::string_view bytes) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes an OCI layout at dir with the given layers and container config.
void write_layout(const fs::path& dir, const std::vector<std::string>& layers, json container_config,
                  const std::vector<std::string>& history_created = {}) {
  fs::remove_all(dir);
  auto put = [&](const std::string& bytes) {
    std::string digest = sha(bytes);
    write_file(dir / "blobs" / "sha256" / digest.substr(7), bytes);
    return digest;
  };
  json diff_ids = json::array(), descriptors = json::array(), history = json::array();
  for (const auto& layer : layers) {
    std::string digest = put(layer);
    diff_ids.push_back(digest);
    descriptors.push_back({{"mediaType", "application/vnd.oci.image.layer.v1.tar"}, {"digest", digest}, {"size", layer.size()}});
    history.push_back({{"created_by", "test layer"}});
    if (history.size() <= history_created.size()) history.back()["created"] = history_created[history.size() - 1];
  }
  json config = {{"architecture", "amd64"}, {"os", "linux"}, {"created", "2024-05-06T07:08:09.5Z"},
                 {"config", std::move(container_config)}, {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}},
                 {"history", history}};
  std::string config_bytes = config.dump();
  json manifest = {{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"digest", put(config_bytes)},
                               {"size", config_bytes.size()}}},
                   {"layers", descriptors}};
  std::string manifest_bytes = manifest.dump();
  json index = {{"schemaVersion", 2},
                {"manifests", json::array({{{"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                                            {"digest", put(manifest_bytes)},
                                            {"size", manifest_bytes.size()},
                                            {"annotations", {{"org.opencontainers.image.ref.name", "test"}}}}})}};
  write_file(dir / "index.json", index.dump());
  write_file(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
}

std::string capability_bytes() {
  // VFS_CAP_REVISION_2 with cap_net_bind_service (bit 10) permitted + effective.
  std::string cap(20, '\0');
  cap[0] = 0x01;
  cap[3] = 0x02;
  cap[5] = 0x04;  // permitted[0] bit 10
  return cap;
}

// The image most tests use: two layers, root user, a working dir owned by 1001, a hardlinked
// setuid binary with capabilities, an nginx config on port 80.
std::vector<std::string> standard_layers() {
  Item tool = file("usr/bin/tool", 0, 0, 04755, "#!/bin/sh\necho tool\n");
  tool.xattrs = {{"security.capability", capability_bytes()}, {"user.note", "tool"}};
  Item data = file("app/data.txt", 1001, 1001, 0644, std::string(300000, 'x') + "end");
  data.xattrs = {{"user.okd", "kept"}};
  std::vector<std::string> layers;
  layers.push_back(make_tar({
      dir("etc", 0, 0, 0755),
      file("etc/passwd", 0, 0, 0644, "root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001::/home/app:/bin/sh\n"),
      dir("etc/nginx", 0, 0, 0755),
      file("etc/nginx/nginx.conf", 0, 0, 0644, "events {}\nhttp {\n  server { listen 80; listen 127.0.0.1:443 ssl; }\n}\n"),
      dir("usr", 0, 0, 0755),
      dir("usr/bin", 0, 0, 0755),
      tool,
      hardlink("usr/bin/tool-link", "usr/bin/tool"),
      dir("home", 0, 0, 0755),
      dir("home/app", 1001, 1001, 0700),
      dir("tmp", 0, 0, 01777),
      dir("shared", 0, 0, 0777),
  }));
  layers.push_back(make_tar({
      dir("app", 1001, 1001, 0755),
      data,
      hardlink("app/data-link.txt", "app/data.txt"),
      file("app/readme", 0, 0, 0644, "root's file\n"),
      file("app/ok.txt", 1001, 0, 0664, "already fine\n"),
      file("app/run.sh", 1001, 1001, 0750, "#!/bin/sh\nexec app\n"),  // a program of the runtime user
      file("app/start", 1001, 0, 0755, "#!/bin/sh\n"),                 // a program group 0 already runs
  }));
  return layers;
}

json standard_config() {
  return {{"User", "root"},
          {"WorkingDir", "/app"},
          {"ExposedPorts", {{"80/tcp", json::object()}, {"443/tcp", json::object()}, {"22/tcp", json::object()},
                            {"9000/tcp", json::object()}}},
          {"Volumes", {{"/data/cache", json::object()}}}};
}

class RewriteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("okdlint-rewrite-test-" + std::to_string(::getpid()) + "-" +
                                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
    fs::create_directories(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  LoadedImage load(const fs::path& path) {
    auto images = load_images(path.string(), {});
    EXPECT_EQ(images.size(), 1u);
    return std::move(images.front());
  }
  LoadedImage standard_image() {
    write_layout(root_ / "in", standard_layers(), standard_config());
    return load(root_ / "in");
  }

  fs::path root_;
};

const PlannedEntry* find_entry(const ImagePlan& plan, std::string_view path) {
  for (const auto& e : plan.entries) {
    if (e.path == path) return &e;
  }
  return nullptr;
}

bool kept_mentions(const ImagePlan& plan, std::string_view text) {
  for (const auto& k : plan.kept) {
    if (k.find(text) != std::string::npos) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Ports

TEST(RewritePorts, DefaultMapAndOverrides) {
  EXPECT_EQ(remap_port(80, {}), 8080u);
  EXPECT_EQ(remap_port(443, {}), 8443u);
  EXPECT_EQ(remap_port(22, {}), 8022u);
  EXPECT_EQ(remap_port(8080, {}), 8080u);
  EXPECT_EQ(remap_port(80, {{80, 9090}}), 9090u);
  EXPECT_EQ(remap_port(8080, {{8080, 9000}}), 9000u);  // an override may move any port
  auto mapping = parse_port_mapping("80:8081");
  EXPECT_EQ(mapping.from, 80u);
  EXPECT_EQ(mapping.to, 8081u);
  EXPECT_THROW(parse_port_mapping("80"), std::invalid_argument);
  EXPECT_THROW(parse_port_mapping("80:0"), std::invalid_argument);
  EXPECT_THROW(parse_port_mapping("x:80"), std::invalid_argument);
  EXPECT_THROW(parse_port_mapping("80:70000"), std::invalid_argument);
}

TEST(RewritePorts, NginxListenForms) {
  std::vector<std::string> changes;
  std::string text =
      "server {\n"
      "  listen 80;\n"
      "  listen [::]:80 default_server;\n"
      "  listen 127.0.0.1:443 ssl;\n"
      "  listen 8443;\n"
      "  listen localhost;\n"
      "  # listen 80;\n"
      "  listen unix:/run/x.sock;\n"
      "  server_name listen80.example;\n"
      "}\n";
  std::string patched = patch_listen_ports(text, ServerConfigKind::Nginx, {}, &changes);
  EXPECT_EQ(patched,
            "server {\n"
            "  listen 8080;\n"
            "  listen [::]:8080 default_server;\n"
            "  listen 127.0.0.1:8443 ssl;\n"
            "  listen 8443;\n"
            "  listen localhost:8080;\n"
            "  # listen 80;\n"
            "  listen unix:/run/x.sock;\n"
            "  server_name listen80.example;\n"
            "}\n");
  ASSERT_EQ(changes.size(), 4u);
  EXPECT_EQ(changes[0], "2: listen 80; -> listen 8080;");
  // Several statements on one line.
  EXPECT_EQ(patch_listen_ports("server { listen 80; listen 81; }", ServerConfigKind::Nginx, {{81, 9081}}, nullptr),
            "server { listen 8080; listen 9081; }");
}

TEST(RewritePorts, HttpdListenAndVirtualHost) {
  std::vector<std::string> changes;
  std::string text = "Listen 80\nlisten 0.0.0.0:443 https\nListen 8080\n<VirtualHost *:80 [::]:443>\n</VirtualHost>\n";
  EXPECT_EQ(patch_listen_ports(text, ServerConfigKind::Httpd, {}, &changes),
            "Listen 8080\nlisten 0.0.0.0:8443 https\nListen 8080\n<VirtualHost *:8080 [::]:8443>\n</VirtualHost>\n");
  EXPECT_EQ(changes.size(), 3u);
  std::string unchanged = "ServerName x\nListen 8080";
  EXPECT_EQ(patch_listen_ports(unchanged, ServerConfigKind::Httpd, {}, nullptr), unchanged);  // no trailing newline kept
}

// ---------------------------------------------------------------------------------------------
// The plan

TEST_F(RewriteTest, PlanFixesUserPortsAndWhatTheRuntimeUidMustWrite) {
  LoadedImage image = standard_image();
  ImagePlan plan = plan_image_rewrite(image, {});
  EXPECT_EQ(plan.user_before, "root");
  EXPECT_EQ(plan.user_after, "1001:0");
  EXPECT_EQ(plan.runtime_uid, 1001u);
  // A remap changes what clients connect to: by default (as in `fix`) it is not made, and said so.
  EXPECT_EQ(plan.exposed_ports, (std::vector<std::string>{"22/tcp", "443/tcp", "80/tcp", "9000/tcp"}));
  EXPECT_TRUE(plan.port_changes.empty());
  EXPECT_TRUE(kept_mentions(plan, "port 80/tcp not remapped"));
  EXPECT_FALSE(find_entry(plan, "/etc/nginx/nginx.conf"));

  const PlannedEntry* app = find_entry(plan, "/app");
  ASSERT_TRUE(app);
  EXPECT_EQ(app->type, FileType::Directory);
  EXPECT_EQ(app->gid, 0u);
  EXPECT_EQ(app->mode, 0775u);
  EXPECT_FALSE(app->read_source);  // a directory entry alone, no xattrs to carry

  const PlannedEntry* home = find_entry(plan, "/home/app");  // 1001's HOME, 0700
  ASSERT_TRUE(home);
  EXPECT_EQ(home->mode, 0770u);
  EXPECT_EQ(home->gid, 0u);

  const PlannedEntry* volume = find_entry(plan, "/data/cache");  // the volume is missing: created
  ASSERT_TRUE(volume);
  EXPECT_TRUE(volume->created);
  EXPECT_EQ(volume->uid, 1001u);
  EXPECT_EQ(volume->mode, 0775u);
  const PlannedEntry* parent = find_entry(plan, "/data");
  ASSERT_TRUE(parent);
  EXPECT_TRUE(parent->created);
  EXPECT_EQ(parent->uid, 0u);
  EXPECT_EQ(parent->mode, 0755u);

  // The regular file and its hardlink: the smallest path is the file, the other links to it.
  const PlannedEntry* link = find_entry(plan, "/app/data-link.txt");
  const PlannedEntry* data = find_entry(plan, "/app/data.txt");
  ASSERT_TRUE(link && data);
  EXPECT_EQ(link->type, FileType::Regular);
  EXPECT_EQ(data->type, FileType::Hardlink);
  EXPECT_EQ(data->link_target, "/app/data-link.txt");
  EXPECT_EQ(link->source_path, "/app/data.txt");  // content read from where the view has the file
  EXPECT_EQ(link->source_layer, 1u);
  EXPECT_EQ(link->mode, 0664u);
  EXPECT_EQ(data->mode, 0664u);
  EXPECT_EQ(link->gid, 0u);

  EXPECT_FALSE(find_entry(plan, "/app/readme"));  // root's file: not the runtime user's to write
  EXPECT_FALSE(find_entry(plan, "/app/ok.txt"));  // already group 0 with g=u
  // Programs get group 0 and the owner's bits without write: group 0 is every process of the pod.
  const PlannedEntry* program = find_entry(plan, "/app/run.sh");
  ASSERT_TRUE(program);
  EXPECT_EQ(program->gid, 0u);
  EXPECT_EQ(program->mode, 0750u);
  EXPECT_FALSE(find_entry(plan, "/app/start"));  // group 0 may run it already; never g+w
  EXPECT_FALSE(find_entry(plan, "/etc/passwd"));
  EXPECT_FALSE(find_entry(plan, "/shared"));
  EXPECT_TRUE(kept_mentions(plan, "/shared: world-writable without the sticky bit"));
  EXPECT_FALSE(kept_mentions(plan, "/tmp"));  // sticky: fine
  // Without --unsafe-fixes the setuid binary stays, said so.
  EXPECT_FALSE(find_entry(plan, "/usr/bin/tool"));
  EXPECT_TRUE(kept_mentions(plan, "/usr/bin/tool: setuid+file capabilities kept"));

  ImageRewriteOptions unsafe;
  unsafe.unsafe_fixes = true;
  ImagePlan remapped = plan_image_rewrite(image, unsafe);
  EXPECT_EQ(remapped.exposed_ports, (std::vector<std::string>{"8022/tcp", "8080/tcp", "8443/tcp", "9000/tcp"}));
  EXPECT_EQ(remapped.port_changes.size(), 3u);
  const PlannedEntry* nginx = find_entry(remapped, "/etc/nginx/nginx.conf");
  ASSERT_TRUE(nginx);
  ASSERT_TRUE(nginx->content);
  EXPECT_NE(nginx->content->find("listen 8080; listen 127.0.0.1:8443 ssl;"), std::string::npos);
  EXPECT_EQ(nginx->mode, 0644u);  // metadata as it was: only the content moves
  EXPECT_EQ(nginx->gid, 0u);

  // Entries come in byte-wise path order, parents first.
  for (size_t i = 1; i < plan.entries.size(); ++i) EXPECT_LT(plan.entries[i - 1].path, plan.entries[i].path);
}

TEST_F(RewriteTest, UnsafeFixesDropSetuidAndCapabilitiesOnEveryHardlink) {
  LoadedImage image = standard_image();
  ImageRewriteOptions options;
  options.unsafe_fixes = true;
  ImagePlan plan = plan_image_rewrite(image, options);
  const PlannedEntry* tool = find_entry(plan, "/usr/bin/tool");
  const PlannedEntry* link = find_entry(plan, "/usr/bin/tool-link");
  ASSERT_TRUE(tool && link);
  EXPECT_EQ(tool->mode, 0755u);
  EXPECT_TRUE(tool->drop_capability);
  EXPECT_EQ(tool->gid, 0u);
  EXPECT_EQ(link->type, FileType::Hardlink);
  EXPECT_EQ(link->link_target, "/usr/bin/tool");
  EXPECT_FALSE(kept_mentions(plan, "/usr/bin/tool"));
}

TEST_F(RewriteTest, UserComesFromPasswdOrTheOption) {
  json config = standard_config();
  config["User"] = "app:app";
  write_layout(root_ / "named", standard_layers(), config);
  EXPECT_EQ(plan_image_rewrite(load(root_ / "named"), {}).user_after, "1001:0");

  config["User"] = "";
  write_layout(root_ / "empty", standard_layers(), config);
  EXPECT_EQ(plan_image_rewrite(load(root_ / "empty"), {}).user_after, "1001:0");

  ImageRewriteOptions options;
  options.user = 4242;
  ImagePlan plan = plan_image_rewrite(load(root_ / "empty"), options);
  EXPECT_EQ(plan.user_after, "4242:0");
  EXPECT_FALSE(find_entry(plan, "/app/data.txt"));  // 4242 owns nothing
  EXPECT_TRUE(find_entry(plan, "/app"));             // the working dir must still be writable
  EXPECT_EQ(find_entry(plan, "/app")->mode, 0775u);

  options.user = 0;
  EXPECT_THROW(plan_image_rewrite(load(root_ / "empty"), options), std::invalid_argument);

  config["User"] = "ghost";
  write_layout(root_ / "ghost", standard_layers(), config);
  ImagePlan ghost = plan_image_rewrite(load(root_ / "ghost"), {});
  EXPECT_EQ(ghost.user_after, "1001:0");
  EXPECT_TRUE(kept_mentions(ghost, "user 'ghost' is not in /etc/passwd"));
}

TEST_F(RewriteTest, PasswdIsNeverMadeGroupWritable) {
  json config = standard_config();
  config["User"] = "1001";
  auto layers = standard_layers();
  layers.push_back(make_tar({file("etc/passwd", 1001, 1001, 0644, "root:x:0:0::/root:/bin/sh\n")}));
  write_layout(root_ / "in", layers, config);
  ImagePlan plan = plan_image_rewrite(load(root_ / "in"), {});
  EXPECT_FALSE(find_entry(plan, "/etc/passwd"));
}

TEST_F(RewriteTest, ConfigJsonInputsAreRefused) {
  write_layout(root_ / "in", standard_layers(), standard_config());
  LoadedImage image = load(root_ / "in");
  image.fs.reset();
  EXPECT_THROW(plan_image_rewrite(image, {}), ImageError);
}

// ---------------------------------------------------------------------------------------------
// The written image

struct LayerEntry {
  std::string type;  // file, dir, hardlink
  uint32_t uid = 0, gid = 0, mode = 0;
  int64_t mtime = 0;
  std::string content, link;
  std::map<std::string, std::string> xattrs;
};

std::map<std::string, LayerEntry> read_layer(const std::string& blob) {
  std::map<std::string, LayerEntry> entries;
  struct archive* a = archive_read_new();
  archive_read_support_format_tar(a);
  archive_read_support_filter_gzip(a);
  EXPECT_EQ(archive_read_open_memory(a, blob.data(), blob.size()), ARCHIVE_OK);
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    LayerEntry out;
    out.uid = static_cast<uint32_t>(archive_entry_uid(e));
    out.gid = static_cast<uint32_t>(archive_entry_gid(e));
    out.mode = archive_entry_perm(e);
    out.mtime = archive_entry_mtime(e);
    if (archive_entry_hardlink(e)) {
      out.type = "hardlink";
      out.link = archive_entry_hardlink(e);
    } else {
      out.type = archive_entry_filetype(e) == AE_IFDIR ? "dir" : "file";
    }
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    archive_entry_xattr_reset(e);
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
      out.xattrs[name] = std::string(static_cast<const char*>(value), size);
    }
    char buffer[65536];
    la_ssize_t n;
    while ((n = archive_read_data(a, buffer, sizeof buffer)) > 0) out.content.append(buffer, static_cast<size_t>(n));
    std::string path = archive_entry_pathname(e);
    if (!path.empty() && path.back() == '/') path.pop_back();
    entries[path] = std::move(out);
  }
  archive_read_free(a);
  return entries;
}

std::string blob_of(const fs::path& layout, const std::string& digest) {
  return read_bytes(layout / "blobs" / "sha256" / digest.substr(7));
}

TEST_F(RewriteTest, WritesALayoutTheReaderLoadsWithTheFixesApplied) {
  LoadedImage image = standard_image();
  ImageRewriteOptions options;
  options.unsafe_fixes = true;
  ImagePlan plan = plan_image_rewrite(image, options);
  ImageWriteOptions write;
  write.format = ImageOutputFormat::OciLayout;
  write.tag = "okd/fixed:1";
  RewriteResult result = write_rewritten_image(image, plan, (root_ / "out").string(), write);
  EXPECT_EQ(result.layer_count, 3u);

  LoadedImage out = load(root_ / "out");
  EXPECT_EQ(out.ref_name, "okd/fixed:1");
  EXPECT_EQ(out.config.user, "1001:0");
  EXPECT_EQ(out.config.exposed_ports, (std::vector<std::string>{"8022/tcp", "8080/tcp", "8443/tcp", "9000/tcp"}));
  ASSERT_EQ(out.layers.size(), 3u);
  // The base layers are the same blobs.
  EXPECT_EQ(out.layers[0].digest, image.layers[0].digest);
  EXPECT_EQ(out.layers[1].digest, image.layers[1].digest);
  EXPECT_EQ(out.layers[2].digest, result.layer_digest);
  EXPECT_EQ(out.layers[2].compression, "gzip");
  EXPECT_EQ(out.config.history.back().created_by, "okdlint rewrite");
  EXPECT_NE(out.config.history.back().comment.find("User 1001:0"), std::string::npos);
  EXPECT_EQ(out.config.diff_ids.back(), result.layer_diff_id);

  const FilesystemView& view = *out.fs;
  EXPECT_EQ(view.find("/app")->gid, 0u);
  EXPECT_EQ(view.find("/app")->mode, 0775u);
  EXPECT_EQ(view.find("/app/readme")->uid, 0u);  // children of a directory entry stay
  EXPECT_EQ(view.find("/app/data.txt")->mode, 0664u);
  EXPECT_EQ(view.find("/data/cache")->uid, 1001u);
  EXPECT_EQ(view.find("/usr/bin/tool")->mode, 0755u);
  EXPECT_TRUE(view.find("/usr/bin/tool")->capability.empty());
  EXPECT_EQ(view.hardlink_group("/app/data.txt"), (std::vector<std::string>{"/app/data-link.txt", "/app/data.txt"}));
  EXPECT_EQ(view.hardlink_group("/usr/bin/tool"), (std::vector<std::string>{"/usr/bin/tool", "/usr/bin/tool-link"}));
  EXPECT_NE(view.content("/etc/nginx/nginx.conf")->find("listen 8080;"), std::string::npos);

  // The layer itself: whole content and xattrs copied up, the capability gone, hardlinks linked.
  auto entries = read_layer(blob_of(root_ / "out", result.layer_digest));
  const LayerEntry& copied = entries.at("app/data-link.txt");
  EXPECT_EQ(copied.type, "file");
  EXPECT_EQ(copied.content, std::string(300000, 'x') + "end");
  EXPECT_EQ(copied.xattrs.at("user.okd"), "kept");
  EXPECT_EQ(copied.mtime, 1700000000);  // the file's own mtime
  EXPECT_EQ(entries.at("app/data.txt").type, "hardlink");
  EXPECT_EQ(entries.at("app/data.txt").link, "app/data-link.txt");
  const LayerEntry& tool = entries.at("usr/bin/tool");
  EXPECT_EQ(tool.content, "#!/bin/sh\necho tool\n");
  EXPECT_EQ(tool.xattrs.count("security.capability"), 0u);
  EXPECT_EQ(tool.xattrs.at("user.note"), "tool");
  EXPECT_EQ(entries.at("app").type, "dir");
  EXPECT_EQ(entries.at("app").mtime, 1714979289);  // the config's created time, whole seconds
  EXPECT_EQ(entries.count("app/readme"), 0u);
}

TEST_F(RewriteTest, SameInputSameBytesAndTheInputIsNotModified) {
  LoadedImage image = standard_image();
  std::map<std::string, std::string> before;
  for (const auto& entry : fs::recursive_directory_iterator(root_ / "in")) {
    if (entry.is_regular_file()) before[entry.path().string()] = sha(read_bytes(entry.path()));
  }
  ImagePlan plan = plan_image_rewrite(image, {});
  for (ImageOutputFormat format : {ImageOutputFormat::OciArchive, ImageOutputFormat::DockerArchive}) {
    ImageWriteOptions write;
    write.format = format;
    write_rewritten_image(image, plan, (root_ / "a.tar").string(), write);
    // A fresh load and plan, as a second run would do.
    LoadedImage again = load(root_ / "in");
    write_rewritten_image(again, plan_image_rewrite(again, {}), (root_ / "b.tar").string(), write);
    std::string a = read_bytes(root_ / "a.tar"), b = read_bytes(root_ / "b.tar");
    EXPECT_FALSE(a.empty());
    EXPECT_EQ(sha(a), sha(b)) << to_string(format);
    // Both load back.
    EXPECT_EQ(load(root_ / "a.tar").config.user, "1001:0");
  }
  for (const auto& [path, digest] : before) EXPECT_EQ(sha(read_bytes(path)), digest) << path;
  // No temporary files are left beside the output.
  for (const auto& entry : fs::directory_iterator(root_)) {
    EXPECT_EQ(entry.path().filename().string().find(".okdlint"), std::string::npos) << entry.path();
  }
}

TEST_F(RewriteTest, ArchiveInputsKeepTheirBlobsByteForByte) {
  LoadedImage image = standard_image();
  ImageWriteOptions write;
  write_rewritten_image(image, plan_image_rewrite(image, {}), (root_ / "first.tar").string(), write);
  // Rewrite the rewritten archive (an oci-archive input this time) into a docker-archive.
  LoadedImage first = load(root_ / "first.tar");
  EXPECT_EQ(first.kind, ImageInputKind::OciArchive);
  ImagePlan second_plan = plan_image_rewrite(first, {});
  EXPECT_FALSE(second_plan.needs_layer()) << describe_plan(second_plan);  // nothing left to fix
  write.format = ImageOutputFormat::DockerArchive;
  write.tag = "okd/again:2";
  RewriteResult result = write_rewritten_image(first, second_plan, (root_ / "second.tar").string(), write);
  EXPECT_TRUE(result.layer_digest.empty());
  LoadedImage second = load(root_ / "second.tar");
  EXPECT_EQ(second.kind, ImageInputKind::DockerArchive);
  EXPECT_EQ(second.ref_name, "okd/again:2");
  ASSERT_EQ(second.layers.size(), first.layers.size());
  for (size_t i = 0; i < first.layers.size(); ++i) EXPECT_EQ(second.layers[i].digest, first.layers[i].digest);
  EXPECT_TRUE(second.config.history.size() > first.config.history.size());
}

TEST_F(RewriteTest, RefusesAFortyFirstLayer) {
  std::vector<std::string> layers = standard_layers();
  for (int i = 0; layers.size() < kMaxImageLayers; ++i) {
    layers.push_back(make_tar({file("filler" + std::to_string(i), 0, 0, 0644, std::to_string(i))}));
  }
  write_layout(root_ / "in", layers, standard_config());
  LoadedImage image = load(root_ / "in");
  ImagePlan plan = plan_image_rewrite(image, {});
  ASSERT_TRUE(plan.needs_layer());
  try {
    write_rewritten_image(image, plan, (root_ / "out.tar").string(), {});
    FAIL() << "a 41st layer was written";
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("already has 40 layers"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(root_ / "out.tar"));
}

TEST_F(RewriteTest, RefusesToOverwriteItsInput) {
  LoadedImage image = standard_image();
  EXPECT_THROW(write_rewritten_image(image, plan_image_rewrite(image, {}), (root_ / "in").string(), {}), ImageError);
}

// ---------------------------------------------------------------------------------------------
// The CLI

struct CliRun {
  int status = 0;
  std::string out, err;
};

CliRun run_okdlint(const std::string& args, const fs::path& dir, const std::string& environment = "") {
  std::string command = environment + std::string(OKDLINT_BINARY) + " " + args + " > " + (dir / "stdout").string() + " 2> " +
                        (dir / "stderr").string();
  int raw = std::system(command.c_str());
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, read_bytes(dir / "stdout"), read_bytes(dir / "stderr")};
}

TEST_F(RewriteTest, CliDryRunPrintsThePlanAndWritesNothing) {
  write_layout(root_ / "in", standard_layers(), standard_config());
  CliRun run = run_okdlint("rewrite " + (root_ / "in").string() + " -o " + (root_ / "out.tar").string() +
                               " --dry-run --unsafe-fixes",
                        root_);
  EXPECT_EQ(run.status, 0) << run.err;
  EXPECT_NE(run.out.find("config User: \"root\" -> \"1001:0\""), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("config ExposedPorts: 80/tcp -> 8080/tcp"), std::string::npos);
  EXPECT_NE(run.out.find("/app/data.txt  hardlink -> /app/data-link.txt"), std::string::npos) << run.out;
  EXPECT_FALSE(fs::exists(root_ / "out.tar"));
}

TEST_F(RewriteTest, CliWritesAndReportsErrorsOnOneLine) {
  write_layout(root_ / "in", standard_layers(), standard_config());
  CliRun ok = run_okdlint("rewrite " + (root_ / "in").string() + " -o " + (root_ / "out.tar").string() +
                           " --port-map 80:9080 --user 2000",
                       root_);
  EXPECT_EQ(ok.status, 0) << ok.err;
  LoadedImage out = load(root_ / "out.tar");
  EXPECT_EQ(out.config.user, "2000:0");
  // --port-map remaps the port it names, and only that one without --unsafe-fixes.
  EXPECT_EQ(out.config.exposed_ports, (std::vector<std::string>{"22/tcp", "443/tcp", "9000/tcp", "9080/tcp"}));

  CliRun bad_map = run_okdlint("rewrite " + (root_ / "in").string() + " -o x.tar --port-map 80", root_);
  EXPECT_EQ(bad_map.status, 2);
  EXPECT_EQ(bad_map.err, "okdlint: rewrite: port map '80' is not FROM:TO with ports 1-65535\n");

  CliRun missing = run_okdlint("rewrite " + (root_ / "nope.tar").string() + " -o x.tar", root_);
  EXPECT_EQ(missing.status, 2);
  EXPECT_EQ(missing.err.rfind("okdlint: " + (root_ / "nope.tar").string() + ": ", 0), 0u) << missing.err;
  EXPECT_EQ(std::count(missing.err.begin(), missing.err.end(), '\n'), 1);

  // --push needs no skopeo; an unreachable registry is one line, after writing OUT.
  fs::remove(root_ / "out.tar");
  CliRun unreachable = run_okdlint("rewrite " + (root_ / "in").string() + " -o " + (root_ / "out.tar").string() +
                                       " --push docker://127.0.0.1:1/okd/app:1",
                                   root_, "PATH=/nonexistent ");
  EXPECT_EQ(unreachable.status, 2);
  // After the "wrote" lines, the error is the last line.
  size_t error_at = unreachable.err.find("\nokdlint: rewrite: --push docker://127.0.0.1:1/okd/app:1: ");
  ASSERT_NE(error_at, std::string::npos) << unreachable.err;
  EXPECT_EQ(unreachable.err.find('\n', error_at + 1), unreachable.err.size() - 1) << unreachable.err;
  EXPECT_NE(unreachable.err.find("127.0.0.1 port 1", error_at), std::string::npos) << unreachable.err;
  EXPECT_TRUE(fs::exists(root_ / "out.tar"));

  CliRun no_output = run_okdlint("rewrite " + (root_ / "in").string(), root_);
  EXPECT_EQ(no_output.status, 2);
  EXPECT_NE(no_output.err.find("-o OUT"), std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// A root-running server image (issue 12): what the configs say the servers write and read.

std::vector<std::string> server_layers() {
  return {make_tar({
      dir("etc", 0, 0, 0755),
      file("etc/passwd", 0, 0, 0644,
           "root:x:0:0:root:/root:/bin/sh\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
           "redis:x:101:104::/var/lib/redis:/usr/sbin/nologin\n"),
      dir("etc/nginx", 0, 0, 0755),
      file("etc/nginx/nginx.conf", 0, 0, 0644,
           "user www-data;\npid /run/nginx.pid;\nerror_log /var/log/nginx/error.log;\n"
           "events {}\nhttp { server { listen 80; } }\n"),
      dir("etc/redis", 101, 104, 02770),
      file("etc/redis/redis.conf", 101, 104, 0640, "dir /var/lib/redis\npidfile /run/redis/redis-server.pid\n"),
      dir("run", 0, 0, 0755),
      dir("var", 0, 0, 0755),
      dir("var/lib", 0, 0, 0755),
      dir("var/lib/nginx", 0, 0, 0755),
      dir("var/lib/redis", 101, 104, 0750),
      dir("var/log", 0, 0, 0755),
      dir("var/log/nginx", 0, 4, 0755),
      file("var/log/nginx/error.log", 33, 4, 0640, ""),
      dir("var/www", 0, 0, 0755),
      dir("var/www/html", 0, 0, 0755),
      file("var/www/html/index.html", 0, 0, 0644, "hi\n"),
  })};
}

TEST_F(RewriteTest, RootServerImageGetsWhatItsConfigsSayTheServersWriteAndRead) {
  write_layout(root_ / "in", server_layers(), {{"ExposedPorts", {{"80/tcp", json::object()}}}});
  LoadedImage image = load(root_ / "in");
  ImagePlan plan = plan_image_rewrite(image, {});
  EXPECT_EQ(plan.user_after, "1001:0");
  auto check = [&](std::string_view path, uint32_t gid, uint32_t mode) {
    const PlannedEntry* e = find_entry(plan, path);
    ASSERT_TRUE(e) << path << "\n" << describe_plan(plan);
    EXPECT_EQ(e->gid, gid) << path;
    EXPECT_EQ(e->mode, mode) << path;
  };
  check("/var/lib/nginx", 0, 0775);            // Debian's nginx temp paths
  check("/var/log/nginx", 0, 0775);            // error_log's directory
  check("/var/log/nginx/error.log", 0, 0660);  // www-data's (user www-data;): g=u
  check("/etc/redis", 0, 02770);               // redis's (package system user owning its HOME)
  check("/etc/redis/redis.conf", 0, 0660);     // 0640 redis:redis: group 0 can now read it
  check("/var/lib/redis", 0, 0770);
  const PlannedEntry* pid = find_entry(plan, "/run/nginx.pid");  // in /run: the file alone, created empty
  ASSERT_TRUE(pid);
  EXPECT_TRUE(pid->created);
  EXPECT_EQ(pid->type, FileType::Regular);
  EXPECT_EQ(pid->mode, 0664u);
  const PlannedEntry* redis_run = find_entry(plan, "/run/redis");  // pid file's own directory: created
  ASSERT_TRUE(redis_run);
  EXPECT_TRUE(redis_run->created);
  EXPECT_EQ(redis_run->type, FileType::Directory);
  EXPECT_FALSE(find_entry(plan, "/run"));      // /run itself is not opened to group 0
  EXPECT_FALSE(find_entry(plan, "/var/www"));  // www-data's HOME, root's: never written
  EXPECT_FALSE(find_entry(plan, "/var/www/html/index.html"));
  // No port flag: nothing remapped, nginx.conf untouched.
  EXPECT_FALSE(find_entry(plan, "/etc/nginx/nginx.conf"));

  // --port-map 80:9080: both ExposedPorts and the listen move.
  ImageRewriteOptions options;
  options.port_map = {{80, 9080}};
  ImagePlan moved = plan_image_rewrite(image, options);
  EXPECT_EQ(moved.exposed_ports, (std::vector<std::string>{"9080/tcp"}));
  const PlannedEntry* nginx = find_entry(moved, "/etc/nginx/nginx.conf");
  ASSERT_TRUE(nginx && nginx->content);
  EXPECT_NE(nginx->content->find("listen 9080;"), std::string::npos);
}

TEST_F(RewriteTest, LighttpdPortIsRewrittenWithExposedPorts) {
  EXPECT_EQ(patch_listen_ports("server.port = 80\nserver.port=8080\n", ServerConfigKind::Lighttpd, {}, nullptr),
            "server.port = 8080\nserver.port=8080\n");
  write_layout(root_ / "in",
               {make_tar({dir("etc", 0, 0, 0755), dir("etc/lighttpd", 0, 0, 0755),
                          file("etc/lighttpd/lighttpd.conf", 0, 0, 0644, "server.port = 80\n")})},
               {{"ExposedPorts", {{"80/tcp", json::object()}}}});
  ImageRewriteOptions options;
  options.unsafe_fixes = true;
  ImagePlan plan = plan_image_rewrite(load(root_ / "in"), options);
  EXPECT_EQ(plan.exposed_ports, (std::vector<std::string>{"8080/tcp"}));
  const PlannedEntry* conf = find_entry(plan, "/etc/lighttpd/lighttpd.conf");
  ASSERT_TRUE(conf && conf->content);
  EXPECT_EQ(*conf->content, "server.port = 8080\n");
}

TEST_F(RewriteTest, HistoryEntryComesAfterTheOthersAndCountsWhatChanged) {
  write_layout(root_ / "in", server_layers(), {{"ExposedPorts", {{"80/tcp", json::object()}}}},
               {"2025-01-02T03:04:05Z"});  // later than the config's own "created" (2024)
  LoadedImage image = load(root_ / "in");
  ImageRewriteOptions options;
  options.port_map = {{80, 9080}};
  ImagePlan plan = plan_image_rewrite(image, options);
  ImageWriteOptions write;
  write.format = ImageOutputFormat::OciLayout;
  write_rewritten_image(image, plan, (root_ / "out").string(), write);
  LoadedImage out = load(root_ / "out");
  const json& history = out.config.raw.at("history");
  EXPECT_EQ(history.back().at("created"), "2025-01-02T03:04:06Z");
  EXPECT_EQ(out.config.raw.at("created"), "2025-01-02T03:04:06Z");
  // Changed: /etc/redis, /var/lib/nginx, /var/lib/redis, /var/log/nginx (dirs); redis.conf,
  // error.log (files); created /run/nginx.pid and /run/redis; nginx.conf's content only.
  EXPECT_EQ(out.config.history.back().comment,
            "okdlint rewrite: User 1001:0, port 80/tcp->9080/tcp, group 0 access on 4 directories and 2 files, created "
            "1 directories and 1 files, 1 server configs with listen ports remapped")
      << describe_plan(plan);
}

}  // namespace
}  // namespace okd
