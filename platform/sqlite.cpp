#include "platform/sqlite.hpp"

namespace pingyi {

static Error sqlError(sqlite3* db, const std::string& name, const char* what, int rc) {
    std::string msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int prim = rc & 0xFF;
    ErrorKind k = (prim == SQLITE_BUSY || prim == SQLITE_LOCKED) ? ErrorKind::Busy : ErrorKind::Io;
    if (prim == SQLITE_FULL) return Error::make(ErrorKind::Io, "db.full", {name});
    if (prim == SQLITE_NOTADB || prim == SQLITE_CORRUPT)
        return Error::make(ErrorKind::Invalid, "db.corrupt", {name, msg});
    return Error::make(k, "db.failed", {name, what, msg});
}

Stmt& Stmt::operator=(Stmt&& o) noexcept {
    if (this != &o) {
        if (s_) sqlite3_finalize(s_);
        s_ = o.s_;
        db_ = std::move(o.db_);
        o.s_ = nullptr;
    }
    return *this;
}
Stmt::~Stmt() {
    if (s_) sqlite3_finalize(s_);
}
Stmt& Stmt::bind(int i, ByteView b) {
    sqlite3_bind_blob(s_, i, b.data(), static_cast<int>(b.size()), SQLITE_TRANSIENT);
    return *this;
}
Stmt& Stmt::bind(int i, std::string_view s) {
    sqlite3_bind_text(s_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
}
Stmt& Stmt::bind(int i, std::int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
}
bool Stmt::step() {
    int rc = sqlite3_step(s_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) err_ = sqlError(sqlite3_db_handle(s_), db_, "step", rc);
    return false;
}
Status Stmt::run() {
    while (step()) {
    }
    if (err_) return *err_;
    return {};
}
Status Stmt::reset() {
    if (!s_) return {};
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    err_.reset();
    return {};
}
std::int64_t Stmt::i64(int col) const {
    return sqlite3_column_int64(s_, col);
}
ByteView Stmt::blobView(int col) const {
    auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(s_, col));
    int n = sqlite3_column_bytes(s_, col);
    return {p, static_cast<std::size_t>(n)};
}
Bytes Stmt::blob(int col) const {
    auto v = blobView(col);
    return Bytes(v.begin(), v.end());
}
std::string Stmt::text(int col) const {
    auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, col)))
             : std::string();
}

Db& Db::operator=(Db&& o) noexcept {
    if (this != &o) {
        if (db_) sqlite3_close_v2(db_);
        db_ = o.db_;
        name_ = std::move(o.name_);
        o.db_ = nullptr;
    }
    return *this;
}
Db::~Db() {
    if (db_) sqlite3_close_v2(db_);
}

Result<Db> Db::open(const std::string& path, bool create) {
    Db d;
    d.name_ = path;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
    int rc = sqlite3_open_v2(path.c_str(), &d.db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        if (!create && (rc & 0xFF) == SQLITE_CANTOPEN)
            return Error::make(ErrorKind::NotFound, "db.not_found", {path});
        return sqlError(d.db_, path, "open", rc);
    }
    sqlite3_extended_result_codes(d.db_, 1);
    sqlite3_busy_timeout(d.db_, 5000);
    PY_TRY(d.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA secure_delete=ON; "
                  "PRAGMA foreign_keys=ON; PRAGMA cell_size_check=ON;"));
    return d;
}

Error Db::lastError(const char* what) const {
    return sqlError(db_, name_, what, sqlite3_extended_errcode(db_));
}

Status Db::exec(const char* sql) {
    char* msg = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg);
    if (msg) sqlite3_free(msg);
    if (rc != SQLITE_OK) return sqlError(db_, name_, "exec", rc);
    return {};
}

Result<Stmt> Db::prepare(const char* sql) {
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql, -1, &s, nullptr);
    if (rc != SQLITE_OK) return sqlError(db_, name_, "prepare", rc);
    return Stmt(s, name_);
}

Status Db::begin() {
    return exec("BEGIN IMMEDIATE");
}
Status Db::commit() {
    return exec("COMMIT");
}
void Db::rollback() {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}

Status Db::checkpointTruncate() {
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr);
    if (rc != SQLITE_OK) return sqlError(db_, name_, "checkpoint", rc);
    return {};
}

Status putMeta(Db& db, std::string_view key, ByteView value) {
    auto st = db.prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)");
    if (!st) return st.error();
    st->bind(1, key).bind(2, value);
    return st->run();
}

Result<std::optional<Bytes>> getMeta(Db& db, std::string_view key) {
    auto st = db.prepare("SELECT value FROM meta WHERE key = ?");
    if (!st) return st.error();
    st->bind(1, key);
    if (st->step()) return std::optional<Bytes>(st->blob(0));
    if (st->error()) return *st->error();
    return std::optional<Bytes>();
}

} // namespace pingyi
