// The collector store: one SQLite file (collector.db) in a folder. It holds the campaign
// package and token additions, the enrolled devices that have delivered (certificate and
// largest ledger), every envelope exactly once (keyed by hash), staff decisions on tokens used
// twice (with their log), paper self-appraisal scores, and the last count's results.
#pragma once

#include "core/ack.hpp"
#include "core/envelope.hpp"
#include "core/package.hpp"
#include "core/tally.hpp"
#include "platform/files.hpp"
#include "platform/keyfile.hpp"
#include "platform/sqlite.hpp"

#include <memory>

namespace pingyi {

struct HeldEnvelope {
    Hash32 hash{};
    Hash32 tag{};
    Bytes bytes;
};

struct DeviceInfo {
    PublicKey device{};
    std::string label;
    std::int64_t held = 0;       // envelopes of this device the collector holds
    std::int64_t ledger = 0;     // envelopes its latest ledger names
    std::vector<Hash32> missing; // named by its ledger, not held
    std::string last_contact;    // UTC time of the last import from it (device level only)
};

struct Conflict {
    Hash32 tag{};
    std::vector<Hash32> envelopes;                 // sorted
    std::optional<std::optional<Hash32>> decision; // unset: open; set: chosen (or none)
    std::string reason;
};

struct CollectorCounts {
    std::int64_t envelopes = 0, devices = 0, conflicts = 0, conflicts_open = 0, missing = 0;
};

// A token held more than once, as the store sees it (it cannot open envelopes).
struct ConflictGroup {
    Hash32 tag{};
    std::vector<Hash32> envelopes; // sorted
    bool decided = false;          // a staff decision covers every envelope held now
    std::optional<Hash32> chosen;  // the decision's envelope (unset: neither, or undecided)
};

// What the count opens, read in one pass over the (tag, hash) index.
struct Countable {
    std::vector<Hash32> hashes;        // each tag once (conflicts only when decided), shuffled
    std::vector<ConflictGroup> groups; // every conflict, for the count's proof check
    std::int64_t envelopes = 0;        // every envelope held
    std::int64_t conflicts = 0;        // tags held more than once
    std::int64_t conflicts_open = 0;   // of those, with no decision covering them all
    std::int64_t conflict_envelopes_excluded = 0; // envelopes of conflicts not counted
};

// What the count depends on, as figures that only ever grow: envelopes held (only inserted),
// staff decisions and paper-score changes (their logs), token additions. Two equal marks mean
// nothing the count reads has changed; nothing in it is per envelope.
struct StoreMark {
    std::int64_t envelopes = 0, decisions = 0, paper = 0, additions = 0;
    bool operator==(const StoreMark&) const = default;
    std::string text() const; // "envelopes=39 decisions=1 paper=0 additions=1"
    static std::optional<StoreMark> parse(std::string_view text);
};

// What a paper-score import or removal changed.
struct PaperChange {
    std::size_t stored = 0, replaced = 0, removed = 0;
    std::string meetings; // the meetings touched, "U1/self U2/self"
};
struct PaperLogEntry {
    std::int64_t n = 0;
    std::string action; // import, replace, remove
    std::string meetings;
    std::int64_t rows = 0;
};

// Outcome of storing the envelopes of one verified bundle.
struct StoreOutcome {
    std::size_t added = 0, already = 0;
    LedgerState ledger; // the device's ledger hashes held now (count and set digest)
};

class CollectorStore {
  public:
    static constexpr const char* kFileName = "collector.db";

    // Creates DIR/collector.db for a package; the collector's public keys must be the package's.
    static Result<CollectorStore> create(const fs::path& dir, const Package& package,
                                         const PublicKeys& collector);
    static Result<CollectorStore> open(const fs::path& dir);

    const Package& package() const { return *package_; }
    const Campaign& campaign() const { return package_->body.campaign; }
    const TokenIndex& tokens() const { return tokens_; }
    const fs::path& dir() const { return dir_; }

    Status addTokens(ByteView additions);
    // Reloads the token index if another connection imported token additions since.
    Status refreshTokens();

    // Stores verified envelopes of one device and its ledger (kept if larger than the one
    // held) in one transaction; envelopes already held are counted, not stored again. They are
    // written in hash order, whatever order they came in, so within one import the file holds
    // no order of arrival (across imports it does until the next fold()).
    Result<StoreOutcome> storeVerified(const DeviceCertificate& cert, const Ledger& ledger,
                                       const std::vector<HeldEnvelope>& envelopes,
                                       const std::string& contact_time);

    // Rewrites the store in key order (VACUUM: envelopes by hash) and empties the write-ahead
    // log (a truncating checkpoint), so that neither collector.db nor collector.db-wal keeps the
    // order in which imports arrived; secure_delete zeroes what is freed. Costs about one copy
    // of the store. Importers call it after a run of imports (CLI, console) or when the sync
    // server falls idle. Errors: db.* (db.busy while another connection reads: fold later; the
    // data is unchanged either way).
    Status fold();

    Result<CollectorCounts> counts() const;
    Result<std::vector<DeviceInfo>> devices() const;
    Result<std::vector<Conflict>> conflicts() const;
    // Staff decision on a token used twice: count `chosen` (one of its envelopes) or neither.
    // Logged with the reason; a later decision replaces an earlier one (both stay in the log).
    Status resolveConflict(const Hash32& tag, std::optional<Hash32> chosen,
                           const std::string& reason);

    // The envelopes the count opens: each tag once (conflicts only when decided), shuffled.
    Result<std::vector<Hash32>> countableHashes() const;
    // The same with the conflict figures the count reports, from the same single pass.
    Result<Countable> countable() const;
    // Envelopes named by some device's ledger and not held (CollectorCounts::missing).
    Result<std::int64_t> missingCount() const;
    Result<HeldEnvelope> envelope(const Hash32& hash) const;
    // The token tags of the envelopes held, each once (a token used twice appears once).
    Result<std::vector<Hash32>> heldTags() const;

    // Paper scores for meetings (unit/group) that voted on paper. A CSV replaces every paper
    // score of the meetings it names, in one transaction, logged. Refused (Conflict,
    // paper.meeting_has_ballots) when the store holds electronic envelopes of such a meeting.
    Result<PaperChange> setPaperSelf(const std::vector<PaperSelf>& rows);
    // Removes the paper scores of the units named (all units when empty), logged.
    Result<PaperChange> removePaperSelf(const std::vector<std::string>& units);
    Result<std::vector<PaperSelf>> paperSelf() const;
    Result<std::vector<PaperLogEntry>> paperLog() const;
    // The store's mark now (inside a read transaction: that snapshot's).
    Result<StoreMark> mark() const;

    Status saveResult(std::string_view key, std::string_view json);
    Result<std::optional<std::string>> result(std::string_view key) const;

    Db& db() { return *db_; }
    fs::path file() const { return dir_ / kFileName; }

  private:
    CollectorStore() = default;
    Status loadIndex();
    fs::path dir_;
    std::unique_ptr<Db> db_;
    mutable std::unique_ptr<Stmt> envelope_stmt_; // prepared once, for envelope()
    std::shared_ptr<Package> package_;
    TokenIndex tokens_;
    std::int64_t additions_loaded_ = 0;
};

// Fetches envelope bytes by hash on one connection with one prepared statement, without copying
// (one per count worker). Either on the store's own connection, or on a connection of its own
// (openOwn) whose read transaction runs from begin() to end() or destruction.
//
// Envelope rows are only ever inserted (INSERT OR IGNORE), never updated or deleted, and a row's
// key is the hash of its bytes: a snapshot taken later than another holds every envelope of the
// earlier one with the same bytes. A reader begun after the count's snapshot therefore returns
// exactly what that snapshot holds for every hash the count took from it.
class EnvelopeReader {
  public:
    // Random reads of the whole file are cheapest memory-mapped (no read() call and no copy per
    // page): up to SQLite's limit of just under 2 GiB, the rest is read as usual. openOwn sets
    // it; runCount sets it on the store's connection for the time of the count. The mapped pages
    // are the operating system's file cache (shown in RSS as RssFile, not RssAnon).
    static const char* const kMapForReading;
    static Result<EnvelopeReader> onStore(CollectorStore& store);
    static Result<EnvelopeReader> openOwn(const CollectorStore& store);
    EnvelopeReader(EnvelopeReader&& o) noexcept;
    EnvelopeReader& operator=(EnvelopeReader&&) = delete;
    ~EnvelopeReader();
    // Starts the read transaction of an own connection (and takes its snapshot).
    Status begin();
    void end();
    // The stored bytes; valid until the next fetch. NotFound: collector.no_envelope.
    Result<ByteView> fetch(const Hash32& hash);

  private:
    EnvelopeReader() = default;
    std::unique_ptr<Db> own_;
    Db* db_ = nullptr;
    Stmt stmt_;
    bool in_tx_ = false;
};

} // namespace pingyi
