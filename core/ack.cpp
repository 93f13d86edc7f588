#include "core/ack.hpp"

#include <algorithm>
#include <cstring>

namespace pingyi {

namespace {
constexpr std::uint8_t kAckMagic[4] = {'P', 'Y', 'A', 'K'};
constexpr std::uint16_t kVersion = 2; // 2: the collector's ledger state for the device
constexpr std::uint32_t kMaxAck = 10'000'000;
} // namespace

Bytes encodeAck(const Hash32& campaign, const PublicKey& device, std::vector<Hash32> hashes,
                const LedgerState& ledger, const Secret& sk) {
    std::sort(hashes.begin(), hashes.end());
    hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
    Writer w;
    w.raw(kAckMagic);
    w.u16(kVersion);
    w.raw(campaign);
    w.raw(device);
    w.u32(static_cast<std::uint32_t>(hashes.size()));
    for (auto& h : hashes)
        w.raw(h);
    w.u32(ledger.count);
    w.raw(ledger.digest);
    w.raw(sign(sk, w.bytes()));
    return w.take();
}

Result<Acknowledgement> decodeAck(ByteView bytes, const PublicKey& collector_sign,
                                  const Hash32& campaign, const PublicKey& device) {
    Reader r(bytes);
    std::uint8_t magic[4];
    std::uint16_t version = 0;
    std::uint32_t n = 0;
    Acknowledgement a;
    if (!r.fixed(magic) || std::memcmp(magic, kAckMagic, 4) != 0)
        return Error::make(ErrorKind::Invalid, "format.bad_magic", {"@thing.acknowledgement"});
    if (!r.u16(version))
        return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.acknowledgement"});
    if (version != kVersion)
        return Error::make(ErrorKind::Invalid, "format.bad_version",
                           {"@thing.acknowledgement", std::to_string(version)});
    r.fixed(a.campaign);
    r.fixed(a.device);
    r.u32(n);
    if (!r.ok() || n > kMaxAck || r.remaining() != std::size_t(n) * 32 + 4 + 32 + 64)
        return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.acknowledgement"});
    a.hashes.resize(n);
    for (auto& h : a.hashes)
        r.fixed(h);
    r.u32(a.ledger.count);
    r.fixed(a.ledger.digest);
    std::size_t signed_len = r.offset();
    r.fixed(a.signature);
    if (!r.ok())
        return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.acknowledgement"});
    if (!verify(collector_sign, bytes.first(signed_len), a.signature))
        return Error::make(ErrorKind::Forged, "ack.bad_signature");
    for (std::size_t i = 1; i < a.hashes.size(); ++i)
        if (!(a.hashes[i - 1] < a.hashes[i]))
            return Error::make(ErrorKind::Invalid, "format.bad_body", {"@thing.acknowledgement"});
    if (a.campaign != campaign || a.device != device)
        return Error::make(ErrorKind::Invalid, "ack.other_campaign");
    return a;
}

} // namespace pingyi
