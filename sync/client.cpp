#include "sync/client.hpp"
#include "core/json_util.hpp"

#include "core/ack.hpp"
#include "core/crypto.hpp"
#include "sync/bundle.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <thread>

namespace pingyi {

using nlohmann::json;

namespace {
std::once_flag curl_once;

size_t collect(char* p, size_t size, size_t n, void* user) {
    auto* out = static_cast<std::string*>(user);
    if (out->size() + size * n > (8u << 20)) return 0; // a collector answer is small
    out->append(p, size * n);
    return size * n;
}

struct Http {
    long status = 0;
    std::string body;
};

// What went wrong on the way, told apart for the person at the tablet: the collector cannot
// be reached, did not answer in time, or cut the connection (it does that when it is crowded).
Error transportError(CURLcode rc, const std::string& url, long timeout) {
    const char* what = curl_easy_strerror(rc);
    // (if, not switch: libcurl's error enum has ~100 values, and -Wswitch-enum wants them all)
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
        return Error::make(ErrorKind::Invalid, "sync.bad_url", {url, what});
    if (rc == CURLE_OPERATION_TIMEDOUT)
        return Error::make(ErrorKind::Busy, "sync.timed_out", {url, std::to_string(timeout)});
    if (rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
        rc == CURLE_PARTIAL_FILE)
        return Error::make(ErrorKind::Busy, "sync.dropped", {url, what});
    return Error::make(ErrorKind::Busy, "sync.unreachable", {url, what});
}

// One libcurl handle for a whole sync: its connection is kept alive from request to request.
class Curl {
  public:
    Curl() {
        std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
        h_ = curl_easy_init();
    }
    ~Curl() {
        if (h_) curl_easy_cleanup(h_);
    }
    Curl(const Curl&) = delete;
    Curl& operator=(const Curl&) = delete;

    Result<Http> perform(const std::string& url, const Bytes* post, long timeout) {
        if (!h_) return Error::make(ErrorKind::Internal, "sync.unreachable", {url, "curl", "1"});
        curl_easy_reset(h_); // options only: live connections stay
        Http r;
        curl_easy_setopt(h_, CURLOPT_URL, url.c_str());
        curl_easy_setopt(h_, CURLOPT_WRITEFUNCTION, &collect);
        curl_easy_setopt(h_, CURLOPT_WRITEDATA, &r.body);
        curl_easy_setopt(h_, CURLOPT_TIMEOUT, timeout);
        curl_easy_setopt(h_, CURLOPT_CONNECTTIMEOUT, std::min(timeout, 10L));
        curl_easy_setopt(h_, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h_, CURLOPT_PROTOCOLS_STR, "http,https");
        curl_slist* headers = nullptr;
        if (post) {
            headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
            headers = curl_slist_append(headers, "Expect:");
            curl_easy_setopt(h_, CURLOPT_HTTPHEADER, headers);
            curl_easy_setopt(h_, CURLOPT_POSTFIELDS, post->data());
            curl_easy_setopt(h_, CURLOPT_POSTFIELDSIZE_LARGE,
                             static_cast<curl_off_t>(post->size()));
        }
        CURLcode rc = curl_easy_perform(h_);
        curl_easy_getinfo(h_, CURLINFO_RESPONSE_CODE, &r.status);
        curl_slist_free_all(headers);
        if (rc != CURLE_OK) return transportError(rc, url, timeout);
        return r;
    }

  private:
    CURL* h_ = nullptr;
};

// The collector's error answer as an Error: Busy when it says retry.
Error answerError(const Http& r, const std::string& url) {
    json j = json::parse(r.body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("reason"))
        return Error::make(r.status >= 500 ? ErrorKind::Busy : ErrorKind::Invalid,
                           "sync.bad_response", {url, std::to_string(r.status)});
    // The collector describes the problem in both languages; its reason id is kept for callers.
    return Error::make(
        jsonBool(j, "retry", false) ? ErrorKind::Busy : ErrorKind::Invalid, "sync.collector_says",
        {jsonText(j, "message_zh"), jsonText(j, "message_en"), jsonText(j, "reason")});
}

// A retryable error after the last attempt: the same problem, with the number of attempts.
Error gaveUp(Error e, unsigned attempts) {
    if (e.kind != ErrorKind::Busy) return e;
    if (e.id == "sync.collector_says" && e.args.size() == 3)
        return Error::make(ErrorKind::Busy, "sync.still_busy",
                           {std::to_string(attempts), e.args[0], e.args[1], e.args[2]});
    if (e.id == "sync.unreachable" || e.id == "sync.timed_out" || e.id == "sync.dropped")
        e.args.push_back(std::to_string(attempts));
    return e;
}

// One request, answered 200, or the error after `attempts` tries; busy answers and transport
// failures are retried after a back-off that doubles (with a random quarter either way, so
// that tablets turned away together do not come back together), refusals are not.
Result<Http> exchange(Curl& curl, const std::string& url, const Bytes* post, long timeout,
                      unsigned attempts, long first_backoff_ms) {
    long backoff = std::max(first_backoff_ms, 1L);
    for (unsigned attempt = 1;; ++attempt) {
        auto r = curl.perform(url, post, timeout);
        if (r && r->status == 200) return r;
        Error err = r ? answerError(*r, url) : r.error();
        if (err.kind != ErrorKind::Busy || attempt >= std::max(attempts, 1u))
            return gaveUp(std::move(err), attempt);
        long jitter = static_cast<long>(randomBelow(static_cast<std::uint32_t>(backoff / 2 + 1)));
        std::this_thread::sleep_for(std::chrono::milliseconds(backoff - backoff / 4 + jitter));
        backoff = std::min(backoff * 2, 30000L);
    }
}
// The bytes of plan.unacknowledged, in its order (by meeting, in groups), and the ends of its
// groups in that list.
struct Released {
    std::vector<StoredEnvelope> envelopes;
    std::vector<std::size_t> group_ends;
};
Result<Released> releasedEnvelopes(const TabletStore& store, const ReleasePlan& plan) {
    auto all = store.envelopes(true);
    if (!all) return all.error();
    std::map<Hash32, std::size_t> at;
    for (std::size_t i = 0; i < all->size(); ++i)
        at[(*all)[i].hash] = i;
    Released out;
    out.envelopes.reserve(plan.unacknowledged.size());
    std::size_t g = 0;
    for (std::size_t i = 0; i < plan.unacknowledged.size(); ++i) {
        // One acknowledged meanwhile (by another sync) is not sent again.
        if (auto it = at.find(plan.unacknowledged[i]); it != at.end())
            out.envelopes.push_back(std::move((*all)[it->second]));
        if (g < plan.group_ends.size() && plan.group_ends[g] == i + 1) {
            if (out.group_ends.empty() || out.group_ends.back() < out.envelopes.size())
                out.group_ends.push_back(out.envelopes.size());
            ++g;
        }
    }
    return out;
}
} // namespace

std::vector<std::size_t> planBatches(const std::vector<StoredEnvelope>& pending,
                                     std::size_t fixed_bytes, const SyncOptions& opts,
                                     const std::vector<std::size_t>& group_ends) {
    std::vector<std::size_t> ends;
    const std::size_t most = std::max<std::size_t>(opts.batch, 1);
    // Room for envelopes; a very long ledger still leaves a quarter of the budget for them.
    const std::size_t room =
        std::max(opts.max_request_bytes > fixed_bytes ? opts.max_request_bytes - fixed_bytes : 0,
                 opts.max_request_bytes / 4);
    // Where a batch may end: after any envelope, or only at the end of a group.
    std::vector<bool> may_end(pending.size() + 1, group_ends.empty());
    for (std::size_t e : group_ends)
        if (e <= pending.size()) may_end[e] = true;
    std::size_t count = 0, bytes = 0, last_end = 0, last_ok = 0;
    for (std::size_t i = 0; i < pending.size(); ++i) {
        std::size_t size = pending[i].bytes.size() + 4; // blob32: length and bytes
        if (count > 0 && (count >= most || bytes + size > room)) {
            // Cut at the last group end inside this batch; with none, the group runs on.
            std::size_t cut = may_end[i] ? i : last_ok;
            if (cut > last_end) {
                ends.push_back(cut);
                count = i - cut;
                bytes = 0;
                for (std::size_t k = cut; k < i; ++k)
                    bytes += pending[k].bytes.size() + 4;
                last_end = cut;
            }
        }
        ++count;
        bytes += size;
        if (may_end[i + 1]) last_ok = i + 1;
    }
    if (pending.size() > last_end) ends.push_back(pending.size());
    return ends;
}

Result<SyncReport> syncTablet(TabletStore& store, const Secret& device_sk, const std::string& base,
                              const SyncOptions& opts) {
    std::string url = base;
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    SyncReport report;
    Curl curl;
    auto hello = exchange(curl, url + "/v2/hello", nullptr, opts.hello_timeout_seconds,
                          opts.hello_attempts, opts.first_backoff_ms);
    if (!hello) return hello.error();
    json hj = json::parse(hello->body, nullptr, false);
    if (hj.is_discarded() || jsonInt(hj, "protocol", 0) != 2)
        return Error::make(ErrorKind::Invalid, "sync.bad_response",
                           {url, std::to_string(hello->status)});
    if (jsonText(hj, "campaign") != toHex(store.package().digest))
        return Error::make(ErrorKind::Invalid, "bundle.other_campaign");

    // Only what the release rule lets go, in its groups; the ledger names only released
    // envelopes, so that the collector never learns of one still waiting.
    auto plan = store.release(opts.release_group);
    if (!plan) return plan.error();
    report.waiting = plan->waiting;
    auto released = releasedEnvelopes(store, *plan);
    if (!released) return released.error();
    const std::vector<StoredEnvelope>* pending = &released->envelopes;
    report.pending = pending->size();
    const Bytes ledger = store.ledger(device_sk, plan->released);
    auto whole = decodeLedger(ledger);
    if (!whole) return whole.error();
    const LedgerState mine{whole->total, whole->set_digest};
    const PublicKey& collector = store.package().body.collector_sign;
    // Magic, version, campaign, lengths, count and signature: under 128 bytes.
    const std::size_t fixed = store.certificate().bytes.size() + ledger.size() + 128;
    // Which ledger entries each request carries (docs/sync-protocol.md): the first names every
    // envelope not yet acknowledged (the collector holds the others' entries: it stored them with
    // the ledger that named them). Once an acknowledgement shows the collector holds the whole
    // ledger, each request names only its own envelopes; until then, the whole ledger.
    auto part = [&](const std::vector<StoredEnvelope>& envs) {
        std::vector<Hash32> named;
        named.reserve(envs.size());
        for (auto& e : envs)
            named.push_back(e.hash);
        return encodeLedgerPart(store.package().digest, store.device(), mine.count, mine.digest,
                                std::move(named), device_sk);
    };
    bool collector_has_all = false, sent_whole = false;
    auto send = [&](const std::vector<StoredEnvelope>& batch, const Bytes& ledger_bytes) -> Status {
        Bytes body = encodeBundle(store.package().digest, store.certificate().bytes, ledger_bytes,
                                  batch, device_sk);
        auto r = exchange(curl, url + "/v2/sync", &body, opts.timeout_seconds, opts.max_attempts,
                          opts.first_backoff_ms);
        if (!r) return r.error();
        json j = json::parse(r->body, nullptr, false);
        Bytes ack_bytes;
        if (j.is_discarded() || jsonText(j, "status") != "ok" ||
            !fromHex(jsonText(j, "ack"), ack_bytes))
            return Error::make(ErrorKind::Invalid, "sync.bad_response", {url, "200"});
        auto ack = decodeAck(ack_bytes, collector, store.package().digest, store.device());
        if (!ack) return ack.error(); // a fake or confused collector: forget nothing
        collector_has_all = ack->ledger == mine;
        // Only envelopes of this batch that the acknowledgement names are marked.
        std::vector<Hash32> acked;
        for (auto& e : batch)
            if (std::binary_search(ack->hashes.begin(), ack->hashes.end(), e.hash))
                acked.push_back(e.hash);
        PY_TRY(store.markAcknowledged(acked));
        report.acknowledged += acked.size();
        if (j.contains("rejected") && j["rejected"].is_array())
            for (auto& x : j["rejected"])
                report.rejections.push_back({jsonText(x, "receipt"), jsonText(x, "reason")});
        report.rejected = report.rejections.size();
        return {};
    };
    std::size_t start = 0;
    for (std::size_t end : planBatches(*pending, fixed, opts, released->group_ends)) {
        std::vector<StoredEnvelope> batch(pending->begin() + static_cast<std::ptrdiff_t>(start),
                                          pending->begin() + static_cast<std::ptrdiff_t>(end));
        const bool first = start == 0;
        Bytes ledger_bytes = collector_has_all ? part(batch) : first ? part(*pending) : ledger;
        sent_whole = sent_whole || (!collector_has_all && !first);
        PY_TRY(send(batch, ledger_bytes));
        if (opts.progress) opts.progress(report.acknowledged, report.pending);
        start = end;
    }
    // The collector lacks entries of envelopes it acknowledged before (a restored or new
    // collector store): one more request, with no envelope, gives it the whole ledger, so that it
    // names every missing envelope.
    if (!pending->empty() && !collector_has_all && !sent_whole) PY_TRY(send({}, ledger));
    return report;
}

} // namespace pingyi
