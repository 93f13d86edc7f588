// The kiosk's screens: each takes a view-model (what it shows) and returns an Action (what the
// person asked for). Screens draw with ImGui and read the catalog; they hold no rule, touch no
// store, file or clock. The app loop (Kiosk) carries the action to the flow or the store.
#pragma once

#include "app/kiosk/flow.hpp"
#include "app/ui/ui.hpp"
#include "core/catalog.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pingyi::kiosk {

// What the administrator asked for (run by Kiosk against the store).
namespace admin {
struct ToggleMeeting {
    std::string meeting;
};
struct SetLanguage {
    Lang lang;
};
struct SetTextSize {
    int percent;
};
struct ExportBundle {
    std::string path;
};
struct AddTokens { // a token additions file (.pya) or a folder of them
    std::string path;
};
struct LoadFile { // a file listed from the USB folder: token additions or a campaign package
    std::string path;
};
struct Sync { // push the envelopes not yet acknowledged to the collector at `url`
    std::string url;
};
struct ChangePin {
    std::string old_pin, new_pin, repeat;
};
} // namespace admin
using AdminAction =
    std::variant<admin::ToggleMeeting, admin::SetLanguage, admin::SetTextSize, admin::ExportBundle,
                 admin::AddTokens, admin::ChangePin, admin::LoadFile, admin::Sync>;

using Action = std::variant<std::monostate, Intent, AdminAction>;

// Shared by every screen.
struct ScreenContext {
    Lang lang = Lang::Zh;
    const ui::Fonts* fonts = nullptr;
    ImVec2 size{1280, 800};
    bool portrait() const { return size.y > size.x; }
};

// Picks the English text when the language is English and one exists.
const std::string& pick(Lang lang, const std::string& zh, const std::string& en);
std::string text(const ScreenContext& cx, const Message& m);

namespace screen {

struct WelcomeView {
    std::string campaign;
    std::string device_label;
    std::vector<std::string> meetings; // open meetings, named
    bool last_stored = false; // the last ballot was stored, its receipt perhaps never shown
};
Action welcome(const ScreenContext& cx, const WelcomeView& v);

struct TokenView {
    std::string typed; // canonical symbols typed so far
    Message message;
};
Action token(const ScreenContext& cx, const TokenView& v);

struct SubjectView {
    std::size_t page = 0, pages = 0;
    const Subject* subject = nullptr;
    std::string unit;
    const Questionnaire* questionnaire = nullptr;
    const Scale* scale = nullptr;
    // Per item: nullopt = not chosen; a value of nullopt = 不了解.
    std::vector<std::optional<std::optional<std::size_t>>> choices;
    Message message;
};
Action subject(const ScreenContext& cx, const SubjectView& v);

// The comment boxes edit these buffers (owned by the Kiosk and wiped when the ballot ends).
struct CommentsView {
    std::vector<std::string> names; // "name (position)" per page
    std::vector<std::string>* buffers = nullptr;
    std::uint32_t limit = 200; // characters per subject
    Message message;
};
Action comments(const ScreenContext& cx, const CommentsView& v);

struct ReviewRow {
    std::string name;
    std::vector<std::pair<std::string, std::string>> items; // item name, chosen level name
    std::vector<bool> over_quota; // per item: this choice breaks the grade quota (may be empty)
    std::string comment;
};
struct ReviewView {
    std::vector<ReviewRow> rows;
    Message message;
};
Action review(const ScreenContext& cx, const ReviewView& v);

struct ReceiptView {
    std::string code;
    int seconds_left = 0;
    bool already_stored = false; // repeating the receipt of a ballot stored earlier
};
Action receipt(const ScreenContext& cx, const ReceiptView& v);

Action locked(const ScreenContext& cx);

struct PinView {
    PinPurpose purpose = PinPurpose::Start;
    std::size_t length = 0;
    Message message;
    int wait_seconds = 0; // > 0: after wrong PINs, the keypad is shut this long
    int tries_left = kPinMaxFailures;
    std::size_t min_length = kPinMinDigits;
};
Action pin(const ScreenContext& cx, const PinView& v);

// After kPinMaxFailures wrong PINs: no keypad, no button; tells staff to bring the tablet to
// central staff, who reset the PIN with the organiser key.
struct PinLockedView {
    int failures = kPinMaxFailures;
};
Action pinLocked(const ScreenContext& cx, const PinLockedView& v);

// The administrator screen's pages.
enum class AdminTab { Tablet, Transfer, Usb, Settings };

// Text the administrator types (paths, PINs) and the page shown: screen-side editing state,
// owned by the Kiosk.
struct AdminBuffers {
    AdminTab tab = AdminTab::Tablet;
    std::string bundle_path = "/media/usb/pingyi";
    std::string usb_path = "/media/usb"; // where campaign packages and additions are listed
    std::string sync_url;                // the collector's address (the last one used)
    std::string old_pin, new_pin, repeat_pin;
    void wipePins();
};
struct AdminMeeting {
    std::string id, name;
    bool open = false;
};
struct AdminView {
    std::string campaign, campaign_id, device_label, fingerprint, organiser;
    std::int64_t cast = 0, exported = 0, acknowledged = 0;
    std::size_t tokens_known = 0;
    std::vector<AdminMeeting> meetings;
    int text_percent = 100;
    std::string status; // the result of the last action, already rendered
    bool status_error = false;
    AdminBuffers* buffers = nullptr;
    std::vector<std::string> usb_files; // .pyp and .pya files in buffers->usb_path
    bool usb_missing = false;           // that folder does not exist
    bool syncing = false;               // a sync runs: its progress below
    std::size_t sync_acknowledged = 0, sync_total = 0;
    bool sync_connected = false; // the collector answered and the count is known
};
Action administrator(const ScreenContext& cx, const AdminView& v);

// Drawn over a ballot's page when nobody has touched the screen for a while.
Action idleWarning(const ScreenContext& cx, int seconds_left);

} // namespace screen
} // namespace pingyi::kiosk
