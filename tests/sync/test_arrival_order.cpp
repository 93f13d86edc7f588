// No arrival order at the collector (issue 11): whoever holds collector.db and its -wal (and the
// collector key) must not line a meeting's ballots up with the order in which they were cast more
// finely than the groups in which tablets release them. Real tablet and collector stores, the real
// server on loopback; the observable orders are the byte offsets of each envelope's signature
// (64 bytes found nowhere else) in collector.db and collector.db-wal, and the order in which a
// plain SELECT returns each table's rows.
#include "core/catalog.hpp"
#include "platform/collector_store.hpp"
#include "server_fixture.hpp"
#include "support/builders.hpp"
#include "sync/bundle.hpp"
#include "sync/client.hpp"
#include "sync/server.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <map>
#include <numeric>
#include <unordered_map>

using namespace pingyi;
using namespace pingyi::test;

namespace {

std::vector<double> ranks(const std::vector<double>& v) {
    std::vector<std::size_t> idx(v.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return v[a] < v[b]; });
    std::vector<double> r(v.size());
    for (std::size_t i = 0; i < idx.size();) {
        std::size_t j = i;
        while (j + 1 < idx.size() && v[idx[j + 1]] == v[idx[i]])
            ++j;
        for (std::size_t k = i; k <= j; ++k)
            r[idx[k]] = (static_cast<double>(i) + static_cast<double>(j)) / 2.0;
        i = j + 1;
    }
    return r;
}

double pearson(const std::vector<double>& x, const std::vector<double>& y) {
    const double n = static_cast<double>(x.size());
    const double mx = std::accumulate(x.begin(), x.end(), 0.0) / n;
    const double my = std::accumulate(y.begin(), y.end(), 0.0) / n;
    double sxy = 0, sxx = 0, syy = 0;
    for (std::size_t i = 0; i < x.size(); ++i) {
        sxy += (x[i] - mx) * (y[i] - my);
        sxx += (x[i] - mx) * (x[i] - mx);
        syy += (y[i] - my) * (y[i] - my);
    }
    return sxx == 0 || syy == 0 ? 0.0 : sxy / std::sqrt(sxx * syy);
}

// Spearman's rank correlation.
double spearman(const std::vector<double>& x, const std::vector<double>& y) {
    return pearson(ranks(x), ranks(y));
}

Bytes slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The first offset of each needle (64-byte signatures) in the file, or -1 when absent.
std::vector<double> offsetsIn(const fs::path& file, const std::vector<Bytes>& needles) {
    Bytes hay = slurp(file);
    std::unordered_map<std::uint64_t, std::vector<std::size_t>> by_prefix;
    for (std::size_t i = 0; i < needles.size(); ++i) {
        std::uint64_t k = 0;
        std::memcpy(&k, needles[i].data(), 8);
        by_prefix[k].push_back(i);
    }
    std::vector<double> out(needles.size(), -1.0);
    for (std::size_t off = 0; off + 64 <= hay.size(); ++off) {
        std::uint64_t k = 0;
        std::memcpy(&k, hay.data() + off, 8);
        auto it = by_prefix.find(k);
        if (it == by_prefix.end()) continue;
        for (std::size_t i : it->second)
            if (out[i] < 0 && std::memcmp(hay.data() + off, needles[i].data(), 64) == 0)
                out[i] = static_cast<double>(off);
    }
    return out;
}

// Spearman of (where, cast position) over the envelopes found (where >= 0); found counts them.
double rhoFound(const std::vector<double>& where, std::size_t& found) {
    std::vector<double> x, y;
    for (std::size_t i = 0; i < where.size(); ++i)
        if (where[i] >= 0) {
            x.push_back(where[i]);
            y.push_back(static_cast<double>(i));
        }
    found = x.size();
    return x.size() < 3 ? 0.0 : spearman(x, y);
}

// Spearman of (where, cast position) within each group of cast positions, pooled: the ranks
// inside each group, over every envelope found in every group.
double rhoWithinGroups(const std::vector<double>& where, std::size_t group, std::size_t& found) {
    std::vector<double> x, y;
    for (std::size_t start = 0; start + group <= where.size(); start += group) {
        std::vector<double> w, c;
        for (std::size_t i = start; i < start + group; ++i)
            if (where[i] >= 0) {
                w.push_back(where[i]);
                c.push_back(static_cast<double>(i));
            }
        auto rw = ranks(w), rc = ranks(c);
        x.insert(x.end(), rw.begin(), rw.end());
        y.insert(y.end(), rc.begin(), rc.end());
    }
    found = x.size();
    return x.size() < 3 ? 0.0 : pearson(x, y);
}

// The rank of each cast position's hash among all: the order a table keyed by hash keeps.
std::vector<double> hashRanks(const std::vector<Hash32>& hashes) {
    std::vector<double> out;
    for (auto& h : hashes)
        out.push_back(static_cast<double>(
            std::count_if(hashes.begin(), hashes.end(), [&](const Hash32& o) { return o < h; })));
    return out;
}

ServerLimits noFoldWhileServing() {
    ServerLimits l;
    l.fold_idle = std::chrono::hours(1);
    l.fold_every = std::chrono::hours(1);
    return l;
}

struct Meeting {
    Fixture fx;
    Collector col;
    std::unique_ptr<Tab> tab;
    std::vector<Bytes> signatures; // per cast position
    std::vector<Hash32> hashes;
    std::size_t next = 0;
    std::vector<std::size_t> tokens; // indices into fx.tokens of U1/social

    explicit Meeting(std::size_t per_category, ServerLimits limits = {})
        : fx(per_category), col(fx, limits) {
        tab = makeTablet(fx, col.tmp.path / "t1", 0, 0, true);
        // Durability is not what these tests are about.
        REQUIRE(tab->store->db().exec("PRAGMA synchronous=OFF").ok());
        for (std::size_t i = 0; i < fx.tokens.size(); ++i)
            if (fx.tokens[i].first.meeting.id() == "U1/social") tokens.push_back(i);
    }
    void cast(const char* meeting = "U1/social") {
        std::size_t k = next++;
        if (std::string(meeting) != "U1/social") {
            for (k = 0; k < fx.tokens.size(); ++k)
                if (fx.tokens[k].first.meeting.id() == meeting &&
                    !std::count(used.begin(), used.end(), k))
                    break;
            --next;
        } else {
            k = tokens.at(k);
        }
        used.push_back(k);
        auto& [place, token] = fx.tokens.at(k);
        auto r = tab->store->cast(token, uniformAnswers(fx.campaign, place.meeting.unit, "A"),
                                  tab->device.sk);
        REQUIRE(r.ok());
        auto q = tab->store->db().prepare("SELECT bytes FROM envelopes WHERE hash = ?");
        REQUIRE(q.ok());
        q->bind(1, r->envelope_hash);
        REQUIRE(q->step());
        Bytes bytes = q->blob(0);
        signatures.emplace_back(bytes.end() - 64, bytes.end());
        hashes.push_back(r->envelope_hash);
    }
    SyncReport sync() {
        auto r = syncTablet(*tab->store, tab->device.sk, col.url());
        REQUIRE_MESSAGE(r.ok(), describe(r.error(), Lang::En));
        return *r;
    }
    fs::path db() const { return col.tmp.path / "col" / CollectorStore::kFileName; }
    fs::path wal() const { return db().string() + "-wal"; }
    std::vector<std::size_t> used;
};

} // namespace

TEST_CASE("With a sync after every ballot, the collector keeps no order of arrival within a "
          "batch, and none across a closed meeting") {
    // 2,398 ballots: under no order at all, |rho| stays below 0.1 but about once in 10,000 runs
    // (within groups of 5, pooled) or 100,000 (across the meeting).
    constexpr std::size_t kBallots = 2398;
    Meeting m(600, noFoldWhileServing()); // U1/social has 4 categories: 2,400 tokens
    for (std::size_t i = 0; i < kBallots - 1; ++i) {
        m.cast();
        SyncReport r = m.sync();
        // The rule itself: a sync sends a meeting's new ballots only once there are 5.
        CHECK(r.acknowledged == ((i + 1) % kReleaseGroup == 0 ? kReleaseGroup : 0));
        CHECK(r.waiting == (i + 1) % kReleaseGroup);
    }
    const std::size_t released = kBallots - 1 - (kBallots - 1) % kReleaseGroup;
    CHECK(m.col.held() == static_cast<std::int64_t>(released));
    {
        // Unfolded (the server folds only when idle): the file and its log hold the order of the
        // batches, and within each batch none but the hash's.
        std::vector<Bytes> sigs(m.signatures.begin(),
                                m.signatures.begin() + static_cast<std::ptrdiff_t>(released));
        std::size_t in_db = 0, in_wal = 0;
        auto db = offsetsIn(m.db(), sigs), wal = offsetsIn(m.wal(), sigs);
        double rho_db = rhoWithinGroups(db, kReleaseGroup, in_db);
        double rho_wal = rhoWithinGroups(wal, kReleaseGroup, in_wal);
        MESSAGE("within each batch of 5, unfolded: collector.db rho "
                << rho_db << " (" << in_db << " envelopes), -wal rho " << rho_wal << " (" << in_wal
                << ")");
        CHECK(in_db + in_wal >= released);
        CHECK(std::abs(rho_db) < 0.1); // the log holds too few for a figure that is not noise
        // Inside a batch the order in the file and in the log is the hash order exactly.
        for (auto* where : {&db, &wal})
            for (std::size_t b = 0; b + kReleaseGroup <= released; b += kReleaseGroup)
                for (std::size_t i = b; i < b + kReleaseGroup; ++i)
                    for (std::size_t j = b; j < b + kReleaseGroup; ++j)
                        if ((*where)[i] >= 0 && (*where)[j] >= 0 && m.hashes[i] < m.hashes[j])
                            CHECK((*where)[i] < (*where)[j]);
    }
    // One more (three wait), and the meeting closes on the tablet: the last three leave together.
    m.cast();
    CHECK(m.sync().acknowledged == 0);
    REQUIRE(m.tab->store->closeMeetings({"U1/social"}).ok());
    SyncReport last = m.sync();
    CHECK(last.acknowledged == kBallots - released);
    CHECK(last.waiting == 0);
    CHECK(m.col.held() == static_cast<std::int64_t>(kBallots));
    m.col.server->stop(); // folds what it imported

    std::size_t in_db = 0, in_wal = 0;
    auto db = offsetsIn(m.db(), m.signatures);
    double rho_db = rhoFound(db, in_db);
    double rho_wal = rhoFound(offsetsIn(m.wal(), m.signatures), in_wal);
    MESSAGE("across the closed meeting, folded: collector.db rho "
            << rho_db << " (" << in_db << " envelopes), -wal rho " << rho_wal << " (" << in_wal
            << ")");
    CHECK(in_db == kBallots);
    CHECK(in_wal == 0); // the log is empty
    CHECK(std::abs(rho_db) < 0.1);
    // The file order is the hash order, and nothing else.
    CHECK(spearman(db, hashRanks(m.hashes)) == doctest::Approx(1.0));

    auto store = CollectorStore::open(m.col.tmp.path / "col");
    REQUIRE(store.ok());
    // Rowids: only decision_log has them (staff decisions, in the order staff made them), and
    // it is empty; every table that holds envelopes or ledgers is keyed by hash.
    auto tables = store->db().prepare("SELECT name FROM sqlite_master WHERE type = 'table'");
    REQUIRE(tables.ok());
    std::vector<std::string> names;
    while (tables->step())
        names.push_back(tables->text(0));
    for (auto& t : names) {
        auto q = store->db().prepare(("SELECT count(rowid) FROM " + t).c_str());
        if (t == "decision_log") {
            REQUIRE(q.ok());
            REQUIRE(q->step());
            CHECK(q->i64(0) == 0);
        } else {
            CHECK_MESSAGE(!q.ok(), t << " has rowids");
        }
    }
    // Rows come back in key order: a plain SELECT of envelopes or ledger rows says nothing of
    // arrival either.
    for (const char* sql : {"SELECT hash FROM envelopes", "SELECT hash FROM ledger_hashes"}) {
        auto q = store->db().prepare(sql);
        REQUIRE(q.ok());
        std::map<Hash32, double> pos;
        double n = 0;
        while (q->step()) {
            Hash32 h{};
            auto v = q->blobView(0);
            std::copy(v.begin(), v.end(), h.begin());
            pos[h] = n++;
        }
        std::vector<double> where;
        for (auto& h : m.hashes)
            where.push_back(pos.count(h) ? pos[h] : -1.0);
        std::size_t found = 0;
        double rho = rhoFound(where, found);
        MESSAGE(std::string(sql) << ": rho " << rho << " (" << found << " rows)");
        CHECK(found == kBallots);
        CHECK(std::abs(rho) < 0.1);
    }
    // One row per device: its last contact is the time of the last import, never an envelope's.
    auto devices = store->devices();
    REQUIRE(devices.ok());
    CHECK(devices->size() == 1);
}

TEST_CASE("A tablet with 4 new envelopes of a meeting sends none until the fifth, or until the "
          "meeting is closed") {
    Meeting m(3);
    for (int i = 0; i < 4; ++i)
        m.cast();
    SyncReport r = m.sync();
    CHECK(r.acknowledged == 0);
    CHECK(r.pending == 0);
    CHECK(r.waiting == 4);
    CHECK(m.col.held() == 0);
    // The collector does not even learn of them: no ledger names them, none is missing.
    {
        auto store = CollectorStore::open(m.col.tmp.path / "col");
        REQUIRE(store.ok());
        CHECK(store->counts()->missing == 0);
        CHECK(store->counts()->devices == 0);
    }
    CHECK(tr(Lang::Zh, "release.waiting", {"4", "5"}).find("4 张选票待凑满一批后发送") == 0);
    m.cast();
    r = m.sync();
    CHECK(r.acknowledged == 5);
    CHECK(r.waiting == 0);
    CHECK(m.col.held() == 5);
    // Three more, then the meeting is closed on the tablet: they go, however few.
    for (int i = 0; i < 3; ++i)
        m.cast();
    CHECK(m.sync().acknowledged == 0);
    REQUIRE(m.tab->store->closeMeetings({"U1/social"}).ok());
    CHECK(m.tab->store->closedMeetings()->count("U1/social") == 1);
    r = m.sync();
    CHECK(r.acknowledged == 3);
    CHECK(r.waiting == 0);
    CHECK(m.col.held() == 8);
    auto c = m.tab->store->counts();
    CHECK(c->acknowledged == 8); // nothing acknowledged is lost, nothing is stuck
    CHECK(m.sync().acknowledged == 0);
    CHECK(m.col.held() == 8);
}

TEST_CASE("Each meeting waits for its own group of 5") {
    Meeting m(3);
    for (int i = 0; i < 4; ++i)
        m.cast();
    for (int i = 0; i < 4; ++i)
        m.cast("U2/social");
    SyncReport r = m.sync();
    CHECK(r.acknowledged == 0);
    CHECK(r.waiting == 8);
    m.cast();
    r = m.sync();
    CHECK(r.acknowledged == 5); // U1/social's five; U2/social's four still wait
    CHECK(r.waiting == 4);
    REQUIRE(m.tab->store->closeMeetings({"U2/social"}).ok());
    CHECK(m.sync().acknowledged == 4);
    CHECK(m.col.held() == 9);
}

TEST_CASE("A bundle holds a meeting's new envelopes only in groups of 5, or all once the meeting "
          "is closed") {
    Meeting m(3);
    auto exportNow = [&](const char* name) {
        auto e = exportBundle(*m.tab->store, m.tab->device.sk, m.col.tmp.path / name);
        REQUIRE(e.ok());
        return *e;
    };
    for (int i = 0; i < 4; ++i)
        m.cast();
    ExportResult e = exportNow("a.pyb");
    CHECK(e.envelopes == 0);
    CHECK(e.waiting == 4);
    CHECK(m.tab->store->counts()->exported == 0);
    m.cast();
    e = exportNow("b.pyb");
    CHECK(e.envelopes == 5);
    CHECK(e.waiting == 0);
    // One more: the bundle still holds the five (a bundle holds everything released), not the
    // sixth, whose ledger entry is not in it either.
    m.cast();
    e = exportNow("c.pyb");
    CHECK(e.envelopes == 5);
    CHECK(e.waiting == 1);
    auto bytes = readFile(m.col.tmp.path / "c.pyb");
    REQUIRE(bytes.ok());
    auto b = decodeBundle(*bytes, m.fx.package);
    REQUIRE(b.ok());
    CHECK(b->ledger.total == 5);
    CHECK(b->ledger.hashes.size() == 5);
    CHECK(std::find(b->ledger.hashes.begin(), b->ledger.hashes.end(), m.hashes[5]) ==
          b->ledger.hashes.end());
    REQUIRE(m.tab->store->closeMeetings({"U1/social"}).ok());
    e = exportNow("d.pyb");
    CHECK(e.envelopes == 6);
    CHECK(e.waiting == 0);
    CHECK(m.tab->store->counts()->exported == 6);
    // After a bundle, a sync sends what the bundle held (it may not have been imported yet).
    CHECK(m.sync().acknowledged == 6);
}

TEST_CASE("A sync request never splits a group, however small the batch") {
    Meeting m(5);
    for (int i = 0; i < 12; ++i)
        m.cast();
    SyncOptions opts;
    opts.batch = 2;
    std::size_t requests = 0;
    opts.progress = [&](std::size_t, std::size_t) { ++requests; };
    auto r = syncTablet(*m.tab->store, m.tab->device.sk, m.col.url(), opts);
    REQUIRE(r.ok());
    CHECK(r->acknowledged == 12); // twelve new ones: they all go, as groups of 5 and 7
    CHECK(r->waiting == 0);
    CHECK(requests == 2); // one request for each group, though the batch is 2
    // planBatches cuts only at group ends.
    std::vector<StoredEnvelope> pending(12);
    for (auto& e : pending)
        e.bytes.resize(100);
    SyncOptions o;
    o.batch = 3;
    CHECK(planBatches(pending, 0, o, {5, 12}) == std::vector<std::size_t>{5, 12});
    o.batch = 6;
    CHECK(planBatches(pending, 0, o, {5, 12}) == std::vector<std::size_t>{5, 12});
    o.batch = 100;
    CHECK(planBatches(pending, 0, o, {5, 12}) == std::vector<std::size_t>{12});
}
