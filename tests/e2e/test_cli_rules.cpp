// The plan's rules through the real `pingyi` binary: campaign check says them (or what is wrong
// with them), and `pingyi cast` refuses a ballot over the grade quota, naming item and subjects.
#include "platform/files.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sys/wait.h>

using namespace pingyi;
using namespace pingyi::test;

namespace {
struct Run {
    int code = -1;
    std::string out;
};

Run cli(const std::string& args, const std::string& lang = "en") {
    std::string cmd = "PINGYI_LANG=" + lang +
                      " PINGYI_PASSPHRASE=e2e-passphrase PINGYI_PIN=975318 " PINGYI_CLI " " + args +
                      " 2>&1";
    Run r;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

void writeText(const fs::path& p, const std::string& s) {
    std::ofstream o(p, std::ios::binary);
    o << s;
}

nlohmann::json readJson(const fs::path& p) {
    auto text = readTextFile(p);
    REQUIRE(text.ok());
    return nlohmann::json::parse(*text);
}
} // namespace

TEST_CASE("campaign check names each wrong rule by path, and says the right ones in words") {
    TempDir tmp;
    std::string D = tmp.path.string();
    REQUIRE(cli("campaign new --out " + D).code == 0);
    auto j = readJson(tmp.path / "campaign.json");
    j["groups"][1]["scoring"] = nlohmann::json::parse(
        R"({"category_weights": [{"categories": ["npc", "cppcc"], "percent": 30},
                                 {"categories": ["service", "npc"], "percent": 60}],
            "trim": {"count": 1, "percent": 10}})");
    j["grade_quota"] = {{"level", "S"}, {"percent", 30}};
    j["subject_order"] = "pinyin";
    writeText(tmp.path / "campaign.json", j.dump(2));
    auto r = cli("campaign check --campaign " + D);
    CHECK(r.code == 2);
    const std::string w = "groups[1].scoring.category_weights";
    CHECK(r.out.find(w + "[1].categories[1]: category \"npc\" is already in another entry") !=
          std::string::npos);
    CHECK(r.out.find(w + ": the shares add up to 90%, not 100%") != std::string::npos);
    CHECK(r.out.find(w + ": category \"leader\" is in no entry") != std::string::npos);
    CHECK(r.out.find("groups[1].scoring.trim: give count (ballots dropped) or percent") !=
          std::string::npos);
    CHECK(r.out.find("grade_quota.level: unknown level \"S\"") != std::string::npos);
    CHECK(r.out.find("subject_order: \"pinyin\" is not valid (must be one of listed, stroke)") !=
          std::string::npos);

    j["groups"][1]["scoring"] = nlohmann::json::parse(
        R"({"category_weights": [{"categories": ["npc", "cppcc", "leader"], "percent": 30},
                                 {"categories": ["service"], "percent": 70}],
            "trim": {"count": 1, "min_remaining": 10}, "min_subject_ballots": 10})");
    j["grade_quota"] = {{"level", "A"}, {"percent", 30}};
    j["subject_order"] = "stroke";
    writeText(tmp.path / "campaign.json", j.dump(2));
    auto ok = cli("campaign check --campaign " + D, "zh");
    INFO(ok.out);
    CHECK(ok.code == 0);
    CHECK(ok.out.find("评议对象（按姓氏笔画）：王建国、刘芳、张志强、李秀英、杨磊、陈明") !=
          std::string::npos);
    CHECK(ok.out.find(
              "计分规则：社会测评：按代表类别计权（人大代表、政协委员、分管领导 30%，服务对象 "
              "70%）") != std::string::npos);
    CHECK(ok.out.find("计分规则：社会测评：去掉 1 个最高分和 1 个最低分后取平均（剩余不少于 10 "
                      "票时）") != std::string::npos);
    CHECK(ok.out.find("评为“优秀”的评议对象不超过 30%") != std::string::npos);
}

TEST_CASE("pingyi cast refuses a ballot over the grade quota with the kiosk's message") {
    TempDir tmp;
    fs::path d = tmp.path;
    std::string D = d.string();
    REQUIRE(cli("keys new --role organiser --out " + D + "/keys/org").code == 0);
    REQUIRE(cli("keys new --role collector --out " + D + "/keys/col").code == 0);
    REQUIRE(cli("campaign new --template seed --out " + D + "/c").code == 0);
    auto j = readJson(d / "c/campaign.json");
    j["grade_quota"] = {{"level", "A"}, {"percent", 30}}; // six chiefs in U1: one 优秀 per item
    writeText(d / "c/campaign.json", j.dump(2));
    REQUIRE(cli("tokens issue --campaign " + D + "/c --meeting U1/social --category npc --count 2")
                .code == 0);
    REQUIRE(cli("campaign seal --campaign " + D + "/c --organiser-key " + D +
                "/keys/org.key --collector-pub " + D + "/keys/col.pub")
                .code == 0);
    REQUIRE(cli("tablet init --package " + D + "/c/package.pyp --organiser-key " + D +
                "/keys/org.key --out " + D + "/tablets --count 1 --test-only-fast-pin")
                .code == 0);
    std::string token;
    {
        std::ifstream in(d / "c/tokens/U1-social-npc-001.csv");
        std::string line;
        std::getline(in, line);
        std::getline(in, line);
        token = line.substr(line.rfind(',') + 1);
        while (!token.empty() && (token.back() == '\r' || token.back() == '\n'))
            token.pop_back();
    }
    Campaign c = seedCampaign();
    nlohmann::json ratings = nlohmann::json::object();
    for (auto si : c.subjectsOf("U1"))
        for (auto& item : c.questionnaire("chief")->items)
            ratings[c.subjects[si].id][item.id] = "B";
    ratings["S01"]["attitude"] = "A";
    ratings["S03"]["attitude"] = "A";
    writeText(d / "a.json", nlohmann::json{{"token", token}, {"ratings", ratings}}.dump());
    std::string cast = "cast --tablet " + D + "/tablets/tablet-01 --answers " + D + "/a.json";
    auto r = cli(cast, "zh");
    CHECK(r.code == 2);
    CHECK(
        r.out.find("测评项目“服务态度”（attitude）：一张选票最多可给 1 位评议对象评“优秀”，现评了 "
                   "2 位（S01 王建国、S03 张志强）") != std::string::npos);
    auto status = cli("tablet status --tablet " + D + "/tablets/tablet-01");
    CHECK(status.out.find("cast 0") != std::string::npos);

    ratings["S03"]["attitude"] = "B"; // the same token, now within the quota
    writeText(d / "a.json", nlohmann::json{{"token", token}, {"ratings", ratings}}.dump());
    auto ok = cli(cast);
    INFO(ok.out);
    CHECK(ok.code == 0);
    CHECK(ok.out.find("receipt code") != std::string::npos);
}
