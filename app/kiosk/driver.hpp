// Simulated touch for tests and the screenshot tour: presses a touch target by its key (as the
// screens recorded it in the last frame) by feeding ImGui's mouse state, frame by frame. ImGui
// 1.86 has no input-event queue (io.AddMousePosEvent came in 1.87): it reads io.MousePos and
// io.MouseDown each frame, so one press takes two frames (down, then up).
#pragma once

#include "app/kiosk/kiosk.hpp"

#include <deque>
#include <string>
#include <string_view>

namespace pingyi::kiosk {

class Driver {
  public:
    // Queues a tap on the target drawn under `key` in the last frame; false if there is none.
    bool tap(std::string_view key);
    void tapAt(ImVec2 at);
    // Queues text as if typed with the system keyboard (after any queued taps).
    void type(std::string utf8);
    // Selects all of the focused text field (Ctrl+A) and types `utf8` over it.
    void typeOver(std::string utf8);
    bool busy() const { return !steps_.empty(); }
    // Call right before ImGui::NewFrame (after the platform backend's NewFrame, which would
    // overwrite the mouse state): applies the next queued step, if any.
    void applyInput();

  private:
    struct Step {
        ImVec2 pos;
        bool down = false;
        std::string text;
        bool select_all = false;
    };
    std::deque<Step> steps_;
    int held_key_ = -1;
};

// One headless frame: no window, no renderer (tests). The atlas must be built.
void headlessFrame(Kiosk& kiosk, Driver& driver, Millis now);
// Runs headless frames until the queued input is used up, plus one to draw the result.
void headlessSettle(Kiosk& kiosk, Driver& driver, Millis now);

// The centre of a target from the last frame, if it was drawn.
std::optional<ImVec2> targetCentre(std::string_view key);

} // namespace pingyi::kiosk
