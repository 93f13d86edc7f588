#include "platform/count.hpp"

#include "core/token.hpp"

#include <algorithm>
#include <thread>

namespace pingyi {

namespace {
struct Worker {
    explicit Worker(const Campaign& c) : tally(c) {}
    Tally tally;
    std::vector<CommentOut> comments;
    std::vector<std::string> receipts, invalid;
    std::map<std::string, std::uint64_t> reasons;

    void run(const std::vector<HeldEnvelope>& batch, std::size_t begin, std::size_t step,
             const BoxKeyPair& key, const Campaign& c, const TokenIndex& tokens) {
        for (std::size_t i = begin; i < batch.size(); i += step) {
            const HeldEnvelope& he = batch[i];
            auto fail = [&](const std::string& why) {
                ++reasons[why];
                invalid.push_back(receiptCode(he.hash));
            };
            auto env = parseEnvelope(he.bytes);
            if (!env) {
                fail(env.error().id);
                continue;
            }
            auto ballot = openEnvelope(*env, key, c);
            if (!ballot) {
                fail(ballot.error().id);
                continue;
            }
            const TokenPlace* place = tokens.find(ballot->token_tag);
            if (!place || place->meeting.id() != ballot->meeting) {
                ballot->wipe();
                fail("count.wrong_meeting");
                continue;
            }
            tally.add(*ballot, place->category);
            for (auto& a : ballot->answers)
                if (!a.comment.empty()) comments.push_back({c.subjects[a.subject].id, a.comment});
            ballot->wipe();
            receipts.push_back(receiptCode(he.hash));
        }
    }
};
} // namespace

Result<CountOutput> runCount(CollectorStore& store, const BoxKeyPair& key,
                             const CountOptions& opts) {
    const Campaign& c = store.campaign();
    if (key.pk != store.package().body.collector_box)
        return Error::make(ErrorKind::Auth, "count.wrong_key");
    // One read transaction: a consistent snapshot even while the sync service keeps importing.
    PY_TRY(store.db().exec("BEGIN"));
    struct EndRead {
        Db& db;
        ~EndRead() { (void)db.exec("COMMIT"); }
    } end_read{store.db()};
    auto paper = store.paperSelf();
    if (!paper) return paper.error();
    auto counts = store.counts();
    if (!counts) return counts.error();
    auto conflicts = store.conflicts();
    if (!conflicts) return conflicts.error();
    auto hashes = store.countableHashes();
    if (!hashes) return hashes.error();

    unsigned threads = std::max(1u, opts.threads);
    std::vector<Worker> workers;
    for (unsigned i = 0; i < threads; ++i)
        workers.emplace_back(c);
    const std::size_t kBatch = 4096;
    std::size_t done = 0;
    for (std::size_t start = 0; start < hashes->size(); start += kBatch) {
        std::size_t end = std::min(hashes->size(), start + kBatch);
        std::vector<HeldEnvelope> batch;
        batch.reserve(end - start);
        for (std::size_t i = start; i < end; ++i) {
            auto e = store.envelope((*hashes)[i]);
            if (!e) return e.error();
            batch.push_back(std::move(*e));
        }
        std::vector<std::thread> pool;
        for (unsigned w = 1; w < threads; ++w)
            pool.emplace_back(
                [&, w] { workers[w].run(batch, w, threads, key, c, store.tokens()); });
        workers[0].run(batch, 0, threads, key, c, store.tokens());
        for (auto& t : pool)
            t.join();
        done = end;
        if (opts.progress) opts.progress(done, hashes->size());
    }

    CountOutput out;
    Tally total(c);
    for (auto& w : workers) {
        total.merge(w.tally);
        out.receipts.insert(out.receipts.end(), w.receipts.begin(), w.receipts.end());
        out.invalid_receipts.insert(out.invalid_receipts.end(), w.invalid.begin(), w.invalid.end());
        for (auto& [k, v] : w.reasons)
            out.accounting.invalid_reasons[k] += v;
        for (auto& cm : w.comments)
            out.comments.push_back(std::move(cm));
    }
    std::sort(out.receipts.begin(), out.receipts.end());
    std::sort(out.invalid_receipts.begin(), out.invalid_receipts.end());
    for (std::size_t i = out.comments.size(); i > 1; --i)
        std::swap(out.comments[i - 1], out.comments[randomBelow(static_cast<std::uint32_t>(i))]);

    auto units = computeResults(c, total, *paper);
    if (!units) return units.error();
    out.units = std::move(*units);
    Accounting& a = out.accounting;
    a.received = static_cast<std::uint64_t>(counts->envelopes);
    a.counted = out.receipts.size();
    a.invalid = out.invalid_receipts.size();
    a.conflicts = static_cast<std::uint64_t>(counts->conflicts);
    a.conflicts_resolved = static_cast<std::uint64_t>(counts->conflicts - counts->conflicts_open);
    for (auto& cf : *conflicts)
        a.conflict_envelopes_excluded +=
            cf.envelopes.size() - (cf.decision && *cf.decision ? 1 : 0);
    a.missing = static_cast<std::uint64_t>(counts->missing);
    out.results = resultsJson(c, store.package().digest, out.units, total, a, out.receipts);
    return out;
}

Status saveCount(CollectorStore& store, const CountOutput& out) {
    nlohmann::json comments = nlohmann::json::array();
    for (auto& cm : out.comments)
        comments.push_back({{"subject", cm.subject}, {"text", cm.text}});
    PY_TRY(store.saveResult("results", out.results.dump()));
    PY_TRY(store.saveResult("comments", comments.dump()));
    return {};
}

} // namespace pingyi
