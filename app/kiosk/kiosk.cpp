#include "app/kiosk/kiosk.hpp"

#include "platform/files.hpp"
#include "platform/workspace.hpp"
#include "sync/bundle.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>

namespace pingyi::kiosk {

// The store closes a meeting by the same setting the administrator's switch writes.
static_assert(std::string_view(kSettingOpenMeetings) == std::string_view(kOpenMeetingsSetting));

namespace {
template <class... F> struct Overload : F... { using F::operator()...; };
template <class... F> Overload(F...) -> Overload<F...>;

std::optional<std::string> readSetting(const TabletStore& s, const char* key) {
    auto v = s.setting(key);
    if (!v) return std::nullopt;
    return *v;
}

std::set<std::string> splitList(const std::string& s) {
    std::set<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find(',', start);
        if (end == std::string::npos) end = s.size();
        if (end > start) out.insert(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string joinList(const std::set<std::string>& s) {
    std::string out;
    for (auto& x : s)
        out += (out.empty() ? "" : ",") + x;
    return out;
}

int toInt(const std::optional<std::string>& s, int fallback) {
    if (!s || s->empty()) return fallback;
    try {
        return std::stoi(*s);
    } catch (...) {
        return fallback;
    }
}
} // namespace

Kiosk::Kiosk(TabletStore& store, KioskOptions options, Millis now)
    : store_(store), opt_(std::move(options)) {
    lang_ = langFromName(readSetting(store_, kSettingLanguage).value_or("zh"));
    text_percent_ = std::clamp(toInt(readSetting(store_, kSettingTextSize), 100), 70, 160);
    FlowInit init;
    init.locked = readSetting(store_, kSettingLocked).value_or("0") == "1";
    init.wrong_tokens = toInt(readSetting(store_, kSettingWrongTokens), 0);
    if (auto open = readSetting(store_, kSettingOpenMeetings))
        init.open_meetings = splitList(*open);
    if (auto unshown = store_.lastReceiptUnshown()) init.last_receipt_unshown = *unshown;
    // A counter that cannot be read counts as locked: only central staff's reset clears it.
    auto guard = store_.pinGuard();
    TabletStore::PinGuard g = guard ? *guard : TabletStore::PinGuard{kPinMaxFailures, 0};
    init.pin_failures = g.failures;
    init.pin_wait = Millis(std::max<std::int64_t>(0, g.not_before_ms - wallNow()));
    if (g.locked()) { // no PIN is taken, not even one given at the start
        opt_.device_sk.reset();
        if (opt_.pin) wipe(*opt_.pin);
        opt_.pin.reset();
    }
    if (opt_.device_sk) {
        device_sk_ = std::move(*opt_.device_sk);
        opt_.device_sk.reset();
        init.device_unlocked = true;
    } else if (opt_.pin) {
        auto sk = store_.unlockDeviceKey(*opt_.pin);
        wipe(*opt_.pin);
        opt_.pin.reset();
        if (sk) {
            device_sk_ = std::move(*sk);
            init.device_unlocked = true;
        }
    }
    flow_.emplace(store_.campaign(), std::move(init), opt_.flow, now);
    last_screen_ = flow_->screen();
    ui_ranges_ = ui::glyphRanges(store_.campaign(), false);
    title_ranges_ = ui::titleRanges(store_.campaign());
    admin_buffers_.sync_url = readSetting(store_, kSettingSyncUrl).value_or("");
}

std::int64_t Kiosk::wallNow() const {
    if (opt_.wall_clock) return opt_.wall_clock();
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Kiosk::~Kiosk() {
    if (sync_thread_.joinable()) sync_thread_.join();
}

void Kiosk::buildFonts() {
    ui::FontOptions fo = opt_.fonts;
    fo.text_percent = text_percent_;
    fonts_ = ui::buildFonts(fo, ui_ranges_, {}, &title_ranges_);
    if (inputFontReady()) {
        fonts_.input = input_font_;
        fonts_.glyphs = input_glyphs_;
    }
    ui::applyTouchTheme();
    fonts_dirty_ = false;
}

bool Kiosk::inputFontReady() const {
    return input_font_ && input_px_ == ui::inputFontPx(text_percent_);
}

bool Kiosk::inputFontWanted() const {
    Screen s = flow_->screen();
    return !inputFontReady() && (s == Screen::Comments || s == Screen::Review);
}

void Kiosk::buildInputFont() {
    if (!input_atlas_) input_atlas_ = std::make_unique<ImFontAtlas>();
    if (input_ranges_.empty())
        input_ranges_ = ui::glyphRanges(store_.campaign(), opt_.fonts.all_hanzi);
    ui::FontOptions fo = opt_.fonts;
    fo.text_percent = text_percent_;
    input_font_ = ui::buildInputFont(*input_atlas_, fo, input_ranges_, &input_glyphs_);
    input_px_ = ui::inputFontPx(text_percent_);
    fonts_.input = input_font_;
    fonts_.glyphs = input_glyphs_;
}

std::string Kiosk::meetingName(const MeetingRef& m) const {
    const Campaign& c = store_.campaign();
    const UnitDef* u = c.unit(m.unit);
    const Group* g = c.group(m.group);
    return (u ? u->name : m.unit) + " · " + (g ? pick(lang_, g->name, g->name_en) : m.group);
}

void Kiosk::say(const Error& e) {
    admin_status_ = describe(e, lang_);
    admin_status_error_ = true;
}

void Kiosk::sayOk(const std::string& text) {
    admin_status_ = text;
    admin_status_error_ = false;
}

void Kiosk::syncComments() {
    Screen s = flow_->screen();
    if (s == Screen::Comments && last_screen_ != Screen::Comments) {
        for (auto& b : comment_buffers_)
            wipe(b);
        comment_buffers_.assign(flow_->pages(), std::string());
        for (std::size_t i = 0; i < flow_->pages(); ++i)
            comment_buffers_[i] = flow_->comment(i);
    }
    if (!flow_->inBallot()) {
        for (auto& b : comment_buffers_)
            wipe(b);
        comment_buffers_.clear();
    }
    if (s != Screen::Admin && last_screen_ == Screen::Admin) {
        admin_buffers_.wipePins();
        admin_buffers_.tab = screen::AdminTab::Tablet;
        admin_status_.clear();
    }
    last_screen_ = s;
}

void Kiosk::frame(Millis now) {
    pollSync();
    ui::beginFrame();
    ScreenContext cx;
    cx.lang = lang_;
    cx.fonts = &fonts_;
    cx.size = ImGui::GetIO().DisplaySize;
    const Flow& f = *flow_;
    const Campaign& c = store_.campaign();
    Action action;
    if (f.idleWarning()) {
        action = screen::idleWarning(cx, f.secondsUntilDiscard(now));
    } else {
        switch (f.screen()) {
        case Screen::Pin:
            action =
                screen::pin(cx, {f.pinPurpose(), f.pinLength(), f.message(), f.pinWaitSeconds(now),
                                 f.pinTriesLeft(), f.config().min_pin_length});
            break;
        case Screen::PinLocked:
            action = screen::pinLocked(cx, {f.pinFailures()});
            break;
        case Screen::Welcome: {
            screen::WelcomeView v;
            v.campaign = c.name;
            v.device_label = store_.certificate().label;
            for (auto& m : f.openMeetings())
                v.meetings.push_back(meetingName(m));
            v.last_stored = f.lastReceiptUnshown();
            action = screen::welcome(cx, v);
            break;
        }
        case Screen::Token:
            action = screen::token(cx, {f.typedToken(), f.message()});
            break;
        case Screen::Subject: {
            screen::SubjectView v;
            v.page = f.page();
            v.pages = f.pages();
            v.subject = &f.subjectAt(f.page());
            const UnitDef* u = c.unit(v.subject->unit);
            v.unit = u ? u->name : v.subject->unit;
            v.questionnaire = &f.questionnaireAt(f.page());
            v.scale = &c.scale;
            for (std::size_t i = 0; i < v.questionnaire->items.size(); ++i)
                v.choices.push_back(f.choice(f.page(), i));
            v.message = f.message();
            action = screen::subject(cx, v);
            break;
        }
        case Screen::Comments: {
            screen::CommentsView v;
            for (std::size_t i = 0; i < f.pages(); ++i)
                v.names.push_back(f.subjectAt(i).name + "（" + f.subjectAt(i).position + "）");
            v.buffers = &comment_buffers_;
            v.limit = c.limits.comment_chars;
            v.message = f.message();
            action = screen::comments(cx, v);
            break;
        }
        case Screen::Review: {
            screen::ReviewView v;
            for (std::size_t p = 0; p < f.pages(); ++p) {
                screen::ReviewRow row;
                row.name = f.subjectAt(p).name;
                const Questionnaire& q = f.questionnaireAt(p);
                for (std::size_t i = 0; i < q.items.size(); ++i) {
                    auto ch = f.choice(p, i);
                    std::string level;
                    if (ch && *ch)
                        level =
                            pick(lang_, c.scale.levels[**ch].name, c.scale.levels[**ch].name_en);
                    else if (ch)
                        level = pick(lang_, c.scale.unknown_name, c.scale.unknown_name_en);
                    row.items.emplace_back(pick(lang_, q.items[i].name, q.items[i].name_en), level);
                    row.over_quota.push_back(f.overQuota(p, i));
                }
                row.comment = f.comment(p);
                v.rows.push_back(std::move(row));
            }
            v.message = f.message();
            action = screen::review(cx, v);
            for (auto& r : v.rows)
                wipe(r.comment);
            break;
        }
        case Screen::Receipt: {
            auto left = f.nextDeadline(now).value_or(now) - now;
            action =
                screen::receipt(cx, {f.receiptCode(), static_cast<int>((left.count() + 999) / 1000),
                                     f.receiptAlreadyStored()});
            break;
        }
        case Screen::Locked:
            action = screen::locked(cx);
            break;
        case Screen::Admin: {
            screen::AdminView v;
            v.campaign = c.name;
            v.campaign_id = c.id;
            v.device_label = store_.certificate().label;
            v.fingerprint = fingerprint(store_.device());
            v.organiser = fingerprint(store_.package().body.organiser);
            if (auto n = store_.counts()) {
                v.cast = n->cast;
                v.exported = n->exported;
                v.acknowledged = n->acknowledged;
                v.tokens_known = n->tokens_known;
            }
            for (auto& m : c.meetings())
                v.meetings.push_back({m.id(), meetingName(m), f.meetingOpen(m.id())});
            v.text_percent = text_percent_;
            v.status = admin_status_;
            v.status_error = admin_status_error_;
            v.buffers = &admin_buffers_;
            // Read again on every frame of the USB page (frames come only with input): a stick
            // put in after the page opened shows up with the next touch.
            if (admin_buffers_.usb_path != usb_listed_ ||
                admin_buffers_.tab == screen::AdminTab::Usb)
                listUsb();
            v.usb_files = usb_files_;
            v.usb_missing = usb_missing_;
            if (sync_) {
                std::lock_guard lock(sync_->m);
                v.syncing = true;
                v.sync_acknowledged = sync_->acknowledged;
                v.sync_total = sync_->total;
                v.sync_connected = sync_->progressed;
            }
            action = screen::administrator(cx, v);
            break;
        }
        }
    }
    apply(action, now);
}

void Kiosk::apply(const Action& action, Millis now) {
    std::visit(Overload{
                   [](const std::monostate&) {},
                   [&](const Intent& i) { run(flow_->handle(i, now), now); },
                   [&](const AdminAction& a) { runAdmin(a); },
               },
               action);
    syncComments();
}

bool Kiosk::tick(Millis now) {
    Screen before = flow_->screen();
    bool warned = flow_->idleWarning();
    run(flow_->tick(now), now);
    syncComments();
    return before != flow_->screen() || warned != flow_->idleWarning() || flow_->idleWarning() ||
           flow_->screen() == Screen::Receipt || flow_->screen() == Screen::Pin;
}

void Kiosk::run(Commands commands, Millis now) {
    std::deque<Command> queue(commands.begin(), commands.end());
    bool guard_unsaved = false; // the wrong-PIN counter could not be stored: try no PIN
    while (!queue.empty()) {
        Command cmd = std::move(queue.front());
        queue.pop_front();
        Commands more =
            std::visit(Overload{
                           [&](const command::CheckToken& c) -> Commands {
                               return flow_->tokenChecked(store_.checkToken(c.token), now);
                           },
                           [&](const command::Cast&) -> Commands {
                               auto r = store_.cast(flow_->token(), flow_->answers(), device_sk_);
                               if (!r) return flow_->castDone(r.error(), now);
                               return flow_->castDone(r->code, now);
                           },
                           [&](const command::ReceiptShown&) -> Commands {
                               if (auto st = store_.receiptShown(); !st) say(st.error());
                               return {};
                           },
                           [&](const command::FoldJournal&) -> Commands {
                               if (auto st = store_.foldJournal(); !st) say(st.error());
                               return {};
                           },
                           [&](const command::SavePinGuard& g) -> Commands {
                               // No wait, no time: the store keeps a time only while
                               // a back-off runs, never when a PIN was typed.
                               TabletStore::PinGuard pg{
                                   g.failures, g.wait > Millis(0) ? wallNow() + g.wait.count() : 0};
                               auto st = store_.setPinGuard(pg);
                               guard_unsaved = !st.ok();
                               if (!st) say(st.error());
                               return {};
                           },
                           [&](const command::VerifyPin& v) -> Commands {
                               if (guard_unsaved) {
                                   guard_unsaved = false;
                                   return flow_->pinChecked(
                                       Error::make(ErrorKind::Io, "kiosk.pin.unsaved"), now);
                               }
                               auto sk = store_.unlockDeviceKey(v.pin);
                               if (!sk) return flow_->pinChecked(sk.error(), now);
                               if (v.purpose == PinPurpose::Start) device_sk_ = std::move(*sk);
                               return flow_->pinChecked(Status::success(), now);
                           },
                           [&](const command::SaveSetting& s) -> Commands {
                               if (auto st = store_.setSetting(s.key, s.value); !st)
                                   say(st.error());
                               return {};
                           },
                           [&](const command::Exit&) -> Commands {
                               exit_ = true;
                               return {};
                           },
                       },
                       cmd);
        queue.insert(queue.end(), more.begin(), more.end());
    }
}

void Kiosk::runAdmin(const AdminAction& a) {
    std::visit(
        Overload{
            [&](const admin::ToggleMeeting& t) {
                std::set<std::string> open;
                for (auto& m : flow_->openMeetings())
                    open.insert(m.id());
                if (open.count(t.meeting))
                    open.erase(t.meeting);
                else
                    open.insert(t.meeting);
                if (auto st = store_.setSetting(kSettingOpenMeetings, joinList(open)); !st)
                    return say(st.error());
                flow_->setOpenMeetings(open);
                admin_status_.clear();
            },
            [&](const admin::SetLanguage& l) {
                lang_ = l.lang;
                if (auto st = store_.setSetting(kSettingLanguage, l.lang == Lang::En ? "en" : "zh");
                    !st)
                    return say(st.error());
                admin_status_.clear();
            },
            [&](const admin::SetTextSize& s) {
                if (s.percent == text_percent_) return;
                text_percent_ = std::clamp(s.percent, 70, 160);
                fonts_dirty_ = true;
                if (auto st = store_.setSetting(kSettingTextSize, std::to_string(text_percent_));
                    !st)
                    return say(st.error());
                admin_status_.clear();
            },
            [&](const admin::ExportBundle& e) {
                fs::path out(e.path);
                std::error_code ec;
                if (fs::is_directory(out, ec) || out.extension() != ".pyb") {
                    std::string name = "tablet";
                    for (char ch : fingerprint(store_.device()))
                        if (ch >= '0' && ch <= '9') name.push_back(ch);
                    out /= name.substr(0, 10) + ".pyb";
                }
                if (auto st = ensureDirectory(out.parent_path()); !st) return say(st.error());
                auto r = exportBundle(store_, device_sk_, out);
                if (!r) return say(r.error());
                std::string text =
                    tr(lang_, "bundle.exported",
                       {std::to_string(r->envelopes), out.string(), std::to_string(r->bytes)});
                if (r->waiting > 0)
                    text += "\n" + tr(lang_, "release.waiting",
                                      {std::to_string(r->waiting), std::to_string(kReleaseGroup)});
                sayOk(text);
            },
            [&](const admin::AddTokens& t) {
                fs::path in(t.path);
                std::vector<fs::path> files;
                std::error_code ec;
                if (fs::is_directory(in, ec)) {
                    for (auto& entry : fs::directory_iterator(in, ec))
                        if (entry.path().extension() == ".pya") files.push_back(entry.path());
                    std::sort(files.begin(), files.end());
                    if (files.empty())
                        return say(Error::make(ErrorKind::NotFound, "kiosk.admin.no_additions",
                                               {in.string()}));
                } else {
                    files.push_back(in);
                }
                for (auto& file : files) {
                    auto bytes = readFile(file, 64u << 20);
                    if (!bytes) return say(bytes.error());
                    if (auto st = store_.addTokens(*bytes); !st) {
                        Error e = st.error();
                        return say(e);
                    }
                }
                auto n = store_.counts();
                if (!n) return say(n.error());
                sayOk(tr(lang_, "tablet.tokens_added", {std::to_string(n->tokens_known)}));
            },
            [&](const admin::LoadFile& l) { loadFile(l.path); },
            [&](const admin::Sync& y) { startSync(y.url); },
            [&](const admin::ChangePin& p) {
                if (p.new_pin != p.repeat) {
                    admin_buffers_.wipePins();
                    return say(Error::make(ErrorKind::Invalid, "secret.mismatch"));
                }
                auto st = store_.changePin(p.old_pin, p.new_pin, opt_.pin_cost);
                admin_buffers_.wipePins();
                if (!st) return say(st.error());
                sayOk(tr(lang_, "kiosk.admin.pin_changed"));
            },
        },
        a);
}

void Kiosk::listUsb() {
    usb_listed_ = admin_buffers_.usb_path;
    usb_files_.clear();
    std::error_code ec;
    fs::path dir(usb_listed_);
    usb_missing_ = !fs::is_directory(dir, ec);
    if (usb_missing_) return;
    for (auto it = fs::directory_iterator(dir, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        auto ext = it->path().extension();
        if ((ext == ".pyp" || ext == ".pya") && it->is_regular_file(ec))
            usb_files_.push_back(it->path().filename().string());
    }
    std::sort(usb_files_.begin(), usb_files_.end());
}

void Kiosk::loadFile(const std::string& path) {
    fs::path file(path);
    std::string name = file.filename().string();
    // Every problem names the file; nothing is stored unless the whole file is good (the
    // store checks and adds token additions in one transaction).
    auto fail = [&](const Error& e) {
        say(Error::make(e.kind, "kiosk.admin.file_error", {name, describe(e, lang_)}));
    };
    if (file.extension() == ".pya") {
        auto bytes = readFile(file, 64u << 20);
        if (!bytes) return fail(bytes.error());
        if (auto st = store_.addTokens(*bytes); !st) return fail(st.error());
        auto n = store_.counts();
        if (!n) return say(n.error());
        return sayOk(
            tr(lang_, "kiosk.admin.tokens_loaded", {name, std::to_string(n->tokens_known)}));
    }
    if (file.extension() == ".pyp") {
        // The same check as `pingyi tablet init`: a package signed by this campaign's organiser.
        const Package& mine = store_.package();
        auto pkg = loadPackage(file, &mine.body.organiser);
        if (!pkg) return fail(pkg.error());
        if (pkg->digest == mine.digest)
            return sayOk(tr(lang_, "kiosk.admin.package_same", {name, mine.body.campaign.name}));
        return fail(Error::make(ErrorKind::Conflict, "kiosk.admin.package_other",
                                {pkg->body.campaign.name, mine.body.campaign.name}));
    }
    fail(Error::make(ErrorKind::Invalid, "kiosk.admin.file_kind"));
}

void Kiosk::startSync(const std::string& url_in) {
    if (sync_) return; // one at a time
    std::string url = url_in;
    while (!url.empty() && url.back() == ' ')
        url.pop_back();
    while (!url.empty() && url.front() == ' ')
        url.erase(url.begin());
    if (url.empty()) return say(Error::make(ErrorKind::Invalid, "kiosk.admin.sync_no_url"));
    if (url.find("://") == std::string::npos) url = "http://" + url;
    admin_buffers_.sync_url = url;
    if (auto st = store_.setSetting(kSettingSyncUrl, url); !st) return say(st.error());
    if (sync_thread_.joinable()) sync_thread_.join();
    auto job = std::make_shared<SyncJob>();
    job->url = url;
    sync_ = job;
    admin_status_.clear();
    // The worker opens its own connection to the store (SQLite in WAL mode: the screens keep
    // reading counts and may cast meanwhile) and runs the same syncTablet as `pingyi sync`.
    sync_thread_ = std::thread([job, dir = store_.dir(), sk = device_sk_, wake = opt_.wake] {
        auto finish = [&](std::optional<SyncReport> report, Error error) {
            {
                std::lock_guard lock(job->m);
                job->report = std::move(report);
                job->error = std::move(error);
                job->finished = true;
            }
            if (wake) wake();
        };
        auto store = TabletStore::open(dir);
        if (!store) return finish(std::nullopt, store.error());
        SyncOptions opts;
        opts.progress = [&](std::size_t acknowledged, std::size_t total) {
            {
                std::lock_guard lock(job->m);
                job->acknowledged = acknowledged;
                job->total = total;
                job->progressed = true;
            }
            if (wake) wake();
        };
        auto r = syncTablet(*store, sk, job->url, opts);
        if (!r) return finish(std::nullopt, r.error());
        finish(std::move(*r), Error{});
    });
}

void Kiosk::pollSync() {
    if (!sync_) return;
    std::optional<SyncReport> report;
    Error error;
    {
        std::lock_guard lock(sync_->m);
        if (!sync_->finished) return;
        report = std::move(sync_->report);
        error = std::move(sync_->error);
    }
    sync_thread_.join();
    sync_.reset();
    if (!report) {
        // Busy: nothing is wrong, try again later; refused: someone must fix something.
        const char* id = error.id == "sync.unreachable"  ? "kiosk.admin.sync_unreachable"
                         : error.id == "sync.timed_out"  ? "kiosk.admin.sync_timed_out"
                         : error.kind == ErrorKind::Busy ? "kiosk.admin.sync_busy"
                                                         : "kiosk.admin.sync_refused";
        say(Error::make(error.kind, id, {describe(error, lang_)}));
        return;
    }
    auto n = store_.counts();
    if (!n) return say(n.error());
    std::string text = tr(lang_, "sync.done",
                          {std::to_string(report->acknowledged), std::to_string(report->rejected),
                           std::to_string(n->cast - n->acknowledged)});
    // Why a sync may have sent nothing: too few new ballots of a meeting still open here.
    if (report->waiting > 0)
        text += "\n" + tr(lang_, "release.waiting",
                          {std::to_string(report->waiting), std::to_string(kReleaseGroup)});
    for (auto& [receipt, reason] : report->rejections)
        text += "\n" + tr(lang_, "sync.rejected", {receipt, tr(lang_, reason)});
    if (report->rejected > 0) {
        admin_status_ = text;
        admin_status_error_ = true;
    } else {
        sayOk(text);
    }
}

} // namespace pingyi::kiosk
