#include "app/kiosk/screens/screens.hpp"

namespace pingyi::kiosk::screen {

Action pinLocked(const ScreenContext& cx, const PinLockedView& v) {
    const ui::Fonts& f = *cx.fonts;
    ui::beginScreen("pin_locked");
    ImGui::SetCursorPosY(cx.size.y * 0.22f);
    ui::centred(f.title, tr(cx.lang, "kiosk.pin_locked.title"), ui::errorColor());
    ImGui::Dummy(ImVec2(0, 24));
    ui::wrapped(f.body, tr(cx.lang, "kiosk.pin_locked.body", {std::to_string(v.failures)}));
    ImGui::Dummy(ImVec2(0, 16));
    ui::wrapped(f.body, tr(cx.lang, "kiosk.pin_locked.staff"));
    ui::endScreen();
    return {}; // nothing to press: the tablet goes back to central staff
}

} // namespace pingyi::kiosk::screen
