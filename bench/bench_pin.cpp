// The PIN's key derivation: what one guess costs a thief holding a copy of tablet.db, and what
// unlocking costs the tablet, at the PIN cost (KdfCost::pin()) against the cost the device key
// had before (libsodium's INTERACTIVE limits, KdfCost::passphrase()), measured in the same run,
// interleaved.
//
//   bench_pin [rounds=5] [--dir PATH] [--keep]
//
// Each round, in rotating order:
//   unlock            TabletStore::unlockDeviceKey on a real store at the PIN cost (the kiosk's
//                     start and its administrator PIN): read the key, derive, open, check.
//   guess             one crypto_pwhash at the PIN cost with a wrong PIN: a thief's one guess
//                     on one core (then the secretbox fails, which costs nothing).
//   guess x2          two guesses at once on two threads: a thief using both cores; reported
//                     as seconds per guess (wall time / 2).
//   old guess         one crypto_pwhash at the old cost (what one guess cost before).

#include "core/campaign.hpp"
#include "core/crypto.hpp"
#include "core/package.hpp"
#include "core/pin.hpp"
#include "platform/files.hpp"
#include "platform/keyfile.hpp"
#include "platform/tablet_store.hpp"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include <time.h>

using namespace pingyi;

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

[[noreturn]] void die(const std::string& what) {
    std::fprintf(stderr, "bench_pin: %s\n", what.c_str());
    std::exit(1);
}

struct Options {
    std::size_t rounds = 5;
    fs::path dir;
    bool keep = false;
};

Options parseArgs(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a == "--dir" && i + 1 < argc) {
            o.dir = argv[++i];
        } else if (a == "--keep") {
            o.keep = true;
        } else if (a == "-h" || a == "--help") {
            std::printf("usage: bench_pin [rounds=5] [--dir PATH] [--keep]\n");
            std::exit(0);
        } else {
            char* end = nullptr;
            unsigned long long v = std::strtoull(a.c_str(), &end, 10);
            if (end == a.c_str() || *end != '\0' || v == 0) die("bad argument: " + a);
            o.rounds = static_cast<std::size_t>(v);
        }
    }
    return o;
}

struct WorkDir {
    fs::path path;
    bool keep = false;
    WorkDir(const fs::path& parent, bool k) : keep(k) {
        std::uint8_t r[6];
        randomBytes(r);
        path = (parent.empty() ? fs::temp_directory_path() : parent) / ("pingyi-bench-" + toHex(r));
        if (!ensureDirectory(path)) die("mkdir " + path.string());
    }
    ~WorkDir() {
        std::error_code ec;
        if (!keep) fs::remove_all(path, ec);
    }
    WorkDir(const WorkDir&) = delete;
    WorkDir& operator=(const WorkDir&) = delete;
};

// One key derivation of a wrong PIN at `cost`, as a guess against a copied file is.
void derive(const KdfCost& cost, const std::uint8_t* salt) {
    std::uint8_t key[crypto_secretbox_KEYBYTES];
    const char guess[] = "975318";
    if (crypto_pwhash(key, sizeof key, guess, sizeof guess - 1, salt, cost.opslimit, cost.memlimit,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        die("crypto_pwhash: out of memory");
    sodium_memzero(key, sizeof key);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    std::size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

void row(const char* name, const std::vector<double>& v, const std::vector<double>& cpu) {
    std::printf("  %-40s %8.3f %8.3f %8.3f   %8.3f\n", name, median(v),
                *std::min_element(v.begin(), v.end()), *std::max_element(v.begin(), v.end()),
                median(cpu));
}

double threadCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

} // namespace

int main(int argc, char** argv) {
    Options opt = parseArgs(argc, argv);
    initCrypto();
    WorkDir work(opt.dir, opt.keep);

    // A real tablet store with its device key locked under a PIN at the PIN cost.
    SignKeyPair organiser = signKeyPair(), device = signKeyPair();
    PackageBody body;
    body.campaign = seedCampaign();
    body.organiser = organiser.pk;
    body.collector_box = boxKeyPair().pk;
    body.collector_sign = signKeyPair().pk;
    auto package = decodePackage(encodePackage(body, organiser.sk));
    if (!package) die("package: " + package.error().id);
    Bytes cert = encodeCertificate(package->digest, device.pk, "bench", organiser.sk);
    const std::string pin = "246813";
    auto t0 = Clock::now();
    auto store = TabletStore::create(work.path / "tablet", *package, cert, device, pin);
    if (!store) die("create store: " + store.error().id);
    double create_s = secondsSince(t0);

    const KdfCost now_cost = KdfCost::pin(), old_cost = KdfCost::passphrase();
    std::uint8_t salt[crypto_pwhash_SALTBYTES];
    randombytes_buf(salt, sizeof salt);

    // Wall time, and the CPU time of the deriving thread(s): on a machine that others load, the
    // CPU time is what a guess costs an idle machine (Argon2 is one thread; memory stalls count).
    struct Samples {
        std::vector<double> wall, cpu;
    };
    Samples unlock, guess, guess2, old;
    auto timed = [](Samples& out, double per, const std::function<void()>& f) {
        auto s = Clock::now();
        double c0 = threadCpuSeconds();
        f();
        out.cpu.push_back((threadCpuSeconds() - c0) / per);
        out.wall.push_back(secondsSince(s) / per);
    };
    const std::vector<std::function<void()>> variants = {
        [&] {
            timed(unlock, 1, [&] {
                if (auto sk = store->unlockDeviceKey(pin); !sk) die("unlock: " + sk.error().id);
            });
        },
        [&] { timed(guess, 1, [&] { derive(now_cost, salt); }); },
        [&] {
            double other_cpu = 0;
            timed(guess2, 2, [&] {
                std::thread other([&] {
                    double c0 = threadCpuSeconds();
                    derive(now_cost, salt);
                    other_cpu = threadCpuSeconds() - c0;
                });
                derive(now_cost, salt);
                other.join();
            });
            guess2.cpu.back() += other_cpu / 2; // both threads' CPU, per guess
        },
        [&] { timed(old, 1, [&] { derive(old_cost, salt); }); },
    };
    for (std::size_t r = 0; r < opt.rounds; ++r)
        for (std::size_t v = 0; v < variants.size(); ++v)
            variants[(v + r) % variants.size()]();

    unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    double load[3] = {0, 0, 0};
    if (getloadavg(load, 3) < 1) load[0] = -1;
    std::printf("PIN key derivation: Argon2id, PIN cost %llu passes x %zu MiB, old cost %llu x %zu "
                "MiB; %zu rounds; %u cores; load average %.2f\n",
                now_cost.opslimit, now_cost.memlimit >> 20, old_cost.opslimit,
                old_cost.memlimit >> 20, opt.rounds, cores, load[0]);
    std::printf("  store created in %.3f s (one derivation, plus the store)\n\n", create_s);
    std::printf("  %-40s %8s %8s %8s   %8s\n", "variant (s)", "median", "min", "max", "cpu med");
    row("unlock (TabletStore::unlockDeviceKey)", unlock.wall, unlock.cpu);
    row("guess, one core", guess.wall, guess.cpu);
    row("guess, two at once (s per guess)", guess2.wall, guess2.cpu);
    row("old guess, one core", old.wall, old.cpu);
    // The targets are judged on the smaller of wall and CPU time: the wall time when the machine
    // is quiet, the CPU time when others load it (then the wall time is mostly waiting).
    auto best = [](const Samples& x) { return std::min(median(x.wall), median(x.cpu)); };
    double one = best(guess), unl = best(unlock), was = best(old);
    // Two cores: the wall time per guess of two at once, or half the CPU time of one of them.
    double both = std::min(median(guess2.wall), median(guess2.cpu) / std::min(2u, cores));
    std::printf("\nratio guess/old guess: %.1fx (wall medians), %.1fx (cpu medians)\n",
                median(guess.wall) / median(old.wall), median(guess.cpu) / median(old.cpu));
    std::printf("every 6-digit PIN (10^6) on this machine, both cores busy: %.1f days (one guess "
                "every %.2f s); at the old cost: %.1f hours\n",
                1e6 * both / 86400, both, 1e6 * was / std::min(2u, cores) / 3600);
    bool ok = one >= 1.0 && unl < 2.0;
    std::printf("target: one guess >= 1 s (%.2f s: %s), unlock < 2 s (%.2f s: %s)\n", one,
                one >= 1.0 ? "met" : "NOT met", unl, unl < 2.0 ? "met" : "NOT met");
    return ok ? 0 : 2;
}
