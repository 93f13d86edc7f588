#include "app/kiosk/screens/screens.hpp"

#include "core/crypto.hpp"

#include <imgui_stdlib.h>

#include <algorithm>

namespace pingyi::kiosk::screen {

void AdminBuffers::wipePins() {
    wipe(old_pin);
    wipe(new_pin);
    wipe(repeat_pin);
}

namespace {
void heading(const ScreenContext& cx, const char* id) {
    ImGui::Dummy(ImVec2(0, 4));
    ui::wrapped(cx.fonts->body, tr(cx.lang, id), IM_COL32(0, 55, 140, 255));
}

// A one-line text field at touch height; `secret` hides what is typed.
void field(const char* id, std::string* value, float width, bool secret = false) {
    ImGui::SetNextItemWidth(width);
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding,
                        ImVec2(14, (ui::kMinTouch - ImGui::GetTextLineHeight()) / 2));
    ImGui::InputText(id, value, secret ? ImGuiInputTextFlags_Password : 0);
    ImGui::PopStyleVar();
    ui::recordItem(std::string("field.") + (id + 2));
}
} // namespace

Action administrator(const ScreenContext& cx, const AdminView& v) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    AdminBuffers& b = *v.buffers;
    ui::beginScreen("admin");
    ui::wrapped(f.title, tr(cx.lang, "kiosk.admin.title"));
    const float bar_h = 80;
    const float body_h = ImGui::GetContentRegionAvail().y - bar_h -
                         2 * ImGui::GetStyle().ItemSpacing.y -
                         (v.status.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing());
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float col_w = cx.portrait() ? 0.0f : (ImGui::GetContentRegionAvail().x - gap) / 2;

    // The tablet, its counts and its meetings.
    ImGui::BeginChild("admin_left", ImVec2(col_w, body_h), false);
    ui::touchScroll();
    float avail = ImGui::GetContentRegionAvail().x;
    ui::wrapped(f.body, tr(cx.lang, "tablet.status.campaign", {v.campaign, v.campaign_id}));
    ui::wrapped(f.body, tr(cx.lang, "tablet.status.device", {v.device_label, v.fingerprint}));
    ui::wrapped(f.body, tr(cx.lang, "tablet.status.organiser", {v.organiser}));
    ui::wrapped(f.body, tr(cx.lang, "tablet.status.counts",
                           {std::to_string(v.cast), std::to_string(v.exported),
                            std::to_string(v.acknowledged), std::to_string(v.tokens_known)}));
    heading(cx, "kiosk.admin.meetings");
    for (auto& m : v.meetings) {
        // The name wraps beside its button; the row is as tall as the taller of the two.
        const float x0 = ImGui::GetCursorPosX(), y = ImGui::GetCursorPosY();
        ImGui::PushTextWrapPos(x0 + avail - 180 - gap);
        ImGui::SetCursorPosY(y + 8);
        ImGui::TextUnformatted(m.name.c_str());
        ImGui::PopTextWrapPos();
        float below = ImGui::GetCursorPosY();
        ImGui::SetCursorPos(ImVec2(x0 + avail - 180, y));
        if (ui::button("meeting." + m.id,
                       tr(cx.lang, m.open ? "kiosk.admin.open" : "kiosk.admin.closed"),
                       ImVec2(180, 0), m.open ? ui::Tone::Primary : ui::Tone::Normal))
            out = AdminAction{admin::ToggleMeeting{m.id}};
        ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), below));
    }
    if (!cx.portrait()) {
        ImGui::EndChild();
        ImGui::SameLine();
        ImGui::BeginChild("admin_right", ImVec2(0, body_h), false);
        ui::touchScroll();
        avail = ImGui::GetContentRegionAvail().x;
    }

    // Language, text size, files, PIN.
    heading(cx, "kiosk.admin.display");
    if (ui::button("lang.zh", "中文", ImVec2(130, 0),
                   cx.lang == Lang::Zh ? ui::Tone::Selected : ui::Tone::Normal))
        out = AdminAction{admin::SetLanguage{Lang::Zh}};
    ImGui::SameLine();
    if (ui::button("lang.en", "English", ImVec2(130, 0),
                   cx.lang == Lang::En ? ui::Tone::Selected : ui::Tone::Normal))
        out = AdminAction{admin::SetLanguage{Lang::En}};
    const float size_w = std::max(ui::kMinTouch * 1.6f, (avail - 3 * gap) / 4);
    for (int pct : {85, 100, 120, 140}) {
        if (pct != 85) ImGui::SameLine();
        if (ui::button("size." + std::to_string(pct), std::to_string(pct) + "%", ImVec2(size_w, 0),
                       v.text_percent == pct ? ui::Tone::Selected : ui::Tone::Normal))
            out = AdminAction{admin::SetTextSize{pct}};
    }

    const float btn_w = 150;
    heading(cx, "kiosk.admin.export");
    field("##bundle", &b.bundle_path, avail - btn_w - gap);
    ImGui::SameLine();
    if (ui::button("export", tr(cx.lang, "kiosk.admin.export_do"), ImVec2(btn_w, 0)))
        out = AdminAction{admin::ExportBundle{b.bundle_path}};

    heading(cx, "kiosk.admin.additions");
    field("##additions", &b.additions_path, avail - btn_w - gap);
    ImGui::SameLine();
    if (ui::button("additions", tr(cx.lang, "kiosk.admin.additions_do"), ImVec2(btn_w, 0)))
        out = AdminAction{admin::AddTokens{b.additions_path}};

    heading(cx, "kiosk.admin.pin");
    const float pin_w = (avail - btn_w - 3 * gap) / 3;
    ui::wrapped(f.body, tr(cx.lang, "kiosk.admin.pin_fields"), ui::mutedColor());
    field("##old_pin", &b.old_pin, pin_w, true);
    ImGui::SameLine();
    field("##new_pin", &b.new_pin, pin_w, true);
    ImGui::SameLine();
    field("##repeat_pin", &b.repeat_pin, pin_w, true);
    ImGui::SameLine();
    if (ui::button("change_pin", tr(cx.lang, "kiosk.admin.pin_do"), ImVec2(btn_w, 0)))
        out = AdminAction{admin::ChangePin{b.old_pin, b.new_pin, b.repeat_pin}};
    ImGui::EndChild();

    if (!v.status.empty())
        ui::wrapped(f.body, v.status, v.status_error ? ui::errorColor() : IM_COL32(0, 98, 45, 255));
    const float bw = (ImGui::GetContentRegionAvail().x - gap) / 2;
    if (ui::button("exit", tr(cx.lang, "kiosk.admin.exit"), ImVec2(bw, bar_h), ui::Tone::Danger))
        out = Intent{intent::RequestExit{}};
    ImGui::SameLine();
    if (ui::button("close", tr(cx.lang, "kiosk.admin.close"), ImVec2(bw, bar_h), ui::Tone::Primary))
        out = Intent{intent::CloseAdmin{}};
    ui::endScreen();
    return out;
}

} // namespace pingyi::kiosk::screen
