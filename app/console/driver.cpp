#include "app/console/driver.hpp"

#include <cfloat>

namespace pingyi::console {

std::optional<ImVec2> targetCentre(std::string_view key) {
    for (auto& t : ui::targets())
        if (t.key == key) return ImVec2((t.min.x + t.max.x) / 2, (t.min.y + t.max.y) / 2);
    return std::nullopt;
}

bool Driver::click(std::string_view key) {
    auto c = targetCentre(key);
    if (!c) return false;
    clickAt(*c);
    return true;
}

void Driver::clickAt(ImVec2 at) {
    steps_.push_back({at, false, {}, -1}); // move there first: desktop widgets want a hover
    steps_.push_back({at, true, {}, -1});
    steps_.push_back({at, false, {}, -1});
}

void Driver::type(std::string utf8) {
    steps_.push_back({ImVec2(-FLT_MAX, -FLT_MAX), false, std::move(utf8), -1});
    steps_.push_back({ImVec2(-FLT_MAX, -FLT_MAX), false, {}, -1});
}

void Driver::press(ImGuiKey key) {
    steps_.push_back({ImVec2(-FLT_MAX, -FLT_MAX), false, {}, key});
    steps_.push_back({ImVec2(-FLT_MAX, -FLT_MAX), false, {}, -1});
}

void Driver::applyInput() {
    ImGuiIO& io = ImGui::GetIO();
    for (int k = 0; k < ImGuiKey_COUNT; ++k)
        if (io.KeyMap[k] >= 0 && io.KeyMap[k] < 512) io.KeysDown[io.KeyMap[k]] = false;
    if (steps_.empty()) return;
    Step s = std::move(steps_.front());
    steps_.pop_front();
    // Text and keys go to the focused field: the mouse stays where it was.
    if (s.text.empty() && s.key < 0) {
        io.MousePos = s.pos;
        io.MouseDown[0] = s.down;
    }
    if (!s.text.empty()) io.AddInputCharactersUTF8(s.text.c_str());
    if (s.key >= 0 && io.KeyMap[s.key] >= 0) io.KeysDown[io.KeyMap[s.key]] = true;
}

void mapKeysForTests() {
    ImGuiIO& io = ImGui::GetIO();
    for (int k = 0; k < ImGuiKey_COUNT; ++k)
        io.KeyMap[k] = k;
}

void headlessFrame(Console& console, Driver& driver) {
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.0f / 60.0f;
    console.update();
    if (console.fontsDirty()) console.buildFonts();
    driver.applyInput();
    ImGui::NewFrame();
    console.frame();
    ImGui::Render();
}

void headlessSettle(Console& console, Driver& driver) {
    while (driver.busy())
        headlessFrame(console, driver);
    headlessFrame(console, driver);
}

} // namespace pingyi::console
