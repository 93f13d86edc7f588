#include "app/kiosk/screens/screens.hpp"

namespace pingyi::kiosk::screen {

Action locked(const ScreenContext& cx) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    ui::beginScreen("locked");
    ImGui::SetCursorPosY(cx.size.y * 0.25f);
    ui::centred(f.title, tr(cx.lang, "kiosk.locked.title"), ui::errorColor());
    ImGui::Dummy(ImVec2(0, 16));
    ui::centred(f.body, tr(cx.lang, "kiosk.locked.body"));
    ImGui::Dummy(ImVec2(0, 40));
    float bw = std::min(cx.size.x * 0.5f, 420.0f);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - bw) / 2);
    if (ui::button("unlock", tr(cx.lang, "kiosk.locked.unlock"), ImVec2(bw, 96)))
        out = Intent{intent::OpenAdmin{}};
    ui::endScreen();
    return out;
}

} // namespace pingyi::kiosk::screen
