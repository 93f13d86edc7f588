// The real screens, drawn headless (an ImGui context with no window and no renderer) and
// driven by simulated touches, against a real tablet store.
#include "app/kiosk/driver.hpp"
#include "app/kiosk/kiosk.hpp"
#include "core/envelope.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

#include <filesystem>

using namespace pingyi;
using namespace pingyi::kiosk;
using namespace pingyi::test;
using namespace std::chrono_literals;

namespace {

constexpr const char* kPin = "246813";

struct Headless {
    Fixture fx;
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    std::optional<TabletStore> store;
    ImGuiContext* ctx = nullptr;
    std::optional<Kiosk> kiosk;
    Driver driver;
    Millis now{10'000};

    explicit Headless(ImVec2 size = ImVec2(1280, 800), bool unlocked = true, bool all_hanzi = false,
                      Campaign campaign = seedCampaign())
        : fx(3, std::move(campaign)) {
        Bytes cert =
            encodeCertificate(fx.package.digest, device.pk, "平板 01", fx.keys.organiser.sk);
        auto s = TabletStore::create(tmp.path / "t1", fx.package, cert, device, kPin,
                                     KdfCost::testOnly());
        REQUIRE(s.ok());
        store.emplace(std::move(*s));
        ctx = ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = size;
        KioskOptions opt;
        opt.fonts.all_hanzi = all_hanzi;
        if (unlocked) opt.pin = kPin;
        kiosk.emplace(*store, opt, now);
        kiosk->buildFonts();
        frame();
    }
    ~Headless() {
        kiosk.reset();
        ImGui::DestroyContext(ctx);
    }
    void frame() { headlessFrame(*kiosk, driver, now); }
    void settle() { headlessSettle(*kiosk, driver, now); }
    Screen screen() const { return kiosk->flow().screen(); }
    // Taps a target by key and lets the screen settle; fails the test if it is not drawn.
    void tap(const std::string& key) {
        INFO("tap " << key);
        REQUIRE(driver.tap(key));
        now += 300ms;
        settle();
    }
    void tapToken(const Token& t) {
        for (char c : t.symbols)
            tap(std::string("key.") + c);
    }
    void tapPin(const std::string& pin) {
        for (char d : pin)
            tap(std::string("pin.") + d);
        tap("pin.ok");
    }
    void resize(ImVec2 size) {
        ImGui::GetIO().DisplaySize = size;
        frame();
        frame();
    }
    // Every target drawn in the last frame is at least 56 px each way.
    void checkTargets(const char* where) {
        REQUIRE(!ui::targets().empty());
        for (auto& t : ui::targets()) {
            if (t.clipped) continue; // partly scrolled out of view: a finger scrolls it in
            INFO(where << ": " << t.key);
            CHECK(t.max.x - t.min.x >= ui::kMinTouch - 0.5f);
            CHECK(t.max.y - t.min.y >= ui::kMinTouch - 0.5f);
            // And it lies on the screen (not clipped off to the side).
            CHECK(t.min.x >= -0.5f);
            CHECK(t.max.x <= ImGui::GetIO().DisplaySize.x + 0.5f);
        }
    }
};

} // namespace

TEST_CASE("A whole ballot tapped through the real screens is cast once and opens to the chosen "
          "levels") {
    Headless h;
    REQUIRE(h.screen() == Screen::Welcome);
    h.tap("start");
    REQUIRE(h.screen() == Screen::Token);
    Token token = h.fx.token("U1/social", "service");
    h.tapToken(token); // the 16th symbol submits
    REQUIRE(h.screen() == Screen::Subject);
    const std::size_t pages = h.kiosk->flow().pages();
    REQUIRE(pages == h.fx.campaign.subjectsOf("U1").size());
    for (std::size_t p = 0; p < pages; ++p) {
        CHECK(h.kiosk->flow().page() == p);
        const Questionnaire& q = h.kiosk->flow().questionnaireAt(p);
        for (std::size_t i = 0; i < q.items.size(); ++i) {
            // Page 0 all 优秀; others 良好, except item 1 of page 1 is 不了解.
            std::string level = p == 0 ? "A" : (p == 1 && i == 1 ? "unknown" : "B");
            h.tap("rate." + std::to_string(i) + "." + level);
        }
        h.tap("next");
    }
    REQUIRE(h.screen() == Screen::Comments);
    h.tap("comment.0");
    h.driver.type("服务热情，办事效率高。");
    h.settle();
    h.tap("next");
    REQUIRE(h.screen() == Screen::Review);
    CHECK(h.store->counts()->cast == 0); // nothing is stored before confirm
    h.tap("confirm");
    REQUIRE(h.screen() == Screen::Receipt);
    const std::string code = h.kiosk->flow().receiptCode();
    CHECK(code.size() == 11);
    CHECK(h.store->counts()->cast == 1);

    auto envs = h.store->envelopes(false);
    REQUIRE(envs.ok());
    REQUIRE(envs->size() == 1);
    CHECK(receiptCode((*envs)[0].hash) == code);
    auto env = verifyEnvelope((*envs)[0].bytes);
    REQUIRE(env.ok());
    auto ballot = openEnvelope(*env, h.fx.keys.collector_box, h.fx.campaign);
    REQUIRE(ballot.ok());
    CHECK(ballot->meeting == "U1/social");
    REQUIRE(ballot->answers.size() == pages);
    CHECK(ballot->answers[0].levels == std::vector<std::uint8_t>(5, 0));
    CHECK(ballot->answers[0].comment == "服务热情，办事效率高。");
    CHECK(ballot->answers[1].levels[1] == kUnknownLevel);
    CHECK(ballot->answers[1].levels[0] == 1);
    CHECK(ballot->answers[2].comment.empty());

    // The token is now used; back at the welcome (and the journal folded) after "done".
    h.tap("done");
    CHECK(h.screen() == Screen::Welcome);
    h.tap("start");
    h.tapToken(token);
    CHECK(h.screen() == Screen::Token);
    CHECK(h.kiosk->flow().message().id == "token.used");
    CHECK(h.store->counts()->cast == 1);
}

TEST_CASE("A kiosk killed on the receipt screen says at the next start that the last ballot was "
          "stored, and its token shows the receipt again") {
    Headless h;
    h.tap("start");
    Token token = h.fx.token("U1/self", "head");
    h.tapToken(token);
    REQUIRE(h.screen() == Screen::Subject);
    for (std::size_t p = 0; p < h.kiosk->flow().pages(); ++p) {
        for (std::size_t i = 0; i < h.kiosk->flow().questionnaireAt(p).items.size(); ++i)
            h.tap("rate." + std::to_string(i) + ".A");
        h.tap("next");
    }
    REQUIRE(h.screen() == Screen::Comments);
    // A right-to-left override typed into a comment is named, and nothing is cast.
    h.tap("comment.0");
    h.driver.type("很好\u202e好很务服");
    h.settle();
    h.tap("next");
    CHECK(h.screen() == Screen::Comments);
    CHECK(h.kiosk->flow().message().id == "ballot.comment_bad_char");
    CHECK(h.kiosk->flow().message().args[1] == "U+202E");
    h.tap("comment.0");
    h.driver.typeOver("很好");
    h.settle();
    h.tap("next");
    REQUIRE(h.screen() == Screen::Review);
    h.tap("confirm");
    REQUIRE(h.screen() == Screen::Receipt);
    const std::string code = h.kiosk->flow().receiptCode();

    // The power goes before anyone taps "done": the kiosk starts again on the same store.
    h.kiosk.reset();
    auto reopened = TabletStore::open(h.tmp.path / "t1");
    REQUIRE(reopened.ok());
    h.store.emplace(std::move(*reopened));
    KioskOptions opt;
    opt.pin = kPin;
    h.kiosk.emplace(*h.store, opt, h.now);
    h.kiosk->buildFonts();
    h.frame();
    REQUIRE(h.screen() == Screen::Welcome);
    CHECK(h.kiosk->flow().lastReceiptUnshown());
    CHECK(h.store->counts()->cast == 1);

    h.tap("start");
    h.tapToken(token);
    REQUIRE(h.screen() == Screen::Receipt);
    CHECK(h.kiosk->flow().receiptAlreadyStored());
    CHECK(h.kiosk->flow().receiptCode() == code);
    CHECK(h.kiosk->flow().wrongTokens() == 0);
    h.tap("done");
    CHECK(h.screen() == Screen::Welcome);
    CHECK(!*h.store->lastReceiptUnshown());
    CHECK(!h.kiosk->flow().lastReceiptUnshown());
    // From now on it is an ordinary used token.
    h.tap("start");
    h.tapToken(token);
    CHECK(h.kiosk->flow().message().id == "token.used");
    CHECK(h.store->counts()->cast == 1);
}

TEST_CASE("An unknown token, then the lockout, then the administrator's unlock, on the screens") {
    Headless h;
    h.tap("start");
    for (int i = 0; i < 5; ++i)
        h.tapToken(tokenFromValues(std::vector<std::uint8_t>(15, static_cast<std::uint8_t>(i))));
    CHECK(h.screen() == Screen::Locked);
    CHECK(h.store->setting(kSettingLocked)->value_or("") == "1");
    h.tap("unlock");
    REQUIRE(h.screen() == Screen::Pin);
    h.tapPin("975318");
    CHECK(h.screen() == Screen::Pin);
    CHECK(h.kiosk->flow().message().id == "kiosk.pin.wrong_left");
    h.tapPin(kPin);
    CHECK(h.screen() == Screen::Welcome);
    CHECK(h.store->setting(kSettingLocked)->value_or("") == "0");
}

TEST_CASE("An abandoned ballot is discarded after the warning and its token stays unused") {
    Headless h;
    h.tap("start");
    Token token = h.fx.token("U2/social", "npc");
    h.tapToken(token);
    REQUIRE(h.screen() == Screen::Subject);
    h.tap("rate.0.A");
    const FlowConfig& cfg = h.kiosk->flow().config();
    h.now += cfg.idle_warning;
    CHECK(h.kiosk->tick(h.now));
    h.frame();
    CHECK(h.kiosk->flow().idleWarning());
    CHECK(targetCentre("still_here"));
    CHECK(!targetCentre("next")); // only the warning is drawn
    h.now += cfg.idle_discard;
    h.kiosk->tick(h.now);
    h.frame();
    CHECK(h.screen() == Screen::Welcome);
    CHECK(h.store->counts()->cast == 0);
    CHECK(h.store->checkToken(token).ok());
}

TEST_CASE("A kiosk that starts locked asks for the PIN, and a wrong PIN keeps it shut") {
    Headless h(ImVec2(1280, 800), false);
    REQUIRE(h.screen() == Screen::Pin);
    CHECK(!targetCentre("cancel"));
    h.tapPin("975318");
    CHECK(h.screen() == Screen::Pin);
    h.tapPin(kPin);
    CHECK(h.screen() == Screen::Welcome);
}

TEST_CASE("The administrator closes a meeting, exports a bundle and reads the counts") {
    Headless h;
    h.tap("admin");
    h.tapPin(kPin);
    REQUIRE(h.screen() == Screen::Admin);
    h.tap("meeting.U1/social");
    CHECK(h.store->setting(kSettingOpenMeetings)->value_or("?").find("U1/social") ==
          std::string::npos);
    CHECK(!h.kiosk->flow().meetingOpen("U1/social"));
    CHECK(h.kiosk->flow().meetingOpen("U2/social"));
    // Export to a folder (the "USB stick").
    std::filesystem::path usb = h.tmp.path / "usb";
    h.kiosk->apply(AdminAction{admin::ExportBundle{usb.string()}}, h.now);
    CHECK(h.kiosk->adminStatus().find(usb.string()) != std::string::npos);
    bool found = false;
    for (auto& e : std::filesystem::directory_iterator(usb))
        found = found || e.path().extension() == ".pyb";
    CHECK(found);
    // A missing additions file names the file.
    h.kiosk->apply(AdminAction{admin::AddTokens{(usb / "none.pya").string()}}, h.now);
    CHECK(h.kiosk->adminStatus().find("none.pya") != std::string::npos);
    // Language and text size are settings of the tablet.
    h.tap("tab.settings");
    h.tap("lang.en");
    CHECK(h.kiosk->lang() == Lang::En);
    CHECK(h.store->setting(kSettingLanguage)->value_or("") == "en");
    h.tap("size.120");
    CHECK(h.kiosk->fontsDirty());
    h.kiosk->buildFonts();
    h.frame();
    h.tap("close");
    CHECK(h.screen() == Screen::Welcome);

    // A token of the closed meeting is refused.
    h.tap("start");
    h.tapToken(h.fx.token("U1/social", "service"));
    CHECK(h.kiosk->flow().message().id == "token.meeting_closed");
}

TEST_CASE("Every touch target is at least 56 px, at 1280x800, 1920x1200 and 800x1280") {
    for (ImVec2 size : {ImVec2(1280, 800), ImVec2(1920, 1200), ImVec2(800, 1280)}) {
        Headless h(size);
        std::string where = std::to_string(int(size.x)) + "x" + std::to_string(int(size.y));
        h.checkTargets((where + " welcome").c_str());
        h.tap("start");
        h.checkTargets((where + " token").c_str());
        h.tapToken(h.fx.token("U3/social", "service"));
        REQUIRE(h.screen() == Screen::Subject);
        h.checkTargets((where + " subject").c_str());
        for (std::size_t p = 0; p < h.kiosk->flow().pages(); ++p) {
            for (std::size_t i = 0; i < h.kiosk->flow().questionnaireAt(p).items.size(); ++i)
                h.tap("rate." + std::to_string(i) + ".B");
            h.tap("next");
        }
        h.checkTargets((where + " comments").c_str());
        h.tap("next");
        h.checkTargets((where + " review").c_str());
        h.tap("confirm");
        h.checkTargets((where + " receipt").c_str());
        h.tap("done");
        h.tap("admin");
        h.checkTargets((where + " pin").c_str());
        h.tapPin(kPin);
        for (const char* tab : {"tablet", "transfer", "usb", "settings"}) {
            h.tap(std::string("tab.") + tab);
            h.checkTargets((where + " admin " + tab).c_str());
        }
    }
}

TEST_CASE("The comment font has every GB2312 hanzi and every character the screens show") {
    Headless h(ImVec2(1280, 800), true, true);
    // Built apart from the screens' fonts, after the first frame (the start does not wait).
    CHECK(!h.kiosk->inputFontReady());
    CHECK(h.kiosk->fonts().input == h.kiosk->fonts().body);
    h.kiosk->buildInputFont();
    REQUIRE(h.kiosk->inputFontReady());
    const ui::Fonts& f = h.kiosk->fonts();
    REQUIRE(f.chinese); // fonts-wqy-microhei is installed (.ci/install)
    REQUIRE(f.input != f.body);
    CHECK(f.input->ContainerAtlas == h.kiosk->inputAtlas());
    CHECK(f.glyphs > 6763);
    // Characters GetGlyphRangesChineseSimplifiedCommon() lacks, and rare GB2312 ones.
    for (ImWchar ch : {ImWchar(0x9F9F) /*龟*/, ImWchar(0x8E6D) /*蹭*/, ImWchar(0x7F1C) /*缜*/,
                       ImWchar(0x9F44) /*齄*/, ImWchar(0x5416) /*吖*/}) {
        INFO(int(ch));
        CHECK(f.input->FindGlyphNoFallback(ch) != nullptr);
        CHECK(f.body->FindGlyphNoFallback(ch) == nullptr); // only the comment font has them
    }
    // Every character of the catalog and the campaign is in the body font.
    auto ranges = ui::glyphRanges(h.fx.campaign, false);
    std::size_t missing = 0;
    for (std::size_t i = 0; i + 1 < ranges.size(); i += 2)
        for (unsigned ch = ranges[i]; ch <= ranges[i + 1]; ++ch)
            if (!f.body->FindGlyphNoFallback(static_cast<ImWchar>(ch)) && ch > 0x7F &&
                ch != 0x3000) {
                MESSAGE("no glyph for U+" << std::hex << ch);
                ++missing;
            }
    CHECK(missing == 0);
    // And every character of the headings is in the title font.
    auto titles = ui::titleRanges(h.fx.campaign);
    std::size_t title_missing = 0;
    for (std::size_t i = 0; i + 1 < titles.size(); i += 2)
        for (unsigned ch = titles[i]; ch <= titles[i + 1]; ++ch)
            if (!f.title->FindGlyphNoFallback(static_cast<ImWchar>(ch)) && ch > 0x7F &&
                ch != 0x3000) {
                MESSAGE("no title glyph for U+" << std::hex << ch);
                ++title_missing;
            }
    CHECK(title_missing == 0);
    auto glyphs = [](const std::vector<ImWchar>& r) {
        std::size_t n = 0;
        for (std::size_t i = 0; i + 1 < r.size(); i += 2)
            n += static_cast<std::size_t>(r[i + 1] - r[i] + 1);
        return n;
    };
    MESSAGE("title font " << glyphs(titles) << " code points, body font " << glyphs(ranges));
    CHECK(glyphs(titles) < glyphs(ranges)); // fewer glyphs at the larger size
    // The atlases stay within the memory budget: one byte a pixel, as the window uploads them.
    ImFontAtlas* in = h.kiosk->inputAtlas();
    ImGuiIO& io = ImGui::GetIO();
    std::size_t input_bytes = std::size_t(in->TexWidth) * std::size_t(in->TexHeight);
    std::size_t ui_bytes = std::size_t(io.Fonts->TexWidth) * std::size_t(io.Fonts->TexHeight);
    MESSAGE("comment font atlas " << in->TexWidth << "x" << in->TexHeight << " ("
                                  << input_bytes / 1024 << " KiB), screens' atlas "
                                  << io.Fonts->TexWidth << "x" << io.Fonts->TexHeight << " ("
                                  << ui_bytes / 1024 << " KiB), " << f.glyphs
                                  << " code points in the comment font");
    CHECK(input_bytes <= std::size_t(12) << 20);
    CHECK(ui_bytes <= std::size_t(8) << 20);

    // The comment screen gets it even when nobody built it first (a fresh kiosk, headless).
    Headless g(ImVec2(1280, 800), true, true);
    g.tap("start");
    g.tapToken(g.fx.token("U3/social", "service"));
    REQUIRE(g.screen() == Screen::Subject);
    for (std::size_t p = 0; p < g.kiosk->flow().pages(); ++p) {
        for (std::size_t i = 0; i < g.kiosk->flow().questionnaireAt(p).items.size(); ++i)
            g.tap("rate." + std::to_string(i) + ".B");
        CHECK(!g.kiosk->inputFontReady());
        g.tap("next");
    }
    REQUIRE(g.screen() == Screen::Comments);
    CHECK(g.kiosk->inputFontReady());
    CHECK(g.kiosk->fonts().input->FindGlyphNoFallback(ImWchar(0x9F44)) != nullptr);
}

TEST_CASE("The review screen holds a ballot over the grade quota until a choice is changed") {
    Campaign c = seedCampaign();
    c.grade_quota = {"A", 30}; // six chiefs in U1: one 优秀 per item
    c.subject_order = SubjectOrder::Stroke;
    Headless h(ImVec2(800, 1280), true, false, c);
    h.tap("start");
    h.tapToken(h.fx.token("U1/social", "service"));
    REQUIRE(h.screen() == Screen::Subject);
    CHECK(h.kiosk->flow().subjectAt(1).name == "刘芳"); // stroke order on the pages
    for (std::size_t p = 0; p < h.kiosk->flow().pages(); ++p) {
        for (std::size_t i = 0; i < 5; ++i)
            h.tap("rate." + std::to_string(i) + "." + (p < 2 ? "A" : "B"));
        h.tap("next");
    }
    h.tap("next"); // comments
    REQUIRE(h.screen() == Screen::Review);
    CHECK(h.kiosk->flow().message().id == "ballot.grade_quota");
    h.checkTargets("review over the quota");
    auto confirm = targetCentre("confirm");
    REQUIRE(confirm);
    CHECK(confirm->y < ImGui::GetIO().DisplaySize.y); // the long message leaves it on screen
    h.tap("confirm");
    CHECK(h.screen() == Screen::Review); // refused
    CHECK(h.store->counts()->cast == 0);

    h.tap("edit.1");
    REQUIRE(h.screen() == Screen::Subject);
    for (std::size_t i = 0; i < 5; ++i)
        h.tap("rate." + std::to_string(i) + ".B");
    for (std::size_t p = 1; p < h.kiosk->flow().pages(); ++p)
        h.tap("next");
    h.tap("next");
    REQUIRE(h.screen() == Screen::Review);
    CHECK(h.kiosk->flow().message().empty());
    h.tap("confirm");
    CHECK(h.screen() == Screen::Receipt);
    CHECK(h.store->counts()->cast == 1);
}
