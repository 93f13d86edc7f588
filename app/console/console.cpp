#include "app/console/console.hpp"

#include "core/token.hpp"

#include <algorithm>

namespace pingyi::console {

namespace {
template <class... F> struct Overload : F... { using F::operator()...; };
template <class... F> Overload(F...) -> Overload<F...>;

std::string fileName(const std::string& path) {
    std::string n = fs::path(path).filename().string();
    return n.empty() ? path : n;
}
} // namespace

Console::Console(ConsoleOptions options, std::function<void()> wake)
    : opt_(std::move(options)), wake_(std::move(wake)), worker_(wake_), lang_(opt_.lang) {
    ranges_ = ui::glyphRanges(Campaign{}, opt_.fonts.all_hanzi);
}

Console::~Console() {
    buffers_.wipeSecrets();
}

void Console::buildFonts() {
    fonts_ = ui::buildFonts(opt_.fonts, ranges_, ranges_);
    ui::applyTheme();
    // A desktop app for mouse and keyboard: denser than the kiosk's touch theme.
    ImGuiStyle& s = ImGui::GetStyle();
    s.WindowPadding = ImVec2(12, 10);
    s.FramePadding = ImVec2(8, 5);
    s.ItemSpacing = ImVec2(10, 8);
    s.CellPadding = ImVec2(6, 3);
    s.ScrollbarSize = 16;
    s.GrabMinSize = 14;
    s.FrameBorderSize = 1;
    s.ChildBorderSize = 1;
    s.TouchExtraPadding = ImVec2(0, 0);
    ImVec4* c = s.Colors;
    c[ImGuiCol_Border] = ImVec4(0.55f, 0.55f, 0.55f, 1);
    c[ImGuiCol_TableHeaderBg] = ImVec4(0.88f, 0.91f, 0.96f, 1);
    c[ImGuiCol_TableRowBgAlt] = ImVec4(0.96f, 0.96f, 0.96f, 1);
    c[ImGuiCol_Header] = ImVec4(0.80f, 0.87f, 0.97f, 1);
    c[ImGuiCol_HeaderHovered] = ImVec4(0.86f, 0.91f, 0.98f, 1);
    c[ImGuiCol_HeaderActive] = ImVec4(0.75f, 0.83f, 0.96f, 1);
    c[ImGuiCol_CheckMark] = ImVec4(0, 0.22f, 0.55f, 1);
    c[ImGuiCol_Tab] = ImVec4(0.90f, 0.90f, 0.90f, 1);
    c[ImGuiCol_TabActive] = ImVec4(0.80f, 0.87f, 0.97f, 1);
    c[ImGuiCol_TabHovered] = ImVec4(0.86f, 0.91f, 0.98f, 1);
    c[ImGuiCol_FrameBgHovered] = ImVec4(0.95f, 0.97f, 1, 1);
    fonts_dirty_ = false;
}

void Console::say(std::string id, std::vector<std::string> args) {
    said_ = Said{std::move(id), std::move(args), std::nullopt};
}

void Console::fail(const Error& e) {
    said_ = Said{"", {}, e};
}

std::vector<std::string> Console::staleReasons() const {
    if (!results_ || !live_.freshness || live_.freshness->current) return {};
    return live_.freshness->reasons(lang_);
}

std::string Console::statusText() const {
    if (said_.error) return describe(*said_.error, lang_);
    if (said_.id.empty()) return "";
    return tr(lang_, said_.id, said_.args);
}

FrameView Console::frameView() const {
    FrameView v;
    v.tab = tab_;
    if (store_) {
        v.store = store_->dir.string();
        v.campaign = store_->package->body.campaign.name;
    }
    v.has_results = results_.has_value();
    v.status = statusText();
    v.status_error = said_.error.has_value();
    if (worker_.busy()) {
        v.job = tr(lang_, job_name_);
        v.done = worker_.progress().done;
        v.total = worker_.progress().total;
        v.cancellable = job_cancellable_;
    }
    return v;
}

void Console::frame() {
    ui::beginFrame();
    ScreenContext cx;
    cx.lang = lang_;
    cx.fonts = &fonts_;
    cx.size = ImGui::GetIO().DisplaySize;
    cx.buffers = &buffers_;
    FrameView fv = frameView();
    drawn_done_ = fv.done;
    bool busy = worker_.busy();

    ui::beginScreen("console");
    Intent top = topBar(cx, fv);
    Intent body;
    const float status_h = ImGui::GetFrameHeightWithSpacing() + 8;
    ImGui::BeginChild("body", ImVec2(0, -status_h), false);
    const Campaign* camp = store_ ? &store_->package->body.campaign : nullptr;
    switch (tab_) {
    case Tab::Store: {
        StoreView v;
        v.busy = busy;
        if (store_) {
            v.open_dir = store_->dir.string();
            v.campaign = camp->name;
            v.campaign_id = camp->id;
            v.organiser = fingerprint(store_->package->body.organiser);
            v.digest = toHex(store_->package->digest).substr(0, 32);
            v.units = camp->units.size();
            v.subjects = camp->subjects.size();
            for (auto& t : store_->package->body.tokens)
                v.tokens += t.tags.size();
        }
        body = storeScreen(cx, v);
        break;
    }
    case Tab::Import: {
        ImportView v;
        v.found = found_;
        v.busy = busy;
        v.store_open = store_ != nullptr;
        for (std::size_t i = 0; i < rows_.size(); ++i) {
            const ImportRow& r = rows_[i];
            ImportRowView rv;
            rv.batch = i < row_batch_.size() ? row_batch_[i] : 0;
            rv.file = fileName(r.file);
            rv.device = r.device;
            rv.additions = r.additions;
            if (r.refused) rv.refused = describe(*r.refused, lang_);
            rv.added = r.added;
            rv.already = r.already;
            for (auto& e : r.rejected)
                rv.rejected.emplace_back(e.receipt, describe(e.reason, lang_));
            v.rows.push_back(std::move(rv));
        }
        if (import_counts_) {
            auto& c = *import_counts_;
            v.totals = tr(lang_, "collector.counts",
                          {std::to_string(c.envelopes), std::to_string(c.devices),
                           std::to_string(c.conflicts), std::to_string(c.conflicts_open),
                           std::to_string(c.missing)});
            if (import_cancelled_) v.totals += "  " + tr(lang_, "console.import.cancelled");
        }
        body = importScreen(cx, v);
        break;
    }
    case Tab::Live:
        if (camp) {
            LiveView v{&live_, camp, busy, {}};
            if (server_) {
                v.server.running = true;
                v.server.address = server_address_;
                v.server.port = server_->port();
                v.server.requests = server_->stats().requests.load();
                v.server.added = server_->stats().envelopes_added.load();
                v.server.refused = server_->stats().refused.load();
            }
            body = liveScreen(cx, v);
        }
        break;
    case Tab::Count: {
        CountView v;
        v.store_open = store_ != nullptr;
        v.busy = busy;
        v.counting = busy && job_name_ == "console.job.count";
        v.done = fv.done;
        v.total = fv.total;
        v.held = live_.counts.envelopes;
        v.conflicts_open = live_.counts.conflicts_open;
        if (last_count_) v.last = tr(lang_, last_count_->id, last_count_->args);
        body = countScreen(cx, v);
        break;
    }
    case Tab::Results:
        if (results_)
            body = resultsScreen(
                cx, ResultsScreenView{&*results_, unit_, subject_, comment_page_, staleReasons()});
        break;
    case Tab::Publish: {
        PublishView v;
        v.has_results = results_.has_value();
        v.stale = staleReasons();
        v.busy = busy;
        if (results_)
            for (auto& u : results_->units) {
                v.units.emplace_back(u.id, u.name);
                v.unit_problems.push_back(u.problems);
            }
        if (verified_) {
            for (auto& c : verified_->signatures) {
                auto& s = c.signature;
                v.verify_lines.emplace_back(
                    tr(lang_, c.ok ? "verify.signature_ok" : "verify.signature_bad",
                       {tr(lang_, s.role == "collector" ? "role.collector" : "role.unit-head"),
                        s.unit, s.label, fingerprint(s.key)}),
                    c.ok);
            }
            if (verified_->signatures.empty())
                v.verify_lines.emplace_back(tr(lang_, "verify.no_signatures"), false);
            if (verified_->collector_missing)
                v.verify_lines.emplace_back(tr(lang_, "verify.no_collector_signature"), false);
            if (verified_->receipt)
                v.verify_lines.emplace_back(tr(lang_,
                                               verified_->receipt_counted
                                                   ? "verify.receipt_counted"
                                                   : "verify.receipt_not_counted",
                                               {*verified_->receipt}),
                                            verified_->receipt_counted);
            v.verify_lines.emplace_back(
                tr(lang_, verified_->ok ? "console.publish.all_ok" : "console.publish.not_ok"),
                verified_->ok);
        }
        body = publishScreen(cx, v);
        break;
    }
    }
    ImGui::EndChild();
    Intent bottom = statusBar(cx, fv);
    ui::endScreen();
    for (const Intent* i : {&top, &body, &bottom})
        if (!std::holds_alternative<std::monostate>(*i)) {
            apply(*i);
            break;
        }
}

void Console::startJob(const char* name, std::function<JobResult(Progress&)> job,
                       bool cancellable) {
    if (!worker_.start(name, std::move(job))) return;
    job_name_ = name;
    job_cancellable_ = cancellable;
    said_ = Said{};
}

void Console::importFiles(std::vector<fs::path> files) {
    if (!store_ || files.empty()) return;
    fs::path dir = store_->dir;
    tab_ = Tab::Import;
    startJob(
        "console.job.import",
        [dir, files = std::move(files)](Progress& p) { return importJob(dir, files, p); }, true);
}

void Console::scanFolder() {
    found_paths_ = importableFiles(buffers_.folder);
    found_.clear();
    for (auto& p : found_paths_)
        found_.push_back({p.filename().string(), true});
    if (found_paths_.empty())
        fail(Error::make(ErrorKind::NotFound, "console.import.no_files", {buffers_.folder}));
    else
        say("console.import.found", {std::to_string(found_paths_.size()), buffers_.folder});
}

void Console::dropFiles(const std::vector<std::string>& paths) {
    std::vector<fs::path> files;
    for (auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            buffers_.folder = p;
            scanFolder();
            tab_ = Tab::Import;
            continue;
        }
        files.emplace_back(p);
    }
    if (files.empty()) return;
    if (store_ && !worker_.busy()) {
        importFiles(std::move(files));
        return;
    }
    for (auto& f : files) {
        found_paths_.push_back(f);
        found_.push_back({f.filename().string(), true});
    }
    tab_ = Tab::Import;
}

void Console::apply(const Intent& in) {
    Buffers& b = buffers_;
    std::visit(
        Overload{
            [](const std::monostate&) {},
            [&](const intent::GoTo& g) {
                tab_ = g.tab;
                if (g.tab == Tab::Live && poller_) poller_->refreshNow();
            },
            [&](const intent::SetLanguage& l) { lang_ = l.lang; },
            [&](const intent::OpenStore&) {
                fs::path dir = b.store_dir;
                startJob(
                    "console.job.open", [dir](Progress&) { return openStoreJob(dir); }, false);
            },
            [&](const intent::CreateStore&) {
                fs::path dir = b.store_dir, pkg = b.package, col = b.collector_pub,
                         org = b.organiser_pub;
                startJob(
                    "console.job.create",
                    [=](Progress&) { return createStoreJob(dir, pkg, col, org); }, false);
            },
            [&](const intent::ScanFolder&) { scanFolder(); },
            [&](const intent::ToggleFile& t) {
                if (t.index < found_.size()) found_[t.index].selected = !found_[t.index].selected;
            },
            [&](const intent::ImportSelected&) {
                std::vector<fs::path> files;
                for (std::size_t i = 0; i < found_.size(); ++i)
                    if (found_[i].selected) files.push_back(found_paths_[i]);
                importFiles(std::move(files));
            },
            [&](const intent::ImportAll&) { importFiles(found_paths_); },
            [&](const intent::Cancel&) { worker_.cancel(); },
            [&](const intent::Resolve& r) {
                if (!store_ || r.conflict >= live_.conflicts.size()) return;
                const LiveConflict& cf = live_.conflicts[r.conflict];
                std::optional<Hash32> chosen;
                if (r.envelope) {
                    if (*r.envelope >= cf.envelopes.size()) return;
                    chosen = cf.envelopes[*r.envelope];
                }
                fs::path dir = store_->dir;
                Hash32 tag = cf.tag;
                std::string reason = b.reason;
                std::size_t number = r.conflict + 1;
                startJob(
                    "console.job.resolve",
                    [=](Progress&) { return resolveJob(dir, number, tag, chosen, reason); }, false);
            },
            [&](const intent::StartCount&) {
                if (!store_) return;
                fs::path dir = store_->dir, key = b.collector_key;
                // The passphrase leaves the field now; the job wipes its copy after use.
                auto pass = std::make_shared<std::string>(b.count_pass);
                wipe(b.count_pass);
                unsigned threads = opt_.threads;
                Lang lang = lang_;
                startJob(
                    "console.job.count",
                    [=](Progress& p) {
                        JobResult r = countJob(dir, key, *pass, threads, lang, p);
                        wipe(*pass);
                        return r;
                    },
                    false);
            },
            [&](const intent::StartServer&) {
                if (!store_ || server_) return;
                fs::path dir = store_->dir, key = b.collector_key;
                auto pass = std::make_shared<std::string>(b.serve_pass);
                wipe(b.serve_pass);
                std::string listen = b.listen;
                startJob(
                    "console.job.server_start",
                    [=](Progress&) {
                        JobResult r = startServerJob(dir, key, *pass, listen);
                        wipe(*pass);
                        return r;
                    },
                    false);
            },
            [&](const intent::StopServer&) {
                if (!server_) return;
                auto server = std::move(server_);
                server_.reset();
                startJob(
                    "console.job.server_stop",
                    [server](Progress&) { return stopServerJob(server); }, false);
            },
            [&](const intent::SelectUnit& u) {
                unit_ = u.unit;
                subject_ = 0;
                comment_page_ = 0;
            },
            [&](const intent::SelectSubject& s) {
                subject_ = s.subject;
                comment_page_ = 0;
            },
            [&](const intent::CommentsPage& p) { comment_page_ = p.page; },
            [&](const intent::Export&) {
                if (!store_) return;
                fs::path dir = store_->dir, out = b.export_dir;
                ReportSet which{b.fmt_json, b.fmt_csv,      b.fmt_xlsx,
                                b.fmt_html, b.fmt_receipts, b.fmt_comments};
                Lang lang = lang_;
                startJob(
                    "console.job.export",
                    [=](Progress&) { return exportJob(dir, out, which, lang); }, false);
            },
            [&](const intent::Sign&) {
                if (!results_ || results_->units.empty()) return;
                std::size_t k = std::min<std::size_t>(static_cast<std::size_t>(b.sign_unit),
                                                      results_->units.size() - 1);
                std::string unit = results_->units[k].id;
                fs::path file = b.results_file, key = b.head_key;
                auto pass = std::make_shared<std::string>(b.head_pass);
                wipe(b.head_pass);
                bool confirm = b.sign_confirm;
                b.sign_confirm = false; // each signature is confirmed on its own
                startJob(
                    "console.job.sign",
                    [=](Progress&) {
                        JobResult r = signJob(file, unit, key, *pass, confirm);
                        wipe(*pass);
                        return r;
                    },
                    false);
            },
            [&](const intent::Verify&) {
                fs::path file = b.results_file, pkg = b.verify_package, head = b.verify_head_pub;
                std::string receipt = b.verify_receipt;
                verified_.reset();
                startJob(
                    "console.job.verify",
                    [=](Progress&) { return verifyJob(file, pkg, head, receipt); }, false);
            },
        },
        in);
}

void Console::finish(JobResult r) {
    std::visit(Overload{
                   [&](JobFailed& f) { fail(f.error); },
                   [&](StoreOpened& o) {
                       poller_.reset();
                       server_.reset(); // the service served the store that was open
                       live_ = LiveSnapshot{};
                       auto s = std::make_shared<StoreOpened>(std::move(o));
                       store_ = s;
                       results_.reset();
                       unit_ = subject_ = 0;
                       rows_.clear();
                       row_batch_.clear();
                       batches_ = 0;
                       import_counts_.reset();
                       last_count_.reset();
                       verified_.reset();
                       if (s->results)
                           results_ = buildResultsView(*s->results, s->comments,
                                                       &s->package->body.campaign, lang_);
                       buffers_.store_dir = s->dir.string();
                       buffers_.export_dir = (s->dir / "reports").string();
                       buffers_.results_file = (s->dir / "reports" / "results.json").string();
                       ranges_ = ui::glyphRanges(s->package->body.campaign, opt_.fonts.all_hanzi);
                       fonts_dirty_ = true;
                       poller_ = std::make_unique<Poller>(s->dir, opt_.live_interval, wake_);
                       say(s->created ? "console.store.created" : "console.store.opened",
                           {s->package->body.campaign.name, s->dir.string()});
                       tab_ = Tab::Import;
                   },
                   [&](ImportDone& d) {
                       import_counts_ = d.counts;
                       import_cancelled_ = d.cancelled;
                       std::size_t added = 0, refused = 0;
                       for (auto& row : d.rows) {
                           added += row.added;
                           refused += row.refused || !row.rejected.empty() ? 1 : 0;
                       }
                       say("console.import.done", {std::to_string(d.rows.size()),
                                                   std::to_string(added), std::to_string(refused)});
                       // Newest first: the last import's files at the top.
                       ++batches_;
                       std::vector<std::size_t> batch(d.rows.size(), batches_);
                       batch.insert(batch.end(), row_batch_.begin(), row_batch_.end());
                       row_batch_ = std::move(batch);
                       d.rows.insert(d.rows.end(), rows_.begin(), rows_.end());
                       rows_ = std::move(d.rows);
                       if (poller_) poller_->refreshNow();
                   },
                   [&](CountDone& c) {
                       results_ = buildResultsView(c.results, std::move(c.comments),
                                                   &store_->package->body.campaign, lang_);
                       unit_ = subject_ = 0;
                       // A reading taken before the count saved would call it stale: read anew.
                       live_.freshness.reset();
                       if (poller_) poller_->refreshNow();
                       char secs[32];
                       std::snprintf(secs, sizeof secs, "%.1f", c.seconds);
                       const Accounting& a = c.results.accounting;
                       last_count_ = Said{"console.count.done",
                                          {std::to_string(a.counted), std::to_string(a.invalid),
                                           secs, (store_->dir / "reports").string()},
                                          std::nullopt};
                       say(last_count_->id, last_count_->args);
                   },
                   [&](ExportDone& e) {
                       std::string files;
                       for (auto& f : e.files)
                           files += (files.empty() ? "" : tr(lang_, "report.list_sep")) + f;
                       say("console.publish.exported", {files, e.dir.string()});
                   },
                   [&](SignDone& s) {
                       say("results.signed", {s.unit, s.label, s.fingerprint});
                   },
                   [&](VerifyDone& v) {
                       verified_ = std::move(v.outcome);
                       say(verified_->ok ? "console.publish.all_ok" : "console.publish.not_ok");
                       if (!verified_->ok)
                           said_.error = Error::make(ErrorKind::Forged, "console.publish.not_ok");
                   },
                   [&](ServerStarted& s) {
                       server_ = std::move(s.server);
                       server_address_ = s.address;
                       say("console.live.server_started", {s.address, std::to_string(s.port)});
                       if (poller_) poller_->refreshNow();
                   },
                   [&](ServerStopped& s) {
                       say("server.stopped", {std::to_string(s.requests), std::to_string(s.added)});
                   },
                   [&](ResolveDone& d) {
                       wipe(buffers_.reason);
                       buffers_.reason.clear();
                       say(d.counted ? "conflict.resolved_count" : "conflict.resolved_neither",
                           {std::to_string(d.number), d.counted.value_or(""), d.reason});
                       if (poller_) poller_->refreshNow();
                   },
               },
               r);
}

bool Console::update() {
    bool changed = false;
    if (auto r = worker_.take()) {
        finish(std::move(*r));
        changed = true;
    }
    if (poller_ && poller_->generation() != live_.generation) {
        live_ = poller_->snapshot();
        changed = true;
    }
    if (worker_.busy() && worker_.progress().done != drawn_done_) changed = true;
    return changed;
}

void Console::waitForJob() {
    worker_.wait();
    update();
}

} // namespace pingyi::console
