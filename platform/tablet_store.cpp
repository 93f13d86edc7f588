#include "platform/tablet_store.hpp"

#include "core/pin.hpp"
#include "platform/keyfile.hpp"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <map>

namespace pingyi {

namespace {
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS additions(digest BLOB PRIMARY KEY, bytes BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS used_tokens(tag BLOB PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS envelopes(hash BLOB PRIMARY KEY, bytes BLOB NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS envelope_state(
  hash BLOB PRIMARY KEY REFERENCES envelopes(hash),
  exported INTEGER NOT NULL DEFAULT 0,
  acked INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;
)sql";
constexpr const char* kSchemaVersion = "pingyi-tablet/1";
// The last ballot's token tag (32 bytes) and envelope hash (32) while its receipt is unshown.
// After a crash it stays until that token is entered again or the next ballot's receipt is shown
// (the next cast replaces it): a tablet that casts nothing more keeps it until it is prepared
// again.
constexpr const char* kUnshownReceipt = "unshown_receipt";

Result<Bytes> requireMeta(Db& db, std::string_view key) {
    auto v = getMeta(db, key);
    if (!v) return v.error();
    if (!*v)
        return Error::make(ErrorKind::Invalid, "store.incomplete", {db.name(), std::string(key)});
    return std::move(**v);
}

// The organiser's recovery copy of the device key: crypto_box_seal to the X25519 form of the
// organiser's Ed25519 key. Only the organiser's secret key opens it. It gives the organiser no
// new power (the organiser can enrol a new device at any time), and a thief with the file
// nothing (a sealed box cannot be guessed at like a PIN).
Result<Bytes> sealToOrganiser(const PublicKey& organiser, const Secret& device_sk) {
    std::uint8_t x_pk[crypto_box_PUBLICKEYBYTES];
    if (crypto_sign_ed25519_pk_to_curve25519(x_pk, organiser.data()) != 0)
        return Error::make(ErrorKind::Invalid, "package.other_organiser", {"package"});
    Bytes out(device_sk.size() + crypto_box_SEALBYTES);
    if (crypto_box_seal(out.data(), device_sk.data(), device_sk.size(), x_pk) != 0)
        return Error::make(ErrorKind::Internal, "error.internal", {"crypto_box_seal"});
    return out;
}

Result<Secret> openFromOrganiser(ByteView sealed, const Secret& organiser_sk,
                                 const std::string& file) {
    if (organiser_sk.size() != crypto_sign_SECRETKEYBYTES || sealed.size() <= crypto_box_SEALBYTES)
        return Error::make(ErrorKind::Invalid, "tablet.escrow_damaged", {file});
    std::uint8_t x_pk[crypto_box_PUBLICKEYBYTES];
    Secret x_sk(crypto_box_SECRETKEYBYTES);
    PublicKey ed_pk = signPublicOf(organiser_sk);
    if (crypto_sign_ed25519_pk_to_curve25519(x_pk, ed_pk.data()) != 0 ||
        crypto_sign_ed25519_sk_to_curve25519(x_sk.data(), organiser_sk.data()) != 0)
        return Error::make(ErrorKind::Invalid, "tablet.escrow_damaged", {file});
    Secret out(sealed.size() - crypto_box_SEALBYTES);
    if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(), x_pk, x_sk.data()) != 0)
        return Error::make(ErrorKind::Forged, "tablet.escrow_damaged", {file});
    return out;
}

constexpr const char* kPinGuardKey = "pin_guard";
} // namespace

Result<TabletStore> TabletStore::create(const fs::path& dir, const Package& package,
                                        const Bytes& certificate, const SignKeyPair& device,
                                        std::string_view pin, KdfCost cost) {
    PY_TRY(checkPin(pin));
    PY_TRY(ensureDirectory(dir));
    fs::path file = dir / kFileName;
    std::error_code ec;
    if (fs::exists(file, ec))
        return Error::make(ErrorKind::Conflict, "store.exists", {file.string()});
    auto cert = decodeCertificate(certificate, package.body.organiser);
    if (!cert) return cert.error();
    if (cert->campaign != package.digest || cert->device != device.pk)
        return Error::make(ErrorKind::Invalid, "certificate.mismatch");
    std::string locked = lockSecret(device.sk, pin, cost);
    if (locked.empty()) return Error::make(ErrorKind::Io, "key.kdf_failed");
    auto escrow = sealToOrganiser(package.body.organiser, device.sk);
    if (!escrow) return escrow.error();
    {
        auto db = Db::open(file.string(), true);
        if (!db) return db.error();
        Transaction tx(*db);
        PY_TRY(tx.begin());
        PY_TRY(db->exec(kSchema));
        PY_TRY(putMeta(*db, "schema", view(std::string_view(kSchemaVersion))));
        PY_TRY(putMeta(*db, "package", package.bytes));
        PY_TRY(putMeta(*db, "certificate", certificate));
        PY_TRY(putMeta(*db, "device_key", view(locked)));
        PY_TRY(putMeta(*db, "device_key_organiser", *escrow));
        PY_TRY(tx.commit());
    }
    return open(dir);
}

Result<TabletStore> TabletStore::open(const fs::path& dir) {
    fs::path file = dir / kFileName;
    std::error_code ec;
    if (!fs::exists(file, ec))
        return Error::make(ErrorKind::NotFound, "store.not_found", {dir.string()});
    TabletStore s;
    s.dir_ = dir;
    auto db = Db::open(file.string(), false);
    if (!db) return db.error();
    s.db_ = std::make_unique<Db>(std::move(*db));
    auto schema = getMeta(*s.db_, "schema");
    if (!schema) return schema.error();
    if (!*schema || std::string((*schema)->begin(), (*schema)->end()) != kSchemaVersion)
        return Error::make(ErrorKind::Invalid, "store.bad_schema", {file.string()});
    auto pkg = requireMeta(*s.db_, "package");
    if (!pkg) return pkg.error();
    auto package = decodePackage(*pkg);
    if (!package) return package.error();
    s.package_ = std::make_shared<Package>(std::move(*package));
    auto cert = requireMeta(*s.db_, "certificate");
    if (!cert) return cert.error();
    auto c = decodeCertificate(*cert, s.package_->body.organiser);
    if (!c) return c.error();
    s.cert_ = std::move(*c);
    s.padded_size_ = ballotPaddedSize(s.campaign());
    PY_TRY(s.loadIndex());
    return s;
}

Status TabletStore::loadIndex() {
    tokens_ = TokenIndex();
    tokens_.add(campaign(), package_->body.tokens);
    auto st = db_->prepare("SELECT bytes FROM additions");
    if (!st) return st.error();
    while (st->step()) {
        auto a = decodeAdditions(st->blobView(0), *package_);
        if (!a) return a.error();
        tokens_.add(campaign(), a->tokens);
    }
    if (st->error()) return *st->error();
    return {};
}

Result<Secret> TabletStore::unlockDeviceKey(std::string_view pin) const {
    auto locked = requireMeta(*db_, "device_key");
    if (!locked) return locked.error();
    auto sk = unlockSecret(std::string(locked->begin(), locked->end()), pin);
    if (!sk) {
        if (sk.error().kind == ErrorKind::Auth)
            return Error::make(ErrorKind::Auth, "tablet.wrong_pin");
        return sk.error();
    }
    if (signPublicOf(*sk) != cert_.device)
        return Error::make(ErrorKind::Invalid, "key.mismatch", {db_->name()});
    return sk;
}

Status TabletStore::changePin(std::string_view old_pin, std::string_view new_pin, KdfCost cost) {
    PY_TRY(checkPin(new_pin));
    auto sk = unlockDeviceKey(old_pin);
    if (!sk) return sk.error();
    std::string locked = lockSecret(*sk, new_pin, cost);
    if (locked.empty()) return Error::make(ErrorKind::Io, "key.kdf_failed");
    auto escrow = getMeta(*db_, "device_key_organiser");
    if (!escrow) return escrow.error();
    Transaction tx(*db_);
    PY_TRY(tx.begin());
    PY_TRY(putMeta(*db_, "device_key", view(locked)));
    if (!*escrow) { // a store of an older version: from now on the organiser can reset it
        auto copy = sealToOrganiser(package_->body.organiser, *sk);
        if (!copy) return copy.error();
        PY_TRY(putMeta(*db_, "device_key_organiser", *copy));
    }
    return tx.commit();
}

Status TabletStore::resetPin(const Secret& organiser_sign_sk, std::string_view new_pin,
                             KdfCost cost) {
    if (organiser_sign_sk.size() != crypto_sign_SECRETKEYBYTES ||
        signPublicOf(organiser_sign_sk) != package_->body.organiser)
        return Error::make(ErrorKind::Forged, "package.other_organiser", {db_->name()});
    PY_TRY(checkPin(new_pin));
    auto escrow = getMeta(*db_, "device_key_organiser");
    if (!escrow) return escrow.error();
    if (!*escrow) return Error::make(ErrorKind::NotFound, "tablet.no_escrow", {dir_.string()});
    auto sk = openFromOrganiser(**escrow, organiser_sign_sk, db_->name());
    if (!sk) return sk.error();
    if (sk->size() != crypto_sign_SECRETKEYBYTES || signPublicOf(*sk) != cert_.device)
        return Error::make(ErrorKind::Invalid, "key.mismatch", {db_->name()});
    std::string locked = lockSecret(*sk, new_pin, cost);
    if (locked.empty()) return Error::make(ErrorKind::Io, "key.kdf_failed");
    Transaction tx(*db_);
    PY_TRY(tx.begin());
    PY_TRY(putMeta(*db_, "device_key", view(locked)));
    PY_TRY(putMeta(*db_, kPinGuardKey, view(std::string_view("0 0"))));
    return tx.commit();
}

Result<KdfCost> TabletStore::pinCost() const {
    auto locked = requireMeta(*db_, "device_key");
    if (!locked) return locked.error();
    return lockedCost(
        std::string_view(reinterpret_cast<const char*>(locked->data()), locked->size()));
}

bool TabletStore::PinGuard::locked() const {
    return failures >= kPinMaxFailures;
}

Result<TabletStore::PinGuard> TabletStore::pinGuard() const {
    auto v = getMeta(*db_, kPinGuardKey);
    if (!v) return v.error();
    PinGuard g;
    if (!*v) return g;
    std::string text((*v)->begin(), (*v)->end());
    auto space = text.find(' ');
    const char* end = text.data() + text.size();
    if (space == std::string::npos ||
        std::from_chars(text.data(), text.data() + space, g.failures).ptr != text.data() + space ||
        std::from_chars(text.data() + space + 1, end, g.not_before_ms).ptr != end || g.failures < 0)
        return Error::make(ErrorKind::Invalid, "db.corrupt", {db_->name(), kPinGuardKey});
    return g;
}

Status TabletStore::setPinGuard(const PinGuard& g) {
    std::string text =
        std::to_string(std::max(0, g.failures)) + " " + std::to_string(g.not_before_ms);
    return putMeta(*db_, kPinGuardKey, view(text));
}

Result<TokenPlace> TabletStore::checkToken(const Token& token) const {
    return checkTag(tokenTag(campaign().id, token));
}

Result<TokenPlace> TabletStore::checkTag(const Hash32& tag) const {
    const TokenPlace* place = tokens_.find(tag);
    if (!place) return Error::make(ErrorKind::NotFound, "token.unknown");
    auto st = db_->prepare("SELECT 1 FROM used_tokens WHERE tag = ?");
    if (!st) return st.error();
    st->bind(1, tag);
    if (st->step()) {
        auto mark = getMeta(*db_, kUnshownReceipt);
        if (!mark) return mark.error();
        if (*mark && (*mark)->size() == 64 &&
            std::equal(tag.begin(), tag.end(), (*mark)->begin())) {
            Hash32 hash{};
            std::copy((*mark)->begin() + 32, (*mark)->end(), hash.begin());
            return Error::make(ErrorKind::Conflict, "token.already_stored", {receiptCode(hash)});
        }
        return Error::make(ErrorKind::Conflict, "token.used");
    }
    if (st->error()) return *st->error();
    return *place;
}

Result<bool> TabletStore::lastReceiptUnshown() const {
    auto mark = getMeta(*db_, kUnshownReceipt);
    if (!mark) return mark.error();
    return mark->has_value();
}

Status TabletStore::receiptShown() {
    auto st = db_->prepare("DELETE FROM meta WHERE key = ?");
    if (!st) return st.error();
    st->bind(1, std::string_view(kUnshownReceipt));
    return st->run();
}

Result<CastReceipt> TabletStore::cast(const Token& token, const Answers& answers,
                                      const Secret& device_sk) {
    // The proof goes inside the sealed ballot; only its tag is stored (used_tokens).
    TokenProof proof = tokenProof(campaign().id, token);
    const Hash32 tag = tokenTagOfProof(campaign().id, proof);
    auto place = checkTag(tag);
    if (!place) {
        sodium_memzero(proof.data(), proof.size());
        return place.error();
    }
    auto ballot = buildBallot(campaign(), package_->digest, place->meeting, proof, answers);
    sodium_memzero(proof.data(), proof.size());
    if (!ballot) return ballot.error();
    SealedEnvelope env =
        sealEnvelope(*ballot, padded_size_, package_->body.collector_box, cert_.device, device_sk);
    ballot->wipe();
    {
        Transaction tx(*db_);
        PY_TRY(tx.begin());
        auto used = db_->prepare("INSERT INTO used_tokens(tag) VALUES(?)");
        if (!used) return used.error();
        used->bind(1, tag);
        if (auto s = used->run(); !s) {
            // A concurrent cast of the same token won the race: report it as used.
            if (sqlite3_extended_errcode(db_->raw()) == SQLITE_CONSTRAINT_PRIMARYKEY)
                return Error::make(ErrorKind::Conflict, "token.used");
            return s.error();
        }
        auto ins = db_->prepare("INSERT INTO envelopes(hash, bytes) VALUES(?, ?)");
        if (!ins) return ins.error();
        ins->bind(1, env.hash).bind(2, env.bytes);
        PY_TRY(ins->run());
        auto state = db_->prepare("INSERT INTO envelope_state(hash) VALUES(?)");
        if (!state) return state.error();
        state->bind(1, env.hash);
        PY_TRY(state->run());
        Bytes mark(tag.begin(), tag.end());
        mark.insert(mark.end(), env.hash.begin(), env.hash.end());
        PY_TRY(putMeta(*db_, kUnshownReceipt, mark));
        PY_TRY(tx.commit());
    }
    return CastReceipt{env.hash, receiptCode(env.hash)};
}

Status TabletStore::foldJournal() {
    // SQLite places each new row where free space is, so the file's layout (and the WAL's
    // frame sequence) follows the order of casting. VACUUM rewrites every table in key order
    // (envelopes by hash), and the truncating checkpoint empties the WAL.
    PY_TRY(db_->exec("VACUUM"));
    return db_->checkpointTruncate();
}

Status TabletStore::addTokens(ByteView additions) {
    auto a = decodeAdditions(additions, *package_);
    if (!a) return a.error();
    if (tokens_.clashes(a->tokens)) return Error::make(ErrorKind::Invalid, "additions.moves_token");
    auto st = db_->prepare("INSERT OR IGNORE INTO additions(digest, bytes) VALUES(?, ?)");
    if (!st) return st.error();
    st->bind(1, a->digest).bind(2, a->bytes);
    PY_TRY(st->run());
    tokens_.add(campaign(), a->tokens);
    return {};
}

Result<TabletCounts> TabletStore::counts() const {
    auto st = db_->prepare(
        "SELECT count(*), coalesce(sum(exported), 0), coalesce(sum(acked), 0) FROM envelope_state");
    if (!st) return st.error();
    TabletCounts c;
    if (st->step()) {
        c.cast = st->i64(0);
        c.exported = st->i64(1);
        c.acknowledged = st->i64(2);
    }
    if (st->error()) return *st->error();
    c.tokens_known = tokens_.size();
    return c;
}

Result<std::vector<StoredEnvelope>> TabletStore::envelopes(bool only_unacknowledged) const {
    auto st = db_->prepare(
        only_unacknowledged
            ? "SELECT e.hash, e.bytes FROM envelopes e JOIN envelope_state s ON s.hash = e.hash "
              "WHERE s.acked = 0 ORDER BY e.hash"
            : "SELECT hash, bytes FROM envelopes ORDER BY hash");
    if (!st) return st.error();
    std::vector<StoredEnvelope> out;
    while (st->step()) {
        StoredEnvelope e;
        auto h = st->blobView(0);
        if (h.size() != 32)
            return Error::make(ErrorKind::Invalid, "db.corrupt", {db_->name(), "hash"});
        std::copy(h.begin(), h.end(), e.hash.begin());
        e.bytes = st->blob(1);
        out.push_back(std::move(e));
    }
    if (st->error()) return *st->error();
    return out;
}

Status TabletStore::eachEnvelope(const std::function<void(const Hash32&, ByteView)>& f) const {
    // Memory-mapped for the one pass: no read() call and no copy into the page cache per page.
    // Put back afterwards (the connection keeps its small cache for casting).
    PY_TRY(db_->exec("PRAGMA mmap_size=1073741824"));
    struct Unmap {
        Db& db;
        ~Unmap() { (void)db.exec("PRAGMA mmap_size=0"); }
    } unmap{*db_};
    auto st = db_->prepare("SELECT hash, bytes FROM envelopes ORDER BY hash");
    if (!st) return st.error();
    while (st->step()) {
        Hash32 h{};
        auto v = st->blobView(0);
        if (v.size() != 32)
            return Error::make(ErrorKind::Invalid, "db.corrupt", {db_->name(), "hash"});
        std::copy(v.begin(), v.end(), h.begin());
        f(h, st->blobView(1));
    }
    if (st->error()) return *st->error();
    return {};
}

Status TabletStore::markAllExported() {
    return db_->exec("UPDATE envelope_state SET exported = 1 WHERE exported = 0");
}

Result<Bytes> TabletStore::ledger(const Secret& device_sk) const {
    auto st = db_->prepare("SELECT hash FROM envelopes ORDER BY hash");
    if (!st) return st.error();
    std::vector<Hash32> hashes;
    while (st->step()) {
        Hash32 h{};
        auto v = st->blobView(0);
        if (v.size() != 32)
            return Error::make(ErrorKind::Invalid, "db.corrupt", {db_->name(), "hash"});
        std::copy(v.begin(), v.end(), h.begin());
        hashes.push_back(h);
    }
    if (st->error()) return *st->error();
    return encodeLedger(package_->digest, cert_.device, std::move(hashes), device_sk);
}

Bytes TabletStore::ledger(const Secret& device_sk, std::vector<Hash32> released) const {
    return encodeLedger(package_->digest, cert_.device, std::move(released), device_sk);
}

Result<std::set<std::string>> TabletStore::closedMeetings() const {
    std::set<std::string> closed;
    auto open = setting(kOpenMeetingsSetting);
    if (!open) return open.error();
    if (!*open) return closed;
    std::set<std::string> listed;
    for (std::size_t start = 0; start <= (*open)->size();) {
        std::size_t end = std::min((*open)->find(',', start), (*open)->size());
        if (end > start) listed.insert((*open)->substr(start, end - start));
        start = end + 1;
    }
    for (auto& m : campaign().meetings())
        if (!listed.count(m.id())) closed.insert(m.id());
    return closed;
}

Status TabletStore::closeMeetings(const std::set<std::string>& ids) {
    auto closed = closedMeetings();
    if (!closed) return closed.error();
    std::set<std::string> known;
    for (auto& m : campaign().meetings())
        known.insert(m.id());
    for (auto& id : ids)
        if (!known.count(id))
            return Error::make(ErrorKind::Invalid, "campaign.unknown_meeting", {id});
    std::string open;
    for (auto& id : known)
        if (!closed->count(id) && !ids.count(id)) open += (open.empty() ? "" : ",") + id;
    return setSetting(kOpenMeetingsSetting, open);
}

Result<ReleasePlan> TabletStore::release(std::size_t group) const {
    auto closed = closedMeetings();
    if (!closed) return closed.error();
    // The token tag is in clear in every envelope (bytes 70..102, docs/formats.md section 5),
    // and the package or its additions say which meeting it belongs to.
    auto st = db_->prepare("SELECT e.hash, substr(e.bytes, 71, 32), s.exported, s.acked "
                           "FROM envelopes e JOIN envelope_state s ON s.hash = e.hash "
                           "ORDER BY e.hash");
    if (!st) return st.error();
    struct Row {
        Hash32 hash{};
        bool acked = false;
    };
    std::vector<Row> rows;
    std::vector<ReleaseCandidate> candidates;
    while (st->step()) {
        Row r;
        auto h = st->blobView(0);
        auto t = st->blobView(1);
        if (h.size() != 32 || t.size() != 32)
            return Error::make(ErrorKind::Invalid, "db.corrupt", {db_->name(), "envelopes"});
        std::copy(h.begin(), h.end(), r.hash.begin());
        Hash32 tag{};
        std::copy(t.begin(), t.end(), tag.begin());
        r.acked = st->i64(3) != 0;
        const TokenPlace* place = tokens_.find(tag);
        // A tag this tablet does not know cannot have been cast here; such an envelope is let
        // go at once rather than kept forever.
        candidates.push_back(
            {place ? place->meeting.id() : std::string(), r.acked || st->i64(2) != 0 || !place});
        rows.push_back(r);
    }
    if (st->error()) return *st->error();
    const std::vector<bool> go = releaseRule(candidates, *closed, group);
    ReleasePlan plan;
    // Groups: per meeting, the new ones apart from those that left before, each run cut into
    // groups of `group` (the remainder joins the last), so that no request splits them.
    std::map<std::pair<std::string, bool>, std::vector<Hash32>> runs;
    for (std::size_t i = 0; i < rows.size(); ++i) {
        if (!go[i]) {
            ++plan.waiting;
            continue;
        }
        plan.released.push_back(rows[i].hash);
        if (!rows[i].acked)
            runs[{candidates[i].meeting, candidates[i].left}].push_back(rows[i].hash);
    }
    const std::size_t most = std::max<std::size_t>(group, 1);
    for (auto& [key, run] : runs) {
        for (std::size_t i = 0; i < run.size(); ++i) {
            plan.unacknowledged.push_back(run[i]);
            const std::size_t left = run.size() - i - 1;
            if (left == 0 || ((i + 1) % most == 0 && left >= most))
                plan.group_ends.push_back(plan.unacknowledged.size());
        }
    }
    return plan;
}

static Status markAll(Db& db, const char* sql, const std::vector<Hash32>& hashes) {
    // Inside the caller's transaction if one is open (exportBundle), else in one of its own.
    const bool own = sqlite3_get_autocommit(db.raw()) != 0;
    Transaction tx(db);
    if (own) PY_TRY(tx.begin());
    auto st = db.prepare(sql);
    if (!st) return st.error();
    for (auto& h : hashes) {
        (void)st->reset();
        st->bind(1, h);
        PY_TRY(st->run());
    }
    return own ? tx.commit() : Status();
}

Status TabletStore::markExported(const std::vector<Hash32>& hashes) {
    return markAll(*db_, "UPDATE envelope_state SET exported = 1 WHERE hash = ? AND exported = 0",
                   hashes);
}
Status TabletStore::markAcknowledged(const std::vector<Hash32>& hashes) {
    return markAll(*db_, "UPDATE envelope_state SET acked = 1 WHERE hash = ? AND acked = 0",
                   hashes);
}

Result<std::optional<std::string>> TabletStore::setting(std::string_view key) const {
    auto v = getMeta(*db_, "setting." + std::string(key));
    if (!v) return v.error();
    if (!*v) return std::optional<std::string>();
    return std::optional<std::string>(std::string((*v)->begin(), (*v)->end()));
}

Status TabletStore::setSetting(std::string_view key, std::string_view value) {
    return putMeta(*db_, "setting." + std::string(key), view(value));
}

} // namespace pingyi
