// pingyi-console: the collector console for central staff. Opens (or creates) a collector
// store, imports bundles dropped on the window or found in a folder, shows the live state while
// the sync service runs, counts, shows and exports the results, signs and verifies them.
//
//   pingyi-console [--store DIR] [--lang zh|en] [--size WxH] [--fullscreen]
//
// Hidden mode for scripts: --screenshot-tour OUT --demo DEMO walks every screen against a copy
// of a `pingyi demo` folder and saves PNGs (the passphrases come from PINGYI_PASSPHRASE).
#include "app/console/console.hpp"
#include "app/console/driver.hpp"
#include "app/console/tour.hpp"
#include "app/ui/window.hpp"
#include "core/catalog.hpp"
#include "core/crypto.hpp"

#include <imgui.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <mutex>

using namespace pingyi;
using namespace pingyi::console;

namespace {

struct Args {
    std::string store, lang, tour_dir, demo;
    int width = 1280, height = 800;
    bool fullscreen = false;
};

bool parseArgs(int argc, char** argv, Args& a) {
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
        if (k == "--store")
            a.store = next();
        else if (k == "--lang")
            a.lang = next();
        else if (k == "--fullscreen")
            a.fullscreen = true;
        else if (k == "--size") {
            std::string s = next();
            if (std::sscanf(s.c_str(), "%dx%d", &a.width, &a.height) != 2) return false;
        } else if (k == "--screenshot-tour")
            a.tour_dir = next();
        else if (k == "--demo")
            a.demo = next();
        else
            return false;
    }
    return a.tour_dir.empty() || !a.demo.empty();
}

// Worker and poller threads wake the UI thread with one SDL user event at a time.
std::atomic<Uint32> g_wake_type{0};
std::atomic<bool> g_wake_pending{false};
void wakeUi() {
    Uint32 type = g_wake_type;
    if (type == 0 || g_wake_pending.exchange(true)) return;
    SDL_Event e{};
    e.type = type;
    SDL_PushEvent(&e);
}

// Files dropped on the window, taken from SDL before the window's own event handling.
std::mutex g_drop_mu;
std::vector<std::string> g_dropped;
int SDLCALL dropFilter(void*, SDL_Event* e) {
    if (e->type == SDL_DROPFILE && e->drop.file) {
        {
            std::lock_guard<std::mutex> lock(g_drop_mu);
            g_dropped.emplace_back(e->drop.file);
        }
        SDL_free(e->drop.file);
        e->drop.file = nullptr; // still queued, so the waiting loop wakes
    }
    return 1;
}

} // namespace

int main(int argc, char** argv) {
    initCrypto();
    Lang lang = langFromName(std::getenv("PINGYI_LANG") ? std::getenv("PINGYI_LANG") : "");
    Args args;
    if (!parseArgs(argc, argv, args)) {
        std::cerr << tr(lang, "console.usage") << "\n";
        return 2;
    }
    if (!args.lang.empty()) lang = langFromName(args.lang);

    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
    io.ConfigInputTextCursorBlink = false; // a blinking caret would redraw twice a second
    ConsoleOptions opt;
    opt.lang = lang;
    opt.fonts.text_percent = 60;
    Console console(opt, wakeUi);
    ui::Window window;
    std::string err;
    if (!window.open(ui::WindowOptions{args.width, args.height, args.fullscreen}, err)) {
        std::cerr << tr(lang, "kiosk.no_display", {err}) << "\n";
        return 5;
    }
    g_wake_type = SDL_RegisterEvents(1);
    SDL_SetEventFilter(dropFilter, nullptr);
    SDL_EventState(SDL_DROPFILE, SDL_ENABLE);
    console.buildFonts();
    window.uploadFonts();
    if (!args.store.empty()) {
        console.buffers().store_dir = args.store;
        console.apply(intent::OpenStore{});
    }
    Driver driver;
    auto frame = [&]() {
        console.update();
        if (console.fontsDirty()) {
            console.buildFonts();
            window.uploadFonts();
        }
        window.newFrame();
        driver.applyInput();
        ImGui::NewFrame();
        console.frame();
        ImGui::Render();
        window.present();
        window.syncTextInput();
    };

    if (!args.tour_dir.empty()) {
        TourHooks hooks;
        hooks.frame = [&]() {
            frame();
            window.swap();
        };
        hooks.shot = [&](const std::string& file) {
            frame();
            bool ok = window.savePng(file);
            window.swap();
            return ok;
        };
        return screenshotTour(console, driver, hooks, args.demo, args.tour_dir);
    }

    // Draw only when something changed: an event, a dropped file, or a wake from the worker or
    // the live poller. Otherwise sleep in SDL_WaitEvent (no busy loop).
    int redraw = 3; // ImGui settles hover and press states over a couple of frames
    for (;;) {
        bool any =
            window.wait(redraw > 0 ? std::optional<std::chrono::milliseconds>(0) : std::nullopt);
        g_wake_pending = false;
        if (window.quitRequested()) break;
        std::vector<std::string> dropped;
        {
            std::lock_guard<std::mutex> lock(g_drop_mu);
            dropped.swap(g_dropped);
        }
        if (!dropped.empty()) {
            console.dropFiles(dropped);
            any = true;
        }
        if (console.update()) any = true;
        if (any) redraw = 3;
        if (redraw > 0) {
            frame();
            window.swap();
            --redraw;
        }
    }
    return 0;
}
