// Collector throughput: importBundle() of N real envelopes (default 100,000, spread over bundles
// of 10,000 from as many enrolled devices) and runCount() of the N ballots, each against the
// bare cost measured in the same run:
//   import: Ed25519 verification of the same envelopes alone (crypto_sign_verify_detached), and
//           a plain SQLite insert of the same bytes (one transaction per bundle);
//   count:  crypto_box_seal_open of the same sealed blobs alone, on one core and on two threads.
// Phased variants run the same steps one by one through the public API, to show where the time
// goes. Peak RSS (VmHWM, reset before every timed variant) is reported per variant.
//
//   bench_collector [envelopes=100000] [--n N] [--million] [--per-bundle 10000] [--reps R]
//                   [--comments PCT] [--no-phased] [--trace] [--dir PATH] [--keep]
//
// The envelopes are generated first (two threads): for every token, a random valid ballot
// (buildBallot) sealed and signed by its bundle's device (sealEnvelope); every bundle is a real
// encodeBundle() file with the device's certificate and ledger. Generation is not timed.

#include "core/ballot.hpp"
#include "core/campaign.hpp"
#include "core/crypto.hpp"
#include "core/envelope.hpp"
#include "core/package.hpp"
#include "core/results.hpp"
#include "core/tally.hpp"
#include "core/token.hpp"
#include "platform/collector_store.hpp"
#include "platform/count.hpp"
#include "platform/files.hpp"
#include "platform/keyfile.hpp"
#include "sync/bundle.hpp"
#include "sync/collector_import.hpp"

#include <sodium.h>
#include <sqlite3.h>

#include <malloc.h>
#include <sys/resource.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using namespace pingyi;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}
double msBetween(Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
}
// steady_clock is CLOCK_MONOTONIC: the same time base as `perf record -k CLOCK_MONOTONIC`.
double monoSeconds(Clock::time_point t) {
    return std::chrono::duration<double>(t.time_since_epoch()).count();
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench_collector: %s\n", what.c_str());
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

struct Options {
    std::size_t envelopes = 100'000;
    std::size_t per_bundle = 10'000;
    std::size_t reps = 0; // 0: 3 up to 200,000 envelopes, else 1
    unsigned comment_pct = 10;
    bool phased = true;
    bool trace = false;
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
        if (a == "--n")
            o.envelopes = parseCount(next(), "--n");
        else if (a == "--million")
            o.envelopes = 1'000'000;
        else if (a == "--per-bundle")
            o.per_bundle = parseCount(next(), "--per-bundle");
        else if (a == "--reps")
            o.reps = parseCount(next(), "--reps");
        else if (a == "--comments")
            o.comment_pct = static_cast<unsigned>(std::min(100, std::atoi(next())));
        else if (a == "--no-phased")
            o.phased = false;
        else if (a == "--trace")
            o.trace = true;
        else if (a == "--dir")
            o.dir = next();
        else if (a == "--keep")
            o.keep = true;
        else if (a == "-h" || a == "--help") {
            std::printf("usage: bench_collector [envelopes=100000] [--n N] [--million] "
                        "[--per-bundle 10000] [--reps R] [--comments PCT] [--no-phased] "
                        "[--trace] [--dir PATH] [--keep]\n");
            std::exit(0);
        } else
            o.envelopes = parseCount(argv[i], "envelope count");
    }
    if (o.reps == 0) o.reps = o.envelopes <= 200'000 ? 3 : 1;
    return o;
}

// A fresh folder for the bundles and databases; removed at exit unless --keep.
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

// ---- memory ---------------------------------------------------------------------------------

struct Mem {
    long rss_kb = 0, hwm_kb = 0, maxrss_kb = 0;
    long anon_kb = 0, file_kb = 0; // RssAnon (the process's own memory), RssFile (mapped files)
};

Mem memNow() {
    Mem m;
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("VmRSS:", 0) == 0) m.rss_kb = std::atol(line.c_str() + 6);
        if (line.rfind("VmHWM:", 0) == 0) m.hwm_kb = std::atol(line.c_str() + 6);
        if (line.rfind("RssAnon:", 0) == 0) m.anon_kb = std::atol(line.c_str() + 8);
        if (line.rfind("RssFile:", 0) == 0) m.file_kb = std::atol(line.c_str() + 8);
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    m.maxrss_kb = ru.ru_maxrss;
    return m;
}

// Highest VmHWM seen over the whole run (the resets below forget it otherwise).
long g_process_peak_kb = 0;

// Resets the peak (VmHWM and ru_maxrss) to the current RSS (Linux >= 4.0), so that the next
// reading is the peak of what runs in between.
void resetPeak() {
    g_process_peak_kb = std::max(g_process_peak_kb, memNow().hwm_kb);
    std::ofstream f("/proc/self/clear_refs");
    f << "5";
}

// The kernel keeps no peak of RssAnon: a thread samples it every 20 ms while a variant runs.
class AnonPeak {
  public:
    AnonPeak() : peak_(memNow().anon_kb) {
        t_ = std::thread([this] {
            while (!stop_.load()) {
                long a = memNow().anon_kb;
                long p = peak_.load();
                if (a > p) peak_.store(a);
                std::this_thread::sleep_for(std::chrono::milliseconds(20));
            }
        });
    }
    long finish() {
        stop_ = true;
        t_.join();
        return std::max(peak_.load(), memNow().anon_kb);
    }

  private:
    std::atomic<long> peak_;
    std::atomic<bool> stop_{false};
    std::thread t_;
};
long g_process_anon_peak_kb = 0;

double mb(long kb) {
    return static_cast<double>(kb) / 1024.0;
}

// CPU time of the whole process (every thread), user + system, in milliseconds.
double cpuMs() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    auto ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1000.0 + static_cast<double>(t.tv_usec) / 1000.0;
    };
    return ms(ru.ru_utime) + ms(ru.ru_stime);
}

// The machine is shared: other processes' load shows up in every 2-thread figure.
std::string loadAverage() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

// ---- fixture --------------------------------------------------------------------------------

// The seed campaign with exactly N tokens issued, spread evenly over every meeting and category
// (each token's place is kept; tokens themselves are not needed, only their proofs).
struct Fixture {
    SignKeyPair organiser = signKeyPair();
    BoxKeyPair collector_box = boxKeyPair();
    SignKeyPair collector_sign = signKeyPair();
    Campaign campaign = seedCampaign();
    std::vector<TokenPlace> places;
    std::vector<TokenProof> tags;        // token proofs, one per envelope, shuffled
    std::vector<std::uint16_t> place_of; // index into places, per tag
    Package package;
    std::size_t padded = 0;

    explicit Fixture(std::size_t n) {
        for (auto& m : campaign.meetings())
            for (auto& cat : campaign.group(m.group)->categories)
                places.push_back(TokenPlace{m, cat.id});
        PackageBody body;
        body.campaign = campaign;
        body.organiser = organiser.pk;
        body.collector_box = collector_box.pk;
        body.collector_sign = collector_sign.pk;
        for (auto& p : places)
            body.tokens.push_back(TokenSet{p.meeting.id(), p.category, {}});
        tags.reserve(n);
        place_of.reserve(n);
        for (std::size_t i = 0; i < n; ++i) {
            // A random proof stands for a token's (deriving 0.5 ms per token is not measured
            // here): the count checks the proof against the tag all the same.
            TokenProof proof{};
            randomBytes(proof);
            Hash32 tag = tokenTagOfProof(campaign.id, proof);
            std::size_t p = i % places.size();
            body.tokens[p].tags.push_back(tag);
            tags.push_back(proof);
            place_of.push_back(static_cast<std::uint16_t>(p));
        }
        // Mix meetings within every bundle.
        for (std::size_t i = n; i > 1; --i) {
            std::size_t j = randomBelow(static_cast<std::uint32_t>(i));
            std::swap(tags[i - 1], tags[j]);
            std::swap(place_of[i - 1], place_of[j]);
        }
        auto p = decodePackage(encodePackage(body, organiser.sk));
        if (!p) die("package: " + describeError(p.error()));
        package = std::move(p.value());
        padded = ballotPaddedSize(campaign);
    }
};

// Every item of every subject of the unit rated with a randomly drawn level, 1 in 20 不了解;
// `comment_pct` % of the ballots carry a comment on one subject.
Answers randomAnswers(const Campaign& c, const std::string& unit, unsigned comment_pct) {
    const auto& levels = c.scale.levels;
    Answers a;
    auto subjects = c.subjectsOf(unit);
    for (auto si : subjects) {
        const Subject& s = c.subjects[si];
        for (auto& item : c.questionnaire(s.questionnaire)->items) {
            std::uint32_t r = randomBelow(20 * static_cast<std::uint32_t>(levels.size()));
            a.ratings[s.id][item.id] =
                r < levels.size() ? std::nullopt
                                  : std::optional<std::string>(levels[r % levels.size()].id);
        }
    }
    if (!subjects.empty() && randomBelow(100) < comment_pct) {
        const Subject& s =
            c.subjects[subjects[randomBelow(static_cast<std::uint32_t>(subjects.size()))]];
        a.comments[s.id] = "窗口服务态度很好，办事效率还可以再提高，希望简化审批材料。";
    }
    return a;
}

struct BundleFile {
    fs::path path;
    std::size_t envelopes = 0;
    std::size_t bytes = 0;
};

// One device per bundle, enrolled by the organiser; its ledger names exactly its envelopes.
BundleFile makeBundle(const Fixture& fx, std::size_t b, std::size_t begin, std::size_t end,
                      const fs::path& out, unsigned comment_pct) {
    SignKeyPair dev = signKeyPair();
    char label[32];
    std::snprintf(label, sizeof label, "平板 %04zu", b + 1);
    Bytes cert = encodeCertificate(fx.package.digest, dev.pk, label, fx.organiser.sk);
    std::vector<StoredEnvelope> envs;
    envs.reserve(end - begin);
    for (std::size_t i = begin; i < end; ++i) {
        const TokenPlace& place = fx.places[fx.place_of[i]];
        Answers answers = randomAnswers(fx.campaign, place.meeting.unit, comment_pct);
        auto ballot =
            buildBallot(fx.campaign, fx.package.digest, place.meeting, fx.tags[i], answers);
        if (!ballot) die("buildBallot: " + describeError(ballot.error()));
        SealedEnvelope se =
            sealEnvelope(*ballot, fx.padded, fx.package.body.collector_box, dev.pk, dev.sk);
        ballot->wipe();
        envs.push_back(StoredEnvelope{se.hash, std::move(se.bytes)});
    }
    std::sort(envs.begin(), envs.end(),
              [](const StoredEnvelope& x, const StoredEnvelope& y) { return x.hash < y.hash; });
    std::vector<Hash32> hashes;
    hashes.reserve(envs.size());
    for (auto& e : envs)
        hashes.push_back(e.hash);
    Bytes ledger = encodeLedger(fx.package.digest, dev.pk, std::move(hashes), dev.sk);
    Bytes bundle = encodeBundle(fx.package.digest, cert, ledger, envs, dev.sk);
    check(writeFileAtomic(out, bundle), "write bundle");
    return BundleFile{out, envs.size(), bundle.size()};
}

// One measured variant.
struct Variant {
    const char* name;
    std::vector<double> ms; // one per repetition (count) or per bundle (import)
    long peak_kb = 0;       // highest VmHWM seen while it ran
    long growth_kb = 0;     // most it rose above the RSS it started from
    double cpu_ms = 0;      // process CPU time while it ran (all threads)
    double wall_ms = 0;     // wall time of its timed parts
    long anon_peak_kb = 0;  // highest RssAnon sampled while it ran
    double total() const {
        double s = 0;
        for (double v : ms)
            s += v;
        return s;
    }
};

// ---- bare baselines -------------------------------------------------------------------------

// A plain table in its own SQLite file with the stores' settings (WAL, synchronous=FULL,
// default autocheckpoint); one transaction per bundle, prepared statements.
class BareDb {
  public:
    explicit BareDb(const fs::path& file) {
        if (sqlite3_open_v2(file.c_str(), &db_,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            nullptr) != SQLITE_OK)
            die("open " + file.string());
        exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
             "CREATE TABLE bare(id INTEGER PRIMARY KEY, bytes BLOB NOT NULL);");
        begin_ = prepare("BEGIN IMMEDIATE");
        insert_ = prepare("INSERT INTO bare(bytes) VALUES(?)");
        commit_ = prepare("COMMIT");
    }
    ~BareDb() {
        sqlite3_finalize(begin_);
        sqlite3_finalize(insert_);
        sqlite3_finalize(commit_);
        sqlite3_close_v2(db_);
    }
    BareDb(const BareDb&) = delete;
    BareDb& operator=(const BareDb&) = delete;

    void insertAll(const std::vector<StoredEnvelope>& envs) {
        step(begin_);
        for (auto& e : envs) {
            sqlite3_bind_blob(insert_, 1, e.bytes.data(), static_cast<int>(e.bytes.size()),
                              SQLITE_STATIC);
            step(insert_);
        }
        step(commit_);
    }

  private:
    void exec(const char* sql) {
        if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
            die(std::string("exec: ") + sqlite3_errmsg(db_));
    }
    sqlite3_stmt* prepare(const char* sql) {
        sqlite3_stmt* s = nullptr;
        if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK)
            die(std::string("prepare: ") + sqlite3_errmsg(db_));
        return s;
    }
    void step(sqlite3_stmt* s) {
        if (sqlite3_step(s) != SQLITE_DONE) die(std::string("step: ") + sqlite3_errmsg(db_));
        sqlite3_reset(s);
    }
    sqlite3* db_ = nullptr;
    sqlite3_stmt* begin_ = nullptr;
    sqlite3_stmt* insert_ = nullptr;
    sqlite3_stmt* commit_ = nullptr;
};

Bundle loadBundle(const BundleFile& bf, const Package& package) {
    auto bytes = readFile(bf.path);
    if (!bytes) die("read bundle: " + describeError(bytes.error()));
    auto b = decodeBundle(*bytes, package);
    if (!b) die("decode bundle: " + describeError(b.error()));
    return std::move(b.value());
}

// Runs f(i) for i in [0, n) on `threads` threads (the caller's thread is one), by stride.
template <class F> void onThreads(unsigned threads, std::size_t n, F f) {
    std::vector<std::thread> pool;
    for (unsigned w = 1; w < threads; ++w)
        pool.emplace_back([&, w] {
            for (std::size_t i = w; i < n; i += threads)
                f(i, w);
        });
    for (std::size_t i = 0; i < n; i += threads)
        f(i, 0u);
    for (auto& t : pool)
        t.join();
}

// crypto_box_seal_open alone over every sealed blob, bundle by bundle: loading the blobs is
// not timed, the open loop is. Returns the timed milliseconds; adds wall and CPU time to v.
double bareOpenAll(const std::vector<BundleFile>& bundles, const Fixture& fx, unsigned threads,
                   Variant& v) {
    double ms = 0;
    std::size_t opened = 0;
    std::vector<Bytes> out(threads, Bytes(fx.padded));
    for (auto& bf : bundles) {
        std::vector<Bytes> sealed;
        {
            Bundle b = loadBundle(bf, fx.package);
            sealed.reserve(b.envelopes.size());
            for (auto& e : b.envelopes) {
                auto env = parseEnvelope(e.bytes);
                if (!env) die("parse envelope: " + describeError(env.error()));
                sealed.push_back(std::move(env->sealed));
            }
        }
        std::vector<std::size_t> ok(threads, 0);
        double cpu0 = cpuMs();
        auto t0 = Clock::now();
        onThreads(threads, sealed.size(), [&](std::size_t i, unsigned w) {
            const Bytes& c = sealed[i];
            if (crypto_box_seal_open(out[w].data(), c.data(), c.size(), fx.collector_box.pk.data(),
                                     fx.collector_box.sk.data()) == 0)
                ++ok[w];
        });
        double loop_ms = msSince(t0);
        v.cpu_ms += cpuMs() - cpu0;
        v.wall_ms += loop_ms;
        ms += loop_ms;
        for (auto k : ok)
            opened += k;
    }
    if (opened != fx.tags.size()) die("bare open: not every sealed ballot opened");
    for (auto& o : out)
        sodium_memzero(o.data(), o.size());
    return ms;
}

// ---- reporting ------------------------------------------------------------------------------

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void trace(const Options& o, const char* what, Clock::time_point a, Clock::time_point b) {
    if (o.trace) std::printf("  [trace] %-28s %.3f %.3f\n", what, monoSeconds(a), monoSeconds(b));
}

// Times one call with a fresh peak reading; records both in v. With account = false, f
// records its own wall and CPU time in v (when part of it is untimed preparation).
template <class F> double timed(const Options& o, Variant& v, F f, bool account = true) {
    resetPeak();
    const long rss0 = memNow().rss_kb;
    AnonPeak anon;
    double cpu0 = cpuMs();
    auto t0 = Clock::now();
    f();
    auto t1 = Clock::now();
    const long anon_peak = anon.finish();
    v.anon_peak_kb = std::max(v.anon_peak_kb, anon_peak);
    g_process_anon_peak_kb = std::max(g_process_anon_peak_kb, anon_peak);
    if (account) {
        v.cpu_ms += cpuMs() - cpu0;
        v.wall_ms += msBetween(t0, t1);
    }
    const long hwm = memNow().hwm_kb;
    v.peak_kb = std::max(v.peak_kb, hwm);
    g_process_peak_kb = std::max(g_process_peak_kb, hwm);
    v.growth_kb = std::max(v.growth_kb, hwm - rss0);
    trace(o, v.name, t0, t1);
    return msBetween(t0, t1);
}

void phaseRow(const char* name, double ms, double total_ms, std::size_t n) {
    std::printf("  %-44s %10.1f %9.2f %6.1f %%\n", name, ms, ms * 1000.0 / static_cast<double>(n),
                100.0 * ms / total_ms);
}

} // namespace

int main(int argc, char** argv) {
    Options opt = parseArgs(argc, argv);
    initCrypto();
    auto t_start = Clock::now();
    WorkDir work(opt.dir, opt.keep);
    const std::size_t n = opt.envelopes;

    // ---- generation (not timed as a result) ----
    auto t_gen = Clock::now();
    Fixture fx(n);
    const std::size_t nbundles = (n + opt.per_bundle - 1) / opt.per_bundle;
    std::vector<BundleFile> bundles(nbundles);
    check(ensureDirectory(work.path / "bundles"), "mkdir bundles");
    {
        std::atomic<std::size_t> next{0};
        auto worker = [&] {
            for (std::size_t b; (b = next.fetch_add(1)) < nbundles;) {
                char name[48];
                std::snprintf(name, sizeof name, "tablet-%04zu.pybn", b + 1);
                bundles[b] =
                    makeBundle(fx, b, b * opt.per_bundle, std::min(n, (b + 1) * opt.per_bundle),
                               work.path / "bundles" / name, opt.comment_pct);
            }
        };
        std::thread other(worker);
        worker();
        other.join();
    }
    malloc_trim(0);
    double gen_s = msSince(t_gen) / 1000.0;
    std::size_t bundle_bytes = 0;
    for (auto& b : bundles)
        bundle_bytes += b.bytes;

    PublicKeys collector_pub;
    collector_pub.role = KeyRole::Collector;
    collector_pub.label = "bench collector";
    collector_pub.sign = fx.collector_sign.pk;
    collector_pub.box = fx.collector_box.pk;
    auto created = CollectorStore::create(work.path / "collector", fx.package, collector_pub);
    if (!created) die("create store: " + describeError(created.error()));
    CollectorStore store = std::move(created.value());
    std::optional<CollectorStore> phased_store;
    if (opt.phased) {
        auto c2 = CollectorStore::create(work.path / "collector-phased", fx.package, collector_pub);
        if (!c2) die("create phased store: " + describeError(c2.error()));
        phased_store.emplace(std::move(c2.value()));
    }
    BareDb bare_db(work.path / "bare.db");
    malloc_trim(0);
    const Mem mem_before_import = memNow();

    std::printf("Collector benchmark: %zu envelopes in %zu bundles of up to %zu (one device "
                "each), %u %% with a comment\n",
                n, nbundles, opt.per_bundle, opt.comment_pct);
    std::printf("  folder %s; SQLite %s; libsodium %s; %u hardware threads; load average %s\n",
                work.path.c_str(), sqlite3_libversion(), sodium_version_string(),
                std::thread::hardware_concurrency(), loadAverage().c_str());
    std::printf("  ballot plaintext %zu B padded; bundles %.1f MB in all; generated in %.1f s "
                "(2 threads, not part of any result)\n",
                fx.padded, static_cast<double>(bundle_bytes) / 1e6, gen_s);
    std::printf("  RSS before import %.1f MB (bench fixture, package with %zu token tags, %s)\n\n",
                mb(mem_before_import.rss_kb), n,
                opt.phased ? "two open collector stores" : "one open collector store");
    std::fflush(stdout);

    // ---- import ----
    // Per bundle, in rotating order: importBundle; Ed25519 verification of its envelopes alone;
    // a plain insert of its envelope bytes in one transaction; the phased import (public API
    // steps, into a second store). Each bundle is read from its file; the read is timed apart.
    Variant v_import{"import: importBundle", {}, 0};
    Variant v_read{"read bundle file", {}, 0};
    Variant v_verify{"bare: Ed25519 verify alone", {}, 0};
    Variant v_insert{"bare: plain SQLite insert", {}, 0};
    Variant v_phased{"phased import (total)", {}, 0};
    double ph_decode = 0, ph_verify = 0, ph_store = 0;
    const unsigned import_variants = opt.phased ? 4 : 3;
    auto t_import_all = Clock::now();
    for (std::size_t b = 0; b < nbundles; ++b) {
        const BundleFile& bf = bundles[b];
        Result<Bytes> bytes = Bytes{};
        v_read.ms.push_back(timed(opt, v_read, [&] { bytes = readFile(bf.path); }));
        if (!bytes) die("read bundle: " + describeError(bytes.error()));
        // Untimed: the envelopes for the bare variants, with their signed parts.
        Bundle decoded = loadBundle(bf, fx.package);
        struct Sig {
            const std::uint8_t* msg;
            std::size_t len;
            PublicKey pk;
            Signature sig;
        };
        std::vector<Sig> sigs;
        sigs.reserve(decoded.envelopes.size());
        for (auto& e : decoded.envelopes) {
            auto env = parseEnvelope(e.bytes);
            if (!env) die("parse envelope: " + describeError(env.error()));
            sigs.push_back(
                {e.bytes.data(), e.bytes.size() - crypto_sign_BYTES, env->device, env->signature});
        }
        for (unsigned k = 0; k < import_variants; ++k) {
            switch ((b + k) % import_variants) {
            case 0: {
                ImportReport r;
                v_import.ms.push_back(timed(opt, v_import, [&] {
                    r = importBundle(store, *bytes, bf.path.filename().string());
                }));
                if (r.refused) die("import refused: " + describeError(*r.refused));
                if (r.added != bf.envelopes || !r.rejected.empty())
                    die("import: " + std::to_string(r.added) + " added, " +
                        std::to_string(r.rejected.size()) + " rejected");
                break;
            }
            case 1: {
                std::size_t good = 0;
                v_verify.ms.push_back(timed(opt, v_verify, [&] {
                    for (auto& s : sigs)
                        if (crypto_sign_verify_detached(s.sig.data(), s.msg, s.len, s.pk.data()) ==
                            0)
                            ++good;
                }));
                if (good != sigs.size()) die("bare verify: a signature did not verify");
                break;
            }
            case 2:
                v_insert.ms.push_back(
                    timed(opt, v_insert, [&] { bare_db.insertAll(decoded.envelopes); }));
                break;
            default: {
                // importBundle's steps, one by one, through the same public API.
                Clock::time_point t0, t1, t2, t3;
                std::size_t added = 0;
                v_phased.ms.push_back(timed(opt, v_phased, [&] {
                    t0 = Clock::now();
                    auto pb = decodeBundle(*bytes, phased_store->package());
                    if (!pb) die("decode: " + describeError(pb.error()));
                    t1 = Clock::now();
                    std::vector<HeldEnvelope> good;
                    good.reserve(pb->envelopes.size());
                    for (auto& se : pb->envelopes) {
                        auto env = verifyEnvelope(se.bytes);
                        if (!env || env->device != pb->certificate.device ||
                            env->campaign != phased_store->package().digest ||
                            !phased_store->tokens().find(env->token_tag) ||
                            !std::binary_search(pb->ledger.hashes.begin(), pb->ledger.hashes.end(),
                                                se.hash))
                            die("phased import: an envelope was rejected");
                        good.push_back({se.hash, env->token_tag, std::move(se.bytes)});
                    }
                    t2 = Clock::now();
                    auto st =
                        phased_store->storeVerified(pb->certificate, pb->ledger, good, utcNow());
                    if (!st) die("storeVerified: " + describeError(st.error()));
                    added = st->added;
                    t3 = Clock::now();
                }));
                if (added != bf.envelopes) die("phased import: wrong count");
                ph_decode += msBetween(t0, t1);
                ph_verify += msBetween(t1, t2);
                ph_store += msBetween(t2, t3);
                break;
            }
            }
        }
    }
    double import_wall_s = msSince(t_import_all) / 1000.0;
    malloc_trim(0);
    const Mem mem_after_import = memNow();
    {
        auto counts = store.counts();
        if (!counts) die("counts: " + describeError(counts.error()));
        if (static_cast<std::size_t>(counts->envelopes) != n || counts->conflicts != 0 ||
            counts->missing != 0)
            die("store after import: wrong counts");
    }
    std::error_code ec;
    auto db_size = fs::file_size(work.path / "collector" / CollectorStore::kFileName, ec);

    auto rate = [&](double ms) { return static_cast<double>(n) / (ms / 1000.0); };
    std::printf("Import: %zu envelopes, %zu bundles; collector.db %.1f MB; all variants %.1f s\n",
                n, nbundles, static_cast<double>(db_size) / 1e6, import_wall_s);
    std::printf("  %-44s %10s %12s %9s %10s %9s %10s %6s\n", "variant (sum over bundles)",
                "total ms", "envelopes/s", "us/env", "peak RSS", "(growth)", "anon peak", "cores");
    auto importRow = [&](const Variant& v) {
        double t = v.total();
        std::printf("  %-44s %10.1f %12.0f %9.2f %7.1f MB %6.1f MB %7.1f MB %6.2f\n", v.name, t,
                    rate(t), t * 1000.0 / static_cast<double>(n), mb(v.peak_kb), mb(v.growth_kb),
                    mb(v.anon_peak_kb), v.cpu_ms / v.wall_ms);
    };
    importRow(v_import);
    importRow(v_read);
    importRow(v_verify);
    importRow(v_insert);
    if (opt.phased) {
        importRow(v_phased);
        double t = v_phased.total();
        phaseRow("  decodeBundle (copy + hash each envelope)", ph_decode, t, n);
        phaseRow("  verifyEnvelope + checks (per envelope)", ph_verify, t, n);
        phaseRow("  storeVerified (one transaction)", ph_store, t, n);
    }
    std::printf("  per-bundle importBundle: median %.1f ms, min %.1f, max %.1f\n",
                median(v_import.ms), *std::min_element(v_import.ms.begin(), v_import.ms.end()),
                *std::max_element(v_import.ms.begin(), v_import.ms.end()));
    {
        // Does a bundle cost more as the store grows? Mean of the first and the last tenth.
        std::size_t k = std::max<std::size_t>(1, v_import.ms.size() / 10);
        double first = 0, last = 0;
        for (std::size_t i = 0; i < k; ++i) {
            first += v_import.ms[i];
            last += v_import.ms[v_import.ms.size() - 1 - i];
        }
        std::printf("  importBundle per bundle as the store grows: first %zu bundle(s) %.1f ms "
                    "each, last %zu %.1f ms each\n",
                    k, first / static_cast<double>(k), k, last / static_cast<double>(k));
    }
    std::printf("\nratio import/bare verify: %.2fx (bare verify is %.1f %% of import)\n",
                v_import.total() / v_verify.total(), 100.0 * v_verify.total() / v_import.total());
    std::printf("ratio import/bare insert: %.2fx (bare insert is %.1f %% of import)\n",
                v_import.total() / v_insert.total(), 100.0 * v_insert.total() / v_import.total());
    std::printf("ratio import/(bare verify + bare insert): %.2fx\n",
                v_import.total() / (v_verify.total() + v_insert.total()));
    std::printf("by CPU time (robust to other load): import %.1f us/env, bare verify %.1f, bare "
                "insert %.1f; import/(verify + insert) %.2fx\n",
                v_import.cpu_ms * 1000.0 / static_cast<double>(n),
                v_verify.cpu_ms * 1000.0 / static_cast<double>(n),
                v_insert.cpu_ms * 1000.0 / static_cast<double>(n),
                v_import.cpu_ms / (v_verify.cpu_ms + v_insert.cpu_ms));
    std::printf("RSS after import %.1f MB (before %.1f MB)\n\n", mb(mem_after_import.rss_kb),
                mb(mem_before_import.rss_kb));
    std::fflush(stdout);

    // ---- count ----
    // Each repetition runs, in rotating order: runCount with 1 and 2 threads; the bare open
    // loop on 1 and 2 threads; the phased count (public API steps, 1 thread).
    Variant c1{"count: runCount, 1 thread", {}, 0};
    Variant c2{"count: runCount, 2 threads", {}, 0};
    Variant b1{"bare: crypto_box_seal_open, 1 thread", {}, 0};
    Variant b2{"bare: crypto_box_seal_open, 2 threads", {}, 0};
    Variant pc{"phased count, 1 thread (total)", {}, 0};
    // Phases of the phased count (ms, summed over repetitions).
    double q_setup = 0, q_hashes = 0, q_fetch = 0, q_parse = 0, q_open = 0, q_decode = 0,
           q_lookup = 0, q_tally = 0, q_receipt = 0, q_finish = 0;
    const unsigned count_variants = opt.phased ? 5 : 4;
    auto runCountChecked = [&](unsigned threads) {
        CountOptions co;
        co.threads = threads;
        auto out = runCount(store, fx.collector_box, co);
        if (!out) die("runCount: " + describeError(out.error()));
        if (out->accounting.counted != n || out->accounting.invalid != 0)
            die("runCount: counted " + std::to_string(out->accounting.counted) + ", invalid " +
                std::to_string(out->accounting.invalid));
    };
    auto phasedCount = [&] {
        using Ns = std::chrono::nanoseconds;
        Ns parse{0}, open{0}, decode{0}, lookup{0}, tally_ns{0}, receipt{0}, fetch{0};
        const Campaign& c = store.campaign();
        const BallotReader reader(c);
        auto t0 = Clock::now();
        // runCount reads everything in one read transaction (one snapshot), with the file
        // memory-mapped for the time of the count; so does this.
        check(store.db().exec(EnvelopeReader::kMapForReading), "mmap_size");
        check(store.db().exec("BEGIN"), "BEGIN");
        auto paper = store.paperSelf();
        auto missing = store.missingCount();
        if (!paper || !missing) die("phased count: setup queries failed");
        auto t1 = Clock::now();
        auto plan = store.countable();
        if (!plan) die("countable: " + describeError(plan.error()));
        auto t2 = Clock::now();
        Tally tally(c);
        std::vector<std::string> receipts;
        std::vector<CommentOut> comments;
        Bytes plain;
        {
            auto envelopes = EnvelopeReader::onStore(store);
            if (!envelopes) die("EnvelopeReader: " + describeError(envelopes.error()));
            for (auto& h : plan->hashes) {
                auto f0 = Clock::now();
                auto bytes = envelopes->fetch(h);
                if (!bytes) die("fetch: " + describeError(bytes.error()));
                auto a = Clock::now();
                auto env = parseEnvelopeView(*bytes);
                if (!env) die("parse: " + describeError(env.error()));
                auto b = Clock::now();
                if (!sealOpen(fx.collector_box, env->sealed, plain)) die("sealOpen failed");
                auto d = Clock::now();
                auto ballot = reader.decode(plain);
                wipe(plain);
                if (!ballot || !equalConstTime(ballot->token_tag, env->token_tag) ||
                    ballot->campaign != env->campaign)
                    die("phased count: ballot does not decode or match");
                auto e = Clock::now();
                const TokenPlace* place = store.tokens().find(ballot->token_tag);
                if (!place || place->meeting.id() != ballot->meeting)
                    die("phased count: wrong meeting");
                auto f = Clock::now();
                tally.add(*ballot, place->category);
                auto g = Clock::now();
                for (auto& ans : ballot->answers)
                    if (!ans.comment.empty())
                        comments.push_back({c.subjects[ans.subject].id, ans.comment});
                ballot->wipe();
                receipts.push_back(receiptCode(h));
                auto hh = Clock::now();
                fetch += a - f0;
                parse += b - a;
                open += d - b;
                decode += e - d;
                lookup += f - e;
                tally_ns += g - f;
                receipt += hh - g;
            }
        }
        check(store.db().exec("COMMIT"), "COMMIT");
        check(store.db().exec("PRAGMA mmap_size=0"), "mmap_size");
        auto t3 = Clock::now();
        std::sort(receipts.begin(), receipts.end());
        auto units = computeResults(c, tally, *paper);
        if (!units) die("computeResults: " + describeError(units.error()));
        Accounting acc;
        acc.received = n;
        acc.counted = receipts.size();
        auto doc = buildResults(c, store.package().digest, *units, tally, acc, receipts);
        std::string json = encodeResults(doc).dump();
        auto t4 = Clock::now();
        if (receipts.size() != n || json.empty()) die("phased count: wrong result");
        using Ms = std::chrono::duration<double, std::milli>;
        q_setup += msBetween(t0, t1);
        q_hashes += msBetween(t1, t2);
        q_fetch += Ms(fetch).count();
        q_parse += Ms(parse).count();
        q_open += Ms(open).count();
        q_decode += Ms(decode).count();
        q_lookup += Ms(lookup).count();
        q_tally += Ms(tally_ns).count();
        q_receipt += Ms(receipt).count();
        q_finish += msBetween(t3, t4);
    };
    auto t_count_all = Clock::now();
    for (std::size_t rep = 0; rep < opt.reps; ++rep) {
        for (unsigned k = 0; k < count_variants; ++k) {
            switch ((rep + k) % count_variants) {
            case 0:
                c1.ms.push_back(timed(opt, c1, [&] { runCountChecked(1); }));
                break;
            case 1:
                c2.ms.push_back(timed(opt, c2, [&] { runCountChecked(2); }));
                break;
            case 2: {
                double ms = 0;
                (void)timed(
                    opt, b1, [&] { ms = bareOpenAll(bundles, fx, 1, b1); }, false);
                b1.ms.push_back(ms);
                break;
            }
            case 3: {
                double ms = 0;
                (void)timed(
                    opt, b2, [&] { ms = bareOpenAll(bundles, fx, 2, b2); }, false);
                b2.ms.push_back(ms);
                break;
            }
            default:
                pc.ms.push_back(timed(opt, pc, [&] { phasedCount(); }));
                break;
            }
            malloc_trim(0);
        }
    }
    double count_wall_s = msSince(t_count_all) / 1000.0;
    const Mem mem_after_count = memNow();

    std::printf("Count: %zu ballots, %zu repetitions, interleaved; all variants %.1f s\n", n,
                opt.reps, count_wall_s);
    std::printf("  %-44s %10s %10s %10s %12s %10s %9s %10s %6s\n", "variant (one whole count)",
                "median ms", "min ms", "max ms", "ballots/s", "peak RSS", "(growth)", "anon peak",
                "cores");
    auto countRow = [&](const Variant& v) {
        double m = median(v.ms);
        std::printf("  %-44s %10.1f %10.1f %10.1f %12.0f %7.1f MB %6.1f MB %7.1f MB %6.2f\n",
                    v.name, m, *std::min_element(v.ms.begin(), v.ms.end()),
                    *std::max_element(v.ms.begin(), v.ms.end()), rate(m), mb(v.peak_kb),
                    mb(v.growth_kb), mb(v.anon_peak_kb), v.cpu_ms / v.wall_ms);
    };
    countRow(c1);
    countRow(c2);
    countRow(b1);
    countRow(b2);
    if (opt.phased) {
        countRow(pc);
        double reps = static_cast<double>(opt.reps);
        double t = pc.total() / reps;
        std::printf("  %-44s %10s %9s %8s\n", "  phases of the phased count (mean of reps)", "ms",
                    "us/ballot", "share");
        phaseRow("  paperSelf + missingCount (queries)", q_setup / reps, t, n);
        phaseRow("  countable (one pass, tag index + shuffle)", q_hashes / reps, t, n);
        phaseRow("  EnvelopeReader::fetch per hash (no copy)", q_fetch / reps, t, n);
        phaseRow("  parseEnvelopeView", q_parse / reps, t, n);
        phaseRow("  sealOpen (crypto_box_seal_open)", q_open / reps, t, n);
        phaseRow("  BallotReader::decode + checks + wipe", q_decode / reps, t, n);
        phaseRow("  tokens.find + meeting id", q_lookup / reps, t, n);
        phaseRow("  Tally::add", q_tally / reps, t, n);
        phaseRow("  comments + receiptCode", q_receipt / reps, t, n);
        phaseRow("  sort + computeResults + encodeResults", q_finish / reps, t, n);
        // runCount runs the queries, the pass over the tag index and the final step on the
        // caller's thread alone; every worker fetches on its own connection.
        double serial = q_setup + q_hashes + q_finish;
        double parallel = q_fetch + q_parse + q_open + q_decode + q_lookup + q_tally + q_receipt;
        std::printf("  serial share (queries, countable, final step): %.1f %% -> "
                    "Amdahl bound for 2 threads %.2fx\n",
                    100.0 * serial / (serial + parallel),
                    (serial + parallel) / (serial + parallel / 2.0));
    }
    double r1 = median(b1.ms) / median(c1.ms);
    double speed_count = median(c1.ms) / median(c2.ms);
    double speed_bare = median(b1.ms) / median(b2.ms);
    std::printf("\ncount, 1 thread, as a share of the bare open loop on one core: %.1f %% "
                "(target >= 70 %%: %s)\n",
                100.0 * r1, r1 >= 0.70 ? "met" : "NOT met");
    std::printf("count, 2 threads, as a share of the bare open loop on two threads: %.1f %%\n",
                100.0 * median(b2.ms) / median(c2.ms));
    std::printf("2-thread speedup: runCount %.2fx, bare %.2fx (near-linear, >= 1.8x: %s)\n",
                speed_count, speed_bare, speed_count >= 1.8 ? "met" : "NOT met");
    // CPU time is not stretched by other processes on a shared machine (wall time is).
    std::printf("by CPU time (all threads): count 1 thread is %.1f %% of the bare loop's; "
                "count 2 threads uses %.2fx the CPU of 1 thread (bare: %.2fx); cores busy "
                "during count 2 threads %.2f, bare 2 threads %.2f\n",
                100.0 * b1.cpu_ms / c1.cpu_ms, c2.cpu_ms / c1.cpu_ms, b2.cpu_ms / b1.cpu_ms,
                c2.cpu_ms / c2.wall_ms, b2.cpu_ms / b2.wall_ms);
    {
        auto us = [&](const Variant& v) {
            return v.cpu_ms * 1000.0 / static_cast<double>(v.ms.size()) / static_cast<double>(n);
        };
        std::printf("CPU time per ballot (mean of reps, all threads): count 1 thread %.1f us, 2 "
                    "threads %.1f us; bare 1 thread %.1f us, 2 threads %.1f us\n",
                    us(c1), us(c2), us(b1), us(b2));
    }
    std::printf("RSS after count %.1f MB\n\n", mb(mem_after_count.rss_kb));

    resetPeak();
    double total_s = msSince(t_start) / 1000.0;
    std::printf("Totals: import (importBundle, all bundles) %.1f s + read %.1f s; count "
                "(runCount, 2 threads) %.1f s, (1 thread) %.1f s\n",
                v_import.total() / 1000.0, v_read.total() / 1000.0, median(c2.ms) / 1000.0,
                median(c1.ms) / 1000.0);
    std::printf("  peak RSS: importBundle %.1f MB (+%.1f MB over its start), runCount 1 thread "
                "%.1f MB (+%.1f), 2 threads %.1f MB (+%.1f); whole process, generation "
                "included, %.1f MB; whole run %.1f s\n",
                mb(v_import.peak_kb), mb(v_import.growth_kb), mb(c1.peak_kb), mb(c1.growth_kb),
                mb(c2.peak_kb), mb(c2.growth_kb), mb(g_process_peak_kb), total_s);
    std::printf("  peak RssAnon (sampled every 20 ms; RSS less mapped files): importBundle %.1f "
                "MB, runCount 1 thread %.1f MB, 2 threads %.1f MB; highest of any timed variant "
                "%.1f MB\n",
                mb(v_import.anon_peak_kb), mb(c1.anon_peak_kb), mb(c2.anon_peak_kb),
                mb(g_process_anon_peak_kb));
    std::printf("  load average at the end %s\n", loadAverage().c_str());
    return 0;
}
