// Comments are clean text, through the real CLI: `pingyi cast` refuses a bidi override and names
// it; a ballot that an older tablet sealed with one is counted, and comments.csv shows it escaped.
#include "core/envelope.hpp"
#include "e2e/cli_helpers.hpp"
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

using namespace pingyi;
using namespace pingyi::test;
using namespace pingyi::e2e;

namespace {
// Seals a ballot whose comment on S01 is `comment`, bypassing today's check as a tablet of an
// older version would, and stores it as TabletStore::cast does.
void castOldBallot(const fs::path& tablet, const std::string& token_text,
                   const std::string& comment) {
    auto store = TabletStore::open(tablet);
    REQUIRE(store.ok());
    auto sk = store->unlockDeviceKey(kPin);
    REQUIRE(sk.ok());
    auto token = parseToken(token_text);
    REQUIRE(token.ok());
    auto place = store->checkToken(*token);
    REQUIRE(place.ok());
    const Campaign& c = store->campaign();
    TokenProof proof = tokenProof(c.id, *token);
    Hash32 tag = tokenTagOfProof(c.id, proof);
    Answers a = uniformAnswers(c, place->meeting.unit, "A");
    a.comments["S01"] = "placeholder";
    auto ballot = buildBallot(c, store->package().digest, place->meeting, proof, a);
    REQUIRE(ballot.ok());
    REQUIRE(ballot->answers[0].comment == "placeholder");
    ballot->answers[0].comment = comment;
    SealedEnvelope env = sealEnvelope(*ballot, ballotPaddedSize(c),
                                      store->package().body.collector_box, store->device(), *sk);
    Db& db = store->db();
    Transaction tx(db);
    REQUIRE(tx.begin().ok());
    for (const char* sql : {"INSERT INTO used_tokens(tag) VALUES(?1)",
                            "INSERT INTO envelopes(hash, bytes) VALUES(?2, ?3)",
                            "INSERT INTO envelope_state(hash) VALUES(?2)"}) {
        auto st = db.prepare(sql);
        REQUIRE(st.ok());
        std::string text(sql);
        if (text.find("?1") != std::string::npos) st->bind(1, tag);
        if (text.find("?2") != std::string::npos) st->bind(2, env.hash);
        if (text.find("?3") != std::string::npos) st->bind(3, env.bytes);
        REQUIRE(st->run().ok());
    }
    REQUIRE(tx.commit().ok());
}
} // namespace

TEST_CASE("pingyi cast refuses a comment with a right-to-left override, naming it and its place, "
          "and stores nothing") {
    TempDir tmp;
    const std::string D = tmp.path.string();
    auto tokens = preparedCampaign(D, 1);
    auto j = nlohmann::json::parse(answersFor(tokens[0], "U1", "A"));
    j["comments"]["S01"] = "很好\u202e好很务服";
    writeText(tmp.path / "a.json", j.dump());
    auto r = pingyiCli("cast --tablet " + D + "/tablet --answers " + D + "/a.json");
    CHECK(r.code == 2);
    CHECK(r.out.find("S01") != std::string::npos);
    CHECK(r.out.find("U+202E at character 3") != std::string::npos);
    auto zh =
        pingyiCli("cast --tablet " + D + "/tablet --answers " + D + "/a.json", "PINGYI_LANG=zh");
    CHECK(zh.out.find("第 3 个字符") != std::string::npos);
    CHECK(pingyiCli("tablet status --tablet " + D + "/tablet").out.find("cast 0") !=
          std::string::npos);
}

TEST_CASE("A ballot sealed with control and bidi characters by an older tablet is counted, and "
          "comments.csv shows them escaped") {
    TempDir tmp;
    const std::string D = tmp.path.string();
    auto tokens = preparedCampaign(D, 2);
    const std::string raw = "a\u0085b\u009bc \u202e好很务服";
    castOldBallot(tmp.path / "tablet", tokens[0], raw);
    writeText(tmp.path / "b.json", answersFor(tokens[1], "U1", "B"));
    REQUIRE(pingyiCli("cast --tablet " + D + "/tablet --answers " + D + "/b.json").code == 0);

    REQUIRE(pingyiCli("tablet close-meeting --tablet " + D + "/tablet --meeting U1/social").code ==
            0);
    REQUIRE(pingyiCli("bundle export --tablet " + D + "/tablet --out " + D + "/t.pyb").code == 0);
    REQUIRE(pingyiCli("collector init --store " + D + "/col --package " + D +
                      "/c/package.pyp --collector-pub " + D + "/keys/col.pub")
                .code == 0);
    auto imp = pingyiCli("collector import --store " + D + "/col " + D + "/t.pyb");
    REQUIRE_MESSAGE(imp.code == 0, imp.out);
    auto count = pingyiCli("collector count --store " + D + "/col --key " + D +
                           "/keys/col.key --out " + D + "/reports");
    REQUIRE_MESSAGE(count.code == 0, count.out);

    auto results = nlohmann::json::parse(*readTextFile(tmp.path / "reports/results.json"));
    CHECK(results["accounting"]["counted"] == 2);
    CHECK(results["accounting"]["invalid"] == 0);
    auto csv = readTextFile(tmp.path / "reports/comments.csv");
    REQUIRE(csv.ok());
    CHECK(csv->find("a\\u0085b\\u009Bc \\u202E好很务服") != std::string::npos);
    CHECK(csv->find("\u202e") == std::string::npos);
    CHECK(csv->find("\u0085") == std::string::npos);
    CHECK(csv->find("很好") != std::string::npos); // the clean comment as it was
    // Every report file is free of the raw characters.
    CHECK(!anyFileContains(tmp.path / "reports", "\u202e"));
}
