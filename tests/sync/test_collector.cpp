#include "core/catalog.hpp"
#include "core/envelope.hpp"
#include "core/results.hpp"
#include "core/token.hpp"
#include "platform/collector_store.hpp"
#include "platform/count.hpp"
#include "platform/keyfile.hpp"
#include "platform/publish.hpp"
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"
#include "sync/bundle.hpp"
#include "sync/collector_import.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <set>
#include <thread>

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

std::vector<Hash32> sorted(std::vector<Hash32> v) {
    std::sort(v.begin(), v.end());
    return v;
}

std::vector<std::string> codesOf(const std::vector<Hash32>& hashes) {
    std::vector<std::string> out;
    for (auto& h : hashes)
        out.push_back(receiptCode(h));
    std::sort(out.begin(), out.end());
    return out;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// A real tablet store in its own folder, enrolled by the fixture's organiser.
struct Tablet {
    const Fixture& fx;
    fs::path dir;
    SignKeyPair device = signKeyPair();
    std::optional<TabletStore> store;
    std::vector<CastReceipt> receipts;
    int exports = 0;

    Tablet(const Fixture& fixture, const fs::path& folder, const std::string& label)
        : fx(fixture), dir(folder) {
        Bytes cert = encodeCertificate(fx.package.digest, device.pk, label, fx.keys.organiser.sk);
        auto s = TabletStore::create(dir, fx.package, cert, device, "246813", KdfCost::testOnly());
        REQUIRE(s.ok());
        store.emplace(std::move(*s));
        REQUIRE(store->closeMeetings(allMeetings(fx.campaign)).ok());
    }

    Hash32 cast(const Token& token, const Answers& answers) {
        auto r = store->cast(token, answers, device.sk);
        REQUIRE(r.ok());
        receipts.push_back(*r);
        return r->envelope_hash;
    }
    Hash32 cast(const std::string& meeting, const std::string& category, std::size_t nth,
                const std::optional<std::string>& level) {
        std::string unit = meeting.substr(0, meeting.find('/'));
        return cast(fx.token(meeting, category, nth), uniformAnswers(fx.campaign, unit, level));
    }

    // Exports a bundle of everything the tablet holds (exportBundle to a file) and reads it.
    fs::path bundleFile() {
        fs::path file = dir / ("bundle-" + std::to_string(++exports) + ".pyb");
        auto e = exportBundle(*store, device.sk, file);
        REQUIRE(e.ok());
        return file;
    }
    Bytes bundle() {
        auto bytes = readFile(bundleFile());
        REQUIRE(bytes.ok());
        return std::move(*bytes);
    }

    Bytes ledger() {
        auto l = store->ledger(device.sk);
        REQUIRE(l.ok());
        return std::move(*l);
    }
    std::vector<StoredEnvelope> envelopes() {
        auto e = store->envelopes(false);
        REQUIRE(e.ok());
        return std::move(*e);
    }
    std::vector<Hash32> hashes() {
        std::vector<Hash32> out;
        for (auto& r : receipts)
            out.push_back(r.envelope_hash);
        return sorted(out);
    }
    std::vector<std::string> codes() {
        std::vector<std::string> out;
        for (auto& r : receipts)
            out.push_back(r.code);
        std::sort(out.begin(), out.end());
        return out;
    }
    // A bundle signed by this (enrolled) tablet with any ledger and envelopes.
    Bytes craft(const Bytes& ledger_bytes, std::vector<StoredEnvelope> envs) {
        std::sort(envs.begin(), envs.end(),
                  [](const StoredEnvelope& a, const StoredEnvelope& b) { return a.hash < b.hash; });
        return encodeBundle(fx.package.digest, store->certificate().bytes, ledger_bytes, envs,
                            device.sk);
    }
    Bytes ledgerOf(const std::vector<Hash32>& hashes_named) {
        return encodeLedger(fx.package.digest, device.pk, hashes_named, device.sk);
    }
};

// A real collector store (collector.db) in its own folder.
struct Collector {
    std::optional<CollectorStore> store;
    const BoxKeyPair* box; // the campaign's collector key (from the fixture)

    Collector(const Fixture& fx, const fs::path& dir) : box(&fx.keys.collector_box) {
        auto s = CollectorStore::create(dir, fx.package, collectorPublic(fx));
        REQUIRE(s.ok());
        store.emplace(std::move(*s));
    }

    ImportReport receive(ByteView bundle) { return importBundle(*store, bundle, "b.pyb"); }
    CollectorCounts counts() {
        auto c = store->counts();
        REQUIRE(c.ok());
        return *c;
    }
    std::vector<DeviceInfo> devices() {
        auto d = store->devices();
        REQUIRE(d.ok());
        return std::move(*d);
    }
    std::vector<Conflict> conflicts() {
        auto c = store->conflicts();
        REQUIRE(c.ok());
        return std::move(*c);
    }
    // Every stored envelope hash, ascending (read straight from collector.db).
    std::vector<Hash32> held() {
        auto st = store->db().prepare("SELECT hash FROM envelopes ORDER BY hash");
        REQUIRE(st.ok());
        std::vector<Hash32> out;
        while (st->step()) {
            Bytes b = st->blob(0);
            REQUIRE(b.size() == 32);
            Hash32 h{};
            std::copy(b.begin(), b.end(), h.begin());
            out.push_back(h);
        }
        REQUIRE_FALSE(st->error());
        return out;
    }
    std::int64_t rows(const char* sql) {
        auto st = store->db().prepare(sql);
        REQUIRE(st.ok());
        REQUIRE(st->step());
        return st->i64(0);
    }
    CountOutput count(unsigned threads = 2) {
        CountOptions opts;
        opts.threads = threads;
        auto out = runCount(*store, *box, opts);
        REQUIRE(out.ok());
        return std::move(*out);
    }
};

std::string reasons(const ImportReport& r) {
    std::string s = r.refused ? "refused " + r.refused->id + ";" : "";
    for (auto& x : r.rejected)
        s += " " + x.receipt + ":" + x.reason.id;
    return s;
}

void requireClean(const ImportReport& r) {
    INFO(reasons(r));
    REQUIRE_FALSE(r.refused);
    REQUIRE(r.rejected.empty());
}

// A ballot sealed and signed outside any tablet store (for hand-made bundles).
// The holder of `token` made it: the ballot carries the token's proof.
StoredEnvelope sealByHand(const Fixture& fx, const SignKeyPair& device, const MeetingRef& meeting,
                          const Token& token, const std::optional<std::string>& level) {
    auto b = buildBallot(fx.campaign, fx.package.digest, meeting, tokenProof(fx.campaign.id, token),
                         uniformAnswers(fx.campaign, meeting.unit, level));
    REQUIRE(b.ok());
    SealedEnvelope s = sealEnvelope(*b, ballotPaddedSize(fx.campaign), fx.keys.collector_box.pk,
                                    device.pk, device.sk);
    b->wipe();
    return {s.hash, std::move(s.bytes)};
}

// The same envelope with its sealed ballot replaced by random bytes and re-signed by the
// device: structurally valid and properly signed, but it does not open.
StoredEnvelope unopenable(const StoredEnvelope& e, const SignKeyPair& device) {
    // magic 4, version 2, campaign 32, device 32, token tag 32, sealed length 4
    constexpr std::size_t kSealedAt = 4 + 2 + 32 + 32 + 32 + 4;
    Bytes b = e.bytes;
    REQUIRE(b.size() > kSealedAt + 64);
    randomBytes(std::span<std::uint8_t>(b.data() + kSealedAt, b.size() - kSealedAt - 64));
    Signature sig = sign(device.sk, ByteView(b).first(b.size() - 64));
    std::copy(sig.begin(), sig.end(), b.end() - 64);
    auto parsed = verifyEnvelope(b);
    REQUIRE(parsed.ok());
    auto original = parseEnvelope(e.bytes);
    REQUIRE(original.ok());
    REQUIRE(parsed->token_tag == original->token_tag);
    REQUIRE(parsed->sealed != original->sealed);
    Hash32 h = hash(b);
    return {h, std::move(b)};
}

bool sameCounts(const CollectorCounts& a, const CollectorCounts& b) {
    return a.envelopes == b.envelopes && a.devices == b.devices && a.conflicts == b.conflicts &&
           a.conflicts_open == b.conflicts_open && a.missing == b.missing;
}

nlohmann::json subjectJson(const ResultsDocument& doc, const std::string& unit,
                           const std::string& subject) {
    nlohmann::json results = encodeResults(doc);
    for (auto& u : results["units"])
        if (u["id"] == unit)
            for (auto& s : u["subjects"])
                if (s["id"] == subject) return s;
    FAIL("subject " << subject << " not in the results");
    return nullptr; // not reached
}

} // namespace

// ---------------------------------------------------------------------------------------------
// 1. Idempotent import
// ---------------------------------------------------------------------------------------------

TEST_CASE("Importing the same bundle twice adds nothing the second time") {
    Fixture fx;
    TempDir tmp;
    Tablet t(fx, tmp.path / "t1", "平板 01");
    t.cast("U1/social", "service", 0, "A");
    t.cast("U1/social", "service", 1, "B");
    t.cast("U1/self", "cadre", 0, "C");
    fs::path file = t.bundleFile();
    auto bytes = readFile(file);
    REQUIRE(bytes.ok());

    Collector col(fx, tmp.path / "col");
    auto first = col.receive(*bytes);
    requireClean(first);
    CHECK(first.added == 3);
    CHECK(first.already == 0);
    CHECK(first.device_label == "平板 01");

    auto second = col.receive(*bytes);
    requireClean(second);
    CHECK(second.added == 0);
    CHECK(second.already == 3);

    auto third = importBundleFile(*col.store, file);
    requireClean(third);
    CHECK(third.source == file.string());
    CHECK(third.added == 0);
    CHECK(third.already == 3);

    CollectorCounts c = col.counts();
    CHECK(c.envelopes == 3);
    CHECK(c.devices == 1);
    CHECK(c.missing == 0);
    CHECK(c.conflicts == 0);
    CHECK(col.held() == t.hashes());

    // Still idempotent after closing and reopening the collector store.
    fs::path dir = col.store->dir();
    col.store.reset();
    auto again = CollectorStore::open(dir);
    REQUIRE(again.ok());
    col.store.emplace(std::move(*again));
    auto fourth = col.receive(*bytes);
    requireClean(fourth);
    CHECK(fourth.added == 0);
    CHECK(fourth.already == 3);
    CHECK(col.counts().envelopes == 3);
}

TEST_CASE("Bundles imported in any order give the same stored set") {
    Fixture fx;
    TempDir tmp;
    Tablet t1(fx, tmp.path / "t1", "平板 01");
    Tablet t2(fx, tmp.path / "t2", "平板 02");
    Tablet t3(fx, tmp.path / "t3", "平板 03");
    t1.cast("U1/social", "npc", 0, "A");
    t1.cast("U1/social", "npc", 1, "B");
    t1.cast("U1/social", "cppcc", 0, "A");
    Bytes t1_old = t1.bundle();
    t1.cast("U1/social", "cppcc", 1, std::nullopt);
    t1.cast("U2/self", "staff", 0, "D");
    Bytes t1_new = t1.bundle();
    t2.cast("U1/social", "service", 0, "A");
    t2.cast("U3/social", "service", 0, "C");
    Bytes b2 = t2.bundle();
    t3.cast("U2/social", "leader", 0, "B");
    t3.cast("U2/self", "head", 0, "A");
    t3.cast("U1/self", "cadre", 0, "B");
    Bytes b3 = t3.bundle();

    std::vector<Hash32> all = t1.hashes();
    for (auto& h : t2.hashes())
        all.push_back(h);
    for (auto& h : t3.hashes())
        all.push_back(h);
    all = sorted(all);
    REQUIRE(all.size() == 10);

    const std::vector<const Bytes*> bundles{&t1_old, &t1_new, &b2, &b3};
    std::vector<std::size_t> order{0, 1, 2, 3};
    int n = 0;
    do {
        CAPTURE(n);
        Collector col(fx, tmp.path / ("col" + std::to_string(n++)));
        std::size_t added = 0;
        for (auto i : order) {
            auto r = col.receive(*bundles[i]);
            requireClean(r);
            added += r.added;
        }
        CHECK(added == 10);
        CHECK(col.held() == all);
        CollectorCounts c = col.counts();
        CHECK(c.envelopes == 10);
        CHECK(c.devices == 3);
        CHECK(c.missing == 0);
        CHECK(c.conflicts == 0);
        auto devs = col.devices();
        REQUIRE(devs.size() == 3);
        CHECK(devs[0].label == "平板 01");
        CHECK(devs[0].ledger == 5);
        CHECK(devs[0].held == 5);
        CHECK(devs[1].ledger == 2);
        CHECK(devs[2].ledger == 3);
        for (auto& d : devs)
            CHECK(d.missing.empty());
        auto countable = col.store->countableHashes();
        REQUIRE(countable.ok());
        CHECK(sorted(*countable) == all);
    } while (std::next_permutation(order.begin(), order.end()));
    CHECK(n == 24);
}

TEST_CASE("A newer bundle of a tablet after an older one adds only the new envelopes") {
    Fixture fx;
    TempDir tmp;
    Tablet t(fx, tmp.path / "t1", "平板 01");
    t.cast("U1/social", "service", 0, "A");
    t.cast("U1/social", "service", 1, "A");
    t.cast("U1/social", "service", 2, "A");
    Bytes older = t.bundle();
    std::vector<Hash32> first3 = t.hashes();
    t.cast("U1/self", "cadre", 0, "B");
    t.cast("U1/self", "cadre", 1, "B");
    Bytes newer = t.bundle();

    Collector col(fx, tmp.path / "col");
    auto r1 = col.receive(older);
    requireClean(r1);
    CHECK(r1.added == 3);
    CHECK(col.held() == first3);
    CHECK(col.devices()[0].ledger == 3);

    auto r2 = col.receive(newer);
    requireClean(r2);
    CHECK(r2.added == 2);
    CHECK(r2.already == 3);
    CHECK(col.held() == t.hashes());
    auto devs = col.devices();
    REQUIRE(devs.size() == 1);
    CHECK(devs[0].ledger == 5);
    CHECK(devs[0].held == 5);
    CHECK(devs[0].missing.empty());
    CHECK(col.counts().missing == 0);
}

TEST_CASE("An older bundle after a newer one adds nothing and does not shrink the ledger") {
    Fixture fx;
    TempDir tmp;
    Tablet t(fx, tmp.path / "t1", "平板 01");
    t.cast("U1/social", "npc", 0, "A");
    t.cast("U1/social", "npc", 1, "A");
    t.cast("U1/social", "npc", 2, "A");
    Bytes older = t.bundle();
    t.cast("U2/social", "npc", 0, "C");
    t.cast("U2/social", "npc", 1, "C");
    Bytes newer = t.bundle();

    Collector col(fx, tmp.path / "col");
    auto r1 = col.receive(newer);
    requireClean(r1);
    CHECK(r1.added == 5);
    Bytes held_ledger;
    {
        auto st = col.store->db().prepare("SELECT ledger FROM devices");
        REQUIRE(st.ok());
        REQUIRE(st->step());
        held_ledger = st->blob(0);
    }

    auto r2 = col.receive(older);
    requireClean(r2);
    CHECK(r2.added == 0);
    CHECK(r2.already == 3);
    CHECK(col.held() == t.hashes());
    auto devs = col.devices();
    REQUIRE(devs.size() == 1);
    CHECK(devs[0].ledger == 5);
    CHECK(devs[0].held == 5);
    CHECK(devs[0].missing.empty());
    CHECK(col.counts().missing == 0);
    CHECK(col.rows("SELECT ledger_count FROM devices") == 5);
    CHECK(col.rows("SELECT count(*) FROM ledger_hashes") == 5);
    auto st = col.store->db().prepare("SELECT ledger FROM devices");
    REQUIRE(st.ok());
    REQUIRE(st->step());
    CHECK(st->blob(0) == held_ledger); // the larger ledger is kept
}

// ---------------------------------------------------------------------------------------------
// 2. Rejections
// ---------------------------------------------------------------------------------------------

namespace {
// A collector that already holds one bundle, and a second bundle of 2 envelopes to damage.
struct Refusals {
    Fixture fx;
    TempDir tmp;
    Tablet t1{fx, tmp.path / "t1", "平板 01"};
    Tablet t2{fx, tmp.path / "t2", "平板 02"};
    Collector col{fx, tmp.path / "col"};
    Bytes good;
    CollectorCounts before;
    std::vector<Hash32> held_before;
    Refusals() {
        t1.cast("U1/social", "service", 0, "A");
        requireClean(col.receive(t1.bundle()));
        t2.cast("U1/social", "service", 1, "B");
        t2.cast("U2/social", "npc", 0, "A");
        good = t2.bundle();
        before = col.counts();
        held_before = col.held();
    }
    // Nothing of a refused bundle was stored.
    void unchanged() {
        CHECK(sameCounts(col.counts(), before));
        CHECK(col.held() == held_before);
        CHECK(col.devices().size() == 1);
    }
};
} // namespace

TEST_CASE("A bundle with a flipped byte is refused whole and nothing of it is stored") {
    Refusals r;
    auto flipped = [&](std::size_t at, std::uint8_t mask) {
        Bytes bad = r.good;
        bad[at] ^= mask;
        auto rep = r.col.receive(bad);
        CHECK_MESSAGE(rep.refused.has_value(), "flipped byte " << at << " was accepted");
        CHECK_MESSAGE(rep.added == 0, "flipped byte " << at << " stored something");
        CHECK(rep.rejected.empty());
        return rep.refused ? rep.refused->id : std::string();
    };
    // Inside an envelope: the bundle signature fails before any envelope is looked at.
    CHECK(flipped(r.good.size() - 64 - 200, 0x01) == "bundle.bad_signature");
    CHECK(flipped(r.good.size() - 1, 0x80) == "bundle.bad_signature");
    CHECK(flipped(0, 0x20) == "format.bad_magic");
    CHECK(hasMessage("bundle.bad_signature"));
    // A spread of positions through the whole file (decodeBundle is tested at every byte).
    for (std::size_t i = 0; i < r.good.size(); i += 13) {
        std::string id = flipped(i, 0x40);
        CHECK_MESSAGE((id.rfind("bundle.", 0) == 0 || id.rfind("format.", 0) == 0 ||
                       id.rfind("certificate.", 0) == 0),
                      "flipped byte " << i << ": " << id);
    }
    r.unchanged();
    // The undamaged bundle still imports.
    auto ok = r.col.receive(r.good);
    requireClean(ok);
    CHECK(ok.added == 2);
}

TEST_CASE("A truncated bundle is refused whole and nothing of it is stored") {
    Refusals r;
    auto last = r.col.receive(ByteView(r.good).first(r.good.size() - 1));
    REQUIRE(last.refused);
    CHECK(last.refused->id == "format.truncated");
    for (std::size_t n = 0; n < r.good.size(); n += 7) {
        auto rep = r.col.receive(ByteView(r.good).first(n));
        CHECK_MESSAGE(rep.refused.has_value(), "truncated to " << n << " bytes was accepted");
    }
    Bytes longer = r.good;
    longer.push_back(0);
    auto trailing = r.col.receive(longer);
    REQUIRE(trailing.refused);
    CHECK(trailing.refused->id == "format.trailing");
    r.unchanged();
}

TEST_CASE("A bundle of another campaign is refused and nothing of it is stored") {
    Refusals r;
    Fixture other;
    Tablet stranger(other, r.tmp.path / "other", "平板 01");
    stranger.cast("U1/social", "service", 0, "A");
    auto rep = r.col.receive(stranger.bundle());
    REQUIRE(rep.refused);
    CHECK(rep.refused->id == "bundle.other_campaign");
    CHECK(describe(*rep.refused, Lang::En) == "the bundle belongs to another campaign");

    // Our campaign's digest on the outside, but a certificate (signed by our organiser) for
    // another campaign inside.
    Bytes cert =
        encodeCertificate(other.package.digest, r.t2.device.pk, "平板 02", r.fx.keys.organiser.sk);
    Bytes mixed =
        encodeBundle(r.fx.package.digest, cert, r.t2.ledger(), r.t2.envelopes(), r.t2.device.sk);
    auto rep2 = r.col.receive(mixed);
    REQUIRE(rep2.refused);
    CHECK(rep2.refused->id == "bundle.other_campaign");
    r.unchanged();
}

TEST_CASE("A bundle from a device the organiser did not enrol is refused; nothing is stored") {
    Refusals r;
    SignKeyPair rogue = signKeyPair();
    SignKeyPair fake_organiser = signKeyPair();
    // Real ballots with unused tokens, properly sealed and signed by the rogue device.
    std::vector<StoredEnvelope> envs{
        sealByHand(r.fx, rogue, {"U1", "social"}, r.fx.token("U1/social", "npc", 0), "D"),
        sealByHand(r.fx, rogue, {"U1", "social"}, r.fx.token("U1/social", "npc", 1), "D")};
    std::sort(envs.begin(), envs.end(),
              [](const StoredEnvelope& a, const StoredEnvelope& b) { return a.hash < b.hash; });
    Bytes ledger =
        encodeLedger(r.fx.package.digest, rogue.pk, {envs[0].hash, envs[1].hash}, rogue.sk);
    Bytes cert = encodeCertificate(r.fx.package.digest, rogue.pk, "平板 99", fake_organiser.sk);
    auto rep = r.col.receive(encodeBundle(r.fx.package.digest, cert, ledger, envs, rogue.sk));
    REQUIRE(rep.refused);
    CHECK(rep.refused->id == "certificate.bad_signature");
    CHECK(rep.added == 0);

    // An enrolled tablet's certificate cannot be borrowed either: the bundle signature fails.
    auto rep2 = r.col.receive(encodeBundle(r.fx.package.digest, r.t2.store->certificate().bytes,
                                           r.t2.ledger(), envs, rogue.sk));
    REQUIRE(rep2.refused);
    CHECK(rep2.refused->id == "bundle.bad_signature");
    r.unchanged();
}

TEST_CASE("Bad envelopes inside a valid bundle are rejected by receipt; the good ones are stored") {
    Fixture fx;
    TempDir tmp;
    Tablet t1(fx, tmp.path / "t1", "平板 01");
    Tablet t2(fx, tmp.path / "t2", "平板 02");
    t1.cast("U1/social", "service", 0, "A");
    t1.cast("U1/social", "service", 1, "B");
    t1.cast("U1/self", "cadre", 0, "A");
    Hash32 t2_hash = t2.cast("U1/social", "leader", 0, "C");

    // Signed by t1, in t1's ledger, but its token tag is in no token set of the package.
    StoredEnvelope unknown = sealByHand(fx, t1.device, {"U1", "social"}, newToken(), "A");
    // A genuine envelope of t2 (enrolled too), slipped into t1's bundle and ledger.
    StoredEnvelope foreign = t2.envelopes().at(0);
    REQUIRE(foreign.hash == t2_hash);
    // Signed by t1 with a good unused token, but not named by t1's ledger.
    StoredEnvelope unlisted =
        sealByHand(fx, t1.device, {"U1", "social"}, fx.token("U1/social", "npc"), "B");

    std::vector<Hash32> named = t1.hashes();
    named.push_back(unknown.hash);
    named.push_back(foreign.hash);
    std::vector<StoredEnvelope> envs = t1.envelopes();
    envs.push_back(unknown);
    envs.push_back(foreign);
    envs.push_back(unlisted);
    Bytes bundle = t1.craft(t1.ledgerOf(named), envs);

    Collector col(fx, tmp.path / "col");
    auto rep = col.receive(bundle);
    INFO(reasons(rep));
    REQUIRE_FALSE(rep.refused);
    CHECK(rep.added == 3);
    CHECK(rep.already == 0);
    REQUIRE(rep.rejected.size() == 3);
    std::map<std::string, std::string> why;
    for (auto& x : rep.rejected) {
        why[x.receipt] = x.reason.id;
        CHECK(hasMessage(x.reason.id));
    }
    CHECK(why[receiptCode(unknown.hash)] == "import.unknown_token");
    CHECK(why[receiptCode(foreign.hash)] == "import.other_device");
    CHECK(why[receiptCode(unlisted.hash)] == "import.not_in_ledger");

    CHECK(col.held() == t1.hashes()); // exactly the good envelopes
    CollectorCounts c = col.counts();
    CHECK(c.envelopes == 3);
    CHECK(c.devices == 1);
    // The two rejected envelopes the ledger names are reported missing.
    auto devs = col.devices();
    REQUIRE(devs.size() == 1);
    CHECK(devs[0].missing == sorted({unknown.hash, foreign.hash}));
    CHECK(c.missing == 2);

    // Importing the same bundle again rejects the same envelopes and adds nothing.
    auto again = col.receive(bundle);
    CHECK(again.added == 0);
    CHECK(again.already == 3);
    CHECK(again.rejected.size() == 3);

    // t2's own bundle brings its envelope in under its own device.
    auto r2 = col.receive(t2.bundle());
    requireClean(r2);
    CHECK(r2.added == 1);
    CHECK(col.counts().envelopes == 4);
}

TEST_CASE("An envelope whose signature does not verify is rejected inside a valid bundle") {
    Fixture fx;
    TempDir tmp;
    Tablet t(fx, tmp.path / "t1", "平板 01");
    t.cast("U1/social", "service", 0, "A");
    t.cast("U1/social", "service", 1, "A");
    std::vector<StoredEnvelope> envs = t.envelopes();
    StoredEnvelope bad = envs[0];
    bad.bytes[bad.bytes.size() - 100] ^= 0x01; // inside the sealed ballot; signature now wrong
    bad.hash = hash(bad.bytes);
    Bytes bundle = t.craft(t.ledgerOf({envs[1].hash, bad.hash}), {envs[1], bad});

    Collector col(fx, tmp.path / "col");
    auto rep = col.receive(bundle);
    REQUIRE_FALSE(rep.refused);
    CHECK(rep.added == 1);
    REQUIRE(rep.rejected.size() == 1);
    CHECK(rep.rejected[0].receipt == receiptCode(bad.hash));
    CHECK(rep.rejected[0].reason.id == "envelope.bad_signature");
    CHECK(col.held() == std::vector<Hash32>{envs[1].hash});
}

// ---------------------------------------------------------------------------------------------
// 3. Late tokens
// ---------------------------------------------------------------------------------------------

TEST_CASE("An envelope cast with a late token is rejected until the collector imports the "
          "additions, then the same bundle adds it") {
    Fixture fx;
    TempDir tmp;
    Token late = newToken();
    Hash32 late_tag = tokenTag(fx.campaign.id, late);
    Bytes additions = encodeAdditions(fx.package.digest, 1, {{"U1/social", "npc", {late_tag}}},
                                      fx.keys.organiser.sk);

    Tablet t(fx, tmp.path / "t1", "平板 01");
    REQUIRE(t.store->addTokens(additions).ok());
    t.cast("U1/social", "service", 0, "A");
    t.cast("U1/social", "service", 1, "A");
    Hash32 late_hash = t.cast(late, uniformAnswers(fx.campaign, "U1", "B"));
    Bytes bundle = t.bundle();

    Collector col(fx, tmp.path / "col");
    auto r1 = col.receive(bundle);
    REQUIRE_FALSE(r1.refused);
    CHECK(r1.added == 2);
    REQUIRE(r1.rejected.size() == 1);
    CHECK(r1.rejected[0].receipt == receiptCode(late_hash));
    CHECK(r1.rejected[0].reason.id == "import.unknown_token");
    CHECK(col.counts().envelopes == 2);
    CHECK(col.counts().missing == 1);
    CHECK(col.devices()[0].missing == std::vector<Hash32>{late_hash});

    // A forged addition changes nothing.
    Bytes forged =
        encodeAdditions(fx.package.digest, 1, {{"U1/social", "npc", {late_tag}}}, signKeyPair().sk);
    CHECK_FALSE(col.store->addTokens(forged).ok());
    auto r2 = col.receive(bundle);
    CHECK(r2.added == 0);
    CHECK(r2.rejected.size() == 1);

    REQUIRE(col.store->addTokens(additions).ok());
    auto r3 = col.receive(bundle);
    requireClean(r3);
    CHECK(r3.added == 1);
    CHECK(r3.already == 2);
    CHECK(col.held() == t.hashes());
    CHECK(col.counts().missing == 0);

    // The additions survive reopening the collector store, and the late ballot is counted.
    fs::path dir = col.store->dir();
    col.store.reset();
    auto again = CollectorStore::open(dir);
    REQUIRE(again.ok());
    col.store.emplace(std::move(*again));
    CHECK(col.store->tokens().find(late_tag) != nullptr);
    auto r4 = col.receive(bundle);
    requireClean(r4);
    CHECK(r4.already == 3);
    CountOutput out = col.count();
    CHECK(out.receipts == t.codes());
    CHECK(encodeResults(out.results)["accounting"]["counted"] == 3);
}

// ---------------------------------------------------------------------------------------------
// 4. Conflicts
// ---------------------------------------------------------------------------------------------

TEST_CASE("A token used on two tablets is a conflict: neither counts until staff decide, and "
          "every decision is logged") {
    Fixture fx;
    TempDir tmp;
    Tablet t1(fx, tmp.path / "t1", "平板 01");
    Tablet t2(fx, tmp.path / "t2", "平板 02");
    Token shared = fx.token("U1/social", "service", 0);
    Hash32 h1 = t1.cast(shared, uniformAnswers(fx.campaign, "U1", "A"));
    Hash32 h2 = t2.cast(shared, uniformAnswers(fx.campaign, "U1", "D"));
    Hash32 other1 = t1.cast("U1/social", "service", 1, "A");
    Hash32 other2 = t2.cast("U1/social", "service", 2, "A");
    Hash32 tag = tokenTag(fx.campaign.id, shared);

    Collector col(fx, tmp.path / "col");
    requireClean(col.receive(t1.bundle()));
    requireClean(col.receive(t2.bundle()));

    auto conflicts = col.conflicts();
    REQUIRE(conflicts.size() == 1);
    CHECK(conflicts[0].tag == tag);
    CHECK(conflicts[0].envelopes == sorted({h1, h2}));
    CHECK_FALSE(conflicts[0].decision.has_value());
    CollectorCounts c = col.counts();
    CHECK(c.envelopes == 4);
    CHECK(c.conflicts == 1);
    CHECK(c.conflicts_open == 1);

    auto check = [&](const std::vector<Hash32>& counted, std::uint64_t resolved) {
        CountOutput out = col.count();
        CHECK(out.receipts == codesOf(counted));
        CHECK(out.accounting.counted == counted.size());
        CHECK(out.accounting.received == 4);
        CHECK(out.accounting.invalid == 0);
        CHECK(out.accounting.conflicts == 1);
        CHECK(out.accounting.conflicts_resolved == resolved);
        CHECK(out.accounting.conflict_envelopes_excluded == 4 - counted.size());
        CHECK(out.accounting.counted + out.accounting.invalid +
                  out.accounting.conflict_envelopes_excluded ==
              out.accounting.received);
        CHECK(encodeResults(out.results)["receipts"] == out.receipts);
        auto hashes = col.store->countableHashes();
        REQUIRE(hashes.ok());
        CHECK(sorted(*hashes) == sorted(counted));
        // The single pass the count uses agrees with the store's own queries.
        auto plan = col.store->countable();
        REQUIRE(plan.ok());
        CollectorCounts now = col.counts();
        CHECK(sorted(plan->hashes) == sorted(counted));
        CHECK(plan->envelopes == now.envelopes);
        CHECK(plan->conflicts == now.conflicts);
        CHECK(plan->conflicts_open == now.conflicts_open);
        CHECK(plan->conflict_envelopes_excluded == static_cast<std::int64_t>(4 - counted.size()));
        return out;
    };

    // Open: neither envelope of the token counts.
    CountOutput open = check({other1, other2}, 0);
    CHECK_FALSE(contains(open.receipts, receiptCode(h1)));
    CHECK_FALSE(contains(open.receipts, receiptCode(h2)));
    CHECK(subjectJson(open.results, "U1", "S01")["scores"]["social"] == 50.0);

    // Refused decisions change nothing and are not logged.
    auto no_reason = col.store->resolveConflict(tag, h1, "");
    REQUIRE_FALSE(no_reason.ok());
    CHECK(no_reason.error().id == "conflict.no_reason");
    auto blank = col.store->resolveConflict(tag, h1, "   ");
    REQUIRE_FALSE(blank.ok());
    CHECK(blank.error().id == "conflict.no_reason");
    auto stranger = col.store->resolveConflict(tag, other1, "不是这个冲突的信封");
    REQUIRE_FALSE(stranger.ok());
    CHECK(stranger.error().id == "conflict.not_member");
    Hash32 random_hash{};
    randomBytes(random_hash);
    auto outsider = col.store->resolveConflict(tag, random_hash, "随便");
    REQUIRE_FALSE(outsider.ok());
    CHECK(outsider.error().id == "conflict.not_member");
    auto no_such = col.store->resolveConflict(random_hash, std::nullopt, "没有这个冲突");
    REQUIRE_FALSE(no_such.ok());
    CHECK(no_such.error().id == "conflict.not_found");
    CHECK(col.rows("SELECT count(*) FROM decision_log") == 0);
    CHECK(col.rows("SELECT count(*) FROM decisions") == 0);
    CHECK(col.counts().conflicts_open == 1);

    // Count t1's envelope.
    REQUIRE(col.store->resolveConflict(tag, h1, "代表确认在平板 01 投票").ok());
    conflicts = col.conflicts();
    REQUIRE(conflicts.size() == 1);
    REQUIRE(conflicts[0].decision.has_value());
    CHECK(*conflicts[0].decision == std::optional<Hash32>(h1));
    CHECK(conflicts[0].reason == "代表确认在平板 01 投票");
    CHECK(col.counts().conflicts_open == 0);
    CountOutput one = check({other1, other2, h1}, 1);
    CHECK_FALSE(contains(one.receipts, receiptCode(h2)));
    CHECK(subjectJson(one.results, "U1", "S01")["scores"]["social"] == 50.0); // the all-A copy

    // Count neither.
    REQUIRE(col.store->resolveConflict(tag, std::nullopt, "无法确认，两张都作废").ok());
    conflicts = col.conflicts();
    REQUIRE(conflicts[0].decision.has_value());
    CHECK_FALSE(conflicts[0].decision->has_value());
    CHECK(conflicts[0].reason == "无法确认，两张都作废");
    check({other1, other2}, 1);

    // Count t2's envelope after all.
    REQUIRE(col.store->resolveConflict(tag, h2, "复核：代表在平板 02 投票").ok());
    CountOutput two = check({other1, other2, h2}, 1);
    // Two A ballots and t2's D ballot (400 permille): 50 x (2 x 1000 + 400) / 3000 = 40.00.
    CHECK(subjectJson(two.results, "U1", "S01")["scores"]["social"] == 40.0);

    // One row per decision, in order; the decisions table keeps only the latest.
    CHECK(col.rows("SELECT count(*) FROM decision_log") == 3);
    CHECK(col.rows("SELECT count(*) FROM decisions") == 1);
    auto st = col.store->db().prepare("SELECT tag, chosen, reason FROM decision_log ORDER BY n");
    REQUIRE(st.ok());
    std::vector<std::pair<Bytes, std::string>> logged;
    while (st->step()) {
        CHECK(st->blob(0) == Bytes(tag.begin(), tag.end()));
        logged.push_back({st->blob(1), st->text(2)});
    }
    REQUIRE(logged.size() == 3);
    CHECK(logged[0].first == Bytes(h1.begin(), h1.end()));
    CHECK(logged[0].second == "代表确认在平板 01 投票");
    CHECK(logged[1].first.empty());
    CHECK(logged[1].second == "无法确认，两张都作废");
    CHECK(logged[2].first == Bytes(h2.begin(), h2.end()));

    // Decisions survive reopening the store.
    fs::path dir = col.store->dir();
    col.store.reset();
    auto again = CollectorStore::open(dir);
    REQUIRE(again.ok());
    col.store.emplace(std::move(*again));
    check({other1, other2, h2}, 1);
}

// ---------------------------------------------------------------------------------------------
// 5. Missing envelopes
// ---------------------------------------------------------------------------------------------

TEST_CASE("Envelopes named by a tablet's ledger but not delivered are listed as missing") {
    Fixture fx;
    TempDir tmp;
    Tablet t(fx, tmp.path / "t1", "平板 01");
    for (std::size_t i = 0; i < 3; ++i)
        t.cast("U1/social", "service", i, "A");
    t.cast("U1/self", "cadre", 0, "B");
    t.cast("U1/self", "cadre", 1, "B");
    std::vector<StoredEnvelope> all = t.envelopes();
    REQUIRE(all.size() == 5);
    std::vector<StoredEnvelope> some{all[0], all[2], all[4]};
    std::vector<Hash32> left_out = sorted({all[1].hash, all[3].hash});

    Collector col(fx, tmp.path / "col");
    auto partial = col.receive(t.craft(t.ledger(), some));
    requireClean(partial);
    CHECK(partial.added == 3);
    auto devs = col.devices();
    REQUIRE(devs.size() == 1);
    CHECK(devs[0].label == "平板 01");
    CHECK(devs[0].ledger == 5);
    CHECK(devs[0].held == 3);
    CHECK(devs[0].missing == left_out);
    CHECK_FALSE(devs[0].last_contact.empty());
    CHECK(col.counts().missing == 2);

    CountOutput out = col.count();
    CHECK(out.accounting.missing == 2);
    CHECK(encodeResults(out.results)["accounting"]["missing"] == 2);
    CHECK(out.accounting.counted == 3);

    auto full = col.receive(t.bundle());
    requireClean(full);
    CHECK(full.added == 2);
    CHECK(full.already == 3);
    devs = col.devices();
    CHECK(devs[0].missing.empty());
    CHECK(devs[0].held == 5);
    CHECK(col.counts().missing == 0);
}

// ---------------------------------------------------------------------------------------------
// 6. The count
// ---------------------------------------------------------------------------------------------

TEST_CASE("The count turns imported ballots into the expected scores, receipts, comments and "
          "accounting") {
    Fixture fx;
    TempDir tmp;
    Tablet t1(fx, tmp.path / "t1", "平板 01");
    Tablet t2(fx, tmp.path / "t2", "平板 02");
    const Campaign& c = fx.campaign;

    // U1/social: five all-A ballots and one all-不了解 ballot, on two tablets.
    Answers a_comment = uniformAnswers(c, "U1", "A");
    a_comment.comments["S01"] = "办事很快，值得表扬";
    t1.cast(fx.token("U1/social", "service", 0), a_comment);
    t1.cast("U1/social", "service", 1, "A");
    t1.cast("U1/social", "service", 2, "A");
    t1.cast("U1/social", "npc", 0, "A");
    Answers a_comment2 = uniformAnswers(c, "U1", "A");
    a_comment2.comments["S03"] = "备案一次办好";
    a_comment2.comments["S01"] = "办事很快，值得表扬"; // the same words twice: a multiset
    t2.cast(fx.token("U1/social", "cppcc", 0), a_comment2);
    t2.cast("U1/social", "leader", 0, std::nullopt);
    // U1/self: three all-B ballots.
    Answers b_comment = uniformAnswers(c, "U1", "B");
    b_comment.comments["S02"] = "希望加强政策解读";
    t2.cast(fx.token("U1/self", "cadre", 0), b_comment);
    t2.cast("U1/self", "cadre", 1, "B");
    t2.cast("U1/self", "head", 0, "B");

    Collector col(fx, tmp.path / "col");
    requireClean(col.receive(t1.bundle()));
    requireClean(col.receive(t2.bundle()));

    std::size_t calls = 0;
    CountOptions opts;
    opts.threads = 3;
    opts.progress = [&](std::size_t done, std::size_t total) {
        ++calls;
        CHECK(done <= total);
        CHECK(total == 9);
    };
    auto run = runCount(*col.store, fx.keys.collector_box, opts);
    REQUIRE(run.ok());
    CountOutput& out = *run;
    CHECK(calls >= 1);

    // Scores: social 50 x 100 % = 50.00, self 50 x 80 % = 40.00, final 90.00.
    for (auto id : {"S01", "S02", "S03", "S04", "S05", "S06"}) {
        CAPTURE(id);
        auto s = subjectJson(out.results, "U1", id);
        CHECK(s["scores"]["social"] == 50.0);
        CHECK(s["scores"]["self"] == 40.0);
        CHECK(s["final"] == 90.0);
        CHECK(s["rank"] == 1);
        CHECK(s["ballots"]["social"] == 5); // the 不了解 ballot rates nobody
        CHECK(s["ballots"]["self"] == 3);
        CHECK(s["paper_self"] == false);
    }
    auto s01 = subjectJson(out.results, "U1", "S01");
    REQUIRE(s01["items"][0]["id"] == "competence");
    CHECK(s01["items"][0]["groups"]["social"]["mean"] == 100.0);
    CHECK(s01["items"][0]["groups"]["social"]["answered"] == 5);
    CHECK(s01["items"][0]["groups"]["social"]["unknown"] == 1);
    CHECK(s01["items"][0]["groups"]["social"]["levels"][0] == 5); // A
    CHECK(s01["items"][0]["groups"]["self"]["mean"] == 80.0);
    CHECK(s01["categories"]["social"]["service"]["ballots"] == 3);
    CHECK(s01["categories"]["social"]["service"]["suppressed"] == true);
    for (auto id : {"S07", "S08", "S09"}) {
        auto s = subjectJson(out.results, "U2", id);
        CHECK(s["final"].is_null());
        CHECK(s["rank"].is_null());
    }
    CHECK(subjectJson(out.results, "U3", "S10")["scores"]["social"].is_null());

    // Composition of U1/social: 6 ballots, 3 of them service.
    nlohmann::json all = encodeResults(out.results);
    auto& u1 = all["units"][0];
    REQUIRE(u1["id"] == "U1");
    bool seen = false;
    for (auto& m : u1["composition"])
        if (m["meeting"] == "U1/social") {
            seen = true;
            CHECK(m["total"] == 6);
            CHECK(m["categories"]["service"] == 3);
            CHECK(m["categories"]["leader"] == 1);
        }
    CHECK(seen);

    // Receipts: exactly the cast envelopes' codes, sorted.
    std::vector<std::string> codes = t1.codes();
    for (auto& code : t2.codes())
        codes.push_back(code);
    std::sort(codes.begin(), codes.end());
    CHECK(out.receipts == codes);
    CHECK(encodeResults(out.results)["receipts"] == codes);
    CHECK(out.invalid_receipts.empty());

    // Comments, in an order that says nothing: compare as a multiset.
    std::vector<std::pair<std::string, std::string>> comments;
    for (auto& cm : out.comments)
        comments.push_back({cm.subject, cm.text});
    std::sort(comments.begin(), comments.end());
    std::vector<std::pair<std::string, std::string>> expected{{"S01", "办事很快，值得表扬"},
                                                              {"S01", "办事很快，值得表扬"},
                                                              {"S02", "希望加强政策解读"},
                                                              {"S03", "备案一次办好"}};
    CHECK(comments == expected);

    // Accounting.
    CHECK(out.accounting.received == 9);
    CHECK(out.accounting.counted == 9);
    CHECK(out.accounting.invalid == 0);
    CHECK(out.accounting.invalid_reasons.empty());
    CHECK(out.accounting.conflicts == 0);
    CHECK(out.accounting.conflict_envelopes_excluded == 0);
    CHECK(out.accounting.missing == 0);
    auto& acc = all["accounting"];
    CHECK(acc["received"] == 9);
    CHECK(acc["counted"] == 9);
    CHECK(acc["invalid"] == 0);
    CHECK(encodeResults(out.results)["package_digest"] == toHex(fx.package.digest));
    CHECK(encodeResults(out.results)["campaign"] == "jjj-2026");

    // The same numbers with one thread; saved results come back as stored.
    CountOutput single = col.count(1);
    CHECK(encodeResults(single.results) == encodeResults(out.results));
    REQUIRE(saveCount(*col.store, out).ok());
    auto saved = col.store->result("results");
    REQUIRE(saved.ok());
    REQUIRE(saved->has_value());
    CHECK(nlohmann::json::parse(**saved) == encodeResults(out.results));
}

TEST_CASE("The count refuses a collector key that is not the campaign's") {
    Fixture fx;
    TempDir tmp;
    Tablet t(fx, tmp.path / "t1", "平板 01");
    t.cast("U1/social", "service", 0, "A");
    Collector col(fx, tmp.path / "col");
    requireClean(col.receive(t.bundle()));
    BoxKeyPair wrong = boxKeyPair();
    auto out = runCount(*col.store, wrong, CountOptions{});
    REQUIRE_FALSE(out.ok());
    CHECK(out.error().id == "count.wrong_key");
    CHECK(out.error().kind == ErrorKind::Auth);
    // Another campaign's collector key is just as wrong.
    Fixture other;
    auto out2 = runCount(*col.store, other.keys.collector_box, CountOptions{});
    REQUIRE_FALSE(out2.ok());
    CHECK(out2.error().id == "count.wrong_key");
}

TEST_CASE("An envelope whose sealed ballot does not open is set aside as invalid and the count "
          "goes on") {
    Fixture fx;
    TempDir tmp;
    Tablet t(fx, tmp.path / "t1", "平板 01");
    t.cast("U1/social", "service", 0, "A");
    Hash32 victim = t.cast("U1/social", "service", 1, "A");
    t.cast("U1/social", "service", 2, "A");
    t.cast("U1/self", "cadre", 0, "B");
    std::vector<StoredEnvelope> envs = t.envelopes();
    REQUIRE(envs.size() == 4);
    std::vector<StoredEnvelope> sent;
    std::vector<Hash32> good;
    std::optional<StoredEnvelope> broken_env;
    for (auto& e : envs) {
        if (e.hash == victim) {
            broken_env = unopenable(e, t.device); // one of the social ballots
            sent.push_back(*broken_env);
        } else {
            sent.push_back(e);
            good.push_back(e.hash);
        }
    }
    REQUIRE(broken_env.has_value());
    const StoredEnvelope& broken = *broken_env;
    std::vector<Hash32> named = good;
    named.push_back(broken.hash);

    Collector col(fx, tmp.path / "col");
    auto rep = col.receive(t.craft(t.ledgerOf(named), sent));
    requireClean(rep); // it is well-formed and signed: the importer cannot tell
    CHECK(rep.added == 4);

    for (unsigned threads : {1u, 4u}) {
        CAPTURE(threads);
        CountOutput out = col.count(threads);
        CHECK(out.invalid_receipts == std::vector<std::string>{receiptCode(broken.hash)});
        CHECK(out.receipts == codesOf(good));
        CHECK(out.accounting.received == 4);
        CHECK(out.accounting.counted == 3);
        CHECK(out.accounting.invalid == 1);
        REQUIRE(out.accounting.invalid_reasons.size() == 1);
        CHECK(out.accounting.invalid_reasons.at("envelope.cannot_open") == 1);
        CHECK(encodeResults(out.results)["accounting"]["invalid_reasons"]["envelope.cannot_open"] ==
              1);
        CHECK(encodeResults(out.results)["accounting"]["invalid"] == 1);
        CHECK_FALSE(contains(encodeResults(out.results)["receipts"].get<std::vector<std::string>>(),
                             receiptCode(broken.hash)));
        auto s = subjectJson(out.results, "U1", "S04");
        CHECK(s["scores"]["social"] == 50.0);
        CHECK(s["ballots"]["social"] == 2);
        CHECK(s["final"] == 90.0);
    }
}

// ---------------------------------------------------------------------------------------------
// 7. Signed results
// ---------------------------------------------------------------------------------------------

TEST_CASE("The count's results signed by a unit head verify, and a changed score does not") {
    Fixture fx;
    TempDir tmp;
    Tablet t(fx, tmp.path / "t1", "平板 01");
    t.cast("U1/social", "service", 0, "A");
    t.cast("U1/self", "cadre", 0, "B");
    Collector col(fx, tmp.path / "col");
    requireClean(col.receive(t.bundle()));
    CountOutput out = col.count();
    REQUIRE(saveCount(*col.store, out).ok());
    auto saved = col.store->result("results");
    REQUIRE(saved.ok());
    REQUIRE(saved->has_value());
    auto decoded = decodeResultsText(**saved);
    REQUIRE(decoded);
    ResultsDocument results = *decoded;

    CHECK(verifyResults(results).empty()); // no signatures yet
    SecretKeys head = newKeys(KeyRole::UnitHead, "经济局局长");
    signResults(results, "unit-head", "U1", head.pub.label, head.pub.sign, head.sign_sk);
    signResults(results, "collector", "", "汇总机", fx.keys.collector_sign.pk,
                fx.keys.collector_sign.sk);

    // Through text and back, as the file is published.
    nlohmann::json text = nlohmann::json::parse(encodeResults(results).dump(2));
    auto published = decodeResults(text);
    REQUIRE(published);
    auto sigs = verifyResults(*published);
    REQUIRE(sigs.size() == 2);
    for (auto& s : sigs)
        CHECK(s.valid);
    CHECK(sigs[0].role == "unit-head");
    CHECK(sigs[0].unit == "U1");
    CHECK(sigs[0].label == "经济局局长");
    CHECK(sigs[0].key == head.pub.sign);
    CHECK(sigs[1].role == "collector");
    CHECK(sigs[1].key == fx.keys.collector_sign.pk);

    // Signing again with the same key replaces, not adds.
    signResults(*published, "unit-head", "U1", head.pub.label, head.pub.sign, head.sign_sk);
    auto resigned = verifyResults(*published);
    CHECK(resigned.size() == 2);
    for (auto& s : resigned)
        CHECK(s.valid);

    // Change one score.
    nlohmann::json tampered = text;
    bool changed = false;
    for (auto& s : tampered["units"][0]["subjects"])
        if (s["id"] == "S01") {
            CHECK(s["final"] == 90.0);
            s["final"] = 90.01;
            changed = true;
        }
    REQUIRE(changed);
    auto bad = decodeResults(tampered);
    REQUIRE(bad);
    REQUIRE(verifyResults(*bad).size() == 2);
    for (auto& s : verifyResults(*bad))
        CHECK_FALSE(s.valid);

    // A signature moved to another unit does not verify either.
    nlohmann::json moved = text;
    for (auto& s : moved["signatures"])
        if (s["role"] == "unit-head") s["unit"] = "U2";
    auto mv = decodeResults(moved);
    REQUIRE(mv);
    REQUIRE(verifyResults(*mv).size() == 2);
    for (auto& s : verifyResults(*mv))
        CHECK(s.valid == (s.role == "collector"));
}

TEST_CASE("A smaller ledger from a restored tablet still names its new envelopes as missing") {
    Fixture fx(6);
    TempDir tmp;
    Tablet t(fx, tmp.path / "t", "T1");
    Collector col(fx, tmp.path / "col");
    for (std::size_t i = 0; i < 4; ++i)
        t.cast("U1/social", "service", i, "A");
    REQUIRE_FALSE(importBundle(*col.store, t.bundle(), "b1").refused);
    // The same device later signs a ledger of 2 known envelopes and 1 new one not delivered.
    auto held = t.hashes();
    Hash32 fresh = hash(view(std::string("an envelope the collector never saw")));
    Bytes ledger = t.ledgerOf({held[0], held[1], fresh});
    auto r = importBundle(*col.store, t.craft(ledger, {}), "b2");
    REQUIRE_FALSE(r.refused);
    auto devs = col.store->devices();
    REQUIRE(devs.ok());
    REQUIRE(devs->size() == 1);
    REQUIRE((*devs)[0].missing.size() == 1);
    CHECK((*devs)[0].missing[0] == fresh);
    CHECK(col.store->counts()->missing == 1);
    CHECK((*devs)[0].ledger == 4); // the largest ledger is still the one shown
}

TEST_CASE("A decided conflict reopens when another envelope with the same token arrives") {
    Fixture fx(4);
    TempDir tmp;
    Tablet a(fx, tmp.path / "a", "A"), b(fx, tmp.path / "b", "B"), c(fx, tmp.path / "c", "C");
    Collector col(fx, tmp.path / "col");
    Token token = fx.token("U1/social", "npc");
    Hash32 ha = a.cast(token, uniformAnswers(fx.campaign, "U1", "A"));
    b.cast(token, uniformAnswers(fx.campaign, "U1", "B"));
    REQUIRE_FALSE(importBundle(*col.store, a.bundle(), "a").refused);
    REQUIRE_FALSE(importBundle(*col.store, b.bundle(), "b").refused);
    auto conf = col.store->conflicts();
    REQUIRE(conf->size() == 1);
    REQUIRE(col.store->resolveConflict((*conf)[0].tag, ha, "tablet A was first").ok());
    CHECK(col.store->counts()->conflicts_open == 0);
    auto countable = col.store->countableHashes();
    CHECK(std::find(countable->begin(), countable->end(), ha) != countable->end());
    // A third tablet delivers the same token: the old decision no longer covers the conflict.
    c.cast(token, uniformAnswers(fx.campaign, "U1", "C"));
    REQUIRE_FALSE(importBundle(*col.store, c.bundle(), "c").refused);
    CHECK(col.store->counts()->conflicts_open == 1);
    auto again = col.store->conflicts();
    REQUIRE(again->size() == 1);
    CHECK((*again)[0].envelopes.size() == 3);
    CHECK_FALSE((*again)[0].decision.has_value());
    countable = col.store->countableHashes();
    CHECK(std::find(countable->begin(), countable->end(), ha) == countable->end());
}

// ---------------------------------------------------------------------------------------------
// 7. The count on several threads and under concurrent imports
// ---------------------------------------------------------------------------------------------

namespace {

// An enrolled device sealing by hand (no tablet store, no fsync): many ballots quickly.
struct HandDevice {
    const Fixture* fx;
    SignKeyPair key = signKeyPair();
    Bytes cert;
    std::vector<StoredEnvelope> envs;

    HandDevice(const Fixture& f, const std::string& label)
        : fx(&f), cert(encodeCertificate(f.package.digest, key.pk, label, f.keys.organiser.sk)) {}

    Hash32 seal(const TokenPlace& place, const Token& token,
                const std::optional<std::string>& level, const std::string& comment = "") {
        Answers answers = uniformAnswers(fx->campaign, place.meeting.unit, level);
        if (!comment.empty())
            answers.comments[fx->campaign.subjects[fx->campaign.subjectsOf(place.meeting.unit)[0]]
                                 .id] = comment;
        auto b = buildBallot(fx->campaign, fx->package.digest, place.meeting,
                             tokenProof(fx->campaign.id, token), answers);
        REQUIRE(b.ok());
        SealedEnvelope s = sealEnvelope(*b, ballotPaddedSize(fx->campaign),
                                        fx->keys.collector_box.pk, key.pk, key.sk);
        b->wipe();
        envs.push_back({s.hash, std::move(s.bytes)});
        return envs.back().hash;
    }
    std::vector<std::string> codes() const {
        std::vector<Hash32> hs;
        for (auto& e : envs)
            hs.push_back(e.hash);
        return codesOf(hs);
    }
    // A bundle of every envelope, with a ledger naming exactly them.
    Bytes bundle() const {
        std::vector<StoredEnvelope> sorted_envs = envs;
        std::sort(sorted_envs.begin(), sorted_envs.end(),
                  [](const StoredEnvelope& a, const StoredEnvelope& b) { return a.hash < b.hash; });
        std::vector<Hash32> hs;
        for (auto& e : sorted_envs)
            hs.push_back(e.hash);
        Bytes ledger = encodeLedger(fx->package.digest, key.pk, hs, key.sk);
        return encodeBundle(fx->package.digest, cert, ledger, sorted_envs, key.sk);
    }
};

std::vector<std::pair<std::string, std::string>> commentsOf(const CountOutput& out) {
    std::vector<std::pair<std::string, std::string>> v;
    for (auto& c : out.comments)
        v.push_back({c.subject, c.text});
    std::sort(v.begin(), v.end());
    return v;
}

std::uint64_t compositionTotal(const nlohmann::json& results) {
    std::uint64_t n = 0;
    for (auto& u : results["units"])
        for (auto& m : u["composition"])
            n += m["total"].get<std::uint64_t>();
    return n;
}

} // namespace

TEST_CASE("The count gives the same results, receipts, invalid ballots and comments on one, two "
          "and three threads") {
    Fixture fx(6);
    TempDir tmp;
    HandDevice d1(fx, "平板 01"), d2(fx, "平板 02");
    const char* levels[] = {"A", "B", "C", "D"};
    std::vector<std::pair<std::string, std::string>> expected_comments;
    std::size_t k = 0;
    for (auto& [place, token] : fx.tokens) {
        HandDevice& d = k % 2 ? d2 : d1;
        std::optional<std::string> level;
        if (k % 7 != 0) level = levels[k % 4];
        std::string comment = k % 5 == 0 ? "第" + std::to_string(k) + "条意见" : "";
        d.seal(place, token, level, comment);
        if (!comment.empty() && k != 2 && k != 0)
            expected_comments.push_back(
                {fx.campaign.subjects[fx.campaign.subjectsOf(place.meeting.unit)[0]].id, comment});
        ++k;
    }
    REQUIRE(k > 100); // enough for every thread to take chunks of the list
    // d1's envelope of token 0 is used again on d2: a conflict, left open (neither counts).
    Hash32 twice = d2.seal(fx.tokens[0].first, fx.tokens[0].second, "A", "重复的票");
    Hash32 first_of_token0 = d1.envs[0].hash;
    // d1's second envelope (token 2) does not open: set aside as invalid.
    d1.envs[1] = unopenable(d1.envs[1], d1.key);
    Hash32 broken = d1.envs[1].hash;

    Collector col(fx, tmp.path / "col");
    requireClean(col.receive(d1.bundle()));
    requireClean(col.receive(d2.bundle()));

    CountOutput one = col.count(1);
    CHECK(one.accounting.received == k + 1);
    CHECK(one.accounting.conflicts == 1);
    CHECK(one.accounting.conflict_envelopes_excluded == 2);
    CHECK(one.accounting.invalid == 1);
    CHECK(one.invalid_receipts == std::vector<std::string>{receiptCode(broken)});
    CHECK(one.accounting.invalid_reasons ==
          std::map<std::string, std::uint64_t>{{"envelope.cannot_open", 1}});
    CHECK(one.accounting.counted == k - 2);
    std::vector<std::string> expected_receipts;
    for (auto* d : {&d1, &d2})
        for (auto& e : d->envs)
            if (e.hash != broken && e.hash != twice && e.hash != first_of_token0)
                expected_receipts.push_back(receiptCode(e.hash));
    std::sort(expected_receipts.begin(), expected_receipts.end());
    CHECK(one.receipts == expected_receipts);
    std::sort(expected_comments.begin(), expected_comments.end());
    CHECK(commentsOf(one) == expected_comments);
    CHECK(compositionTotal(encodeResults(one.results)) == k - 2);

    for (unsigned threads : {2u, 3u}) {
        CAPTURE(threads);
        CountOutput many = col.count(threads);
        CHECK(encodeResults(many.results) == encodeResults(one.results));
        CHECK(many.receipts == one.receipts);
        CHECK(many.invalid_receipts == one.invalid_receipts);
        CHECK(many.accounting.invalid_reasons == one.accounting.invalid_reasons);
        CHECK(commentsOf(many) == commentsOf(one));
    }
    // The count leaves no read transaction open: a writer can still commit.
    Hash32 tag0 = tokenTag(fx.campaign.id, fx.tokens[0].second);
    REQUIRE(col.store->resolveConflict(tag0, twice, "代表确认在平板 02 投票").ok());
    CountOutput decided = col.count(2);
    CHECK(decided.accounting.counted == k - 1);
    CHECK(contains(decided.receipts, receiptCode(twice)));
}

TEST_CASE("A count on two threads sees one snapshot while bundles are imported at the same time") {
    Fixture fx(10);
    TempDir tmp;
    constexpr std::size_t kDevices = 8;
    std::vector<HandDevice> devs;
    for (std::size_t d = 0; d < kDevices; ++d)
        devs.emplace_back(fx, "平板 0" + std::to_string(d + 1));
    std::size_t k = 0;
    for (auto& [place, token] : fx.tokens) {
        devs[k % kDevices].seal(place, token, k % 3 ? "B" : "A");
        ++k;
    }
    // The receipts a count may see: the first device's, plus those of the next bundles in the
    // order they are imported, whole bundles only.
    std::vector<std::vector<std::string>> allowed;
    std::vector<std::string> seen;
    for (auto& d : devs) {
        for (auto& c : d.codes())
            seen.push_back(c);
        std::sort(seen.begin(), seen.end());
        allowed.push_back(seen);
    }
    std::vector<Bytes> later;
    for (std::size_t d = 1; d < kDevices; ++d)
        later.push_back(devs[d].bundle());

    Collector col(fx, tmp.path / "col");
    requireClean(col.receive(devs[0].bundle()));

    std::atomic<bool> finished{false};
    std::vector<std::string> importer_errors;
    std::thread importer([&] {
        auto s = CollectorStore::open(tmp.path / "col");
        if (!s) {
            importer_errors.push_back(s.error().id);
        } else {
            for (auto& b : later) {
                auto r = importBundle(*s, b, "concurrent");
                if (r.refused) importer_errors.push_back(r.refused->id);
                if (!r.rejected.empty()) importer_errors.push_back("rejected");
            }
        }
        finished = true;
    });
    std::size_t counts = 0;
    std::set<std::size_t> snapshots;
    bool done = false;
    while (!done) {
        done = finished.load();
        CountOutput out = col.count(2);
        ++counts;
        auto at = std::find(allowed.begin(), allowed.end(), out.receipts);
        CHECK(at != allowed.end()); // whole bundles, in import order
        if (at != allowed.end()) snapshots.insert(static_cast<std::size_t>(at - allowed.begin()));
        CHECK(out.accounting.received == out.receipts.size());
        CHECK(out.accounting.counted == out.receipts.size());
        CHECK(out.accounting.invalid == 0);
        CHECK(out.accounting.missing == 0);
        CHECK(compositionTotal(encodeResults(out.results)) == out.receipts.size());
        CHECK(encodeResults(out.results)["receipts"] == out.receipts);
    }
    importer.join();
    CHECK(importer_errors.empty());
    CHECK(counts >= 1);
    CHECK(snapshots.count(kDevices - 1) == 1); // the last count saw everything
    MESSAGE("counts during the import: " << counts << ", distinct snapshots: " << snapshots.size());
}

TEST_CASE("Paper scores are refused for a meeting that holds electronic ballots, replaced by a "
          "new CSV, removed, and every change is logged") {
    Fixture fx;
    TempDir tmp;
    Tablet t1(fx, tmp.path / "t1", "平板 01");
    t1.cast("U1/self", "cadre", 0, "B");
    t1.cast("U1/self", "cadre", 1, "B");
    t1.cast("U1/social", "service", 0, "A");
    t1.cast("U2/social", "service", 0, "A");
    Collector col(fx, tmp.path / "col");
    requireClean(col.receive(t1.bundle()));

    // U1's self-appraisal voted on tablets: paper scores for it are refused, nothing changes.
    auto refused = col.store->setPaperSelf({{"S01", "self", 4500, 20}, {"S07", "self", 4000, 9}});
    REQUIRE_FALSE(refused.ok());
    CHECK(refused.error().id == "paper.meeting_has_ballots");
    CHECK(refused.error().kind == ErrorKind::Conflict);
    CHECK(describe(refused.error(), Lang::En) ==
          "unit U1, group self already holds 2 electronic ballots: paper scores cannot be added "
          "(paper scores are only for a group that did not vote on tablets)");
    CHECK(col.store->paperSelf()->empty());
    CHECK(col.store->paperLog()->empty());
    // Nor does U2's social meeting take paper scores (it holds one ballot).
    auto social = col.store->setPaperSelf({{"S07", "social", 4000, 9}});
    REQUIRE_FALSE(social.ok());
    CHECK(social.error().args == std::vector<std::string>{"U2", "social", "1"});

    // U2's self-appraisal was on paper.
    auto first = col.store->setPaperSelf(
        {{"S07", "self", 4000, 9}, {"S08", "self", 3800, 9}, {"S09", "self", 3600, 9}});
    REQUIRE(first.ok());
    CHECK(first->stored == 3);
    CHECK(first->replaced == 0);
    CHECK(first->meetings == "U2/self");
    // A corrected CSV replaces every paper score of U2/self: S09 is no longer there.
    auto second = col.store->setPaperSelf({{"S07", "self", 4100, 9}, {"S08", "self", 3800, 9}});
    REQUIRE(second.ok());
    CHECK(second->stored == 2);
    CHECK(second->replaced == 3);
    auto held = col.store->paperSelf();
    REQUIRE(held->size() == 2);
    CHECK((*held)[0].subject == "S07");
    CHECK((*held)[0].hundredths == 4100);
    CHECK((*held)[1].subject == "S08");

    // The count takes U2's paper self scores beside U1's ballots.
    CountOutput out = col.count();
    auto s07 = subjectJson(out.results, "U2", "S07");
    CHECK(s07["scores"]["self"] == 41.0);
    CHECK(s07["paper_self"] == true);
    CHECK(subjectJson(out.results, "U2", "S09")["scores"]["self"].is_null());

    auto unknown = col.store->removePaperSelf({"U9"});
    REQUIRE_FALSE(unknown.ok());
    CHECK(unknown.error().id == "paper.unknown_unit");
    auto none = col.store->removePaperSelf({"U1"}); // U1 has no paper scores: nothing, no log
    REQUIRE(none.ok());
    CHECK(none->removed == 0);
    auto removed = col.store->removePaperSelf({"U2"});
    REQUIRE(removed.ok());
    CHECK(removed->removed == 2);
    CHECK(removed->meetings == "U2/self");
    CHECK(col.store->paperSelf()->empty());

    auto log = col.store->paperLog();
    REQUIRE(log->size() == 3);
    CHECK((*log)[0].action == "import");
    CHECK((*log)[0].rows == 3);
    CHECK((*log)[1].action == "replace");
    CHECK((*log)[1].rows == 2);
    CHECK((*log)[2].action == "remove");
    CHECK((*log)[2].meetings == "U2/self");
    CHECK((*log)[2].rows == 2);
}

TEST_CASE("A count that meets paper scores and ballots of one meeting says how to go on") {
    Fixture fx;
    TempDir tmp;
    Tablet t1(fx, tmp.path / "t1", "平板 01");
    Collector col(fx, tmp.path / "col");
    REQUIRE(col.store->setPaperSelf({{"S01", "self", 4500, 20}}).ok());
    // Self ballots of U1 arrive after the paper scores: they are stored (nothing acknowledged
    // is ever lost) and the count names the unit, the group and the way out.
    t1.cast("U1/self", "cadre", 0, "B");
    requireClean(col.receive(t1.bundle()));
    auto run = runCount(*col.store, fx.keys.collector_box, {});
    REQUIRE_FALSE(run.ok());
    CHECK(run.error().id == "tally.paper_and_ballots");
    CHECK(describe(run.error(), Lang::Zh).find("collector import-self --remove --unit U1") !=
          std::string::npos);
    REQUIRE(col.store->removePaperSelf({"U1"}).ok());
    auto again = runCount(*col.store, fx.keys.collector_box, {});
    REQUIRE(again.ok());
    CHECK(subjectJson(again->results, "U1", "S01")["scores"]["self"] == 40.0);
}

TEST_CASE("Results say when they no longer describe the store: new envelopes, a decision, paper "
          "scores, token additions") {
    Fixture fx;
    TempDir tmp;
    Tablet t1(fx, tmp.path / "t1", "平板 01");
    t1.cast("U1/social", "service", 0, "A");
    t1.cast("U1/social", "service", 1, "B");
    Collector col(fx, tmp.path / "col");
    requireClean(col.receive(t1.bundle()));
    CHECK(resultsFreshness(*col.store).error().id == "results.not_counted");

    auto save = [&] { REQUIRE(saveCount(*col.store, col.count()).ok()); };
    save();
    auto f = resultsFreshness(*col.store);
    REQUIRE(f.ok());
    CHECK(f->current);
    CHECK(f->reasons(Lang::Zh).empty());

    t1.cast("U1/social", "service", 2, "C");
    requireClean(col.receive(t1.bundle()));
    f = resultsFreshness(*col.store);
    REQUIRE(f.ok());
    CHECK_FALSE(f->current);
    REQUIRE(f->reasons(Lang::En).size() == 1);
    CHECK(f->reasons(Lang::En)[0] == "1 envelopes arrived after the count (2 then, 3 now)");
    CHECK(f->reasons(Lang::Zh)[0] == "计票后又收到 1 张选票信封（计票时 2 张，现有 3 张）");
    save();
    CHECK(resultsFreshness(*col.store)->current);

    // The same bundle again changes nothing the count reads.
    requireClean(col.receive(t1.bundle()));
    CHECK(resultsFreshness(*col.store)->current);

    REQUIRE(col.store->setPaperSelf({{"S07", "self", 4000, 9}}).ok());
    f = resultsFreshness(*col.store);
    CHECK_FALSE(f->current);
    CHECK(f->reasons(Lang::En) == std::vector<std::string>{"paper scores changed after the count"});
    save();
    CHECK(resultsFreshness(*col.store)->current);
}
