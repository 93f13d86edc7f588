// Bundle files: what a tablet writes to a USB stick. A bundle holds the device's enrolment
// certificate, its signed ledger, and envelopes (sorted by hash), signed by the device.
// Any copy may be imported any number of times. Byte layout: docs/formats.md.
#pragma once

#include "core/envelope.hpp"
#include "core/package.hpp"
#include "platform/files.hpp"
#include "platform/tablet_store.hpp"

namespace pingyi {

inline constexpr std::size_t kMaxBundleEnvelopes = 10'000'000;

struct Bundle {
    Hash32 campaign{};
    DeviceCertificate certificate;
    Ledger ledger;
    std::vector<StoredEnvelope> envelopes; // as found; each still to be verified by the importer
};

Bytes encodeBundle(const Hash32& campaign, const Bytes& certificate, const Bytes& ledger,
                   const std::vector<StoredEnvelope>& envelopes, const Secret& device_sk);

// Checks the structure, the certificate (organiser signature, this campaign), the ledger
// (device signature, same device), and the bundle signature. Envelopes are returned as bytes
// with their hashes; each envelope's own signature is checked by the importer.
// Errors: bundle.other_campaign, bundle.bad_signature, certificate.bad_signature, format.*.
Result<Bundle> decodeBundle(ByteView bytes, const Package& package);

struct ExportResult {
    std::size_t envelopes = 0;
    std::size_t bytes = 0;
    std::size_t waiting = 0; // held back by the release rule (TabletStore::release)
};
// Writes a bundle of every envelope the release rule lets go (those exported or acknowledged
// before, and a meeting's new ones once there are kReleaseGroup of them or it is closed here; the
// tablet keeps them all), with the ledger of exactly those, and marks them exported. The file is
// written atomically.
Result<ExportResult> exportBundle(TabletStore& store, const Secret& device_sk, const fs::path& out);

} // namespace pingyi
