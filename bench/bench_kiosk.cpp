// bench_kiosk: the tablet kiosk's four targets, measured on the real pingyi-tablet, each with
// a bare cost measured in the same run (see bench/README.md, "bench_kiosk").
//
//   start to first frame      pingyi-tablet --bench      vs a bare SDL2 + OpenGL window that
//                                                          clears and swaps once
//   RSS after the first frame  (same)                     vs that window with a bare ImGui
//                                                          context (default font, one frame)
//   frame time, subject page   120 frames: draw, render,  vs the bare window's clear + swap
//                              swap, glFinish
//   idle CPU over N seconds    /proc/PID/stat ticks       vs the bare window, idle as long
//
// Needs a display (bench.sh starts Xvfb). Children are this program (--bare gl|imgui) and the
// real app; every figure is read from them, nothing is assumed.
#include <SDL.h>
#include <SDL_opengl.h>
#include <backends/imgui_impl_opengl3.h>
#include <backends/imgui_impl_sdl.h>
#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <poll.h>
#include <signal.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

const Clock::time_point kStart = Clock::now();

double sinceStart() {
    return std::chrono::duration<double, std::milli>(Clock::now() - kStart).count();
}

long rssKiB(const std::string& status = "/proc/self/status") {
    std::ifstream f(status);
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
    return -1;
}

// --- the bare child: an SDL2 + OpenGL window as pingyi-tablet opens it, nothing else
int bareChild(const std::string& kind, int w, int h) {
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        std::fprintf(stderr, "SDL_Init: %s\n", SDL_GetError());
        return 5;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, 0);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    SDL_Window* win = SDL_CreateWindow("bare", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, w, h,
                                       SDL_WINDOW_OPENGL | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!win) return 5;
    SDL_GLContext gl = SDL_GL_CreateContext(win);
    if (!gl) return 5;
    SDL_GL_MakeCurrent(win, gl);
    std::string renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    bool software = renderer.find("llvmpipe") != std::string::npos ||
                    renderer.find("softpipe") != std::string::npos;
    SDL_GL_SetSwapInterval(software ? 0 : 1); // as pingyi-tablet chooses
    const bool imgui = kind == "imgui";
    if (imgui) {
        ImGui::CreateContext();
        ImGui::GetIO().IniFilename = nullptr;
        ImGui_ImplSDL2_InitForOpenGL(win, gl);
        ImGui_ImplOpenGL3_Init("#version 130");
    }
    auto frame = [&]() {
        if (imgui) {
            ImGui_ImplOpenGL3_NewFrame();
            ImGui_ImplSDL2_NewFrame();
            ImGui::NewFrame();
            ImGui::Render();
        }
        glViewport(0, 0, w, h);
        glClearColor(1, 1, 1, 1);
        glClear(GL_COLOR_BUFFER_BIT);
        if (imgui) ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        SDL_GL_SwapWindow(win);
        glFinish();
    };
    frame();
    double first = sinceStart();
    long rss = rssKiB();
    const int n = 120;
    std::vector<double> ms(n);
    for (int i = 0; i < n; ++i) {
        auto t0 = Clock::now();
        frame();
        ms[static_cast<std::size_t>(i)] =
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    }
    std::sort(ms.begin(), ms.end());
    double total = 0;
    for (double x : ms)
        total += x;
    std::printf("{\"first_frame_ms\": %.1f, \"rss_after_first_frame_mib\": %.1f, "
                "\"frame_ms_mean\": %.2f, \"frame_ms_median\": %.2f, \"renderer\": \"%s\"}\n",
                first, static_cast<double>(rss) / 1024.0, total / n, ms[n / 2], renderer.c_str());
    std::fflush(stdout);
    // Idle as an app waiting for input does, until killed.
    SDL_Event e;
    while (SDL_WaitEvent(&e))
        if (e.type == SDL_QUIT) break;
    return 0;
}

// --- the parent
struct Child {
    pid_t pid = -1;
    int out = -1;
};

Child spawn(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env) {
    int fds[2];
    if (pipe(fds) != 0) return {};
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        for (auto& [k, v] : env)
            setenv(k.c_str(), v.c_str(), 1);
        std::vector<char*> args;
        for (auto& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        execv(args[0], args.data());
        _exit(127);
    }
    close(fds[1]);
    return {pid, fds[0]};
}

// The first line the child prints, within `seconds`.
std::optional<std::string> readLine(const Child& c, int seconds) {
    std::string line;
    auto until = Clock::now() + std::chrono::seconds(seconds);
    while (Clock::now() < until) {
        pollfd p{c.out, POLLIN, 0};
        if (poll(&p, 1, 200) <= 0) continue;
        char ch;
        ssize_t n = read(c.out, &ch, 1);
        if (n <= 0) return std::nullopt;
        if (ch == '\n') return line;
        line.push_back(ch);
    }
    return std::nullopt;
}

void stop(Child& c) {
    if (c.pid <= 0) return;
    kill(c.pid, SIGKILL);
    waitpid(c.pid, nullptr, 0);
    close(c.out);
    c.pid = -1;
}

long cpuTicks(pid_t pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), {});
    auto close_paren = s.rfind(')');
    if (close_paren == std::string::npos) return -1;
    std::istringstream in(s.substr(close_paren + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && in >> field; ++i) {
        if (i == 14) utime = std::atol(field.c_str());
        if (i == 15) stime = std::atol(field.c_str());
    }
    return utime + stime;
}

double idleCpuPercent(pid_t pid, int seconds) {
    long t0 = cpuTicks(pid);
    std::this_thread::sleep_for(std::chrono::seconds(seconds));
    long t1 = cpuTicks(pid);
    return 100.0 * static_cast<double>(t1 - t0) / static_cast<double>(sysconf(_SC_CLK_TCK)) /
           seconds;
}

// A number from a flat JSON object line (the children print nothing nested).
double num(const std::string& json, const std::string& key) {
    auto at = json.find("\"" + key + "\":");
    if (at == std::string::npos) return -1;
    return std::atof(json.c_str() + at + key.size() + 3);
}

struct Measured {
    std::string json;
    double idle_cpu = -1;
    double rss_idle = -1;
};

std::optional<Measured> measure(const std::vector<std::string>& argv,
                                const std::map<std::string, std::string>& env, int idle_s) {
    Child c = spawn(argv, env);
    if (c.pid <= 0) return std::nullopt;
    auto line = readLine(c, 120);
    if (!line) {
        stop(c);
        return std::nullopt;
    }
    Measured m;
    m.json = *line;
    std::this_thread::sleep_for(std::chrono::seconds(1)); // let the last frames settle
    m.idle_cpu = idleCpuPercent(c.pid, idle_s);
    m.rss_idle = static_cast<double>(rssKiB("/proc/" + std::to_string(c.pid) + "/status")) / 1024;
    stop(c);
    return m;
}

int run(int argc, char** argv) {
    std::string self = fs::canonical("/proc/self/exe").string();
    fs::path bin_dir = fs::path(self).parent_path().parent_path();
    std::string tablet_bin = (bin_dir / "app/kiosk/pingyi-tablet").string();
    std::string pingyi = (bin_dir / "app/pingyi").string();
    std::string size = "1280x800";
    int idle_s = 10;
    bool compare = false;
    for (int i = 1; i < argc; ++i) {
        std::string k = argv[i];
        auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : std::string(); };
        if (k == "--tablet-bin")
            tablet_bin = next();
        else if (k == "--pingyi")
            pingyi = next();
        else if (k == "--size")
            size = next();
        else if (k == "--idle")
            idle_s = std::max(1, std::atoi(next().c_str()));
        else if (k == "--compare")
            compare = true;
        else {
            std::cerr << "usage: bench_kiosk [--size WxH] [--idle SECONDS] [--compare] "
                         "[--tablet-bin PATH] [--pingyi PATH]\n";
            return 2;
        }
    }
    if (!std::getenv("DISPLAY")) {
        std::cerr << "bench_kiosk needs a display: run it through app/kiosk/bench.sh (Xvfb)\n";
        return 2;
    }
    int w = 1280, h = 800;
    std::sscanf(size.c_str(), "%dx%d", &w, &h);
    fs::path work = fs::temp_directory_path() / ("pingyi-bench-kiosk-" + std::to_string(getpid()));
    fs::create_directories(work);
    std::string demo_cmd =
        "'" + pingyi + "' demo --out '" + (work / "demo").string() + "' >/dev/null";
    if (std::system(demo_cmd.c_str()) != 0) {
        std::cerr << "pingyi demo failed\n";
        return 3;
    }
    fs::copy(work / "demo/tablets/tablet-01", work / "tablet", fs::copy_options::recursive);
    std::map<std::string, std::string> env{{"PINGYI_PIN", "246810"}};
    auto app = [&](std::vector<std::string> extra) {
        std::vector<std::string> a{tablet_bin,
                                   "--tablet",
                                   (work / "tablet").string(),
                                   "--size",
                                   size,
                                   "--bench",
                                   "--tour-tokens",
                                   (work / "demo/campaign/tokens").string()};
        a.insert(a.end(), extra.begin(), extra.end());
        return measure(a, env, idle_s);
    };
    auto bare_gl = measure({self, "--bare", "gl", size}, {}, idle_s);
    auto bare_imgui = measure({self, "--bare", "imgui", size}, {}, 1);
    auto kiosk = app({});
    std::optional<Measured> legacy, no_hanzi, pin_screen;
    if (compare) {
        // As the kiosk was: every hanzi before the first frame, RGBA32 fonts, vsync on.
        legacy = app({"--bench-fonts", "eager", "--bench-rgba", "--vsync", "on"});
        // The cost of "every GB2312 hanzi renders": the comment font without them.
        no_hanzi = app({"--bench-fonts", "no-hanzi"});
        // No PIN given, as a tablet starts for real: the first frame is the PIN screen, with
        // no key derivation (Argon2id) before it. (Its frame times are of the PIN screen.)
        env.erase("PINGYI_PIN");
        pin_screen = app({});
    }
    fs::remove_all(work);
    if (!bare_gl || !bare_imgui || !kiosk) {
        std::cerr << "a child failed to report (bare gl " << bool(bare_gl) << ", bare imgui "
                  << bool(bare_imgui) << ", pingyi-tablet " << bool(kiosk) << ")\n";
        return 4;
    }
    const std::string& k = kiosk->json;
    double first = num(k, "first_frame_ms"), bare_first = num(bare_gl->json, "first_frame_ms");
    double rss = num(k, "rss_after_first_frame_mib");
    double bare_rss = num(bare_imgui->json, "rss_after_first_frame_mib");
    // An older pingyi-tablet (--tablet-bin) reports only the mean frame time.
    double frame =
        num(k, "frame_ms_median") >= 0 ? num(k, "frame_ms_median") : num(k, "frame_ms_mean");
    double bare_frame = num(bare_gl->json, "frame_ms_median");
    std::printf("pingyi-tablet %s, renderer in the app's JSON below\n", size.c_str());
    std::printf("%-34s %10s %10s %8s %8s\n", "figure", "kiosk", "bare", "ratio", "target");
    std::printf("%-34s %10.1f %10.1f %8.2f %8s\n", "start to first frame (ms)", first, bare_first,
                first / bare_first, "<= 400");
    std::printf("%-34s %10.1f %10.1f %8.2f %8s\n", "RSS after first frame (MiB)", rss, bare_rss,
                rss / bare_rss, "<= 160");
    std::printf("%-34s %10.2f %10.2f %8.2f %8s\n", "frame time, subject page (ms, median)", frame,
                bare_frame, frame / bare_frame, "<= 16");
    std::printf("%-34s %10.2f %10.2f %8s %8s\n",
                ("idle CPU over " + std::to_string(idle_s) + " s (%)").c_str(), kiosk->idle_cpu,
                bare_gl->idle_cpu, "-", "< 1");
    std::printf("%-34s %10.1f %10.1f %8.2f\n", "RSS idle, comment font built (MiB)",
                kiosk->rss_idle, bare_rss, kiosk->rss_idle / bare_rss);
    auto row = [&](const char* name, const std::optional<Measured>& m) {
        if (!m) return;
        std::printf("%-22s first %7.1f ms (%.2fx)  RSS %6.1f MiB (%.2fx)  idle RSS %6.1f MiB  "
                    "frame %6.2f ms (%.2fx)  idle CPU %.2f %%\n",
                    name, num(m->json, "first_frame_ms"),
                    num(m->json, "first_frame_ms") / bare_first,
                    num(m->json, "rss_after_first_frame_mib"),
                    num(m->json, "rss_after_first_frame_mib") / bare_rss, m->rss_idle,
                    num(m->json, "frame_ms_median"), num(m->json, "frame_ms_median") / bare_frame,
                    m->idle_cpu);
    };
    if (compare) {
        std::printf("\ncomparisons (same run):\n");
        row("kiosk (as built)", kiosk);
        row("eager+rgba32+vsync", legacy);
        row("no GB2312 hanzi", no_hanzi);
        row("PIN screen start", pin_screen);
    }
    std::printf("\n{\"kiosk\": %s, \"kiosk_idle_cpu_percent\": %.2f, \"kiosk_rss_idle_mib\": %.1f, "
                "\"bare_gl\": %s, \"bare_gl_idle_cpu_percent\": %.2f, \"bare_imgui\": %s",
                k.c_str(), kiosk->idle_cpu, kiosk->rss_idle, bare_gl->json.c_str(),
                bare_gl->idle_cpu, bare_imgui->json.c_str());
    if (legacy)
        std::printf(", \"legacy\": %s, \"legacy_rss_idle_mib\": %.1f", legacy->json.c_str(),
                    legacy->rss_idle);
    if (no_hanzi)
        std::printf(", \"no_hanzi\": %s, \"no_hanzi_rss_idle_mib\": %.1f", no_hanzi->json.c_str(),
                    no_hanzi->rss_idle);
    if (pin_screen) std::printf(", \"pin_screen\": %s", pin_screen->json.c_str());
    std::printf("}\n");
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    if (argc == 4 && std::string(argv[1]) == "--bare") {
        int w = 1280, h = 800;
        std::sscanf(argv[3], "%dx%d", &w, &h);
        return bareChild(argv[2], w, h);
    }
    return run(argc, argv);
}
