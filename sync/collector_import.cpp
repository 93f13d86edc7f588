#include "sync/collector_import.hpp"

#include "core/token.hpp"
#include "sync/bundle.hpp"

#include <algorithm>
#include <ctime>

namespace pingyi {

std::string utcNow() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

ImportReport importBundle(CollectorStore& store, ByteView bytes, const std::string& source) {
    ImportReport r;
    r.source = source;
    auto b = decodeBundle(bytes, store.package());
    if (!b) {
        r.refused = b.error();
        return r;
    }
    r.device_label = b->certificate.label;
    r.device = b->certificate.device;
    std::vector<HeldEnvelope> good;
    good.reserve(b->envelopes.size());
    for (auto& se : b->envelopes) {
        auto reject = [&](Error e) { r.rejected.push_back({receiptCode(se.hash), std::move(e)}); };
        auto env = verifyEnvelope(se.bytes);
        if (!env) {
            reject(env.error());
            continue;
        }
        if (env->device != b->certificate.device) {
            reject(Error::make(ErrorKind::Forged, "import.other_device"));
            continue;
        }
        if (env->campaign != store.package().digest) {
            reject(Error::make(ErrorKind::Invalid, "import.other_campaign"));
            continue;
        }
        if (!store.tokens().find(env->token_tag)) {
            reject(Error::make(ErrorKind::Invalid, "import.unknown_token"));
            continue;
        }
        if (!std::binary_search(b->ledger.hashes.begin(), b->ledger.hashes.end(), se.hash)) {
            reject(Error::make(ErrorKind::Forged, "import.not_in_ledger"));
            continue;
        }
        good.push_back({se.hash, env->token_tag, std::move(se.bytes)});
    }
    auto stored = store.storeVerified(b->certificate, b->ledger, good, utcNow());
    if (!stored) {
        r.refused = stored.error();
        r.rejected.clear();
        return r;
    }
    r.added = stored->added;
    r.already = stored->already;
    r.held.reserve(good.size());
    for (auto& g : good)
        r.held.push_back(g.hash);
    return r;
}

ImportReport importBundleFile(CollectorStore& store, const fs::path& file) {
    auto bytes = readFile(file);
    if (!bytes) {
        ImportReport r;
        r.source = file.string();
        r.refused = bytes.error();
        return r;
    }
    return importBundle(store, *bytes, file.string());
}

} // namespace pingyi
