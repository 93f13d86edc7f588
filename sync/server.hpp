// The collector's HTTP sync service (docs/sync-protocol.md), on libmicrohttpd. It imports
// pushed batches through the same importBundle() as bundle files and answers with
// acknowledgements signed by the collector. Limits are enforced before a body is buffered.
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
    std::size_t max_body = 16u << 20;   // bytes; larger bodies get 413 (chunked ones too)
    unsigned connection_limit = 64;     // open connections at once
    unsigned per_ip_limit = 8;          // open connections from one address
    unsigned idle_timeout_seconds = 10; // a connection silent this long is closed
    unsigned request_seconds = 120;     // a request not complete after this long is dropped
    unsigned threads = 4;
    std::chrono::milliseconds busy_wait{3000}; // wait for the store before answering 503 busy
};

struct ServerStats {
    std::atomic<std::uint64_t> requests{0}, batches{0}, envelopes_added{0}, refused{0}, busy{0};
    std::atomic<std::uint64_t> ledger_entries{0}; // ledger hashes received in accepted batches
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
    void stop();

    struct Impl;

  private:
    explicit SyncServer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace pingyi
