#include "app/kiosk/screens/screens.hpp"

#include "core/token.hpp"

#include <algorithm>

namespace pingyi::kiosk::screen {

Action token(const ScreenContext& cx, const TokenView& v) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    ui::beginScreen("token");
    ui::centred(f.title, tr(cx.lang, "kiosk.token.title"));
    ui::centred(f.body, tr(cx.lang, "kiosk.token.hint"), ui::mutedColor());
    ImGui::Dummy(ImVec2(0, 8));

    // The token as typed, grouped like the slip, with blanks for what is still to come.
    std::string shown;
    for (std::size_t i = 0; i < kTokenLength; ++i) {
        if (i > 0 && i % 4 == 0) shown += " - ";
        shown.push_back(i < v.typed.size() ? v.typed[i] : '_');
    }
    ui::centred(f.code, shown);
    if (!v.message.empty())
        ui::centred(f.body, text(cx, v.message), ui::errorColor());
    else
        ImGui::Dummy(ImVec2(0, ImGui::GetTextLineHeight()));
    ImGui::Dummy(ImVec2(0, 4));

    // The keypad: the 31 symbols of the token alphabet, in alphabet order.
    const std::size_t cols = cx.portrait() ? 6 : 11;
    const float fcols = static_cast<float>(cols);
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float key_w = std::min((avail - gap * (fcols - 1)) / fcols, 150.0f);
    const float bottom_h = 96;
    const float rows = static_cast<float>((kTokenAlphabet.size() + cols - 1) / cols);
    float key_h = (ImGui::GetContentRegionAvail().y - bottom_h - gap * rows) / rows;
    key_h = std::clamp(key_h, ui::kMinTouch, 110.0f);
    const float pad_w = key_w * fcols + gap * (fcols - 1);
    const float left = (ImGui::GetWindowWidth() - pad_w) / 2;
    ImGui::PushFont(f.title);
    for (std::size_t i = 0; i < kTokenAlphabet.size(); ++i) {
        if (i % cols == 0)
            ImGui::SetCursorPosX(left);
        else
            ImGui::SameLine();
        char c = kTokenAlphabet[i];
        if (ui::button(std::string("key.") + c, std::string(1, c), ImVec2(key_w, key_h)))
            out = Intent{intent::Key{c}};
    }
    ImGui::PopFont();
    ImGui::Dummy(ImVec2(0, 8));
    const float bw = (pad_w - gap * 3) / 4;
    ImGui::SetCursorPosX(left);
    if (ui::button("cancel", tr(cx.lang, "kiosk.cancel"), ImVec2(bw, 80), ui::Tone::Quiet))
        out = Intent{intent::Cancel{}};
    ImGui::SameLine();
    if (ui::button("backspace", tr(cx.lang, "kiosk.token.backspace"), ImVec2(bw, 80)))
        out = Intent{intent::Backspace{}};
    ImGui::SameLine();
    if (ui::button("clear", tr(cx.lang, "kiosk.token.clear"), ImVec2(bw, 80)))
        out = Intent{intent::ClearToken{}};
    ImGui::SameLine();
    if (ui::button("submit", tr(cx.lang, "kiosk.token.ok"), ImVec2(bw, 80), ui::Tone::Primary,
                   v.typed.size() == kTokenLength))
        out = Intent{intent::SubmitToken{}};
    ui::endScreen();
    return out;
}

} // namespace pingyi::kiosk::screen
