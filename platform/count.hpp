// The count at the collector: opens every countable envelope in random order on worker
// threads, sets invalid ballots aside with a reason, reduces the rest to scores, and returns the
// results document and the comments (shuffled). Decrypted ballots live only inside a worker
// while they are tallied, and are wiped there.
#pragma once

#include "core/results.hpp"
#include "platform/collector_store.hpp"

#include <functional>

namespace pingyi {

struct CountOptions {
    unsigned threads = 2;
    std::function<void(std::size_t done, std::size_t total)>
        progress; // called from the caller's thread
};

struct CommentOut {
    std::string subject;
    std::string text;
};

// A token held more than once that the count settled by opening its envelopes: only envelopes
// that prove the token can count, so a forged twin never knocks a genuine ballot out. Staff
// decisions apply only among envelopes that prove it.
struct ProofSettlement {
    std::string counted;               // the one envelope that proves the token, or empty
    std::vector<std::string> unproven; // set aside as invalid (their reasons are in accounting)
};

struct CountOutput {
    std::vector<UnitResult> units;
    Accounting accounting;
    std::vector<std::string> receipts;         // counted, sorted
    std::vector<std::string> invalid_receipts; // set aside, sorted
    std::vector<CommentOut> comments;     // shuffled; unsafe characters escaped (escapeUnsafeChars)
    std::vector<ProofSettlement> settled; // token conflicts settled by proof, sorted
    ResultsDocument results;
    StoreMark counted_state; // the store as the count saw it (CollectorStore::mark)
};

// The collector key must be the package's. Errors: count.wrong_key, tally.paper_and_ballots.
Result<CountOutput> runCount(CollectorStore& store, const BoxKeyPair& collector,
                             const CountOptions& opts);

// Stores the results and comments in the collector store (for the results command).
Status saveCount(CollectorStore& store, const CountOutput& out);

} // namespace pingyi
