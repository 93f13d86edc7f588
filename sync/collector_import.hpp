// Importing sealed ballots at the collector: from bundle files now, and the same function will
// serve HTTP sync. Each bundle is verified whole (campaign, device enrolment, signatures, ledger)
// and each envelope on its own (signature, device, campaign, token tag in its meeting's set,
// named by the ledger); only what is new is stored, in one transaction.
#pragma once

#include "platform/collector_store.hpp"
#include "sync/bundle.hpp"

namespace pingyi {

struct RejectedEnvelope {
    std::string receipt; // 回执码 of the envelope
    Error reason;
};

struct ImportReport {
    std::string source;           // file name
    std::optional<Error> refused; // the whole bundle was rejected; nothing stored
    std::string device_label;
    PublicKey device{};
    std::size_t added = 0, already = 0;
    std::vector<RejectedEnvelope> rejected;
    std::vector<Hash32> held; // envelopes of this bundle the collector now holds (new or not)
    LedgerState ledger;       // the device's ledger hashes the collector holds now
};

ImportReport importBundle(CollectorStore& store, ByteView bundle, const std::string& source);

// importBundle in two steps, for the sync server: checkBundle needs only the package (no
// store), so several requests may check their bundles at once; storeChecked then takes the
// store (token check, storing) and gives the same report importBundle would.
struct CheckedBundle {
    std::optional<Error> refused; // the whole bundle was rejected
    DeviceCertificate certificate;
    Ledger ledger;
    struct Envelope {
        StoredEnvelope stored;
        std::optional<Error> rejected; // signature, device or campaign failed
        Hash32 tag{};                  // the token tag, when not rejected
        bool in_ledger = false;
    };
    std::vector<Envelope> envelopes; // in bundle order
};
CheckedBundle checkBundle(const Package& package, ByteView bundle);
ImportReport storeChecked(CollectorStore& store, CheckedBundle&& checked,
                          const std::string& source);
ImportReport importBundleFile(CollectorStore& store, const fs::path& file);

// Current UTC time as "YYYY-MM-DD HH:MM:SS" (device last-contact only; never next to a ballot).
std::string utcNow();

} // namespace pingyi
