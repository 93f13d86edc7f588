// Wrong PINs on the kiosk: the back-off and the lockout as flow transitions (no rendering),
// then through the real kiosk loop against a real tablet store: the counter survives a
// restart, ten wrong PINs lock the tablet, and the organiser's reset opens it again.
#include "app/kiosk/driver.hpp"
#include "app/kiosk/flow.hpp"
#include "app/kiosk/kiosk.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>
#include <imgui_internal.h>

using namespace pingyi;
using namespace pingyi::kiosk;
using namespace pingyi::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPin = "246813";

template <class T> const T* find(const Commands& cs) {
    for (auto& c : cs)
        if (auto* p = std::get_if<T>(&c)) return p;
    return nullptr;
}

// A flow on the start PIN screen; `wrong()` plays one wrong PIN through the store's answer.
struct PinFlow {
    Campaign c = seedCampaign();
    FlowConfig cfg;
    Flow flow;
    Millis now{1000};
    explicit PinFlow(FlowInit init = {}) : flow(c, std::move(init), cfg, Millis{1000}) {}
    Commands submit(const std::string& pin) {
        for (char d : pin)
            flow.handle(intent::PinKey{d}, now);
        return flow.handle(intent::PinSubmit{}, now);
    }
    // Submits a PIN and answers "wrong"; returns what the submit asked for.
    Commands wrong() {
        Commands asked = submit("975318");
        flow.pinChecked(Error::make(ErrorKind::Auth, "tablet.wrong_pin"), now);
        return asked;
    }
};

} // namespace

TEST_CASE("Wrong PINs back off: three free tries, then 5 s, 15 s, 1 min, each counted first") {
    PinFlow f;
    for (int n = 1; n <= 3; ++n) {
        Commands asked = f.wrong();
        auto* g = find<command::SavePinGuard>(asked);
        REQUIRE(g);
        CHECK(g->failures == n);
        CHECK(g->wait == 0ms);
        // The counter is saved before the PIN is checked (a power cut mid-check still counts).
        CHECK(std::holds_alternative<command::SavePinGuard>(asked.front()));
        CHECK(std::holds_alternative<command::VerifyPin>(asked.back()));
        CHECK(f.flow.pinWaitSeconds(f.now) == 0);
        CHECK(f.flow.message().id == "kiosk.pin.wrong_left");
        CHECK(f.flow.pinTriesLeft() == kPinMaxFailures - n);
    }
    for (auto [n, wait] : {std::pair{4, 5s}, std::pair{5, 15s}, std::pair{6, 60s}}) {
        INFO(n);
        Commands asked = f.wrong();
        REQUIRE(find<command::VerifyPin>(asked));
        CHECK(find<command::SavePinGuard>(asked)->failures == n);
        CHECK(find<command::SavePinGuard>(asked)->wait == Millis(wait));
        CHECK(f.flow.pinWaitSeconds(f.now) == wait.count());
        // While the wait runs the keypad is shut: nothing is typed, nothing is tried.
        CHECK(f.submit("975318").empty());
        CHECK(f.flow.pinLength() == 0);
        CHECK(f.flow.pinFailures() == n);
        // The screen is woken to count the seconds down, and opens when the wait is over.
        auto next = f.flow.nextDeadline(f.now);
        REQUIRE(next);
        CHECK(*next - f.now <= 1000ms);
        f.now += Millis(wait) - 1ms;
        CHECK(f.submit("975318").empty());
        f.now += 1ms;
        CHECK_FALSE(f.flow.nextDeadline(f.now));
    }
    // The right PIN clears the count.
    Commands asked = f.submit(kPin);
    REQUIRE(find<command::VerifyPin>(asked));
    Commands done = f.flow.pinChecked(Status::success(), f.now);
    REQUIRE(find<command::SavePinGuard>(done));
    CHECK(find<command::SavePinGuard>(done)->failures == 0);
    CHECK(f.flow.pinFailures() == 0);
    CHECK(f.flow.screen() == Screen::Welcome);
}

TEST_CASE("Ten wrong PINs lock the tablet: no PIN is taken and no screen leads out") {
    PinFlow f;
    for (int n = 1; n < kPinMaxFailures; ++n) {
        f.wrong();
        f.now += pinDelayAfter(n);
    }
    CHECK(f.flow.screen() == Screen::Pin);
    CHECK(f.flow.pinTriesLeft() == 1);
    f.wrong();
    CHECK(f.flow.screen() == Screen::PinLocked);
    CHECK(f.flow.pinFailures() == kPinMaxFailures);
    f.now += 24h;
    for (const Intent& i :
         std::vector<Intent>{intent::PinKey{'1'}, intent::PinSubmit{}, intent::Cancel{},
                             intent::OpenAdmin{}, intent::RequestExit{}, intent::Start{}}) {
        CHECK(f.flow.handle(i, f.now).empty());
        CHECK(f.flow.screen() == Screen::PinLocked);
    }
    CHECK(f.flow.tick(f.now).empty());
    CHECK_FALSE(f.flow.nextDeadline(f.now));
    // Even a late "right" answer changes nothing.
    CHECK(f.flow.pinChecked(Status::success(), f.now).empty());
    CHECK(f.flow.screen() == Screen::PinLocked);
}

TEST_CASE("A short PIN is said and not counted; a store failure takes the count back") {
    PinFlow f;
    CHECK(f.submit("2468").empty());
    CHECK(f.flow.message().id == "pin.too_short");
    CHECK(f.flow.pinFailures() == 0);
    // The keypad stops at the rule's maximum.
    for (int i = 0; i < 20; ++i)
        f.flow.handle(intent::PinKey{'7'}, f.now);
    CHECK(f.flow.pinLength() == kPinMaxDigits);
    f.flow.handle(intent::PinSubmit{}, f.now);
    CHECK(f.flow.pinFailures() == 1);
    Commands back = f.flow.pinChecked(Error::make(ErrorKind::Io, "db.full", {"tablet.db"}), f.now);
    REQUIRE(find<command::SavePinGuard>(back));
    CHECK(find<command::SavePinGuard>(back)->failures == 0);
    CHECK(f.flow.pinFailures() == 0);
    CHECK(f.flow.message().id == "db.full");
}

TEST_CASE("The flow starts from the stored counter: the wait left, capped, or locked") {
    FlowInit waiting;
    waiting.pin_failures = 5;
    waiting.pin_wait = 10s;
    PinFlow a(waiting);
    CHECK(a.flow.screen() == Screen::Pin);
    CHECK(a.flow.pinWaitSeconds(a.now) == 10);
    CHECK(a.flow.pinTriesLeft() == 5);

    FlowInit far; // a clock set back cannot stretch the wait beyond the schedule
    far.pin_failures = 4;
    far.pin_wait = 10h;
    PinFlow b(far);
    CHECK(b.flow.pinWaitSeconds(b.now) == 5);

    FlowInit locked;
    locked.pin_failures = kPinMaxFailures;
    locked.device_unlocked = true; // whatever unlocked the key, a locked tablet stays shut
    PinFlow c(locked);
    CHECK(c.flow.screen() == Screen::PinLocked);
}

namespace {
// A kiosk over a real tablet store, restarted at will with its own steady and wall clocks.
struct Kiosked {
    Fixture fx;
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    std::optional<TabletStore> store;
    ImGuiContext* ctx = nullptr;
    std::optional<Kiosk> kiosk;
    Driver driver;
    Millis now{10'000};
    std::int64_t wall = 1'800'000'000'000; // ms since the epoch

    Kiosked() {
        Bytes cert =
            encodeCertificate(fx.package.digest, device.pk, "平板 03", fx.keys.organiser.sk);
        auto s = TabletStore::create(tmp.path / "t", fx.package, cert, device, kPin,
                                     KdfCost::testOnly());
        REQUIRE(s.ok());
        store.emplace(std::move(*s));
        ctx = ImGui::CreateContext();
        ImGui::GetIO().IniFilename = nullptr;
        ImGui::GetIO().DisplaySize = ImVec2(1280, 800);
        start();
    }
    ~Kiosked() {
        kiosk.reset();
        ImGui::DestroyContext(ctx);
    }
    // A (re)start, as after switching the tablet off and on: the steady clock starts again.
    void start(std::optional<std::string> pin = std::nullopt) {
        kiosk.reset();
        now = Millis{500};
        KioskOptions opt;
        opt.fonts.all_hanzi = false;
        opt.pin = std::move(pin);
        opt.wall_clock = [this] { return wall; };
        opt.pin_cost = KdfCost::testOnly();
        kiosk.emplace(*store, std::move(opt), now);
        kiosk->buildFonts();
        headlessFrame(*kiosk, driver, now);
    }
    void advance(Millis d) {
        now += d;
        wall += d.count();
    }
    void typePin(const std::string& pin) {
        for (char d : pin)
            kiosk->apply(Intent{intent::PinKey{d}}, now);
        kiosk->apply(Intent{intent::PinSubmit{}}, now);
    }
    const Flow& flow() const { return kiosk->flow(); }
};
} // namespace

TEST_CASE("The wrong-PIN count and wait survive a restart, ten lock the tablet for good, and the "
          "organiser's reset opens it with every ballot kept") {
    Kiosked k;
    REQUIRE(k.flow().screen() == Screen::Pin);
    k.typePin("975318");
    CHECK(k.store->pinGuard()->failures == 1);
    CHECK(k.store->pinGuard()->not_before_ms == 0); // no wait, so no time is kept
    for (int n = 2; n <= 4; ++n)
        k.typePin("975318");
    CHECK(k.store->pinGuard()->not_before_ms == k.wall + 5000);
    CHECK(k.store->pinGuard()->failures == 4);
    CHECK(k.flow().pinWaitSeconds(k.now) == 5);
    k.advance(2s);
    k.start(); // switched off and on: 3 s of the wait remain, by the wall clock
    CHECK(k.flow().pinFailures() == 4);
    CHECK(k.flow().pinWaitSeconds(k.now) == 3);
    k.typePin(kPin); // refused unseen while the wait runs
    CHECK(k.flow().screen() == Screen::Pin);
    k.advance(3s);
    k.typePin(kPin);
    REQUIRE(k.flow().screen() == Screen::Welcome);
    CHECK(k.store->pinGuard()->failures == 0);
    CHECK(k.store->pinGuard()->not_before_ms == 0); // nor when a right PIN was typed

    // Ten wrong in a row, across restarts, lock it.
    k.start();
    for (int n = 1; n <= kPinMaxFailures; ++n) {
        k.typePin("975318");
        k.advance(Millis(pinDelayAfter(n)));
        if (n == 6) k.start();
    }
    CHECK(k.flow().screen() == Screen::PinLocked);
    CHECK(k.store->pinGuard()->locked());
    // Restarted, even with the right PIN given at the start, it stays locked.
    k.start(std::string(kPin));
    CHECK(k.flow().screen() == Screen::PinLocked);
    k.typePin(kPin);
    CHECK(k.flow().screen() == Screen::PinLocked);

    // Central staff reset it with the organiser key; the kiosk opens with the new PIN.
    REQUIRE(k.store->resetPin(k.fx.keys.organiser.sk, "802417", KdfCost::testOnly()).ok());
    k.start();
    CHECK(k.flow().screen() == Screen::Pin);
    CHECK(k.flow().pinFailures() == 0);
    k.typePin("802417");
    CHECK(k.flow().screen() == Screen::Welcome);
}

TEST_CASE("The locked screen tells staff to bring the tablet to central staff and offers no "
          "key or button") {
    Kiosked k;
    REQUIRE(k.store->setPinGuard({kPinMaxFailures, 0}).ok());
    k.start(std::string(kPin));
    REQUIRE(k.flow().screen() == Screen::PinLocked);
    headlessFrame(*k.kiosk, k.driver, k.now);
    CHECK(ui::targets().empty()); // no keypad, no unlock, no exit
    ImGuiWindow* w = ImGui::FindWindowByName("pin_locked");
    REQUIRE(w != nullptr);
    CHECK(w->WasActive);
    for (Lang lang : {Lang::Zh, Lang::En}) {
        std::string body = tr(lang, "kiosk.pin_locked.body", {"10"});
        CHECK(body.find("10") != std::string::npos);
        CHECK(tr(lang, "kiosk.pin_locked.staff")
                  .find(lang == Lang::Zh ? "组织方" : "central staff") != std::string::npos);
    }
    // Taps anywhere change nothing.
    k.driver.tapAt(ImVec2(640, 400));
    headlessSettle(*k.kiosk, k.driver, k.now);
    CHECK(k.flow().screen() == Screen::PinLocked);
}

TEST_CASE("The administrator's change-PIN fields take digits only, at most 12, and the rule") {
    Kiosked k;
    k.typePin(kPin);
    REQUIRE(k.flow().screen() == Screen::Welcome);
    k.kiosk->apply(Intent{intent::OpenAdmin{}}, k.now);
    k.typePin(kPin);
    REQUIRE(k.flow().screen() == Screen::Admin);
    auto tap = [&](const std::string& key) {
        INFO("tap " << key);
        REQUIRE(k.driver.tap(key));
        k.now += 300ms;
        headlessSettle(*k.kiosk, k.driver, k.now);
    };
    headlessSettle(*k.kiosk, k.driver, k.now);
    tap("tab.settings");
    auto typeInto = [&](const std::string& field, const std::string& text) {
        tap("field." + field);
        k.driver.typeOver(text);
        headlessSettle(*k.kiosk, k.driver, k.now);
    };
    typeInto("old_pin", kPin);
    typeInto("new_pin", "12ab34 中56789012345");
    typeInto("repeat_pin", "123456");
    tap("tab.settings"); // leave the field, so its text is in the buffer
    tap("change_pin");
    // The new field kept the digits only, cut at 12: it differs from the repeat.
    CHECK(k.kiosk->adminStatusError());
    CHECK(k.kiosk->adminStatus() == tr(Lang::Zh, "secret.mismatch"));
    // An obvious PIN typed twice is refused by the rule, and the old PIN still opens.
    typeInto("old_pin", kPin);
    typeInto("new_pin", "123456");
    typeInto("repeat_pin", "123456");
    tap("tab.settings");
    tap("change_pin");
    CHECK(k.kiosk->adminStatus() == describe(Error::make(ErrorKind::Invalid, "pin.run"), Lang::Zh));
    CHECK(k.store->unlockDeviceKey(kPin).ok());
    typeInto("old_pin", kPin);
    typeInto("new_pin", "802417");
    typeInto("repeat_pin", "802417");
    tap("tab.settings");
    tap("change_pin");
    CHECK_FALSE(k.kiosk->adminStatusError());
    CHECK(k.store->unlockDeviceKey("802417").ok());
}
