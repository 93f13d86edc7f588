// LAN sync batching (how many envelopes go in one request) and the server checking bundles
// outside the store's lock, against the real server on loopback.
#include "core/catalog.hpp"
#include "net_helpers.hpp"
#include "platform/collector_store.hpp"
#include "support/builders.hpp"
#include "sync/bundle.hpp"
#include "sync/client.hpp"
#include "sync/server.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <future>
#include <thread>

using namespace pingyi;
using namespace pingyi::test;

namespace {

std::vector<StoredEnvelope> envelopesOf(std::size_t n, std::size_t size) {
    std::vector<StoredEnvelope> v(n);
    for (auto& e : v)
        e.bytes.assign(size, 7);
    return v;
}

SyncOptions options(std::size_t batch, std::size_t max_bytes) {
    SyncOptions o;
    o.batch = batch;
    o.max_request_bytes = max_bytes;
    o.release_group = 1; // batches cut by count and size, not the release rule's groups
    return o;
}

} // namespace

TEST_CASE("Batches hold at most `batch` envelopes") {
    auto pending = envelopesOf(2500, 100);
    CHECK(planBatches(pending, 1000, options(1000, 1u << 30)) ==
          std::vector<std::size_t>{1000, 2000, 2500});
    CHECK(planBatches(pending, 1000, options(2500, 1u << 30)) == std::vector<std::size_t>{2500});
    CHECK(planBatches({}, 1000, options(1000, 1u << 30)).empty());
}

TEST_CASE("Batches stay within the request size, with at least one envelope each") {
    auto pending = envelopesOf(7, 100);
    // Each envelope takes 104 bytes in a bundle (length and bytes): three fit beside 500.
    CHECK(planBatches(pending, 500, options(1000, 500 + 3 * 104)) ==
          std::vector<std::size_t>{3, 6, 7});
    CHECK(planBatches(pending, 500, options(1000, 500 + 3 * 104 - 1)) ==
          std::vector<std::size_t>{2, 4, 6, 7});
    // An envelope larger than the room still goes, alone.
    CHECK(planBatches(envelopesOf(3, 5000), 500, options(1000, 1000)) ==
          std::vector<std::size_t>{1, 2, 3});
    // A ledger longer than the budget still leaves a quarter of it for envelopes.
    CHECK(planBatches(pending, 100'000, options(1000, 4 * 2 * 104)) ==
          std::vector<std::size_t>{2, 4, 6, 7});
}

TEST_CASE("The defaults send large batches that stay under the server's body limit") {
    SyncOptions o;
    CHECK(o.batch >= 1000);
    CHECK(o.max_request_bytes <= ServerLimits{}.max_body / 2);
}

TEST_CASE("A tablet syncs in batches cut by size; each is acknowledged") {
    Fixture fx(4);
    TempDir tmp;
    PublicKeys pub;
    pub.role = KeyRole::Collector;
    pub.sign = fx.keys.collector_sign.pk;
    pub.box = fx.keys.collector_box.pk;
    REQUIRE(CollectorStore::create(tmp.path / "col", fx.package, pub).ok());
    auto server = SyncServer::start(tmp.path / "col", fx.keys.collector_sign.pk,
                                    fx.keys.collector_sign.sk, "127.0.0.1", 0);
    REQUIRE(server.ok());
    std::string url = "http://127.0.0.1:" + std::to_string((*server)->port());

    SignKeyPair device = signKeyPair();
    Bytes cert = encodeCertificate(fx.package.digest, device.pk, "t1", fx.keys.organiser.sk);
    auto tablet = TabletStore::create(tmp.path / "t1", fx.package, cert, device, "246813",
                                      KdfCost::testOnly());
    REQUIRE(tablet.ok());
    for (std::size_t i = 0; i < 7; ++i) {
        auto& [place, token] = fx.tokens[i];
        REQUIRE(tablet->cast(token, uniformAnswers(fx.campaign, place.meeting.unit, "A"), device.sk)
                    .ok());
    }
    auto envs = tablet->envelopes(true);
    auto ledger = tablet->ledger(device.sk);
    REQUIRE(envs.ok());
    REQUIRE(ledger.ok());
    // Room for exactly three envelopes beside the certificate and the ledger.
    std::size_t fixed = cert.size() + ledger->size() + 128;
    SyncOptions o = options(1000, fixed + 3 * ((*envs)[0].bytes.size() + 4));
    std::vector<std::size_t> progress;
    o.progress = [&](std::size_t done, std::size_t) { progress.push_back(done); };
    auto r = syncTablet(*tablet, device.sk, url, o);
    REQUIRE_MESSAGE(r.ok(), describe(r.error(), Lang::En));
    CHECK(r->acknowledged == 7);
    CHECK(progress == std::vector<std::size_t>{3, 6, 7});
    CHECK((*server)->stats().batches.load() == 3);
    CHECK(tablet->counts()->acknowledged == 7);
    (*server)->stop();
    CHECK(CollectorStore::open(tmp.path / "col")->counts()->envelopes == 7);
}

TEST_CASE("A bundle with a bad signature is refused at once, even while the store is busy") {
    Fixture fx(4);
    TempDir tmp;
    PublicKeys pub;
    pub.role = KeyRole::Collector;
    pub.sign = fx.keys.collector_sign.pk;
    pub.box = fx.keys.collector_box.pk;
    REQUIRE(CollectorStore::create(tmp.path / "col", fx.package, pub).ok());
    ServerLimits limits;
    limits.busy_wait = std::chrono::milliseconds(200);
    auto server = SyncServer::start(tmp.path / "col", fx.keys.collector_sign.pk,
                                    fx.keys.collector_sign.sk, "127.0.0.1", 0, limits);
    REQUIRE(server.ok());
    std::string url = "http://127.0.0.1:" + std::to_string((*server)->port()) + "/v2/sync";

    SignKeyPair device = signKeyPair();
    Bytes cert = encodeCertificate(fx.package.digest, device.pk, "t1", fx.keys.organiser.sk);
    auto tablet = TabletStore::create(tmp.path / "t1", fx.package, cert, device, "246813",
                                      KdfCost::testOnly());
    REQUIRE(tablet.ok());
    auto& [place, token] = fx.tokens[0];
    REQUIRE(
        tablet->cast(token, uniformAnswers(fx.campaign, place.meeting.unit, "A"), device.sk).ok());
    auto envs = tablet->envelopes(true);
    auto ledger = tablet->ledger(device.sk);
    REQUIRE(envs.ok());
    REQUIRE(ledger.ok());
    Bytes good = encodeBundle(fx.package.digest, cert, *ledger, *envs, device.sk);
    Bytes forged = good;
    forged.back() ^= 1; // the bundle signature

    // The collector file is write-locked elsewhere: a good batch takes the server's store lock
    // and waits in SQLite (up to 5 s) for the file.
    auto db = Db::open((tmp.path / "col" / CollectorStore::kFileName).string(), false);
    REQUIRE(db.ok());
    REQUIRE(db->exec("BEGIN EXCLUSIVE").ok());
    auto waiting = std::async(std::launch::async, [&] { return httpPost(url, good); });
    while ((*server)->stats().requests.load() < 1)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // A forged batch meanwhile is refused on its own merits, not answered "busy".
    auto refused = httpPost(url, forged);
    CHECK(refused.status == 400);
    auto j = nlohmann::json::parse(refused.body, nullptr, false);
    CHECK(j.value("reason", "") == "sync.malformed");
    CHECK(j.value("retry", true) == false);
    REQUIRE(db->commit().ok());
    CHECK(waiting.get().status == 200);
    (*server)->stop();
    CHECK(CollectorStore::open(tmp.path / "col")->counts()->envelopes == 1);
}
