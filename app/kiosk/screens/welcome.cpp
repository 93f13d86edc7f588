#include "app/kiosk/screens/screens.hpp"

#include <algorithm>

namespace pingyi::kiosk::screen {

Action welcome(const ScreenContext& cx, const WelcomeView& v) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    ui::beginScreen("welcome");
    // This tablet's name, and the administrator's door: small but still a full touch target.
    ImGui::AlignTextToFramePadding();
    ImGui::PushStyleColor(ImGuiCol_Text, ui::mutedColor());
    ImGui::TextUnformatted(v.device_label.c_str());
    ImGui::PopStyleColor();
    ImGui::SameLine(ImGui::GetWindowWidth() - 180);
    if (ui::button("admin", tr(cx.lang, "kiosk.admin"), ImVec2(156, 0), ui::Tone::Quiet))
        out = Intent{intent::OpenAdmin{}};
    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), cx.size.y * 0.10f));
    ui::centred(f.title, tr(cx.lang, "kiosk.welcome.title"));
    ImGui::Spacing();
    ui::centred(f.title, v.campaign);
    ImGui::Dummy(ImVec2(0, 20));
    if (v.meetings.empty()) {
        ui::centred(f.body, tr(cx.lang, "kiosk.welcome.none"), ui::errorColor());
    } else {
        ui::centred(f.body, tr(cx.lang, "kiosk.welcome.meetings"), ui::mutedColor());
        for (auto& m : v.meetings)
            ui::centred(f.body, m);
    }
    if (v.last_stored) {
        ImGui::Dummy(ImVec2(0, 12));
        ui::wrapped(f.body, tr(cx.lang, "kiosk.welcome.last_stored"));
    }
    ImGui::Dummy(ImVec2(0, 28));
    ui::centred(f.body, tr(cx.lang, "kiosk.welcome.hint"), ui::mutedColor());
    float w = std::min(cx.size.x * 0.6f, 520.0f);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - w) / 2);
    ImGui::PushFont(f.title);
    if (ui::button("start", tr(cx.lang, "kiosk.welcome.start"), ImVec2(w, 120), ui::Tone::Primary,
                   !v.meetings.empty()))
        out = Intent{intent::Start{}};
    ImGui::PopFont();
    ui::endScreen();
    return out;
}

} // namespace pingyi::kiosk::screen
