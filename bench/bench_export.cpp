// Bundle export: exportBundle() of a tablet holding N real envelopes (default 10,000) against
// writing a buffer of the same size with the same durable write (writeFileAtomic), measured
// in the same run, interleaved. A third, phased variant runs exportBundle's public steps one
// by one to show where the time goes.
//
//   bench_export [envelopes=10000] [--reps 5] [--durable-fill] [--dir PATH] [--keep]
//
// The store is filled through TabletStore::cast (real tokens, ballots and envelopes). By
// default the fill runs with PRAGMA synchronous=OFF on the store's connection to save the
// fsyncs (set back to FULL before anything is timed); --durable-fill casts at full durability.

#include "core/ballot.hpp"
#include "core/campaign.hpp"
#include "core/crypto.hpp"
#include "core/envelope.hpp"
#include "core/package.hpp"
#include "core/token.hpp"
#include "platform/files.hpp"
#include "platform/tablet_store.hpp"
#include "sync/bundle.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

using namespace pingyi;

namespace {

using Clock = std::chrono::steady_clock;

double msSince(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench_export: %s\n", what.c_str());
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
    std::size_t envelopes = 10'000;
    std::size_t reps = 5;
    bool durable_fill = false;
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
        if (a == "--reps")
            o.reps = parseCount(next(), "--reps");
        else if (a == "--durable-fill")
            o.durable_fill = true;
        else if (a == "--dir")
            o.dir = next();
        else if (a == "--keep")
            o.keep = true;
        else if (a == "-h" || a == "--help") {
            std::printf("usage: bench_export [envelopes=10000] [--reps 5] [--durable-fill] "
                        "[--dir PATH] [--keep]\n");
            std::exit(0);
        } else
            o.envelopes = parseCount(argv[i], "envelope count");
    }
    return o;
}

// A fresh folder for the store and the output files; removed at exit unless --keep.
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

// The bundle as version 1 wrote it: the same fields, signed over every byte (Ed25519 hashes
// them twice with SHA-512). Kept here only to measure the before figure in the same run.
Bytes encodeBundleV1(const Hash32& campaign, const Bytes& certificate, const Bytes& ledger,
                     const std::vector<StoredEnvelope>& envelopes, const Secret& device_sk) {
    Writer w;
    w.raw(view(std::string_view("PYBN")));
    w.u16(1);
    w.raw(campaign);
    w.blob32(certificate);
    w.blob32(ledger);
    w.u32(static_cast<std::uint32_t>(envelopes.size()));
    for (auto& e : envelopes)
        w.blob32(e.bytes);
    w.raw(sign(device_sk, w.bytes()));
    return w.take();
}

void removeFile(const fs::path& p) {
    std::error_code ec;
    fs::remove(p, ec);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void row(const char* name, const std::vector<double>& v) {
    std::printf("  %-44s %9.1f %9.1f %9.1f\n", name, median(v),
                *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()));
}

} // namespace

int main(int argc, char** argv) {
    Options opt = parseArgs(argc, argv);
    initCrypto();
    WorkDir work(opt.dir, opt.keep);

    Fixture fx(opt.envelopes);
    auto created =
        TabletStore::create(work.path / "tablet", fx.package, fx.certificate, fx.device, "246813");
    if (!created) die("create store: " + describeError(created.error()));
    TabletStore store = std::move(created.value());
    const Secret& device_sk = fx.device.sk;

    // Fill: N real casts, one token each.
    auto t_fill = Clock::now();
    if (!opt.durable_fill) check(store.db().exec("PRAGMA synchronous=OFF"), "synchronous=OFF");
    for (std::size_t i = 0; i < opt.envelopes; ++i) {
        const auto& [place, token] = fx.tokens[i];
        auto r = store.cast(token, answersFor(fx.campaign, place.meeting.unit), device_sk);
        if (!r) die("cast: " + describeError(r.error()));
    }
    check(store.db().exec("PRAGMA synchronous=FULL"), "synchronous=FULL");
    check(store.db().checkpointTruncate(), "checkpoint");
    double fill_s = msSince(t_fill) / 1000.0;
    auto counts = store.counts();
    if (!counts) die("counts: " + describeError(counts.error()));
    if (static_cast<std::size_t>(counts->cast) != opt.envelopes) die("fill: wrong envelope count");

    const fs::path export_file = work.path / "out" / "export.pybn";
    const fs::path plain_file = work.path / "out" / "plain.bin";
    const fs::path phased_file = work.path / "out" / "phased.pybn";
    const fs::path v1_file = work.path / "out" / "v1.pybn";
    check(ensureDirectory(work.path / "out"), "mkdir out");

    // Untimed warm-up export: gives the bundle size and checks the bundle is valid.
    auto first = exportBundle(store, device_sk, export_file);
    if (!first) die("export: " + describeError(first.error()));
    {
        auto bytes = readFile(export_file);
        if (!bytes) die("read bundle: " + describeError(bytes.error()));
        auto b = decodeBundle(*bytes, store.package());
        if (!b) die("decode bundle: " + describeError(b.error()));
        if (b->envelopes.size() != opt.envelopes || b->ledger.hashes.size() != opt.envelopes)
            die("bundle holds the wrong number of envelopes");
        for (auto& e : b->envelopes)
            if (!verifyEnvelope(e.bytes)) die("bundle holds an envelope that does not verify");
    }
    Bytes plain(first->bytes);
    randomBytes(plain);
    check(writeFileAtomic(plain_file, plain), "plain write");

    std::vector<double> export_ms, plain_ms, v1_ms;
    std::vector<double> ph_read, ph_ledger, ph_encode, ph_write, ph_mark, ph_total;
    for (std::size_t rep = 0; rep < opt.reps; ++rep) {
        for (std::size_t k = 0; k < 4; ++k) {
            switch ((rep + k) % 4) {
            case 0: {
                removeFile(export_file);
                auto t0 = Clock::now();
                auto r = exportBundle(store, device_sk, export_file);
                export_ms.push_back(msSince(t0));
                if (!r) die("export: " + describeError(r.error()));
                if (r->bytes != plain.size()) die("bundle size changed");
                break;
            }
            case 1: {
                removeFile(plain_file);
                auto t0 = Clock::now();
                check(writeFileAtomic(plain_file, plain), "plain write");
                plain_ms.push_back(msSince(t0));
                break;
            }
            case 2: {
                // Before: exportBundle's steps with version 1's signature over the whole bundle.
                removeFile(v1_file);
                auto t0 = Clock::now();
                auto envs = store.envelopes(false);
                if (!envs) die("envelopes: " + describeError(envs.error()));
                auto ledger = store.ledger(device_sk);
                if (!ledger) die("ledger: " + describeError(ledger.error()));
                Bytes bytes = encodeBundleV1(store.package().digest, store.certificate().bytes,
                                             *ledger, *envs, device_sk);
                check(writeFileAtomic(v1_file, bytes), "v1 write");
                std::vector<Hash32> hashes;
                hashes.reserve(envs->size());
                for (auto& e : *envs)
                    hashes.push_back(e.hash);
                check(store.markExported(hashes), "markExported");
                v1_ms.push_back(msSince(t0));
                break;
            }
            default: {
                // exportBundle's steps, one by one, through the same public API.
                removeFile(phased_file);
                auto t0 = Clock::now();
                auto envs = store.envelopes(false);
                if (!envs) die("envelopes: " + describeError(envs.error()));
                auto t1 = Clock::now();
                auto ledger = store.ledger(device_sk);
                if (!ledger) die("ledger: " + describeError(ledger.error()));
                auto t2 = Clock::now();
                Bytes bytes = encodeBundle(store.package().digest, store.certificate().bytes,
                                           *ledger, *envs, device_sk);
                auto t3 = Clock::now();
                check(writeFileAtomic(phased_file, bytes), "phased write");
                auto t4 = Clock::now();
                std::vector<Hash32> hashes;
                hashes.reserve(envs->size());
                for (auto& e : *envs)
                    hashes.push_back(e.hash);
                check(store.markExported(hashes), "markExported");
                auto t5 = Clock::now();
                using Ms = std::chrono::duration<double, std::milli>;
                ph_read.push_back(Ms(t1 - t0).count());
                ph_ledger.push_back(Ms(t2 - t1).count());
                ph_encode.push_back(Ms(t3 - t2).count());
                ph_write.push_back(Ms(t4 - t3).count());
                ph_mark.push_back(Ms(t5 - t4).count());
                ph_total.push_back(Ms(t5 - t0).count());
                break;
            }
            }
        }
    }

    std::printf("Export benchmark: %zu envelopes, bundle %zu bytes (%.1f MB), %zu reps, "
                "interleaved\n",
                opt.envelopes, plain.size(), static_cast<double>(plain.size()) / 1e6, opt.reps);
    std::printf("  folder %s; SQLite %s; fill %.1f s (%s)\n\n", work.path.c_str(),
                sqlite3_libversion(), fill_s,
                opt.durable_fill ? "synchronous=FULL" : "synchronous=OFF during fill");
    std::printf("  %-44s %9s %9s %9s\n", "variant (ms)", "median", "min", "max");
    row("export: exportBundle", export_ms);
    row("plain: writeFileAtomic, same size", plain_ms);
    row("before: version 1 signing (whole bundle)", v1_ms);
    row("phased export, total", ph_total);
    row("  store.envelopes (read all)", ph_read);
    row("  store.ledger (sort + sign hashes)", ph_ledger);
    row("  encodeBundle (copy + digest + sign)", ph_encode);
    row("  writeFileAtomic", ph_write);
    row("  markExported (UPDATE every row)", ph_mark);
    std::printf("\nratio export/plain (medians): %.2fx (target: within 2x)\n",
                median(export_ms) / median(plain_ms));
    std::printf("ratio before (version 1 signing)/plain (medians): %.2fx\n",
                median(v1_ms) / median(plain_ms));
    return 0;
}
