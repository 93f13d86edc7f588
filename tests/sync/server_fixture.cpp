#include "server_fixture.hpp"

#include "core/envelope.hpp"

#include <doctest/doctest.h>

namespace pingyi::test {

Collector::Collector(Fixture& f, ServerLimits limits) : fx(f) {
    PublicKeys pub;
    pub.role = KeyRole::Collector;
    pub.sign = fx.keys.collector_sign.pk;
    pub.box = fx.keys.collector_box.pk;
    REQUIRE(CollectorStore::create(tmp.path / "col", fx.package, pub).ok());
    auto s = SyncServer::start(tmp.path / "col", fx.keys.collector_sign.pk,
                               fx.keys.collector_sign.sk, "127.0.0.1", 0, limits);
    REQUIRE(s.ok());
    server = std::move(*s);
}

std::int64_t Collector::held() {
    auto s = CollectorStore::open(tmp.path / "col");
    REQUIRE(s.ok());
    return s->counts()->envelopes;
}

std::unique_ptr<Tab> makeTablet(Fixture& fx, const std::filesystem::path& dir, std::size_t first,
                                std::size_t n, bool open) {
    auto t = std::make_unique<Tab>();
    Bytes cert = encodeCertificate(fx.package.digest, t->device.pk, dir.filename().string(),
                                   fx.keys.organiser.sk);
    auto s = TabletStore::create(dir, fx.package, cert, t->device, "246813", KdfCost::testOnly());
    REQUIRE(s.ok());
    t->store.emplace(std::move(*s));
    if (!open) REQUIRE(t->store->closeMeetings(allMeetings(fx.campaign)).ok());
    REQUIRE(t->store->db().exec("PRAGMA synchronous=OFF").ok());
    for (std::size_t i = first; i < first + n; ++i) {
        auto& [place, token] = fx.tokens[i];
        auto r = t->store->cast(token, uniformAnswers(fx.campaign, place.meeting.unit, "A"),
                                t->device.sk);
        REQUIRE(r.ok());
        t->cast.push_back(r->envelope_hash);
    }
    REQUIRE(t->store->db().exec("PRAGMA synchronous=FULL").ok());
    return t;
}

} // namespace pingyi::test
