// Envelopes (a ballot sealed to the collector and signed by the tablet), device enrolment
// certificates and ledgers. No field carries a time or an order. Byte layout: docs/formats.md.
#pragma once

#include "core/ballot.hpp"
#include "core/bytes.hpp"
#include "core/crypto.hpp"
#include "core/result.hpp"

namespace pingyi {

inline constexpr std::size_t kMaxEnvelopeBytes = 1u << 20;

struct Envelope {
    Hash32 campaign{};
    PublicKey device{};
    Hash32 token_tag{};
    Bytes sealed;
    Signature signature{};
};

struct SealedEnvelope {
    Bytes bytes;
    Hash32 hash{}; // BLAKE2b-256 of bytes; the receipt code derives from it
};

// Encodes, pads and seals the ballot to the collector, then signs the envelope with the
// device key. The plaintext encoding is wiped before returning.
SealedEnvelope sealEnvelope(const Ballot& ballot, std::size_t padded_size,
                            const PublicKey& collector_box, const PublicKey& device_pk,
                            const Secret& device_sk);

// Structure only: magic, version, lengths, no trailing bytes.
Result<Envelope> parseEnvelope(ByteView bytes);
// parseEnvelope() without copying the sealed ballot: `sealed` points into `bytes`.
struct EnvelopeView {
    Hash32 campaign{};
    PublicKey device{};
    Hash32 token_tag{};
    ByteView sealed;
    Signature signature{};
};
Result<EnvelopeView> parseEnvelopeView(ByteView bytes);
// Structure and the device's signature.
Result<Envelope> verifyEnvelope(ByteView bytes);
// Opens the sealed ballot (collector side) and checks it against the campaign and the outer
// token tag. The returned ballot is plaintext: wipe() it when done.
Result<Ballot> openEnvelope(const Envelope& env, const BoxKeyPair& collector, const Campaign& c);
// The same for many envelopes of one campaign: `plain` is a buffer kept by the caller between
// calls (no allocation once it has the padded size); it is wiped before returning.
Result<Ballot> openEnvelope(const EnvelopeView& env, const BoxKeyPair& collector,
                            const BallotReader& reader, Bytes& plain);

struct DeviceCertificate {
    Hash32 campaign{};
    PublicKey device{};
    std::string label; // "平板 01"
    Signature signature{};
    Bytes bytes;
};
Bytes encodeCertificate(const Hash32& campaign, const PublicKey& device, const std::string& label,
                        const Secret& organiser_sk);
// Verifies the organiser's signature.
Result<DeviceCertificate> decodeCertificate(ByteView bytes, const PublicKey& organiser);

// The tablet's signed statement of every envelope hash it ever sealed: how many (`total`) and the
// digest of the sorted set, with some or all of the hashes themselves, sorted (no order leaks).
// A complete ledger names all `total` hashes; a part names only those the collector may lack
// (LAN sync sends parts once the collector's acknowledgement shows it holds the rest).
struct Ledger {
    Hash32 campaign{};
    PublicKey device{};
    std::uint32_t total = 0;    // hashes in the tablet's whole ledger
    Hash32 set_digest{};        // ledgerSetDigest() of the whole ledger
    std::vector<Hash32> hashes; // strictly ascending; all `total` of them, or a part
    Signature signature{};
    Bytes bytes;
    bool complete() const { return hashes.size() == total; }
};
// hash("pingyi/ledger-set/v2" || the hashes, strictly ascending): the digest of a ledger's set,
// which the collector's acknowledgement repeats for what it holds.
Hash32 ledgerSetDigest(const std::vector<Hash32>& sorted_hashes);
// The complete ledger of `hashes` (sorted and deduplicated here).
Bytes encodeLedger(const Hash32& campaign, const PublicKey& device, std::vector<Hash32> hashes,
                   const Secret& device_sk);
// A part: the whole ledger's count and digest, naming only `part` (each must be in the ledger).
Bytes encodeLedgerPart(const Hash32& campaign, const PublicKey& device, std::uint32_t total,
                       const Hash32& set_digest, std::vector<Hash32> part, const Secret& device_sk);
// Verifies the device's signature (the device key is inside; callers check it is enrolled), and
// for a complete ledger that the hashes give the digest (ledger.bad_digest).
Result<Ledger> decodeLedger(ByteView bytes);

} // namespace pingyi
