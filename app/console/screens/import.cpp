#include "app/console/screens/screens.hpp"

namespace pingyi::console {

Intent importScreen(const ScreenContext& cx, const ImportView& v) {
    Intent out;
    Buffers& b = *cx.buffers;
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float left = 470;

    ImGui::BeginChild("source", ImVec2(left, 0), true);
    // Where files come from: dropped on the window, or a folder (a USB stick).
    ImGui::PushStyleColor(ImGuiCol_ChildBg, IM_COL32(238, 244, 252, 255));
    ImGui::BeginChild("drop", ImVec2(0, 90), true);
    ui::wrapped(cx.fonts->body, tr(cx.lang, "console.import.drop"), IM_COL32(0, 55, 140, 255));
    ImGui::EndChild();
    ImGui::PopStyleColor();
    w::heading(cx, tr(cx.lang, "console.import.folder"));
    bool enter = w::field("folder", "", &b.folder, left - 150 - gap * 3);
    ImGui::SameLine();
    if (w::button("scan", tr(cx.lang, "console.import.scan"), !v.busy, ImVec2(120, 0)) || enter)
        out = intent::ScanFolder{};
    float list_h = ImGui::GetContentRegionAvail().y - ImGui::GetFrameHeightWithSpacing() - 6;
    ImGui::BeginChild("found", ImVec2(0, list_h), true);
    if (v.found.empty())
        ui::wrapped(nullptr, tr(cx.lang, "console.import.none_found"), ui::mutedColor());
    for (std::size_t i = 0; i < v.found.size(); ++i) {
        bool sel = v.found[i].selected;
        if (w::check("file." + std::to_string(i), v.found[i].name, &sel))
            out = intent::ToggleFile{i};
    }
    ImGui::EndChild();
    bool any = false;
    for (auto& f : v.found)
        any = any || f.selected;
    const float bw = (ImGui::GetContentRegionAvail().x - gap) / 2;
    if (w::button("import_selected", tr(cx.lang, "console.import.selected"),
                  any && !v.busy && v.store_open, ImVec2(bw, 0), ui::Tone::Primary))
        out = intent::ImportSelected{};
    ImGui::SameLine();
    if (w::button("import_all", tr(cx.lang, "console.import.all"),
                  !v.found.empty() && !v.busy && v.store_open, ImVec2(bw, 0)))
        out = intent::ImportAll{};
    ImGui::EndChild();
    ImGui::SameLine();

    ImGui::BeginChild("report", ImVec2(0, 0), true);
    w::heading(cx, tr(cx.lang, "console.import.report"));
    if (!v.totals.empty()) ui::wrapped(nullptr, v.totals);
    if (v.rows.empty())
        ui::wrapped(nullptr, tr(cx.lang, "console.import.nothing_yet"), ui::mutedColor());
    else if (ImGui::BeginTable("rows", 6,
                               ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg |
                                   ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_ScrollY)) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn(tr(cx.lang, "console.import.col.file").c_str(),
                                ImGuiTableColumnFlags_WidthStretch, 3);
        ImGui::TableSetupColumn(tr(cx.lang, "console.import.col.device").c_str(),
                                ImGuiTableColumnFlags_WidthStretch, 1.4f);
        ImGui::TableSetupColumn(tr(cx.lang, "console.import.col.new").c_str(),
                                ImGuiTableColumnFlags_WidthStretch, 0.8f);
        ImGui::TableSetupColumn(tr(cx.lang, "console.import.col.already").c_str(),
                                ImGuiTableColumnFlags_WidthStretch, 1.2f);
        ImGui::TableSetupColumn(tr(cx.lang, "console.import.col.rejected").c_str(),
                                ImGuiTableColumnFlags_WidthStretch, 0.8f);
        ImGui::TableSetupColumn(tr(cx.lang, "console.import.col.outcome").c_str(),
                                ImGuiTableColumnFlags_WidthStretch, 3);
        ImGui::TableHeadersRow();
        for (std::size_t i = 0; i < v.rows.size(); ++i) {
            const ImportRowView& r = v.rows[i];
            if (i == 0 || v.rows[i - 1].batch != r.batch) {
                ImGui::TableNextRow();
                ImGui::TableSetBgColor(ImGuiTableBgTarget_RowBg0, IM_COL32(225, 232, 242, 255));
                ImGui::TableNextColumn();
                ImGui::TextDisabled(
                    "%s", tr(cx.lang, "console.import.batch", {std::to_string(r.batch)}).c_str());
            }
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(r.file.c_str());
            ui::recordItem("import.row." + std::to_string(i));
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(r.additions ? tr(cx.lang, "console.import.additions").c_str()
                                               : r.device.c_str());
            ImGui::TableNextColumn();
            if (!r.additions && r.refused.empty()) ImGui::Text("%zu", r.added);
            ImGui::TableNextColumn();
            if (!r.additions && r.refused.empty()) ImGui::Text("%zu", r.already);
            ImGui::TableNextColumn();
            if (!r.additions && r.refused.empty()) {
                if (r.rejected.empty())
                    ImGui::TextUnformatted("0");
                else
                    ImGui::TextColored(ImVec4(0.67f, 0, 0, 1), "%zu", r.rejected.size());
            }
            ImGui::TableNextColumn();
            ImGui::PushTextWrapPos(0);
            if (!r.refused.empty()) {
                ImGui::PushStyleColor(ImGuiCol_Text, ui::errorColor());
                ImGui::TextUnformatted(tr(cx.lang, "console.import.refused", {r.refused}).c_str());
                ImGui::PopStyleColor();
            } else if (r.additions) {
                ImGui::TextUnformatted(tr(cx.lang, "console.import.additions_ok").c_str());
            } else if (r.rejected.empty()) {
                ImGui::PushStyleColor(ImGuiCol_Text, w::okColor());
                ImGui::TextUnformatted(tr(cx.lang, "console.import.ok").c_str());
                ImGui::PopStyleColor();
            }
            for (auto& [code, why] : r.rejected) {
                ImGui::PushStyleColor(ImGuiCol_Text, ui::errorColor());
                ImGui::TextUnformatted(
                    tr(cx.lang, "console.import.rejected_line", {code, why}).c_str());
                ImGui::PopStyleColor();
            }
            ImGui::PopTextWrapPos();
        }
        ImGui::EndTable();
    }
    ImGui::EndChild();
    return out;
}

} // namespace pingyi::console
