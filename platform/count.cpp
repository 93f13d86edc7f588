#include "platform/count.hpp"

#include "core/text.hpp"

#include <nlohmann/json.hpp>

#include "core/token.hpp"

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

namespace pingyi {

namespace {
// The place of a token names the meeting "unit/group" (compared without building the string).
bool sameMeeting(const MeetingRef& m, std::string_view id) {
    return id.size() == m.unit.size() + 1 + m.group.size() && id.starts_with(m.unit) &&
           id[m.unit.size()] == '/' && id.ends_with(m.group);
}

struct Worker {
    explicit Worker(const Campaign& c) : tally(c) {}
    Tally tally;
    std::vector<CommentOut> comments;
    std::vector<std::string> receipts, invalid;
    std::map<std::string, std::uint64_t> reasons;
    std::optional<Error> error;
    Bytes plain; // the opened ballot, reused and wiped after every envelope

    void count(const Hash32& hash, ByteView bytes, const BoxKeyPair& key,
               const BallotReader& reader, const TokenIndex& tokens) {
        auto fail = [&](const std::string& why) {
            ++reasons[why];
            invalid.push_back(receiptCode(hash));
        };
        auto env = parseEnvelopeView(bytes);
        if (!env) return fail(env.error().id);
        auto ballot = openEnvelope(*env, key, reader, plain);
        if (!ballot) return fail(ballot.error().id);
        const TokenPlace* place = tokens.find(ballot->token_tag);
        if (!place || !sameMeeting(place->meeting, ballot->meeting)) {
            ballot->wipe();
            return fail("count.wrong_meeting");
        }
        const Campaign& c = reader.campaign();
        tally.add(*ballot, place->category);
        // Ballots sealed before comments were checked for invisible and control characters
        // still count; their comments reach every report with those characters escaped.
        for (auto& a : ballot->answers)
            if (!a.comment.empty())
                comments.push_back({c.subjects[a.subject].id, escapeUnsafeChars(a.comment)});
        ballot->wipe();
        receipts.push_back(receiptCode(hash));
    }
};

struct ConflictOutcome {
    std::vector<std::string> invalid;             // receipt codes of envelopes that do not prove
    std::map<std::string, std::uint64_t> reasons; // their reasons
    std::vector<ProofSettlement> settled;
    std::uint64_t resolved = 0; // settled by proof, or decided by staff among proven envelopes
    std::uint64_t excluded = 0; // envelopes that prove the token but do not count
};

// Opens every envelope of every conflict (on `envelopes`, inside the count's snapshot) and fixes
// `plan`, the shuffled hashes the count opens: the envelope of a token that exactly one envelope
// proves is counted; a decision counts its choice only if that envelope proves the token.
Result<ConflictOutcome> settleByProof(const std::vector<ConflictGroup>& groups,
                                      std::vector<Hash32>& plan, EnvelopeReader& envelopes,
                                      const BoxKeyPair& key, const BallotReader& reader) {
    ConflictOutcome out;
    Bytes plain;
    std::set<Hash32> drop; // decided choices that do not prove the token
    for (auto& g : groups) {
        std::vector<Hash32> proven;
        std::vector<std::string> unproven;
        for (auto& h : g.envelopes) {
            auto bytes = envelopes.fetch(h);
            if (!bytes) return bytes.error();
            auto env = parseEnvelopeView(*bytes);
            Result<Ballot> ballot =
                env ? openEnvelope(*env, key, reader, plain) : Result<Ballot>(env.error());
            if (ballot) {
                ballot->wipe();
                proven.push_back(h);
                continue;
            }
            ++out.reasons[ballot.error().id];
            out.invalid.push_back(receiptCode(h));
            unproven.push_back(receiptCode(h));
        }
        const bool chosen_proves =
            g.chosen && std::find(proven.begin(), proven.end(), *g.chosen) != proven.end();
        if (g.chosen && !chosen_proves) drop.insert(*g.chosen);
        std::size_t counted = 0;
        if (proven.size() <= 1) {
            ++out.resolved;
            if (proven.size() == 1) {
                counted = 1;
                if (!chosen_proves) { // not in the plan yet: at a random place, like the rest
                    plan.push_back(proven[0]);
                    std::swap(plan.back(),
                              plan[randomBelow(static_cast<std::uint32_t>(plan.size()))]);
                }
            }
            out.settled.push_back({proven.empty() ? "" : receiptCode(proven[0]), unproven});
        } else if (g.decided && (!g.chosen || chosen_proves)) {
            ++out.resolved;
            counted = g.chosen ? 1 : 0;
        }
        out.excluded += proven.size() - counted;
    }
    if (!drop.empty())
        plan.erase(std::remove_if(plan.begin(), plan.end(),
                                  [&](const Hash32& h) { return drop.count(h) > 0; }),
                   plan.end());
    std::sort(out.settled.begin(), out.settled.end(),
              [](const ProofSettlement& a, const ProofSettlement& b) {
                  return a.counted < b.counted ||
                         (a.counted == b.counted && a.unproven < b.unproven);
              });
    return out;
}

// Workers take the shuffled hashes in small chunks, in list order, until none are left.
struct Queue {
    const std::vector<Hash32>& hashes;
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> done{0};
    std::atomic<bool> stop{false};
};
constexpr std::size_t kChunk = 32;
constexpr std::size_t kProgressEvery = 4096;

void work(Worker& w, EnvelopeReader& envelopes, Queue& q, const BoxKeyPair& key,
          const BallotReader& reader, const TokenIndex& tokens,
          const std::function<void(std::size_t, std::size_t)>* progress) {
    const std::size_t total = q.hashes.size();
    std::size_t reported = 0;
    while (!q.stop.load(std::memory_order_relaxed)) {
        std::size_t begin = q.next.fetch_add(kChunk, std::memory_order_relaxed);
        if (begin >= total) break;
        std::size_t end = std::min(total, begin + kChunk);
        for (std::size_t i = begin; i < end; ++i) {
            auto bytes = envelopes.fetch(q.hashes[i]);
            if (!bytes) {
                w.error = bytes.error();
                q.stop = true;
                return;
            }
            w.count(q.hashes[i], *bytes, key, reader, tokens);
        }
        std::size_t done = q.done.fetch_add(end - begin) + (end - begin);
        if (progress && done / kProgressEvery > reported / kProgressEvery && done < total) {
            reported = done;
            (*progress)(done, total);
        }
    }
}
} // namespace

Result<CountOutput> runCount(CollectorStore& store, const BoxKeyPair& key,
                             const CountOptions& opts) {
    const Campaign& c = store.campaign();
    if (key.pk != store.package().body.collector_box)
        return Error::make(ErrorKind::Auth, "count.wrong_key");
    // One read transaction on the store's connection: everything the count decides (which
    // envelopes, the accounting, paper scores) comes from this one snapshot, even while the
    // sync service keeps importing. The first worker fetches on this connection too; the others
    // fetch on connections of their own, begun after this snapshot was taken. Envelopes are
    // only ever added and their key is the hash of their bytes (see EnvelopeReader), so those
    // connections return exactly this snapshot's bytes for every hash taken from it.
    std::int64_t mapped = 0; // the connection's own setting, put back afterwards
    {
        auto st = store.db().prepare("PRAGMA mmap_size");
        if (!st) return st.error();
        if (st->step()) mapped = st->i64(0);
    }
    PY_TRY(store.db().exec(EnvelopeReader::kMapForReading));
    struct EndRead {
        Db& db;
        std::int64_t mapped;
        bool began = false;
        ~EndRead() {
            if (began) (void)db.exec("COMMIT");
            (void)db.exec(("PRAGMA mmap_size=" + std::to_string(mapped)).c_str());
        }
    } end_read{store.db(), mapped};
    PY_TRY(store.db().exec("BEGIN"));
    end_read.began = true;
    auto paper = store.paperSelf(); // the first read: the snapshot starts here
    if (!paper) return paper.error();
    auto mark = store.mark();
    if (!mark) return mark.error();
    auto countable = store.countable();
    if (!countable) return countable.error();
    auto missing = store.missingCount();
    if (!missing) return missing.error();

    unsigned threads = std::max(1u, opts.threads);
    // No more threads than envelopes (each opens a connection).
    threads = static_cast<unsigned>(
        std::min<std::size_t>(threads, std::max<std::size_t>(1, countable->hashes.size())));
    std::vector<EnvelopeReader> readers;
    {
        auto own = EnvelopeReader::onStore(store);
        if (!own) return own.error();
        readers.push_back(std::move(*own));
    }
    for (unsigned w = 1; w < threads; ++w) {
        auto r = EnvelopeReader::openOwn(store);
        if (!r) return r.error();
        PY_TRY(r->begin());
        readers.push_back(std::move(*r));
    }
    const BallotReader reader(c);
    // Token conflicts: every envelope of the token is opened first, and only those that prove
    // the token take part. One that proves it counts on its own, without a staff decision; with
    // two or more, the decision (if any) chooses among them. The others are invalid.
    std::vector<Hash32> plan = std::move(countable->hashes);
    ConflictOutcome conflicts;
    if (!countable->groups.empty()) {
        auto settled = settleByProof(countable->groups, plan, readers[0], key, reader);
        if (!settled) return settled.error();
        conflicts = std::move(*settled);
    }
    const std::vector<Hash32>& hashes = plan;
    std::vector<Worker> workers;
    for (unsigned i = 0; i < threads; ++i)
        workers.emplace_back(c);
    Queue q{hashes};
    {
        std::vector<std::thread> pool;
        for (unsigned w = 1; w < threads; ++w)
            pool.emplace_back(
                [&, w] { work(workers[w], readers[w], q, key, reader, store.tokens(), nullptr); });
        work(workers[0], readers[0], q, key, reader, store.tokens(),
             opts.progress ? &opts.progress : nullptr);
        for (auto& t : pool)
            t.join();
    }
    for (auto& w : workers)
        if (w.error) return *w.error;
    if (opts.progress && !hashes.empty()) opts.progress(hashes.size(), hashes.size());
    readers.clear();

    CountOutput out;
    Tally total(c);
    out.invalid_receipts = std::move(conflicts.invalid);
    out.accounting.invalid_reasons = std::move(conflicts.reasons);
    out.settled = std::move(conflicts.settled);
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
    a.received = static_cast<std::uint64_t>(countable->envelopes);
    a.counted = out.receipts.size();
    a.invalid = out.invalid_receipts.size();
    a.conflicts = static_cast<std::uint64_t>(countable->conflicts);
    a.conflicts_resolved = conflicts.resolved;
    a.conflict_envelopes_excluded = conflicts.excluded;
    a.missing = static_cast<std::uint64_t>(*missing);
    out.results = buildResults(c, store.package().digest, out.units, total, a, out.receipts);
    out.counted_state = *mark;
    return out;
}

Status saveCount(CollectorStore& store, const CountOutput& out) {
    nlohmann::json comments = nlohmann::json::array();
    for (auto& cm : out.comments)
        comments.push_back({{"subject", cm.subject}, {"text", cm.text}});
    PY_TRY(store.saveResult("results", encodeResults(out.results).dump()));
    PY_TRY(store.saveResult("comments", comments.dump()));
    PY_TRY(store.saveResult("state", out.counted_state.text()));
    return {};
}

} // namespace pingyi
