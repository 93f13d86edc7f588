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

void Driver::applyInput() {
    if (steps_.empty()) return;
    Step s = std::move(steps_.front());
    steps_.pop_front();
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = s.pos;
    io.MouseDown[0] = s.down;
    if (!s.text.empty()) io.AddInputCharactersUTF8(s.text.c_str());
}

void headlessFrame(Kiosk& kiosk, Driver& driver, Millis now) {
    ImGuiIO& io = ImGui::GetIO();
    io.DeltaTime = 1.0f / 60.0f;
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
