#include "app/kiosk/screens/screens.hpp"

namespace pingyi::kiosk::screen {

Action review(const ScreenContext& cx, const ReviewView& v) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    ui::beginScreen("review");
    ui::wrapped(f.title, tr(cx.lang, "kiosk.review.title"));
    const float nav_h = 96;
    const std::string message = v.message.empty() ? std::string() : text(cx, v.message);
    float message_h = 0; // a long message (the grade quota's) wraps over several lines
    if (!message.empty()) {
        ImGui::PushFont(f.body);
        message_h =
            ImGui::CalcTextSize(message.c_str(), nullptr, false, ImGui::GetContentRegionAvail().x)
                .y +
            ImGui::GetStyle().ItemSpacing.y;
        ImGui::PopFont();
    }
    const float body_h = ImGui::GetContentRegionAvail().y - nav_h -
                         3 * ImGui::GetStyle().ItemSpacing.y -
                         ImGui::GetTextLineHeightWithSpacing() - message_h;
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
            for (std::size_t i = 0; i < row.items.size(); ++i) {
                const auto& [item, level] = row.items[i];
                const bool over = i < row.over_quota.size() && row.over_quota[i];
                ImGui::TableNextColumn();
                ImGui::TextUnformatted((item + "：").c_str());
                ImGui::SameLine(0, 0);
                ImGui::PushStyleColor(ImGuiCol_Text,
                                      over ? ui::errorColor() : IM_COL32(0, 55, 140, 255));
                std::string shown = over ? tr(cx.lang, "kiosk.review.over_quota", {level}) : level;
                ImGui::TextUnformatted(shown.c_str());
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
    if (!message.empty()) ui::centred(f.body, message, ui::errorColor());
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
