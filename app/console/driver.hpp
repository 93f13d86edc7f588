// Simulated mouse and keyboard for tests, the screenshot tour and the benchmark: clicks a
// target by its key (as the screens recorded it in the last frame) and types text, by feeding
// ImGui's input state frame by frame (ImGui 1.86 has no input-event queue).
#pragma once

#include "app/console/console.hpp"

#include <deque>
#include <string>
#include <string_view>

namespace pingyi::console {

class Driver {
  public:
    // Queues a click on the target drawn under `key` in the last frame; false if there is none.
    bool click(std::string_view key);
    void clickAt(ImVec2 at);
    // Queues text as if typed (into the field that has the keyboard focus).
    void type(std::string utf8);
    // Queues a press of a key by its ImGuiKey_ (mapped to itself in io.KeyMap).
    void press(ImGuiKey key);
    bool busy() const { return !steps_.empty(); }
    // Call right before ImGui::NewFrame (after the platform backend's NewFrame).
    void applyInput();

  private:
    struct Step {
        ImVec2 pos;
        bool down = false;
        std::string text;
        int key = -1;
    };
    std::deque<Step> steps_;
    ImVec2 last_{-1, -1};
};

// Maps ImGuiKey_* to itself in io.KeyMap (headless contexts have no backend to do it).
void mapKeysForTests();

// One headless frame (no window, no renderer); the font atlas must be built.
void headlessFrame(Console& console, Driver& driver);
// Runs headless frames until the queued input is used up, plus one to draw the result.
void headlessSettle(Console& console, Driver& driver);

std::optional<ImVec2> targetCentre(std::string_view key);

} // namespace pingyi::console
