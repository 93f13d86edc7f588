#include "app/kiosk/screens/screens.hpp"

namespace pingyi::kiosk::screen {

Action receipt(const ScreenContext& cx, const ReceiptView& v) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    ui::beginScreen("receipt");
    ImGui::SetCursorPosY(cx.size.y * 0.14f);
    ui::centred(f.title,
                tr(cx.lang, v.already_stored ? "kiosk.receipt.already" : "kiosk.receipt.title"),
                IM_COL32(0, 98, 45, 255));
    ImGui::Dummy(ImVec2(0, 24));
    ui::centred(f.body, tr(cx.lang, "kiosk.receipt.code"));
    ImGui::Dummy(ImVec2(0, 8));
    ui::centred(f.code, v.code);
    ImGui::Dummy(ImVec2(0, 24));
    float w = std::min(cx.size.x * 0.8f, 900.0f);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - w) / 2);
    ImGui::BeginGroup();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + w);
    std::string note = tr(cx.lang, "kiosk.receipt.note");
    ImGui::TextUnformatted(note.c_str());
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
    ImGui::Dummy(ImVec2(0, 32));
    float bw = std::min(cx.size.x * 0.5f, 420.0f);
    ImGui::SetCursorPosX((ImGui::GetWindowWidth() - bw) / 2);
    if (ui::button("done", tr(cx.lang, "kiosk.receipt.done"), ImVec2(bw, 96), ui::Tone::Primary))
        out = Intent{intent::Finish{}};
    ImGui::Dummy(ImVec2(0, 8));
    ui::centred(f.body, tr(cx.lang, "kiosk.receipt.auto", {std::to_string(v.seconds_left)}),
                ui::mutedColor());
    ui::endScreen();
    return out;
}

} // namespace pingyi::kiosk::screen
