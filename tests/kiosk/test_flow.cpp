// The kiosk flow as a state machine: every transition and every error, without rendering.
#include "app/kiosk/flow.hpp"
#include "core/catalog.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

using namespace pingyi;
using namespace pingyi::kiosk;
using namespace std::chrono_literals;

namespace {

struct F {
    Campaign c = seedCampaign();
    FlowConfig cfg;
    Flow flow;
    Millis now{1000};
    explicit F(FlowInit init = unlocked()) : flow(c, std::move(init), cfg, Millis{1000}) {}
    static FlowInit unlocked() {
        FlowInit i;
        i.device_unlocked = true;
        return i;
    }
    Commands act(const Intent& i) { return flow.handle(i, now += 100ms); }
    void typePin(const std::string& pin) {
        for (char d : pin)
            act(intent::PinKey{d});
    }
    void typeToken(const Token& t) {
        for (char ch : t.symbols)
            act(intent::Key{ch});
    }
    TokenPlace place(const std::string& unit = "U1") {
        return TokenPlace{MeetingRef{unit, "social"}, "service"};
    }
    // Welcome -> token screen -> a token accepted for `unit`.
    void startBallot(const std::string& unit = "U1") {
        act(intent::Start{});
        Token t = tokenFromValues(std::vector<std::uint8_t>(15, 3));
        typeToken(t);
        flow.tokenChecked(place(unit), now);
    }
    void rateAll(std::size_t level) {
        for (std::size_t i = 0; i < flow.questionnaireAt(flow.page()).items.size(); ++i)
            act(intent::Rate{i, level});
    }
};

template <class T> bool has(const Commands& cs) {
    for (auto& c : cs)
        if (std::holds_alternative<T>(c)) return true;
    return false;
}

std::string savedValue(const Commands& cs, const std::string& key) {
    for (auto& c : cs)
        if (auto* s = std::get_if<command::SaveSetting>(&c); s && s->key == key) return s->value;
    return "<none>";
}

} // namespace

TEST_CASE("A kiosk whose device key is locked starts on the PIN screen and opens with the PIN") {
    F f(FlowInit{});
    CHECK(f.flow.screen() == Screen::Pin);
    CHECK(f.flow.pinPurpose() == PinPurpose::Start);
    CHECK(f.act(intent::PinSubmit{}).empty()); // nothing typed: nothing to check
    f.act(intent::Cancel{});                   // no way around the start PIN
    CHECK(f.flow.screen() == Screen::Pin);
    for (char d : std::string("246813x"))
        f.act(intent::PinKey{d});
    CHECK(f.flow.pinLength() == 6);
    f.act(intent::PinBackspace{});
    f.act(intent::PinKey{'3'});
    auto cmds = f.act(intent::PinSubmit{});
    REQUIRE(cmds.size() == 2);
    CHECK(std::get<command::SavePinGuard>(cmds[0]).failures == 1); // counted until proved right
    auto& v = std::get<command::VerifyPin>(cmds[1]);
    CHECK(v.pin == "246813");
    CHECK(v.purpose == PinPurpose::Start);
    CHECK(f.flow.pinLength() == 0);

    f.flow.pinChecked(Error::make(ErrorKind::Auth, "tablet.wrong_pin"), f.now);
    CHECK(f.flow.screen() == Screen::Pin);
    CHECK(f.flow.message().id == "kiosk.pin.wrong_left");
    CHECK(f.flow.message().args == std::vector<std::string>{"9"});

    f.typePin("975318");
    REQUIRE(f.act(intent::PinSubmit{}).size() == 2);
    f.flow.pinChecked(Status::success(), f.now);
    CHECK(f.flow.screen() == Screen::Welcome);
}

TEST_CASE("The keypad takes only token symbols, in upper case, at most 16") {
    F f;
    f.act(intent::Start{});
    REQUIRE(f.flow.screen() == Screen::Token);
    for (char ch : std::string("a1o0I-7"))
        f.act(intent::Key{ch});
    CHECK(f.flow.typedToken() == "A7"); // 1, O, 0, I and '-' are not in the alphabet
    f.act(intent::Backspace{});
    CHECK(f.flow.typedToken() == "A");
    f.act(intent::ClearToken{});
    CHECK(f.flow.typedToken().empty());
    f.act(intent::Cancel{});
    CHECK(f.flow.screen() == Screen::Welcome);
}

TEST_CASE("A typo caught by the check symbol is said, and does not count as a wrong token") {
    F f;
    f.act(intent::Start{});
    Token t = tokenFromValues(std::vector<std::uint8_t>(15, 5));
    std::string typo = t.symbols;
    typo[3] = typo[3] == 'A' ? 'B' : 'A';
    Commands last;
    for (char ch : typo)
        last = f.act(intent::Key{ch});
    CHECK(last.empty()); // the 16th symbol submitted, and parseToken refused it
    CHECK(f.flow.message().id == "token.bad_check");
    CHECK(f.flow.wrongTokens() == 0);
    CHECK(f.flow.screen() == Screen::Token);

    f.act(intent::ClearToken{});
    for (char ch : std::string("ABC"))
        f.act(intent::Key{ch});
    f.act(intent::SubmitToken{});
    CHECK(f.flow.message().id == "token.bad_length");
}

TEST_CASE("A well-formed token is checked by the store; the 16th symbol submits it") {
    F f;
    f.act(intent::Start{});
    Token t = tokenFromValues(std::vector<std::uint8_t>(15, 7));
    Commands last;
    for (char ch : t.symbols)
        last = f.act(intent::Key{ch});
    REQUIRE(last.size() == 1);
    CHECK(std::get<command::CheckToken>(last[0]).token.symbols == t.symbols);
    CHECK(f.act(intent::SubmitToken{}).empty()); // no second check while one is pending
    f.flow.tokenChecked(f.place("U2"), f.now);
    CHECK(f.flow.screen() == Screen::Subject);
    CHECK(f.flow.inBallot());
    CHECK(f.flow.meeting().id() == "U2/social");
    CHECK(f.flow.token().symbols == t.symbols);
    CHECK(f.flow.pages() == f.c.subjectsOf("U2").size());
    CHECK(f.flow.page() == 0);
    CHECK(f.flow.typedToken().empty());
}

TEST_CASE("Unknown and used tokens are said; five wrong tokens in a row lock the tablet") {
    F f;
    f.act(intent::Start{});
    for (int i = 1; i <= 4; ++i) {
        f.act(intent::SubmitToken{}); // nothing typed: a bad length, not counted
        f.typeToken(tokenFromValues(std::vector<std::uint8_t>(15, static_cast<std::uint8_t>(i))));
        auto cmds =
            f.flow.tokenChecked(Error::make(i % 2 ? ErrorKind::NotFound : ErrorKind::Conflict,
                                            i % 2 ? "token.unknown" : "token.used"),
                                f.now);
        CHECK(savedValue(cmds, kSettingWrongTokens) == std::to_string(i));
        CHECK(f.flow.message().id == (i % 2 ? "token.unknown" : "token.used"));
        CHECK(f.flow.screen() == Screen::Token);
        CHECK(f.flow.typedToken().empty());
    }
    f.typeToken(tokenFromValues(std::vector<std::uint8_t>(15, 9)));
    auto cmds = f.flow.tokenChecked(Error::make(ErrorKind::NotFound, "token.unknown"), f.now);
    CHECK(savedValue(cmds, kSettingLocked) == "1");
    CHECK(f.flow.screen() == Screen::Locked);
    CHECK(f.flow.locked());

    f.act(intent::Start{});
    CHECK(f.flow.screen() == Screen::Locked);
    f.act(intent::OpenAdmin{});
    CHECK(f.flow.screen() == Screen::Pin);
    CHECK(f.flow.pinPurpose() == PinPurpose::Unlock);
    f.act(intent::Cancel{});
    CHECK(f.flow.screen() == Screen::Locked);
    f.act(intent::OpenAdmin{});
    f.typePin("975318");
    f.act(intent::PinSubmit{});
    cmds = f.flow.pinChecked(Status::success(), f.now);
    CHECK(savedValue(cmds, kSettingLocked) == "0");
    CHECK(savedValue(cmds, kSettingWrongTokens) == "0");
    CHECK(f.flow.screen() == Screen::Welcome);
    CHECK(!f.flow.locked());
}

TEST_CASE("A lockout survives a restart: the flow starts locked from the stored setting") {
    FlowInit init = F::unlocked();
    init.locked = true;
    F f(init);
    CHECK(f.flow.screen() == Screen::Locked);
}

TEST_CASE("A good token after wrong ones resets the count; a store failure is not counted") {
    F f;
    f.act(intent::Start{});
    f.typeToken(tokenFromValues(std::vector<std::uint8_t>(15, 1)));
    f.flow.tokenChecked(Error::make(ErrorKind::NotFound, "token.unknown"), f.now);
    f.typeToken(tokenFromValues(std::vector<std::uint8_t>(15, 2)));
    auto cmds = f.flow.tokenChecked(Error::make(ErrorKind::Io, "db.full", {"tablet.db"}), f.now);
    CHECK(cmds.empty());
    CHECK(f.flow.wrongTokens() == 1);
    CHECK(f.flow.message().id == "db.full");
    CHECK(f.flow.typedToken().size() == kTokenLength); // kept, to try again with OK
    f.act(intent::ClearToken{});
    f.typeToken(tokenFromValues(std::vector<std::uint8_t>(15, 3)));
    cmds = f.flow.tokenChecked(f.place(), f.now);
    CHECK(savedValue(cmds, kSettingWrongTokens) == "0");
    CHECK(f.flow.wrongTokens() == 0);
}

TEST_CASE("A token of a meeting not open on this tablet is refused and counted") {
    FlowInit init = F::unlocked();
    init.open_meetings = std::set<std::string>{"U2/social"};
    F f(init);
    CHECK(f.flow.openMeetings().size() == 1);
    CHECK(!f.flow.meetingOpen("U1/social"));
    f.act(intent::Start{});
    f.typeToken(tokenFromValues(std::vector<std::uint8_t>(15, 1)));
    f.flow.tokenChecked(f.place("U1"), f.now);
    CHECK(f.flow.screen() == Screen::Token);
    CHECK(f.flow.message().id == "token.meeting_closed");
    CHECK(f.flow.message().args == std::vector<std::string>{"U1/social"});
    CHECK(f.flow.wrongTokens() == 1);
    f.flow.setOpenMeetings(std::nullopt);
    CHECK(f.flow.meetingOpen("U1/social"));
}

TEST_CASE("Pages go forward only when every item has a level or cannot-judge") {
    F f;
    f.startBallot();
    f.act(intent::Next{});
    CHECK(f.flow.page() == 0);
    CHECK(f.flow.message().id == "kiosk.subject.incomplete");
    CHECK(!f.flow.choice(0, 0));
    f.act(intent::Rate{0, std::nullopt}); // 不了解
    REQUIRE(f.flow.choice(0, 0));
    CHECK(!f.flow.choice(0, 0)->has_value());
    CHECK(f.flow.message().empty());
    f.act(intent::Rate{99, 0});                      // no such item: ignored
    f.act(intent::Rate{1, f.c.scale.levels.size()}); // no such level: ignored
    CHECK(!f.flow.choice(0, 1));
    f.rateAll(0);
    CHECK(f.flow.pageComplete(0));
    CHECK(*f.flow.choice(0, 0) == std::optional<std::size_t>{0}); // changed from 不了解
    f.act(intent::Back{});                                        // first page: stays
    CHECK(f.flow.page() == 0);
    f.act(intent::Next{});
    CHECK(f.flow.page() == 1);
    f.act(intent::Back{});
    CHECK(f.flow.page() == 0);
    CHECK(f.flow.pageComplete(0)); // choices are kept going back and forth
}

TEST_CASE("After the last subject come comments, then the review; back returns the same way") {
    F f;
    f.startBallot();
    for (std::size_t p = 0; p < f.flow.pages(); ++p) {
        f.rateAll(1);
        f.act(intent::Next{});
    }
    CHECK(f.flow.screen() == Screen::Comments);
    f.act(intent::SetComment{0, "服务热情"});
    CHECK(f.flow.comment(0) == "服务热情");
    CHECK(f.flow.answers().comments.count(f.flow.subjectAt(0).id) == 1);
    f.act(intent::SetComment{0, ""});
    CHECK(f.flow.answers().comments.empty());
    f.act(intent::SetComment{1, "办事效率高"});
    f.act(intent::Back{});
    CHECK(f.flow.screen() == Screen::Subject);
    CHECK(f.flow.page() == f.flow.pages() - 1);
    f.act(intent::Next{});
    CHECK(f.flow.screen() == Screen::Comments);
    CHECK(f.flow.comment(1) == "办事效率高");
    f.act(intent::Next{});
    CHECK(f.flow.screen() == Screen::Review);
    f.act(intent::GoToPage{2});
    CHECK(f.flow.screen() == Screen::Subject);
    CHECK(f.flow.page() == 2);
    f.act(intent::Next{});
    CHECK(f.flow.page() == 3);
}

TEST_CASE("A comment over the limit is said on the comments screen, by core's own check") {
    F f;
    f.startBallot();
    for (std::size_t p = 0; p < f.flow.pages(); ++p) {
        f.rateAll(0);
        f.act(intent::Next{});
    }
    std::string longText;
    for (std::uint32_t i = 0; i <= f.c.limits.comment_chars; ++i)
        longText += "好";
    f.act(intent::SetComment{0, longText});
    f.act(intent::Next{});
    CHECK(f.flow.screen() == Screen::Comments);
    CHECK(f.flow.message().id == "ballot.comment_too_long");
}

TEST_CASE("Confirm asks the store to cast once; a failure keeps the ballot, success shows the "
          "receipt and wipes the answers") {
    F f;
    f.startBallot();
    for (std::size_t p = 0; p < f.flow.pages(); ++p) {
        f.rateAll(2);
        f.act(intent::Next{});
    }
    f.act(intent::SetComment{0, "意见"});
    f.act(intent::Next{});
    REQUIRE(f.flow.screen() == Screen::Review);
    auto cmds = f.act(intent::Confirm{});
    REQUIRE(cmds.size() == 1);
    CHECK(std::holds_alternative<command::Cast>(cmds[0]));
    CHECK(f.act(intent::Confirm{}).empty()); // a double tap casts once

    f.flow.castDone(Error::make(ErrorKind::Io, "db.full", {"tablet.db"}), f.now);
    CHECK(f.flow.screen() == Screen::Review);
    CHECK(f.flow.message().id == "db.full");
    CHECK(f.flow.inBallot());
    CHECK(f.flow.pageComplete(0));

    REQUIRE(f.act(intent::Confirm{}).size() == 1);
    f.flow.castDone(std::string("ABCDE-FGHJK"), f.now);
    CHECK(f.flow.screen() == Screen::Receipt);
    CHECK(f.flow.receiptCode() == "ABCDE-FGHJK");
    CHECK(!f.flow.inBallot());

    auto d = f.flow.nextDeadline(f.now);
    REQUIRE(d);
    CHECK(*d == f.now + f.cfg.receipt_shown);
    CHECK(f.flow.tick(f.now + f.cfg.receipt_shown - 1ms).empty());
    cmds = f.flow.tick(f.now + f.cfg.receipt_shown);
    CHECK(has<command::FoldJournal>(cmds));
    CHECK(f.flow.screen() == Screen::Welcome);
    CHECK(f.flow.receiptCode().empty());
}

TEST_CASE("Done on the receipt returns to the welcome at once and folds the journal") {
    F f;
    f.startBallot();
    for (std::size_t p = 0; p < f.flow.pages(); ++p) {
        f.rateAll(0);
        f.act(intent::Next{});
    }
    f.act(intent::Next{});
    f.act(intent::Confirm{});
    f.flow.castDone(std::string("22222-33333"), f.now);
    CHECK(has<command::FoldJournal>(f.act(intent::Finish{})));
    CHECK(f.flow.screen() == Screen::Welcome);
    CHECK(!f.flow.nextDeadline(f.now)); // nothing timed: the kiosk sleeps
}

TEST_CASE("An abandoned ballot is warned about, then discarded with nothing kept") {
    F f;
    f.startBallot();
    f.rateAll(0);
    Millis t0 = f.now;
    CHECK(f.flow.nextDeadline(t0) == t0 + f.cfg.idle_warning);
    f.flow.tick(t0 + f.cfg.idle_warning - 1ms);
    CHECK(!f.flow.idleWarning());
    f.flow.tick(t0 + f.cfg.idle_warning);
    CHECK(f.flow.idleWarning());
    CHECK(f.flow.secondsUntilDiscard(t0 + f.cfg.idle_warning) == 30);
    // While warning, the kiosk wakes when the shown seconds change.
    CHECK(f.flow.nextDeadline(t0 + f.cfg.idle_warning + 300ms) == t0 + f.cfg.idle_warning + 1000ms);
    f.flow.handle(intent::StillHere{}, t0 + f.cfg.idle_warning + 5s);
    CHECK(!f.flow.idleWarning());
    CHECK(f.flow.pageComplete(0));

    Millis t1 = t0 + f.cfg.idle_warning + 5s;
    f.flow.tick(t1 + f.cfg.idle_warning);
    CHECK(f.flow.idleWarning());
    f.flow.tick(t1 + f.cfg.idle_warning + f.cfg.idle_discard);
    CHECK(f.flow.screen() == Screen::Welcome);
    CHECK(!f.flow.inBallot());
    CHECK(!f.flow.idleWarning());
}

TEST_CASE("A half-typed token is cleared after the idle timeout too") {
    F f;
    f.act(intent::Start{});
    f.act(intent::Key{'A'});
    f.flow.tick(f.now + f.cfg.idle_warning + f.cfg.idle_discard);
    CHECK(f.flow.screen() == Screen::Welcome);
    CHECK(f.flow.typedToken().empty());
}

TEST_CASE("Cancel on a ballot page abandons the ballot") {
    F f;
    f.startBallot();
    f.rateAll(0);
    f.act(intent::Cancel{});
    CHECK(f.flow.screen() == Screen::Welcome);
    CHECK(!f.flow.inBallot());
}

TEST_CASE("The administrator's screen is behind the PIN, closes itself when idle, and is the "
          "only way out of kiosk mode") {
    F f;
    f.act(intent::OpenAdmin{});
    CHECK(f.flow.screen() == Screen::Pin);
    CHECK(f.flow.pinPurpose() == PinPurpose::Admin);
    f.typePin("975318");
    f.act(intent::PinSubmit{});
    CHECK(!has<command::Exit>(f.flow.pinChecked(Status::success(), f.now)));
    CHECK(f.flow.screen() == Screen::Admin);
    CHECK(has<command::Exit>(f.act(intent::RequestExit{})));
    f.act(intent::CloseAdmin{});
    CHECK(f.flow.screen() == Screen::Welcome);

    f.act(intent::OpenAdmin{});
    f.typePin("975318");
    f.act(intent::PinSubmit{});
    f.flow.pinChecked(Status::success(), f.now);
    f.flow.tick(f.now + f.cfg.admin_idle);
    CHECK(f.flow.screen() == Screen::Welcome);

    // Closing the window asks for the PIN; during a ballot it is ignored.
    f.act(intent::RequestExit{});
    CHECK(f.flow.screen() == Screen::Pin);
    CHECK(f.flow.pinPurpose() == PinPurpose::Exit);
    f.typePin("975318");
    f.act(intent::PinSubmit{});
    CHECK(has<command::Exit>(f.flow.pinChecked(Status::success(), f.now)));

    F g;
    g.startBallot();
    CHECK(g.act(intent::RequestExit{}).empty());
    CHECK(g.flow.screen() == Screen::Subject);
}

TEST_CASE("Intents that do not belong to the current screen change nothing") {
    F f;
    CHECK(f.act(intent::Confirm{}).empty());
    CHECK(f.act(intent::Next{}).empty());
    CHECK(f.act(intent::Key{'A'}).empty());
    CHECK(f.act(intent::Finish{}).empty());
    CHECK(f.act(intent::GoToPage{0}).empty());
    CHECK(f.act(intent::PinKey{'1'}).empty());
    CHECK(f.flow.screen() == Screen::Welcome);
    CHECK(f.flow.tokenChecked(f.place(), f.now).empty()); // no check was asked for
    CHECK(f.flow.castDone(std::string("X"), f.now).empty());
    CHECK(f.flow.screen() == Screen::Welcome);
}

TEST_CASE("The review marks choices over the grade quota and will not cast until they change") {
    F f;
    f.c.grade_quota = {"A", 30}; // U1 has six chiefs: floor(1.8) = one 优秀 per item
    f.startBallot();
    for (std::size_t p = 0; p < f.flow.pages(); ++p) {
        f.rateAll(p < 2 ? 0 : 1); // the first two pages all 优秀
        f.act(intent::Next{});
    }
    f.act(intent::Next{}); // comments -> review, although the quota is broken
    REQUIRE(f.flow.screen() == Screen::Review);
    CHECK(f.flow.message().id == "ballot.grade_quota");
    CHECK(f.flow.quotaExcess().size() == 5); // every item of the chiefs' questionnaire
    for (std::size_t i = 0; i < 5; ++i) {
        CHECK(f.flow.overQuota(0, i));
        CHECK(f.flow.overQuota(1, i));
        CHECK_FALSE(f.flow.overQuota(2, i));
    }
    // The message names the item and both subjects.
    std::string zh = tr(Lang::Zh, f.flow.message().id, f.flow.message().args);
    CHECK(zh.find(f.flow.subjectAt(0).name) != std::string::npos);
    CHECK(zh.find(f.flow.subjectAt(1).name) != std::string::npos);
    CHECK(zh.find("业务素质") != std::string::npos);
    CHECK(f.act(intent::Confirm{}).empty()); // no Cast
    CHECK(f.flow.screen() == Screen::Review);
    CHECK(f.flow.message().id == "ballot.grade_quota");

    // Change page 1 to 良好 except one item: the quota holds for the rest, not for that item.
    f.act(intent::GoToPage{1});
    f.rateAll(1);
    f.act(intent::Rate{4, std::size_t{0}});
    CHECK(f.flow.quotaExcess().size() == 1);
    CHECK(f.flow.overQuota(1, 4));
    CHECK_FALSE(f.flow.overQuota(1, 0));
    f.act(intent::Rate{4, std::size_t{1}});
    CHECK(f.flow.quotaExcess().empty());
    for (std::size_t p = 1; p < f.flow.pages(); ++p)
        f.act(intent::Next{});
    f.act(intent::Next{});
    REQUIRE(f.flow.screen() == Screen::Review);
    CHECK(f.flow.message().empty());
    auto cmds = f.act(intent::Confirm{});
    REQUIRE(cmds.size() == 1);
    CHECK(std::holds_alternative<command::Cast>(cmds[0]));
}

TEST_CASE("The subject pages follow the campaign's subject order") {
    F f;
    f.c.subject_order = SubjectOrder::Stroke;
    f.startBallot();
    std::vector<std::string> names;
    for (std::size_t p = 0; p < f.flow.pages(); ++p)
        names.push_back(f.flow.subjectAt(p).name);
    // Listed: 王建国 李秀英 张志强 刘芳 陈明 杨磊; by strokes 王 4, 刘 6, then 张 李 杨 陈.
    CHECK(names == std::vector<std::string>{"王建国", "刘芳", "张志强", "李秀英", "杨磊", "陈明"});
    // The ballot itself is as every ballot: each subject rated, whatever the page order.
    f.act(intent::Cancel{});
    f.c.subject_order = SubjectOrder::Listed;
    f.startBallot();
    CHECK(f.flow.subjectAt(1).name == "李秀英");
}

TEST_CASE("Every message the kiosk shows is in the catalog in both languages") {
    for (const char* id : {"kiosk.admin",
                           "kiosk.cancel",
                           "kiosk.back",
                           "kiosk.next",
                           "kiosk.welcome.title",
                           "kiosk.welcome.meetings",
                           "kiosk.welcome.none",
                           "kiosk.welcome.start",
                           "kiosk.welcome.hint",
                           "kiosk.token.title",
                           "kiosk.token.hint",
                           "kiosk.token.backspace",
                           "kiosk.token.clear",
                           "kiosk.token.ok",
                           "kiosk.subject.progress",
                           "kiosk.subject.report",
                           "kiosk.subject.commitments",
                           "kiosk.subject.items",
                           "kiosk.subject.incomplete",
                           "kiosk.comments.title",
                           "kiosk.comments.hint",
                           "kiosk.comments.count",
                           "kiosk.review.title",
                           "kiosk.review.edit",
                           "kiosk.review.comment",
                           "kiosk.review.note",
                           "kiosk.review.confirm",
                           "kiosk.review.over_quota",
                           "ballot.grade_quota",
                           "kiosk.receipt.title",
                           "kiosk.receipt.code",
                           "kiosk.receipt.note",
                           "kiosk.receipt.done",
                           "kiosk.receipt.auto",
                           "kiosk.locked.title",
                           "kiosk.locked.body",
                           "kiosk.locked.unlock",
                           "kiosk.pin.start",
                           "kiosk.pin.admin",
                           "kiosk.pin.unlock",
                           "kiosk.pin.exit",
                           "kiosk.pin.wrong_left",
                           "kiosk.pin.wait",
                           "kiosk.pin.unsaved",
                           "kiosk.pin_locked.title",
                           "kiosk.pin_locked.body",
                           "kiosk.pin_locked.staff",
                           "kiosk.idle.title",
                           "kiosk.idle.body",
                           "kiosk.idle.continue",
                           "kiosk.admin.title",
                           "kiosk.admin.meetings",
                           "kiosk.admin.open",
                           "kiosk.admin.closed",
                           "kiosk.admin.display",
                           "kiosk.admin.export",
                           "kiosk.admin.export_do",
                           "kiosk.admin.additions",
                           "kiosk.admin.additions_do",
                           "kiosk.admin.no_additions",
                           "kiosk.admin.pin",
                           "kiosk.admin.pin_fields",
                           "kiosk.admin.pin_do",
                           "kiosk.admin.pin_changed",
                           "kiosk.admin.close",
                           "kiosk.admin.exit",
                           "kiosk.no_font",
                           "kiosk.no_display",
                           "kiosk.usage",
                           "token.meeting_closed",
                           "tablet.wrong_pin",
                           "bundle.exported",
                           "tablet.tokens_added",
                           "tablet.status.campaign",
                           "tablet.status.device",
                           "tablet.status.organiser",
                           "tablet.status.counts",
                           "secret.mismatch"}) {
        INFO(id);
        CHECK(hasMessage(id));
        CHECK(tr(Lang::Zh, id) != tr(Lang::En, id));
    }
}

TEST_CASE("A comment with a bidi override or an invisible character is named on the comments "
          "screen, before the review") {
    F f;
    f.startBallot();
    for (std::size_t p = 0; p < f.flow.pages(); ++p) {
        f.rateAll(1);
        f.act(intent::Next{});
    }
    REQUIRE(f.flow.screen() == Screen::Comments);
    f.act(intent::SetComment{1, "服务\u202e好很"});
    f.act(intent::Next{});
    CHECK(f.flow.screen() == Screen::Comments);
    CHECK(f.flow.message().id == "ballot.comment_bad_char");
    CHECK(f.flow.message().args[1] == "U+202E");
    CHECK(f.flow.message().args[2] == "3");
    f.act(intent::SetComment{1, "服务\u200b好"});
    f.act(intent::Next{});
    CHECK(f.flow.message().args[1] == "U+200B");
    f.act(intent::SetComment{1, "服务好，“办事快”！\n谢谢。"});
    f.act(intent::Next{});
    CHECK(f.flow.screen() == Screen::Review);
}

TEST_CASE("After a crash before the receipt, the welcome says the last ballot was stored and the "
          "token shows its receipt again, not counted as a wrong token") {
    FlowInit init = F::unlocked();
    init.last_receipt_unshown = true;
    F f(init);
    CHECK(f.flow.screen() == Screen::Welcome);
    CHECK(f.flow.lastReceiptUnshown());
    f.act(intent::Start{});
    f.typeToken(tokenFromValues(std::vector<std::uint8_t>(15, 3)));
    auto cmds = f.flow.tokenChecked(
        Error::make(ErrorKind::Conflict, "token.already_stored", {"ABCDE-FGHJK"}), f.now);
    CHECK(cmds.empty()); // no wrong-token count saved
    CHECK(f.flow.wrongTokens() == 0);
    CHECK(f.flow.screen() == Screen::Receipt);
    CHECK(f.flow.receiptCode() == "ABCDE-FGHJK");
    CHECK(f.flow.receiptAlreadyStored());
    CHECK(!f.flow.inBallot());
    // Seen: the store wipes its mark, then folds.
    cmds = f.act(intent::Finish{});
    REQUIRE(cmds.size() == 2);
    CHECK(std::holds_alternative<command::ReceiptShown>(cmds[0]));
    CHECK(std::holds_alternative<command::FoldJournal>(cmds[1]));
    CHECK(f.flow.screen() == Screen::Welcome);
    CHECK(!f.flow.lastReceiptUnshown());
    CHECK(!f.flow.receiptAlreadyStored());
}

TEST_CASE("A receipt left on the screen until it times out also wipes the store's mark") {
    F f;
    f.startBallot();
    for (std::size_t p = 0; p < f.flow.pages(); ++p) {
        f.rateAll(0);
        f.act(intent::Next{});
    }
    f.act(intent::Next{});
    f.act(intent::Confirm{});
    f.flow.castDone(std::string("22222-33333"), f.now);
    CHECK(!f.flow.receiptAlreadyStored());
    auto cmds = f.flow.tick(f.now + f.cfg.receipt_shown);
    CHECK(has<command::ReceiptShown>(cmds));
    CHECK(has<command::FoldJournal>(cmds));
}
