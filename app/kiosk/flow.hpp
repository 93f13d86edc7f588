// The kiosk's flow as a pure state machine: which screen is shown, what the representative has
// typed and chosen, and the timers. No ImGui, no store, no clock: every call takes `now`, and
// whatever needs the outside world (checking a token, casting, the PIN, a setting) is returned
// as a Command for the app loop to run, whose result comes back through a *Done() call.
// The flow decides nothing about ballots that core or the store decide: casting is the store's
// one transaction (TabletStore::cast), and its errors are shown as they come.
#pragma once

#include "core/ballot.hpp"
#include "core/campaign.hpp"
#include "core/package.hpp"
#include "core/pin.hpp"
#include "core/result.hpp"
#include "core/rules.hpp"
#include "core/token.hpp"

#include <algorithm>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

namespace pingyi::kiosk {

using Millis = std::chrono::milliseconds;

enum class Screen {
    Pin,       // the administrator types the PIN (purpose says why)
    Welcome,   // campaign and open meetings named; "start"
    Token,     // the keypad
    Subject,   // one page per subject
    Comments,  // optional comments, one box per subject
    Review,    // every choice, confirm
    Receipt,   // the receipt code, large
    Locked,    // too many wrong tokens in a row
    Admin,     // behind the PIN
    PinLocked, // kPinMaxFailures wrong PINs in a row: no PIN is taken; central staff reset it
};

enum class PinPurpose {
    Start,  // unlock the device key when the kiosk starts
    Admin,  // open the administrator screen
    Unlock, // lift the lockout
    Exit,   // leave kiosk mode
};

// A catalog message (id + arguments); an empty id means none.
struct Message {
    std::string id;
    std::vector<std::string> args;
    bool empty() const { return id.empty(); }
};

struct FlowConfig {
    Millis idle_warning{90'000}; // no touch this long during a ballot: warn
    Millis idle_discard{30'000}; // then, if still untouched, discard the ballot
    Millis receipt_shown{20'000};
    int max_wrong_tokens = 5; // unknown, used or closed-meeting tokens in a row before locking
    // The keypad takes what the PIN rule allows (core/pin.hpp): OK is refused below the minimum.
    std::size_t min_pin_length = kPinMinDigits;
    std::size_t max_pin_length = kPinMaxDigits;
    Millis admin_idle{300'000}; // the administrator screen closes itself after this
};

// What the flow starts from (read from the store's settings by the app).
struct FlowInit {
    bool locked = false;
    int wrong_tokens = 0;
    // Meetings that accept tokens on this tablet; nullopt (never set) means every meeting.
    std::optional<std::set<std::string>> open_meetings;
    bool device_unlocked = false; // false: start on the PIN screen
    // The store's mark: the last ballot was stored but its receipt may not have been shown
    // (TabletStore::lastReceiptUnshown). The welcome screen says so until a receipt is shown.
    bool last_receipt_unshown = false;
    // The store's wrong-PIN counter (TabletStore::PinGuard): wrong PINs in a row, and how long
    // from now before the next may be tried (capped at pinDelayAfter(pin_failures), so a clock
    // set back cannot stretch it). At kPinMaxFailures the flow starts on PinLocked.
    int pin_failures = 0;
    Millis pin_wait{0};
};

// Settings the flow writes (through the SaveSetting command).
inline constexpr const char* kSettingLocked = "kiosk.locked";
inline constexpr const char* kSettingWrongTokens = "kiosk.wrong_tokens";
inline constexpr const char* kSettingOpenMeetings = "kiosk.open_meetings";

// Intents: what a person asked for on a screen.
namespace intent {
struct Start {}; // welcome: begin a ballot
struct Key {     // token keypad
    char symbol;
};
struct Backspace {};
struct ClearToken {};
struct SubmitToken {};
struct Cancel {}; // token or PIN screen: go back; a ballot's pages: abandon it
struct Rate {     // current subject page: item index, level index or nullopt (不了解)
    std::size_t item;
    std::optional<std::size_t> level;
};
struct Next {};
struct Back {};
struct GoToPage { // review: edit a subject
    std::size_t page;
};
struct SetComment { // comments: subject page index, text (UTF-8)
    std::size_t page;
    std::string text;
};
struct Confirm {};   // review: cast
struct Finish {};    // receipt: done
struct StillHere {}; // idle warning: keep the ballot
struct OpenAdmin {}; // welcome or locked: ask for the PIN
struct RequestExit {};
struct PinKey {
    char digit;
};
struct PinBackspace {};
struct PinSubmit {};
struct CloseAdmin {};
} // namespace intent

using Intent =
    std::variant<intent::Start, intent::Key, intent::Backspace, intent::ClearToken,
                 intent::SubmitToken, intent::Cancel, intent::Rate, intent::Next, intent::Back,
                 intent::GoToPage, intent::SetComment, intent::Confirm, intent::Finish,
                 intent::StillHere, intent::OpenAdmin, intent::RequestExit, intent::PinKey,
                 intent::PinBackspace, intent::PinSubmit, intent::CloseAdmin>;

// Commands: what the app loop must do for the flow, then report back.
namespace command {
struct CheckToken { // run TabletStore::checkToken, report with tokenChecked()
    Token token;
};
struct Cast {}; // run TabletStore::cast(flow.token(), flow.answers(), key), report with castDone()
struct FoldJournal {};  // TabletStore::foldJournal (the screen is idle after a receipt)
struct ReceiptShown {}; // TabletStore::receiptShown: the receipt was on the screen, wipe the mark
struct VerifyPin {      // run TabletStore::unlockDeviceKey, report with pinChecked()
    std::string pin;
    PinPurpose purpose;
};
struct SaveSetting {
    std::string key, value;
};
// Store the wrong-PIN counter (TabletStore::setPinGuard): `failures` in a row, and no PIN
// before `wait` from now. Sent before VerifyPin, so a PIN is counted as wrong until proved
// right: switching the tablet off during the check does not win a free try. If saving fails,
// the app must not run the VerifyPin that follows (report it through pinChecked as an error).
struct SavePinGuard {
    int failures = 0;
    Millis wait{0};
};
struct Exit {}; // leave kiosk mode
} // namespace command

using Command =
    std::variant<command::CheckToken, command::Cast, command::FoldJournal, command::ReceiptShown,
                 command::VerifyPin, command::SaveSetting, command::SavePinGuard, command::Exit>;
using Commands = std::vector<Command>;

class Flow {
  public:
    // `campaign` must outlive the flow.
    Flow(const Campaign& campaign, FlowInit init, FlowConfig config, Millis now);

    Commands handle(const Intent& intent, Millis now);
    // Timers: idle warning, discarding an abandoned ballot, leaving the receipt screen.
    Commands tick(Millis now);
    // When tick() next has something to do, or the screen changes by itself (the idle
    // countdown), for SDL_WaitEventTimeout; nullopt: nothing is timed.
    std::optional<Millis> nextDeadline(Millis now) const;

    Commands tokenChecked(const Result<TokenPlace>& place, Millis now);
    Commands castDone(const Result<std::string>& receipt_code, Millis now);
    // A wrong PIN (kind Auth) stays counted; any other failure (the store, memory) is not the
    // administrator's and is taken back.
    Commands pinChecked(const Status& result, Millis now);
    // The administrator changed which meetings are open (the app saved the setting).
    void setOpenMeetings(std::optional<std::set<std::string>> open);

    // --- what the screens show
    Screen screen() const { return screen_; }
    PinPurpose pinPurpose() const { return pin_purpose_; }
    std::size_t pinLength() const { return pin_.size(); }
    int pinFailures() const { return pin_failures_; }
    int pinTriesLeft() const { return std::max(0, kPinMaxFailures - pin_failures_); }
    // Seconds before the next PIN may be tried (0: now), rounded up.
    int pinWaitSeconds(Millis now) const;
    const std::string& typedToken() const { return typed_; }
    const Message& message() const { return message_; } // the current screen's error, if any
    bool locked() const { return locked_; }
    int wrongTokens() const { return wrong_tokens_; }
    bool idleWarning() const { return idle_warning_; }
    // Seconds left before an abandoned ballot is discarded (while the warning shows).
    int secondsUntilDiscard(Millis now) const;
    bool meetingOpen(const std::string& meeting_id) const;
    std::vector<MeetingRef> openMeetings() const;

    // --- the ballot in progress (valid from Subject to Review)
    bool inBallot() const { return ballot_.has_value(); }
    const MeetingRef& meeting() const { return ballot_->place.meeting; }
    const std::string& category() const { return ballot_->place.category; }
    const Token& token() const { return ballot_->token; }
    const Answers& answers() const { return ballot_->answers; }
    std::size_t page() const { return ballot_->page; }
    std::size_t pages() const { return ballot_->subjects.size(); }
    const Subject& subjectAt(std::size_t page) const;
    const Questionnaire& questionnaireAt(std::size_t page) const;
    // The chosen level of an item on a page: nullopt = not chosen yet; a value of nullopt = 不了解.
    std::optional<std::optional<std::size_t>> choice(std::size_t page, std::size_t item) const;
    bool pageComplete(std::size_t page) const;
    const std::string& comment(std::size_t page) const;
    // The grade quota (优秀等次比例) the choices so far break: empty when kept or not set.
    // The review says so and Confirm is refused until the voter changes them.
    std::vector<GradeQuotaExcess> quotaExcess() const;
    bool overQuota(std::size_t page, std::size_t item) const; // this choice is one of them
    const std::string& receiptCode() const { return receipt_; }
    // The receipt screen repeats the receipt of a ballot stored earlier (token.already_stored).
    bool receiptAlreadyStored() const { return receipt_again_; }
    bool lastReceiptUnshown() const { return receipt_unshown_; }

    const Campaign& campaign() const { return c_; }
    const FlowConfig& config() const { return cfg_; }

  private:
    struct BallotInProgress {
        Token token;
        TokenPlace place;
        std::vector<std::size_t> subjects; // campaign subject indices
        Answers answers;
        std::size_t page = 0;
    };
    Commands go(Screen s, Millis now);
    Commands discardBallot(Millis now);
    Commands wrongToken(const Error& e);
    void touch(Millis now);
    bool ballotScreen() const;
    Commands onPinSubmit(Millis now);

    const Campaign& c_;
    FlowConfig cfg_;
    Screen screen_ = Screen::Welcome;
    PinPurpose pin_purpose_ = PinPurpose::Start;
    Screen pin_return_ = Screen::Welcome;
    std::string pin_;
    std::string typed_;
    Token pending_token_;
    Message message_;
    bool locked_ = false;
    int wrong_tokens_ = 0;
    bool device_unlocked_ = false;
    bool pin_pending_ = false;
    int pin_failures_ = 0;
    Millis pin_not_before_{0};
    bool cast_pending_ = false;
    bool token_pending_ = false;
    std::optional<std::set<std::string>> open_;
    std::optional<BallotInProgress> ballot_;
    std::string receipt_;
    bool receipt_again_ = false;
    bool receipt_unshown_ = false;
    Millis last_touch_{0};
    Millis receipt_at_{0};
    bool idle_warning_ = false;
};

} // namespace pingyi::kiosk
