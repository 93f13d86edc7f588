// The tablet side of LAN sync: push the envelopes not yet acknowledged, in batches, each with
// the signed ledger; mark acknowledged only what a verified collector acknowledgement names.
// Interrupted at any point and run again, it resumes (import is idempotent at the collector).
#pragma once

#include "platform/tablet_store.hpp"

#include <functional>

namespace pingyi {

struct SyncOptions {
    std::size_t batch = 200;   // envelopes per request
    long timeout_seconds = 60; // per request
    unsigned max_attempts = 6; // per batch, for busy/transient failures (backoff doubles)
    long first_backoff_ms = 500;
    std::function<void(std::size_t acknowledged, std::size_t total)> progress;
};

struct SyncReport {
    std::size_t pending = 0;      // unacknowledged when the sync started
    std::size_t acknowledged = 0; // newly acknowledged now
    std::size_t rejected = 0;     // envelopes the collector refused (reported per receipt)
    std::vector<std::pair<std::string, std::string>> rejections; // receipt, catalog id
};

// Errors carry the collector's reason (sync.busy, sync.unknown_device, bundle.other_campaign,
// sync.too_large, sync.malformed) or sync.unreachable / sync.bad_response; ErrorKind::Busy
// means "try again later", anything else means "do not retry until someone fixes it".
Result<SyncReport> syncTablet(TabletStore& store, const Secret& device_sk, const std::string& url,
                              const SyncOptions& opts = {});

} // namespace pingyi
