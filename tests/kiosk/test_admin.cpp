// The administrator screen's USB folder and LAN sync, driven through the real screens (headless
// ImGui frames) against a real tablet store and, for sync, the real collector server on
// loopback.
#include "app/kiosk/driver.hpp"
#include "app/kiosk/kiosk.hpp"
#include "platform/collector_store.hpp"
#include "support/builders.hpp"
#include "sync/server.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <filesystem>
#include <thread>

using namespace pingyi;
using namespace pingyi::kiosk;
using namespace pingyi::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPin = "246813";

// A kiosk on the administrator screen, over a tablet with `cast` ballots.
struct Admin {
    Fixture fx;
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    std::optional<TabletStore> store;
    ImGuiContext* ctx = nullptr;
    std::optional<Kiosk> kiosk;
    Driver driver;
    Millis now{10'000};
    std::atomic<int> wakes{0}; // the worker's calls to wake the app loop

    explicit Admin(std::size_t cast = 0) {
        Bytes cert =
            encodeCertificate(fx.package.digest, device.pk, "平板 02", fx.keys.organiser.sk);
        auto s = TabletStore::create(tmp.path / "t", fx.package, cert, device, kPin,
                                     KdfCost::testOnly());
        REQUIRE(s.ok());
        store.emplace(std::move(*s));
        Secret sk(device.sk);
        for (std::size_t i = 0; i < cast; ++i) {
            auto& [place, token] = fx.tokens[i];
            auto r = store->cast(token, uniformAnswers(fx.campaign, place.meeting.unit, "B"), sk);
            REQUIRE(r.ok());
        }
        ctx = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1280, 800);
        KioskOptions opt;
        opt.fonts.all_hanzi = false;
        opt.pin = kPin;
        opt.wake = [this] { ++wakes; };
        kiosk.emplace(*store, opt, now);
        kiosk->buildFonts();
        frame();
        tap("admin");
        for (char d : std::string(kPin))
            tap(std::string("pin.") + d);
        tap("pin.ok");
        REQUIRE(kiosk->flow().screen() == Screen::Admin);
    }
    ~Admin() {
        kiosk.reset();
        ImGui::DestroyContext(ctx);
    }
    void frame() { headlessFrame(*kiosk, driver, now); }
    void settle() { headlessSettle(*kiosk, driver, now); }
    void tap(const std::string& key) {
        INFO("tap " << key);
        REQUIRE(driver.tap(key));
        now += 300ms;
        settle();
    }
    // Taps a text field and types `text` over what it holds, then taps outside the field.
    void typeInto(const std::string& field, const std::string& text) {
        tap("field." + field);
        driver.typeOver(text);
        settle();
        driver.tapAt(ImVec2(10, 10));
        settle();
    }
    // Frames until the sync started on the screen is done (the UI keeps drawing meanwhile).
    int waitSync() {
        int frames = 0;
        for (int i = 0; i < 3000 && kiosk->syncRunning(); ++i) {
            frame();
            ++frames;
            std::this_thread::sleep_for(5ms);
        }
        frame();
        return frames;
    }
};

struct Collector {
    TempDir tmp;
    std::unique_ptr<SyncServer> server;
    // A collector for `fx`'s campaign, or for another campaign's package when `other` is set.
    explicit Collector(Fixture& fx, const Package* other = nullptr) {
        PublicKeys pub;
        pub.role = KeyRole::Collector;
        pub.sign = fx.keys.collector_sign.pk;
        pub.box = fx.keys.collector_box.pk;
        REQUIRE(CollectorStore::create(tmp.path / "col", other ? *other : fx.package, pub).ok());
        auto s = SyncServer::start(tmp.path / "col", fx.keys.collector_sign.pk,
                                   fx.keys.collector_sign.sk, "127.0.0.1", 0);
        REQUIRE(s.ok());
        server = std::move(*s);
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(server->port()); }
    std::int64_t held() {
        auto s = CollectorStore::open(tmp.path / "col");
        REQUIRE(s.ok());
        return s->counts()->envelopes;
    }
};

// The seed campaign under another name, signed by the same organiser.
Package otherCampaign(const Fixture& fx) {
    PackageBody body = fx.package.body;
    body.campaign.name += "（复评）";
    auto p = decodePackage(encodePackage(body, fx.keys.organiser.sk));
    REQUIRE(p.ok());
    return std::move(*p);
}

} // namespace

TEST_CASE("Sync on the administrator screen pushes every ballot to the real collector, a "
          "meeting's last few once it is closed") {
    Admin a(7); // seven of one meeting
    // And one of another meeting, which waits for four more of its own.
    REQUIRE(a.store
                ->cast(a.fx.token("U2/social", "npc"), uniformAnswers(a.fx.campaign, "U2", "B"),
                       Secret(a.device.sk))
                .ok());
    Collector col(a.fx);
    REQUIRE(a.store->counts()->acknowledged == 0);
    a.tap("tab.transfer");
    a.typeInto("sync_url", col.url());
    a.tap("sync");
    // While the worker runs, the screen keeps drawing and offers no second sync.
    if (a.kiosk->syncRunning()) CHECK(!targetCentre("sync"));
    int frames = a.waitSync();
    MESSAGE("frames drawn while syncing: " << frames);
    // The worker woke the app loop for the progress and for the end (main.cpp pushes an SDL
    // event each time).
    CHECK(a.wakes.load() >= 2);
    REQUIRE(!a.kiosk->syncRunning());
    INFO(a.kiosk->adminStatus());
    CHECK(!a.kiosk->adminStatusError());
    // U2/social's one ballot waits for four more of its meeting, and the screen says why.
    CHECK(a.kiosk->adminStatus() == tr(Lang::Zh, "sync.done", {"7", "0", "1"}) + "\n" +
                                        tr(Lang::Zh, "release.waiting", {"1", "5"}));
    auto n = a.store->counts();
    CHECK(n->acknowledged == 7);
    CHECK(n->cast == 8);
    CHECK(col.held() == 7);
    // The address is remembered, and the sync button is back.
    CHECK(a.store->setting(kSettingSyncUrl)->value_or("") == col.url());
    CHECK(targetCentre("sync"));

    // The meeting is over on this tablet: closing it lets its last ballot go.
    a.tap("tab.tablet");
    a.tap("meeting.U2/social");
    a.tap("tab.transfer");
    a.tap("sync");
    a.waitSync();
    CHECK(a.kiosk->adminStatus() == tr(Lang::Zh, "sync.done", {"1", "0", "0"}));
    CHECK(a.store->counts()->acknowledged == 8);
    CHECK(col.held() == 8);

    // Again: nothing left to push, nothing new at the collector.
    a.tap("sync");
    a.waitSync();
    CHECK(a.kiosk->adminStatus() == tr(Lang::Zh, "sync.done", {"0", "0", "0"}));
    CHECK(col.held() == 8);
}

TEST_CASE("Sync to another campaign's collector or to no collector says why, in Chinese") {
    Admin a(3);
    Package other = otherCampaign(a.fx);
    Collector wrong(a.fx, &other);
    a.tap("tab.transfer");
    a.typeInto("sync_url", wrong.url());
    a.tap("sync");
    a.waitSync();
    CHECK(a.kiosk->adminStatusError());
    CHECK(a.kiosk->adminStatus() ==
          tr(Lang::Zh, "kiosk.admin.sync_refused", {tr(Lang::Zh, "bundle.other_campaign")}));
    CHECK(a.store->counts()->acknowledged == 0);
    CHECK(wrong.held() == 0);

    // Nobody listens on this port (the server is stopped): unreachable, try again later.
    std::string gone = wrong.url();
    wrong.server->stop();
    a.tap("sync");
    a.waitSync();
    CHECK(a.kiosk->adminStatusError());
    const std::string prefix = tr(Lang::Zh, "kiosk.admin.sync_unreachable", {""});
    CHECK(a.kiosk->adminStatus().rfind(prefix, 0) == 0);
    CHECK(a.kiosk->adminStatus().find(gone) != std::string::npos);
    CHECK(a.store->counts()->acknowledged == 0);

    // An empty address is refused before anything starts.
    a.typeInto("sync_url", " ");
    a.tap("sync");
    CHECK(!a.kiosk->syncRunning());
    CHECK(a.kiosk->adminStatus() == tr(Lang::Zh, "kiosk.admin.sync_no_url"));
}

TEST_CASE("The USB folder lists packages and additions; a bad file names itself, changes "
          "nothing") {
    Admin a;
    std::filesystem::path usb = a.tmp.path / "usb";
    a.tap("tab.usb");
    a.typeInto("usb", usb.string());
    CHECK(a.kiosk->usbFiles().empty());
    CHECK(a.kiosk->adminStatus().empty());

    std::filesystem::create_directories(usb);
    Token late = newToken();
    std::vector<TokenSet> sets{{"U1/social", "npc", {tokenTag(a.fx.campaign.id, late)}}};
    Bytes add = encodeAdditions(a.fx.package.digest, 1, sets, a.fx.keys.organiser.sk);
    Bytes forged = add;
    forged[forged.size() - 3] ^= 1;
    REQUIRE(writeFileAtomic(usb / "0001.pya", ByteView(add.data(), add.size())).ok());
    REQUIRE(writeFileAtomic(usb / "0002.pya", ByteView(forged.data(), forged.size())).ok());
    REQUIRE(writeFileAtomic(usb / "campaign.pyp",
                            ByteView(a.fx.package.bytes.data(), a.fx.package.bytes.size()))
                .ok());
    Package other = otherCampaign(a.fx);
    REQUIRE(
        writeFileAtomic(usb / "other.pyp", ByteView(other.bytes.data(), other.bytes.size())).ok());
    REQUIRE(writeFileAtomic(usb / "notes.txt", std::string_view("not listed")).ok());
    // The list is read again when the path changes.
    a.typeInto("usb", (usb / "").string());
    CHECK(a.kiosk->usbFiles() ==
          std::vector<std::string>{"0001.pya", "0002.pya", "campaign.pyp", "other.pyp"});
    const std::size_t known = a.store->counts()->tokens_known;

    // A forged addition: the error names the file, the tablet still does not know the token.
    a.tap("load.0002.pya");
    INFO(a.kiosk->adminStatus());
    CHECK(a.kiosk->adminStatusError());
    const std::string pattern = tr(Lang::Zh, "kiosk.admin.file_error", {"0002.pya", "|"});
    const std::string head = pattern.substr(0, pattern.find('|'));
    const std::string tail = pattern.substr(pattern.find('|') + 1);
    const std::string& said = a.kiosk->adminStatus();
    CHECK(said.rfind(head, 0) == 0);
    CHECK(said.size() > head.size() + tail.size());
    CHECK(said.compare(said.size() - tail.size(), tail.size(), tail) == 0);
    CHECK(a.store->counts()->tokens_known == known);
    CHECK(!a.store->checkToken(late).ok());

    // The good one: the late token is known now.
    a.tap("load.0001.pya");
    CHECK(!a.kiosk->adminStatusError());
    CHECK(a.kiosk->adminStatus() ==
          tr(Lang::Zh, "kiosk.admin.tokens_loaded", {"0001.pya", std::to_string(known + 1)}));
    CHECK(a.store->checkToken(late).ok());

    // This tablet's own package verifies; another campaign's is refused, naming both.
    a.tap("load.campaign.pyp");
    CHECK(!a.kiosk->adminStatusError());
    CHECK(a.kiosk->adminStatus() ==
          tr(Lang::Zh, "kiosk.admin.package_same", {"campaign.pyp", a.fx.campaign.name}));
    a.tap("load.other.pyp");
    CHECK(a.kiosk->adminStatusError());
    CHECK(a.kiosk->adminStatus() ==
          tr(Lang::Zh, "kiosk.admin.file_error",
             {"other.pyp", tr(Lang::Zh, "kiosk.admin.package_other",
                              {other.body.campaign.name, a.fx.campaign.name})}));
    CHECK(a.store->campaign().name == a.fx.campaign.name);
}
