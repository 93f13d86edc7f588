// The live view's data: read from the collector store about once a second on a thread of its
// own (its own read-only use of a connection), while `pingyi collector serve` in another
// process, or the console's own import, writes to it.
#pragma once

#include "platform/collector_store.hpp"
#include "platform/publish.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace pingyi::console {

struct LiveDevice {
    std::string label, fingerprint, last_contact;
    std::int64_t held = 0, ledger = 0;
    std::vector<std::string> missing; // receipt codes
};
struct LiveConflict {
    Hash32 tag{};
    std::vector<Hash32> envelopes;
    std::vector<std::string> receipts; // of the envelopes, same order
    bool decided = false;
    std::optional<std::string> counted; // decided: the receipt counted, or none (neither)
    std::string reason;
};
struct LiveSnapshot {
    std::optional<Error> error;
    CollectorCounts counts;
    std::vector<LiveDevice> devices;
    std::vector<LiveConflict> conflicts;
    // Per meeting: envelopes held per category (a token used twice counts once) against the
    // quotas, as the count will check them.
    std::vector<MeetingComposition> meetings;
    // Whether the last count still describes the store (unset: never counted).
    std::optional<Freshness> freshness;
    std::uint64_t generation = 0; // 0: never read
};

// One reading of the store (the poller's work; tests call it directly).
LiveSnapshot readLive(CollectorStore& store);

class Poller {
  public:
    // Opens its own connection to the store in `dir` and reads it every `interval`; `wake` is
    // called (from the poller's thread) when what it read differs from the last reading.
    Poller(fs::path dir, std::chrono::milliseconds interval, std::function<void()> wake);
    ~Poller();
    Poller(const Poller&) = delete;
    Poller& operator=(const Poller&) = delete;

    LiveSnapshot snapshot() const;
    std::uint64_t generation() const;
    void refreshNow(); // reads again as soon as possible

  private:
    void run();
    fs::path dir_;
    std::chrono::milliseconds interval_;
    std::function<void()> wake_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    LiveSnapshot snap_;
    bool stop_ = false, now_ = false;
    std::thread thread_;
};

} // namespace pingyi::console
