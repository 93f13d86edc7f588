#include "app/console/screens/screens.hpp"

namespace pingyi::console {

Intent storeScreen(const ScreenContext& cx, const StoreView& v) {
    Intent out;
    Buffers& b = *cx.buffers;
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float col = (ImGui::GetContentRegionAvail().x - gap) / 2;
    const float label_w = 200;

    ImGui::BeginChild("open", ImVec2(col, 300), true);
    w::heading(cx, tr(cx.lang, "console.store.open_title"));
    ui::wrapped(nullptr, tr(cx.lang, "console.store.open_hint"), ui::mutedColor());
    ImGui::TextUnformatted(tr(cx.lang, "console.store.folder").c_str());
    bool enter = w::field("store_dir", "", &b.store_dir, -1);
    if ((w::button("open", tr(cx.lang, "console.store.open"), !v.busy, ImVec2(160, 0),
                   ui::Tone::Primary) ||
         enter) &&
        !v.busy)
        out = intent::OpenStore{};
    ImGui::EndChild();
    ImGui::SameLine();

    ImGui::BeginChild("create", ImVec2(0, 300), true);
    w::heading(cx, tr(cx.lang, "console.store.create_title"));
    auto row = [&](const char* key, const char* label, std::string* value) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(tr(cx.lang, label).c_str());
        ImGui::SameLine(label_w);
        w::field(key, "", value, -1);
    };
    row("new_dir", "console.store.folder", &b.store_dir);
    row("package", "console.store.package", &b.package);
    row("collector_pub", "console.store.collector_pub", &b.collector_pub);
    row("organiser_pub", "console.store.organiser_pub", &b.organiser_pub);
    if (w::button("create", tr(cx.lang, "console.store.create"), !v.busy, ImVec2(160, 0)))
        out = intent::CreateStore{};
    ImGui::EndChild();

    if (!v.open_dir.empty()) {
        w::heading(cx, tr(cx.lang, "console.store.current"));
        if (ImGui::BeginTable("store_info", 2,
                              ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg |
                                  ImGuiTableFlags_SizingStretchProp)) {
            auto line = [&](const char* label, const std::string& value) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(tr(cx.lang, label).c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(value.c_str());
            };
            line("console.store.folder", v.open_dir);
            line("console.store.campaign", v.campaign + " (" + v.campaign_id + ")");
            line("console.store.organiser", v.organiser);
            line("console.store.digest", v.digest);
            line("console.store.size", tr(cx.lang, "console.store.size_value",
                                          {std::to_string(v.units), std::to_string(v.subjects),
                                           std::to_string(v.tokens)}));
            ImGui::EndTable();
        }
    }
    return out;
}

} // namespace pingyi::console
