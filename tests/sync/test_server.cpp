// LAN sync against the real server on loopback: round trips, resumption, errors, limits,
// misbehaving clients, a fake collector, and 50 tablets at once with random disconnects.
#include "core/ack.hpp"
#include "core/catalog.hpp"
#include "net_helpers.hpp"
#include "platform/collector_store.hpp"
#include "server_fixture.hpp"
#include "support/builders.hpp"
#include "sync/bundle.hpp"
#include "sync/client.hpp"
#include "sync/server.hpp"

#include <doctest/doctest.h>
#include <microhttpd.h>
#include <nlohmann/json.hpp>

#include <unistd.h>

#include <future>
#include <set>

using namespace pingyi;
using namespace pingyi::test;
using nlohmann::json;

namespace {

std::string reasonOf(const std::string& body) {
    auto j = json::parse(body, nullptr, false);
    return j.is_discarded() ? "" : j.value("reason", "");
}

} // namespace

TEST_CASE("A tablet syncs over HTTP; every envelope is acknowledged and stored once") {
    Fixture fx(4);
    Collector col(fx);
    auto t = makeTablet(fx, col.tmp.path / "t1", 0, 7);
    SyncOptions opts;
    opts.batch = 3;
    opts.release_group = 1; // batches of 3 envelopes, not the release rule's groups
    std::vector<std::size_t> progress;
    opts.progress = [&](std::size_t done, std::size_t) { progress.push_back(done); };
    auto r = syncTablet(*t->store, t->device.sk, col.url(), opts);
    REQUIRE_MESSAGE(r.ok(), describe(r.error(), Lang::En));
    CHECK(r->pending == 7);
    CHECK(r->acknowledged == 7);
    CHECK(progress == std::vector<std::size_t>{3, 6, 7});
    CHECK(t->store->counts()->acknowledged == 7);
    CHECK(col.held() == 7);
    auto again = syncTablet(*t->store, t->device.sk, col.url(), opts);
    REQUIRE(again.ok());
    CHECK(again->pending == 0);
    CHECK(col.held() == 7);
}

TEST_CASE("Answers lost on the way back are recovered: the next run resumes and ends complete") {
    Fixture fx(4);
    Collector col(fx);
    auto t = makeTablet(fx, col.tmp.path / "t1", 0, 12);
    CuttingProxy proxy(col.server->port(), 60);
    SyncOptions opts;
    opts.batch = 2;
    opts.first_backoff_ms = 10;
    opts.max_attempts = 2;
    std::string via = "http://127.0.0.1:" + std::to_string(proxy.port());
    for (int run = 0; run < 40 && t->store->counts()->acknowledged < 12; ++run)
        (void)syncTablet(*t->store, t->device.sk, via, opts); // interrupted runs are expected
    CHECK(t->store->counts()->acknowledged == 12);
    CHECK(col.held() == 12);
    CHECK(proxy.cuts() > 0);
}

TEST_CASE("A fake collector cannot make a tablet forget a ballot") {
    Fixture fx(4);
    Collector real(fx);
    auto t = makeTablet(fx, real.tmp.path / "t1", 0, 3);
    // A server that knows the campaign digest but not the collector's signing key.
    struct Fake {
        std::string digest;
        SignKeyPair key = signKeyPair();
        PublicKey device{};
        std::vector<Hash32> hashes;
    } fake;
    fake.digest = toHex(fx.package.digest);
    fake.device = t->device.pk;
    fake.hashes = t->cast;
    auto handler = [](void* cls, MHD_Connection* c, const char* url, const char*, const char*,
                      const char*, size_t* upload, void** con) -> MHD_Result {
        auto* f = static_cast<Fake*>(cls);
        if (!*con) {
            *con = reinterpret_cast<void*>(1);
            return MHD_YES;
        }
        if (*upload) {
            *upload = 0;
            return MHD_YES;
        }
        Hash32 digest;
        (void)fromHex32(f->digest, digest);
        std::string body =
            std::string(url) == "/v2/hello"
                ? json{{"protocol", 2}, {"status", "ok"}, {"campaign", f->digest}}.dump()
                : json{{"protocol", 2},
                       {"status", "ok"},
                       {"added", 3},
                       {"already", 0},
                       {"rejected", json::array()},
                       {"ack", toHex(encodeAck(digest, f->device, f->hashes, {}, f->key.sk))}}
                      .dump();
        MHD_Response* r =
            MHD_create_response_from_buffer(body.size(), body.data(), MHD_RESPMEM_MUST_COPY);
        MHD_Result ret = MHD_queue_response(c, 200, r);
        MHD_destroy_response(r);
        return ret;
    };
    MHD_Daemon* d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, nullptr, nullptr, handler,
                                     &fake, MHD_OPTION_END);
    REQUIRE(d);
    auto port = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port;
    auto r = syncTablet(*t->store, t->device.sk, "http://127.0.0.1:" + std::to_string(port));
    MHD_stop_daemon(d);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "ack.bad_signature");
    CHECK(t->store->counts()->acknowledged == 0);
}

TEST_CASE("The server refuses bad batches with a reason, and busy is told apart from refused") {
    Fixture fx(4);
    Fixture other(1);
    ServerLimits limits;
    limits.max_body = 1 << 20;
    Collector col(fx, limits);
    auto t = makeTablet(fx, col.tmp.path / "t1", 0, 2);
    auto envs = *t->store->envelopes(false);
    Bytes ledger = *t->store->ledger(t->device.sk);
    std::string url = col.url() + "/v2/sync";

    SUBCASE("garbage is a malformed batch") {
        auto a = httpPost(url, Bytes(100, 7));
        CHECK(a.status == 400);
        CHECK(reasonOf(a.body) == "sync.malformed");
        CHECK(json::parse(a.body)["retry"] == false);
        CHECK(json::parse(a.body)["message_zh"].get<std::string>().find("数据包") !=
              std::string::npos);
    }
    SUBCASE("a device the organiser did not enrol") {
        SignKeyPair rogue = signKeyPair(), fake_org = signKeyPair();
        Bytes cert = encodeCertificate(fx.package.digest, rogue.pk, "rogue", fake_org.sk);
        Bytes b =
            encodeBundle(fx.package.digest, cert,
                         encodeLedger(fx.package.digest, rogue.pk, {}, rogue.sk), {}, rogue.sk);
        auto a = httpPost(url, b);
        CHECK(a.status == 403);
        CHECK(reasonOf(a.body) == "sync.unknown_device");
    }
    SUBCASE("another campaign") {
        auto a = httpPost(url, encodeBundle(other.package.digest, t->store->certificate().bytes,
                                            ledger, envs, t->device.sk));
        CHECK(a.status == 403);
        CHECK(reasonOf(a.body) == "bundle.other_campaign");
    }
    SUBCASE("a declared length over the limit is refused before the body is read") {
        auto a = httpPost(url, Bytes((1 << 20) + 1, 0));
        CHECK(a.status == 413);
        CHECK(reasonOf(a.body) == "sync.too_large");
    }
    SUBCASE("a chunked body over the limit is refused too") {
        auto a = httpPost(url, Bytes(3 << 20, 0), {}, true);
        CHECK(a.status == 413);
        CHECK(reasonOf(a.body) == "sync.too_large");
    }
    SUBCASE("a compressed body is refused") {
        auto a = httpPost(url, Bytes(10, 0), {"Content-Encoding: gzip"});
        CHECK(a.status == 415);
        CHECK(reasonOf(a.body) == "sync.encoding");
    }
    SUBCASE("a locked store answers busy with retry, and the client's retry then succeeds") {
        auto db = Db::open((col.tmp.path / "col" / CollectorStore::kFileName).string(), false);
        REQUIRE(db.ok());
        REQUIRE(db->exec("BEGIN EXCLUSIVE").ok());
        Bytes b = encodeBundle(fx.package.digest, t->store->certificate().bytes, ledger, envs,
                               t->device.sk);
        auto a = httpPost(url, b);
        CHECK(a.status == 503);
        CHECK(reasonOf(a.body) == "db.failed");
        CHECK(json::parse(a.body)["retry"] == true);
        auto later = std::async(std::launch::async, [&] {
            SyncOptions o;
            o.first_backoff_ms = 300;
            return syncTablet(*t->store, t->device.sk, col.url(), o);
        });
        std::this_thread::sleep_for(std::chrono::milliseconds(700));
        REQUIRE(db->commit().ok());
        auto r = later.get();
        REQUIRE_MESSAGE(r.ok(), describe(r.error(), Lang::En));
        CHECK(r->acknowledged == 2);
    }
    CHECK(col.server->stats().requests.load() > 0);
}

TEST_CASE("Slow and idle clients neither starve the server nor stay forever") {
    Fixture fx(4);
    ServerLimits limits;
    limits.idle_timeout_seconds = 2;
    limits.per_ip_limit = 4;
    limits.connection_limit = 32;
    Collector col(fx, limits);
    auto t = makeTablet(fx, col.tmp.path / "t1", 0, 3);
    // Twenty slow clients from 127.0.0.2..6, each sending half a request line and stalling.
    std::vector<int> slow;
    for (int i = 0; i < 20; ++i) {
        int fd = connectFrom("127.0.0." + std::to_string(2 + i % 5), col.server->port());
        if (fd >= 0) {
            (void)!write(fd, "POST /v2/sy", 11);
            slow.push_back(fd);
        }
    }
    CHECK(slow.size() >= 4);
    auto start = std::chrono::steady_clock::now();
    auto r = syncTablet(*t->store, t->device.sk, col.url());
    auto took = std::chrono::steady_clock::now() - start;
    REQUIRE_MESSAGE(r.ok(), describe(r.error(), Lang::En));
    CHECK(r->acknowledged == 3);
    CHECK(took < std::chrono::seconds(2));
    // The stalled connections are closed by the idle timeout.
    for (int fd : slow) {
        CHECK(closedByPeer(fd, 6000));
        close(fd);
    }
}

TEST_CASE("A table full of idle connections makes room for a newcomer within seconds") {
    Fixture fx(4);
    ServerLimits limits;
    limits.connection_limit = 8;
    limits.per_ip_limit = 8;
    limits.idle_timeout_seconds = 30; // neither timeout frees a slot during this test
    limits.header_seconds = 30;
    Collector col(fx, limits);
    auto t = makeTablet(fx, col.tmp.path / "t1", 0, 2);
    std::vector<int> idle;
    for (int i = 0; i < 8; ++i)
        idle.push_back(connectFrom("127.0.0.9", col.server->port()));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    // The table is full: the newcomer waits in the listen backlog until the silent connections,
    // past their grace, are cut to bring the table under three quarters of its cap.
    int extra = connectFrom("127.0.0.1", col.server->port());
    REQUIRE(extra >= 0);
    const char hello[] = "GET /v2/hello HTTP/1.1\r\nHost: c\r\n\r\n";
    (void)!write(extra, hello, sizeof hello - 1);
    auto start = std::chrono::steady_clock::now();
    CHECK(gotData(extra, 4000));
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
    close(extra);
    CHECK(col.server->stats().cut_slow.load() >= 2);
    auto r = syncTablet(*t->store, t->device.sk, col.url());
    REQUIRE_MESSAGE(r.ok(), describe(r.error(), Lang::En));
    CHECK(r->acknowledged == 2);
    for (int fd : idle)
        close(fd);
}

TEST_CASE("Fifty tablets sync 1,000 envelopes each at once with random disconnects: none lost or "
          "doubled") {
    const std::size_t kTablets = 50, kEach = 1000;
    Fixture fx(kTablets * kEach / 13 + 1);
    ServerLimits limits;
    limits.connection_limit = 128;
    limits.per_ip_limit = 128;
    Collector col(fx, limits);
    std::vector<std::unique_ptr<Tab>> tablets;
    for (std::size_t k = 0; k < kTablets; ++k)
        tablets.push_back(
            makeTablet(fx, col.tmp.path / ("t" + std::to_string(k)), k * kEach, kEach));
    CuttingProxy proxy(col.server->port(), 20);
    std::string via = "http://127.0.0.1:" + std::to_string(proxy.port());
    std::vector<std::thread> threads;
    for (auto& t : tablets)
        threads.emplace_back([&t, &via] {
            SyncOptions o;
            o.batch = 250;
            o.first_backoff_ms = 20;
            for (int run = 0; run < 30; ++run) {
                auto r = syncTablet(*t->store, t->device.sk, via, o);
                if (r.ok() &&
                    t->store->counts()->acknowledged == static_cast<std::int64_t>(t->cast.size()))
                    break;
            }
        });
    for (auto& th : threads)
        th.join();
    std::int64_t acked = 0;
    for (auto& t : tablets)
        acked += t->store->counts()->acknowledged;
    CHECK(acked == static_cast<std::int64_t>(kTablets * kEach));
    auto store = CollectorStore::open(col.tmp.path / "col");
    REQUIRE(store.ok());
    CHECK(store->counts()->envelopes == static_cast<std::int64_t>(kTablets * kEach));
    CHECK(store->counts()->missing == 0);
    CHECK(store->counts()->conflicts == 0);
    CHECK(proxy.cuts() > 0);
    MESSAGE("random disconnects: " << proxy.cuts() << "; bodies answered busy (budget): "
                                   << col.server->stats().body_busy.load()
                                   << ", most body bytes held at once: "
                                   << col.server->stats().peak_buffered.load() / 1024 << " KiB");
}
