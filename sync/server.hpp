// The collector's HTTP sync service (docs/sync-protocol.md), on libmicrohttpd. It imports
// pushed batches through the same importBundle() as bundle files and answers with
// acknowledgements signed by the collector. Limits are enforced before a body is buffered: a
// connection slot and a share of the body budget are kept only by clients that make progress.
#pragma once

#include "core/crypto.hpp"
#include "core/result.hpp"
#include "platform/files.hpp"

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

namespace pingyi {

struct ServerLimits {
    std::size_t max_body = 16u << 20;    // bytes; larger bodies get 413 (chunked ones too)
    std::size_t body_budget = 32u << 20; // bodies held at once (a chunked one counts as max_body);
                                         // a body that does not fit is answered 503 busy
    unsigned connection_limit = 128;     // open connections at once
    unsigned per_ip_limit = 16;          // open connections from one address (see below)
    unsigned idle_timeout_seconds = 10;  // a connection silent this long is closed
    unsigned header_seconds = 10;        // request line and headers complete within this
    unsigned request_seconds = 120;      // the whole request (headers and body) within this
    // Under pressure (an address at its cap, the table three quarters full, the body budget
    // spent) the slowest connection is cut first: no complete headers after `slow_grace`, or a
    // body arriving slower than `min_body_rate` (sync/connection_guard.hpp).
    std::chrono::milliseconds slow_grace{1000};
    std::size_t min_body_rate = 8 * 1024; // bytes per second
    unsigned threads = 4;
    std::chrono::milliseconds busy_wait{3000}; // wait for the store before answering 503 busy
    // Folding the store (CollectorStore::fold) after imports that added envelopes: once no
    // import came for `fold_idle`, at the latest `fold_every` after the first unfolded one while
    // imports keep coming, and when the server stops. Until then the file and its log hold the
    // order of those imports (each a group of kReleaseGroup or more of a meeting).
    std::chrono::milliseconds fold_idle{2000};
    std::chrono::milliseconds fold_every{60000};
};

struct ServerStats {
    std::atomic<std::uint64_t> requests{0}, batches{0}, envelopes_added{0}, refused{0}, busy{0};
    std::atomic<std::uint64_t> cut_late{0};    // connections cut at a deadline
    std::atomic<std::uint64_t> cut_slow{0};    // the slowest, cut under pressure to make room
    std::atomic<std::uint64_t> crowded{0};     // newcomers refused: their address was full of work
    std::atomic<std::uint64_t> body_busy{0};   // bodies answered 503: the body budget was spent
    std::atomic<std::size_t> peak_buffered{0}; // most body bytes held at once
    std::atomic<std::uint64_t> ledger_entries{0}; // ledger hashes received in accepted batches
    std::atomic<std::uint64_t> folds{0};          // CollectorStore::fold() runs that succeeded
};

class SyncServer {
  public:
    // Opens its own connection to the collector store in store_dir and listens on
    // address:port (port 0 picks a free one). Errors: server.bind_failed naming the address.
    static Result<std::unique_ptr<SyncServer>> start(const fs::path& store_dir,
                                                     const PublicKey& sign_pk, Secret sign_sk,
                                                     const std::string& address, std::uint16_t port,
                                                     const ServerLimits& limits = {});
    ~SyncServer();
    SyncServer(const SyncServer&) = delete;
    SyncServer& operator=(const SyncServer&) = delete;

    std::uint16_t port() const;
    const ServerStats& stats() const;
    std::size_t openConnections() const; // connections now open and not being cut
    // Stops serving; folds the store if an import added envelopes since the last fold.
    void stop();

    struct Impl;

  private:
    explicit SyncServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace pingyi
