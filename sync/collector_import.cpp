#include "sync/collector_import.hpp"

#include "core/token.hpp"

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

CheckedBundle checkBundle(const Package& package, ByteView bytes) {
    CheckedBundle c;
    auto b = decodeBundle(bytes, package);
    if (!b) {
        c.refused = b.error();
        return c;
    }
    c.certificate = std::move(b->certificate);
    c.ledger = std::move(b->ledger);
    c.envelopes.reserve(b->envelopes.size());
    for (auto& se : b->envelopes) {
        CheckedBundle::Envelope e;
        auto env = verifyEnvelope(se.bytes);
        if (!env)
            e.rejected = env.error();
        else if (env->device != c.certificate.device)
            e.rejected = Error::make(ErrorKind::Forged, "import.other_device");
        else if (env->campaign != package.digest)
            e.rejected = Error::make(ErrorKind::Invalid, "import.other_campaign");
        else {
            e.tag = env->token_tag;
            e.in_ledger =
                std::binary_search(c.ledger.hashes.begin(), c.ledger.hashes.end(), se.hash);
        }
        e.stored = std::move(se);
        c.envelopes.push_back(std::move(e));
    }
    return c;
}

ImportReport storeChecked(CollectorStore& store, CheckedBundle&& c, const std::string& source) {
    ImportReport r;
    r.source = source;
    if (c.refused) {
        r.refused = std::move(c.refused);
        return r;
    }
    r.device_label = c.certificate.label;
    r.device = c.certificate.device;
    std::vector<HeldEnvelope> good;
    good.reserve(c.envelopes.size());
    for (auto& e : c.envelopes) {
        auto reject = [&](Error err) {
            r.rejected.push_back({receiptCode(e.stored.hash), std::move(err)});
        };
        if (e.rejected)
            reject(std::move(*e.rejected));
        else if (!store.tokens().find(e.tag))
            reject(Error::make(ErrorKind::Invalid, "import.unknown_token"));
        else if (!e.in_ledger)
            reject(Error::make(ErrorKind::Forged, "import.not_in_ledger"));
        else
            good.push_back({e.stored.hash, e.tag, std::move(e.stored.bytes)});
    }
    auto stored = store.storeVerified(c.certificate, c.ledger, good, utcNow());
    if (!stored) {
        r.refused = stored.error();
        r.rejected.clear();
        return r;
    }
    r.added = stored->added;
    r.already = stored->already;
    r.ledger = stored->ledger;
    r.held.reserve(good.size());
    for (auto& g : good)
        r.held.push_back(g.hash);
    return r;
}

ImportReport importBundle(CollectorStore& store, ByteView bytes, const std::string& source) {
    return storeChecked(store, checkBundle(store.package(), bytes), source);
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
