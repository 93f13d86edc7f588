// The library functions the console added for itself and shares with the CLI: the composition
// check of one meeting (the same as the count's), the tags held by a collector store, and the
// results helpers (reports, the unit head's signature, verification).
#include "app/console/jobs.hpp"
#include "app/console/results_view.hpp"
#include "core/tally.hpp"
#include "platform/publish.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

using namespace pingyi;
using namespace pingyi::test;

TEST_CASE("composeMeeting gives the count's composition check for the same ballots") {
    Campaign c = seedCampaign();
    Tally t(c);
    // 40 social ballots in U1: 4 npc, 4 cppcc, 4 leader, 28 service (30% + 70%).
    Hash32 digest{};
    std::map<std::string, std::uint64_t> per;
    auto add = [&](const std::string& cat, int n) {
        for (int i = 0; i < n; ++i) {
            Answers a = uniformAnswers(c, "U1", std::string("A"));
            auto b = buildBallot(c, digest, MeetingRef{"U1", "social"}, Hash32{}, a);
            REQUIRE(b.ok());
            t.add(*b, cat);
        }
        per[cat] += static_cast<std::uint64_t>(n);
    };
    add("npc", 4);
    add("cppcc", 4);
    add("leader", 4);
    add("service", 28);
    auto units = computeResults(c, t, {});
    REQUIRE(units.ok());
    const MeetingComposition* from_count = nullptr;
    for (auto& u : *units)
        for (auto& m : u.composition)
            if (m.meeting.id() == "U1/social") from_count = &m;
    REQUIRE(from_count);
    MeetingComposition mine = composeMeeting(c, MeetingRef{"U1", "social"}, per);
    CHECK(mine.total == from_count->total);
    CHECK(mine.total == 40);
    CHECK(mine.categories == from_count->categories);
    CHECK(mine.pass == from_count->pass);
    CHECK(mine.min_pass == from_count->min_pass);
    REQUIRE(mine.quotas.size() == from_count->quotas.size());
    for (std::size_t i = 0; i < mine.quotas.size(); ++i) {
        CHECK(mine.quotas[i].actual_hundredths == from_count->quotas[i].actual_hundredths);
        CHECK(mine.quotas[i].pass == from_count->quotas[i].pass);
    }
    // Too few service recipients fails the quota; an empty meeting fails the minimum.
    per["service"] = 2;
    CHECK(!composeMeeting(c, MeetingRef{"U1", "social"}, per).pass);
    auto empty = composeMeeting(c, MeetingRef{"U2", "social"}, {});
    CHECK(empty.total == 0);
    CHECK(!empty.min_pass);
}

TEST_CASE("A unit head signs one unit, and verification names what fails") {
    ResultsDocument doc;
    doc.units.push_back({});
    doc.units[0].id = "U1";
    doc.units[0].name = "一局";
    doc.receipts = {"ABCD-EFGH-J"};
    SecretKeys head = newKeys(KeyRole::UnitHead, "局长");
    SecretKeys other = newKeys(KeyRole::Organiser, "组织方");
    CHECK(signUnit(doc, "U9", head).error().id == "results.unknown_unit");
    CHECK(signUnit(doc, "U1", other).error().id == "key.wrong_role");
    CHECK(doc.signatures.empty());
    REQUIRE(signUnit(doc, "U1", head).ok());
    auto v = verifyResultsDocument(doc, nullptr, &head.pub, "abcd-efgh-j");
    REQUIRE(v.ok());
    CHECK(v->ok);
    CHECK(v->receipt == "ABCD-EFGH-J");
    CHECK(v->receipt_counted);
    CHECK(!verifyResultsDocument(doc, nullptr, &other.pub, "")->ok); // someone else's key
    CHECK(!verifyResultsDocument(doc, nullptr, nullptr, "ZZZZ-ZZZZ-Z")->ok);
    doc.units[0].name = "二局"; // changed after signing
    CHECK(!verifyResultsDocument(doc, nullptr, nullptr, "")->ok);
    CHECK(signUnit(doc, "U1", head).error().id == "results.bad_signature");
    CHECK(receiptList(doc) == "ABCD-EFGH-J\n");
}

TEST_CASE("Only the report files asked for are written, and a results file is read back") {
    TempDir tmp;
    ResultsDocument doc;
    doc.receipts = {"AAAA-BBBB-C"};
    std::vector<CommentOut> comments{{"S1", "好"}};
    ReportSet only;
    only.xlsx = only.html = only.csv = false;
    REQUIRE(writeReports(doc, &comments, tmp.path / "r", Lang::Zh, only).ok());
    CHECK(fs::exists(tmp.path / "r" / "results.json"));
    CHECK(fs::exists(tmp.path / "r" / "receipts.txt"));
    CHECK(fs::exists(tmp.path / "r" / "comments.csv"));
    CHECK(!fs::exists(tmp.path / "r" / "results.csv"));
    auto back = readResultsFile(tmp.path / "r" / "results.json");
    REQUIRE(back.ok());
    CHECK(back->receipts.at(0) == "AAAA-BBBB-C");
    REQUIRE(writeFileAtomic(tmp.path / "bad.json", std::string("{\"format\":\"x\"}")).ok());
    CHECK(readResultsFile(tmp.path / "bad.json").error().id == "results.field_missing");
    CHECK(readResultsFile(tmp.path / "bad.json").error().args.at(0) ==
          (tmp.path / "bad.json").string());
    // The folder scan finds bundles and additions only, sorted.
    REQUIRE(writeFileAtomic(tmp.path / "b.pyb", std::string("x")).ok());
    REQUIRE(writeFileAtomic(tmp.path / "a.pya", std::string("x")).ok());
    REQUIRE(writeFileAtomic(tmp.path / "c.txt", std::string("x")).ok());
    auto files = console::importableFiles(tmp.path);
    REQUIRE(files.size() == 2);
    CHECK(files[0].filename() == "a.pya");
    CHECK(files[1].filename() == "b.pyb");
}

TEST_CASE("The results view keeps each subject's comments in the count's order, for paging") {
    ResultsDocument doc;
    std::vector<CommentOut> comments;
    for (int i = 0; i < 120; ++i)
        comments.push_back({i % 3 == 0 ? "S2" : "S1", "意见 " + std::to_string(i)});
    auto v = console::buildResultsView(doc, comments);
    REQUIRE(v.comments_by_subject.size() == 2);
    CHECK(v.comments_by_subject["S2"].size() == 40);
    CHECK(v.comments_by_subject["S1"].size() == 80);
    CHECK(v.comments[v.comments_by_subject["S1"][0]].text == "意见 1");
    CHECK(v.comments[v.comments_by_subject["S1"][1]].text == "意见 2");
    CHECK(v.comments[v.comments_by_subject["S2"][1]].text == "意见 3");
}
