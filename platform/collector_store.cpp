#include "platform/collector_store.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace pingyi {

namespace {
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS additions(digest BLOB PRIMARY KEY, bytes BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS devices(
  device BLOB PRIMARY KEY, label TEXT NOT NULL, certificate BLOB NOT NULL,
  ledger BLOB, ledger_count INTEGER NOT NULL DEFAULT 0, last_contact TEXT) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS envelopes(
  hash BLOB PRIMARY KEY, device BLOB NOT NULL, tag BLOB NOT NULL, bytes BLOB NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS envelopes_tag ON envelopes(tag);
CREATE INDEX IF NOT EXISTS envelopes_device ON envelopes(device);
CREATE TABLE IF NOT EXISTS ledger_hashes(device BLOB NOT NULL, hash BLOB NOT NULL,
  PRIMARY KEY(device, hash)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS decisions(tag BLOB PRIMARY KEY, chosen BLOB, reason TEXT NOT NULL,
  covered INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS decision_log(n INTEGER PRIMARY KEY, tag BLOB NOT NULL, chosen BLOB,
  reason TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS paper_self(subject TEXT NOT NULL, grp TEXT NOT NULL,
  hundredths INTEGER NOT NULL, ballots INTEGER NOT NULL, PRIMARY KEY(subject, grp)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS paper_log(n INTEGER PRIMARY KEY, action TEXT NOT NULL,
  meetings TEXT NOT NULL, rows INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS results(key TEXT PRIMARY KEY, json TEXT NOT NULL) WITHOUT ROWID;
)sql";
constexpr const char* kSchemaVersion = "pingyi-collector/2";

template <class T> bool toFixed(ByteView v, T& out) {
    if (v.size() != out.size()) return false;
    std::copy(v.begin(), v.end(), out.begin());
    return true;
}
} // namespace

Result<CollectorStore> CollectorStore::create(const fs::path& dir, const Package& package,
                                              const PublicKeys& collector) {
    if (collector.role != KeyRole::Collector)
        return Error::make(ErrorKind::Invalid, "key.wrong_role",
                           {keyRoleName(collector.role), "collector"});
    if (collector.box != package.body.collector_box ||
        collector.sign != package.body.collector_sign)
        return Error::make(ErrorKind::Invalid, "collector.other_keys");
    PY_TRY(ensureDirectory(dir));
    fs::path file = dir / kFileName;
    std::error_code ec;
    if (fs::exists(file, ec))
        return Error::make(ErrorKind::Conflict, "store.exists", {file.string()});
    {
        auto db = Db::open(file.string(), true);
        if (!db) return db.error();
        Transaction tx(*db);
        PY_TRY(tx.begin());
        PY_TRY(db->exec(kSchema));
        PY_TRY(putMeta(*db, "schema", view(std::string_view(kSchemaVersion))));
        PY_TRY(putMeta(*db, "package", package.bytes));
        PY_TRY(tx.commit());
    }
    return open(dir);
}

Result<CollectorStore> CollectorStore::open(const fs::path& dir) {
    fs::path file = dir / kFileName;
    std::error_code ec;
    if (!fs::exists(file, ec))
        return Error::make(ErrorKind::NotFound, "collector.not_found", {dir.string()});
    CollectorStore s;
    s.dir_ = dir;
    auto db = Db::open(file.string(), false);
    if (!db) return db.error();
    s.db_ = std::make_unique<Db>(std::move(*db));
    auto schema = getMeta(*s.db_, "schema");
    if (!schema) return schema.error();
    if (!*schema || std::string((*schema)->begin(), (*schema)->end()) != kSchemaVersion)
        return Error::make(ErrorKind::Invalid, "store.bad_schema", {file.string()});
    auto pkg = getMeta(*s.db_, "package");
    if (!pkg) return pkg.error();
    if (!*pkg)
        return Error::make(ErrorKind::Invalid, "store.incomplete", {file.string(), "package"});
    auto package = decodePackage(**pkg);
    if (!package) return package.error();
    s.package_ = std::make_shared<Package>(std::move(*package));
    PY_TRY(s.loadIndex());
    return s;
}

Status CollectorStore::loadIndex() {
    tokens_ = TokenIndex();
    tokens_.add(campaign(), package_->body.tokens);
    auto st = db_->prepare("SELECT bytes FROM additions");
    if (!st) return st.error();
    additions_loaded_ = 0;
    while (st->step()) {
        auto a = decodeAdditions(st->blobView(0), *package_);
        if (!a) return a.error();
        tokens_.add(campaign(), a->tokens);
        ++additions_loaded_;
    }
    if (st->error()) return *st->error();
    return {};
}

Status CollectorStore::refreshTokens() {
    auto st = db_->prepare("SELECT count(*) FROM additions");
    if (!st) return st.error();
    std::int64_t n = st->step() ? st->i64(0) : 0;
    if (st->error()) return *st->error();
    return n == additions_loaded_ ? Status() : loadIndex();
}

Status CollectorStore::addTokens(ByteView additions) {
    auto a = decodeAdditions(additions, *package_);
    if (!a) return a.error();
    if (tokens_.clashes(a->tokens)) return Error::make(ErrorKind::Invalid, "additions.moves_token");
    auto st = db_->prepare("INSERT OR IGNORE INTO additions(digest, bytes) VALUES(?, ?)");
    if (!st) return st.error();
    st->bind(1, a->digest).bind(2, a->bytes);
    PY_TRY(st->run());
    return loadIndex();
}

Result<StoreOutcome> CollectorStore::storeVerified(const DeviceCertificate& cert,
                                                   const Ledger& ledger,
                                                   const std::vector<HeldEnvelope>& envelopes,
                                                   const std::string& contact_time) {
    StoreOutcome out;
    Transaction tx(*db_);
    PY_TRY(tx.begin());
    {
        auto st = db_->prepare(
            "INSERT INTO devices(device, label, certificate, last_contact) VALUES(?, ?, ?, ?) "
            "ON CONFLICT(device) DO UPDATE SET last_contact = excluded.last_contact");
        if (!st) return st.error();
        st->bind(1, cert.device).bind(2, cert.label).bind(3, cert.bytes).bind(4, contact_time);
        PY_TRY(st->run());
    }
    {
        auto cur = db_->prepare("SELECT ledger_count FROM devices WHERE device = ?");
        if (!cur) return cur.error();
        cur->bind(1, cert.device);
        std::int64_t held_count = cur->step() ? cur->i64(0) : 0;
        if (static_cast<std::int64_t>(ledger.total) > held_count) {
            auto up =
                db_->prepare("UPDATE devices SET ledger = ?, ledger_count = ? WHERE device = ?");
            if (!up) return up.error();
            up->bind(1, ledger.bytes)
                .bind(2, static_cast<std::int64_t>(ledger.total))
                .bind(3, cert.device);
            PY_TRY(up->run());
        }
        // Every hash any verified ledger of the device ever named is kept, whatever its size:
        // a restored or rolled-back tablet may send a smaller ledger naming new envelopes. A
        // ledger part names only what this collector may lack (the tablet knows the rest is held
        // from the ledger state of the last acknowledgement).
        auto ins = db_->prepare("INSERT OR IGNORE INTO ledger_hashes(device, hash) VALUES(?, ?)");
        if (!ins) return ins.error();
        for (auto& h : ledger.hashes) {
            (void)ins->reset();
            ins->bind(1, cert.device).bind(2, h);
            PY_TRY(ins->run());
        }
        // What the acknowledgement reports: a read of the device's (device, hash) key range.
        auto held = db_->prepare("SELECT hash FROM ledger_hashes WHERE device = ? ORDER BY hash");
        if (!held) return held.error();
        held->bind(1, cert.device);
        std::vector<Hash32> named;
        while (held->step()) {
            Hash32 h{};
            if (!toFixed(held->blobView(0), h))
                return Error::make(ErrorKind::Invalid, "db.corrupt",
                                   {db_->name(), "ledger_hashes"});
            named.push_back(h);
        }
        if (held->error()) return *held->error();
        out.ledger = {static_cast<std::uint32_t>(named.size()), ledgerSetDigest(named)};
    }
    auto ins = db_->prepare(
        "INSERT OR IGNORE INTO envelopes(hash, device, tag, bytes) VALUES(?, ?, ?, ?)");
    if (!ins) return ins.error();
    // In hash order: SQLite places each new row where free space is (overflow pages at the end
    // of the file), so the order of insertion is the order of the bytes in the file and the log.
    std::vector<const HeldEnvelope*> sorted;
    sorted.reserve(envelopes.size());
    for (auto& e : envelopes)
        sorted.push_back(&e);
    std::sort(sorted.begin(), sorted.end(),
              [](const HeldEnvelope* a, const HeldEnvelope* b) { return a->hash < b->hash; });
    for (const HeldEnvelope* p : sorted) {
        const HeldEnvelope& e = *p;
        (void)ins->reset();
        ins->bind(1, e.hash).bind(2, cert.device).bind(3, e.tag).bind(4, e.bytes);
        PY_TRY(ins->run());
        if (sqlite3_changes(db_->raw()) > 0)
            ++out.added;
        else
            ++out.already;
    }
    PY_TRY(tx.commit());
    return out;
}

Status CollectorStore::fold() {
    PY_TRY(db_->exec("VACUUM"));
    return db_->checkpointTruncate();
}

Result<CollectorCounts> CollectorStore::counts() const {
    CollectorCounts c;
    auto q = [&](const char* sql, std::int64_t& v) -> Status {
        auto st = db_->prepare(sql);
        if (!st) return st.error();
        if (st->step()) v = st->i64(0);
        if (st->error()) return *st->error();
        return {};
    };
    PY_TRY(q("SELECT count(*) FROM envelopes", c.envelopes));
    PY_TRY(q("SELECT count(*) FROM devices", c.devices));
    PY_TRY(q("SELECT count(*) FROM (SELECT tag FROM envelopes GROUP BY tag HAVING count(*) > 1)",
             c.conflicts));
    PY_TRY(q("SELECT count(*) FROM (SELECT tag, count(*) AS n FROM envelopes GROUP BY tag HAVING n "
             "> 1) t "
             "WHERE NOT EXISTS (SELECT 1 FROM decisions d WHERE d.tag = t.tag AND d.covered = t.n)",
             c.conflicts_open));
    auto missing = missingCount();
    if (!missing) return missing.error();
    c.missing = *missing;
    return c;
}

// A hash names its device: the device key is inside the signed bytes it hashes, and the import
// stores an envelope only under the device that signed it. So "held" can be asked of the compact
// (device, hash) index, in the order of ledger_hashes' own key, instead of the envelope rows.
Result<std::int64_t> CollectorStore::missingCount() const {
    auto st = db_->prepare("SELECT count(*) FROM ledger_hashes l WHERE NOT EXISTS "
                           "(SELECT 1 FROM envelopes e INDEXED BY envelopes_device "
                           "WHERE e.device = l.device AND e.hash = l.hash)");
    if (!st) return st.error();
    std::int64_t n = st->step() ? st->i64(0) : 0;
    if (st->error()) return *st->error();
    return n;
}

Result<std::vector<DeviceInfo>> CollectorStore::devices() const {
    auto st =
        db_->prepare("SELECT d.device, d.label, d.ledger_count, coalesce(d.last_contact, ''), "
                     "(SELECT count(*) FROM envelopes e WHERE e.device = d.device) FROM devices d "
                     "ORDER BY d.label");
    if (!st) return st.error();
    std::vector<DeviceInfo> out;
    while (st->step()) {
        DeviceInfo d;
        if (!toFixed(st->blobView(0), d.device))
            return Error::make(ErrorKind::Invalid, "db.corrupt", {db_->name(), "device"});
        d.label = st->text(1);
        d.ledger = st->i64(2);
        d.last_contact = st->text(3);
        d.held = st->i64(4);
        out.push_back(std::move(d));
    }
    if (st->error()) return *st->error();
    auto miss = db_->prepare("SELECT l.hash FROM ledger_hashes l WHERE l.device = ? AND NOT EXISTS "
                             "(SELECT 1 FROM envelopes e INDEXED BY envelopes_device "
                             "WHERE e.device = l.device AND e.hash = l.hash) ORDER BY l.hash");
    if (!miss) return miss.error();
    for (auto& d : out) {
        (void)miss->reset();
        miss->bind(1, d.device);
        while (miss->step()) {
            Hash32 h{};
            if (toFixed(miss->blobView(0), h)) d.missing.push_back(h);
        }
        if (miss->error()) return *miss->error();
    }
    return out;
}

Result<std::vector<Conflict>> CollectorStore::conflicts() const {
    auto st = db_->prepare("SELECT e.tag, e.hash, d.tag IS NOT NULL, d.chosen, coalesce(d.reason, "
                           "'') FROM envelopes e "
                           "LEFT JOIN decisions d ON d.tag = e.tag AND d.covered = "
                           "(SELECT count(*) FROM envelopes x WHERE x.tag = e.tag) "
                           "WHERE e.tag IN (SELECT tag FROM envelopes GROUP BY tag HAVING count(*) "
                           "> 1) ORDER BY e.tag, e.hash");
    if (!st) return st.error();
    std::vector<Conflict> out;
    while (st->step()) {
        Hash32 tag{}, h{};
        if (!toFixed(st->blobView(0), tag) || !toFixed(st->blobView(1), h))
            return Error::make(ErrorKind::Invalid, "db.corrupt", {db_->name(), "envelopes"});
        if (out.empty() || out.back().tag != tag) {
            Conflict c;
            c.tag = tag;
            if (st->i64(2)) {
                auto chosen = st->blobView(3);
                Hash32 ch{};
                c.decision = chosen.size() == 32 && toFixed(chosen, ch) ? std::optional<Hash32>(ch)
                                                                        : std::nullopt;
                c.reason = st->text(4);
            }
            out.push_back(std::move(c));
        }
        out.back().envelopes.push_back(h);
    }
    if (st->error()) return *st->error();
    return out;
}

Status CollectorStore::resolveConflict(const Hash32& tag, std::optional<Hash32> chosen,
                                       const std::string& reason) {
    if (trim(reason).empty()) return Error::make(ErrorKind::Invalid, "conflict.no_reason");
    auto all = conflicts();
    if (!all) return all.error();
    const Conflict* c = nullptr;
    for (auto& x : *all)
        if (x.tag == tag) c = &x;
    if (!c) return Error::make(ErrorKind::NotFound, "conflict.not_found");
    if (chosen &&
        std::find(c->envelopes.begin(), c->envelopes.end(), *chosen) == c->envelopes.end())
        return Error::make(ErrorKind::Invalid, "conflict.not_member");
    Transaction tx(*db_);
    PY_TRY(tx.begin());
    auto st = db_->prepare(
        "INSERT OR REPLACE INTO decisions(tag, chosen, reason, covered) VALUES(?, ?, ?, ?)");
    if (!st) return st.error();
    st->bind(1, tag);
    if (chosen) st->bind(2, *chosen);
    st->bind(3, reason).bind(4, static_cast<std::int64_t>(c->envelopes.size()));
    PY_TRY(st->run());
    auto log = db_->prepare("INSERT INTO decision_log(tag, chosen, reason) VALUES(?, ?, ?)");
    if (!log) return log.error();
    log->bind(1, tag);
    if (chosen) log->bind(2, *chosen);
    log->bind(3, reason);
    PY_TRY(log->run());
    return tx.commit();
}

Result<std::vector<Hash32>> CollectorStore::countableHashes() const {
    auto c = countable();
    if (!c) return c.error();
    return std::move(c->hashes);
}

Result<Countable> CollectorStore::countable() const {
    // Decisions are few (one per token used twice); the envelopes are read once, as (tag, hash)
    // pairs from the tag index, grouped by tag.
    struct Decision {
        std::int64_t covered = 0;
        std::optional<Hash32> chosen;
    };
    std::map<Hash32, Decision> decisions;
    {
        auto st = db_->prepare("SELECT tag, chosen, covered FROM decisions");
        if (!st) return st.error();
        while (st->step()) {
            Hash32 tag{}, ch{};
            if (!toFixed(st->blobView(0), tag))
                return Error::make(ErrorKind::Invalid, "db.corrupt", {db_->name(), "decisions"});
            Decision d;
            d.covered = st->i64(2);
            if (toFixed(st->blobView(1), ch)) d.chosen = ch;
            decisions[tag] = d;
        }
        if (st->error()) return *st->error();
    }
    auto st = db_->prepare("SELECT tag, hash FROM envelopes INDEXED BY envelopes_tag ORDER BY tag");
    if (!st) return st.error();
    Countable out;
    Hash32 tag{};
    std::vector<Hash32> group;
    auto close = [&] {
        if (group.size() == 1) {
            out.hashes.push_back(group[0]);
        } else if (group.size() > 1) {
            // A token used twice counts only as decided for all its envelopes held now.
            ++out.conflicts;
            auto d = decisions.find(tag);
            bool decided = d != decisions.end() &&
                           d->second.covered == static_cast<std::int64_t>(group.size());
            if (!decided) ++out.conflicts_open;
            bool chosen = decided && d->second.chosen;
            out.groups.push_back({tag, group, decided, chosen ? d->second.chosen : std::nullopt});
            out.conflict_envelopes_excluded +=
                static_cast<std::int64_t>(group.size()) - (chosen ? 1 : 0);
            if (chosen && std::find(group.begin(), group.end(), *d->second.chosen) != group.end())
                out.hashes.push_back(*d->second.chosen);
        }
        group.clear();
    };
    while (st->step()) {
        Hash32 t{}, h{};
        if (!toFixed(st->blobView(0), t) || !toFixed(st->blobView(1), h))
            return Error::make(ErrorKind::Invalid, "db.corrupt", {db_->name(), "envelopes"});
        if (t != tag) close();
        tag = t;
        group.push_back(h);
        ++out.envelopes;
    }
    if (st->error()) return *st->error();
    close();
    // Fisher-Yates with the OS random source: the count's order says nothing of storage order.
    auto& v = out.hashes;
    for (std::size_t i = v.size(); i > 1; --i)
        std::swap(v[i - 1], v[randomBelow(static_cast<std::uint32_t>(i))]);
    return out;
}

Result<std::vector<Hash32>> CollectorStore::heldTags() const {
    auto st = db_->prepare("SELECT DISTINCT tag FROM envelopes");
    if (!st) return st.error();
    std::vector<Hash32> out;
    while (st->step()) {
        Hash32 h{};
        if (toFixed(st->blobView(0), h)) out.push_back(h);
    }
    if (st->error()) return *st->error();
    return out;
}

Result<HeldEnvelope> CollectorStore::envelope(const Hash32& hash) const {
    if (!envelope_stmt_) {
        auto st = db_->prepare("SELECT tag, bytes FROM envelopes WHERE hash = ?");
        if (!st) return st.error();
        envelope_stmt_ = std::make_unique<Stmt>(std::move(*st));
    }
    Stmt& st = *envelope_stmt_;
    (void)st.reset();
    st.bind(1, hash);
    if (!st.step()) {
        auto err = st.error();
        (void)st.reset();
        if (err) return *err;
        return Error::make(ErrorKind::NotFound, "collector.no_envelope");
    }
    HeldEnvelope e;
    e.hash = hash;
    if (!toFixed(st.blobView(0), e.tag)) {
        (void)st.reset();
        return Error::make(ErrorKind::Invalid, "db.corrupt", {db_->name(), "tag"});
    }
    e.bytes = st.blob(1);
    (void)st.reset(); // ends the statement: no read is left open between calls
    return e;
}

namespace {
constexpr const char* kFetchEnvelope = "SELECT bytes FROM envelopes WHERE hash = ?";
} // namespace

const char* const EnvelopeReader::kMapForReading = "PRAGMA mmap_size=2147418112";

Result<EnvelopeReader> EnvelopeReader::onStore(CollectorStore& store) {
    EnvelopeReader r;
    r.db_ = &store.db();
    auto st = r.db_->prepare(kFetchEnvelope);
    if (!st) return st.error();
    r.stmt_ = std::move(*st);
    return r;
}

Result<EnvelopeReader> EnvelopeReader::openOwn(const CollectorStore& store) {
    auto db = Db::open(store.file().string(), false);
    if (!db) return db.error();
    EnvelopeReader r;
    r.own_ = std::make_unique<Db>(std::move(*db));
    r.db_ = r.own_.get();
    PY_TRY(r.db_->exec("PRAGMA query_only=ON"));
    PY_TRY(r.db_->exec(kMapForReading));
    auto st = r.db_->prepare(kFetchEnvelope);
    if (!st) return st.error();
    r.stmt_ = std::move(*st);
    return r;
}

EnvelopeReader::EnvelopeReader(EnvelopeReader&& o) noexcept
    : own_(std::move(o.own_)), db_(o.db_), stmt_(std::move(o.stmt_)), in_tx_(o.in_tx_) {
    o.db_ = nullptr;
    o.in_tx_ = false;
}

EnvelopeReader::~EnvelopeReader() {
    end();
}

Status EnvelopeReader::begin() {
    if (!own_ || in_tx_) return {};
    PY_TRY(db_->exec("BEGIN"));
    in_tx_ = true;
    // BEGIN defers the snapshot to the first read: take it now.
    return db_->exec("SELECT count(*) FROM meta");
}

void EnvelopeReader::end() {
    (void)stmt_.reset();
    if (in_tx_ && db_) (void)db_->exec("COMMIT");
    in_tx_ = false;
}

Result<ByteView> EnvelopeReader::fetch(const Hash32& hash) {
    (void)stmt_.reset();
    stmt_.bind(1, hash);
    if (!stmt_.step()) {
        if (stmt_.error()) return *stmt_.error();
        return Error::make(ErrorKind::NotFound, "collector.no_envelope");
    }
    return stmt_.blobView(0);
}

namespace {
// The meetings (unit/group) of paper rows, each once, in order.
std::vector<MeetingRef> paperMeetings(const Campaign& c, const std::vector<PaperSelf>& rows) {
    std::vector<MeetingRef> out;
    for (auto& r : rows) {
        int idx = c.subjectIndex(r.subject);
        if (idx < 0) continue;
        MeetingRef m{c.subjects[static_cast<std::size_t>(idx)].unit, r.group};
        if (std::none_of(out.begin(), out.end(), [&](auto& x) { return x.id() == m.id(); }))
            out.push_back(m);
    }
    std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.id() < b.id(); });
    return out;
}

std::string joinMeetings(const std::vector<MeetingRef>& ms) {
    std::string out;
    for (auto& m : ms)
        out += (out.empty() ? "" : " ") + m.id();
    return out;
}

Status logPaper(Db& db, const char* action, const std::string& meetings, std::int64_t rows) {
    // WITHOUT ROWID like every table but the staff's decision log: n is numbered here.
    auto st = db.prepare("INSERT INTO paper_log(n, action, meetings, rows) "
                         "SELECT COALESCE(MAX(n), 0) + 1, ?, ?, ? FROM paper_log");
    if (!st) return st.error();
    st->bind(1, std::string_view(action)).bind(2, meetings).bind(3, rows);
    return st->run();
}
} // namespace

Result<PaperChange> CollectorStore::setPaperSelf(const std::vector<PaperSelf>& rows) {
    const Campaign& c = campaign();
    auto meetings = paperMeetings(c, rows);
    for (auto& r : rows)
        if (c.subjectIndex(r.subject) < 0)
            return Error::make(ErrorKind::Invalid, "paper.not_in_campaign", {r.subject});
    Transaction tx(*db_);
    PY_TRY(tx.begin());
    // Paper scores stand in for a meeting that voted on paper: never beside its ballots.
    {
        auto st = db_->prepare("SELECT tag, COUNT(*) FROM envelopes GROUP BY tag");
        if (!st) return st.error();
        std::map<std::string, std::int64_t> held; // meeting id -> envelopes
        while (st->step()) {
            Hash32 tag{};
            if (!toFixed(st->blobView(0), tag)) continue;
            if (const TokenPlace* place = tokens_.find(tag))
                held[place->meeting.id()] += st->i64(1);
        }
        if (st->error()) return *st->error();
        for (auto& m : meetings)
            if (auto it = held.find(m.id()); it != held.end())
                return Error::make(ErrorKind::Conflict, "paper.meeting_has_ballots",
                                   {m.unit, m.group, std::to_string(it->second)});
    }
    PaperChange out;
    {
        // A new CSV replaces every paper score of the meetings it names.
        auto del = db_->prepare("DELETE FROM paper_self WHERE subject = ? AND grp = ?");
        if (!del) return del.error();
        auto old = paperSelf();
        if (!old) return old.error();
        for (auto& p : *old) {
            int idx = c.subjectIndex(p.subject);
            if (idx < 0) continue;
            std::string mid = c.subjects[static_cast<std::size_t>(idx)].unit + "/" + p.group;
            if (std::none_of(meetings.begin(), meetings.end(),
                             [&](auto& m) { return m.id() == mid; }))
                continue;
            (void)del->reset();
            del->bind(1, p.subject).bind(2, p.group);
            PY_TRY(del->run());
            ++out.replaced;
        }
    }
    auto st = db_->prepare(
        "INSERT INTO paper_self(subject, grp, hundredths, ballots) VALUES(?, ?, ?, ?)");
    if (!st) return st.error();
    for (auto& r : rows) {
        (void)st->reset();
        st->bind(1, r.subject)
            .bind(2, r.group)
            .bind(3, r.hundredths)
            .bind(4, static_cast<std::int64_t>(r.ballots));
        PY_TRY(st->run());
        ++out.stored;
    }
    out.meetings = joinMeetings(meetings);
    PY_TRY(logPaper(*db_, out.replaced ? "replace" : "import", out.meetings,
                    static_cast<std::int64_t>(out.stored)));
    PY_TRY(tx.commit());
    return out;
}

Result<PaperChange> CollectorStore::removePaperSelf(const std::vector<std::string>& units) {
    const Campaign& c = campaign();
    for (auto& u : units)
        if (!c.unit(u)) return Error::make(ErrorKind::NotFound, "paper.unknown_unit", {u});
    Transaction tx(*db_);
    PY_TRY(tx.begin());
    auto old = paperSelf();
    if (!old) return old.error();
    std::vector<PaperSelf> gone;
    for (auto& p : *old) {
        int idx = c.subjectIndex(p.subject);
        std::string unit = idx < 0 ? "" : c.subjects[static_cast<std::size_t>(idx)].unit;
        if (units.empty() || std::find(units.begin(), units.end(), unit) != units.end())
            gone.push_back(p);
    }
    auto del = db_->prepare("DELETE FROM paper_self WHERE subject = ? AND grp = ?");
    if (!del) return del.error();
    for (auto& p : gone) {
        (void)del->reset();
        del->bind(1, p.subject).bind(2, p.group);
        PY_TRY(del->run());
    }
    PaperChange out;
    out.removed = gone.size();
    out.meetings = joinMeetings(paperMeetings(c, gone));
    if (!gone.empty())
        PY_TRY(logPaper(*db_, "remove", out.meetings, static_cast<std::int64_t>(gone.size())));
    PY_TRY(tx.commit());
    return out;
}

Result<std::vector<PaperSelf>> CollectorStore::paperSelf() const {
    auto st = db_->prepare(
        "SELECT subject, grp, hundredths, ballots FROM paper_self ORDER BY subject, grp");
    if (!st) return st.error();
    std::vector<PaperSelf> out;
    while (st->step())
        out.push_back(
            {st->text(0), st->text(1), st->i64(2), static_cast<std::uint64_t>(st->i64(3))});
    if (st->error()) return *st->error();
    return out;
}

Result<std::vector<PaperLogEntry>> CollectorStore::paperLog() const {
    auto st = db_->prepare("SELECT n, action, meetings, rows FROM paper_log ORDER BY n");
    if (!st) return st.error();
    std::vector<PaperLogEntry> out;
    while (st->step())
        out.push_back({st->i64(0), st->text(1), st->text(2), st->i64(3)});
    if (st->error()) return *st->error();
    return out;
}

std::string StoreMark::text() const {
    return "envelopes=" + std::to_string(envelopes) + " decisions=" + std::to_string(decisions) +
           " paper=" + std::to_string(paper) + " additions=" + std::to_string(additions);
}

std::optional<StoreMark> StoreMark::parse(std::string_view text) {
    StoreMark m;
    std::string t(text);
    long long e = -1, d = -1, p = -1, a = -1;
    char tail = 0;
    if (std::sscanf(t.c_str(), "envelopes=%lld decisions=%lld paper=%lld additions=%lld%c", &e, &d,
                    &p, &a, &tail) != 4 ||
        e < 0 || d < 0 || p < 0 || a < 0)
        return std::nullopt;
    m.envelopes = e;
    m.decisions = d;
    m.paper = p;
    m.additions = a;
    return m;
}

Result<StoreMark> CollectorStore::mark() const {
    auto st = db_->prepare("SELECT (SELECT COUNT(*) FROM envelopes),"
                           " (SELECT COALESCE(MAX(n), 0) FROM decision_log),"
                           " (SELECT COALESCE(MAX(n), 0) FROM paper_log),"
                           " (SELECT COUNT(*) FROM additions)");
    if (!st) return st.error();
    if (!st->step()) {
        if (st->error()) return *st->error();
        return Error::make(ErrorKind::Internal, "store.bad_schema", {file().string()});
    }
    return StoreMark{st->i64(0), st->i64(1), st->i64(2), st->i64(3)};
}

Status CollectorStore::saveResult(std::string_view key, std::string_view json) {
    auto st = db_->prepare("INSERT OR REPLACE INTO results(key, json) VALUES(?, ?)");
    if (!st) return st.error();
    st->bind(1, key).bind(2, json);
    return st->run();
}

Result<std::optional<std::string>> CollectorStore::result(std::string_view key) const {
    auto st = db_->prepare("SELECT json FROM results WHERE key = ?");
    if (!st) return st.error();
    st->bind(1, key);
    if (st->step()) return std::optional<std::string>(st->text(0));
    if (st->error()) return *st->error();
    return std::optional<std::string>();
}

} // namespace pingyi
