// The console's real screens, drawn headless (an ImGui context with no window and no renderer)
// and driven by simulated clicks and typing, against real tablet and collector stores: bundle
// files exported by real tablets are dropped on the console, imported on its worker thread,
// and counted with the collector key unlocked by a typed passphrase.
#include "app/console/console.hpp"
#include "app/console/driver.hpp"
#include "core/token.hpp"
#include "platform/publish.hpp"
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"
#include "sync/bundle.hpp"
#include "sync/client.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <thread>

using namespace pingyi;
using namespace pingyi::console;
using namespace pingyi::test;

namespace {

constexpr const char* kPass = "console-test-passphrase";

// A real tablet store enrolled by the fixture's organiser.
struct Tablet {
    const Fixture& fx;
    fs::path dir;
    SignKeyPair device = signKeyPair();
    std::optional<TabletStore> store;
    std::vector<std::string> codes;
    Tablet(const Fixture& f, const fs::path& folder, const std::string& label)
        : fx(f), dir(folder) {
        Bytes cert = encodeCertificate(fx.package.digest, device.pk, label, fx.keys.organiser.sk);
        auto s = TabletStore::create(dir, fx.package, cert, device, "246813", KdfCost::testOnly());
        REQUIRE(s.ok());
        store.emplace(std::move(*s));
        // Every meeting closed: each export or sync sends all the tablet holds.
        REQUIRE(store->closeMeetings(allMeetings(fx.campaign)).ok());
    }
    std::string cast(const std::string& meeting, const std::string& category, std::size_t nth,
                     std::optional<std::string> level, const std::string& comment = "") {
        std::string unit = meeting.substr(0, meeting.find('/'));
        Answers a = uniformAnswers(fx.campaign, unit, level);
        if (!comment.empty())
            a.comments[fx.campaign.subjects[fx.campaign.subjectsOf(unit)[0]].id] = comment;
        auto r = store->cast(fx.token(meeting, category, nth), a, device.sk);
        REQUIRE(r.ok());
        codes.push_back(r->code);
        return r->code;
    }
    fs::path bundle(const fs::path& out) {
        REQUIRE(exportBundle(*store, device.sk, out).ok());
        return out;
    }
};

// Files an office would have: the package, the collector's keys, a unit head's keys.
struct Office {
    Fixture fx{6};
    TempDir tmp;
    fs::path package, collector_pub, collector_key, head_pub, head_key;
    SecretKeys head = newKeys(KeyRole::UnitHead, "局长");
    Office() {
        package = tmp.path / "package.pyp";
        REQUIRE(writeFileAtomic(package, fx.package.bytes).ok());
        SecretKeys col;
        col.pub.role = KeyRole::Collector;
        col.pub.label = "汇总机";
        col.pub.sign = fx.keys.collector_sign.pk;
        col.pub.box = fx.keys.collector_box.pk;
        col.sign_sk = fx.keys.collector_sign.sk;
        col.box.pk = fx.keys.collector_box.pk;
        col.box.sk = fx.keys.collector_box.sk;
        collector_pub = tmp.path / "collector.pub";
        collector_key = tmp.path / "collector.key";
        REQUIRE(writeFileAtomic(collector_pub, encodePublicKeyFile(col.pub)).ok());
        REQUIRE(writeFileAtomic(collector_key, encodeSecretKeyFile(col, kPass)).ok());
        head_pub = tmp.path / "head.pub";
        head_key = tmp.path / "head.key";
        REQUIRE(writeFileAtomic(head_pub, encodePublicKeyFile(head.pub)).ok());
        REQUIRE(writeFileAtomic(head_key, encodeSecretKeyFile(head, kPass)).ok());
    }
};

struct Headless {
    ImGuiContext* ctx = nullptr;
    std::optional<Console> console;
    Driver driver;
    explicit Headless(ImVec2 size = ImVec2(1280, 800)) {
        ctx = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = size;
        io.ConfigFlags |= ImGuiConfigFlags_NavEnableKeyboard;
        mapKeysForTests();
        ConsoleOptions opt;
        opt.fonts.all_hanzi = false; // the atlas of every hanzi is the kiosk test's business
        opt.fonts.text_percent = 60;
        opt.live_interval = std::chrono::milliseconds(50);
        console.emplace(opt, [] {});
        console->buildFonts();
        frame();
    }
    ~Headless() {
        console.reset();
        ImGui::DestroyContext(ctx);
    }
    void frame() { headlessFrame(*console, driver); }
    void settle() { headlessSettle(*console, driver); }
    void click(const std::string& key) {
        INFO("click " << key);
        REQUIRE(driver.click(key));
        settle();
    }
    void type(const std::string& field, const std::string& text) {
        click("field." + field);
        driver.type(text);
        settle();
    }
    // Lets the worker finish, then draws the outcome.
    void idle() {
        for (int i = 0; i < 1000 && console->busy(); ++i) {
            console->waitForJob();
            settle();
        }
        REQUIRE(!console->busy());
        settle();
    }
    // Waits for a live reading taken after now.
    void fresh() {
        REQUIRE(console->poller());
        auto g = console->poller()->generation();
        console->poller()->refreshNow();
        for (int i = 0; i < 400 && console->poller()->generation() <= g + 1; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        settle();
    }
    // Rows of the ranking as drawn, top to bottom (subject ids).
    std::vector<std::string> drawnRanking() {
        std::vector<std::pair<float, std::string>> rows;
        for (auto& t : ui::targets())
            if (t.key.rfind("subject.", 0) == 0) rows.push_back({t.min.y, t.key.substr(8)});
        std::sort(rows.begin(), rows.end());
        std::vector<std::string> out;
        for (auto& r : rows)
            out.push_back(r.second);
        return out;
    }
};

// Creates a store through the Store screen.
void createStore(Headless& h, const Office& o, const fs::path& dir) {
    h.type("new_dir", dir.string());
    h.type("package", o.package.string());
    h.type("collector_pub", o.collector_pub.string());
    h.click("create");
    h.idle();
    REQUIRE_MESSAGE(h.console->storeOpen(), h.console->statusText());
}

} // namespace

TEST_CASE("Bundles dropped on the console are imported off the UI thread and reported per "
          "bundle, on screen and in the store") {
    Office o;
    Tablet t1(o.fx, o.tmp.path / "t1", "平板 01"), t2(o.fx, o.tmp.path / "t2", "平板 02");
    t1.cast("U1/social", "service", 0, "A");
    t1.cast("U1/social", "service", 1, "B");
    t2.cast("U2/social", "npc", 0, "A");
    fs::path b1 = t1.bundle(o.tmp.path / "usb" / "t1.pyb");
    fs::path b2 = t2.bundle(o.tmp.path / "usb" / "t2.pyb");
    fs::path junk = o.tmp.path / "usb" / "junk.pyb";
    REQUIRE(writeFileAtomic(junk, std::string("not a bundle")).ok());

    Headless h;
    CHECK(h.console->tab() == Tab::Store);
    CHECK(!targetCentre("tab.import")); // nothing to import into yet
    createStore(h, o, o.tmp.path / "collector");
    CHECK(h.console->tab() == Tab::Import);
    CHECK(fs::exists(o.tmp.path / "collector" / "collector.db"));

    h.console->dropFiles({b1.string(), b2.string(), junk.string()});
    CHECK(h.console->busy());
    h.idle();
    auto& rows = h.console->importRows();
    REQUIRE(rows.size() == 3);
    CHECK(rows[0].added == 2);
    CHECK(rows[0].device == "平板 01");
    CHECK(rows[1].added == 1);
    CHECK(!rows[0].refused);
    REQUIRE(rows[2].refused);
    for (int i = 0; i < 3; ++i)
        CHECK(targetCentre("import.row." + std::to_string(i)));
    CHECK(h.console->statusText().find("3") != std::string::npos);

    // The same bundle again, from a folder: all already held, nothing new.
    h.type("folder", (o.tmp.path / "usb").string());
    h.click("scan");
    CHECK(targetCentre("check.file.0"));
    h.click("check.file.0"); // only t1.pyb stays ticked (sorted: junk, t1, t2)
    h.click("check.file.2");
    h.click("import_selected");
    h.idle();
    REQUIRE(h.console->importRows().size() == 4);
    CHECK(h.console->importRows()[0].file == b1.string());
    CHECK(h.console->importRows()[0].already == 2);
    CHECK(h.console->importRows()[0].added == 0);

    auto store = CollectorStore::open(o.tmp.path / "collector");
    REQUIRE(store.ok());
    CHECK(store->counts()->envelopes == 3);
    CHECK(store->counts()->devices == 2);

    // The live view reads the store on its own thread.
    h.click("tab.live");
    h.fresh();
    CHECK(h.console->live().counts.envelopes == 3);
    REQUIRE(h.console->live().devices.size() == 2);
    bool found = false;
    for (auto& m : h.console->live().meetings)
        if (m.meeting.id() == "U1/social") {
            found = true;
            CHECK(m.total == 2);
            CHECK(m.categories.at("service") == 2);
            CHECK(!m.min_pass); // the seed asks for at least 30 social ballots
        }
    CHECK(found);
}

TEST_CASE("A token used on two tablets is shown live and resolved with a logged reason") {
    Office o;
    Tablet t1(o.fx, o.tmp.path / "t1", "平板 01"), t2(o.fx, o.tmp.path / "t2", "平板 02");
    std::string first = t1.cast("U1/social", "service", 0, "A");
    t2.cast("U1/social", "service", 0, "C"); // the same token, offline
    Headless h;
    createStore(h, o, o.tmp.path / "collector");
    h.console->dropFiles(
        {t1.bundle(o.tmp.path / "a.pyb").string(), t2.bundle(o.tmp.path / "b.pyb").string()});
    h.idle();
    h.click("tab.live");
    h.fresh();
    REQUIRE(h.console->live().conflicts.size() == 1);
    CHECK(!h.console->live().conflicts[0].decided);
    // Without a reason the decision buttons are not offered.
    CHECK(!targetCentre("resolve.0.0"));
    h.type("reason", "核实：先在平板01投票");
    auto& receipts = h.console->live().conflicts[0].receipts;
    std::size_t k = receipts[0] == first ? 0 : 1;
    h.click("resolve.0." + std::to_string(k));
    h.idle();
    h.fresh();
    REQUIRE(h.console->live().conflicts.size() == 1);
    CHECK(h.console->live().conflicts[0].decided);
    CHECK(h.console->live().conflicts[0].counted == first);
    CHECK(h.console->live().conflicts[0].reason == "核实：先在平板01投票");
    auto store = CollectorStore::open(o.tmp.path / "collector");
    REQUIRE(store.ok());
    auto conf = store->conflicts();
    REQUIRE(conf.ok());
    REQUIRE(conf->size() == 1);
    CHECK((*conf)[0].decision.has_value());
}

TEST_CASE("The count through the real screens: passphrase typed and wiped, progress, a sortable "
          "ranking, item charts, comments, then export, the unit head's signature and verify") {
    Office o;
    Tablet t1(o.fx, o.tmp.path / "t1", "平板 01");
    // U1: every social category, so that every subject gets a score; subjects rated apart.
    for (std::size_t n = 0; n < 6; ++n)
        t1.cast("U1/social", "service", n, n < 4 ? "A" : "D", n == 0 ? "窗口服务热情" : "");
    for (std::size_t n = 0; n < 3; ++n)
        t1.cast("U1/self", "cadre", n, "B");
    fs::path bundle = t1.bundle(o.tmp.path / "t1.pyb");

    Headless h;
    createStore(h, o, o.tmp.path / "collector");
    h.console->dropFiles({bundle.string()});
    h.idle();
    h.click("tab.count");
    CHECK(!targetCentre("count")); // no key and no passphrase yet
    h.type("collector_key", o.collector_key.string());

    SUBCASE("a wrong passphrase is named and nothing is counted") {
        h.type("count_pass", "wrong");
        h.click("count");
        h.idle();
        CHECK(h.console->statusIsError());
        CHECK(h.console->statusText().find("collector.key") != std::string::npos);
        CHECK(h.console->statusText().find("口令错误") != std::string::npos);
        CHECK(!h.console->results());
        CHECK(h.console->buffers().count_pass.empty());
    }

    SUBCASE("the right one counts") {
        h.type("count_pass", kPass);
        CHECK(h.console->buffers().count_pass == kPass);
        h.click("count");
        CHECK(h.console->buffers().count_pass.empty()); // wiped as the job starts
        h.idle();
        REQUIRE_MESSAGE(h.console->results(), h.console->statusText());
        const ResultsView& r = *h.console->results();
        auto acc = std::find_if(r.accounting.begin(), r.accounting.end(),
                                [](auto& p) { return p.first == "report.acc.counted"; });
        REQUIRE(acc != r.accounting.end());
        CHECK(acc->second == 9);
        CHECK(r.receipts == 9);
        auto saved = CollectorStore::open(o.tmp.path / "collector");
        REQUIRE(saved.ok());
        auto stored = storedResults(*saved);
        REQUIRE(stored.ok());
        CHECK(stored->accounting.counted == 9);
        CHECK(fs::exists(o.tmp.path / "collector" / "reports" / "results.json"));

        h.click("show_results");
        REQUIRE(h.console->tab() == Tab::Results);
        const UnitView& u = r.units[0];
        REQUIRE(u.id == "U1");
        // Drawn in rank order first.
        auto drawn = h.drawnRanking();
        REQUIRE(drawn.size() == u.subjects.size());
        CHECK(drawn.front() == u.subjects.front().id);
        // Sorted by the final score, ascending, then descending, by clicking its header.
        h.click("sort.5");
        auto asc = h.drawnRanking();
        h.click("sort.5");
        auto desc = h.drawnRanking();
        std::reverse(desc.begin(), desc.end());
        std::vector<std::string> by_final;
        std::vector<std::size_t> idx(u.subjects.size());
        for (std::size_t i = 0; i < idx.size(); ++i)
            idx[i] = i;
        std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
            return u.subjects[a].final_v.value_or(-1) < u.subjects[b].final_v.value_or(-1);
        });
        for (auto i : idx)
            by_final.push_back(u.subjects[i].id);
        CHECK(asc == by_final);
        CHECK(desc.front() == asc.back());
        // Each subject's item chart; the comment typed on the tablet is shown for its subject.
        h.click("subject." + u.subjects[1].id);
        CHECK(h.console->selectedSubject() == 1);
        REQUIRE(!u.subjects[0].items.empty());
        CHECK(u.subjects[0].items[0].groups.size() == 2);
        std::uint64_t answers = 0;
        for (auto& g : u.subjects[0].items[0].groups)
            for (auto n : g.levels)
                answers += n;
        CHECK(answers == 9);
        REQUIRE(r.comments.size() == 1);
        CHECK(r.comments[0].text == "窗口服务热情");

        // Export, sign U1 with the unit head's key, verify.
        h.click("tab.publish");
        fs::path out = o.tmp.path / "out";
        h.console->buffers().export_dir.clear();
        h.type("export_dir", out.string());
        h.click("check.xlsx"); // not this time
        h.click("export");
        h.idle();
        CHECK(fs::exists(out / "results.csv"));
        CHECK(fs::exists(out / "results.html"));
        CHECK(fs::exists(out / "receipts.txt"));
        CHECK(!fs::exists(out / "results.xlsx"));
        h.console->buffers().results_file.clear();
        h.type("results_file", (out / "results.json").string());
        h.type("head_key", o.head_key.string());
        h.type("head_pass", kPass);
        h.click("sign_unit.U1");
        // Six social ballots against a minimum of 30: the ranking says why it breaks the rules,
        // and the unit head signs only after ticking that they know.
        REQUIRE(!u.problems.empty());
        CHECK(u.problems[0] == "测评票构成不符合要求：社会测评 6 张，少于 30 张");
        CHECK(!targetCentre("sign"));
        h.click("check.sign_confirm");
        CHECK(targetCentre("sign"));
        h.click("sign");
        h.idle();
        CHECK_MESSAGE(!h.console->statusIsError(), h.console->statusText());
        CHECK(h.console->buffers().head_pass.empty());
        CHECK_FALSE(h.console->buffers().sign_confirm); // each signature is confirmed anew
        auto signed_doc = readResultsFile(out / "results.json");
        REQUIRE(signed_doc.ok());
        auto sigs = verifyResults(*signed_doc);
        REQUIRE(sigs.size() == 2);
        CHECK(sigs[1].valid);
        CHECK(sigs[1].confirmed_noncompliant);

        h.type("verify_package", o.package.string());
        h.type("verify_head", o.head_pub.string());
        h.type("verify_receipt", t1.codes[3]);
        h.click("verify");
        h.idle();
        REQUIRE(h.console->verified());
        CHECK(h.console->verified()->ok);
        CHECK(h.console->verified()->receipt_counted);

        // A changed score no longer verifies.
        signed_doc->units[0].subjects[0].final = 9999;
        REQUIRE(writeFileAtomic(out / "results.json", resultsFileText(*signed_doc)).ok());
        h.click("verify");
        h.idle();
        REQUIRE(h.console->verified());
        CHECK(!h.console->verified()->ok);
        CHECK(h.console->statusIsError());

        // English on request; the screens keep working.
        h.click("lang.en");
        CHECK(h.console->lang() == Lang::En);
        h.click("tab.results");
        CHECK(targetCentre("subject." + u.subjects[0].id));
    }
}

TEST_CASE("Opening a folder without a store names it, and the console stays usable") {
    TempDir tmp;
    Headless h;
    h.type("store_dir", (tmp.path / "nothing").string());
    h.click("open");
    h.idle();
    CHECK(!h.console->storeOpen());
    CHECK(h.console->statusIsError());
    CHECK(h.console->statusText().find("nothing") != std::string::npos);
    CHECK(targetCentre("open"));
}

TEST_CASE("The sync service started from the live view takes a tablet's envelopes over loopback "
          "HTTP, and the live view shows them") {
    Office o;
    Tablet t1(o.fx, o.tmp.path / "t1", "平板 01");
    t1.cast("U1/social", "service", 0, "A");
    t1.cast("U1/social", "npc", 0, "B");
    Headless h;
    createStore(h, o, o.tmp.path / "collector");
    h.click("tab.live");
    h.console->buffers().listen = "127.0.0.1:0"; // any free port
    h.type("serve_key", o.collector_key.string());
    CHECK(!targetCentre("start_server")); // no passphrase yet
    h.type("serve_pass", "wrong");
    h.click("start_server");
    h.idle();
    CHECK(h.console->statusIsError());
    CHECK(h.console->buffers().serve_pass.empty());
    h.type("serve_pass", kPass);
    h.click("start_server");
    h.idle();
    REQUIRE_MESSAGE(targetCentre("stop_server"), h.console->statusText());
    // The port the service took is in the status line: http://127.0.0.1:PORT/
    std::string status = h.console->statusText();
    auto at = status.find("http://");
    REQUIRE(at != std::string::npos);
    std::string url = status.substr(at, status.find('/', at + 7) - at);
    auto report = syncTablet(*t1.store, t1.device.sk, url);
    REQUIRE_MESSAGE(report.ok(), describe(report.error(), Lang::En));
    CHECK(report->acknowledged == 2);
    h.fresh();
    CHECK(h.console->live().counts.envelopes == 2);
    REQUIRE(h.console->live().devices.size() == 1);
    CHECK(h.console->live().devices[0].label == "平板 01");
    h.click("stop_server");
    h.idle();
    CHECK(targetCentre("start_server") == std::nullopt); // the passphrase was wiped again
    CHECK(targetCentre("field.serve_pass"));
    CHECK(h.console->statusText().find("2") != std::string::npos);
}
