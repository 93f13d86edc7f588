#include "app/kiosk/screens/screens.hpp"

namespace pingyi::kiosk::screen {

Action idleWarning(const ScreenContext& cx, int seconds_left) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(cx.size);
    ImGui::PushStyleColor(ImGuiCol_WindowBg, IM_COL32(255, 255, 255, 250));
    ImGui::Begin("idle", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings);
    ImGui::SetWindowFocus();
    ImGui::SetCursorPosY(cx.size.y * 0.3f);
    ui::centred(f.title, tr(cx.lang, "kiosk.idle.title"));
    ImGui::Dummy(ImVec2(0, 16));
    ui::centred(f.body, tr(cx.lang, "kiosk.idle.body", {std::to_string(seconds_left)}),
                ui::errorColor());
    ImGui::Dummy(ImVec2(0, 32));
    float bw = std::min(cx.size.x * 0.5f, 420.0f);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - bw) / 2);
    if (ui::button("still_here", tr(cx.lang, "kiosk.idle.continue"), ImVec2(bw, 110),
                   ui::Tone::Primary))
        out = Intent{intent::StillHere{}};
    ImGui::End();
    ImGui::PopStyleColor();
    return out;
}

} // namespace pingyi::kiosk::screen
