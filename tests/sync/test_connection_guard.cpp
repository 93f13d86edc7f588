// The sync server's slot policy on its own, with the time given: deadlines, the per-address
// cap that a hotspot's tablets share with a trickler, the soft cap, and the body budget's
// victim. The same policy against the real server: test_server_limits.cpp.
#include "sync/connection_guard.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace pingyi;
using namespace std::chrono_literals;

namespace {
using Clock = ConnectionGuard::Clock;
const Clock::time_point t0 = Clock::now();
const std::uint32_t kHotspot = 0x0a000001, kOther = 0x0a000002;

GuardLimits small() {
    GuardLimits g;
    g.connections = 8; // soft cap 6
    g.per_address = 3;
    g.header = 10s;
    g.request = 60s;
    g.grace = 1s;
    g.min_body_rate = 1000;
    return g;
}
bool has(const std::vector<int>& v, int h) {
    return std::find(v.begin(), v.end(), h) != v.end();
}
} // namespace

TEST_CASE("Headers must be complete by the header deadline, however often a client sends") {
    ConnectionGuard g(small());
    REQUIRE(g.open(1, kOther, t0).accept);
    REQUIRE(g.open(2, kOther, t0).accept);
    g.headers(2); // this one finished its headers; its body has until the request deadline
    CHECK(g.tick(t0 + 9s).late.empty());
    auto cuts = g.tick(t0 + 10s + 1ms);
    CHECK(cuts.late == std::vector<int>{1});
    CHECK(g.tick(t0 + 20s).late.empty()); // each handle is returned once
    CHECK(g.tick(t0 + 60s + 1ms).late == std::vector<int>{2});
    CHECK(g.live() == 0);
    g.close(1);
    g.close(2);
    g.close(77); // unknown: no-op
}

TEST_CASE("The server's own time is not the client's, and a kept-alive connection waits anew") {
    ConnectionGuard g(small());
    REQUIRE(g.open(1, kOther, t0).accept);
    g.headers(1);
    g.handling(1); // importing: never late, never slow
    CHECK(g.tick(t0 + 100s).late.empty());
    g.finished(1, t0 + 100s);
    CHECK(g.tick(t0 + 109s).late.empty());
    CHECK(g.tick(t0 + 110s + 1ms).late == std::vector<int>{1}); // silent until the next one
}

TEST_CASE("At an address's cap a trickler there is cut for a newcomer, a working tablet never") {
    ConnectionGuard g(small());
    REQUIRE(g.open(1, kHotspot, t0).accept); // a trickler: no headers yet
    REQUIRE(g.open(2, kHotspot, t0).accept); // a tablet sending its body at LAN speed
    g.headers(2);
    g.body(2, 1'000'000);
    REQUIRE(g.open(3, kHotspot, t0).accept); // a tablet being answered
    g.headers(3);
    g.handling(3);
    // Even within its grace the trickler goes: it cannot shelter behind reconnecting.
    auto early = g.open(4, kHotspot, t0 + 500ms);
    CHECK(early.accept);
    CHECK(early.cut == std::vector<int>{1});
    // The newcomer waits for its headers; the next newcomer cuts it (the oldest waiting).
    auto next = g.open(5, kHotspot, t0 + 600ms);
    CHECK(next.accept);
    CHECK(next.cut == std::vector<int>{4});
    // Now every connection there makes progress: the next newcomer is refused.
    g.headers(5);
    g.body(5, 100'000);
    auto full = g.open(6, kHotspot, t0 + 700ms);
    CHECK_FALSE(full.accept);
    CHECK(full.cut.empty());
    g.close(6);
    // Another address is not affected by the hotspot's cap.
    CHECK(g.open(7, kOther, t0 + 700ms).accept);
    // A body that falls below the minimum rate past its grace is a victim again.
    auto slow_body = g.open(8, kHotspot, t0 + 1000s);
    CHECK(slow_body.accept);
    CHECK(slow_body.cut.size() == 1);
}

TEST_CASE("Waiting connections past their grace go before younger ones") {
    ConnectionGuard g(small());
    REQUIRE(g.open(1, kHotspot, t0).accept);
    REQUIRE(g.open(2, kHotspot, t0 + 1500ms).accept);
    REQUIRE(g.open(3, kHotspot, t0 + 1600ms).accept);
    auto a = g.open(4, kHotspot, t0 + 1700ms);
    CHECK(a.cut == std::vector<int>{1});
}

TEST_CASE("A body slower than the minimum rate counts as slow, a fast one does not") {
    ConnectionGuard g(small());
    REQUIRE(g.open(1, kOther, t0).accept);
    g.headers(1);
    g.body(1, 500); // 500 bytes in 2 s: under 1000 bytes/s
    REQUIRE(g.open(2, kOther, t0).accept);
    g.headers(2);
    g.body(2, 5000);
    CHECK(g.slowestBody(t0 + 2s) == std::vector<int>{1});
    CHECK(g.slowestBody(t0 + 2s).empty()); // 1 is cut already, 2 keeps up
}

TEST_CASE("Past the soft cap the slowest go first, from the most crowded address") {
    ConnectionGuard g(small()); // soft cap 6
    CHECK(g.softCap() == 6);
    for (int h = 1; h <= 3; ++h)
        REQUIRE(g.open(h, kOther, t0).accept);       // three tricklers on one address
    REQUIRE(g.open(4, kHotspot, t0 + 100ms).accept); // one silent connection elsewhere
    for (int h = 5; h <= 6; ++h) {                   // two working tablets
        REQUIRE(g.open(h, kHotspot + 1 + static_cast<std::uint32_t>(h), t0).accept);
        g.headers(h);
        g.handling(h);
    }
    CHECK(g.live() == 6);
    // A seventh arrives past the grace: one of the crowded address's tricklers makes room.
    auto a = g.open(7, kHotspot + 100, t0 + 2s);
    CHECK(a.accept);
    REQUIRE(a.cut.size() == 1);
    CHECK(a.cut[0] >= 1);
    CHECK(a.cut[0] <= 3);
    CHECK(g.live() == 6);
}

TEST_CASE("A table grown past the soft cap is brought back by the ticker, sparing the young") {
    ConnectionGuard g(small());
    for (int h = 1; h <= 8; ++h) { // all at work when they came: nobody to cut for them
        REQUIRE(g.open(h, kOther + static_cast<std::uint32_t>(h), t0).accept);
        g.headers(h);
        g.handling(h);
    }
    CHECK(g.live() == 8);
    for (int h = 1; h <= 6; ++h) // answered; now idle, kept alive
        g.finished(h, t0);
    CHECK(g.tick(t0 + 500ms).slow.empty()); // within the grace: spared
    auto cuts = g.tick(t0 + 2s);
    CHECK(cuts.late.empty());
    CHECK(cuts.slow.size() == 2);
    CHECK_FALSE(has(cuts.slow, 7));
    CHECK_FALSE(has(cuts.slow, 8));
    CHECK(g.live() == 6);
}
