// The tablet's side when the collector is not (yet) there, crowded or silent: /v2/hello and
// busy answers are retried with a bounded back-off, and the error says which trouble it was,
// in Chinese and English.
#include "core/catalog.hpp"
#include "net_helpers.hpp"
#include "server_fixture.hpp"
#include "sync/client.hpp"

#include <doctest/doctest.h>
#include <microhttpd.h>
#include <nlohmann/json.hpp>

#include <future>

using namespace pingyi;
using namespace pingyi::test;
using namespace std::chrono_literals;

namespace {
using Clock = std::chrono::steady_clock;

SyncOptions quick(unsigned attempts) {
    SyncOptions o;
    o.hello_attempts = attempts;
    o.max_attempts = attempts;
    o.first_backoff_ms = 100;
    o.hello_timeout_seconds = 1;
    return o;
}
} // namespace

TEST_CASE("The client waits for a collector that is still starting, then syncs") {
    Fixture fx(1);
    TempDir tmp;
    auto t = makeTablet(fx, tmp.path / "t1", 0, 3);
    const std::uint16_t port = freePort();
    Collector col(fx); // the store; its server is restarted on the agreed port below
    col.server->stop();
    SyncOptions o = quick(6); // back-off 0.1, 0.2, 0.4, 0.8, 1.6 s
    auto pending = std::async(std::launch::async, [&] {
        return syncTablet(*t->store, t->device.sk, "http://127.0.0.1:" + std::to_string(port), o);
    });
    std::this_thread::sleep_for(400ms);
    auto late = SyncServer::start(col.tmp.path / "col", fx.keys.collector_sign.pk,
                                  fx.keys.collector_sign.sk, "127.0.0.1", port);
    REQUIRE(late.ok());
    auto r = pending.get();
    REQUIRE_MESSAGE(r.ok(), describe(r.error(), Lang::En));
    CHECK(r->acknowledged == 3);
}

TEST_CASE("Nobody listening: unreachable, after a bounded number of attempts") {
    Fixture fx(1);
    TempDir tmp;
    auto t = makeTablet(fx, tmp.path / "t1", 0, 1);
    std::string url = "http://127.0.0.1:" + std::to_string(freePort());
    auto start = Clock::now();
    auto r = syncTablet(*t->store, t->device.sk, url, quick(3));
    auto took = Clock::now() - start;
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "sync.unreachable");
    CHECK(r.error().kind == ErrorKind::Busy);
    CHECK(took >= 200ms); // two back-offs of at least 75 and 150 ms
    CHECK(took < 3s);
    CHECK(describe(r.error(), Lang::Zh).find("无法连接汇总机 " + url) == 0);
    CHECK(describe(r.error(), Lang::Zh).find("已试 3 次") != std::string::npos);
    CHECK(describe(r.error(), Lang::En).find("(3 attempts)") != std::string::npos);
    // The default is bounded too: 4 attempts, about 3.5 s of back-off.
    SyncOptions d;
    CHECK(d.hello_attempts == 4);
}

TEST_CASE("A collector that never answers: timed out, named as such") {
    Fixture fx(1);
    TempDir tmp;
    auto t = makeTablet(fx, tmp.path / "t1", 0, 1);
    SilentListener silent; // connections wait in its backlog, unanswered
    std::string url = "http://127.0.0.1:" + std::to_string(silent.port);
    auto start = Clock::now();
    auto r = syncTablet(*t->store, t->device.sk, url, quick(2));
    auto took = Clock::now() - start;
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "sync.timed_out");
    CHECK(took < 5s);
    CHECK(describe(r.error(), Lang::Zh) ==
          "汇总机 " + url + "/v2/hello 在 1 秒内没有回答（已试 2 次）");
    CHECK(describe(r.error(), Lang::En) ==
          "the collector at " + url + "/v2/hello did not answer within 1 s (2 attempts)");
    CHECK(t->store->counts()->acknowledged == 0);
}

TEST_CASE("A collector busy at hello is asked again; still busy, the tablet is told so") {
    Fixture fx(1);
    TempDir tmp;
    auto t = makeTablet(fx, tmp.path / "t1", 0, 1);
    struct Fake {
        std::atomic<int> hellos{0};
        int busy_for = 0;
        std::string digest;
    } fake;
    fake.digest = toHex(fx.package.digest);
    auto handler = [](void* cls, MHD_Connection* c, const char*, const char*, const char*,
                      const char*, size_t*, void**) -> MHD_Result {
        auto* f = static_cast<Fake*>(cls);
        int n = ++f->hellos;
        bool busy = n <= f->busy_for;
        nlohmann::json j =
            busy ? nlohmann::json{{"protocol", 2},
                                  {"status", "error"},
                                  {"reason", "sync.busy"},
                                  {"retry", true},
                                  {"message_zh", tr(Lang::Zh, "sync.busy")},
                                  {"message_en", tr(Lang::En, "sync.busy")}}
                 : nlohmann::json{{"protocol", 2}, {"status", "ok"}, {"campaign", "00"}};
        std::string body = j.dump();
        MHD_Response* r =
            MHD_create_response_from_buffer(body.size(), body.data(), MHD_RESPMEM_MUST_COPY);
        MHD_Result ret = MHD_queue_response(c, busy ? 503 : 200, r);
        MHD_destroy_response(r);
        return ret;
    };
    MHD_Daemon* d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, nullptr, nullptr, handler,
                                     &fake, MHD_OPTION_END);
    REQUIRE(d);
    std::string url = "http://127.0.0.1:" +
                      std::to_string(MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port);

    SUBCASE("busy twice, then an answer: asked three times") {
        fake.busy_for = 2;
        auto r = syncTablet(*t->store, t->device.sk, url, quick(4));
        REQUIRE_FALSE(r.ok()); // the fake names another campaign: refused after hello
        CHECK(r.error().id == "bundle.other_campaign");
        CHECK(fake.hellos.load() == 3);
    }
    SUBCASE("busy every time: stops after the attempts and says it stayed busy") {
        fake.busy_for = 1000;
        auto r = syncTablet(*t->store, t->device.sk, url, quick(3));
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().id == "sync.still_busy");
        CHECK(r.error().kind == ErrorKind::Busy);
        CHECK(fake.hellos.load() == 3);
        CHECK(
            describe(r.error(), Lang::Zh) ==
            "汇总机一直正忙（已试 3 次，最后答复：汇总机正忙，请稍后自动重试），选票仍留在平板上");
        CHECK(describe(r.error(), Lang::En).find("stayed busy (3 attempts") != std::string::npos);
    }
    MHD_stop_daemon(d);
}

TEST_CASE("A malformed collector address is refused at once, without retries") {
    Fixture fx(1);
    TempDir tmp;
    auto t = makeTablet(fx, tmp.path / "t1", 0, 1);
    auto start = Clock::now();
    auto r = syncTablet(*t->store, t->device.sk, "ftp://127.0.0.1:1", quick(4));
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "sync.bad_url");
    CHECK(r.error().kind == ErrorKind::Invalid);
    CHECK(Clock::now() - start < 1s);
}
