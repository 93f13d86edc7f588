// Acknowledgements: the collector's signed statement that it holds these envelopes of a device.
// A tablet marks an envelope acknowledged only on an acknowledgement whose signature verifies
// against the package's collector signing key, so a fake collector cannot make it forget one.
#pragma once

#include "core/bytes.hpp"
#include "core/crypto.hpp"
#include "core/result.hpp"

#include <vector>

namespace pingyi {

// What the collector's ledger set for the device is after the import: a tablet whose own ledger
// has this count and digest knows the collector holds all of it, and sends only new entries.
struct LedgerState {
    std::uint32_t count = 0;
    Hash32 digest{}; // ledgerSetDigest() of the hashes held
    bool operator==(const LedgerState&) const = default;
};

struct Acknowledgement {
    Hash32 campaign{};
    PublicKey device{};
    std::vector<Hash32> hashes; // strictly ascending
    LedgerState ledger;
    Signature signature{};
};

// "PYAK" | u16 version 2 | campaign | device | u32 count | hashes (sorted) | u32 ledger count |
// ledger digest | collector signature.
Bytes encodeAck(const Hash32& campaign, const PublicKey& device, std::vector<Hash32> hashes,
                const LedgerState& ledger, const Secret& collector_sign_sk);
// Verifies structure and the signature against the collector's signing key; the campaign and
// device must be the caller's. Errors: ack.bad_signature, ack.other_campaign, format.*.
Result<Acknowledgement> decodeAck(ByteView bytes, const PublicKey& collector_sign,
                                  const Hash32& campaign, const PublicKey& device);

} // namespace pingyi
