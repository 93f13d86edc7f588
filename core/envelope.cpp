#include "core/envelope.hpp"

#include <sodium.h>

#include <algorithm>
#include <cstring>

namespace pingyi {

namespace {
constexpr std::uint8_t kEnvelopeMagic[4] = {'P', 'Y', 'E', 'V'};
constexpr std::uint8_t kCertMagic[4] = {'P', 'Y', 'D', 'C'};
constexpr std::uint8_t kLedgerMagic[4] = {'P', 'Y', 'L', 'G'};
// Envelope 2: the ballot inside carries the token's proof (ballot version 2).
constexpr std::uint16_t kEnvelopeVersion = 2;
constexpr std::uint16_t kCertVersion = 1;
// Ledger 2: the whole ledger's count and set digest, and all or part of its hashes.
constexpr std::uint16_t kLedgerVersion = 2;
constexpr std::uint32_t kMaxLedger = 50'000'000;

Status readHeader(Reader& r, const std::uint8_t (&magic)[4], std::uint16_t version,
                  const char* what) {
    std::uint8_t m[4];
    std::uint16_t v = 0;
    if (!r.fixed(m) || std::memcmp(m, magic, 4) != 0)
        return Error::make(ErrorKind::Invalid, "format.bad_magic", {what});
    if (!r.u16(v)) return Error::make(ErrorKind::Invalid, "format.truncated", {what});
    if (v != version)
        return Error::make(ErrorKind::Invalid, "format.bad_version", {what, std::to_string(v)});
    return {};
}

void writeHeader(Writer& w, const std::uint8_t (&magic)[4], std::uint16_t version) {
    w.raw(magic);
    w.u16(version);
}
} // namespace

SealedEnvelope sealEnvelope(const Ballot& ballot, std::size_t padded_size,
                            const PublicKey& collector_box, const PublicKey& device_pk,
                            const Secret& device_sk) {
    Bytes plain = encodeBallot(ballot, padded_size);
    Bytes sealed = seal(collector_box, plain);
    wipe(plain);
    Writer w;
    writeHeader(w, kEnvelopeMagic, kEnvelopeVersion);
    w.raw(ballot.campaign);
    w.raw(device_pk);
    w.raw(ballot.token_tag);
    w.blob32(sealed);
    w.raw(sign(device_sk, w.bytes()));
    SealedEnvelope out;
    out.bytes = w.take();
    out.hash = hash(out.bytes);
    return out;
}

Result<EnvelopeView> parseEnvelopeView(ByteView bytes) {
    Reader r(bytes);
    EnvelopeView e;
    PY_TRY(readHeader(r, kEnvelopeMagic, kEnvelopeVersion, "@thing.envelope"));
    r.fixed(e.campaign);
    r.fixed(e.device);
    r.fixed(e.token_tag);
    r.blob32(e.sealed, kMaxEnvelopeBytes);
    r.fixed(e.signature);
    if (!r.ok()) return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.envelope"});
    if (!r.atEnd()) return Error::make(ErrorKind::Invalid, "format.trailing", {"@thing.envelope"});
    if (e.sealed.size() <= kSealOverhead)
        return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.envelope"});
    return e;
}

Result<Envelope> parseEnvelope(ByteView bytes) {
    auto v = parseEnvelopeView(bytes);
    if (!v) return v.error();
    Envelope e;
    e.campaign = v->campaign;
    e.device = v->device;
    e.token_tag = v->token_tag;
    e.sealed.assign(v->sealed.begin(), v->sealed.end());
    e.signature = v->signature;
    return e;
}

Result<Envelope> verifyEnvelope(ByteView bytes) {
    auto e = parseEnvelope(bytes);
    if (!e) return e;
    if (!verify(e->device, bytes.first(bytes.size() - 64), e->signature))
        return Error::make(ErrorKind::Forged, "envelope.bad_signature");
    return e;
}

namespace {
// The decoded ballot's tag is the tag of the proof it carries: equal to the envelope's tag only
// if whoever sealed it held the token (a device key and the package give tags, never proofs).
Result<Ballot> checkOpened(Result<Ballot> b, const Hash32& token_tag, const Hash32& campaign) {
    if (!b) return b;
    if (!equalConstTime(b->token_tag, token_tag)) {
        b->wipe();
        return Error::make(ErrorKind::Forged, "envelope.bad_proof");
    }
    if (b->campaign != campaign) {
        b->wipe();
        return Error::make(ErrorKind::Forged, "envelope.campaign_mismatch");
    }
    return b;
}
} // namespace

Result<Ballot> openEnvelope(const Envelope& env, const BoxKeyPair& collector, const Campaign& c) {
    Bytes plain;
    if (!sealOpen(collector, env.sealed, plain))
        return Error::make(ErrorKind::Forged, "envelope.cannot_open");
    auto b = decodeBallot(plain, c);
    wipe(plain);
    return checkOpened(std::move(b), env.token_tag, env.campaign);
}

Result<Ballot> openEnvelope(const EnvelopeView& env, const BoxKeyPair& collector,
                            const BallotReader& reader, Bytes& plain) {
    if (!sealOpen(collector, env.sealed, plain))
        return Error::make(ErrorKind::Forged, "envelope.cannot_open");
    auto b = reader.decode(plain);
    wipe(plain);
    return checkOpened(std::move(b), env.token_tag, env.campaign);
}

Bytes encodeCertificate(const Hash32& campaign, const PublicKey& device, const std::string& label,
                        const Secret& organiser_sk) {
    Writer w;
    writeHeader(w, kCertMagic, kCertVersion);
    w.raw(campaign);
    w.raw(device);
    w.str16(label);
    w.raw(sign(organiser_sk, w.bytes()));
    return w.take();
}

Result<DeviceCertificate> decodeCertificate(ByteView bytes, const PublicKey& organiser) {
    Reader r(bytes);
    DeviceCertificate c;
    PY_TRY(readHeader(r, kCertMagic, kCertVersion, "@thing.certificate"));
    r.fixed(c.campaign);
    r.fixed(c.device);
    r.str16(c.label);
    std::size_t signed_len = r.offset();
    r.fixed(c.signature);
    if (!r.ok()) return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.certificate"});
    if (!r.atEnd())
        return Error::make(ErrorKind::Invalid, "format.trailing", {"@thing.certificate"});
    if (!verify(organiser, bytes.first(signed_len), c.signature))
        return Error::make(ErrorKind::Forged, "certificate.bad_signature");
    c.bytes.assign(bytes.begin(), bytes.end());
    return c;
}

Hash32 ledgerSetDigest(const std::vector<Hash32>& sorted_hashes) {
    static constexpr std::string_view kPrefix = "pingyi/ledger-set/v2";
    crypto_generichash_state st;
    crypto_generichash_init(&st, nullptr, 0, 32);
    crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(kPrefix.data()),
                              kPrefix.size());
    for (auto& h : sorted_hashes)
        crypto_generichash_update(&st, h.data(), h.size());
    Hash32 out{};
    crypto_generichash_final(&st, out.data(), out.size());
    return out;
}

Bytes encodeLedgerPart(const Hash32& campaign, const PublicKey& device, std::uint32_t total,
                       const Hash32& set_digest, std::vector<Hash32> part,
                       const Secret& device_sk) {
    std::sort(part.begin(), part.end());
    part.erase(std::unique(part.begin(), part.end()), part.end());
    Writer w;
    writeHeader(w, kLedgerMagic, kLedgerVersion);
    w.raw(campaign);
    w.raw(device);
    w.u32(total);
    w.raw(set_digest);
    w.u32(static_cast<std::uint32_t>(part.size()));
    for (auto& h : part)
        w.raw(h);
    w.raw(sign(device_sk, w.bytes()));
    return w.take();
}

Bytes encodeLedger(const Hash32& campaign, const PublicKey& device, std::vector<Hash32> hashes,
                   const Secret& device_sk) {
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    const Hash32 digest = ledgerSetDigest(hashes);
    const auto total = static_cast<std::uint32_t>(hashes.size());
    return encodeLedgerPart(campaign, device, total, digest, std::move(hashes), device_sk);
}

Result<Ledger> decodeLedger(ByteView bytes) {
    Reader r(bytes);
    Ledger l;
    PY_TRY(readHeader(r, kLedgerMagic, kLedgerVersion, "@thing.ledger"));
    std::uint32_t n = 0;
    r.fixed(l.campaign);
    r.fixed(l.device);
    r.u32(l.total);
    r.fixed(l.set_digest);
    r.u32(n);
    if (!r.ok() || n > kMaxLedger || l.total > kMaxLedger || n > l.total ||
        r.remaining() != std::size_t(n) * 32 + 64)
        return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.ledger"});
    l.hashes.resize(n);
    for (auto& h : l.hashes)
        r.fixed(h);
    std::size_t signed_len = r.offset();
    r.fixed(l.signature);
    if (!r.ok()) return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.ledger"});
    for (std::size_t i = 1; i < l.hashes.size(); ++i)
        if (!(l.hashes[i - 1] < l.hashes[i]))
            return Error::make(ErrorKind::Invalid, "ledger.unsorted");
    if (!verify(l.device, bytes.first(signed_len), l.signature))
        return Error::make(ErrorKind::Forged, "ledger.bad_signature");
    if (l.complete() && !equalConstTime(ledgerSetDigest(l.hashes), l.set_digest))
        return Error::make(ErrorKind::Invalid, "ledger.bad_digest");
    l.bytes.assign(bytes.begin(), bytes.end());
    return l;
}

} // namespace pingyi
