#include "app/kiosk/flow.hpp"

#include <algorithm>

namespace pingyi::kiosk {

namespace {
template <class... F> struct Overload : F... { using F::operator()...; };
template <class... F> Overload(F...) -> Overload<F...>;

Message toMessage(const Error& e) {
    return Message{e.id, e.args};
}
char upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
const std::string kEmpty;
} // namespace

Flow::Flow(const Campaign& campaign, FlowInit init, FlowConfig config, Millis now)
    : c_(campaign), cfg_(config), locked_(init.locked), wrong_tokens_(init.wrong_tokens),
      device_unlocked_(init.device_unlocked), pin_failures_(std::max(0, init.pin_failures)),
      open_(std::move(init.open_meetings)), receipt_unshown_(init.last_receipt_unshown),
      last_touch_(now) {
    pin_not_before_ =
        now + std::clamp(init.pin_wait, Millis(0), Millis(pinDelayAfter(pin_failures_)));
    if (pin_failures_ >= kPinMaxFailures) {
        screen_ = Screen::PinLocked;
    } else if (!device_unlocked_) {
        screen_ = Screen::Pin;
        pin_purpose_ = PinPurpose::Start;
    } else {
        screen_ = locked_ ? Screen::Locked : Screen::Welcome;
    }
}

void Flow::touch(Millis now) {
    last_touch_ = now;
    idle_warning_ = false;
}

int Flow::pinWaitSeconds(Millis now) const {
    auto left = (pin_not_before_ - now).count();
    return left <= 0 ? 0 : static_cast<int>((left + 999) / 1000);
}

bool Flow::ballotScreen() const {
    return screen_ == Screen::Token || screen_ == Screen::Subject || screen_ == Screen::Comments ||
           screen_ == Screen::Review;
}

Commands Flow::go(Screen s, Millis now) {
    screen_ = s;
    message_ = {};
    touch(now);
    return {};
}

Commands Flow::discardBallot(Millis now) {
    if (ballot_) {
        ballot_->answers.wipe(); // nothing of an abandoned ballot is kept
        ballot_.reset();
    }
    std::fill(typed_.begin(), typed_.end(), '\0');
    typed_.clear();
    cast_pending_ = token_pending_ = false;
    return go(locked_ ? Screen::Locked : Screen::Welcome, now);
}

Commands Flow::wrongToken(const Error& e) {
    Commands out;
    ++wrong_tokens_;
    typed_.clear();
    out.push_back(command::SaveSetting{kSettingWrongTokens, std::to_string(wrong_tokens_)});
    if (wrong_tokens_ >= cfg_.max_wrong_tokens) {
        locked_ = true;
        out.push_back(command::SaveSetting{kSettingLocked, "1"});
        screen_ = Screen::Locked;
        message_ = {};
        return out;
    }
    message_ = toMessage(e);
    return out;
}

bool Flow::meetingOpen(const std::string& meeting_id) const {
    return !open_ || open_->count(meeting_id) > 0;
}

std::vector<MeetingRef> Flow::openMeetings() const {
    std::vector<MeetingRef> out;
    for (auto& m : c_.meetings())
        if (meetingOpen(m.id())) out.push_back(m);
    return out;
}

void Flow::setOpenMeetings(std::optional<std::set<std::string>> open) {
    open_ = std::move(open);
}

const Subject& Flow::subjectAt(std::size_t page) const {
    return c_.subjects[ballot_->subjects.at(page)];
}

const Questionnaire& Flow::questionnaireAt(std::size_t page) const {
    return *c_.questionnaire(subjectAt(page).questionnaire);
}

std::optional<std::optional<std::size_t>> Flow::choice(std::size_t page, std::size_t item) const {
    const Subject& s = subjectAt(page);
    const Questionnaire& q = questionnaireAt(page);
    if (item >= q.items.size()) return std::nullopt;
    auto sit = ballot_->answers.ratings.find(s.id);
    if (sit == ballot_->answers.ratings.end()) return std::nullopt;
    auto it = sit->second.find(q.items[item].id);
    if (it == sit->second.end()) return std::nullopt;
    if (!it->second) return std::optional<std::size_t>{};
    for (std::size_t l = 0; l < c_.scale.levels.size(); ++l)
        if (c_.scale.levels[l].id == *it->second) return std::optional<std::size_t>{l};
    return std::nullopt;
}

bool Flow::pageComplete(std::size_t page) const {
    const Questionnaire& q = questionnaireAt(page);
    for (std::size_t i = 0; i < q.items.size(); ++i)
        if (!choice(page, i)) return false;
    return true;
}

std::vector<GradeQuotaExcess> Flow::quotaExcess() const {
    if (!ballot_) return {};
    return checkGradeQuota(c_, ballot_->place.meeting, ballot_->answers);
}

bool Flow::overQuota(std::size_t page, std::size_t item) const {
    if (!ballot_ || page >= ballot_->subjects.size()) return false;
    const std::size_t si = ballot_->subjects[page];
    for (auto& e : quotaExcess())
        if (e.item == item &&
            std::find(e.subjects.begin(), e.subjects.end(), si) != e.subjects.end())
            return true;
    return false;
}

const std::string& Flow::comment(std::size_t page) const {
    auto it = ballot_->answers.comments.find(subjectAt(page).id);
    return it == ballot_->answers.comments.end() ? kEmpty : it->second;
}

int Flow::secondsUntilDiscard(Millis now) const {
    auto left = last_touch_ + cfg_.idle_warning + cfg_.idle_discard - now;
    return static_cast<int>(std::max<std::int64_t>(0, (left.count() + 999) / 1000));
}

Commands Flow::handle(const Intent& in, Millis now) {
    touch(now);
    const Screen s = screen_;
    return std::visit(
        Overload{
            [&](const intent::Start&) -> Commands {
                if (s != Screen::Welcome) return {};
                if (locked_) return go(Screen::Locked, now);
                typed_.clear();
                return go(Screen::Token, now);
            },
            [&](const intent::Key& k) -> Commands {
                if (s != Screen::Token || token_pending_) return {};
                char c = upper(k.symbol);
                if (kTokenAlphabet.find(c) == std::string_view::npos) return {};
                if (typed_.size() >= kTokenLength) return {};
                typed_.push_back(c);
                message_ = {};
                // The last symbol submits by itself: one tap fewer for the representative.
                if (typed_.size() == kTokenLength) return handle(intent::SubmitToken{}, now);
                return {};
            },
            [&](const intent::Backspace&) -> Commands {
                if (s == Screen::Token && !typed_.empty()) typed_.pop_back();
                message_ = {};
                return {};
            },
            [&](const intent::ClearToken&) -> Commands {
                if (s == Screen::Token) typed_.clear();
                message_ = {};
                return {};
            },
            [&](const intent::SubmitToken&) -> Commands {
                if (s != Screen::Token || token_pending_) return {};
                auto t = parseToken(typed_);
                if (!t) { // a typo the check symbol caught: not counted as a wrong token
                    message_ = toMessage(t.error());
                    return {};
                }
                pending_token_ = *t;
                token_pending_ = true;
                return {command::CheckToken{*t}};
            },
            [&](const intent::Cancel&) -> Commands {
                switch (s) {
                case Screen::Token:
                case Screen::Subject:
                case Screen::Comments:
                case Screen::Review:
                    return discardBallot(now);
                case Screen::Pin:
                    if (pin_purpose_ == PinPurpose::Start || pin_pending_) return {};
                    pin_.clear();
                    return go(pin_return_, now);
                case Screen::Welcome:
                case Screen::Receipt:
                case Screen::Locked:
                case Screen::Admin:
                case Screen::PinLocked:
                    return {};
                }
                return {};
            },
            [&](const intent::Rate& r) -> Commands {
                if (s != Screen::Subject) return {};
                const Subject& subj = subjectAt(ballot_->page);
                const Questionnaire& q = questionnaireAt(ballot_->page);
                if (r.item >= q.items.size()) return {};
                if (r.level && *r.level >= c_.scale.levels.size()) return {};
                std::optional<std::string> level;
                if (r.level) level = c_.scale.levels[*r.level].id;
                ballot_->answers.ratings[subj.id][q.items[r.item].id] = level;
                message_ = {};
                return {};
            },
            [&](const intent::Next&) -> Commands {
                if (s == Screen::Subject) {
                    if (!pageComplete(ballot_->page)) {
                        message_ = {"kiosk.subject.incomplete", {}};
                        return {};
                    }
                    if (ballot_->page + 1 < ballot_->subjects.size()) {
                        ++ballot_->page;
                        message_ = {};
                        return {};
                    }
                    return go(Screen::Comments, now);
                }
                if (s == Screen::Comments) {
                    // The same check the store makes when casting (core's buildBallot), so a
                    // comment too long is said here, before the review.
                    auto b = buildBallot(c_, Hash32{}, ballot_->place.meeting, Hash32{},
                                         ballot_->answers);
                    if (!b && b.error().id == "ballot.grade_quota") {
                        // Shown on the review, with the choices marked, until changed.
                        go(Screen::Review, now);
                        message_ = toMessage(b.error());
                        return {};
                    }
                    if (!b) {
                        message_ = toMessage(b.error());
                        return {};
                    }
                    b->wipe();
                    return go(Screen::Review, now);
                }
                return {};
            },
            [&](const intent::Back&) -> Commands {
                if (s == Screen::Subject && ballot_->page > 0) {
                    --ballot_->page;
                    message_ = {};
                } else if (s == Screen::Comments) {
                    ballot_->page = ballot_->subjects.size() - 1;
                    return go(Screen::Subject, now);
                } else if (s == Screen::Review) {
                    return go(Screen::Comments, now);
                }
                return {};
            },
            [&](const intent::GoToPage& g) -> Commands {
                if ((s != Screen::Review && s != Screen::Comments) ||
                    g.page >= ballot_->subjects.size())
                    return {};
                ballot_->page = g.page;
                return go(Screen::Subject, now);
            },
            [&](const intent::SetComment& sc) -> Commands {
                if (s != Screen::Comments || sc.page >= ballot_->subjects.size()) return {};
                const std::string& id = subjectAt(sc.page).id;
                if (sc.text.empty())
                    ballot_->answers.comments.erase(id);
                else
                    ballot_->answers.comments[id] = sc.text;
                message_ = {};
                return {};
            },
            [&](const intent::Confirm&) -> Commands {
                if (s != Screen::Review || cast_pending_) return {};
                if (auto over = quotaExcess(); !over.empty()) {
                    message_ = toMessage(gradeQuotaError(c_, over.front()));
                    return {};
                }
                cast_pending_ = true;
                return {command::Cast{}};
            },
            [&](const intent::Finish&) -> Commands {
                if (s != Screen::Receipt) return {};
                receipt_.clear();
                receipt_again_ = receipt_unshown_ = false;
                go(locked_ ? Screen::Locked : Screen::Welcome, now);
                return {command::ReceiptShown{}, command::FoldJournal{}};
            },
            [&](const intent::StillHere&) -> Commands { return {}; },
            [&](const intent::OpenAdmin&) -> Commands {
                if (s != Screen::Welcome && s != Screen::Locked) return {};
                pin_purpose_ = s == Screen::Locked ? PinPurpose::Unlock : PinPurpose::Admin;
                pin_return_ = s;
                pin_.clear();
                return go(Screen::Pin, now);
            },
            [&](const intent::RequestExit&) -> Commands {
                if (s == Screen::Admin) return {command::Exit{}};
                if (s != Screen::Welcome && s != Screen::Locked) return {};
                pin_purpose_ = PinPurpose::Exit;
                pin_return_ = s;
                pin_.clear();
                return go(Screen::Pin, now);
            },
            [&](const intent::PinKey& k) -> Commands {
                if (s != Screen::Pin || pin_pending_ || now < pin_not_before_) return {};
                if (k.digit < '0' || k.digit > '9' || pin_.size() >= cfg_.max_pin_length) return {};
                pin_.push_back(k.digit);
                message_ = {};
                return {};
            },
            [&](const intent::PinBackspace&) -> Commands {
                if (s == Screen::Pin && !pin_.empty()) pin_.pop_back();
                return {};
            },
            [&](const intent::PinSubmit&) -> Commands { return onPinSubmit(now); },
            [&](const intent::CloseAdmin&) -> Commands {
                if (s != Screen::Admin) return {};
                return go(locked_ ? Screen::Locked : Screen::Welcome, now);
            },
        },
        in);
}

Commands Flow::onPinSubmit(Millis now) {
    if (screen_ != Screen::Pin || pin_pending_ || pin_.empty()) return {};
    if (pin_failures_ >= kPinMaxFailures) return {};
    if (now < pin_not_before_) { // the keypad is shut while the wait runs: nothing is tried
        std::fill(pin_.begin(), pin_.end(), '\0');
        pin_.clear();
        message_ = {};
        return {};
    }
    if (pin_.size() < cfg_.min_pin_length) { // can never be right: said, not counted
        message_ = {"pin.too_short",
                    {std::to_string(pin_.size()), std::to_string(cfg_.min_pin_length)}};
        std::fill(pin_.begin(), pin_.end(), '\0');
        pin_.clear();
        return {};
    }
    pin_pending_ = true;
    // Counted as wrong until the store proves it right (see command::SavePinGuard).
    ++pin_failures_;
    Millis wait = pinDelayAfter(pin_failures_);
    pin_not_before_ = now + wait;
    Commands out{command::SavePinGuard{pin_failures_, wait},
                 command::VerifyPin{pin_, pin_purpose_}};
    std::fill(pin_.begin(), pin_.end(), '\0');
    pin_.clear();
    return out;
}

Commands Flow::pinChecked(const Status& result, Millis now) {
    if (screen_ != Screen::Pin || !pin_pending_) return {};
    pin_pending_ = false;
    if (!result) {
        if (result.error().kind != ErrorKind::Auth) { // not a wrong PIN: take the count back
            pin_failures_ = std::max(0, pin_failures_ - 1);
            pin_not_before_ = now;
            message_ = toMessage(result.error());
            return {command::SavePinGuard{pin_failures_, Millis(0)}};
        }
        if (pin_failures_ >= kPinMaxFailures) {
            go(Screen::PinLocked, now);
            return {};
        }
        message_ = {"kiosk.pin.wrong_left", {std::to_string(pinTriesLeft())}};
        return {};
    }
    Commands out;
    if (pin_failures_ > 0) out.push_back(command::SavePinGuard{0, Millis(0)});
    pin_failures_ = 0;
    pin_not_before_ = now;
    switch (pin_purpose_) {
    case PinPurpose::Start:
        device_unlocked_ = true;
        go(locked_ ? Screen::Locked : Screen::Welcome, now);
        return out;
    case PinPurpose::Admin:
        go(Screen::Admin, now);
        return out;
    case PinPurpose::Unlock: {
        locked_ = false;
        wrong_tokens_ = 0;
        go(Screen::Welcome, now);
        out.push_back(command::SaveSetting{kSettingLocked, "0"});
        out.push_back(command::SaveSetting{kSettingWrongTokens, "0"});
        return out;
    }
    case PinPurpose::Exit:
        out.push_back(command::Exit{});
        return out;
    }
    return out;
}

Commands Flow::tokenChecked(const Result<TokenPlace>& place, Millis now) {
    if (!token_pending_) return {};
    token_pending_ = false;
    if (screen_ != Screen::Token) return {};
    if (!place) {
        const Error& e = place.error();
        if (e.id == "token.already_stored" && !e.args.empty()) {
            // The last ballot's voter, whose receipt a crash kept from the screen: show it now.
            typed_.clear();
            receipt_ = e.args[0];
            receipt_again_ = true;
            receipt_at_ = now;
            return go(Screen::Receipt, now);
        }
        if (e.kind == ErrorKind::NotFound || e.kind == ErrorKind::Conflict) return wrongToken(e);
        message_ = toMessage(e); // the store failed: not the representative's fault
        return {};
    }
    if (!meetingOpen(place->meeting.id()))
        return wrongToken(
            Error::make(ErrorKind::Conflict, "token.meeting_closed", {place->meeting.id()}));
    Commands out;
    if (wrong_tokens_ > 0) {
        wrong_tokens_ = 0;
        out.push_back(command::SaveSetting{kSettingWrongTokens, "0"});
    }
    BallotInProgress b;
    b.token = pending_token_;
    b.place = *place;
    b.subjects = orderedSubjectsOf(c_, place->meeting.unit);
    typed_.clear();
    if (b.subjects.empty()) { // a valid campaign never has this; say so rather than crash
        message_ = {"campaign.unit_without_subjects", {"", place->meeting.unit}};
        return out;
    }
    ballot_ = std::move(b);
    go(Screen::Subject, now);
    return out;
}

Commands Flow::castDone(const Result<std::string>& receipt_code, Millis now) {
    if (!cast_pending_) return {};
    cast_pending_ = false;
    if (!receipt_code) {
        message_ = toMessage(receipt_code.error()); // nothing was stored; the ballot stays
        return {};
    }
    if (ballot_) {
        ballot_->answers.wipe();
        ballot_.reset();
    }
    receipt_ = *receipt_code;
    receipt_again_ = false;
    receipt_at_ = now;
    return go(Screen::Receipt, now);
}

Commands Flow::tick(Millis now) {
    if (screen_ == Screen::Receipt && now - receipt_at_ >= cfg_.receipt_shown)
        return handle(intent::Finish{}, now);
    if (screen_ == Screen::Admin && now - last_touch_ >= cfg_.admin_idle)
        return go(locked_ ? Screen::Locked : Screen::Welcome, now);
    if (ballotScreen() && !cast_pending_) {
        if (now - last_touch_ >= cfg_.idle_warning + cfg_.idle_discard) {
            return discardBallot(now);
        }
        if (now - last_touch_ >= cfg_.idle_warning) idle_warning_ = true;
    }
    return {};
}

std::optional<Millis> Flow::nextDeadline(Millis now) const {
    switch (screen_) {
    case Screen::Receipt:
        return receipt_at_ + cfg_.receipt_shown;
    case Screen::Admin:
        return last_touch_ + cfg_.admin_idle;
    case Screen::Token:
    case Screen::Subject:
    case Screen::Comments:
    case Screen::Review: {
        if (!idle_warning_) return last_touch_ + cfg_.idle_warning;
        // While the warning counts down, wake when the shown number of seconds changes.
        Millis end = last_touch_ + cfg_.idle_warning + cfg_.idle_discard;
        if (now >= end) return now;
        auto left = (end - now).count();
        return now + Millis((left - 1) % 1000 + 1);
    }
    case Screen::Pin: {
        if (now >= pin_not_before_) return std::nullopt;
        // While the wait counts down, wake when the shown number of seconds changes.
        auto left = (pin_not_before_ - now).count();
        return now + Millis((left - 1) % 1000 + 1);
    }
    case Screen::Welcome:
    case Screen::Locked:
    case Screen::PinLocked:
        return std::nullopt;
    }
    return std::nullopt;
}

} // namespace pingyi::kiosk
