#include "app/console/jobs.hpp"

#include "core/token.hpp"
#include "platform/workspace.hpp"

#include <algorithm>
#include <chrono>

namespace pingyi::console {

namespace {
StoreOpened opened(CollectorStore& store, bool created) {
    StoreOpened o;
    o.dir = store.dir();
    o.package = std::make_shared<const Package>(store.package());
    o.created = created;
    if (auto r = storedResults(store)) o.results = std::move(*r);
    if (auto c = storedComments(store)) o.comments = std::move(*c);
    return o;
}
} // namespace

JobResult openStoreJob(const fs::path& dir) {
    auto store = CollectorStore::open(dir);
    if (!store) return JobFailed{store.error()};
    return opened(*store, false);
}

JobResult createStoreJob(const fs::path& dir, const fs::path& package,
                         const fs::path& collector_pub, const fs::path& organiser_pub) {
    std::optional<PublicKeys> org;
    if (!organiser_pub.empty()) {
        auto k = loadPublicKeys(organiser_pub);
        if (!k) return JobFailed{k.error()};
        org = *k;
    }
    auto pkg = loadPackage(package, org ? &org->sign : nullptr);
    if (!pkg) return JobFailed{pkg.error()};
    auto keys = loadPublicKeys(collector_pub);
    if (!keys) return JobFailed{keys.error()};
    auto store = CollectorStore::create(dir, *pkg, *keys);
    if (!store) return JobFailed{store.error()};
    return opened(*store, true);
}

JobResult importJob(const fs::path& dir, const std::vector<fs::path>& files, Progress& progress) {
    auto store = CollectorStore::open(dir);
    if (!store) return JobFailed{store.error()};
    ImportDone done;
    bool added = false;
    progress.set(0, files.size());
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (progress.cancel) {
            done.cancelled = true;
            break;
        }
        const fs::path& p = files[i];
        ImportRow row;
        row.file = p.string();
        if (p.extension() == ".pya") {
            row.additions = true;
            auto bytes = readFile(p, 64u << 20);
            Status s = bytes ? store->addTokens(*bytes) : Status(bytes.error());
            if (!s) row.refused = s.error();
        } else {
            // Another connection may have imported additions since this one opened.
            (void)store->refreshTokens();
            ImportReport r = importBundleFile(*store, p);
            row.refused = r.refused;
            row.device = r.device_label;
            row.added = r.added;
            row.already = r.already;
            row.rejected = std::move(r.rejected);
        }
        added = added || row.added > 0;
        done.rows.push_back(std::move(row));
        progress.set(i + 1, files.size());
    }
    // The files came in some order; the fold leaves none in collector.db or its log. A failed
    // fold changes no data (the next import folds again).
    if (added) (void)store->fold();
    auto c = store->counts();
    if (!c) return JobFailed{c.error()};
    done.counts = *c;
    return done;
}

JobResult countJob(const fs::path& dir, const fs::path& key, std::string& passphrase,
                   unsigned threads, Lang lang, Progress& progress) {
    auto keys = loadSecretKeys(key, passphrase);
    wipe(passphrase);
    if (!keys) return JobFailed{keys.error()};
    auto store = CollectorStore::open(dir);
    if (!store) return JobFailed{store.error()};
    CountOptions opts;
    opts.threads = std::max(1u, threads);
    opts.progress = [&progress](std::size_t d, std::size_t t) { progress.set(d, t); };
    auto t0 = std::chrono::steady_clock::now();
    auto out = countAndSign(*store, *keys, opts);
    if (!out) return JobFailed{out.error()};
    if (auto s = writeReports(out->results, &out->comments, store->dir() / "reports", lang); !s)
        return JobFailed{s.error()};
    CountDone done;
    done.results = std::move(out->results);
    done.comments = std::move(out->comments);
    done.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return done;
}

JobResult exportJob(const fs::path& dir, const fs::path& out_dir, const ReportSet& which,
                    Lang lang) {
    auto store = CollectorStore::open(dir);
    if (!store) return JobFailed{store.error()};
    auto results = storedResults(*store);
    if (!results) return JobFailed{results.error()};
    auto comments = storedComments(*store);
    if (!comments) return JobFailed{comments.error()};
    if (auto s = writeReports(*results, &*comments, out_dir, lang, which); !s)
        return JobFailed{s.error()};
    ExportDone done;
    done.dir = out_dir;
    auto add = [&](bool on, const char* name) {
        if (on) done.files.push_back(name);
    };
    add(which.json, "results.json");
    add(which.csv, "results.csv");
    add(which.xlsx, "results.xlsx");
    add(which.html, "results.html");
    add(which.receipts, "receipts.txt");
    add(which.comments, "comments.csv");
    return done;
}

JobResult signJob(const fs::path& results_file, const std::string& unit, const fs::path& key,
                  std::string& passphrase, bool confirm_noncompliant) {
    auto j = readResultsFile(results_file);
    if (!j) {
        wipe(passphrase);
        return JobFailed{j.error()};
    }
    auto keys = loadSecretKeys(key, passphrase);
    wipe(passphrase);
    if (!keys) return JobFailed{keys.error()};
    if (auto s = signUnit(*j, unit, *keys, confirm_noncompliant); !s) return JobFailed{s.error()};
    if (auto s = writeFileAtomic(results_file, resultsFileText(*j)); !s)
        return JobFailed{s.error()};
    return SignDone{results_file, unit, keys->pub.label, keys->pub.fingerprint(), std::move(*j)};
}

JobResult verifyJob(const fs::path& results_file, const fs::path& package, const fs::path& head_pub,
                    const std::string& receipt) {
    auto j = readResultsFile(results_file);
    if (!j) return JobFailed{j.error()};
    std::optional<Package> pkg;
    if (!package.empty()) {
        auto p = loadPackage(package);
        if (!p) return JobFailed{p.error()};
        pkg = std::move(*p);
    }
    std::optional<PublicKeys> head;
    if (!head_pub.empty()) {
        auto k = loadPublicKeys(head_pub);
        if (!k) return JobFailed{k.error()};
        head = *k;
    }
    auto v = verifyResultsDocument(*j, pkg ? &*pkg : nullptr, head ? &*head : nullptr, receipt);
    if (!v) return JobFailed{v.error()};
    return VerifyDone{results_file, std::move(*v)};
}

JobResult resolveJob(const fs::path& dir, std::size_t number, const Hash32& tag,
                     std::optional<Hash32> chosen, const std::string& reason) {
    auto store = CollectorStore::open(dir);
    if (!store) return JobFailed{store.error()};
    if (auto s = store->resolveConflict(tag, chosen, reason); !s) return JobFailed{s.error()};
    ResolveDone d;
    d.number = number;
    if (chosen) d.counted = receiptCode(*chosen);
    d.reason = reason;
    return d;
}

JobResult startServerJob(const fs::path& store, const fs::path& key, std::string& passphrase,
                         const std::string& listen) {
    auto colon = listen.rfind(':');
    std::string address = colon == std::string::npos ? listen : listen.substr(0, colon);
    std::uint16_t port = 8470;
    if (colon != std::string::npos) {
        const std::string digits = listen.substr(colon + 1);
        bool ok = !digits.empty() && digits.size() <= 5 &&
                  digits.find_first_not_of("0123456789") == std::string::npos;
        long p = ok ? std::stol(digits) : -1;
        if (p < 0 || p > 65535) {
            wipe(passphrase);
            return JobFailed{Error::make(ErrorKind::Invalid, "server.bad_address", {listen})};
        }
        port = static_cast<std::uint16_t>(p);
    }
    auto keys = loadSecretKeys(key, passphrase);
    wipe(passphrase);
    if (!keys) return JobFailed{keys.error()};
    if (keys->pub.role != KeyRole::Collector)
        return JobFailed{Error::make(ErrorKind::Invalid, "key.wrong_role",
                                     {keyRoleName(keys->pub.role), "collector"})};
    keys->box.sk.wipe(); // serving needs only the signing key
    auto server = SyncServer::start(store, keys->pub.sign, std::move(keys->sign_sk), address, port);
    if (!server) return JobFailed{server.error()};
    ServerStarted s;
    s.port = (*server)->port();
    s.address = address;
    s.server = std::shared_ptr<SyncServer>(std::move(*server));
    return s;
}

JobResult stopServerJob(std::shared_ptr<SyncServer> server) {
    ServerStopped s;
    if (!server) return s;
    server->stop();
    s.requests = server->stats().requests.load();
    s.added = server->stats().envelopes_added.load();
    return s;
}

std::vector<fs::path> importableFiles(const fs::path& folder) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (auto& e : fs::directory_iterator(folder, ec)) {
        auto ext = e.path().extension();
        if ((ext == ".pyb" || ext == ".pya") && e.is_regular_file(ec)) out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

} // namespace pingyi::console
