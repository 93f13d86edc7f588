// LAN sync throughput (issue #5): T tablets of M real envelopes each (default 10 x 2,000) pushed
// to the real collector server (SyncServer on 127.0.0.1, libmicrohttpd) with syncTablet
// (libcurl), against exporting and importing the same envelopes as bundle files, in the same
// run, interleaved, with a fresh collector store and fresh copies of the tablets every time:
//
//   lan-seq      the tablets sync one after another, until every envelope is acknowledged
//   lan-par      every tablet syncs at once, one thread each
//   bundle       exportBundle of every tablet (timed on its own), then importBundleFile of
//                every bundle file into the collector store (timed on its own)
//   lan-phased   syncTablet's and the server's steps one by one, in-process, without HTTP, to
//                show where the time goes; with a bare HTTP loop (the same request bodies,
//                with a broken magic so the server answers 400 at once) for the transport
//
// After every run the collector must hold exactly T*M envelopes from T devices, none missing
// and no conflicts, and (LAN) every tablet envelope must be acknowledged; otherwise the bench
// stops with an error.
//
//   bench_sync [--tablets 10] [--per-tablet 2000] [--reps 3] [--batch B]
//              [--max-request-bytes N] [--server-threads 4] [--no-phased] [--dir PATH] [--keep]
//
// The tablets are filled through TabletStore::cast (real tokens, ballots and envelopes) with
// PRAGMA synchronous=OFF on the filling connection (set back to FULL, WAL checkpointed), then
// closed and kept as pristine folders; each run works on fresh copies (copying is not timed).

#include "core/ack.hpp"
#include "core/ballot.hpp"
#include "core/campaign.hpp"
#include "core/crypto.hpp"
#include "core/envelope.hpp"
#include "core/package.hpp"
#include "core/token.hpp"
#include "platform/collector_store.hpp"
#include "platform/files.hpp"
#include "platform/keyfile.hpp"
#include "platform/tablet_store.hpp"
#include "sync/bundle.hpp"
#include "sync/client.hpp"
#include "sync/collector_import.hpp"
#include "sync/server.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace pingyi;
using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench_sync: %s\n", what.c_str());
    std::exit(1);
}

std::string describeError(const Error& e) {
    std::string s = e.id;
    for (auto& a : e.args)
        s += " | " + a;
    return s;
}

void check(const Status& s, const char* what) {
    if (!s) die(std::string(what) + ": " + describeError(s.error()));
}

// CPU time of the whole process (every thread: tablets and server), user + system, in ms.
double cpuMs() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_usec) / 1000.0;
    };
    return ms(ru.ru_utime) + ms(ru.ru_stime);
}

struct Options {
    std::size_t tablets = 10;
    std::size_t per_tablet = 2'000;
    std::size_t reps = 3;
    std::size_t batch = 0;     // 0: SyncOptions' default
    std::size_t max_bytes = 0; // 0: SyncOptions' default
    unsigned server_threads = 0;
    bool phased = true;
    fs::path dir;
    bool keep = false;
};

std::size_t parseCount(const char* s, const char* what) {
    char* end = nullptr;
    unsigned long long v = std::strtoull(s, &end, 10);
    if (end == s || *end != '\0' || v == 0) die(std::string("bad ") + what + ": " + s);
    return static_cast<std::size_t>(v);
}

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> const char* {
            if (i + 1 >= argc) die("missing value after " + a);
            return argv[++i];
        };
        if (a == "--tablets")
            o.tablets = parseCount(next(), "--tablets");
        else if (a == "--per-tablet")
            o.per_tablet = parseCount(next(), "--per-tablet");
        else if (a == "--reps")
            o.reps = parseCount(next(), "--reps");
        else if (a == "--batch")
            o.batch = parseCount(next(), "--batch");
        else if (a == "--max-request-bytes")
            o.max_bytes = parseCount(next(), "--max-request-bytes");
        else if (a == "--server-threads")
            o.server_threads = static_cast<unsigned>(parseCount(next(), "--server-threads"));
        else if (a == "--no-phased")
            o.phased = false;
        else if (a == "--dir")
            o.dir = next();
        else if (a == "--keep")
            o.keep = true;
        else if (a == "-h" || a == "--help") {
            std::printf("usage: bench_sync [--tablets 10] [--per-tablet 2000] [--reps 3] "
                        "[--batch B] [--max-request-bytes N] [--server-threads N] [--no-phased] "
                        "[--dir PATH] [--keep]\n");
            std::exit(0);
        } else
            die("unknown argument: " + a);
    }
    return o;
}

// A fresh folder for everything; removed at exit unless --keep.
struct WorkDir {
    fs::path path;
    bool keep = false;
    WorkDir(const fs::path& parent, bool k) : keep(k) {
        std::uint8_t r[6];
        randomBytes(r);
        path = (parent.empty() ? fs::temp_directory_path() : parent) / ("pingyi-bench-" + toHex(r));
        check(ensureDirectory(path), "mkdir");
    }
    ~WorkDir() {
        std::error_code ec;
        if (!keep) fs::remove_all(path, ec);
    }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
};

// The seed campaign with enough tokens for every cast, a collector, and T enrolled devices.
struct Fixture {
    SignKeyPair organiser = signKeyPair();
    BoxKeyPair collector_box = boxKeyPair();
    SignKeyPair collector_sign = signKeyPair();
    Campaign campaign = seedCampaign();
    std::vector<std::pair<TokenPlace, Token>> tokens;
    Package package;
    PublicKeys collector_pub;
    std::vector<SignKeyPair> devices;
    std::vector<Bytes> certificates;

    Fixture(std::size_t needed, std::size_t tablets) {
        std::size_t places = 0;
        for (auto& m : campaign.meetings())
            places += campaign.group(m.group)->categories.size();
        std::size_t per_category = (needed + places - 1) / places;
        PackageBody body;
        body.campaign = campaign;
        body.organiser = organiser.pk;
        body.collector_box = collector_box.pk;
        body.collector_sign = collector_sign.pk;
        for (auto& m : campaign.meetings()) {
            for (auto& cat : campaign.group(m.group)->categories) {
                TokenSet set{m.id(), cat.id, {}};
                for (std::size_t i = 0; i < per_category; ++i) {
                    Token t = newToken();
                    set.tags.push_back(tokenTag(campaign.id, t));
                    tokens.push_back({TokenPlace{m, cat.id}, t});
                }
                body.tokens.push_back(std::move(set));
            }
        }
        // Every tablet gets tokens from every meeting.
        std::shuffle(tokens.begin(), tokens.end(), RandomBits());
        auto p = decodePackage(encodePackage(body, organiser.sk));
        if (!p) die("package: " + describeError(p.error()));
        package = std::move(p.value());
        collector_pub.role = KeyRole::Collector;
        collector_pub.label = "bench collector";
        collector_pub.sign = collector_sign.pk;
        collector_pub.box = collector_box.pk;
        for (std::size_t k = 0; k < tablets; ++k) {
            devices.push_back(signKeyPair());
            char label[32];
            std::snprintf(label, sizeof label, "平板 %02zu", k + 1);
            certificates.push_back(
                encodeCertificate(package.digest, devices.back().pk, label, organiser.sk));
        }
    }

    // A uniform random bit source for std::shuffle, from libsodium.
    struct RandomBits {
        using result_type = std::uint32_t;
        static constexpr result_type min() { return 0; }
        static constexpr result_type max() { return 0xffffffffu; }
        result_type operator()() {
            std::uint8_t b[4];
            randomBytes(b);
            return std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 |
                   std::uint32_t(b[3]) << 24;
        }
    };
};

// Every subject of the unit rated on every item with one randomly drawn level.
Answers answersFor(const Campaign& c, const std::string& unit) {
    const auto& levels = c.scale.levels;
    const std::string& level = levels[randomBelow(static_cast<std::uint32_t>(levels.size()))].id;
    Answers a;
    for (auto si : c.subjectsOf(unit)) {
        const Subject& s = c.subjects[si];
        for (auto& item : c.questionnaire(s.questionnaire)->items)
            a.ratings[s.id][item.id] = level;
    }
    return a;
}

fs::path tabletDir(const fs::path& root, std::size_t k) {
    char name[32];
    std::snprintf(name, sizeof name, "tablet-%02zu", k + 1);
    return root / name;
}

// Fills the pristine tablet k with M casts (tokens [k*M, (k+1)*M)); closes it at the end.
void fillTablet(const Fixture& fx, const fs::path& dir, std::size_t k, std::size_t m) {
    auto created =
        TabletStore::create(dir, fx.package, fx.certificates[k], fx.devices[k], "246813");
    if (!created) die("create tablet: " + describeError(created.error()));
    TabletStore store = std::move(created.value());
    check(store.db().exec("PRAGMA synchronous=OFF"), "synchronous=OFF");
    for (std::size_t i = k * m; i < (k + 1) * m; ++i) {
        const auto& [place, token] = fx.tokens[i];
        auto r = store.cast(token, answersFor(fx.campaign, place.meeting.unit), fx.devices[k].sk);
        if (!r) die("cast: " + describeError(r.error()));
    }
    check(store.db().exec("PRAGMA synchronous=FULL"), "synchronous=FULL");
    check(store.foldJournal(), "fold");
    auto counts = store.counts();
    if (!counts || static_cast<std::size_t>(counts->cast) != m) die("fill: wrong envelope count");
}

// Fresh copies of the pristine tablets and a fresh, empty collector store under run/.
struct RunState {
    fs::path root;
    std::vector<TabletStore> tablets;
    fs::path collector;
};

RunState freshRun(const Fixture& fx, const fs::path& work, std::size_t tablets) {
    RunState s;
    s.root = work / "run";
    std::error_code ec;
    fs::remove_all(s.root, ec);
    check(ensureDirectory(s.root), "mkdir run");
    for (std::size_t k = 0; k < tablets; ++k) {
        fs::path dst = tabletDir(s.root, k);
        fs::copy(tabletDir(work / "pristine", k), dst, fs::copy_options::recursive, ec);
        if (ec) die("copy tablet: " + ec.message());
        auto t = TabletStore::open(dst);
        if (!t) die("open tablet: " + describeError(t.error()));
        s.tablets.push_back(std::move(t.value()));
    }
    s.collector = s.root / "collector";
    auto c = CollectorStore::create(s.collector, fx.package, fx.collector_pub);
    if (!c) die("create collector: " + describeError(c.error()));
    return s;
}

// The collector holds exactly T*M envelopes from T devices, none missing, no conflicts.
void checkCollector(const fs::path& dir, std::size_t tablets, std::size_t m, const char* what) {
    auto c = CollectorStore::open(dir);
    if (!c) die(std::string(what) + ": open collector: " + describeError(c.error()));
    auto n = c->counts();
    if (!n) die(std::string(what) + ": counts: " + describeError(n.error()));
    if (static_cast<std::size_t>(n->envelopes) != tablets * m ||
        static_cast<std::size_t>(n->devices) != tablets || n->missing != 0 || n->conflicts != 0)
        die(std::string(what) + ": collector holds " + std::to_string(n->envelopes) +
            " envelopes from " + std::to_string(n->devices) + " devices (" +
            std::to_string(n->missing) + " missing, " + std::to_string(n->conflicts) +
            " conflicts); expected " + std::to_string(tablets * m) + " from " +
            std::to_string(tablets));
}

// Every envelope of every tablet is acknowledged.
void checkAcknowledged(RunState& s, std::size_t m, const char* what) {
    for (auto& t : s.tablets) {
        auto c = t.counts();
        if (!c) die(std::string(what) + ": tablet counts: " + describeError(c.error()));
        if (static_cast<std::size_t>(c->acknowledged) != m ||
            static_cast<std::size_t>(c->cast) != m)
            die(std::string(what) + ": a tablet has " + std::to_string(c->acknowledged) + " of " +
                std::to_string(c->cast) + " envelopes acknowledged; expected " + std::to_string(m));
        auto pending = t.envelopes(true);
        if (!pending || !pending->empty()) die(std::string(what) + ": envelopes still pending");
    }
}

// Wall and CPU time of one run of a variant.
struct Sample {
    double wall_ms = 0, cpu_ms = 0;
};

struct Series {
    std::vector<Sample> samples;
    void add(Sample s) { samples.push_back(s); }
    double medianWall() const { return medianOf(&Sample::wall_ms); }
    double medianCpu() const { return medianOf(&Sample::cpu_ms); }
    double minWall() const {
        double m = samples.front().wall_ms;
        for (auto& s : samples)
            m = std::min(m, s.wall_ms);
        return m;
    }
    double maxWall() const {
        double m = samples.front().wall_ms;
        for (auto& s : samples)
            m = std::max(m, s.wall_ms);
        return m;
    }
    double medianOf(double Sample::*f) const {
        std::vector<double> v;
        for (auto& s : samples)
            v.push_back(s.*f);
        std::sort(v.begin(), v.end());
        std::size_t n = v.size();
        return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
    }
};

template <class F> Sample timed(F f) {
    double cpu0 = cpuMs();
    auto t0 = Clock::now();
    f();
    return {msSince(t0), cpuMs() - cpu0};
}

ServerLimits serverLimits(const Options& o) {
    ServerLimits l;
    // Every tablet connects from 127.0.0.1 here; on a LAN each has its own address.
    l.per_ip_limit = std::max<unsigned>(l.per_ip_limit, static_cast<unsigned>(2 * o.tablets));
    l.connection_limit =
        std::max<unsigned>(l.connection_limit, static_cast<unsigned>(2 * o.tablets));
    if (o.server_threads) l.threads = o.server_threads;
    return l;
}

SyncOptions syncOptions(const Options& o) {
    SyncOptions so;
    if (o.batch) so.batch = o.batch;
    if (o.max_bytes) so.max_request_bytes = o.max_bytes;
    so.first_backoff_ms = 50;
    return so;
}

struct ServerCounters {
    std::uint64_t requests = 0, batches = 0, busy = 0;
};

std::unique_ptr<SyncServer> startServer(const Fixture& fx, const fs::path& collector,
                                        const Options& o) {
    auto s = SyncServer::start(collector, fx.collector_sign.pk, fx.collector_sign.sk, "127.0.0.1",
                               0, serverLimits(o));
    if (!s) die("start server: " + describeError(s.error()));
    return std::move(s.value());
}

// (a) LAN: syncTablet for every tablet, one after another (threads = false) or all at once.
Sample runLan(const Fixture& fx, const fs::path& work, const Options& o, bool threads,
              ServerCounters& counters) {
    RunState s = freshRun(fx, work, o.tablets);
    auto server = startServer(fx, s.collector, o);
    const std::string url = "http://127.0.0.1:" + std::to_string(server->port());
    const SyncOptions so = syncOptions(o);
    std::vector<std::optional<Result<SyncReport>>> reports(o.tablets);
    auto syncOne = [&](std::size_t k) {
        reports[k].emplace(syncTablet(s.tablets[k], fx.devices[k].sk, url, so));
    };
    Sample sample = timed([&] {
        if (!threads) {
            for (std::size_t k = 0; k < o.tablets; ++k)
                syncOne(k);
        } else {
            std::vector<std::thread> pool;
            for (std::size_t k = 0; k < o.tablets; ++k)
                pool.emplace_back(syncOne, k);
            for (auto& t : pool)
                t.join();
        }
    });
    const char* what = threads ? "lan-par" : "lan-seq";
    for (auto& opt_r : reports) {
        const Result<SyncReport>& r = *opt_r;
        if (!r) die(std::string(what) + ": sync failed: " + describeError(r.error()));
        if (r->acknowledged != o.per_tablet || r->rejected != 0)
            die(std::string(what) + ": a sync acknowledged " + std::to_string(r->acknowledged) +
                " envelopes, rejected " + std::to_string(r->rejected));
    }
    counters.requests += server->stats().requests.load();
    counters.batches += server->stats().batches.load();
    counters.busy += server->stats().busy.load();
    server->stop();
    server.reset();
    checkAcknowledged(s, o.per_tablet, what);
    checkCollector(s.collector, o.tablets, o.per_tablet, what);
    return sample;
}

// (b) bundle files: export every tablet (one sample), then import every file (another).
std::pair<Sample, Sample> runBundle(const Fixture& fx, const fs::path& work, const Options& o,
                                    std::size_t& bundle_bytes) {
    RunState s = freshRun(fx, work, o.tablets);
    const fs::path out = s.root / "bundles";
    check(ensureDirectory(out), "mkdir bundles");
    std::vector<fs::path> files;
    for (std::size_t k = 0; k < o.tablets; ++k)
        files.push_back(out / (tabletDir("", k).string() + ".pybn"));
    bundle_bytes = 0;
    Sample exp = timed([&] {
        for (std::size_t k = 0; k < o.tablets; ++k) {
            auto r = exportBundle(s.tablets[k], fx.devices[k].sk, files[k]);
            if (!r) die("export: " + describeError(r.error()));
            if (r->envelopes != o.per_tablet) die("export: wrong envelope count");
            bundle_bytes += r->bytes;
        }
    });
    auto store = CollectorStore::open(s.collector);
    if (!store) die("open collector: " + describeError(store.error()));
    std::vector<ImportReport> reports;
    Sample imp = timed([&] {
        for (auto& f : files)
            reports.push_back(importBundleFile(*store, f));
    });
    for (auto& r : reports) {
        if (r.refused) die("import refused: " + describeError(*r.refused));
        if (r.added != o.per_tablet || !r.rejected.empty())
            die("import: " + std::to_string(r.added) + " added, " +
                std::to_string(r.rejected.size()) + " rejected");
    }
    checkCollector(s.collector, o.tablets, o.per_tablet, "bundle");
    return {exp, imp};
}

// Where LAN sync time goes: syncTablet's steps and the server handler's steps, one by one,
// in-process (no HTTP), sequential over the tablets. Phase totals in ms.
struct Phases {
    std::map<std::string, double> ms;
    std::vector<std::string> order;
    void add(const std::string& name, double v) {
        if (!ms.count(name)) order.push_back(name);
        ms[name] += v;
    }
};

Sample runPhased(const Fixture& fx, const fs::path& work, const Options& o, Phases& ph) {
    RunState s = freshRun(fx, work, o.tablets);
    auto opened = CollectorStore::open(s.collector);
    if (!opened) die("open collector: " + describeError(opened.error()));
    CollectorStore& col = *opened;
    const SyncOptions so = syncOptions(o);
    using Ms = std::chrono::duration<double, std::milli>;
    Sample sample = timed([&] {
        for (std::size_t k = 0; k < o.tablets; ++k) {
            TabletStore& tab = s.tablets[k];
            const Secret& dsk = fx.devices[k].sk;
            auto t0 = Clock::now();
            auto pending = tab.envelopes(true);
            if (!pending) die("envelopes: " + describeError(pending.error()));
            auto ledger = tab.ledger(dsk);
            if (!ledger) die("ledger: " + describeError(ledger.error()));
            ph.add("tablet: read pending + sign ledger", Ms(Clock::now() - t0).count());
            const std::size_t fixed = tab.certificate().bytes.size() + ledger->size() + 128;
            std::size_t start = 0;
            for (std::size_t end : planBatches(*pending, fixed, so)) {
                std::vector<StoredEnvelope> batch(
                    pending->begin() + static_cast<std::ptrdiff_t>(start),
                    pending->begin() + static_cast<std::ptrdiff_t>(end));
                auto c0 = Clock::now();
                Bytes body = encodeBundle(tab.package().digest, tab.certificate().bytes, *ledger,
                                          batch, dsk);
                auto c1 = Clock::now();
                // The server's handler.
                check(col.refreshTokens(), "refreshTokens");
                auto c2 = Clock::now();
                auto b = decodeBundle(body, col.package());
                if (!b) die("decode: " + describeError(b.error()));
                auto c3 = Clock::now();
                std::vector<HeldEnvelope> good;
                good.reserve(b->envelopes.size());
                for (auto& se : b->envelopes) {
                    auto env = verifyEnvelope(se.bytes);
                    if (!env || env->device != b->certificate.device ||
                        env->campaign != col.package().digest ||
                        !col.tokens().find(env->token_tag) ||
                        !std::binary_search(b->ledger.hashes.begin(), b->ledger.hashes.end(),
                                            se.hash))
                        die("phased: an envelope was rejected");
                    good.push_back({se.hash, env->token_tag, std::move(se.bytes)});
                }
                auto c4 = Clock::now();
                auto st = col.storeVerified(b->certificate, b->ledger, good, utcNow());
                if (!st) die("storeVerified: " + describeError(st.error()));
                auto c5 = Clock::now();
                std::vector<Hash32> held;
                held.reserve(good.size());
                for (auto& g : good)
                    held.push_back(g.hash);
                Bytes ack = encodeAck(col.package().digest, b->certificate.device, held, st->ledger,
                                      fx.collector_sign.sk);
                auto c6 = Clock::now();
                json answer = {{"protocol", 2},
                               {"status", "ok"},
                               {"added", st->added},
                               {"already", st->already},
                               {"rejected", json::array()},
                               {"ack", toHex(ack)}};
                std::string text = answer.dump();
                // The tablet reads the answer.
                json j = json::parse(text, nullptr, false);
                Bytes ack_bytes;
                if (j.is_discarded() || !fromHex(j.value("ack", ""), ack_bytes))
                    die("phased: bad answer");
                auto c7 = Clock::now();
                auto a = decodeAck(ack_bytes, tab.package().body.collector_sign,
                                   tab.package().digest, tab.device());
                if (!a) die("decodeAck: " + describeError(a.error()));
                auto c8 = Clock::now();
                std::vector<Hash32> acked;
                for (auto& e : batch)
                    if (std::binary_search(a->hashes.begin(), a->hashes.end(), e.hash))
                        acked.push_back(e.hash);
                check(tab.markAcknowledged(acked), "markAcknowledged");
                auto c9 = Clock::now();
                ph.add("tablet: encode + sign batch (encodeBundle)", Ms(c1 - c0).count());
                ph.add("collector: refreshTokens", Ms(c2 - c1).count());
                ph.add("collector: decodeBundle (cert, ledger, bundle sig)", Ms(c3 - c2).count());
                ph.add("collector: verify envelopes + checks", Ms(c4 - c3).count());
                ph.add("collector: storeVerified (one commit)", Ms(c5 - c4).count());
                ph.add("collector: ack signing (encodeAck)", Ms(c6 - c5).count());
                ph.add("both: JSON answer + hex", Ms(c7 - c6).count());
                ph.add("tablet: ack verification (decodeAck)", Ms(c8 - c7).count());
                ph.add("tablet: markAcknowledged (one commit)", Ms(c9 - c8).count());
                start = end;
            }
        }
    });
    checkAcknowledged(s, o.per_tablet, "lan-phased");
    checkCollector(s.collector, o.tablets, o.per_tablet, "lan-phased");
    return sample;
}

size_t discard(char*, size_t size, size_t n, void*) {
    return size * n;
}

// The transport alone: the same request bodies (one per batch, as syncTablet sends them), each
// with its magic broken, POSTed to /v2/sync with a fresh curl handle per request (syncTablet
// keeps one connection for a whole sync: this is the dearer case); the server reads the whole
// body and answers 400 at once.
Sample runBareHttp(const Fixture& fx, const fs::path& work, const Options& o,
                   const std::vector<Bytes>& bodies) {
    RunState s = freshRun(fx, work, 0);
    auto server = startServer(fx, s.collector, o);
    const std::string url =
        "http://127.0.0.1:" + std::to_string(server->port()) + std::string("/v2/sync");
    std::size_t answered = 0;
    Sample sample = timed([&] {
        for (auto& body : bodies) {
            CURL* h = curl_easy_init();
            curl_slist* headers = curl_slist_append(nullptr, "Expect:");
            headers = curl_slist_append(headers, "Content-Type: application/octet-stream");
            curl_easy_setopt(h, CURLOPT_URL, url.c_str());
            curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.data());
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
            curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &discard);
            curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
            curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
            long status = 0;
            if (curl_easy_perform(h) == CURLE_OK) {
                curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
                if (status == 400) ++answered;
            }
            curl_slist_free_all(headers);
            curl_easy_cleanup(h);
        }
    });
    if (answered != bodies.size()) die("bare HTTP: not every request was answered 400");
    server->stop();
    return sample;
}

// The request bodies syncTablet would send for every tablet, with a broken magic.
std::vector<Bytes> bareBodies(const Fixture& fx, const fs::path& work, const Options& o) {
    std::vector<Bytes> out;
    const SyncOptions so = syncOptions(o);
    for (std::size_t k = 0; k < o.tablets; ++k) {
        auto t = TabletStore::open(tabletDir(work / "pristine", k));
        if (!t) die("open tablet: " + describeError(t.error()));
        auto envs = t->envelopes(true);
        auto ledger = t->ledger(fx.devices[k].sk);
        if (!envs || !ledger) die("read tablet");
        const std::size_t fixed = fx.certificates[k].size() + ledger->size() + 128;
        std::size_t start = 0;
        for (std::size_t end : planBatches(*envs, fixed, so)) {
            std::vector<StoredEnvelope> b(envs->begin() + static_cast<std::ptrdiff_t>(start),
                                          envs->begin() + static_cast<std::ptrdiff_t>(end));
            Bytes body =
                encodeBundle(fx.package.digest, fx.certificates[k], *ledger, b, fx.devices[k].sk);
            body[0] = 'X';
            out.push_back(std::move(body));
            start = end;
        }
    }
    return out;
}

void row(const char* name, const Series& s, std::size_t n) {
    double wall = s.medianWall(), cpu = s.medianCpu();
    std::printf("  %-40s %9.1f %9.1f %9.1f %10.0f %9.1f %6.2f\n", name, wall, s.minWall(),
                s.maxWall(), static_cast<double>(n) * 1000.0 / wall, cpu, cpu / wall);
}

} // namespace

int main(int argc, char** argv) {
    Options opt = parseArgs(argc, argv);
    initCrypto();
    curl_global_init(CURL_GLOBAL_DEFAULT);
    WorkDir work(opt.dir, opt.keep);
    const std::size_t total = opt.tablets * opt.per_tablet;

    // ---- fill (not timed as a result): two threads, tablets by stride ----
    auto t_fill = Clock::now();
    Fixture fx(total, opt.tablets);
    check(ensureDirectory(work.path / "pristine"), "mkdir pristine");
    {
        auto worker = [&](std::size_t first) {
            for (std::size_t k = first; k < opt.tablets; k += 2)
                fillTablet(fx, tabletDir(work.path / "pristine", k), k, opt.per_tablet);
        };
        std::thread other(worker, 1);
        worker(0);
        other.join();
    }
    double fill_s = msSince(t_fill) / 1000.0;
    std::vector<Bytes> bodies;
    if (opt.phased) bodies = bareBodies(fx, work.path, opt);

    Series lan_seq, lan_par, exp, imp, phased, bare_http;
    ServerCounters seq_counters, par_counters;
    Phases ph;
    std::size_t bundle_bytes = 0;
    const std::size_t kinds = opt.phased ? 4 : 3;
    for (std::size_t rep = 0; rep < opt.reps; ++rep) {
        for (std::size_t i = 0; i < kinds; ++i) {
            switch ((rep + i) % kinds) {
            case 0:
                lan_seq.add(runLan(fx, work.path, opt, false, seq_counters));
                break;
            case 1:
                lan_par.add(runLan(fx, work.path, opt, true, par_counters));
                break;
            case 2: {
                auto [e, m] = runBundle(fx, work.path, opt, bundle_bytes);
                exp.add(e);
                imp.add(m);
                break;
            }
            default:
                phased.add(runPhased(fx, work.path, opt, ph));
                bare_http.add(runBareHttp(fx, work.path, opt, bodies));
                break;
            }
            std::fprintf(stderr, "rep %zu/%zu step %zu/%zu done\n", rep + 1, opt.reps, i + 1,
                         kinds);
        }
    }

    const SyncOptions so = syncOptions(opt);
    const ServerLimits limits = serverLimits(opt);
    std::printf("Sync benchmark: %zu tablets x %zu envelopes = %zu, batch <= %zu envelopes and "
                "<= %zu bytes, %zu reps, interleaved\n",
                opt.tablets, opt.per_tablet, total, so.batch, so.max_request_bytes, opt.reps);
    std::printf("  folder %s; SQLite %s; %s; fill %.1f s; bundles %.1f MB (%.0f bytes/envelope)\n",
                work.path.c_str(), sqlite3_libversion(), curl_version(), fill_s,
                static_cast<double>(bundle_bytes) / 1e6,
                static_cast<double>(bundle_bytes) / static_cast<double>(total));
    std::printf("  server: %u threads, per-IP limit %u; CPU = whole process (tablets + server)\n\n",
                limits.threads, limits.per_ip_limit);
    std::printf("  %-40s %9s %9s %9s %10s %9s %6s\n", "variant (all tablets, ms)", "median", "min",
                "max", "env/s", "CPU ms", "cores");
    row("lan-seq: syncTablet, one at a time", lan_seq, total);
    row("lan-par: syncTablet, all at once", lan_par, total);
    row("bundle: exportBundle, every tablet", exp, total);
    row("bundle: importBundleFile, every file", imp, total);
    Series both;
    for (std::size_t i = 0; i < exp.samples.size(); ++i)
        both.add({exp.samples[i].wall_ms + imp.samples[i].wall_ms,
                  exp.samples[i].cpu_ms + imp.samples[i].cpu_ms});
    row("bundle: export + import", both, total);
    if (opt.phased) {
        row("lan-phased: same steps, no HTTP", phased, total);
        row("bare HTTP: same bodies, answered 400", bare_http, total);
    }
    std::printf("\n  server requests per LAN run: %.0f (%.0f batches), 503 busy answers: %.0f "
                "sequential, %.0f at once\n",
                static_cast<double>(seq_counters.requests) / static_cast<double>(opt.reps),
                static_cast<double>(seq_counters.batches) / static_cast<double>(opt.reps),
                static_cast<double>(seq_counters.busy), static_cast<double>(par_counters.busy));

    auto ratio = [](const Series& lan, const Series& bundle) {
        return bundle.medianWall() / lan.medianWall();
    };
    std::printf("\nthroughput ratio LAN/bundle (envelopes/s, medians; > 1 means LAN is faster):\n");
    std::printf("  lan-seq / import only      %.2fx\n", ratio(lan_seq, imp));
    std::printf("  lan-par / import only      %.2fx\n", ratio(lan_par, imp));
    std::printf("  lan-seq / export + import  %.2fx\n", ratio(lan_seq, both));
    std::printf("  lan-par / export + import  %.2fx\n", ratio(lan_par, both));
    std::printf("CPU ratio lan-seq/(export + import): %.2fx\n",
                lan_seq.medianCpu() / both.medianCpu());

    if (opt.phased) {
        double reps = static_cast<double>(opt.reps);
        double sum = 0;
        for (auto& [k, v] : ph.ms)
            sum += v / reps;
        double seq = lan_seq.medianWall();
        std::printf(
            "\nwhere lan-seq time goes (phased, mean per run, ms; %% of lan-seq median):\n");
        for (auto& name : ph.order)
            std::printf("  %-52s %9.1f %6.1f %%\n", name.c_str(), ph.ms[name] / reps,
                        100.0 * ph.ms[name] / reps / seq);
        std::printf("  %-52s %9.1f %6.1f %%\n", "sum of phases", sum, 100.0 * sum / seq);
        std::printf("  %-52s %9.1f %6.1f %%\n", "rest: HTTP, threads, waiting (lan-seq - sum)",
                    seq - sum, 100.0 * (seq - sum) / seq);
        std::printf("  %-52s %9.1f %6.1f %%\n", "bare HTTP of the same bodies (median)",
                    bare_http.medianWall(), 100.0 * bare_http.medianWall() / seq);
    }
    curl_global_cleanup();
    return 0;
}
