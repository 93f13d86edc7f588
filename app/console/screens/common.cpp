#include "app/console/screens/screens.hpp"

#include "core/crypto.hpp"

#include <imgui_stdlib.h>

#include <algorithm>

namespace pingyi::console {

const char* tabKey(Tab t) {
    switch (t) {
    case Tab::Store:
        return "store";
    case Tab::Import:
        return "import";
    case Tab::Live:
        return "live";
    case Tab::Count:
        return "count";
    case Tab::Results:
        return "results";
    case Tab::Publish:
        return "publish";
    }
    return "store";
}

void Buffers::wipeSecrets() {
    wipe(count_pass);
    wipe(head_pass);
    wipe(serve_pass);
}

namespace w {

bool button(std::string_view key, const std::string& label, bool enabled, ImVec2 size,
            ui::Tone tone) {
    ImU32 bg = tone == ui::Tone::Primary    ? IM_COL32(0, 98, 45, 255)
               : tone == ui::Tone::Danger   ? IM_COL32(160, 0, 0, 255)
               : tone == ui::Tone::Selected ? IM_COL32(0, 55, 140, 255)
                                            : IM_COL32(228, 228, 228, 255);
    bool light = tone == ui::Tone::Normal || tone == ui::Tone::Quiet;
    ImGui::PushStyleColor(ImGuiCol_Button, bg);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered,
                          light ? IM_COL32(205, 215, 235, 255) : IM_COL32(40, 40, 40, 255));
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, IM_COL32(255, 200, 0, 255));
    ImGui::PushStyleColor(ImGuiCol_Text,
                          light ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255));
    if (!enabled) ImGui::BeginDisabled();
    std::string id = label + "##" + std::string(key);
    bool pressed = ImGui::Button(id.c_str(), size);
    if (!enabled) ImGui::EndDisabled();
    ImGui::PopStyleColor(4);
    if (enabled) ui::recordItem(std::string(key));
    return pressed && enabled;
}

bool field(std::string_view key, const std::string& label, std::string* value, float width,
           bool secret) {
    if (!label.empty()) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(label.c_str());
        ImGui::SameLine();
    }
    if (width != 0) ImGui::SetNextItemWidth(width);
    std::string id = "##" + std::string(key);
    ImGuiInputTextFlags flags = ImGuiInputTextFlags_EnterReturnsTrue;
    if (secret) flags |= ImGuiInputTextFlags_Password;
    bool enter = ImGui::InputText(id.c_str(), value, flags);
    ui::recordItem("field." + std::string(key));
    return enter;
}

bool check(std::string_view key, const std::string& label, bool* value) {
    std::string id = label + "##" + std::string(key);
    bool changed = ImGui::Checkbox(id.c_str(), value);
    ui::recordItem("check." + std::string(key));
    return changed;
}

void heading(const ScreenContext& cx, const std::string& text) {
    ImGui::Spacing();
    ui::wrapped(cx.fonts->title, text, IM_COL32(0, 55, 140, 255));
}

void progress(std::size_t done, std::size_t total, ImVec2 size) {
    float f = total ? static_cast<float>(done) / static_cast<float>(total) : 0.0f;
    std::string label = std::to_string(done) + " / " + std::to_string(total);
    ImGui::PushStyleColor(ImGuiCol_PlotHistogram, IM_COL32(0, 98, 45, 255));
    ImGui::ProgressBar(f, size, label.c_str());
    ImGui::PopStyleColor();
}

ImU32 okColor() {
    return IM_COL32(0, 98, 45, 255);
}

} // namespace w

Intent topBar(const ScreenContext& cx, const FrameView& v) {
    Intent out;
    ui::wrapped(cx.fonts->title, tr(cx.lang, "console.title"));
    ImGui::SameLine();
    ImGui::SetCursorPosY(ImGui::GetCursorPosY() + 8);
    std::string where = v.store.empty() ? tr(cx.lang, "console.no_store")
                                        : tr(cx.lang, "console.store_line", {v.campaign, v.store});
    ImGui::TextColored(ImVec4(0.27f, 0.27f, 0.27f, 1), "%s", where.c_str());
    const float lang_w = 190;
    ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - lang_w);
    if (w::button("lang.zh", "中文", true, ImVec2(90, 0),
                  cx.lang == Lang::Zh ? ui::Tone::Selected : ui::Tone::Normal))
        out = intent::SetLanguage{Lang::Zh};
    ImGui::SameLine();
    if (w::button("lang.en", "English", true, ImVec2(90, 0),
                  cx.lang == Lang::En ? ui::Tone::Selected : ui::Tone::Normal))
        out = intent::SetLanguage{Lang::En};
    for (Tab t : kTabs) {
        if (t != Tab::Store) ImGui::SameLine();
        bool enabled = t == Tab::Store || !v.store.empty();
        if (t == Tab::Results) enabled = enabled && v.has_results;
        std::string key = std::string("tab.") + tabKey(t);
        if (w::button(key, tr(cx.lang, "console.tab." + std::string(tabKey(t))), enabled,
                      ImVec2(150, 0), v.tab == t ? ui::Tone::Selected : ui::Tone::Normal))
            out = intent::GoTo{t};
    }
    ImGui::Separator();
    return out;
}

Intent statusBar(const ScreenContext& cx, const FrameView& v) {
    Intent out;
    ImGui::Separator();
    if (!v.job.empty()) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(v.job.c_str());
        ImGui::SameLine();
        float cancel_w = v.cancellable ? 120 : 0;
        w::progress(v.done, v.total,
                    ImVec2(ImGui::GetContentRegionAvail().x - cancel_w -
                               (cancel_w > 0 ? ImGui::GetStyle().ItemSpacing.x : 0),
                           0));
        if (v.cancellable) {
            ImGui::SameLine();
            if (w::button("cancel", tr(cx.lang, "console.cancel"), true, ImVec2(cancel_w, 0),
                          ui::Tone::Danger))
                out = intent::Cancel{};
        }
    } else if (!v.status.empty()) {
        ui::wrapped(nullptr, v.status, v.status_error ? ui::errorColor() : w::okColor());
    } else {
        ImGui::TextDisabled("%s", tr(cx.lang, "console.ready").c_str());
    }
    return out;
}

} // namespace pingyi::console
