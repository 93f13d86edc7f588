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

#include <optional>
#include <string>

namespace pingyi::kiosk {

struct KioskOptions {
    ui::FontOptions fonts;
    FlowConfig flow;
    std::optional<std::string> pin; // if given and right, the kiosk starts unlocked
};

// Settings the kiosk keeps in the store (besides the flow's own, flow.hpp).
inline constexpr const char* kSettingLanguage = "kiosk.lang";
inline constexpr const char* kSettingTextSize = "kiosk.text_size";

class Kiosk {
  public:
    // Reads the kiosk settings from the store; `store` must outlive the kiosk.
    Kiosk(TabletStore& store, KioskOptions options, Millis now);

    // (Re)builds the fonts into the current ImGui context's atlas. The caller then (re)creates
    // the GPU texture. Call once after ImGui::CreateContext and whenever fontsDirty().
    void buildFonts();
    bool fontsDirty() const { return fonts_dirty_; }
    const ui::Fonts& fonts() const { return fonts_; }

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

    // Runs an action as if a screen had returned it (the screenshot tour and tests use this
    // for what a person types with the system keyboard).
    void apply(const Action& action, Millis now);

  private:
    void run(Commands commands, Millis now);
    void runAdmin(const AdminAction& a);
    void syncComments();
    void say(const Error& e);
    void sayOk(const std::string& text);
    std::string meetingName(const MeetingRef& m) const;

    TabletStore& store_;
    KioskOptions opt_;
    Secret device_sk_;
    std::optional<Flow> flow_;
    Lang lang_ = Lang::Zh;
    int text_percent_ = 100;
    std::vector<ImWchar> ui_ranges_, input_ranges_;
    ui::Fonts fonts_;
    bool fonts_dirty_ = true;
    std::vector<std::string> comment_buffers_;
    screen::AdminBuffers admin_buffers_;
    std::string admin_status_;
    bool admin_status_error_ = false;
    Screen last_screen_ = Screen::Pin;
    bool exit_ = false;
};

} // namespace pingyi::kiosk
