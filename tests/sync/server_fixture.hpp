// Test-only builders for LAN sync tests: a collector store with the real server on loopback,
// and tablets with ballots cast.
#pragma once

#include "platform/collector_store.hpp"
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"
#include "sync/server.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace pingyi::test {

// A collector for fx's campaign, serving on 127.0.0.1 (a free port).
struct Collector {
    Fixture& fx;
    TempDir tmp;
    std::unique_ptr<SyncServer> server;
    explicit Collector(Fixture& f, ServerLimits limits = {});
    std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
    std::int64_t held(); // envelopes in the collector store
};

struct Tab {
    std::optional<TabletStore> store;
    SignKeyPair device = signKeyPair();
    std::vector<Hash32> cast;
};

// A tablet with `n` ballots cast from fx.tokens[first, first + n). Fast fill: not durable.
// Unless `open`, every meeting is closed on it, so that each sync sends all it holds: the tests
// of transport are not about the release rule (tests/sync/test_arrival_order.cpp is).
std::unique_ptr<Tab> makeTablet(Fixture& fx, const std::filesystem::path& dir, std::size_t first,
                                std::size_t n, bool open = false);

} // namespace pingyi::test
