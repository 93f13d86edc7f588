// pingyi-tablet: the kiosk on a touch screen. Opens a tablet store prepared by
// `pingyi tablet init`, asks for the administrator PIN (or takes it from PINGYI_PIN or
// --pin-file), and runs full screen until the administrator leaves kiosk mode.
//
// Hidden modes for scripts: --screenshot-tour DIR walks every screen and saves PNGs;
// --bench prints start-up and frame timings as JSON (bench/bench_kiosk runs it). For
// comparisons, --bench-fonts eager builds the comment font before the first frame, --bench-fonts
// no-hanzi leaves GB2312's hanzi out of it, --bench-rgba uploads fonts as RGBA32 as the ImGui
// backend does, and --vsync on|off overrides the automatic choice (off on a software renderer).
#include "app/kiosk/driver.hpp"
#include "app/kiosk/kiosk.hpp"
#include "app/ui/window.hpp"
#include "core/catalog.hpp"
#include "core/crypto.hpp"
#include "platform/files.hpp"
#include "platform/passphrase.hpp"

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <thread>

using namespace pingyi;
using namespace pingyi::kiosk;
using Clock = std::chrono::steady_clock;

namespace {

const Clock::time_point kStart = Clock::now();

struct Args {
    std::string tablet, lang, pin_file, tour_dir, tour_tokens, tour_usb, tour_sync;
    std::string bench_fonts = "lazy", vsync = "auto";
    int width = 1280, height = 800;
    bool windowed = false, bench = false, bench_rgba = false;
};

bool parseArgs(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
        if (k == "--tablet")
            a.tablet = next();
        else if (k == "--lang")
            a.lang = next();
        else if (k == "--pin-file")
            a.pin_file = next();
        else if (k == "--windowed")
            a.windowed = true;
        else if (k == "--size") {
            std::string s = next();
            if (std::sscanf(s.c_str(), "%dx%d", &a.width, &a.height) != 2) return false;
        } else if (k == "--screenshot-tour")
            a.tour_dir = next();
        else if (k == "--tour-tokens")
            a.tour_tokens = next();
        else if (k == "--tour-usb")
            a.tour_usb = next();
        else if (k == "--tour-sync")
            a.tour_sync = next();
        else if (k == "--bench")
            a.bench = true;
        else if (k == "--bench-fonts")
            a.bench_fonts = next();
        else if (k == "--bench-rgba")
            a.bench_rgba = true;
        else if (k == "--vsync")
            a.vsync = next();
        else
            return false;
    }
    return !a.tablet.empty();
}

long rssKiB() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

// Unused tokens for the tour, read from the token lists of a campaign folder (tokens/*.csv).
std::vector<Token> tourTokens(const TabletStore& store, const std::string& dir) {
    std::vector<Token> out;
    std::error_code ec;
    std::vector<fs::path> files;
    for (auto& e : fs::directory_iterator(dir, ec))
        if (e.path().extension() == ".csv") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (auto& f : files) {
        std::ifstream in(f);
        std::string line;
        while (std::getline(in, line)) {
            while (!line.empty() && (line.back() == '\r' || line.back() == ' '))
                line.pop_back();
            auto comma = line.rfind(',');
            if (comma == std::string::npos) continue;
            auto t = parseToken(line.substr(comma + 1));
            if (t && store.checkToken(*t).ok()) out.push_back(*t);
        }
    }
    return out;
}

} // namespace

int main(int argc, char** argv) {
    initCrypto();
    Lang lang = langFromName(std::getenv("PINGYI_LANG") ? std::getenv("PINGYI_LANG") : "");
    Args args;
    if (!parseArgs(argc, argv, args)) {
        std::cerr << tr(lang, "kiosk.usage") << "\n";
        return 2;
    }
    if (!args.lang.empty()) lang = langFromName(args.lang);
    std::vector<std::pair<const char*, double>> phases; // start-up, for --bench
    auto phase = [&](const char* name) {
        phases.emplace_back(
            name, std::chrono::duration<double, std::milli>(Clock::now() - kStart).count());
    };
    phase("main");
    auto store = TabletStore::open(args.tablet);
    phase("store_open");
    if (!store) {
        std::cerr << tr(lang, "error.prefix") << describe(store.error(), lang) << "\n";
        return 4;
    }

    KioskOptions opt;
    // The PIN from a file or PINGYI_PIN (scripts, the demo); else the PIN screen asks for it.
    // The tour types it on the PIN screen instead, to show that screen.
    std::string tour_pin;
    if (!args.pin_file.empty() || std::getenv("PINGYI_PIN")) {
        auto pin = obtainSecret(SecretSource{args.pin_file, "PINGYI_PIN", "", false});
        if (pin) {
            if (args.tour_dir.empty())
                opt.pin = *pin;
            else
                tour_pin = *pin;
        }
    }
    // A sync on the worker thread wakes the loop below, asleep in SDL_WaitEvent.
    opt.wake = [] {
        SDL_Event e{};
        e.type = SDL_USEREVENT;
        SDL_PushEvent(&e);
    };
    if (args.bench_fonts == "no-hanzi") opt.fonts.all_hanzi = false;
    const bool eager_fonts = args.bench && args.bench_fonts == "eager";
    std::error_code ec;
    if (!fs::exists(opt.fonts.file, ec))
        std::cerr << tr(lang, "kiosk.no_font", {opt.fonts.file}) << "\n";

    Millis skew{0}; // the tour moves the kiosk's clock forward to show the timed screens
    auto now = [&]() { return std::chrono::duration_cast<Millis>(Clock::now() - kStart) + skew; };

    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.ConfigInputTextCursorBlink = false; // a blinking caret would redraw twice a second
    // The PIN's key derivation (Argon2id, deliberately slow) runs while the window opens.
    std::future<Result<Secret>> unlocking;
    if (auto guard = store->pinGuard(); opt.pin && (!guard || guard->locked())) {
        wipe(*opt.pin); // a locked tablet takes no PIN (the kiosk shows why)
        opt.pin.reset();
    }
    if (opt.pin) {
        unlocking =
            std::async(std::launch::async, [&st = *store, pin = std::move(*opt.pin)]() mutable {
                auto sk = st.unlockDeviceKey(pin);
                wipe(pin);
                return sk;
            });
        wipe(*opt.pin);
        opt.pin.reset();
    }
    ui::Window window;
    std::string err;
    ui::WindowOptions wo{args.width, args.height,
                         !args.windowed && args.tour_dir.empty() && !args.bench};
    if (args.vsync == "on") wo.vsync = ui::WindowOptions::VSync::On;
    if (args.vsync == "off") wo.vsync = ui::WindowOptions::VSync::Off;
    wo.one_channel_fonts = !args.bench_rgba;
    bool opened = window.open(wo, err);
    phase("window");
    if (unlocking.valid()) {
        auto sk = unlocking.get();
        if (sk) opt.device_sk = std::move(*sk);
    }
    phase("pin_unlocked");
    if (!opened) {
        std::cerr << tr(lang, "kiosk.no_display", {err}) << "\n";
        return 5;
    }
    Kiosk kiosk(*store, opt, now());
    phase("kiosk");
    if (!args.lang.empty()) kiosk.apply(AdminAction{admin::SetLanguage{lang}}, now());
    double input_font_ms = 0;
    long rss_input_font = -1;
    auto buildInputFont = [&]() {
        auto t0 = Clock::now();
        kiosk.buildInputFont();
        window.uploadAtlas(*kiosk.inputAtlas());
        input_font_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        rss_input_font = rssKiB();
    };
    if (eager_fonts) buildInputFont();
    kiosk.buildFonts();
    phase("fonts_built");
    window.uploadFonts();
    phase("fonts_uploaded");
    Driver driver;

    auto frame = [&]() {
        if (kiosk.fontsDirty()) {
            kiosk.buildFonts();
            window.uploadFonts();
        }
        if (kiosk.inputFontWanted()) buildInputFont();
        window.newFrame();
        driver.applyInput();
        ImGui::NewFrame();
        kiosk.frame(now());
        ImGui::Render();
        window.present();
        window.syncTextInput();
    };

    if (args.bench) {
        frame();
        window.swap();
        window.finish();
        double first_ms = std::chrono::duration<double, std::milli>(Clock::now() - kStart).count();
        long rss = rssKiB();
        std::string phase_json;
        for (auto& [name, ms] : phases)
            phase_json += (phase_json.empty() ? "" : ", ") + std::string("\"") + name +
                          "\": " + std::to_string(static_cast<int>(ms));
        // What the kiosk loop does when it first sits idle: the comment font.
        if (!kiosk.inputFontReady()) buildInputFont();
        // Walk to a subject page, then time frames there (draw, render, swap, finish). Every
        // frame is shown, as in the kiosk loop: llvmpipe defers drawing to the swap.
        std::vector<Token> tokens = tourTokens(*store, args.tour_tokens);
        auto shown = [&]() {
            frame();
            window.swap();
        };
        shown();
        driver.tap("start");
        while (driver.busy())
            shown();
        shown();
        if (!tokens.empty())
            for (char c : tokens[0].symbols) {
                driver.tap(std::string("key.") + c);
                while (driver.busy())
                    shown();
                shown();
            }
        window.finish();
        bool on_subject = kiosk.flow().screen() == Screen::Subject;
        const int n = 120;
        std::vector<double> ms(n);
        for (int i = 0; i < n; ++i) {
            auto t0 = Clock::now();
            frame();
            window.swap();
            window.finish();
            ms[static_cast<std::size_t>(i)] =
                std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
            if (std::getenv("PINGYI_BENCH_FRAMES"))
                std::fprintf(stderr, "frame %d: %.1f ms\n", i, ms[static_cast<std::size_t>(i)]);
        }
        std::sort(ms.begin(), ms.end());
        double total = 0;
        for (double x : ms)
            total += x;
        std::printf("{\"first_frame_ms\": %.1f, \"rss_after_first_frame_mib\": %.1f, "
                    "\"input_font_ms\": %.1f, \"rss_after_input_font_mib\": %.1f, "
                    "\"rss_on_subject_mib\": %.1f, \"subject_page\": %s, \"frame_ms_mean\": %.2f, "
                    "\"frame_ms_median\": %.2f, \"frame_ms_worst\": %.2f, \"font_glyphs\": %zu, "
                    "\"fonts\": \"%s\", \"texture\": \"%s\", \"swap_interval\": %d, "
                    "\"renderer\": \"%s\", \"phases_ms\": {%s}}\n",
                    first_ms, static_cast<double>(rss) / 1024.0, input_font_ms,
                    static_cast<double>(rss_input_font) / 1024.0,
                    static_cast<double>(rssKiB()) / 1024.0, on_subject ? "true" : "false",
                    total / n, ms[n / 2], ms[n - 1], kiosk.fonts().glyphs, args.bench_fonts.c_str(),
                    args.bench_rgba ? "rgba32" : "r8", window.swapInterval(),
                    window.renderer().c_str(), phase_json.c_str());
        std::fflush(stdout);
        // Then sit idle in the kiosk loop below (the benchmark measures CPU meanwhile).
    }

    if (!args.tour_dir.empty()) {
        fs::create_directories(args.tour_dir, ec);
        std::vector<Token> tokens = tourTokens(*store, args.tour_tokens);
        std::size_t next_token = 0;
        int shot_no = 0;
        auto settle = [&]() {
            do
                frame();
            while (driver.busy());
            frame();
        };
        auto shot = [&](const std::string& name) {
            settle();
            frame();
            char file[64];
            std::snprintf(file, sizeof file, "%02d-%s.png", ++shot_no, name.c_str());
            if (!window.savePng((fs::path(args.tour_dir) / file).string()))
                std::cerr << "screenshot failed: " << file << "\n";
            window.swap();
        };
        auto tap = [&](const std::string& key) {
            if (!driver.tap(key)) {
                settle();
                if (!driver.tap(key)) std::cerr << "tour: no target " << key << "\n";
            }
            settle();
        };
        auto typeToken = [&](const Token& t) {
            for (char c : t.symbols)
                tap(std::string("key.") + c);
        };
        auto typePin = [&]() {
            for (char d : tour_pin)
                tap(std::string("pin.") + d);
            tap("pin.ok");
        };
        auto rateAll = [&](const std::vector<std::string>& levels) {
            const Flow& f = kiosk.flow();
            if (f.screen() != Screen::Subject) {
                std::cerr << "tour: not on a subject page (no unused token?)\n";
                std::exit(3);
            }
            for (std::size_t i = 0; i < f.questionnaireAt(f.page()).items.size(); ++i)
                tap("rate." + std::to_string(i) + "." + levels[i % levels.size()]);
        };
        auto nextToken = [&]() -> Token {
            return next_token < tokens.size() ? tokens[next_token++] : newToken();
        };

        if (kiosk.flow().screen() == Screen::Pin) {
            for (char d : std::string("2468"))
                tap(std::string("pin.") + d);
            shot("pin-start");
            for (std::size_t i = 0; i < 4; ++i)
                tap("pin.backspace");
            typePin();
        }
        shot("welcome");
        tap("start");
        for (char c : std::string("K7YU9Z"))
            tap(std::string("key.") + c);
        shot("token-typing");
        tap("clear");
        Token typo = newToken();
        typo.symbols[5] = typo.symbols[5] == 'A' ? 'B' : 'A';
        typeToken(typo);
        shot("token-typo");
        tap("clear");
        Token good = nextToken();
        typeToken(good);
        shot("subject-first");
        rateAll({"A", "A", "B", "A", "unknown"});
        shot("subject-rated");
        tap("next");
        tap("next");
        shot("subject-incomplete");
        while (kiosk.flow().screen() == Screen::Subject) {
            rateAll({"B", "A", "C", "B", "A"});
            tap("next");
        }
        tap("comment.0");
        driver.type("服务热情，办事效率高，希望继续保持。");
        settle();
        shot("comments");
        tap("next");
        shot("review");
        tap("confirm");
        skew += Millis(3000);
        shot("receipt");
        tap("done");

        // An abandoned ballot: the warning, then the welcome again.
        tap("start");
        typeToken(nextToken());
        rateAll({"A"});
        skew += kiosk.flow().config().idle_warning + Millis(1000);
        kiosk.tick(now());
        shot("idle-warning");
        skew += kiosk.flow().config().idle_discard;
        kiosk.tick(now());
        settle();

        // Five unknown tokens in a row lock the tablet.
        tap("start");
        for (int i = 0; i < 4; ++i)
            typeToken(newToken());
        shot("token-unknown");
        typeToken(newToken());
        shot("locked");
        tap("unlock");
        for (char d : std::string("13"))
            tap(std::string("pin.") + d);
        shot("pin-unlock");
        tap("pin.backspace");
        tap("pin.backspace");
        typePin();
        tap("admin");
        typePin();
        shot("admin");
        // Sync to the collector the script started (`pingyi collector serve`), then to an
        // address where nobody listens.
        auto typeField = [&](const std::string& field, const std::string& text) {
            tap("field." + field);
            driver.typeOver(text);
            settle();
            driver.tapAt(ImVec2(8, 8)); // leave the field
            settle();
        };
        auto waitSync = [&]() {
            for (int i = 0; i < 6000 && kiosk.syncRunning(); ++i) {
                window.wait(Millis(10));
                frame();
                window.swap();
            }
        };
        tap("tab.transfer");
        if (!args.tour_sync.empty()) {
            typeField("sync_url", args.tour_sync);
            tap("sync");
            shot("admin-sync-running");
            waitSync();
            shot("admin-sync-done");
        }
        typeField("sync_url", "http://127.0.0.1:9");
        tap("sync");
        waitSync();
        shot("admin-sync-error");
        tap("tab.usb");
        if (!args.tour_usb.empty()) {
            typeField("usb", args.tour_usb);
            tap("load.broken.pya");
            shot("admin-usb-error");
            tap("load.0001.pya");
            shot("admin-usb-loaded");
        }
        tap("tab.settings");
        shot("admin-settings");
        tap("lang.en");
        shot("admin-en");
        tap("close");
        shot("welcome-en");
        tap("start");
        typeToken(nextToken());
        rateAll({"A", "B"});
        shot("subject-en");
        skew += kiosk.flow().config().idle_warning + kiosk.flow().config().idle_discard;
        kiosk.tick(now());
        settle();
        tap("admin");
        typePin();
        tap("tab.settings");
        tap("lang.zh");
        tap("close");
        settle();
        return 0;
    }

    // The kiosk loop: draw only when something changed (an event or a timer), so an idle
    // tablet sleeps in SDL_WaitEventTimeout and its battery lasts the meeting.
    int redraw = 3; // ImGui settles hover/press state over a couple of frames
    while (!kiosk.exitRequested()) {
        // The first idle moment after the first frames: build the comment font, so that the
        // start does not wait for ~7000 glyphs and the comment screen later does not either.
        if (redraw == 0 && !kiosk.inputFontReady()) {
            buildInputFont();
            continue;
        }
        if (redraw == 0) {
            std::optional<Millis> timeout;
            if (auto d = kiosk.nextDeadline(now())) timeout = std::max(Millis(0), *d - now());
            if (window.wait(timeout)) redraw = 3;
        } else if (window.wait(Millis(0))) {
            redraw = 3;
        }
        if (window.quitRequested()) {
            kiosk.apply(Intent{intent::RequestExit{}}, now());
            redraw = 3;
        }
        if (kiosk.tick(now())) redraw = std::max(redraw, 1);
        if (redraw > 0) {
            frame();
            window.swap();
            --redraw;
        }
    }
    return 0;
}
