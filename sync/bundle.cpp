#include "sync/bundle.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cstring>

namespace pingyi {

namespace {
constexpr std::uint8_t kBundleMagic[4] = {'P', 'Y', 'B', 'N'};
// Version 2: the device signs a BLAKE2b digest of the bundle instead of the bundle itself.
constexpr std::uint16_t kVersion = 2;

// What the device signs: the bundle's magic and version, then the digest
//   hash(every byte before the first envelope || the hash of each envelope, in bundle order).
// Each envelope hash binds that envelope's bytes (and so its length), so the digest binds every
// byte before the signature, yet costs nothing more than the envelope hashes, which the tablet
// keeps as its keys and the collector computes anyway. Ed25519 over the whole bundle would hash
// every byte twice with SHA-512. The magic keeps this message apart from anything else the
// device key signs (envelopes and ledgers start with their own magic).
template <class HashOf, class List>
std::array<std::uint8_t, 38> signedMessage(ByteView head, const List& envelopes, HashOf hash_of) {
    crypto_generichash_state st;
    crypto_generichash_init(&st, nullptr, 0, 32);
    crypto_generichash_update(&st, head.data(), head.size());
    for (auto& e : envelopes) {
        const Hash32& h = hash_of(e);
        crypto_generichash_update(&st, h.data(), h.size());
    }
    std::array<std::uint8_t, 38> m{};
    std::copy(std::begin(kBundleMagic), std::end(kBundleMagic), m.begin());
    m[4] = static_cast<std::uint8_t>(kVersion & 0xFF);
    m[5] = static_cast<std::uint8_t>(kVersion >> 8);
    crypto_generichash_final(&st, m.data() + 6, 32);
    return m;
}

// Magic, version, campaign, certificate, ledger and the envelope count: the bytes before the
// first envelope.
Writer bundleHead(const Hash32& campaign, const Bytes& certificate, const Bytes& ledger,
                  std::size_t count) {
    Writer w;
    w.raw(kBundleMagic);
    w.u16(kVersion);
    w.raw(campaign);
    w.blob32(certificate);
    w.blob32(ledger);
    w.u32(static_cast<std::uint32_t>(count));
    return w;
}
} // namespace

Bytes encodeBundle(const Hash32& campaign, const Bytes& certificate, const Bytes& ledger,
                   const std::vector<StoredEnvelope>& envelopes, const Secret& device_sk) {
    Writer w = bundleHead(campaign, certificate, ledger, envelopes.size());
    auto message = signedMessage(w.bytes(), envelopes,
                                 [](const StoredEnvelope& e) -> const Hash32& { return e.hash; });
    std::size_t total = w.size() + 64;
    for (auto& e : envelopes)
        total += 4 + e.bytes.size();
    w.reserve(total);
    for (auto& e : envelopes)
        w.blob32(e.bytes);
    w.raw(sign(device_sk, message));
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
                           {"@thing.bundle", std::to_string(version)});
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
    const std::size_t head_len = r.offset();
    std::vector<ByteView> envs;
    envs.reserve(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        ByteView e;
        if (!r.blob32(e, kMaxEnvelopeBytes))
            return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.bundle"});
        envs.push_back(e);
    }
    Signature sig{};
    if (!r.fixed(sig))
        return Error::make(ErrorKind::Invalid, "format.truncated", {"@thing.bundle"});
    if (!r.atEnd()) return Error::make(ErrorKind::Invalid, "format.trailing", {"@thing.bundle"});
    auto c = decodeCertificate(cert, package.body.organiser);
    if (!c) return c.error();
    if (c->campaign != package.digest)
        return Error::make(ErrorKind::Invalid, "bundle.other_campaign");
    b.certificate = std::move(*c);
    std::vector<Hash32> hashes;
    hashes.reserve(envs.size());
    for (auto e : envs)
        hashes.push_back(hash(e));
    if (!verify(b.certificate.device,
                signedMessage(bytes.first(head_len), hashes,
                              [](const Hash32& h) -> const Hash32& { return h; }),
                sig))
        return Error::make(ErrorKind::Forged, "bundle.bad_signature");
    auto l = decodeLedger(ledger);
    if (!l) return l.error();
    if (l->device != b.certificate.device || l->campaign != package.digest)
        return Error::make(ErrorKind::Forged, "bundle.ledger_mismatch");
    b.ledger = std::move(*l);
    b.envelopes.reserve(envs.size());
    for (std::size_t i = 0; i < envs.size(); ++i) {
        StoredEnvelope se;
        se.bytes.assign(envs[i].begin(), envs[i].end());
        se.hash = hashes[i];
        b.envelopes.push_back(std::move(se));
    }
    return b;
}

Result<ExportResult> exportBundle(TabletStore& store, const Secret& device_sk,
                                  const fs::path& out) {
    // The bytes encodeBundle() would give, with one copy of each envelope (from the store into
    // the list) and no pass over the envelope bytes but the write: the signature covers their
    // hashes, which are the store's keys. One write transaction holds from the read to the
    // mark, so no envelope cast meanwhile is marked exported without being in the file.
    Transaction tx(store.db());
    PY_TRY(tx.begin());
    // Only what the release rule lets go (a meeting's new envelopes wait until there are
    // kReleaseGroup of them or it is closed here), as for LAN sync: a bundle is imported as one
    // group, and the ledger names only what the file holds.
    auto plan = store.release();
    if (!plan) return plan.error();
    std::vector<Hash32> hashes;
    hashes.reserve(plan->released.size());
    Writer list;
    list.reserve(plan->released.size() *
                 (4 + ballotPaddedSize(store.campaign()) + kSealOverhead + 170));
    PY_TRY(store.eachEnvelope([&](const Hash32& h, ByteView bytes) {
        if (!std::binary_search(plan->released.begin(), plan->released.end(), h)) return;
        hashes.push_back(h);
        list.blob32(bytes);
    }));
    Bytes ledger = store.ledger(device_sk, hashes);
    Writer head =
        bundleHead(store.package().digest, store.certificate().bytes, ledger, hashes.size());
    Signature sig =
        sign(device_sk, signedMessage(head.bytes(), hashes,
                                      [](const Hash32& h) -> const Hash32& { return h; }));
    if (out.has_parent_path()) PY_TRY(ensureDirectory(out.parent_path()));
    const ByteView parts[] = {head.bytes(), list.bytes(), sig};
    PY_TRY(writeFileAtomic(out, std::span<const ByteView>(parts)));
    PY_TRY(store.markExported(hashes));
    PY_TRY(tx.commit());
    return ExportResult{hashes.size(), head.size() + list.size() + sig.size(), plan->waiting};
}

} // namespace pingyi
