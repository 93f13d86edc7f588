// The tablet store: one SQLite file (tablet.db) in a folder. It holds the campaign package,
// token additions, this tablet's enrolment certificate and its device key (locked under the
// administrator PIN, and sealed to the organiser for recovery), the used token tags, and the
// sealed envelopes. Envelopes are keyed by their hash (WITHOUT ROWID), so nothing in the file
// records the order of casting.
//
// What guards the device key of a copied tablet.db is the key derivation alone (Argon2id at
// KdfCost::pin(), over a second per guess). The wrong-PIN counter below (PinGuard) is a guard of
// the kiosk's screen only: whoever holds the file can reset it or never read it, and gains
// nothing from it, since it holds no secret and no time of any ballot.
#pragma once

#include "core/ballot.hpp"
#include "core/envelope.hpp"
#include "core/package.hpp"
#include "core/release.hpp"
#include "core/token.hpp"
#include "platform/files.hpp"
#include "platform/keyfile.hpp"
#include "platform/sqlite.hpp"

#include <functional>
#include <memory>
#include <optional>
#include <set>

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

// The kiosk's setting of the meetings that take ballots on this tablet: their ids, comma
// separated; never set, every meeting. A meeting left out is closed here (TabletStore::release).
inline constexpr const char* kOpenMeetingsSetting = "kiosk.open_meetings";

// What may leave the tablet now, by the rule of core/release.hpp.
struct ReleasePlan {
    std::vector<Hash32> released;       // ascending: left before or released now; the ledger of a
                                        // sync or bundle names exactly these
    std::vector<Hash32> unacknowledged; // of those, not acknowledged: what a sync sends, by meeting
    std::vector<std::size_t> group_ends; // ends of its groups (kReleaseGroup or more new ones of a
                                         // meeting, or what a closed meeting has left); a sync
                                         // request holds whole groups
    std::size_t waiting = 0;             // held back: too few new ones of a meeting still open
};

class TabletStore {
  public:
    static constexpr const char* kFileName = "tablet.db";

    // Creates DIR/tablet.db. Fails (store.exists) if one is there already, and with checkPin's
    // errors (core/pin.hpp) for a PIN that does not hold. The device key is locked under the
    // PIN at `cost` (tests pass KdfCost::testOnly()) and sealed to the organiser's key (the
    // package's) so that central staff can reset a forgotten PIN (resetPin).
    static Result<TabletStore> create(const fs::path& dir, const Package& package,
                                      const Bytes& certificate, const SignKeyPair& device,
                                      std::string_view pin, KdfCost cost = KdfCost::pin());
    // Opens and re-verifies the package, additions and certificate.
    static Result<TabletStore> open(const fs::path& dir);

    const Package& package() const { return *package_; }
    const Campaign& campaign() const { return package_->body.campaign; }
    const DeviceCertificate& certificate() const { return cert_; }
    const PublicKey& device() const { return cert_.device; }
    const fs::path& dir() const { return dir_; }

    // Errors: tablet.wrong_pin (kind Auth). Costs one key derivation at the cost the key was
    // locked with (a store of an older version opens with its own, lower cost).
    Result<Secret> unlockDeviceKey(std::string_view pin) const;
    // Locks the device key under a new PIN (checkPin's rule) at `cost`, and adds the
    // organiser's copy to a store of an older version that lacks it. Errors: checkPin's,
    // tablet.wrong_pin. The stored key is unchanged on any error.
    Status changePin(std::string_view old_pin, std::string_view new_pin,
                     KdfCost cost = KdfCost::pin());
    // Central staff's recovery of a forgotten PIN or a locked tablet: opens the copy of the
    // device key sealed to the organiser with the organiser's signing key, locks it under
    // `new_pin` and clears the wrong-PIN counter, in one transaction. Envelopes, used tokens and
    // their flags are not touched. Errors: package.other_organiser (not this campaign's
    // organiser), tablet.no_escrow (a store made before the copy existed), checkPin's,
    // key.mismatch (a damaged copy).
    Status resetPin(const Secret& organiser_sign_sk, std::string_view new_pin,
                    KdfCost cost = KdfCost::pin());
    // The cost the device key is locked with now.
    Result<KdfCost> pinCost() const;

    // The kiosk's count of wrong PINs in a row and the wall-clock time (ms since the Unix
    // epoch) before which no PIN is tried: a counter, not a log. See the header comment.
    struct PinGuard {
        int failures = 0;
        std::int64_t not_before_ms = 0;
        bool locked() const; // failures >= kPinMaxFailures: the kiosk takes no PIN
    };
    Result<PinGuard> pinGuard() const;
    Status setPinGuard(const PinGuard& guard);

    // Where a token belongs, if it is known to the package and unused on this tablet.
    // Errors: token.unknown, token.used, and token.already_stored (kind Conflict, args: the
    // receipt code) for the token of the last ballot while its receipt is unshown (below).
    Result<TokenPlace> checkToken(const Token& token) const;

    // The one casting path (CLI and kiosk): check token, build and validate the ballot, seal,
    // sign, and store the envelope and the used token in one durable transaction. The receipt
    // exists only after the commit. On any error the store is unchanged.
    Result<CastReceipt> cast(const Token& token, const Answers& answers, const Secret& device_sk);

    // A receipt is never lost. The same transaction of cast() keeps one mark, for the last
    // ballot only: its token tag and envelope hash ("receipt not yet shown"). If the program dies
    // between the commit and the receipt on the screen, the next start can say that the last
    // ballot was stored (lastReceiptUnshown), and the representative who enters that token again
    // is told "already stored, receipt XXXXX" (checkToken) instead of "token used".
    // Why the mark costs no anonymity: tag -> receipt is in this file for every ballot already
    // (each envelope carries its token tag in clear and the receipt derives from its hash); what
    // the mark adds is *which* envelope was cast last, the fact the write-ahead log holds anyway
    // until foldJournal(). So it names at most one ballot (the next cast replaces it), holds no
    // content and no time, and must be wiped as soon as the receipt was shown: receiptShown(),
    // then foldJournal() (secure_delete zeroes the row; the fold empties the log).
    Result<bool> lastReceiptUnshown() const;
    // Wipes the mark (a no-op if there is none). Call once the receipt, or the "already stored"
    // message that repeats it, was shown to the representative.
    Status receiptShown();

    // Rewrites the store in key order and empties the write-ahead log, so neither the file
    // layout nor the log records the order of casting (SQLite otherwise places each new row
    // where free space is). Call when the screen is idle after a receipt (the kiosk), after a
    // CLI cast, and before handing a tablet over. Costs about one copy of the store.
    Status foldJournal();

    // Token additions signed by the organiser (late representatives). Idempotent.
    Status addTokens(ByteView additions);

    Result<TabletCounts> counts() const;
    // Which envelopes may leave now (sync or bundle): those that left before, and the new ones of
    // a meeting once it has at least `group` of them or is closed on this tablet (closedMeetings).
    // The others wait, and the ledgers the tablet signs do not name them yet. Errors: db.*.
    Result<ReleasePlan> release(std::size_t group = kReleaseGroup) const;
    // Meetings closed on this tablet: those the kiosk's open-meetings setting leaves out.
    Result<std::set<std::string>> closedMeetings() const;
    // Closes meetings on this tablet: the kiosk takes no more ballots of them, and their waiting
    // envelopes leave with the next sync or bundle, however few. Unknown ids:
    // campaign.unknown_meeting.
    Status closeMeetings(const std::set<std::string>& ids);
    Result<std::vector<StoredEnvelope>> envelopes(bool only_unacknowledged) const;
    // Every envelope in hash order, on one statement and without a copy: `f` gets each hash and
    // the stored bytes, valid only during the call. Errors: db.*.
    Status eachEnvelope(const std::function<void(const Hash32&, ByteView)>& f) const;
    // Marks every envelope exported.
    Status markAllExported();
    // The signed ledger of every envelope hash this tablet has sealed.
    Result<Bytes> ledger(const Secret& device_sk) const;
    // The signed ledger of a release (ReleasePlan::released): sync and bundles send this one.
    Bytes ledger(const Secret& device_sk, std::vector<Hash32> released) const;
    // Inside the caller's transaction when one is open (exportBundle marks exactly what the file
    // holds, in the transaction in which it read them).
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
