#include "sync/bundle.hpp"

#include <cstring>

namespace pingyi {

namespace {
constexpr std::uint8_t kBundleMagic[4] = {'P', 'Y', 'B', 'N'};
constexpr std::uint16_t kVersion = 1;
} // namespace

Bytes encodeBundle(const Hash32& campaign, const Bytes& certificate, const Bytes& ledger,
                   const std::vector<StoredEnvelope>& envelopes, const Secret& device_sk) {
    Writer w;
    w.raw(kBundleMagic);
    w.u16(kVersion);
    w.raw(campaign);
    w.blob32(certificate);
    w.blob32(ledger);
    w.u32(static_cast<std::uint32_t>(envelopes.size()));
    for (auto& e : envelopes)
        w.blob32(e.bytes);
    w.raw(sign(device_sk, w.bytes()));
    return w.take();
}

Result<Bundle> decodeBundle(ByteView bytes, const Package& package) {
    Reader r(bytes);
    std::uint8_t magic[4];
    std::uint16_t version = 0;
    if (!r.fixed(magic) || std::memcmp(magic, kBundleMagic, 4) != 0)
        return Error::make(ErrorKind::Invalid, "format.bad_magic", {"@thing.bundle"});
    if (!r.u16(version))
        return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.bundle"});
    if (version != kVersion)
        return Error::make(ErrorKind::Invalid, "format.bad_version",
                           {"bundle", std::to_string(version)});
    Bundle b;
    ByteView cert, ledger;
    std::uint32_t n = 0;
    r.fixed(b.campaign);
    if (!r.ok()) return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.bundle"});
    if (b.campaign != package.digest)
        return Error::make(ErrorKind::Invalid, "bundle.other_campaign");
    r.blob32(cert, 1 << 16);
    r.blob32(ledger, std::size_t(kMaxBundleEnvelopes) * 32 + 1024);
    r.u32(n);
    if (!r.ok()) return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.bundle"});
    if (n > kMaxBundleEnvelopes || n > r.remaining() / 4)
        return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.bundle"});
    std::vector<ByteView> envs;
    envs.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        ByteView e;
        if (!r.blob32(e, kMaxEnvelopeBytes))
            return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.bundle"});
        envs.push_back(e);
    }
    std::size_t signed_len = r.offset();
    Signature sig{};
    if (!r.fixed(sig))
        return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.bundle"});
    if (!r.atEnd()) return Error::make(ErrorKind::Invalid, "format.trailing", {"@thing.bundle"});
    auto c = decodeCertificate(cert, package.body.organiser);
    if (!c) return c.error();
    if (c->campaign != package.digest)
        return Error::make(ErrorKind::Invalid, "bundle.other_campaign");
    b.certificate = std::move(*c);
    if (!verify(b.certificate.device, bytes.first(signed_len), sig))
        return Error::make(ErrorKind::Forged, "bundle.bad_signature");
    auto l = decodeLedger(ledger);
    if (!l) return l.error();
    if (l->device != b.certificate.device || l->campaign != package.digest)
        return Error::make(ErrorKind::Forged, "bundle.ledger_mismatch");
    b.ledger = std::move(*l);
    b.envelopes.reserve(envs.size());
    for (auto e : envs) {
        StoredEnvelope se;
        se.bytes.assign(e.begin(), e.end());
        se.hash = hash(e);
        b.envelopes.push_back(std::move(se));
    }
    return b;
}

Result<ExportResult> exportBundle(TabletStore& store, const Secret& device_sk,
                                  const fs::path& out) {
    auto envs = store.envelopes(false);
    if (!envs) return envs.error();
    auto ledger = store.ledger(device_sk);
    if (!ledger) return ledger.error();
    Bytes bytes =
        encodeBundle(store.package().digest, store.certificate().bytes, *ledger, *envs, device_sk);
    if (out.has_parent_path()) PY_TRY(ensureDirectory(out.parent_path()));
    PY_TRY(writeFileAtomic(out, bytes));
    std::vector<Hash32> hashes;
    hashes.reserve(envs->size());
    for (auto& e : *envs)
        hashes.push_back(e.hash);
    PY_TRY(store.markExported(hashes));
    return ExportResult{envs->size(), bytes.size()};
}

} // namespace pingyi
