#include "app/kiosk/screens/screens.hpp"

#include "core/text.hpp"

#include <imgui_stdlib.h>

namespace pingyi::kiosk::screen {

Action comments(const ScreenContext& cx, const CommentsView& v) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    ui::beginScreen("comments");
    ui::wrapped(f.title, tr(cx.lang, "kiosk.comments.title"));
    ui::wrapped(f.body, tr(cx.lang, "kiosk.comments.hint"), ui::mutedColor());
    const float nav_h = 90;
    const float body_h = ImGui::GetContentRegionAvail().y - nav_h -
                         2 * ImGui::GetStyle().ItemSpacing.y -
                         (v.message.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing());
    ImGui::BeginChild("boxes", ImVec2(0, body_h), false);
    auto& buffers = *v.buffers;
    for (std::size_t i = 0; i < v.names.size() && i < buffers.size(); ++i) {
        ImGui::PushID(static_cast<int>(i));
        ui::wrapped(f.body, v.names[i]);
        ImGui::PushFont(f.input);
        std::string label = "##comment";
        bool changed = ImGui::InputTextMultiline(
            label.c_str(), &buffers[i],
            ImVec2(-1, std::max(ui::kMinTouch * 2, ImGui::GetTextLineHeight() * 3.2f)));
        ImGui::PopFont();
        ui::itemBorder();
        // Recorded as a touch target so tests and the tour can focus the box.
        ui::recordItem("comment." + std::to_string(i));
        if (changed) out = Intent{intent::SetComment{i, buffers[i]}};
        std::size_t chars = isValidUtf8(buffers[i]) ? utf8Length(buffers[i]) : 0;
        ui::wrapped(
            f.body,
            tr(cx.lang, "kiosk.comments.count", {std::to_string(chars), std::to_string(v.limit)}),
            chars > v.limit ? ui::errorColor() : ui::mutedColor());
        ImGui::PopID();
    }
    ImGui::EndChild();
    if (!v.message.empty()) ui::centred(f.body, text(cx, v.message), ui::errorColor());
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float bw = (ImGui::GetContentRegionAvail().x - gap) / 2;
    if (ui::button("back", tr(cx.lang, "kiosk.back"), ImVec2(bw, nav_h)))
        out = Intent{intent::Back{}};
    ImGui::SameLine();
    if (ui::button("next", tr(cx.lang, "kiosk.next"), ImVec2(bw, nav_h), ui::Tone::Primary))
        out = Intent{intent::Next{}};
    ui::endScreen();
    return out;
}

} // namespace pingyi::kiosk::screen
