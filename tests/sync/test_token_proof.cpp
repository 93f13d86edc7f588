// A ballot proves its token (issue 11, finding 1): an insider with a tablet's device key and the
// campaign package, but no slip, tries to stuff the count, as the finding's script did. Real
// tablet store, real bundle file, real collector store and count.
#include "core/catalog.hpp"
#include "core/envelope.hpp"
#include "core/token.hpp"
#include "platform/collector_store.hpp"
#include "platform/count.hpp"
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"
#include "sync/bundle.hpp"
#include "sync/collector_import.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <set>

using namespace pingyi;
using namespace pingyi::test;

namespace {

PublicKeys collectorPublic(const Fixture& fx) {
    PublicKeys k;
    k.role = KeyRole::Collector;
    k.label = "汇总机";
    k.sign = fx.keys.collector_sign.pk;
    k.box = fx.keys.collector_box.pk;
    return k;
}

std::vector<std::string> sortedCodes(std::vector<Hash32> hashes) {
    std::vector<std::string> out;
    for (auto& h : hashes)
        out.push_back(receiptCode(h));
    std::sort(out.begin(), out.end());
    return out;
}

double socialScore(const ResultsDocument& results, const std::string& unit,
                   const std::string& subject) {
    for (auto& u : results.units)
        if (u.id == unit)
            for (auto& s : u.subjects)
                if (s.id == subject) {
                    auto v = s.scores.at("social");
                    return v ? static_cast<double>(*v) / 100.0 : -1;
                }
    return -2;
}

// A tablet prepared by the organiser, with the administrator PIN 246813.
fs::path prepareTablet(const Fixture& fx, const fs::path& dir, const SignKeyPair& device) {
    Bytes cert = encodeCertificate(fx.package.digest, device.pk, "平板 01", fx.keys.organiser.sk);
    auto s = TabletStore::create(dir, fx.package, cert, device, "246813", KdfCost::testOnly());
    REQUIRE(s.ok());
    REQUIRE(s->closeMeetings(allMeetings(fx.campaign)).ok());
    return dir;
}

// What the attacker's script does with an open tablet.db and the unlocked device key: for a tag
// taken from the package, seal a ballot it cannot prove (it holds no slip, so it puts the tag, or
// zeros, or random bytes where the proof goes) and store it the way a cast does.
Hash32 stuff(TabletStore& store, const Secret& device_sk, const TokenPlace& place,
             const Hash32& tag, int variant, const std::string& level) {
    const Campaign& c = store.campaign();
    TokenProof guess{};
    if (variant == 0) guess = tag;
    if (variant == 2) randomBytes(guess);
    auto b = buildBallot(c, store.package().digest, place.meeting, guess,
                         uniformAnswers(c, place.meeting.unit, level));
    REQUIRE(b.ok());
    b->token_tag = tag; // the envelope names the victim's (or an unused) token
    SealedEnvelope e = sealEnvelope(*b, ballotPaddedSize(c), store.package().body.collector_box,
                                    store.device(), device_sk);
    b->wipe();
    Transaction tx(store.db());
    REQUIRE(tx.begin().ok());
    auto used = store.db().prepare("INSERT OR IGNORE INTO used_tokens(tag) VALUES(?)");
    REQUIRE(used.ok());
    used->bind(1, tag);
    REQUIRE(used->run().ok());
    auto ins = store.db().prepare("INSERT INTO envelopes(hash, bytes) VALUES(?, ?)");
    REQUIRE(ins.ok());
    ins->bind(1, e.hash).bind(2, e.bytes);
    REQUIRE(ins->run().ok());
    auto st = store.db().prepare("INSERT INTO envelope_state(hash) VALUES(?)");
    REQUIRE(st.ok());
    st->bind(1, e.hash);
    REQUIRE(st->run().ok());
    REQUIRE(tx.commit().ok());
    return e.hash;
}

std::set<Hash32> usedTags(TabletStore& store) {
    auto st = store.db().prepare("SELECT tag FROM used_tokens");
    REQUIRE(st.ok());
    std::set<Hash32> out;
    while (st->step()) {
        Hash32 t{};
        Bytes b = st->blob(0);
        REQUIRE(b.size() == 32);
        std::copy(b.begin(), b.end(), t.begin());
        out.insert(t);
    }
    return out;
}

CollectorStore collectorFor(const Fixture& fx, const fs::path& dir) {
    auto s = CollectorStore::create(dir, fx.package, collectorPublic(fx));
    REQUIRE(s.ok());
    return std::move(*s);
}

CountOutput countAll(CollectorStore& store, const Fixture& fx) {
    auto out = runCount(store, fx.keys.collector_box, CountOptions{});
    REQUIRE(out.ok());
    return std::move(*out);
}

} // namespace

TEST_CASE("With a tablet's device key and the package only, ballots for unused tokens and a "
          "forged twin of a voter's token are imported but never counted") {
    Fixture fx(2);
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    fs::path dir = prepareTablet(fx, tmp.path / "t1", device);
    Token voter_a = fx.token("U1/social", "service", 0);
    Token voter_b = fx.token("U1/self", "cadre", 0);
    std::vector<Hash32> genuine;
    {
        auto store = TabletStore::open(dir);
        REQUIRE(store.ok());
        auto sk = store->unlockDeviceKey("246813");
        REQUIRE(sk.ok());
        auto a = store->cast(voter_a, uniformAnswers(fx.campaign, "U1", "C"), *sk);
        auto b = store->cast(voter_b, uniformAnswers(fx.campaign, "U1", "B"), *sk);
        REQUIRE(a.ok());
        REQUIRE(b.ok());
        genuine = {a->envelope_hash, b->envelope_hash};
    }

    // The attacker: a copy of tablet.db and its PIN; no slip. The package in it gives every tag.
    auto store = TabletStore::open(dir);
    REQUIRE(store.ok());
    auto sk = store->unlockDeviceKey("246813");
    REQUIRE(sk.ok());
    const std::set<Hash32> used = usedTags(*store);
    REQUIRE(used.size() == 2);
    std::vector<Hash32> forged;
    for (auto& set : store->package().body.tokens) {
        TokenPlace place{*store->campaign().meeting(set.meeting), set.category};
        for (auto& tag : set.tags)
            if (!used.count(tag) && forged.size() < 7)
                forged.push_back(
                    stuff(*store, *sk, place, tag, static_cast<int>(forged.size() % 3), "A"));
    }
    REQUIRE(forged.size() == 7);
    // A forged twin of voter A's token, rating everyone 较差.
    const Hash32 tag_a = tokenTag(fx.campaign.id, voter_a);
    REQUIRE(used.count(tag_a) == 1);
    Hash32 twin = stuff(*store, *sk, {{"U1", "social"}, "service"}, tag_a, 2, "D");
    forged.push_back(twin);
    fs::path file = tmp.path / "t1.pyb";
    REQUIRE(exportBundle(*store, *sk, file).ok());

    // The collector cannot tell them apart before the count: all are signed by an enrolled
    // tablet, named by its ledger, and carry a tag of the package.
    CollectorStore col = collectorFor(fx, tmp.path / "col");
    ImportReport rep = importBundleFile(col, file);
    REQUIRE_FALSE(rep.refused);
    CHECK(rep.rejected.empty());
    CHECK(rep.added == 10);
    auto conflicts = col.conflicts();
    REQUIRE(conflicts.ok());
    REQUIRE(conflicts->size() == 1); // voter A's token, held twice
    CHECK(conflicts->front().tag == tag_a);

    // At the count none of them counts, and the accounting names each one.
    CountOutput out = countAll(col, fx);
    CHECK(out.receipts == sortedCodes(genuine));
    CHECK(out.invalid_receipts == sortedCodes(forged));
    const Accounting& acc = out.accounting;
    CHECK(acc.received == 10);
    CHECK(acc.counted == 2);
    CHECK(acc.invalid == 8);
    CHECK(acc.invalid_reasons == std::map<std::string, std::uint64_t>{{"envelope.bad_proof", 8}});
    CHECK(out.results.accounting.invalid_reasons.at("envelope.bad_proof") == 8);
    CHECK(hasMessage("envelope.bad_proof"));
    CHECK(describe(Error::make(ErrorKind::Forged, "envelope.bad_proof"), Lang::Zh).find("凭证") !=
          std::string::npos);
    // Voter A's conflict is settled by the proof: A's ballot counts, no staff decision needed.
    CHECK(acc.conflicts == 1);
    CHECK(acc.conflicts_resolved == 1);
    CHECK(acc.conflict_envelopes_excluded == 0);
    CHECK(acc.counted + acc.invalid + acc.conflict_envelopes_excluded == acc.received);
    REQUIRE(out.settled.size() == 1);
    CHECK(out.settled[0].counted == receiptCode(genuine[0]));
    CHECK(out.settled[0].unproven == std::vector<std::string>{receiptCode(twin)});
    // U1's social score is voter A's 一般 alone (50 x 0.6), not the forged 优秀 or 较差.
    CHECK(socialScore(out.results, "U1", "S01") == doctest::Approx(30.0));
}

TEST_CASE("Two envelopes that both prove a token stay a conflict for staff; a forged third copy "
          "is invalid and a decision made before the count still holds") {
    Fixture fx(2);
    TempDir tmp;
    SignKeyPair d1 = signKeyPair(), d2 = signKeyPair();
    prepareTablet(fx, tmp.path / "t1", d1);
    prepareTablet(fx, tmp.path / "t2", d2);
    auto t1 = TabletStore::open(tmp.path / "t1");
    auto t2 = TabletStore::open(tmp.path / "t2");
    REQUIRE(t1.ok());
    REQUIRE(t2.ok());
    // One slip typed on two offline tablets: two genuine envelopes of the same token.
    Token shared = fx.token("U1/social", "npc", 0);
    auto h1 = t1->cast(shared, uniformAnswers(fx.campaign, "U1", "A"), d1.sk);
    auto h2 = t2->cast(shared, uniformAnswers(fx.campaign, "U1", "B"), d2.sk);
    REQUIRE(h1.ok());
    REQUIRE(h2.ok());
    Hash32 twin =
        stuff(*t1, d1.sk, {{"U1", "social"}, "npc"}, tokenTag(fx.campaign.id, shared), 0, "D");
    CollectorStore col = collectorFor(fx, tmp.path / "col");
    for (auto* t : {&*t1, &*t2}) {
        fs::path f = t->dir() / "out.pyb";
        REQUIRE(exportBundle(*t, t == &*t1 ? d1.sk : d2.sk, f).ok());
        ImportReport rep = importBundleFile(col, f);
        REQUIRE_FALSE(rep.refused);
        REQUIRE(rep.rejected.empty());
    }

    CountOutput open = countAll(col, fx);
    CHECK(open.receipts.empty());
    CHECK(open.invalid_receipts == std::vector<std::string>{receiptCode(twin)});
    CHECK(open.accounting.conflicts == 1);
    CHECK(open.accounting.conflicts_resolved == 0);
    CHECK(open.accounting.conflict_envelopes_excluded == 2);
    CHECK(open.settled.empty());

    // Staff choose the forged copy (they cannot open envelopes): it still does not count, and
    // the conflict is open again for them.
    auto conflicts = col.conflicts();
    REQUIRE(conflicts.ok());
    REQUIRE(conflicts->size() == 1);
    const Hash32 tag = conflicts->front().tag;
    REQUIRE(col.resolveConflict(tag, twin, "看起来像第一张").ok());
    CountOutput wrong = countAll(col, fx);
    CHECK(wrong.receipts.empty());
    CHECK(wrong.accounting.conflicts_resolved == 0);
    CHECK(wrong.accounting.conflict_envelopes_excluded == 2);

    // A decision for one of the genuine envelopes counts it.
    REQUIRE(col.resolveConflict(tag, h2->envelope_hash, "代表确认在平板 02 投票").ok());
    CountOutput decided = countAll(col, fx);
    CHECK(decided.receipts == std::vector<std::string>{h2->code});
    CHECK(decided.accounting.conflicts_resolved == 1);
    CHECK(decided.accounting.conflict_envelopes_excluded == 1);
    CHECK(decided.accounting.invalid == 1);
    CHECK(socialScore(decided.results, "U1", "S01") == doctest::Approx(40.0));
}

TEST_CASE("A staff decision of neither, made before the count, does not drop the one envelope "
          "that proves its token") {
    Fixture fx(1);
    TempDir tmp;
    SignKeyPair d = signKeyPair();
    prepareTablet(fx, tmp.path / "t1", d);
    auto t = TabletStore::open(tmp.path / "t1");
    REQUIRE(t.ok());
    Token token = fx.token("U1/social", "leader", 0);
    auto real = t->cast(token, uniformAnswers(fx.campaign, "U1", "B"), d.sk);
    REQUIRE(real.ok());
    Hash32 twin =
        stuff(*t, d.sk, {{"U1", "social"}, "leader"}, tokenTag(fx.campaign.id, token), 1, "D");
    fs::path f = tmp.path / "t1.pyb";
    REQUIRE(exportBundle(*t, d.sk, f).ok());
    CollectorStore col = collectorFor(fx, tmp.path / "col");
    REQUIRE_FALSE(importBundleFile(col, f).refused);
    REQUIRE(col.resolveConflict(tokenTag(fx.campaign.id, token), std::nullopt, "无法判断").ok());
    CountOutput out = countAll(col, fx);
    CHECK(out.receipts == std::vector<std::string>{real->code});
    CHECK(out.invalid_receipts == std::vector<std::string>{receiptCode(twin)});
    REQUIRE(out.settled.size() == 1);
    CHECK(out.settled[0].counted == real->code);
}
