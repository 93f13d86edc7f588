// Acknowledgements: the collector's signed statement that it holds these envelopes of a device.
// A tablet marks an envelope acknowledged only on an acknowledgement whose signature verifies
// against the package's collector signing key, so a fake collector cannot make it forget one.
#pragma once

#include "core/bytes.hpp"
#include "core/crypto.hpp"
#include "core/result.hpp"

#include <vector>

namespace pingyi {

struct Acknowledgement {
    Hash32 campaign{};
    PublicKey device{};
    std::vector<Hash32> hashes; // strictly ascending
    Signature signature{};
};

// "PYAK" | u16 version 1 | campaign | device | u32 count | hashes (sorted) | collector signature.
Bytes encodeAck(const Hash32& campaign, const PublicKey& device, std::vector<Hash32> hashes,
                const Secret& collector_sign_sk);
// Verifies structure and the signature against the collector's signing key; the campaign and
// device must be the caller's. Errors: ack.bad_signature, ack.other_campaign, format.*.
Result<Acknowledgement> decodeAck(ByteView bytes, const PublicKey& collector_sign,
                                  const Hash32& campaign, const PublicKey& device);

} // namespace pingyi
