// Unit tests for the helpers rules share (rules/rule_support.h): insertions that keep line
// endings and indentation, the final-image walk, created uids, variable definitions, port sites
// and their remap fix, and the privilege-escalation patterns.
#include "rules/rule_support.h"

#include <optional>
#include <utility>
#include <cstdint>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "rewrite/fixer.h"
#include "rewrite/source_edits.h"

namespace okd {
namespace {

// One parsed file with everything a ContainerfileContext refers to. Not copyable: the model points
// into the parse tree.
class Parsed {
 public:
  explicit Parsed(std::string text, Config config = {})
      : source_("Containerfile", std::move(text)), parsed_(parse_dockerfile(source_)), config_(std::move(config)) {
    ModelOptions options;
    options.build_args = config_.build_args;
    options.target = config_.target;
    model_ = build_model(source_, parsed_, options);
    ctx_ = std::make_unique<ContainerfileContext>(ContainerfileContext{source_, parsed_, model_, config_, aliases_});
  }
  Parsed(const Parsed&) = delete;
  Parsed& operator=(const Parsed&) = delete;

  const ContainerfileContext& ctx() const { return *ctx_; }
  const SourceFile& source() const { return source_; }
  const BuildModel& model() const { return model_; }
  const Instruction& instruction(size_t i) const { return parsed_.instructions.at(i); }
  // The first instruction whose text starts with `prefix`.
  const Instruction* find(std::string_view prefix) const {
    for (const Instruction& ins : parsed_.instructions) {
      if (ctx_->text(ins.range).starts_with(prefix)) return &ins;
    }
    return nullptr;
  }
  std::string apply(const std::vector<Edit>& edits) const { return apply_edits(source_.text(), edits); }

 private:
  SourceFile source_;
  ParsedDockerfile parsed_;
  Config config_;
  RegistryAliases aliases_;
  BuildModel model_;
  std::unique_ptr<ContainerfileContext> ctx_;
};

std::string text_of(const Parsed& p, uint32_t begin, uint32_t end) { return p.source().text().substr(begin, end - begin); }

// ---- Text and edits ----

TEST(RuleSupportText, LineEndingFollowsTheFirstLineBreak) {
  EXPECT_EQ(line_ending(SourceFile("f", "FROM a\nRUN b\n")), "\n");
  EXPECT_EQ(line_ending(SourceFile("f", "FROM a\r\nRUN b\r\n")), "\r\n");
  EXPECT_EQ(line_ending(SourceFile("f", "FROM a")), "\n");
}

TEST(RuleSupportText, InsertBeforeKeepsIndentation) {
  Parsed p("FROM a\n  \tRUN make\nCMD x\n");
  const Instruction* run = p.find("RUN");
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(indentation_of(p.source(), *run), "  \t");
  Edit e = insert_line_before(p.source(), *run, "USER 1001");
  EXPECT_EQ(p.apply({e}), "FROM a\n  \tUSER 1001\n  \tRUN make\nCMD x\n");
}

TEST(RuleSupportText, InsertAfterSkipsContinuationsAndHeredocBodies) {
  Parsed p("FROM a\nRUN a \\\n  b\nRUN <<EOF\necho hi\nEOF\nCMD x\n");
  const Instruction* continued = p.find("RUN a");
  const Instruction* heredoc = p.find("RUN <<EOF");
  ASSERT_TRUE(continued && heredoc);
  EXPECT_EQ(p.apply({insert_line_after(p.source(), *continued, "USER 1")}),
            "FROM a\nRUN a \\\n  b\nUSER 1\nRUN <<EOF\necho hi\nEOF\nCMD x\n");
  EXPECT_EQ(p.apply({insert_line_after(p.source(), *heredoc, "USER 1")}),
            "FROM a\nRUN a \\\n  b\nRUN <<EOF\necho hi\nEOF\nUSER 1\nCMD x\n");
}

TEST(RuleSupportText, InsertAfterLastLineWithoutBreakKeepsCrlfAndNoFinalBreak) {
  Parsed p("FROM a\r\nRUN x");
  Edit e = insert_line_after(p.source(), p.instruction(1), "USER 1001");
  EXPECT_EQ(p.apply({e}), "FROM a\r\nRUN x\r\nUSER 1001");
  Parsed crlf("FROM a\r\nRUN x\r\nCMD y\r\n");
  EXPECT_EQ(crlf.apply({insert_line_after(crlf.source(), crlf.instruction(1), "USER 1001")}),
            "FROM a\r\nRUN x\r\nUSER 1001\r\nCMD y\r\n");
}

// ---- The final image ----

TEST(RuleSupportFinalImage, WalksTheAliasChainRootFirstAndSkipsOtherStages) {
  Parsed p(
      "FROM golang:1.22 AS build\nRUN go build\n"
      "FROM ubi9/ubi-minimal:9.4 AS base\nENV A=1\nCMD [\"base\"]\n"
      "FROM base AS final\nCOPY --from=build /app /app\nCMD [\"final\"]\n");
  std::vector<const Instruction*> seq = final_image_instructions(p.model());
  ASSERT_EQ(seq.size(), 4u);
  EXPECT_EQ(p.ctx().text(seq[0]->range), "ENV A=1");
  EXPECT_EQ(p.ctx().text(seq[3]->range), "CMD [\"final\"]");
  EXPECT_EQ(p.ctx().text(effective_instruction(p.model(), "cmd")->range), "CMD [\"final\"]");
  EXPECT_EQ(effective_instruction(p.model(), "entrypoint"), nullptr);
  EXPECT_FALSE(in_final_image(p.model(), p.find("RUN go build")));
  EXPECT_TRUE(in_final_image(p.model(), p.find("ENV A=1")));
  EXPECT_EQ(final_base_image(p.ctx()), "ubi9/ubi-minimal:9.4");
}

TEST(RuleSupportFinalImage, UserInsertionGoesAfterTheLastStepThatNeedsRoot) {
  Parsed p("FROM a\nUSER root\nRUN dnf install -y x\nCOPY --chown=1001:0 app /app\nCOPY conf /etc/conf\nCMD x\n");
  std::optional<Edit> all = insert_user_edit(p.ctx(), nullptr, "USER 1001");
  ASSERT_TRUE(all);
  EXPECT_EQ(p.apply({*all}),
            "FROM a\nUSER root\nRUN dnf install -y x\nCOPY --chown=1001:0 app /app\nCOPY conf /etc/conf\nUSER 1001\nCMD x\n");
  EXPECT_TRUE(insert_user_edit(p.ctx(), p.find("USER root"), "USER 1001"));
  EXPECT_FALSE(insert_user_edit(p.ctx(), p.find("COPY conf"), "USER 1001"));
}

TEST(RuleSupportFinalImage, UserInsertionAfterFromWhenRootStepsAreInAParentStage) {
  Parsed p("FROM a AS base\nRUN make\nFROM base\nENV X=1\nCMD x\n");
  std::optional<Edit> e = insert_user_edit(p.ctx(), nullptr, "USER 1001");
  ASSERT_TRUE(e);
  EXPECT_EQ(p.apply({*e}), "FROM a AS base\nRUN make\nFROM base\nUSER 1001\nENV X=1\nCMD x\n");
}

// ---- Users ----

TEST(RuleSupportUsers, ParsesUidsAndRoot) {
  EXPECT_EQ(parse_uid("1001"), 1001u);
  EXPECT_EQ(parse_uid("4294967295"), 4294967295u);
  EXPECT_FALSE(parse_uid("4294967296"));
  EXPECT_FALSE(parse_uid(""));
  EXPECT_FALSE(parse_uid("-1"));
  EXPECT_FALSE(parse_uid("1e3"));
  EXPECT_TRUE(is_root_user("root"));
  EXPECT_TRUE(is_root_user("0"));
  EXPECT_TRUE(is_root_user("000"));
  EXPECT_FALSE(is_root_user("1001"));
  EXPECT_FALSE(is_root_user("rooter"));
}

TEST(RuleSupportUsers, ParsesUseraddAndAdduserCommandLines) {
  auto created = [](std::vector<std::string> argv) { return parse_user_creation(argv); };
  auto a = created({"useradd", "-u", "1001", "app"});
  ASSERT_TRUE(a);
  EXPECT_EQ(a->name, "app");
  EXPECT_EQ(a->uid, 1001u);
  auto b = created({"/usr/sbin/useradd", "-r", "--uid=42", "-g", "0", "-d", "/srv", "-m", "svc"});
  ASSERT_TRUE(b);
  EXPECT_EQ(b->name, "svc");
  EXPECT_EQ(b->uid, 42u);
  auto c = created({"adduser", "-D", "-u", "1500", "app", "wheel"});
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "app");
  EXPECT_EQ(c->uid, 1500u);
  auto d = created({"adduser", "-Du1600", "-G", "app", "web"});
  ASSERT_TRUE(d);
  EXPECT_EQ(d->name, "web");
  EXPECT_EQ(d->uid, 1600u);
  auto e = created({"adduser", "--uid", "2000", "--disabled-password", "--gecos", "", "deb"});
  ASSERT_TRUE(e);
  EXPECT_EQ(e->name, "deb");
  EXPECT_EQ(e->uid, 2000u);
  auto f = created({"useradd", "--uid", "7", "-c", "A user", "named"});
  ASSERT_TRUE(f);
  EXPECT_EQ(f->name, "named");
  auto g = created({"useradd", "nouid"});
  ASSERT_TRUE(g);
  EXPECT_FALSE(g->uid);
  EXPECT_FALSE(created({"usermod", "-u", "1", "x"}));
  EXPECT_FALSE(created({"useradd", "-u", "1"}));
  EXPECT_FALSE(created({}));
}

TEST(RuleSupportUsers, CreatedUsersComeFromTheFinalImageWithVariablesExpanded) {
  Parsed p(
      "FROM a AS build\nRUN useradd -u 3000 builder\n"
      "FROM b\nARG UID=1200\nRUN groupadd -g 0 x; useradd -u $UID -g 0 app && adduser -D -u 0 toor\n"
      "RUN <<EOF\nuseradd --uid 1300 later\nEOF\nUSER app\n");
  std::vector<CreatedUser> users = created_users(p.model());
  ASSERT_EQ(users.size(), 3u);
  EXPECT_EQ(users[0].name, "app");
  EXPECT_EQ(users[0].uid, 1200u);
  EXPECT_EQ(users[1].uid, 0u);
  EXPECT_EQ(users[2].name, "later");
  EXPECT_EQ(created_uid(p.model(), "app"), 1200u);
  EXPECT_FALSE(created_uid(p.model(), "builder"));
  EXPECT_EQ(uid_for_fix(p.ctx()), 1300u);

  Parsed none("FROM a\nRUN useradd app\n");
  EXPECT_EQ(uid_for_fix(none.ctx()), 1001u);
}

TEST(RuleSupportUsers, UserBeforeFollowsTheChain) {
  Parsed p("FROM a AS base\nUSER 1001:0\nFROM base\nRUN one\nARG WHO\nUSER $WHO\nRUN two\n");
  UserAt one = user_before(p.model(), p.find("RUN one"));
  ASSERT_TRUE(one.user);
  EXPECT_EQ(*one.user, "1001");
  EXPECT_TRUE(one.known);
  EXPECT_FALSE(user_before(p.model(), p.find("RUN two")).known);
  Parsed base("FROM a\nRUN x\n");
  EXPECT_FALSE(user_before(base.model(), base.find("RUN x")).user);
}

TEST(RuleSupportUsers, UserPartsFollowReferencesToDefinitions) {
  Parsed p("FROM a\nARG UID=0\nARG GID=\"1001\"\nUSER $UID:${GID}\n");
  UserParts parts = user_parts(p.ctx(), *p.find("USER"));
  EXPECT_FALSE(parts.whole);
  ASSERT_TRUE(parts.user && parts.group);
  EXPECT_EQ(parts.user->text, "0");
  EXPECT_EQ(parts.group->text, "1001");
  EXPECT_EQ(text_of(p, parts.group->begin, parts.group->end), "1001");

  Parsed spec("FROM a\nENV SPEC=app:root\nUSER $SPEC\n");
  UserParts s = user_parts(spec.ctx(), *spec.find("USER"));
  ASSERT_TRUE(s.whole && s.user && s.group);
  EXPECT_EQ(s.whole->text, "app:root");
  EXPECT_EQ(text_of(spec, s.user->begin, s.user->end), "app");
  EXPECT_EQ(text_of(spec, s.group->begin, s.group->end), "root");
}

// ---- Variable definitions ----

TEST(RuleSupportDefinitions, BareStageArgLeadsToTheGlobalDefault) {
  Parsed p("ARG PORT=80\nFROM a\nARG PORT\nEXPOSE $PORT\n");
  std::optional<LiteralSource> def = variable_definition(p.ctx(), p.find("EXPOSE"), "PORT");
  ASSERT_TRUE(def);
  EXPECT_EQ(def->text, "80");
  EXPECT_EQ(def->begin, 9u);
}

TEST(RuleSupportDefinitions, EnvWinsOverArgAndIsInheritedFromParents) {
  Parsed p("FROM a AS base\nENV PORT=\"443\"\nFROM base\nARG PORT=80\nEXPOSE $PORT\n");
  const Instruction* expose = p.find("EXPOSE");
  EXPECT_EQ(variable_definition(p.ctx(), expose, "PORT")->text, "\"443\"");
  std::optional<LiteralSource> lit = literal_source(p.ctx(), expose, expose->args[0].range.begin.offset,
                                                    expose->args[0].range.end.offset);
  ASSERT_TRUE(lit);
  EXPECT_EQ(lit->text, "443");
  EXPECT_EQ(text_of(p, lit->begin, lit->end), "443");
}

TEST(RuleSupportDefinitions, BuildArgsAndMissingDefaultsHaveNoEditableDefinition) {
  Config config;
  config.build_args["PORT"] = "80";
  Parsed p("FROM a\nARG PORT=8080\nARG OTHER\nEXPOSE $PORT $OTHER\n", config);
  EXPECT_FALSE(variable_definition(p.ctx(), p.find("EXPOSE"), "PORT"));
  EXPECT_FALSE(variable_definition(p.ctx(), p.find("EXPOSE"), "OTHER"));
  EXPECT_FALSE(variable_definition(p.ctx(), p.find("EXPOSE"), "UNDEFINED"));
}

TEST(RuleSupportDefinitions, LiteralSourceRefusesComposedValues) {
  Parsed p("FROM a\nARG A=1\nARG B=x${A}y\nUSER $B\nUSER ${A:-2}\nUSER 'plain'\n");
  auto lit = [&](const char* prefix) {
    const Instruction* ins = p.find(prefix);
    return literal_source(p.ctx(), ins, ins->args[0].range.begin.offset, ins->args[0].range.end.offset);
  };
  EXPECT_FALSE(lit("USER $B"));
  EXPECT_FALSE(lit("USER ${A:-2}"));
  ASSERT_TRUE(lit("USER 'plain'"));
  EXPECT_EQ(lit("USER 'plain'")->text, "plain");
}

TEST(RuleSupportDefinitions, LocateNumberFindsDigitsThroughReferences) {
  Parsed p("FROM a\nARG PORT=80\nENV WEB=$PORT\nEXPOSE ${WEB}/tcp 80-80 http2:80\n");
  const Instruction* expose = p.find("EXPOSE");
  auto word = [&](size_t i) { return expose->args.at(i).range; };
  auto a = locate_number(p.ctx(), expose, word(0).begin.offset, word(0).end.offset, 80);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, 16u);  // inside `ARG PORT=80`
  auto first = locate_number(p.ctx(), expose, word(1).begin.offset, word(1).end.offset, 80);
  auto second = locate_number(p.ctx(), expose, word(1).begin.offset, word(1).end.offset, 80, 1);
  ASSERT_TRUE(first && second);
  EXPECT_EQ(second->first, first->second + 1);
  // "http2" is a name, not a port; the 80 after the colon is.
  auto named = locate_number(p.ctx(), expose, word(2).begin.offset, word(2).end.offset, 2);
  EXPECT_FALSE(named);
  EXPECT_FALSE(locate_number(p.ctx(), expose, word(0).begin.offset, word(0).end.offset, 443));
}

// ---- Ports ----

TEST(RuleSupportPorts, ParsesPortsAndListenAddresses) {
  EXPECT_EQ(parse_port("80"), 80);
  EXPECT_EQ(parse_port("080"), 80);
  EXPECT_EQ(parse_port("65535"), 65535);
  EXPECT_FALSE(parse_port("65536"));
  EXPECT_FALSE(parse_port("80a"));
  EXPECT_FALSE(parse_port(""));
  EXPECT_TRUE(is_privileged_port(1));
  EXPECT_TRUE(is_privileged_port(1023));
  EXPECT_FALSE(is_privileged_port(0));
  EXPECT_FALSE(is_privileged_port(1024));

  EXPECT_EQ(listen_address_port(":80"), 80);
  EXPECT_EQ(listen_address_port("0.0.0.0:80"), 80);
  EXPECT_EQ(listen_address_port("[::]:443"), 443);
  EXPECT_EQ(listen_address_port("tcp://127.0.0.1:25"), 25);
  EXPECT_EQ(listen_address_port("localhost:8080"), 8080);
  EXPECT_EQ(listen_address_port("*:21"), 21);
  EXPECT_FALSE(listen_address_port("app:app"));
  EXPECT_FALSE(listen_address_port("http://example.org:80"));
  EXPECT_FALSE(listen_address_port("1.2.3:80"));
  EXPECT_FALSE(listen_address_port("300.0.0.1:80"));
  EXPECT_FALSE(listen_address_port("80"));
}

TEST(RuleSupportPorts, SitesCoverExposeEnvAndListenArguments) {
  Parsed p(
      "ARG PORT=80\nFROM a AS build\nEXPOSE 22\nFROM b\nARG PORT\nENV HTTP_PORT=$PORT RETRIES=5 ADMIN=443\n"
      "EXPOSE $PORT 8080 1000-1030\nCMD [\"srv\", \"--port\", \"80\", \"--admin=0.0.0.0:443\"]\n");
  std::vector<PortSite> sites = privileged_port_sites(p.ctx());
  ASSERT_EQ(sites.size(), 5u);
  EXPECT_EQ(sites[0].kind, PortSiteKind::Env);
  EXPECT_EQ(sites[0].written, "ENV HTTP_PORT=$PORT");
  EXPECT_EQ(sites[1].kind, PortSiteKind::Expose);
  EXPECT_EQ(sites[1].first, 80);
  EXPECT_EQ(sites[2].first, 1000);
  EXPECT_EQ(sites[2].last, 1030);
  EXPECT_EQ(sites[3].kind, PortSiteKind::Listen);
  EXPECT_EQ(p.ctx().text(sites[3].range), "80");
  EXPECT_EQ(sites[4].first, 443);
  EXPECT_EQ(p.ctx().text(sites[4].range), "443");

  // One fix moves port 80 everywhere it appears; the ENV and EXPOSE share the ARG default.
  std::optional<Fix> fix = port_remap_fix(p.ctx(), sites, sites[1]);
  ASSERT_TRUE(fix);
  EXPECT_EQ(fix->applicability, Applicability::Unsafe);
  EXPECT_EQ(fix->edits.size(), 2u);
  EXPECT_EQ(p.apply(fix->edits),
            "ARG PORT=8080\nFROM a AS build\nEXPOSE 22\nFROM b\nARG PORT\nENV HTTP_PORT=$PORT RETRIES=5 ADMIN=443\n"
            "EXPOSE $PORT 8080 1000-1030\nCMD [\"srv\", \"--port\", \"8080\", \"--admin=0.0.0.0:443\"]\n");
  // An EXPOSE range with no listen setting the file shows: moving it would not move the server
  // (issue 11 class 7), so there is no remap.
  EXPECT_FALSE(port_remap_fix(p.ctx(), sites, sites[2]));
}

TEST(RuleSupportPorts, NoFixWhenThePortMapKeepsItPrivileged) {
  Config config;
  config.port_map[80] = 90;
  Parsed p("FROM a\nEXPOSE 80\n", config);
  std::vector<PortSite> sites = privileged_port_sites(p.ctx());
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_FALSE(port_remap_fix(p.ctx(), sites, sites[0]));
}

// ---- Privilege escalation ----

TEST(RuleSupportEscalation, RecognisesSetidModes) {
  for (const char* mode : {"4755", "2755", "6711", "04755", "u+s", "g+s", "+s", "ug=rwxs", "a+rx,u+s", "u+xs"}) {
    EXPECT_TRUE(mode_sets_setid(mode)) << mode;
  }
  for (const char* mode : {"0755", "755", "1777", "u-s", "o+s", "+x", "g=rx", "", "u+t"}) {
    EXPECT_FALSE(mode_sets_setid(mode)) << mode;
  }
  EXPECT_EQ(chmod_setid_mode_index({"chmod", "-R", "4755", "/x"}), 2u);
  EXPECT_EQ(chmod_setid_mode_index({"/bin/chmod", "--", "u+s", "/x"}), 2u);
  EXPECT_FALSE(chmod_setid_mode_index({"chmod", "755", "/x"}));
  EXPECT_FALSE(chmod_setid_mode_index({"chmod", "--reference=/a", "/x"}));
  EXPECT_FALSE(chmod_setid_mode_index({"chown", "4755", "/x"}));
  EXPECT_TRUE(is_privilege_switch_tool("su-exec"));
  EXPECT_FALSE(is_privilege_switch_tool("sudoku"));
}

TEST(RuleSupportEscalation, CommandNameLooksThroughWrappers) {
  auto command = [](std::vector<std::string> words) {
    SimpleCommand c;
    for (std::string& w : words) c.argv.push_back(ShellWord{w, w, {}, true});
    return c;
  };
  EXPECT_EQ(command_name_index(command({"exec", "gosu", "app", "x"})), 1u);
  EXPECT_EQ(command_name_index(command({"/usr/bin/env", "-i", "A=1", "sudo", "x"})), 3u);
  EXPECT_EQ(command_name_index(command({"nohup", "su-exec", "app"})), 1u);
  EXPECT_EQ(command_name_index(command({"sudo"})), 0u);
  EXPECT_FALSE(command_name_index(command({"exec"})));
  EXPECT_FALSE(command_name_index(command({})));
  EXPECT_EQ(program_name("/usr/sbin/setcap"), "setcap");
}

// ---- Idempotence of the user and port rules' fixes ----

// fix(fix(x)) == fix(x): every expected output of the OKD1xx/OKD2xx annotated tests is a fixed
// point of the fixer under the same options (select, build-arg, target, unsafe).
TEST(RuleSupportFixes, FixedOutputsAreFixedPoints) {
  namespace fs = std::filesystem;
  int checked = 0;
  for (const auto& entry : fs::directory_iterator(fs::path(OKDLINT_TEST_DATA) / "rules")) {
    std::string name = entry.path().filename().string();
    if (entry.path().extension() != ".fixed" || !(name.starts_with("okd1") || name.starts_with("okd2"))) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string text = buffer.str();
    Config config;
    FixOptions options;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (!line.starts_with("# okdlint-test: ")) continue;
      std::istringstream words(line.substr(16));
      std::string word;
      while (words >> word) {
        size_t eq = word.find('=');
        std::string key = word.substr(0, eq), value = eq == std::string::npos ? "" : word.substr(eq + 1);
        if (key == "select") options.selection.select.insert(value);
        else if (key == "unsafe") options.unsafe = true;
        else if (key == "target") config.target = value;
        else if (key == "build-arg") config.build_args[value.substr(0, value.find('='))] = value.substr(value.find('=') + 1);
        else ADD_FAILURE() << name << ": option " << key << " not handled here";
      }
    }
    FixResult again = fix_containerfile(name, text, config, RegistryAliases{}, options);
    EXPECT_TRUE(again.converged) << name;
    EXPECT_EQ(again.text, text) << name;
    EXPECT_TRUE(again.applied.empty()) << name;
    ++checked;
  }
  EXPECT_GT(checked, 20);
}

}  // namespace
}  // namespace okd
