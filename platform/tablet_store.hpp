// The tablet store: one SQLite file (tablet.db) in a folder. It holds the campaign package,
// token additions, this tablet's enrolment certificate and its device key (locked under the
// administrator PIN), the used token tags, and the sealed envelopes. Envelopes are keyed by
// their hash (WITHOUT ROWID), so nothing in the file records the order of casting.
#pragma once

#include "core/ballot.hpp"
#include "core/envelope.hpp"
#include "core/package.hpp"
#include "core/token.hpp"
#include "platform/files.hpp"
#include "platform/sqlite.hpp"

#include <functional>
#include <memory>
#include <optional>

namespace pingyi {

struct TabletCounts {
    std::int64_t cast = 0, exported = 0, acknowledged = 0;
    std::size_t tokens_known = 0;
};

struct CastReceipt {
    Hash32 envelope_hash{};
    std::string code; // 回执码
};

struct StoredEnvelope {
    Hash32 hash{};
    Bytes bytes;
};

class TabletStore {
  public:
    static constexpr const char* kFileName = "tablet.db";

    // Creates DIR/tablet.db. Fails (store.exists) if one is there already.
    static Result<TabletStore> create(const fs::path& dir, const Package& package,
                                      const Bytes& certificate, const SignKeyPair& device,
                                      std::string_view pin);
    // Opens and re-verifies the package, additions and certificate.
    static Result<TabletStore> open(const fs::path& dir);

    const Package& package() const { return *package_; }
    const Campaign& campaign() const { return package_->body.campaign; }
    const DeviceCertificate& certificate() const { return cert_; }
    const PublicKey& device() const { return cert_.device; }
    const fs::path& dir() const { return dir_; }

    // Errors: key.wrong_pin.
    Result<Secret> unlockDeviceKey(std::string_view pin) const;
    Status changePin(std::string_view old_pin, std::string_view new_pin);

    // Where a token belongs, if it is known to the package and unused on this tablet.
    // Errors: token.unknown, token.used.
    Result<TokenPlace> checkToken(const Token& token) const;

    // The one casting path (CLI and kiosk): check token, build and validate the ballot, seal,
    // sign, and store the envelope and the used token in one durable transaction. The receipt
    // exists only after the commit. On any error the store is unchanged.
    Result<CastReceipt> cast(const Token& token, const Answers& answers, const Secret& device_sk);

    // Rewrites the store in key order and empties the write-ahead log, so neither the file
    // layout nor the log records the order of casting (SQLite otherwise places each new row
    // where free space is). Call when the screen is idle after a receipt (the kiosk), after a
    // CLI cast, and before handing a tablet over. Costs about one copy of the store.
    Status foldJournal();

    // Token additions signed by the organiser (late representatives). Idempotent.
    Status addTokens(ByteView additions);

    Result<TabletCounts> counts() const;
    Result<std::vector<StoredEnvelope>> envelopes(bool only_unacknowledged) const;
    // Every envelope in hash order, on one statement and without a copy: `f` gets each hash and
    // the stored bytes, valid only during the call. Errors: db.*.
    Status eachEnvelope(const std::function<void(const Hash32&, ByteView)>& f) const;
    // Marks every envelope exported. exportBundle calls it inside the transaction in which it
    // read them, so that it marks exactly the envelopes the file holds.
    Status markAllExported();
    // The signed ledger of every envelope hash this tablet has sealed.
    Result<Bytes> ledger(const Secret& device_sk) const;
    Status markExported(const std::vector<Hash32>& hashes);
    Status markAcknowledged(const std::vector<Hash32>& hashes);

    // Small settings for the kiosk (language, text size, open meetings, lockout).
    Result<std::optional<std::string>> setting(std::string_view key) const;
    Status setSetting(std::string_view key, std::string_view value);

    Db& db() { return *db_; }

  private:
    TabletStore() = default;
    Status loadIndex();
    Result<TokenPlace> checkTag(const Hash32& tag) const;
    fs::path dir_;
    std::unique_ptr<Db> db_;
    std::shared_ptr<Package> package_;
    DeviceCertificate cert_;
    TokenIndex tokens_;
    std::size_t padded_size_ = 0;
};

} // namespace pingyi
