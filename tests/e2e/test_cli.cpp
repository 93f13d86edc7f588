// End-to-end: the real `pingyi` binary, run as a person would, in a temp folder.
#include "core/crypto.hpp"
#include "core/envelope.hpp"
#include "e2e/cli_helpers.hpp"
#include "platform/files.hpp"
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"
#include "sync/bundle.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sys/wait.h>

using namespace pingyi;
using namespace pingyi::test;
using namespace pingyi::e2e;

TEST_CASE("The CLI runs the capture path: keys, campaign, tokens, seal, tablets, cast, export") {
    TempDir tmp;
    fs::path d = tmp.path;
    std::string D = d.string();
    REQUIRE(pingyiCli("keys new --role organiser --out " + D + "/keys/org").code == 0);
    auto col = pingyiCli("keys new --role collector --out " + D + "/keys/col");
    REQUIRE(col.code == 0);
    CHECK(col.out.find("fingerprint") != std::string::npos);
    REQUIRE(pingyiCli("campaign new --template seed --out " + D + "/c").code == 0);
    auto check = pingyiCli("campaign check --campaign " + D + "/c");
    REQUIRE(check.code == 0);
    CHECK(check.out.find("市经济局") != std::string::npos);
    auto issue = pingyiCli("tokens issue --campaign " + D +
                           "/c --meeting U1/social --category npc --count 5");
    REQUIRE(issue.code == 0);
    REQUIRE(fs::exists(d / "c/tokens/U1-social-npc-001.csv"));
    REQUIRE(fs::exists(d / "c/tokens/U1-social-npc-001.html"));
    REQUIRE(pingyiCli("campaign seal --campaign " + D + "/c --organiser-key " + D +
                      "/keys/org.key --collector-pub " + D + "/keys/col.pub")
                .code == 0);
    CHECK(fs::is_directory(d / "c/additions")); // so "import bundles camp/additions" works at once
    auto init = pingyiCli("tablet init --package " + D + "/c/package.pyp --organiser-key " + D +
                          "/keys/org.key --out " + D + "/tablets --count 2 --test-only-fast-pin");
    REQUIRE(init.code == 0);
    REQUIRE(fs::exists(d / "tablets/tablet-02/tablet.db"));

    std::string token = firstToken(d / "c/tokens/U1-social-npc-001.csv");
    writeText(d / "a.json", answersFor(token, "U1", "A"));
    auto cast = pingyiCli("cast --tablet " + D + "/tablets/tablet-01 --answers " + D + "/a.json");
    REQUIRE_MESSAGE(cast.code == 0, cast.out);
    CHECK(cast.out.find("receipt code") != std::string::npos);

    SUBCASE("the same token again is refused, store unchanged") {
        auto again =
            pingyiCli("cast --tablet " + D + "/tablets/tablet-01 --answers " + D + "/a.json");
        CHECK(again.code == 2);
        CHECK(again.out.find("this token has already been used") != std::string::npos);
    }
    SUBCASE("a mistyped token is caught by its check character") {
        std::string typo = token;
        typo[0] = typo[0] == '2' ? '3' : '2';
        writeText(d / "typo.json", answersFor(typo, "U1", "A"));
        auto r =
            pingyiCli("cast --tablet " + D + "/tablets/tablet-02 --answers " + D + "/typo.json");
        CHECK(r.code == 2);
        CHECK(r.out.find("typo") != std::string::npos);
    }
    SUBCASE("a wrong PIN is refused") {
        auto r = pingyiCli("cast --tablet " + D + "/tablets/tablet-02 --answers " + D + "/a.json",
                           "PINGYI_LANG=en PINGYI_PIN=11111");
        // PINGYI_PIN given twice: the later assignment wins in sh, so set the bad one last.
        (void)r;
        auto bad = pingyiCli("cast --tablet " + D + "/tablets/tablet-02 --answers " + D +
                             "/a.json --pin-file " + D + "/nopin");
        CHECK(bad.code == 2);
        writeText(d / "badpin", "000000\n");
        auto wrong = pingyiCli("cast --tablet " + D + "/tablets/tablet-02 --answers " + D +
                               "/a.json --pin-file " + D + "/badpin");
        CHECK(wrong.code == 2);
        CHECK(wrong.out.find("wrong PIN") != std::string::npos);
    }
    SUBCASE("an answers file missing a subject is refused") {
        std::string t2;
        {
            std::ifstream in(d / "c/tokens/U1-social-npc-001.csv");
            std::string line;
            for (int i = 0; i < 3; ++i)
                std::getline(in, line);
            t2 = line.substr(line.rfind(',') + 1);
            while (!t2.empty() && (t2.back() == '\r'))
                t2.pop_back();
        }
        auto j = nlohmann::json::parse(answersFor(t2, "U1", "B"));
        j["ratings"].erase("S03");
        writeText(d / "missing.json", j.dump());
        auto r =
            pingyiCli("cast --tablet " + D + "/tablets/tablet-02 --answers " + D + "/missing.json");
        CHECK(r.code == 2);
        CHECK(r.out.find("the ballot has no ratings for subject S03") != std::string::npos);
        auto status = pingyiCli("tablet status --tablet " + D + "/tablets/tablet-02");
        CHECK(status.out.find("cast 0") != std::string::npos);
    }

    // One ballot of U1/social waits for four more of its meeting, and the export says why; once
    // the meeting is closed on the tablet it goes.
    auto held =
        pingyiCli("bundle export --tablet " + D + "/tablets/tablet-01 --out " + D + "/b/t0.pyb");
    REQUIRE_MESSAGE(held.code == 0, held.out);
    CHECK(held.out.find("exported 0 envelopes") != std::string::npos);
    CHECK(held.out.find("1 ballots wait for a full batch") != std::string::npos);
    auto closed =
        pingyiCli("tablet close-meeting --tablet " + D + "/tablets/tablet-01 --meeting U1/social");
    REQUIRE_MESSAGE(closed.code == 0, closed.out);
    CHECK(closed.out.find("closed U1/social on this tablet") != std::string::npos);
    auto exp =
        pingyiCli("bundle export --tablet " + D + "/tablets/tablet-01 --out " + D + "/b/t1.pyb");
    REQUIRE_MESSAGE(exp.code == 0, exp.out);
    CHECK(exp.out.find("wait for a full batch") == std::string::npos);
    auto pkg = decodePackage(*readFile(d / "c/package.pyp"));
    REQUIRE(pkg.ok());
    auto bundle = decodeBundle(*readFile(d / "b/t1.pyb"), *pkg);
    REQUIRE(bundle.ok());
    CHECK(bundle->envelopes.size() == 1);
    auto status = pingyiCli("tablet status --tablet " + D + "/tablets/tablet-01");
    CHECK(status.out.find("cast 1, exported 1") != std::string::npos);
}

TEST_CASE("campaign check lists every problem at once, each with its path") {
    TempDir tmp;
    std::string D = tmp.path.string();
    REQUIRE(pingyiCli("campaign new --out " + D).code == 0);
    auto text = readTextFile(tmp.path / "campaign.json");
    auto j = nlohmann::json::parse(*text);
    j["subjects"][3]["unit"] = "U9";
    j["subjects"][5]["questionnaire"] = "nosuch";
    j["groups"][1]["quotas"][0]["percent"] = 40;
    writeText(tmp.path / "campaign.json", j.dump(2));
    auto r = pingyiCli("campaign check --campaign " + D);
    CHECK(r.code == 2);
    CHECK(r.out.find("subjects[3].unit: unknown unit \"U9\"") != std::string::npos);
    CHECK(r.out.find("subjects[5].questionnaire: unknown questionnaire \"nosuch\"") !=
          std::string::npos);
    CHECK(r.out.find("groups[1].quotas: the shares add up to 110%, not 100%") != std::string::npos);
    auto zh = pingyiCli("campaign check --campaign " + D, "PINGYI_LANG=zh");
    CHECK(zh.out.find("subjects[3].unit：未知单位“U9”") != std::string::npos);
}

TEST_CASE("The demo runs the whole capture flow") {
    TempDir tmp;
    auto r = pingyiCli("demo --out " + tmp.path.string() + "/demo");
    REQUIRE_MESSAGE(r.code == 0, r.out);
    for (int i = 1; i <= 3; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "tablet-%02d.pyb", i);
        CHECK(fs::exists(tmp.path / "demo/bundles" / name));
    }
    auto pkg = decodePackage(*readFile(tmp.path / "demo/campaign/package.pyp"));
    REQUIRE(pkg.ok());
    std::size_t total = 0;
    for (int i = 1; i <= 3; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "tablet-%02d.pyb", i);
        auto b = decodeBundle(*readFile(tmp.path / "demo/bundles" / name), *pkg);
        REQUIRE(b.ok());
        total += b->envelopes.size();
    }
    CHECK(total >= 40);
    // The collector part: reports written, U1 signed, the reused token shown and resolved.
    for (auto f : {"results.json", "results.csv", "results.xlsx", "results.html", "receipts.txt",
                   "comments.csv"})
        CHECK_MESSAGE(fs::exists(tmp.path / "demo/reports" / f), f);
    auto results = nlohmann::json::parse(*readTextFile(tmp.path / "demo/reports/results.json"));
    CHECK(results["accounting"]["conflicts"] == 1);
    CHECK(results["accounting"]["conflicts_resolved"] == 1);
    CHECK(results["accounting"]["counted"].get<int>() + 1 ==
          results["accounting"]["received"].get<int>());
    CHECK(results["signatures"].size() == 2);
    CHECK(r.out.find("conflict #1") != std::string::npos);
    CHECK(r.out.find("receipt") != std::string::npos);
    auto verify = pingyiCli("verify --results " + tmp.path.string() +
                            "/demo/reports/results.json --package " + tmp.path.string() +
                            "/demo/campaign/package.pyp");
    CHECK(verify.code == 0);
    // Nothing keeps a token: the lists went once every slip was handed out, and no other file
    // (tablets, bundles, the collector, reports, what the demo printed) holds one.
    CHECK(r.out.find("overwritten and removed") != std::string::npos);
    writeText(tmp.path / "demo/printed.txt", r.out);
    std::vector<fs::path> adds;
    for (auto& e : fs::directory_iterator(tmp.path / "demo/campaign/additions"))
        adds.push_back(e.path());
    for (auto& t : tokensFoundUnder(tmp.path / "demo", *pkg, adds))
        FAIL_CHECK("a plaintext token lingers in " << t);
    // Any change to the published file is caught.
    std::string text = *readTextFile(tmp.path / "demo/reports/results.json");
    auto pos = text.find("\"final\": ");
    REQUIRE(pos != std::string::npos);
    text[pos + 10] = text[pos + 10] == '1' ? '2' : '1';
    writeText(tmp.path / "demo/reports/tampered.json", text);
    auto tampered =
        pingyiCli("verify --results " + tmp.path.string() + "/demo/reports/tampered.json");
    CHECK(tampered.code == 3);
    CHECK(tampered.out.find("INVALID") != std::string::npos);
}

#include <iconv.h>

namespace {
std::string toGbk(const std::string& utf8) {
    iconv_t cd = iconv_open("GBK", "UTF-8");
    REQUIRE(cd != reinterpret_cast<iconv_t>(-1));
    std::string in = utf8, out(utf8.size() * 2, '\0');
    char* ip = in.data();
    char* op = out.data();
    std::size_t il = in.size(), ol = out.size();
    REQUIRE(iconv(cd, &ip, &il, &op, &ol) != static_cast<std::size_t>(-1));
    iconv_close(cd);
    out.resize(out.size() - ol);
    return out;
}
} // namespace

TEST_CASE("A GBK roster from Excel is imported through the CLI with its Chinese intact") {
    TempDir tmp;
    std::string D = tmp.path.string();
    REQUIRE(pingyiCli("campaign new --out " + D).code == 0);
    writeText(tmp.path / "units.csv", toGbk("编号,名称\r\nU1,市经济局\r\nU2,市工业和信息化局\r\n"));
    writeText(tmp.path / "subjects.csv", toGbk("编号,单位,姓名,职务,问卷,述职摘要\r\nA01,U1,王五,"
                                               "办公室主任,群众评科长,负责文电、会务\r\n"
                                               "A02,U1,赵六,投资科科长,群众评科长,\r\nA03,"
                                               "市工业和信息化局,钱七,运行科科长,群众评科长,\r\n"));
    auto r = pingyiCli("campaign import-roster --campaign " + D + " --units " + D +
                       "/units.csv --subjects " + D + "/subjects.csv");
    REQUIRE_MESSAGE(r.code == 0, r.out);
    auto check = pingyiCli("campaign check --campaign " + D);
    CHECK(check.code == 0);
    CHECK(check.out.find("市工业和信息化局") != std::string::npos);
    auto text = readTextFile(tmp.path / "campaign.json");
    CHECK(text->find("负责文电、会务") != std::string::npos);
    CHECK(text->find("钱七") != std::string::npos);
}

TEST_CASE("A roster with problems is refused whole and the campaign file stays as it was") {
    TempDir tmp;
    std::string D = tmp.path.string();
    REQUIRE(pingyiCli("campaign new --out " + D).code == 0);
    auto before = readFile(tmp.path / "campaign.json");
    writeText(tmp.path / "subjects.csv",
              "id,unit,name,questionnaire\nA01,U9,王五,chief\nA01,U1,,chief\n");
    auto r =
        pingyiCli("campaign import-roster --campaign " + D + " --subjects " + D + "/subjects.csv");
    CHECK(r.code == 2);
    CHECK(r.out.find("unknown unit \"U9\"") != std::string::npos);
    CHECK(r.out.find("was not changed") != std::string::npos);
    CHECK(*readFile(tmp.path / "campaign.json") == *before);
}

TEST_CASE("Every usage error exits 2; folders import; paper scores are refused beside ballots") {
    TempDir tmp;
    std::string D = tmp.path.string();
    auto demo = pingyiCli("demo --out " + D + "/demo");
    REQUIRE_MESSAGE(demo.code == 0, demo.out);
    std::string store = D + "/demo/collector";

    auto no_reason = pingyiCli("collector resolve --store " + store + " --conflict 1 --neither");
    CHECK(no_reason.code == 2);
    CHECK(no_reason.out.find("--reason") != std::string::npos);
    CHECK(pingyiCli("collector status --store " + store + " --no-such-option").code == 2);
    CHECK(pingyiCli("collector").code == 2);               // a subcommand is required
    CHECK(pingyiCli("collector count --store").code == 2); // an option without its value
    CHECK(pingyiCli("collector --help").code == 0);

    // import-self: either a CSV or --remove; --unit only with --remove.
    auto neither = pingyiCli("collector import-self --store " + store);
    CHECK(neither.code == 2);
    CHECK(neither.out.find("give either --csv FILE or --remove") != std::string::npos);
    CHECK(pingyiCli("collector import-self --store " + store + " --csv x.csv --remove").code == 2);
    CHECK(pingyiCli("collector import-self --store " + store + " --unit U1").code == 2);

    // U1's self-appraisal voted on the demo's tablets: paper scores for it are refused.
    writeText(tmp.path / "paper.csv", "编号,自评得分\nS01,45\n");
    auto refused =
        pingyiCli("collector import-self --store " + store + " --csv " + D + "/paper.csv");
    CHECK(refused.code == 2);
    CHECK(refused.out.find("unit U1, group self already holds") != std::string::npos);
    auto count = pingyiCli("collector count --store " + store + " --key " + D +
                           "/demo/keys/collector.key --out " + D + "/reports");
    CHECK_MESSAGE(count.code == 0, count.out); // the count still runs

    // Folders: bundles and additions inside are imported, additions first; an empty folder is
    // said, not an error.
    fs::create_directories(tmp.path / "empty");
    auto folders = pingyiCli("collector import --store " + store + " " + D + "/demo/bundles " + D +
                             "/demo/campaign/additions " + D + "/empty");
    CHECK_MESSAGE(folders.code == 0, folders.out);
    CHECK(folders.out.find("the folder holds no bundle") != std::string::npos);
    CHECK(folders.out.find("additions") < folders.out.find("tablet-01.pyb"));
    CHECK(folders.out.find(": 0 new") != std::string::npos); // everything was held already

    // U2's ballots are far below its minimum: every report says so on the ranking, and the unit
    // head signs only after confirming it, which the signature records.
    std::string results = D + "/reports/results.json";
    auto html = *readTextFile(tmp.path / "reports/results.html");
    CHECK(html.find("ranking does not meet the appraisal") != std::string::npos);
    auto zh_html =
        pingyiCli("collector results --store " + store + " --format html --out " + D + "/zh.html",
                  "PINGYI_LANG=zh");
    REQUIRE(zh_html.code == 0);
    html = *readTextFile(tmp.path / "zh.html");
    CHECK(html.find("本单位排名不符合测评规则") != std::string::npos);
    CHECK(html.find("测评票构成不符合要求：社会测评") != std::string::npos);
    auto csv = *readTextFile(tmp.path / "reports/results.csv");
    CHECK(csv.find("fewer than 30") != std::string::npos);
    CHECK(count.out.find("!! the ballots do not meet the rules: Social assessment has") !=
          std::string::npos);

    REQUIRE(pingyiCli("keys new --role unit-head --out " + D + "/head2").code == 0);
    auto unconfirmed =
        pingyiCli("results sign --results " + results + " --unit U2 --key " + D + "/head2.key");
    CHECK(unconfirmed.code == 2);
    CHECK(unconfirmed.out.find("does not meet the rules") != std::string::npos);
    CHECK(unconfirmed.out.find("fewer than 30") != std::string::npos);
    auto confirmed = pingyiCli("results sign --results " + results + " --unit U2 --key " + D +
                               "/head2.key --confirm-noncompliant");
    CHECK_MESSAGE(confirmed.code == 0, confirmed.out);
    auto verify = pingyiCli("verify --results " + results);
    CHECK_MESSAGE(verify.code == 0, verify.out);
    CHECK(verify.out.find("the head of unit U2 signed confirming") != std::string::npos);
    CHECK(verify.out.find("note: unit U2:") != std::string::npos);
    CHECK(verify.out.find("note: unit U1:") == std::string::npos); // U1 meets its rules
    // A unit that meets its rules needs no confirmation (and records none).
    auto u1 =
        pingyiCli("results sign --results " + results + " --unit U1 --key " + D + "/head2.key");
    CHECK_MESSAGE(u1.code == 0, u1.out);

    // A decision after the count: the stored results no longer describe the store. Exporting
    // them is refused unless asked for, and status says so.
    REQUIRE(
        pingyiCli("collector results --store " + store + " --format csv --out " + D + "/fresh.csv")
            .code == 0);
    REQUIRE(pingyiCli("collector resolve --store " + store +
                      " --conflict 1 --neither --reason 复核后两张都不计")
                .code == 0);
    auto stale =
        pingyiCli("collector results --store " + store + " --format csv --out " + D + "/stale.csv");
    CHECK(stale.code == 2);
    CHECK(stale.out.find("the results are out of date: a token conflict was decided after the "
                         "count") != std::string::npos);
    CHECK_FALSE(fs::exists(tmp.path / "stale.csv"));
    auto asked = pingyiCli("collector results --store " + store + " --format csv --out " + D +
                           "/stale.csv --stale");
    CHECK(asked.code == 0);
    CHECK(asked.out.find("old results exported as asked") != std::string::npos);
    CHECK(fs::exists(tmp.path / "stale.csv"));
    auto status = pingyiCli("collector status --store " + store);
    CHECK(status.out.find("note: the results are out of date") != std::string::npos);
    REQUIRE(pingyiCli("collector count --store " + store + " --key " + D +
                      "/demo/keys/collector.key --out " + D + "/reports2")
                .code == 0);
    CHECK(pingyiCli("collector status --store " + store).out.find("out of date") ==
          std::string::npos);
}
