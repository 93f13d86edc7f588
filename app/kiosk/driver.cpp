#include "app/kiosk/driver.hpp"

#include <cfloat>

namespace pingyi::kiosk {

std::optional<ImVec2> targetCentre(std::string_view key) {
    for (auto& t : ui::targets())
        if (t.key == key) return ImVec2((t.min.x + t.max.x) / 2, (t.min.y + t.max.y) / 2);
    return std::nullopt;
}

bool Driver::tap(std::string_view key) {
    auto c = targetCentre(key);
    if (!c) return false;
    tapAt(*c);
    return true;
}

void Driver::tapAt(ImVec2 at) {
    steps_.push_back({at, true, {}});
    steps_.push_back({at, false, {}});
    steps_.push_back({ImVec2(-FLT_MAX, -FLT_MAX), false, {}}); // the finger leaves the glass
}

void Driver::type(std::string utf8) {
    Step s{ImVec2(-FLT_MAX, -FLT_MAX), false, std::move(utf8)};
    steps_.push_back(std::move(s));
    steps_.push_back({ImVec2(-FLT_MAX, -FLT_MAX), false, {}});
}

void Driver::typeOver(std::string utf8) {
    Step all{ImVec2(-FLT_MAX, -FLT_MAX), false, {}};
    all.select_all = true;
    steps_.push_back(std::move(all));
    steps_.push_back({ImVec2(-FLT_MAX, -FLT_MAX), false, {}});
    type(std::move(utf8));
}

void Driver::applyInput() {
    ImGuiIO& io = ImGui::GetIO();
    if (held_key_ >= 0) { // Ctrl+A is held for one frame only
        io.KeysDown[held_key_] = false;
        io.KeyCtrl = false;
        held_key_ = -1;
    }
    if (steps_.empty()) return;
    Step s = std::move(steps_.front());
    steps_.pop_front();
    if (s.select_all) {
        // ImGui 1.86 reads keys through io.KeyMap (the SDL backend fills it; headless, not).
        if (io.KeyMap[ImGuiKey_A] < 0) io.KeyMap[ImGuiKey_A] = 'A';
        held_key_ = io.KeyMap[ImGuiKey_A];
        io.KeysDown[held_key_] = true;
        io.KeyCtrl = true;
    }
    io.MousePos = s.pos;
    io.MouseDown[0] = s.down;
    if (!s.text.empty()) io.AddInputCharactersUTF8(s.text.c_str());
}

void headlessFrame(Kiosk& kiosk, Driver& driver, Millis now) {
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.0f / 60.0f;
    if (kiosk.inputFontWanted()) kiosk.buildInputFont(); // no texture headless
    driver.applyInput();
    ImGui::NewFrame();
    kiosk.frame(now);
    ImGui::Render();
}

void headlessSettle(Kiosk& kiosk, Driver& driver, Millis now) {
    while (driver.busy())
        headlessFrame(kiosk, driver, now);
    headlessFrame(kiosk, driver, now);
}

} // namespace pingyi::kiosk
