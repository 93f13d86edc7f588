// The plan's rules through the real parts: a tablet store refuses a ballot over the grade quota
// (the path of `pingyi cast` and the kiosk), and the collector's count sets aside a sealed one
// as invalid with its own reason, and scores the rest with the group's category weights.
#include "core/envelope.hpp"
#include "core/token.hpp"
#include "platform/collector_store.hpp"
#include "platform/count.hpp"
#include "platform/keyfile.hpp"
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"
#include "sync/bundle.hpp"
#include "sync/collector_import.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>

using namespace pingyi;
using namespace pingyi::test;

namespace {

// The seed campaign with a 50 % 优秀 quota (U1's six chiefs: three per item) and the social
// group weighted 30 % (npc, cppcc, leader) / 70 % (service), at least three ballots a subject.
Campaign ruledSeed() {
    Campaign c = seedCampaign();
    c.grade_quota = {"A", 50};
    c.groups[1].scoring.category_weights = {{{"npc", "cppcc", "leader"}, 30}, {{"service"}, 70}};
    c.groups[1].scoring.min_subject_ballots = 3;
    auto checked = parseCampaign(campaignToJson(c)); // what campaign check accepts
    REQUIRE(checked.problems.empty());
    return *checked.campaign;
}

// S01..S03 get `first`, S04..S06 `second`, on every item.
Answers split(const Campaign& c, const std::string& first, const std::string& second) {
    Answers a;
    std::size_t k = 0;
    for (auto si : c.subjectsOf("U1")) {
        for (auto& item : c.questionnaire(c.subjects[si].questionnaire)->items)
            a.ratings[c.subjects[si].id][item.id] = k < 3 ? first : second;
        ++k;
    }
    return a;
}

const SubjectResult& subjectOf(const std::vector<UnitResult>& units, const Campaign& c,
                               const std::string& id) {
    for (auto& u : units)
        for (auto& s : u.subjects)
            if (c.subjects[s.subject].id == id) return s;
    FAIL("no subject " << id);
    return units.front().subjects.front();
}

} // namespace

TEST_CASE("A ballot over the grade quota is refused at casting and invalid at the count") {
    Fixture fx(3, ruledSeed());
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    Bytes cert = encodeCertificate(fx.package.digest, device.pk, "平板 01", fx.keys.organiser.sk);
    auto created = TabletStore::create(tmp.path / "t1", fx.package, cert, device, "246813",
                                       KdfCost::testOnly());
    REQUIRE(created.ok());
    REQUIRE(created->closeMeetings(allMeetings(fx.campaign)).ok());
    TabletStore& tablet = *created;

    // Casting: six 优秀 per item is over three; the store is unchanged and the token unused.
    Token over_token = fx.token("U1/social", "service", 2);
    auto refused = tablet.cast(over_token, uniformAnswers(fx.campaign, "U1", "A"), device.sk);
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().id == "ballot.grade_quota");
    CHECK(tablet.counts()->cast == 0);
    CHECK(tablet.checkToken(over_token).ok());

    // Three ballots that keep the quota:
    //   npc:     S01-S03 优秀 (1000), S04-S06 良好 (800)
    //   service: all 一般 (600)
    //   service: S01-S03 良好 (800), S04-S06 优秀 (1000)
    REQUIRE(tablet.cast(fx.token("U1/social", "npc", 0), split(fx.campaign, "A", "B"), device.sk));
    REQUIRE(tablet.cast(fx.token("U1/social", "service", 0), uniformAnswers(fx.campaign, "U1", "C"),
                        device.sk));
    REQUIRE(
        tablet.cast(fx.token("U1/social", "service", 1), split(fx.campaign, "B", "A"), device.sk));
    auto envs = tablet.envelopes(false);
    REQUIRE(envs.ok());
    std::vector<StoredEnvelope> sent = *envs;

    // A tampered tablet seals the refused ballot anyway.
    auto b =
        buildBallot(fx.campaign, fx.package.digest, MeetingRef{"U1", "social"},
                    tokenProof(fx.campaign.id, over_token), uniformAnswers(fx.campaign, "U1", "B"));
    REQUIRE(b.ok());
    for (auto& a : b->answers)
        std::fill(a.levels.begin(), a.levels.end(), std::uint8_t{0}); // all 优秀
    SealedEnvelope bad = sealEnvelope(*b, ballotPaddedSize(fx.campaign), fx.keys.collector_box.pk,
                                      device.pk, device.sk);
    b->wipe();
    sent.push_back({bad.hash, bad.bytes});
    std::sort(sent.begin(), sent.end(),
              [](const StoredEnvelope& x, const StoredEnvelope& y) { return x.hash < y.hash; });
    std::vector<Hash32> named;
    for (auto& e : sent)
        named.push_back(e.hash);
    Bytes ledger = encodeLedger(fx.package.digest, device.pk, named, device.sk);
    Bytes bundle = encodeBundle(fx.package.digest, cert, ledger, sent, device.sk);

    PublicKeys pub;
    pub.role = KeyRole::Collector;
    pub.label = "汇总机";
    pub.sign = fx.keys.collector_sign.pk;
    pub.box = fx.keys.collector_box.pk;
    auto col = CollectorStore::create(tmp.path / "col", fx.package, pub);
    REQUIRE(col.ok());
    auto rep = importBundle(*col, bundle, "t1.pyb");
    REQUIRE_FALSE(rep.refused);
    CHECK(rep.added == 4); // the importer cannot see inside

    CountOptions opts;
    opts.threads = 2;
    auto out = runCount(*col, fx.keys.collector_box, opts);
    REQUIRE(out.ok());
    CHECK(out->accounting.counted == 3);
    CHECK(out->accounting.invalid == 1);
    CHECK(out->accounting.invalid_reasons.at("ballot.over_grade_quota") == 1);
    CHECK(out->invalid_receipts == std::vector<std::string>{receiptCode(bad.hash)});

    // Social, weighted 30 / 70 (weight 50):
    //   S01: npc 1000; service (600 + 800) / 2 = 700 -> 50 x (0.3 + 0.49) = 39.50 (plain: 40.00)
    //   S04: npc 800; service (600 + 1000) / 2 = 800 -> 40.00
    const SubjectResult& s01 = subjectOf(out->units, fx.campaign, "S01");
    const SubjectResult& s04 = subjectOf(out->units, fx.campaign, "S04");
    CHECK(s01.group_scores.at("social") == 3950);
    CHECK(s04.group_scores.at("social") == 4000);
    CHECK(s01.notes.at("social").classes_left_out.empty());
    CHECK_FALSE(s01.notes.at("social").insufficient);
    // U2's subjects have no social ballot at all: missing, not "insufficient".
    const SubjectResult& s07 = subjectOf(out->units, fx.campaign, "S07");
    CHECK_FALSE(s07.group_scores.at("social").has_value());
    CHECK_FALSE(s07.notes.at("social").insufficient);
}
