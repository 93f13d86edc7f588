// The tablet side of LAN sync: push the envelopes not yet acknowledged, in batches, each with
// the signed ledger; mark acknowledged only what a verified collector acknowledgement names.
// Interrupted at any point and run again, it resumes (import is idempotent at the collector).
#pragma once

#include "platform/tablet_store.hpp"

#include <functional>

namespace pingyi {

struct SyncOptions {
    // Envelopes per request: at most `batch`, and no more than fit in `max_request_bytes` with
    // the certificate and ledger (always at least one). Each request costs a commit at both
    // ends and a pass over the whole ledger at the collector, so batches are large; 4 MiB
    // stays well under the server's 16 MiB limit and takes about 35 s at 1 Mbit/s.
    std::size_t batch = 1000;
    std::size_t max_request_bytes = 4u << 20;
    // The release rule's group (TabletStore::release). Only tests of transport change it: with 1
    // every envelope is released and may be cut from the others (docs/formats.md section 12).
    std::size_t release_group = kReleaseGroup;
    long timeout_seconds = 60; // per request
    unsigned max_attempts = 6; // per batch, for busy/transient failures (backoff doubles)
    long first_backoff_ms = 500;
    // /v1/hello is tiny: a collector that does not answer it soon is not there (or crowded).
    long hello_timeout_seconds = 10;
    unsigned hello_attempts =
        4; // back-off 0.5, 1, 2 s (each ±25 %): about 3.5 s when nobody listens
    std::function<void(std::size_t acknowledged, std::size_t total)> progress;
};

struct SyncReport {
    std::size_t pending = 0;      // released and unacknowledged when the sync started
    std::size_t waiting = 0;      // held back by the release rule (TabletStore::release)
    std::size_t acknowledged = 0; // newly acknowledged now
    std::size_t rejected = 0;     // envelopes the collector refused (reported per receipt)
    std::vector<std::pair<std::string, std::string>> rejections; // receipt, catalog id
};

// The batches syncTablet sends, as end indices into `pending` (in order, the last is
// pending.size()); `fixed_bytes` is what every request holds besides its envelopes. With
// `group_ends` (ReleasePlan::group_ends) a batch is cut only at the end of a group, so a group
// always reaches the collector in one request, even past `batch` or the size budget.
std::vector<std::size_t> planBatches(const std::vector<StoredEnvelope>& pending,
                                     std::size_t fixed_bytes, const SyncOptions& opts,
                                     const std::vector<std::size_t>& group_ends = {});

// Sends the released envelopes not yet acknowledged (TabletStore::release: a meeting's new
// envelopes wait until there are kReleaseGroup of them or the meeting is closed here), with the
// ledger of the release. /v2/hello and every batch are retried with back-off while the trouble is
// passing (busy answers, a connection refused, cut or timed out); a refusal stops at once. Errors:
//   sync.collector_says  the collector refused (its reason id is the last argument):
//                        sync.unknown_device, bundle.other_campaign, sync.too_large, ...
//   sync.still_busy      it kept answering busy (attempts, zh, en, reason)
//   sync.unreachable     nothing answers at the address (url, cause, attempts)
//   sync.timed_out       no answer within the timeout (url, seconds, attempts)
//   sync.dropped         the connection was cut before an answer (url, cause, attempts)
//   sync.bad_url, sync.bad_response, bundle.other_campaign, ack.*, and the store's errors.
// ErrorKind::Busy means "try again later", anything else "do not retry until someone fixes it".
Result<SyncReport> syncTablet(TabletStore& store, const Secret& device_sk, const std::string& url,
                              const SyncOptions& opts = {});

} // namespace pingyi
