// The console's long work, as plain functions a worker thread runs: each opens its own
// connection to the collector store, calls the same library functions as the CLI, and returns
// what the screens show. No ImGui here; the tests and the benchmark call these directly too.
#pragma once

#include "platform/collector_store.hpp"
#include "platform/publish.hpp"
#include "sync/collector_import.hpp"
#include "sync/server.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <variant>

namespace pingyi::console {

// Shared between a job and the UI thread. `wake` (set by the owner) is called after every
// change, from the job's thread.
struct Progress {
    std::atomic<std::size_t> done{0}, total{0};
    std::atomic<bool> cancel{false};
    std::function<void()> wake;
    void set(std::size_t d, std::size_t t) {
        total = t;
        done = d;
        if (wake) wake();
    }
};

struct StoreOpened {
    fs::path dir;
    std::shared_ptr<const Package> package;
    bool created = false;
    std::optional<ResultsDocument> results; // of the last count, if any
    std::vector<CommentOut> comments;
};

// One file of an import: a bundle (.pyb) or token additions (.pya).
struct ImportRow {
    std::string file;
    bool additions = false;
    std::optional<Error> refused; // nothing of it was stored
    std::string device;
    std::size_t added = 0, already = 0;
    std::vector<RejectedEnvelope> rejected;
};
struct ImportDone {
    std::vector<ImportRow> rows;
    bool cancelled = false; // stopped between two files at the user's request
    CollectorCounts counts;
};

struct CountDone {
    ResultsDocument results;
    std::vector<CommentOut> comments;
    double seconds = 0;
};
struct ExportDone {
    fs::path dir;
    std::vector<std::string> files;
};
struct SignDone {
    fs::path file;
    std::string unit, label, fingerprint;
    ResultsDocument results;
};
struct VerifyDone {
    fs::path file;
    VerifyOutcome outcome;
};
struct ResolveDone {
    std::size_t number = 0;
    std::optional<std::string> counted; // receipt code, or none (neither)
    std::string reason;
};
struct ServerStarted {
    std::shared_ptr<SyncServer> server;
    std::string address;
    std::uint16_t port = 0;
};
struct ServerStopped {
    std::uint64_t requests = 0, added = 0;
};
struct JobFailed {
    Error error;
};
using JobResult = std::variant<JobFailed, StoreOpened, ImportDone, CountDone, ExportDone, SignDone,
                               VerifyDone, ResolveDone, ServerStarted, ServerStopped>;

JobResult openStoreJob(const fs::path& dir);
// As `pingyi collector init`: the package (checked against the organiser key when given) and
// the collector's public keys.
JobResult createStoreJob(const fs::path& dir, const fs::path& package,
                         const fs::path& collector_pub, const fs::path& organiser_pub);
// Imports files one by one (as `pingyi collector import`); stops between files when cancelled.
JobResult importJob(const fs::path& store, const std::vector<fs::path>& files, Progress& progress);
// Unlocks the collector key (the passphrase is wiped here, whatever happens), counts, and
// writes the reports into STORE/reports, as `pingyi collector count` does.
JobResult countJob(const fs::path& store, const fs::path& key, std::string& passphrase,
                   unsigned threads, Lang lang, Progress& progress);
// Writes the chosen report files of the last count into out_dir.
JobResult exportJob(const fs::path& store, const fs::path& out_dir, const ReportSet& which,
                    Lang lang);
// Signs one unit's ranking in a results file with the unit head's key (passphrase wiped here).
// confirm_noncompliant: the signer ticked that they know the unit's ballots break the rules.
JobResult signJob(const fs::path& results_file, const std::string& unit, const fs::path& key,
                  std::string& passphrase, bool confirm_noncompliant = false);
// Checks a results file; package, unit-head key and receipt are optional (empty).
JobResult verifyJob(const fs::path& results_file, const fs::path& package, const fs::path& head_pub,
                    const std::string& receipt);
// Staff decision on conflict `number` (1-based, as listed): count `chosen` or neither.
JobResult resolveJob(const fs::path& store, std::size_t number, const Hash32& tag,
                     std::optional<Hash32> chosen, const std::string& reason);

// The LAN sync service in this process (as `pingyi collector serve`): unlocks the collector
// key (passphrase wiped here; only the signing key is kept) and listens on "address:port".
// Errors: server.bad_address, key.wrong_role, and those of SyncServer::start.
JobResult startServerJob(const fs::path& store, const fs::path& key, std::string& passphrase,
                         const std::string& listen);
JobResult stopServerJob(std::shared_ptr<SyncServer> server);

// The bundle (.pyb) and additions (.pya) files directly in a folder, sorted by name.
std::vector<fs::path> importableFiles(const fs::path& folder);

} // namespace pingyi::console
