// Ledger parts over LAN sync (protocol 2): each request carries only the ledger entries the
// collector may lack, and the collector still names every missing envelope. Real tablet
// stores, the real server on loopback, real collector stores.
#include "core/catalog.hpp"
#include "net_helpers.hpp"
#include "platform/collector_store.hpp"
#include "support/builders.hpp"
#include "sync/client.hpp"
#include "sync/server.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace pingyi;
using namespace pingyi::test;

namespace {

struct Served {
    const Fixture& fx;
    fs::path dir;
    std::unique_ptr<SyncServer> server;
    Served(const Fixture& f, const fs::path& d) : fx(f), dir(d) {
        PublicKeys pub;
        pub.role = KeyRole::Collector;
        pub.sign = fx.keys.collector_sign.pk;
        pub.box = fx.keys.collector_box.pk;
        REQUIRE(CollectorStore::create(dir, fx.package, pub).ok());
        auto s = SyncServer::start(dir, fx.keys.collector_sign.pk, fx.keys.collector_sign.sk,
                                   "127.0.0.1", 0);
        REQUIRE(s.ok());
        server = std::move(*s);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
    std::uint64_t ledgerEntries() const { return server->stats().ledger_entries.load(); }
    CollectorCounts counts() const {
        auto s = CollectorStore::open(dir);
        REQUIRE(s.ok());
        auto c = s->counts();
        REQUIRE(c.ok());
        return *c;
    }
    std::int64_t ledgerRows() const {
        auto s = CollectorStore::open(dir);
        REQUIRE(s.ok());
        auto st = s->db().prepare("SELECT count(*) FROM ledger_hashes");
        REQUIRE(st.ok());
        REQUIRE(st->step());
        return st->i64(0);
    }
};

struct Tablet {
    SignKeyPair device = signKeyPair();
    std::optional<TabletStore> store;
    std::size_t next = 0;
    Tablet(const Fixture& fx, const fs::path& dir) {
        Bytes cert =
            encodeCertificate(fx.package.digest, device.pk, "平板 01", fx.keys.organiser.sk);
        auto s = TabletStore::create(dir, fx.package, cert, device, "246813", KdfCost::testOnly());
        REQUIRE(s.ok());
        store.emplace(std::move(*s));
    }
    void cast(const Fixture& fx, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i, ++next) {
            auto& [place, token] = fx.tokens[next];
            REQUIRE(
                store->cast(token, uniformAnswers(fx.campaign, place.meeting.unit, "A"), device.sk)
                    .ok());
        }
    }
    SyncReport sync(const std::string& url) {
        SyncOptions opts;
        opts.batch = 3;
        opts.release_group = 1; // batches of 3 envelopes, not the release rule's groups
        auto r = syncTablet(*store, device.sk, url, opts);
        REQUIRE_MESSAGE(r.ok(), describe(r.error(), Lang::En));
        return *r;
    }
};

} // namespace

TEST_CASE("Each sync request carries only the ledger entries the collector may lack") {
    Fixture fx(2);
    TempDir tmp;
    Served col(fx, tmp.path / "col");
    Tablet t(fx, tmp.path / "t1");
    t.cast(fx, 10);
    // Four requests of 3, 3, 3 and 1 envelopes. The first names the 10 envelopes not yet
    // acknowledged; its acknowledgement shows the collector holds the whole ledger, so the others
    // name only their own envelopes: 10 + 3 + 3 + 1 = 17 entries (protocol 1 sent 4 x 10 = 40,
    // growing with every cast).
    SyncReport r = t.sync(col.url());
    CHECK(r.acknowledged == 10);
    CHECK(col.ledgerEntries() == 17);
    CHECK(col.ledgerRows() == 10);
    CHECK(col.counts().missing == 0);

    // Two more casts: one request naming just those two, though the ledger holds 12.
    t.cast(fx, 2);
    r = t.sync(col.url());
    CHECK(r.acknowledged == 2);
    CHECK(col.ledgerEntries() == 19);
    CHECK(col.ledgerRows() == 12);
    CHECK(col.counts().envelopes == 12);
    CHECK(col.counts().missing == 0);
}

TEST_CASE("A collector that lacks ledger entries gets the whole ledger and names every missing "
          "envelope") {
    Fixture fx(2);
    TempDir tmp;
    Tablet t(fx, tmp.path / "t1");
    t.cast(fx, 7);
    {
        Served first(fx, tmp.path / "col-a");
        CHECK(t.sync(first.url()).acknowledged == 7);
    }
    // A new collector store (say, a restored backup from before): it never saw those 7, which the
    // tablet keeps but will not send again (they are acknowledged). One new cast is pending.
    Served col(fx, tmp.path / "col-b");
    t.cast(fx, 1);
    SyncReport r = t.sync(col.url());
    CHECK(r.acknowledged == 1);
    // First request: the one pending entry; the acknowledgement shows 1 entry held, not 8, so one
    // more request (no envelopes) brings the whole ledger: 1 + 8.
    CHECK(col.ledgerEntries() == 9);
    CHECK(col.ledgerRows() == 8);
    CHECK(col.counts().envelopes == 1);
    CHECK(col.counts().missing == 7); // named by the ledger, not held: staff fetch a USB bundle
    // Once the collector holds the whole ledger, nothing more is sent for it.
    t.cast(fx, 1);
    t.sync(col.url());
    CHECK(col.ledgerEntries() == 10);
}

TEST_CASE("A tablet of sync protocol 1 is told which version the collector speaks") {
    Fixture fx(1);
    TempDir tmp;
    Served col(fx, tmp.path / "col");
    // A protocol 1 tablet POSTs /v1/sync (its bundles are version 1, refused anyway).
    HttpAnswer a = httpPost(col.url() + "/v1/sync", Bytes(16, 0));
    CHECK(a.status == 400);
    auto j = nlohmann::json::parse(a.body, nullptr, false);
    REQUIRE(j.is_object());
    CHECK(j["reason"] == "sync.old_protocol");
    CHECK(j["protocol"] == 2);
    CHECK(j["retry"] == false);
    CHECK(j["message_en"].get<std::string>().find("version 1") != std::string::npos);
    CHECK(hasMessage("sync.old_protocol"));
}
