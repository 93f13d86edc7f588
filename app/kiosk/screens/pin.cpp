#include "app/kiosk/screens/screens.hpp"

#include <algorithm>

namespace pingyi::kiosk::screen {

namespace {
const char* titleId(PinPurpose p) {
    switch (p) {
    case PinPurpose::Start:
        return "kiosk.pin.start";
    case PinPurpose::Admin:
        return "kiosk.pin.admin";
    case PinPurpose::Unlock:
        return "kiosk.pin.unlock";
    case PinPurpose::Exit:
        return "kiosk.pin.exit";
    }
    return "kiosk.pin.admin";
}
} // namespace

Action pin(const ScreenContext& cx, const PinView& v) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    ui::beginScreen("pin");
    ImGui::SetCursorPosY(cx.size.y * 0.06f);
    ui::centred(f.title, tr(cx.lang, titleId(v.purpose)));
    std::string dots;
    for (std::size_t i = 0; i < v.length; ++i)
        dots += i ? " *" : "*";
    ui::centred(f.code, dots.empty() ? std::string(" ") : dots);
    const bool waiting = v.wait_seconds > 0;
    if (waiting)
        ui::centred(f.body,
                    tr(cx.lang, "kiosk.pin.wait",
                       {std::to_string(v.wait_seconds), std::to_string(v.tries_left)}),
                    ui::errorColor());
    else if (!v.message.empty())
        ui::centred(f.body, text(cx, v.message), ui::errorColor());
    else
        ImGui::Dummy(ImVec2(0, ImGui::GetTextLineHeight()));

    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float key_w = std::min(cx.size.x * 0.25f, 180.0f);
    const float key_h =
        std::clamp((ImGui::GetContentRegionAvail().y - 5 * gap) / 4.6f, ui::kMinTouch, 100.0f);
    const float left = (ImGui::GetWindowWidth() - (3 * key_w + 2 * gap)) / 2;
    static const char* kLayout = "123456789";
    ImGui::PushFont(f.title);
    for (int i = 0; i < 9; ++i) {
        if (i % 3 == 0)
            ImGui::SetCursorPosX(left);
        else
            ImGui::SameLine();
        char d = kLayout[i];
        if (ui::button(std::string("pin.") + d, std::string(1, d), ImVec2(key_w, key_h),
                       ui::Tone::Normal, !waiting))
            out = Intent{intent::PinKey{d}};
    }
    ImGui::PopFont();
    ImGui::SetCursorPosX(left);
    if (ui::button("pin.backspace", tr(cx.lang, "kiosk.token.backspace"), ImVec2(key_w, key_h)))
        out = Intent{intent::PinBackspace{}};
    ImGui::SameLine();
    ImGui::PushFont(f.title);
    if (ui::button("pin.0", "0", ImVec2(key_w, key_h), ui::Tone::Normal, !waiting))
        out = Intent{intent::PinKey{'0'}};
    ImGui::PopFont();
    ImGui::SameLine();
    if (ui::button("pin.ok", tr(cx.lang, "kiosk.token.ok"), ImVec2(key_w, key_h), ui::Tone::Primary,
                   v.length > 0 && !waiting))
        out = Intent{intent::PinSubmit{}};
    if (v.purpose != PinPurpose::Start) {
        ImGui::SetCursorPosX(left);
        if (ui::button("cancel", tr(cx.lang, "kiosk.cancel"), ImVec2(3 * key_w + 2 * gap, 72),
                       ui::Tone::Quiet))
            out = Intent{intent::Cancel{}};
    }
    ui::endScreen();
    return out;
}

} // namespace pingyi::kiosk::screen
