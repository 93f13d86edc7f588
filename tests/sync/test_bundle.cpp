#include "core/catalog.hpp"
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"
#include "sync/bundle.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace pingyi;
using namespace pingyi::test;

namespace {
struct Exported {
    Fixture fx;
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    Bytes bytes;
    std::vector<Hash32> cast;
    Exported(int ballots = 3) {
        Bytes cert = encodeCertificate(fx.package.digest, device.pk, "T1", fx.keys.organiser.sk);
        auto store = TabletStore::create(tmp.path / "t", fx.package, cert, device, "246813",
                                         KdfCost::testOnly());
        REQUIRE(store.ok());
        REQUIRE(store->closeMeetings(allMeetings(fx.campaign)).ok());
        for (int i = 0; i < ballots; ++i) {
            auto r = store->cast(fx.token("U1/social", "service", static_cast<std::size_t>(i)),
                                 uniformAnswers(fx.campaign, "U1", "A"), device.sk);
            REQUIRE(r.ok());
            cast.push_back(r->envelope_hash);
        }
        auto e = exportBundle(*store, device.sk, tmp.path / "b.pyb");
        REQUIRE(e.ok());
        CHECK(e->envelopes == static_cast<std::size_t>(ballots));
        CHECK(store->counts()->exported == ballots);
        CHECK(store->counts()->cast == ballots); // the tablet keeps everything
        bytes = std::move(*readFile(tmp.path / "b.pyb"));
    }
};
} // namespace

TEST_CASE("An exported bundle decodes with its certificate, ledger and every envelope") {
    Exported ex;
    auto b = decodeBundle(ex.bytes, ex.fx.package);
    REQUIRE(b.ok());
    CHECK(b->certificate.device == ex.device.pk);
    CHECK(b->certificate.label == "T1");
    CHECK(b->envelopes.size() == 3);
    auto sorted = ex.cast;
    std::sort(sorted.begin(), sorted.end());
    CHECK(b->ledger.hashes == sorted);
    for (std::size_t i = 0; i < b->envelopes.size(); ++i) {
        CHECK(b->envelopes[i].hash == sorted[i]); // sorted by hash: no casting order
        CHECK(verifyEnvelope(b->envelopes[i].bytes).ok());
    }
}

TEST_CASE("Every flipped byte of a bundle is rejected (or, inside an envelope, caught by it)") {
    Exported ex(2);
    for (std::size_t i = 0; i < ex.bytes.size(); ++i) {
        Bytes bad = ex.bytes;
        bad[i] ^= 0x40;
        auto b = decodeBundle(bad, ex.fx.package);
        CHECK_MESSAGE(!b.ok(), "flipped byte " << i << " was accepted");
    }
}

TEST_CASE("Every truncation of a bundle is rejected") {
    Exported ex(2);
    for (std::size_t n = 0; n < ex.bytes.size(); ++n) {
        auto b = decodeBundle(ByteView(ex.bytes).first(n), ex.fx.package);
        CHECK_MESSAGE(!b.ok(), "truncated to " << n << " bytes was accepted");
    }
}

TEST_CASE("A bundle of another campaign is rejected with a clear reason") {
    Exported ex(1);
    Fixture other;
    auto b = decodeBundle(ex.bytes, other.package);
    REQUIRE_FALSE(b.ok());
    CHECK(describe(b.error(), Lang::En) == "the bundle belongs to another campaign");
}

TEST_CASE("A bundle from a device the organiser did not enrol is rejected") {
    Exported ex(1);
    auto good = decodeBundle(ex.bytes, ex.fx.package);
    REQUIRE(good.ok());
    SignKeyPair rogue = signKeyPair();
    SignKeyPair fake_org = signKeyPair();
    Bytes cert = encodeCertificate(ex.fx.package.digest, rogue.pk, "rogue", fake_org.sk);
    std::vector<Hash32> hashes;
    Bytes ledger = encodeLedger(ex.fx.package.digest, rogue.pk, hashes, rogue.sk);
    Bytes forged = encodeBundle(ex.fx.package.digest, cert, ledger, {}, rogue.sk);
    auto b = decodeBundle(forged, ex.fx.package);
    REQUIRE_FALSE(b.ok());
    CHECK(b.error().id == "certificate.bad_signature");
}

TEST_CASE("exportBundle writes exactly the bytes encodeBundle gives, and marks what it wrote") {
    Fixture fx(4);
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    Bytes cert = encodeCertificate(fx.package.digest, device.pk, "T1", fx.keys.organiser.sk);
    auto store = TabletStore::create(tmp.path / "t", fx.package, cert, device, "246813",
                                     KdfCost::testOnly());
    REQUIRE(store.ok());
    REQUIRE(store->closeMeetings(allMeetings(fx.campaign)).ok());
    for (std::size_t i = 0; i < 3; ++i)
        REQUIRE(store
                    ->cast(fx.token("U1/self", "cadre", i), uniformAnswers(fx.campaign, "U1", "B"),
                           device.sk)
                    .ok());
    auto e = exportBundle(*store, device.sk, tmp.path / "b.pyb");
    REQUIRE(e.ok());
    auto file = readFile(tmp.path / "b.pyb");
    REQUIRE(file.ok());
    CHECK(e->bytes == file->size());
    // The export's own path (one read, digest of the envelope hashes, parts written one after
    // the other) gives the reference encoding byte for byte; Ed25519 is deterministic.
    auto envs = store->envelopes(false);
    auto ledger = store->ledger(device.sk);
    REQUIRE(envs.ok());
    REQUIRE(ledger.ok());
    CHECK(*file == encodeBundle(fx.package.digest, cert, *ledger, *envs, device.sk));
    CHECK(store->counts()->exported == 3);
    // A later cast is not marked by the earlier export.
    REQUIRE(store
                ->cast(fx.token("U1/self", "cadre", 3), uniformAnswers(fx.campaign, "U1", "B"),
                       device.sk)
                .ok());
    CHECK(store->counts()->exported == 3);
    CHECK(store->counts()->cast == 4);
}
