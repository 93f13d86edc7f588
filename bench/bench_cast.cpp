// Cast latency: TabletStore::cast (validate + seal + sign + durable commit + truncating WAL
// checkpoint) against the bare cost measured in the same run: libsodium seal + sign of a
// same-size plaintext and one synchronous SQLite commit (WAL, synchronous=FULL) into a plain
// table in the same folder. A third variant adds the truncating checkpoint to the bare loop so
// its cost shows separately. The variants run interleaved in blocks, so machine noise hits all.
//
//   bench_cast [casts=1000] [--block N] [--warmup N] [--dir PATH] [--keep]

#include "core/ballot.hpp"
#include "core/campaign.hpp"
#include "core/crypto.hpp"
#include "core/envelope.hpp"
#include "core/package.hpp"
#include "core/token.hpp"
#include "platform/files.hpp"
#include "platform/tablet_store.hpp"

#include <sodium.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

using namespace pingyi;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench_cast: %s\n", what.c_str());
    std::exit(1);
}

std::string describeError(const Error& e) {
    std::string s = e.id;
    for (auto& a : e.args)
        s += " | " + a;
    return s;
}

struct Options {
    std::size_t casts = 1000;
    std::size_t block = 50;
    std::size_t warmup = 20;
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
        if (a == "--block")
            o.block = parseCount(next(), "--block");
        else if (a == "--warmup")
            o.warmup = static_cast<std::size_t>(std::atoll(next()));
        else if (a == "--dir")
            o.dir = next();
        else if (a == "--keep")
            o.keep = true;
        else if (a == "-h" || a == "--help") {
            std::printf("usage: bench_cast [casts=1000] [--block 50] [--warmup 20] [--dir PATH] "
                        "[--keep]\n");
            std::exit(0);
        } else
            o.casts = parseCount(argv[i], "cast count");
    }
    return o;
}

// A fresh folder for the databases; removed at exit unless --keep.
struct WorkDir {
    fs::path path;
    bool keep = false;
    WorkDir(const fs::path& parent, bool k) : keep(k) {
        std::uint8_t r[6];
        randomBytes(r);
        path = (parent.empty() ? fs::temp_directory_path() : parent) / ("pingyi-bench-" + toHex(r));
        if (auto s = ensureDirectory(path); !s) die(describeError(s.error()));
    }
    ~WorkDir() {
        std::error_code ec;
        if (!keep) fs::remove_all(path, ec);
    }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
};

// The seed campaign with enough tokens issued for `needed` casts, signed like a real package.
struct Fixture {
    SignKeyPair organiser = signKeyPair();
    BoxKeyPair collector_box = boxKeyPair();
    SignKeyPair collector_sign = signKeyPair();
    SignKeyPair device = signKeyPair();
    Campaign campaign = seedCampaign();
    std::vector<std::pair<TokenPlace, Token>> tokens;
    Package package;
    Bytes certificate;

    explicit Fixture(std::size_t needed) {
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
        auto p = decodePackage(encodePackage(body, organiser.sk));
        if (!p) die("package: " + describeError(p.error()));
        package = std::move(p.value());
        certificate = encodeCertificate(package.digest, device.pk, "平板 01", organiser.sk);
        // Interleave meetings so consecutive casts are not all for one unit.
        for (std::size_t i = tokens.size(); i > 1; --i)
            std::swap(tokens[i - 1], tokens[randomBelow(static_cast<std::uint32_t>(i))]);
    }
};

// Every subject of the unit rated on every item with one randomly drawn level ("uniform-ish").
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

// The bare path: a plain table in its own SQLite file, WAL + synchronous=FULL, automatic
// checkpoints off (so a sample is one commit, nothing else), prepared statements.
class BareDb {
  public:
    explicit BareDb(const fs::path& file) {
        if (sqlite3_open_v2(file.c_str(), &db_,
                            SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                            nullptr) != SQLITE_OK)
            die("open " + file.string());
        exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=0; "
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

    void commitOne(const Bytes& blob) {
        step(begin_);
        sqlite3_bind_blob(insert_, 1, blob.data(), static_cast<int>(blob.size()), SQLITE_STATIC);
        step(insert_);
        step(commit_);
    }
    void checkpointTruncate() {
        if (sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_TRUNCATE, nullptr, nullptr) !=
            SQLITE_OK)
            die(std::string("checkpoint: ") + sqlite3_errmsg(db_));
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

// Seal a same-size plaintext to the collector and sign it (plus an envelope-sized header)
// with the device key: the crypto an envelope needs, without encoding or validation.
class BareCrypto {
  public:
    BareCrypto(std::size_t plain_size, const PublicKey& box_pk, const Secret& sign_sk)
        : plain_(plain_size), box_pk_(box_pk), sign_sk_(sign_sk) {
        randombytes_buf(plain_.data(), plain_.size());
        // magic + version + campaign + device + token tag + length, as in an envelope
        header_ = 4 + 2 + 32 + 32 + 32 + 4;
        msg_.assign(header_ + plain_size + crypto_box_SEALBYTES + crypto_sign_BYTES, 0);
    }
    // Returns the signed message (header || sealed || signature), ready to store.
    const Bytes& sealAndSign() {
        std::uint8_t* sealed = msg_.data() + header_;
        crypto_box_seal(sealed, plain_.data(), plain_.size(), box_pk_.data());
        std::size_t signed_len = header_ + plain_.size() + crypto_box_SEALBYTES;
        crypto_sign_detached(msg_.data() + signed_len, nullptr, msg_.data(), signed_len,
                             sign_sk_.data());
        return msg_;
    }
    std::size_t storedSize() const { return msg_.size(); }

  private:
    Bytes plain_;
    Bytes msg_;
    std::size_t header_ = 0;
    PublicKey box_pk_;
    const Secret& sign_sk_;
};

struct Stats {
    double p50 = 0, p99 = 0, mean = 0, max = 0;
};

// Nearest-rank percentiles.
Stats stats(std::vector<double> v) {
    Stats s;
    if (v.empty()) return s;
    std::sort(v.begin(), v.end());
    auto rank = [&](double p) {
        auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
        return v[std::clamp<std::size_t>(k, 1, v.size()) - 1];
    };
    s.p50 = rank(0.50);
    s.p99 = rank(0.99);
    s.mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
    s.max = v.back();
    return s;
}

void row(const char* name, const Stats& s) {
    std::printf("  %-40s %9.3f %9.3f %9.3f %9.3f\n", name, s.p50, s.p99, s.mean, s.max);
}

} // namespace

int main(int argc, char** argv) {
    Options opt = parseArgs(argc, argv);
    initCrypto();
    WorkDir work(opt.dir, opt.keep);

    Fixture fx(opt.casts + opt.warmup);
    auto created =
        TabletStore::create(work.path / "tablet", fx.package, fx.certificate, fx.device, "246813");
    if (!created) die("create store: " + describeError(created.error()));
    TabletStore store = std::move(created.value());
    const Secret& device_sk = fx.device.sk;

    std::size_t padded = ballotPaddedSize(fx.campaign);
    BareCrypto crypto(padded, fx.package.body.collector_box, device_sk);
    BareDb bare(work.path / "bare.db");
    BareDb bare_ck(work.path / "bare-checkpoint.db");

    std::size_t next_token = 0;
    auto castOne = [&]() -> double {
        const auto& [place, token] = fx.tokens[next_token++];
        Answers answers = answersFor(fx.campaign, place.meeting.unit);
        auto t0 = Clock::now();
        auto r = store.cast(token, answers, device_sk);
        double ms = msSince(t0);
        if (!r) die("cast: " + describeError(r.error()));
        return ms;
    };
    auto bareOne = [&]() -> double {
        auto t0 = Clock::now();
        bare.commitOne(crypto.sealAndSign());
        return msSince(t0);
    };
    double last_ck = 0;
    auto bareCkOne = [&]() -> double {
        auto t0 = Clock::now();
        bare_ck.commitOne(crypto.sealAndSign());
        auto t1 = Clock::now();
        bare_ck.checkpointTruncate();
        last_ck = msSince(t1);
        return msSince(t0);
    };

    for (std::size_t i = 0; i < opt.warmup; ++i) {
        (void)castOne();
        (void)bareOne();
        (void)bareCkOne();
    }

    std::vector<double> cast_ms, bare_ms, bare_ck_ms, ck_ms;
    cast_ms.reserve(opt.casts);
    bare_ms.reserve(opt.casts);
    bare_ck_ms.reserve(opt.casts);
    ck_ms.reserve(opt.casts);
    auto t_all = Clock::now();
    for (std::size_t done = 0, round = 0; done < opt.casts; done += opt.block, ++round) {
        std::size_t n = std::min(opt.block, opt.casts - done);
        // Rotate which variant goes first in each round, so none always follows another.
        for (std::size_t k = 0; k < 3; ++k) {
            switch ((round + k) % 3) {
            case 0:
                for (std::size_t i = 0; i < n; ++i)
                    cast_ms.push_back(castOne());
                break;
            case 1:
                for (std::size_t i = 0; i < n; ++i)
                    bare_ms.push_back(bareOne());
                break;
            default:
                for (std::size_t i = 0; i < n; ++i) {
                    bare_ck_ms.push_back(bareCkOne());
                    ck_ms.push_back(last_ck);
                }
                break;
            }
        }
    }
    double total_s = msSince(t_all) / 1000.0;

    auto counts = store.counts();
    if (!counts) die("counts: " + describeError(counts.error()));
    if (static_cast<std::size_t>(counts->cast) != opt.casts + opt.warmup)
        die("store holds " + std::to_string(counts->cast) + " envelopes, expected " +
            std::to_string(opt.casts + opt.warmup));

    Stats c = stats(cast_ms), b = stats(bare_ms), bc = stats(bare_ck_ms), k = stats(ck_ms);
    std::printf("Cast benchmark: %zu samples per variant (+%zu warm-up), interleaved in blocks "
                "of %zu, %.1f s\n",
                opt.casts, opt.warmup, opt.block, total_s);
    std::printf("  folder %s; SQLite %s; libsodium %s\n", work.path.c_str(), sqlite3_libversion(),
                sodium_version_string());
    std::printf("  ballot plaintext %zu B padded; bare row %zu B\n\n", padded, crypto.storedSize());
    std::printf("  %-40s %9s %9s %9s %9s\n", "variant (ms)", "p50", "p99", "mean", "max");
    row("cast: TabletStore::cast", c);
    row("bare: seal + sign + 1 sync commit", b);
    row("bare + truncating checkpoint", bc);
    row("  of which the checkpoint alone", k);
    std::printf("\n");
    std::printf("ratio cast/bare: p50 %.2fx, p99 %.2fx (target: p99 within 3x: %s)\n",
                c.p50 / b.p50, c.p99 / b.p99, c.p99 <= 3.0 * b.p99 ? "met" : "NOT met");
    std::printf("ratio cast/(bare + checkpoint): p50 %.2fx, p99 %.2fx\n", c.p50 / bc.p50,
                c.p99 / bc.p99);
    return 0;
}
