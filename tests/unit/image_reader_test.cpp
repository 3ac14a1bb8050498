// The image reader against real images: tests/make_test_image.sh builds one image with umoci and
// skopeo and writes it in every input form; each form must give the same config and view.
#include <utility>
#include <cstdint>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "lint/image/image.h"

namespace okd {
namespace {

namespace fs = std::filesystem;

bool on_path(const std::string& tool) {
  return std::system(("command -v " + tool + " >/dev/null 2>&1").c_str()) == 0;
}

class ImageFixtures : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    for (const char* tool : {"umoci", "skopeo", "setcap", "python3"}) {
      if (!on_path(tool)) {
        skip_reason_ = std::string("image fixtures need ") + tool + " (not installed)";
        return;
      }
    }
    if (::geteuid() != 0) {
      skip_reason_ = "image fixtures need root (file ownership, setuid bits and capabilities in the layers)";
      return;
    }
    char pattern[] = "/tmp/okdlint-image-fixtures-XXXXXX";
    if (!::mkdtemp(pattern)) {
      build_error_ = "mkdtemp failed";
      return;
    }
    dir_ = pattern;
    std::string command = "bash " OKDLINT_SOURCE_DIR "/tests/make_test_image.sh " + dir_ + " > " + dir_ +
                          "/build.log 2>&1";
    if (std::system(command.c_str()) != 0) {
      std::ifstream log(dir_ + "/build.log");
      std::stringstream text;
      text << log.rdbuf();
      build_error_ = "tests/make_test_image.sh failed:\n" + text.str();
    }
  }
  static void TearDownTestSuite() {
    if (!dir_.empty()) fs::remove_all(dir_);
  }
  void SetUp() override {
    if (!skip_reason_.empty()) GTEST_SKIP() << skip_reason_;
    ASSERT_TRUE(build_error_.empty()) << build_error_;
  }
  static std::string path(const std::string& name) { return dir_ + "/" + name; }
  static LoadedImage load_one(const std::string& name, ImageLoadOptions options = {}) {
    auto images = load_images(path(name), options);
    EXPECT_EQ(images.size(), 1u) << name;
    if (images.empty()) throw std::runtime_error("no image loaded from " + name);
    return std::move(images.front());
  }

  static std::string dir_, skip_reason_, build_error_;
};
std::string ImageFixtures::dir_, ImageFixtures::skip_reason_, ImageFixtures::build_error_;

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

void expect_config(const ImageConfig& config) {
  EXPECT_EQ(config.user, "0");
  EXPECT_TRUE(contains(config.exposed_ports, "80/tcp"));
  EXPECT_TRUE(contains(config.exposed_ports, "443/tcp"));
  EXPECT_EQ(config.exposed_ports.size(), 2u);
  EXPECT_EQ(config.working_dir, "/app");
  EXPECT_EQ(config.entrypoint, std::vector<std::string>{"/usr/bin/tool"});
  EXPECT_EQ(config.os, "linux");
  EXPECT_EQ(config.architecture, "amd64");
  EXPECT_EQ(config.labels.count("org.example.team"), 1u);
}

// Everything make_test_image.sh put in the layers, after the whiteouts of layer 2.
void expect_view(const LoadedImage& image) {
  ASSERT_TRUE(image.fs.has_value());
  const FilesystemView& view = *image.fs;

  const FileEntry* app = view.find("/app");
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->type, FileType::Directory);
  EXPECT_EQ(app->uid, 1001u);
  EXPECT_EQ(app->gid, 1001u);
  ASSERT_NE(view.find("/app/cache"), nullptr);
  EXPECT_EQ(view.find("/app/cache")->mode, 0700u);
  ASSERT_NE(view.find("/var/log/app"), nullptr);
  EXPECT_EQ(view.find("/var/log/app")->uid, 101u);
  ASSERT_NE(view.find("/tmp"), nullptr);
  EXPECT_EQ(view.find("/tmp")->mode, 01777u);
  ASSERT_NE(view.find("home/user1001/"), nullptr);  // lookups normalise
  EXPECT_EQ(view.find("/home/user1001")->gid, 0u);
  EXPECT_EQ(view.find("/home/user1001")->mode, 0775u);

  const FileEntry* tool = view.find("/usr/bin/tool");
  ASSERT_NE(tool, nullptr);
  EXPECT_EQ(tool->type, FileType::Regular);
  EXPECT_EQ(tool->mode, 04755u);
  EXPECT_EQ(tool->size, 18u);
  EXPECT_EQ(tool->layer, 0u);
  // VFS capability v2: 20 bytes, permitted set in bytes 4..7; CAP_NET_BIND_SERVICE is bit 10.
  ASSERT_EQ(tool->capability.size(), 20u);
  EXPECT_TRUE(static_cast<unsigned char>(tool->capability[5]) & 0x04);
  EXPECT_TRUE(contains(tool->xattr_names, "security.capability"));
  std::vector<std::string> group{"/usr/bin/tool", "/usr/bin/tool-hardlink"};
  EXPECT_EQ(view.hardlink_group("/usr/bin/tool"), group);
  EXPECT_EQ(view.hardlink_group("/usr/bin/tool-hardlink"), group);
  ASSERT_NE(view.find("/usr/bin/tool-hardlink"), nullptr);
  EXPECT_EQ(view.find("/usr/bin/tool-hardlink")->type, FileType::Hardlink);
  EXPECT_EQ(view.find("/usr/bin/tool-hardlink")->size, 18u);
  const FileEntry* symlink = view.find("/usr/bin/tool-symlink");
  ASSERT_NE(symlink, nullptr);
  EXPECT_EQ(symlink->type, FileType::Symlink);
  EXPECT_EQ(symlink->link_target, "tool");
  EXPECT_EQ(view.resolve("/usr/bin/tool-symlink"), "/usr/bin/tool");
  ASSERT_NE(view.find("/etc/app.conf"), nullptr);
  EXPECT_TRUE(contains(view.find("/etc/app.conf")->xattr_names, "user.okd"));

  // Captured small files; sites-enabled/default is a symlink to sites-available/default.
  ASSERT_TRUE(view.content("/etc/passwd").has_value());
  EXPECT_NE(view.content("/etc/passwd")->find("appuser:x:1001"), std::string_view::npos);
  ASSERT_TRUE(view.content("/etc/nginx/sites-enabled/default").has_value());
  EXPECT_NE(view.content("/etc/nginx/sites-enabled/default")->find("listen 80;"), std::string_view::npos);
  EXPECT_TRUE(view.content("/etc/nginx/nginx.conf").has_value());
  EXPECT_FALSE(view.content("/app/data/file.txt").has_value());  // not a captured path
  EXPECT_EQ(image.uid_of("appuser"), 1001u);
  EXPECT_EQ(image.uid_of("1234"), 1234u);
  EXPECT_FALSE(image.uid_of("nobody").has_value());
  ASSERT_NE(image.passwd_entry(1001), nullptr);
  EXPECT_EQ(image.passwd_entry(1001)->home, "/home/user1001");
  EXPECT_EQ(image.group_gids.at("appuser"), 1001u);

  // Layer 2: a whiteout, an opaque directory, a whited-out directory with children.
  EXPECT_EQ(view.find("/etc/remove-me"), nullptr);
  EXPECT_EQ(view.find("/opt/olddir/a"), nullptr);
  EXPECT_EQ(view.find("/opt/olddir/b"), nullptr);
  ASSERT_NE(view.find("/opt/olddir/new.txt"), nullptr);
  EXPECT_EQ(view.find("/opt/olddir/new.txt")->layer, image.layers.size() == 4 ? 2u : 1u);
  EXPECT_NE(view.find("/opt/olddir"), nullptr);
  EXPECT_EQ(view.find("/var/cache"), nullptr);
  EXPECT_EQ(view.find("/var/cache/junk/file"), nullptr);
  EXPECT_NE(view.find("/var/log/app/app.log"), nullptr);
  EXPECT_NE(view.find("/opt/readonly"), nullptr);
  // No whiteout marker leaks into the view.
  view.for_each([](std::string_view p, const FileEntry&) { EXPECT_EQ(p.find("/.wh."), std::string_view::npos) << p; });

  // Every layer was checked against its diff_id.
  ASSERT_EQ(image.layers.size(), image.config.diff_ids.size());
  for (size_t i = 0; i < image.layers.size(); ++i) {
    EXPECT_EQ(image.layers[i].diff_id, image.config.diff_ids[i]);
    EXPECT_GT(image.layers[i].uncompressed_size, 0u);
    EXPECT_FALSE(image.layers[i].digest.empty());
  }
}

struct Form {
  const char* file;
  ImageInputKind kind;
  const char* compression;  // of the first layer
  const char* ref_name;
};

class ImageForms : public ImageFixtures, public ::testing::WithParamInterface<Form> {};

TEST_P(ImageForms, ConfigAndViewMatchTheBuiltImage) {
  const Form& form = GetParam();
  LoadedImage image = load_one(form.file);
  EXPECT_EQ(image.kind, form.kind);
  EXPECT_EQ(image.file, path(form.file));
  EXPECT_EQ(image.platform, "linux/amd64");
  EXPECT_EQ(image.ref_name, form.ref_name);
  expect_config(image.config);
  ASSERT_FALSE(image.layers.empty());
  EXPECT_EQ(image.layers[0].compression, form.compression);
  expect_view(image);
}

INSTANTIATE_TEST_SUITE_P(
    AllForms, ImageForms,
    ::testing::Values(Form{"oci", ImageInputKind::OciLayout, "gzip", "test"},
                      Form{"img.oci.tar", ImageInputKind::OciArchive, "gzip", "okd/test:1"},
                      Form{"img.docker.tar", ImageInputKind::DockerArchive, "none", "docker.io/okd/test:1"},
                      Form{"img.docker.tar.gz", ImageInputKind::DockerArchive, "none", "docker.io/okd/test:1"},
                      Form{"img.legacy.tar", ImageInputKind::DockerArchive, "none", "okd/test:legacy"},
                      Form{"img.docker25.tar", ImageInputKind::DockerArchive, "none", "okd/test:25"},
                      Form{"zstd", ImageInputKind::OciLayout, "zstd", "test"},
                      Form{"multi", ImageInputKind::OciLayout, "gzip", "multi"}),
    [](const ::testing::TestParamInfo<Form>& info) {
      std::string name = info.param.file;
      std::replace_if(name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
      return name;
    });

TEST_F(ImageFixtures, LegacyArchiveFollowsTheLayerSymlink) {
  LoadedImage image = load_one("img.legacy.tar");
  ASSERT_EQ(image.layers.size(), 4u);
  // Layers 2 and 4 are the same empty tar; the fourth is a symlink entry to the second.
  EXPECT_EQ(image.layers[1].diff_id, image.layers[3].diff_id);
  EXPECT_EQ(image.layers[1].blob_offset, image.layers[3].blob_offset);
  EXPECT_EQ(image.layers[3].uncompressed_size, 1024u);
}

TEST_F(ImageFixtures, ConfigJsonHasNoFilesystem) {
  LoadedImage image = load_one("config.json");
  EXPECT_EQ(image.kind, ImageInputKind::ConfigJson);
  expect_config(image.config);
  EXPECT_FALSE(image.fs.has_value());
  EXPECT_EQ(image.config.diff_ids.size(), 2u);
  EXPECT_EQ(image.layers.size(), 2u);
  EXPECT_EQ(image.config.history.back().created_by, "okd-test config");
  EXPECT_TRUE(image.config.history.back().empty_layer);
  EXPECT_FALSE(image.config_bytes.empty());
  EXPECT_EQ(image.config_digest.rfind("sha256:", 0), 0u);
}

TEST_F(ImageFixtures, InspectOutputReadsLikeDockerPrintsIt) {
  LoadedImage image = load_one("inspect.json");
  EXPECT_EQ(image.kind, ImageInputKind::Inspect);
  EXPECT_EQ(image.ref_name, "okd/test:1");
  EXPECT_EQ(image.platform, "linux/amd64");
  expect_config(image.config);
  EXPECT_FALSE(image.fs.has_value());
  EXPECT_EQ(image.config.diff_ids.size(), 2u);
  // The same config digest as the OCI layout's config blob.
  ImageLoadOptions config_only;
  config_only.read_layers = false;
  EXPECT_EQ(image.config_digest, load_one("oci", config_only).config_digest);
}

TEST_F(ImageFixtures, PlatformSelection) {
  ImageLoadOptions arm;
  arm.platform = "linux/arm64";
  LoadedImage image = load_one("multi", arm);
  EXPECT_EQ(image.platform, "linux/arm64/v8");
  EXPECT_EQ(image.config.architecture, "arm64");
  expect_view(image);  // same layers

  ImageLoadOptions all;
  all.all_platforms = true;
  auto images = load_images(path("multi"), all);
  ASSERT_EQ(images.size(), 2u);
  EXPECT_EQ(images[0].platform, "linux/amd64");
  EXPECT_EQ(images[1].platform, "linux/arm64/v8");

  ImageLoadOptions missing;
  missing.platform = "linux/s390x";
  try {
    load_images(path("multi"), missing);
    ADD_FAILURE() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("no image for platform linux/s390x"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("linux/arm64/v8"), std::string::npos) << e.what();
  }
}

std::vector<std::string> listing(const FilesystemView& view) {
  std::vector<std::string> out;
  view.for_each([&](std::string_view p, const FileEntry& e) {
    out.push_back(std::string(p) + " " + std::to_string(e.uid) + ":" + std::to_string(e.gid) + " " +
                  std::to_string(e.mode) + " " + e.link_target + " " + std::to_string(e.layer));
  });
  return out;
}

TEST_F(ImageFixtures, OneThreadAndManyThreadsGiveTheSameView) {
  ImageLoadOptions one;
  one.threads = 1;
  ImageLoadOptions many;
  many.threads = 8;
  for (const char* form : {"oci", "img.legacy.tar"}) {
    LoadedImage a = load_one(form, one);
    LoadedImage b = load_one(form, many);
    ASSERT_TRUE(a.fs && b.fs);
    EXPECT_EQ(listing(*a.fs), listing(*b.fs)) << form;
    EXPECT_GT(a.fs->size(), 20u);
  }
}

TEST_F(ImageFixtures, ReadLayersFalseListsLayersWithoutAView) {
  ImageLoadOptions options;
  options.read_layers = false;
  LoadedImage image = load_one("img.oci.tar", options);
  EXPECT_FALSE(image.fs.has_value());
  ASSERT_EQ(image.layers.size(), 2u);
  EXPECT_EQ(image.layers[0].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_FALSE(image.manifest_bytes.empty());
  EXPECT_EQ(image.manifest_digest.rfind("sha256:", 0), 0u);
}

TEST_F(ImageFixtures, BlobOffsetsPointAtTheBlobBytes) {
  LoadedImage image = load_one("img.oci.tar");
  std::ifstream in(path("img.oci.tar"), std::ios::binary);
  for (const auto& layer : image.layers) {
    ASSERT_GT(layer.blob_offset, 0u);
    std::string bytes(layer.size, '\0');
    in.seekg(static_cast<std::streamoff>(layer.blob_offset));
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    ASSERT_TRUE(in.good());
    EXPECT_EQ(static_cast<unsigned char>(bytes[0]), 0x1f);  // a gzip blob starts there
    EXPECT_EQ(layer.blob_path.rfind("blobs/sha256/", 0), 0u);
  }
}

TEST_F(ImageFixtures, ProgressReachesTheTotal) {
  uint64_t last_done = 0, last_total = 0;
  size_t last_layers = 0, layers_total = 0, calls = 0;
  ImageLoadOptions options;
  options.progress = [&](uint64_t done, uint64_t total, size_t layers_done, size_t layers) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
    last_layers = layers_done;
    layers_total = layers;
    ++calls;
  };
  LoadedImage image = load_one("img.docker.tar", options);
  EXPECT_GE(calls, 2u);
  EXPECT_EQ(last_done, last_total);
  EXPECT_EQ(last_total, image.layers[0].size + image.layers[1].size);
  EXPECT_EQ(last_layers, 2u);
  EXPECT_EQ(layers_total, 2u);
}

TEST_F(ImageFixtures, StdinIsSpooled) {
  for (const char* form : {"img.docker.tar.gz", "img.oci.tar", "config.json"}) {
    int saved = ::dup(STDIN_FILENO);
    int input = ::open(path(form).c_str(), O_RDONLY);
    ASSERT_GE(input, 0);
    ::dup2(input, STDIN_FILENO);
    ::close(input);
    std::vector<LoadedImage> images;
    std::string error;
    try {
      images = load_images("-", {});
    } catch (const ImageError& e) {
      error = e.what();
    }
    ::dup2(saved, STDIN_FILENO);
    ::close(saved);
    ASSERT_EQ(error, "") << form;
    ASSERT_EQ(images.size(), 1u);
    EXPECT_EQ(images[0].file, "-");
    expect_config(images[0].config);
    if (images[0].kind != ImageInputKind::ConfigJson) expect_view(images[0]);
  }
}

TEST_F(ImageFixtures, ContentSniffingRoutesInputs) {
  for (const char* form : {"oci", "img.oci.tar", "img.docker.tar", "img.docker.tar.gz", "img.legacy.tar",
                           "img.docker25.tar", "zstd", "multi", "config.json", "inspect.json"}) {
    EXPECT_TRUE(looks_like_image(path(form))) << form;
  }
  // The sniff looks at content, not names: a Containerfile named like an archive is not an image.
  std::ofstream(path("Containerfile.tar")) << "FROM registry.example/ubi9\nUSER 1001\n";
  std::ofstream(path("other.json")) << R"({"name": "package", "version": "1.0"})";
  EXPECT_FALSE(looks_like_image(path("Containerfile.tar")));
  EXPECT_FALSE(looks_like_image(path("other.json")));
  EXPECT_FALSE(looks_like_image(path("build.log")));
  EXPECT_FALSE(looks_like_image(dir_));  // a directory without oci-layout
  EXPECT_FALSE(looks_like_image(path("does-not-exist")));
  // A renamed archive is still recognised.
  fs::copy_file(path("img.oci.tar"), path("renamed.txt"), fs::copy_options::overwrite_existing);
  EXPECT_TRUE(looks_like_image(path("renamed.txt")));
  EXPECT_EQ(load_one("renamed.txt").kind, ImageInputKind::OciArchive);
}

// Blobs of 4 MiB and more are hashed on a pipeline thread: a big gzip and a big zstd-free
// uncompressed layer must verify and list exactly like small ones.
TEST(ImageBigLayers, PipelinedHashingVerifiesDigests) {
  if (!on_path("python3")) GTEST_SKIP() << "needs python3 to write the archive";
  char pattern[] = "/tmp/okdlint-image-big-XXXXXX";
  ASSERT_NE(::mkdtemp(pattern), nullptr);
  std::string dir = pattern;
  std::string script = dir + "/make.py";
  std::ofstream(script) << R"PY(
import gzip, hashlib, io, json, os, random, sys, tarfile
rng = random.Random(7)
def layer(files):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files:
            info = tarfile.TarInfo(name); info.size = len(data); info.mode = 0o640; info.uid = 1001
            t.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
noise = bytes(rng.getrandbits(8) for _ in range(1 << 20))
first = layer([(f"data/f{i}", noise[i * 1000:] + noise[:i * 1000]) for i in range(6)])
second = layer([("etc/passwd", b"app:x:1001:0::/app:/bin/sh\n"), ("big", noise * 5)])
blobs = [gzip.compress(first, 1, mtime=0), second]
sha = lambda b: "sha256:" + hashlib.sha256(b).hexdigest()
config = json.dumps({"architecture": "amd64", "os": "linux", "config": {},
                     "rootfs": {"type": "layers", "diff_ids": [sha(first), sha(second)]}}).encode()
manifest = json.dumps({"schemaVersion": 2, "config": {"digest": sha(config), "size": len(config)},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": sha(blobs[0]), "size": len(blobs[0])},
               {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": sha(blobs[1]), "size": len(blobs[1])}]}).encode()
with tarfile.open(sys.argv[1], "w") as t:
    for data in blobs + [config, manifest]:
        info = tarfile.TarInfo("blobs/sha256/" + sha(data)[7:]); info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    index = json.dumps({"schemaVersion": 2, "manifests": [{"digest": sha(manifest), "size": len(manifest),
        "mediaType": "application/vnd.oci.image.manifest.v1+json"}]}).encode()
    info = tarfile.TarInfo("index.json"); info.size = len(index); t.addfile(info, io.BytesIO(index))
)PY";
  std::string archive = dir + "/big.oci.tar";
  ASSERT_EQ(std::system(("python3 " + script + " " + archive).c_str()), 0);
  for (unsigned threads : {1u, 2u}) {
    ImageLoadOptions options;
    options.threads = threads;
    auto images = load_images(archive, options);
    ASSERT_EQ(images.size(), 1u);
    const LoadedImage& image = images[0];
    ASSERT_EQ(image.layers.size(), 2u);
    EXPECT_GE(image.layers[0].size, 4u << 20);  // both blobs take the pipelined path
    EXPECT_GE(image.layers[1].size, 4u << 20);
    EXPECT_EQ(image.layers[0].compression, "gzip");
    EXPECT_EQ(image.layers[1].compression, "none");
    ASSERT_TRUE(image.fs);
    EXPECT_EQ(image.fs->find("/data/f5")->size, 1u << 20);
    EXPECT_EQ(image.fs->find("/big")->size, 5u << 20);
    EXPECT_EQ(image.uid_of("app"), 1001u);
  }
  // One changed byte deep inside the uncompressed layer blob: its digest must catch it.
  {
    std::fstream file(archive, std::ios::in | std::ios::out | std::ios::binary);
    LoadedImage image = load_images(archive, {})[0];
    file.seekp(static_cast<std::streamoff>(image.layers[1].blob_offset + (3u << 20)));
    file.put('\x5a');
  }
  EXPECT_THROW(load_images(archive, {}), ImageError);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace okd
