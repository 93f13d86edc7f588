// PINs at rest in the tablet store: the rule at every entry, the key derivation's cost kept in
// the key (old files still open), the organiser's reset of a forgotten PIN, and the wrong-PIN
// counter that survives a restart.
#include "core/catalog.hpp"
#include "core/pin.hpp"
#include "platform/keyfile.hpp"
#include "platform/tablet_store.hpp"
#include "platform/workspace.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace pingyi;
using namespace pingyi::test;

namespace {
constexpr const char* kPin = "246813";

struct Tablet {
    Fixture fx;
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    std::optional<TabletStore> store;
    Tablet() {
        auto s = TabletStore::create(tmp.path / "t", fx.package, cert(), device, kPin,
                                     KdfCost::testOnly());
        REQUIRE(s.ok());
        store.emplace(std::move(*s));
    }
    Bytes cert() const {
        return encodeCertificate(fx.package.digest, device.pk, "平板 01", fx.keys.organiser.sk);
    }
    // Casts n ballots; returns every stored envelope.
    std::vector<StoredEnvelope> cast(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            REQUIRE(store
                        ->cast(fx.token("U1/social", "service", i),
                               uniformAnswers(fx.campaign, "U1", "B"), device.sk)
                        .ok());
        return *store->envelopes(false);
    }
    std::string lockedKey() {
        auto v = getMeta(store->db(), "device_key");
        REQUIRE(v.ok());
        REQUIRE(v->has_value());
        return std::string((*v)->begin(), (*v)->end());
    }
};

bool sameEnvelopes(const std::vector<StoredEnvelope>& a, const std::vector<StoredEnvelope>& b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].hash != b[i].hash || a[i].bytes != b[i].bytes) return false;
    return true;
}
} // namespace

TEST_CASE("A tablet store refuses a PIN that does not hold and makes nothing") {
    Fixture fx;
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    Bytes cert = encodeCertificate(fx.package.digest, device.pk, "T", fx.keys.organiser.sk);
    for (const char* pin : {"0000", "abcd", "    ", "中1", "123456", "111111", "2468135790246"}) {
        INFO(pin);
        auto s =
            TabletStore::create(tmp.path / "t", fx.package, cert, device, pin, KdfCost::testOnly());
        REQUIRE_FALSE(s.ok());
        CHECK(s.error().id.rfind("pin.", 0) == 0);
        CHECK_FALSE(fs::exists(tmp.path / "t"));
    }
    // prepareTablets (what `pingyi tablet init` runs) refuses before any folder is made.
    SecretKeys org;
    org.pub.role = KeyRole::Organiser;
    org.pub.sign = fx.keys.organiser.pk;
    org.sign_sk = Secret(fx.keys.organiser.sk);
    auto made =
        prepareTablets(fx.package, org, tmp.path / "many", 3, "T", "1234", KdfCost::testOnly());
    REQUIRE_FALSE(made.ok());
    CHECK(made.error().id == "pin.too_short");
    CHECK_FALSE(fs::exists(tmp.path / "many"));
}

TEST_CASE("Changing the PIN applies the rule to the new PIN and keeps the old one on refusal") {
    Tablet t;
    for (const char* bad : {"2468", "654321", "112233", "12ab56"}) {
        INFO(bad);
        auto st = t.store->changePin(kPin, bad, KdfCost::testOnly());
        REQUIRE_FALSE(st.ok());
        CHECK(st.error().id.rfind("pin.", 0) == 0);
        CHECK(t.store->unlockDeviceKey(kPin).ok());
    }
    CHECK(t.store->changePin("975318", "802417", KdfCost::testOnly()).error().id ==
          "tablet.wrong_pin");
    REQUIRE(t.store->changePin(kPin, "802417", KdfCost::testOnly()).ok());
    CHECK(t.store->unlockDeviceKey("802417").ok());
    CHECK(t.store->unlockDeviceKey(kPin).error().id == "tablet.wrong_pin");
}

TEST_CASE("New device keys are locked at the PIN cost, which is kept in the key; an older, "
          "cheaper key still opens") {
    KdfCost pin = KdfCost::pin(), old = KdfCost::passphrase();
    // At least 4x the work of the cost the tablets used before (2 passes over 64 MiB).
    CHECK(pin.opslimit * pin.memlimit >= 4 * old.opslimit * old.memlimit);
    CHECK(pin.memlimit >= old.memlimit);

    Tablet t;
    // A store written by an older version: the device key under a 4-digit PIN at the old cost,
    // and no organiser copy. It still opens with its PIN, and its cost is read from the key.
    {
        std::string legacy = lockSecret(t.device.sk, "2468", old);
        REQUIRE(putMeta(t.store->db(), "device_key", view(legacy)).ok());
        REQUIRE(t.store->db().exec("DELETE FROM meta WHERE key = 'device_key_organiser'").ok());
    }
    CHECK(t.store->pinCost()->opslimit == old.opslimit);
    CHECK(t.store->pinCost()->memlimit == old.memlimit);
    auto sk = t.store->unlockDeviceKey("2468");
    REQUIRE(sk.ok());
    CHECK(signPublicOf(*sk) == t.device.pk);
    // It cannot be reset by the organiser: it has no copy of the key for the organiser.
    auto reset = t.store->resetPin(t.fx.keys.organiser.sk, "975318", KdfCost::testOnly());
    REQUIRE_FALSE(reset.ok());
    CHECK(reset.error().id == "tablet.no_escrow");
    CHECK(t.store->unlockDeviceKey("2468").ok());
    // Its PIN can be changed (to one that holds), at today's cost, which adds the copy.
    REQUIRE(t.store->changePin("2468", "802417", KdfCost::testOnly()).ok());
    CHECK(t.store->pinCost()->memlimit == KdfCost::testOnly().memlimit);
    REQUIRE(t.store->resetPin(t.fx.keys.organiser.sk, "975318", KdfCost::testOnly()).ok());
    CHECK(t.store->unlockDeviceKey("975318").ok());
}

TEST_CASE("A store made with the default cost records the PIN cost in its key") {
    Fixture fx;
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    Bytes cert = encodeCertificate(fx.package.digest, device.pk, "T", fx.keys.organiser.sk);
    auto t0 = std::chrono::steady_clock::now();
    auto s = TabletStore::create(tmp.path / "t", fx.package, cert, device, kPin);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    REQUIRE(s.ok());
    MESSAGE("creating a store at the PIN cost took " << seconds << " s (one key derivation)");
    auto cost = s->pinCost();
    REQUIRE(cost.ok());
    CHECK(cost->opslimit == KdfCost::pin().opslimit);
    CHECK(cost->memlimit == KdfCost::pin().memlimit);
}

TEST_CASE("The organiser resets a forgotten PIN and lifts the lock; no envelope changes") {
    Tablet t;
    auto before = t.cast(3);
    REQUIRE(t.store->markExported({before[0].hash}).ok());
    REQUIRE(t.store->setPinGuard({kPinMaxFailures, 0}).ok());
    REQUIRE(t.store->pinGuard()->locked());
    std::string locked_before = t.lockedKey();

    SUBCASE("a key that is not this campaign's organiser is refused, nothing changes") {
        SignKeyPair stranger = signKeyPair();
        auto st = t.store->resetPin(stranger.sk, "975318", KdfCost::testOnly());
        REQUIRE_FALSE(st.ok());
        CHECK(st.error().id == "package.other_organiser");
        CHECK(t.lockedKey() == locked_before);
        CHECK(t.store->pinGuard()->locked());
    }
    SUBCASE("an obvious new PIN is refused, nothing changes") {
        auto st = t.store->resetPin(t.fx.keys.organiser.sk, "123456", KdfCost::testOnly());
        REQUIRE_FALSE(st.ok());
        CHECK(st.error().id == "pin.run");
        CHECK(t.lockedKey() == locked_before);
        CHECK(t.store->pinGuard()->locked());
    }
    SUBCASE("a damaged organiser copy is named, nothing changes") {
        auto copy = getMeta(t.store->db(), "device_key_organiser");
        REQUIRE(copy.ok());
        Bytes bad = **copy;
        bad[bad.size() / 2] ^= 1;
        REQUIRE(putMeta(t.store->db(), "device_key_organiser", bad).ok());
        auto st = t.store->resetPin(t.fx.keys.organiser.sk, "975318", KdfCost::testOnly());
        REQUIRE_FALSE(st.ok());
        CHECK(st.error().id == "tablet.escrow_damaged");
        CHECK(t.lockedKey() == locked_before);
    }
    SUBCASE("the organiser key resets it") {
        REQUIRE(t.store->resetPin(t.fx.keys.organiser.sk, "975318", KdfCost::testOnly()).ok());
        CHECK(t.store->pinGuard()->failures == 0);
        CHECK_FALSE(t.store->pinGuard()->locked());
        CHECK(t.store->unlockDeviceKey(kPin).error().id == "tablet.wrong_pin");
        auto sk = t.store->unlockDeviceKey("975318");
        REQUIRE(sk.ok());
        CHECK(signPublicOf(*sk) == t.device.pk); // the same device: its envelopes stay its own
        // Every envelope and flag as before; the ledger still lists them all, signed.
        CHECK(sameEnvelopes(*t.store->envelopes(false), before));
        CHECK(t.store->counts()->exported == 1);
        CHECK(t.store->envelopes(true)->size() == 3);
        CHECK(t.store->ledger(*sk).ok());
        // And the store reopens the same.
        fs::path dir = t.store->dir();
        t.store.reset();
        auto again = TabletStore::open(dir);
        REQUIRE(again.ok());
        CHECK(sameEnvelopes(*again->envelopes(false), before));
    }
}

TEST_CASE("The wrong-PIN counter is kept across a reopen, and a damaged one reads as an error") {
    Tablet t;
    CHECK(t.store->pinGuard()->failures == 0);
    CHECK(t.store->pinGuard()->not_before_ms == 0);
    REQUIRE(t.store->setPinGuard({4, 1'800'000'005'000}).ok());
    fs::path dir = t.store->dir();
    t.store.reset();
    auto again = TabletStore::open(dir);
    REQUIRE(again.ok());
    auto g = again->pinGuard();
    REQUIRE(g.ok());
    CHECK(g->failures == 4);
    CHECK(g->not_before_ms == 1'800'000'005'000);
    CHECK_FALSE(g->locked());
    REQUIRE(putMeta(again->db(), "pin_guard", view(std::string_view("x"))).ok());
    CHECK(again->pinGuard().error().id == "db.corrupt");
}
