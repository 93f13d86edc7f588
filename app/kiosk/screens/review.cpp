#include "app/kiosk/screens/screens.hpp"

namespace pingyi::kiosk::screen {

Action review(const ScreenContext& cx, const ReviewView& v) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    ui::beginScreen("review");
    ui::wrapped(f.title, tr(cx.lang, "kiosk.review.title"));
    const float nav_h = 96;
    const float body_h = ImGui::GetContentRegionAvail().y - nav_h -
                         3 * ImGui::GetStyle().ItemSpacing.y -
                         ImGui::GetTextLineHeightWithSpacing() -
                         (v.message.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing());
    ImGui::BeginChild("rows", ImVec2(0, body_h), true);
    const int cols = cx.portrait() ? 2 : 3;
    for (std::size_t r = 0; r < v.rows.size(); ++r) {
        const ReviewRow& row = v.rows[r];
        ImGui::PushID(static_cast<int>(r));
        float edit_w = 150;
        ImGui::PushFont(f.title);
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(row.name.c_str());
        ImGui::PopFont();
        ImGui::SameLine(ImGui::GetContentRegionAvail().x - edit_w + ImGui::GetCursorPosX() -
                        ImGui::GetCursorPosX());
        ImGui::SetCursorPosX(ImGui::GetWindowContentRegionMax().x - edit_w);
        if (ui::button("edit." + std::to_string(r), tr(cx.lang, "kiosk.review.edit"),
                       ImVec2(edit_w, 0)))
            out = Intent{intent::GoToPage{r}};
        if (ImGui::BeginTable("items", cols)) {
            for (auto& [item, level] : row.items) {
                ImGui::TableNextColumn();
                ImGui::TextUnformatted((item + "：").c_str());
                ImGui::SameLine(0, 0);
                ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(0, 55, 140, 255));
                ImGui::TextUnformatted(level.c_str());
                ImGui::PopStyleColor();
            }
            ImGui::EndTable();
        }
        if (!row.comment.empty()) {
            ImGui::PushFont(f.input);
            ImGui::PushTextWrapPos(0);
            std::string c = tr(cx.lang, "kiosk.review.comment", {row.comment});
            ImGui::TextUnformatted(c.c_str());
            ImGui::PopTextWrapPos();
            ImGui::PopFont();
        }
        ImGui::Separator();
        ImGui::PopID();
    }
    ImGui::EndChild();
    if (!v.message.empty()) ui::centred(f.body, text(cx, v.message), ui::errorColor());
    ui::centred(f.body, tr(cx.lang, "kiosk.review.note"), ui::mutedColor());
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float bw = (ImGui::GetContentRegionAvail().x - gap) / 2;
    if (ui::button("back", tr(cx.lang, "kiosk.back"), ImVec2(bw, nav_h)))
        out = Intent{intent::Back{}};
    ImGui::SameLine();
    if (ui::button("confirm", tr(cx.lang, "kiosk.review.confirm"), ImVec2(bw, nav_h),
                   ui::Tone::Primary))
        out = Intent{intent::Confirm{}};
    ui::endScreen();
    return out;
}

} // namespace pingyi::kiosk::screen
