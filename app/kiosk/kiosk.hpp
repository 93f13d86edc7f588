// The kiosk's app loop without a window: it owns the flow, draws the current screen (between
// ImGui::NewFrame and ImGui::Render), and carries each intent to the flow and each command to
// the tablet store. main.cpp adds SDL and OpenGL; the tests drive it headless, by the same
// screens. Casting goes through TabletStore::cast only.
#pragma once

#include "app/kiosk/flow.hpp"
#include "app/kiosk/screens/screens.hpp"
#include "app/ui/ui.hpp"
#include "core/crypto.hpp"
#include "platform/tablet_store.hpp"
#include "sync/client.hpp"

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace pingyi::kiosk {

struct KioskOptions {
    ui::FontOptions fonts;
    FlowConfig flow;
    std::optional<std::string> pin;  // if given and right, the kiosk starts unlocked
    std::optional<Secret> device_sk; // or the device key, already unlocked with the PIN
    // Called from a worker thread when the kiosk has something new to draw (sync progress):
    // the app loop, asleep in SDL_WaitEvent, pushes itself an event. May be empty (tests poll).
    std::function<void()> wake;
    // Wall-clock milliseconds since the Unix epoch, for the wrong-PIN wait kept in the store
    // across restarts; empty: the system clock (tests set their own).
    std::function<std::int64_t()> wall_clock;
    // The key derivation cost of a PIN changed on the administrator screen (tests: testOnly).
    KdfCost pin_cost = KdfCost::pin();
};

// Settings the kiosk keeps in the store (besides the flow's own, flow.hpp).
inline constexpr const char* kSettingLanguage = "kiosk.lang";
inline constexpr const char* kSettingTextSize = "kiosk.text_size";
inline constexpr const char* kSettingSyncUrl = "kiosk.sync_url"; // the last collector address

class Kiosk {
  public:
    // Reads the kiosk settings from the store; `store` must outlive the kiosk.
    Kiosk(TabletStore& store, KioskOptions options, Millis now);
    // Waits for a running sync to finish.
    ~Kiosk();
    Kiosk(const Kiosk&) = delete;
    Kiosk& operator=(const Kiosk&) = delete;

    // (Re)builds the screens' fonts into the current ImGui context's atlas. The caller then
    // (re)creates the GPU texture. Call once after ImGui::CreateContext and whenever
    // fontsDirty().
    void buildFonts();
    bool fontsDirty() const { return fonts_dirty_; }
    const ui::Fonts& fonts() const { return fonts_; }

    // The comment font (every GB2312 hanzi with all_hanzi) has an atlas of its own, built
    // apart so that the first frame does not wait for it: the app builds it when idle after
    // the first frame, or at the latest before the comment or review screen is drawn
    // (inputFontWanted). Until then the screens use the body font. After buildInputFont the
    // caller uploads inputAtlas() as a texture.
    bool inputFontReady() const;
    bool inputFontWanted() const;
    void buildInputFont();
    ImFontAtlas* inputAtlas() { return input_atlas_.get(); }

    // Draws the current screen and runs what was asked. Call between NewFrame and Render.
    void frame(Millis now);
    // Runs the flow's timers; returns true if the screen changed (redraw).
    bool tick(Millis now);
    std::optional<Millis> nextDeadline(Millis now) const { return flow_->nextDeadline(now); }
    bool exitRequested() const { return exit_; }

    const Flow& flow() const { return *flow_; }
    Lang lang() const { return lang_; }
    int textPercent() const { return text_percent_; }
    const std::string& adminStatus() const { return admin_status_; }
    bool adminStatusError() const { return admin_status_error_; }
    // A sync started from the administrator screen runs on a worker thread (it has its own
    // connection to the store); frame() shows its progress and, once done, its result.
    bool syncRunning() const { return sync_ != nullptr; }
    // The files the administrator screen lists for the USB folder (names, sorted).
    const std::vector<std::string>& usbFiles() const { return usb_files_; }

    // Runs an action as if a screen had returned it (the screenshot tour and tests use this
    // for what a person types with the system keyboard).
    void apply(const Action& action, Millis now);

  private:
    struct SyncJob {
        std::mutex m;
        std::size_t acknowledged = 0, total = 0;
        bool progressed = false, finished = false;
        std::optional<SyncReport> report;
        Error error;
        std::string url;
    };
    void run(Commands commands, Millis now);
    void runAdmin(const AdminAction& a);
    void startSync(const std::string& url);
    void pollSync();
    void listUsb();
    void loadFile(const std::string& path);
    void syncComments();
    void say(const Error& e);
    void sayOk(const std::string& text);
    std::string meetingName(const MeetingRef& m) const;
    std::int64_t wallNow() const;

    TabletStore& store_;
    KioskOptions opt_;
    Secret device_sk_;
    std::optional<Flow> flow_;
    Lang lang_ = Lang::Zh;
    int text_percent_ = 100;
    std::vector<ImWchar> ui_ranges_, title_ranges_, input_ranges_; // input: when first built
    ui::Fonts fonts_;
    bool fonts_dirty_ = true;
    std::unique_ptr<ImFontAtlas> input_atlas_;
    ImFont* input_font_ = nullptr;
    float input_px_ = 0;
    std::size_t input_glyphs_ = 0;
    std::shared_ptr<SyncJob> sync_;
    std::thread sync_thread_;
    std::string usb_listed_; // the folder usb_files_ was read from
    std::vector<std::string> usb_files_;
    bool usb_missing_ = false;
    std::vector<std::string> comment_buffers_;
    screen::AdminBuffers admin_buffers_;
    std::string admin_status_;
    bool admin_status_error_ = false;
    Screen last_screen_ = Screen::Pin;
    bool exit_ = false;
};

} // namespace pingyi::kiosk
