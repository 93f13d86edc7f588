// Console responsiveness: frame times of the real console frames (the real screens, the real
// app loop: Console::update + frame) while its worker imports N real envelopes (default 100,000,
// in bundles of 10,000 from as many enrolled devices) and then counts them, against the frames
// of the same console sitting idle (the bare frame), measured in the same run.
//
//   bench_console [--n N] [--per-bundle 10000] [--window] [--frames 300] [--threads 2]
//
// Headless by default (an ImGui context without a window: the CPU side of every frame). With
// --window (under xvfb-run, or on a desktop) every frame is also rendered by OpenGL and swapped
// (glFinish before the clock stops). Frames are paced at 60 Hz, as a display would; the time
// of a frame is from the start of update() to the end of Render() (and present + finish).
// Generation of the envelopes (two threads; not timed) follows bench_collector.cpp.
#include "app/console/console.hpp"
#include "app/console/driver.hpp"
#include "app/ui/window.hpp"
#include "core/ballot.hpp"
#include "core/envelope.hpp"
#include "core/token.hpp"
#include "platform/keyfile.hpp"
#include "sync/bundle.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

using namespace pingyi;
using namespace pingyi::console;
using Clock = std::chrono::steady_clock;

namespace {

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench_console: %s\n", what.c_str());
    std::exit(1);
}

struct Options {
    std::size_t n = 100'000, per_bundle = 10'000, frames = 300;
    unsigned threads = 2;
    bool window = false;
};

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto next = [&]() -> std::size_t {
            if (i + 1 >= argc) die("missing value after " + a);
            return static_cast<std::size_t>(std::strtoull(argv[++i], nullptr, 10));
        };
        if (a == "--n")
            o.n = next();
        else if (a == "--per-bundle")
            o.per_bundle = std::max<std::size_t>(1, next());
        else if (a == "--frames")
            o.frames = std::max<std::size_t>(10, next());
        else if (a == "--threads")
            o.threads = static_cast<unsigned>(std::max<std::size_t>(1, next()));
        else if (a == "--window")
            o.window = true;
        else
            die("unknown argument " + a);
    }
    return o;
}

// The seed campaign with exactly N tokens spread over every meeting and category.
struct Fixture {
    SignKeyPair organiser = signKeyPair();
    BoxKeyPair collector_box = boxKeyPair();
    SignKeyPair collector_sign = signKeyPair();
    Campaign campaign = seedCampaign();
    std::vector<TokenPlace> places;
    std::vector<TokenProof> tags; // token proofs
    std::vector<std::uint16_t> place_of;
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
        auto p = decodePackage(encodePackage(body, organiser.sk));
        if (!p) die("package");
        package = std::move(p.value());
        padded = ballotPaddedSize(campaign);
    }
};

Answers randomAnswers(const Campaign& c, const std::string& unit) {
    const auto& levels = c.scale.levels;
    Answers a;
    for (auto si : c.subjectsOf(unit)) {
        const Subject& s = c.subjects[si];
        for (auto& item : c.questionnaire(s.questionnaire)->items) {
            std::uint32_t r = randomBelow(20 * static_cast<std::uint32_t>(levels.size()));
            a.ratings[s.id][item.id] =
                r < levels.size() ? std::nullopt
                                  : std::optional<std::string>(levels[r % levels.size()].id);
        }
    }
    if (randomBelow(10) == 0 && !c.subjectsOf(unit).empty())
        a.comments[c.subjects[c.subjectsOf(unit)[0]].id] = "窗口服务态度很好，希望简化审批材料。";
    return a;
}

void makeBundle(const Fixture& fx, std::size_t b, std::size_t begin, std::size_t end,
                const fs::path& out) {
    SignKeyPair dev = signKeyPair();
    char label[32];
    std::snprintf(label, sizeof label, "平板 %04zu", b + 1);
    Bytes cert = encodeCertificate(fx.package.digest, dev.pk, label, fx.organiser.sk);
    std::vector<StoredEnvelope> envs;
    for (std::size_t i = begin; i < end; ++i) {
        const TokenPlace& place = fx.places[fx.place_of[i]];
        Answers answers = randomAnswers(fx.campaign, place.meeting.unit);
        auto ballot =
            buildBallot(fx.campaign, fx.package.digest, place.meeting, fx.tags[i], answers);
        if (!ballot) die("buildBallot");
        SealedEnvelope se =
            sealEnvelope(*ballot, fx.padded, fx.package.body.collector_box, dev.pk, dev.sk);
        ballot->wipe();
        envs.push_back(StoredEnvelope{se.hash, std::move(se.bytes)});
    }
    std::sort(envs.begin(), envs.end(),
              [](const StoredEnvelope& x, const StoredEnvelope& y) { return x.hash < y.hash; });
    std::vector<Hash32> hashes;
    for (auto& e : envs)
        hashes.push_back(e.hash);
    Bytes ledger = encodeLedger(fx.package.digest, dev.pk, std::move(hashes), dev.sk);
    Bytes bundle = encodeBundle(fx.package.digest, cert, ledger, envs, dev.sk);
    if (!writeFileAtomic(out, bundle)) die("write bundle");
}

struct Stats {
    std::vector<double> ms;
    double wall_s = 0;
    double pct(double p) const {
        if (ms.empty()) return 0;
        std::vector<double> v = ms;
        std::sort(v.begin(), v.end());
        std::size_t i = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
        return v[std::min(i, v.size() - 1)];
    }
    double max() const { return ms.empty() ? 0 : *std::max_element(ms.begin(), ms.end()); }
    double mean() const {
        double s = 0;
        for (double x : ms)
            s += x;
        return ms.empty() ? 0 : s / static_cast<double>(ms.size());
    }
    std::size_t over(double limit) const {
        return static_cast<std::size_t>(
            std::count_if(ms.begin(), ms.end(), [&](double x) { return x > limit; }));
    }
};

std::string loadAverage() {
    std::ifstream in("/proc/loadavg");
    std::string a, b, c;
    in >> a >> b >> c;
    return a + " " + b + " " + c;
}

} // namespace

int main(int argc, char** argv) {
    initCrypto();
    Options opt = parseArgs(argc, argv);
    std::uint8_t r[6];
    randomBytes(r);
    fs::path work = fs::temp_directory_path() / ("pingyi-bench-console-" + toHex(r));
    fs::create_directories(work / "bundles");
    struct Cleanup {
        fs::path p;
        ~Cleanup() {
            std::error_code ec;
            fs::remove_all(p, ec);
        }
    } cleanup{work};

    // --- generation (not timed)
    auto g0 = Clock::now();
    Fixture fx(opt.n);
    std::vector<fs::path> bundles;
    for (std::size_t b = 0, start = 0; start < opt.n; ++b, start += opt.per_bundle)
        bundles.push_back(work / "bundles" / ("tablet-" + std::to_string(b + 1000) + ".pyb"));
    {
        std::vector<std::thread> pool;
        for (unsigned t = 0; t < 2; ++t)
            pool.emplace_back([&, t] {
                for (std::size_t b = t; b < bundles.size(); b += 2)
                    makeBundle(fx, b, b * opt.per_bundle, std::min(opt.n, (b + 1) * opt.per_bundle),
                               bundles[b]);
            });
        for (auto& t : pool)
            t.join();
    }
    PublicKeys colpub;
    colpub.role = KeyRole::Collector;
    colpub.label = "汇总机";
    colpub.sign = fx.collector_sign.pk;
    colpub.box = fx.collector_box.pk;
    SecretKeys colsec;
    colsec.pub = colpub;
    colsec.sign_sk = fx.collector_sign.sk;
    colsec.box.pk = fx.collector_box.pk;
    colsec.box.sk = fx.collector_box.sk;
    const std::string pass = "bench-passphrase";
    if (!writeFileAtomic(work / "collector.key", encodeSecretKeyFile(colsec, pass)))
        die("key file");
    {
        auto s = CollectorStore::create(work / "collector", fx.package, colpub);
        if (!s) die("create store");
    }
    double gen_s = std::chrono::duration<double>(Clock::now() - g0).count();

    // --- the console
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.DisplaySize = ImVec2(1280, 800);
    ConsoleOptions copt;
    copt.fonts.text_percent = 60;
    copt.threads = opt.threads;
    std::optional<Console> holder;
    holder.emplace(copt, [] {});
    Console& console = *holder;
    std::optional<ui::Window> window;
    if (opt.window) {
        window.emplace();
        std::string err;
        if (!window->open(ui::WindowOptions{1280, 800, false}, err)) die("window: " + err);
    }
    Driver driver;
    auto frame = [&]() -> double {
        auto t0 = Clock::now();
        console.update();
        if (console.fontsDirty()) {
            console.buildFonts();
            if (window) window->uploadFonts();
        }
        if (window) {
            window->wait(std::chrono::milliseconds(0));
            window->newFrame();
        } else {
            io.DeltaTime = 1.0f / 60.0f;
        }
        driver.applyInput();
        ImGui::NewFrame();
        console.frame();
        ImGui::Render();
        if (window) {
            window->present();
            window->finish();
        }
        double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        if (window) window->swap();
        return ms;
    };
    auto paced = [&](Stats& s, const std::function<bool()>& more) {
        auto w0 = Clock::now();
        auto next = Clock::now();
        while (more()) {
            s.ms.push_back(frame());
            next += std::chrono::microseconds(16'667);
            std::this_thread::sleep_until(next);
            if (Clock::now() > next + std::chrono::milliseconds(50)) next = Clock::now();
        }
        s.wall_s = std::chrono::duration<double>(Clock::now() - w0).count();
    };
    frame();
    console.buffers().store_dir = (work / "collector").string();
    console.apply(intent::OpenStore{});
    while (console.busy() || !console.storeOpen()) {
        frame();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    for (int i = 0; i < 30; ++i)
        frame(); // fonts rebuilt for the campaign; the screen and the live reading settle

    // Bare: the same console, idle, on the import screen.
    Stats bare;
    std::size_t k = 0;
    paced(bare, [&] { return k++ < opt.frames; });

    // Import: every bundle dropped at once; frames until the worker is done.
    std::vector<std::string> files;
    for (auto& b : bundles)
        files.push_back(b.string());
    Stats imp;
    console.dropFiles(files);
    paced(imp, [&] { return console.busy(); });
    std::size_t added = 0;
    for (auto& row : console.importRows())
        added += row.added;
    if (added != opt.n) die("import added " + std::to_string(added));

    // Count: the count screen, the passphrase, start; frames until the results are shown.
    console.apply(intent::GoTo{Tab::Count});
    frame();
    console.buffers().collector_key = (work / "collector.key").string();
    console.buffers().count_pass = pass;
    Stats cnt;
    console.apply(intent::StartCount{});
    paced(cnt, [&] { return console.busy(); });
    if (!console.results()) die("count failed: " + console.statusText());
    std::uint64_t counted = 0;
    for (auto& [id, v] : console.results()->accounting)
        if (id == "report.acc.counted") counted = v;
    if (counted != opt.n) die("counted " + std::to_string(counted));
    console.apply(intent::GoTo{Tab::Results});
    Stats res;
    k = 0;
    paced(res, [&] { return k++ < opt.frames; });

    auto row = [&](const char* name, const Stats& s) {
        std::printf("  {\"phase\": \"%s\", \"frames\": %zu, \"wall_s\": %.2f, \"mean_ms\": %.3f, "
                    "\"p99_ms\": %.3f, \"max_ms\": %.3f, \"over_33ms\": %zu, "
                    "\"p99_vs_bare\": %.2f, \"max_vs_bare\": %.2f}",
                    name, s.ms.size(), s.wall_s, s.mean(), s.pct(0.99), s.max(), s.over(33.0),
                    s.pct(0.99) / std::max(1e-9, bare.pct(0.99)),
                    s.max() / std::max(1e-9, bare.max()));
    };
    std::printf("{\"envelopes\": %zu, \"bundles\": %zu, \"mode\": \"%s\", \"count_threads\": %u, "
                "\"generation_s\": %.1f, \"loadavg\": \"%s\", \"phases\": [\n",
                opt.n, bundles.size(), opt.window ? "window" : "headless", opt.threads, gen_s,
                loadAverage().c_str());
    row("bare", bare);
    std::printf(",\n");
    row("import", imp);
    std::printf(",\n");
    row("count", cnt);
    std::printf(",\n");
    row("results", res);
    std::printf("\n]}\n");
    bool ok = imp.max() <= 33.0 && cnt.max() <= 33.0;
    holder.reset(); // its threads end before the context goes
    window.reset();
    ImGui::DestroyContext();
    return ok ? 0 : 4;
}
