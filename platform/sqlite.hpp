// A small RAII layer over SQLite for the stores. Every failure becomes an Error naming the
// database file and SQLite's message; SQLITE_BUSY maps to ErrorKind::Busy (retry).
#pragma once

#include "core/bytes.hpp"
#include "core/result.hpp"

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>

namespace pingyi {

class Stmt {
  public:
    Stmt() = default;
    Stmt(sqlite3_stmt* s, std::string db_name) : s_(s), db_(std::move(db_name)) {}
    Stmt(Stmt&& o) noexcept : s_(o.s_), db_(std::move(o.db_)) { o.s_ = nullptr; }
    Stmt& operator=(Stmt&& o) noexcept;
    ~Stmt();
    Stmt& bind(int i, ByteView b);
    Stmt& bind(int i, std::string_view s);
    Stmt& bind(int i, std::int64_t v);
    // True while a row is available; errors are reported by error() after it returns false.
    bool step();
    Status run(); // steps to completion
    Status reset();
    std::int64_t i64(int col) const;
    Bytes blob(int col) const;
    std::string text(int col) const;
    ByteView blobView(int col) const; // valid until the next step()
    const std::optional<Error>& error() const { return err_; }

  private:
    sqlite3_stmt* s_ = nullptr;
    std::string db_;
    std::optional<Error> err_;
};

class Db {
  public:
    Db() = default;
    Db(Db&& o) noexcept : db_(o.db_), name_(std::move(o.name_)) { o.db_ = nullptr; }
    Db& operator=(Db&& o) noexcept;
    ~Db();
    // Opens (or creates) with WAL, synchronous=FULL, secure_delete, foreign keys, a busy timeout.
    static Result<Db> open(const std::string& path, bool create);
    Status exec(const char* sql);
    Result<Stmt> prepare(const char* sql);
    Status begin(); // BEGIN IMMEDIATE
    Status commit();
    void rollback();
    // Moves WAL content into the database and truncates the WAL to zero bytes.
    Status checkpointTruncate();
    sqlite3* raw() const { return db_; }
    const std::string& name() const { return name_; }
    Error lastError(const char* what) const;

  private:
    sqlite3* db_ = nullptr;
    std::string name_;
};

// Commits on commit(); rolls back on scope exit otherwise.
class Transaction {
  public:
    explicit Transaction(Db& db) : db_(db) {}
    Status begin() {
        auto s = db_.begin();
        open_ = s.ok();
        return s;
    }
    Status commit() {
        auto s = db_.commit();
        if (s.ok()) open_ = false;
        return s;
    }
    ~Transaction() {
        if (open_) db_.rollback();
    }

  private:
    Db& db_;
    bool open_ = false;
};

// Both stores keep small facts in a table meta(key TEXT PRIMARY KEY, value BLOB NOT NULL).
Status putMeta(Db& db, std::string_view key, ByteView value);
// The value, or nullopt if the key is absent.
Result<std::optional<Bytes>> getMeta(Db& db, std::string_view key);

} // namespace pingyi
