#include "app/kiosk/screens/screens.hpp"

#include "core/crypto.hpp"

#include <imgui_stdlib.h>

#include <algorithm>
#include <filesystem>

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
    ui::itemBorder();
    ImGui::PopStyleVar();
    ui::recordItem(std::string("field.") + (id + 2));
}

// The PIN fields take what the kiosk's keypad and the PIN rule take: digits, at most
// kPinMaxDigits (a pasted or typed letter is dropped as it comes).
int pinFilter(ImGuiInputTextCallbackData* d) {
    if (d->EventFlag == ImGuiInputTextFlags_CallbackCharFilter)
        return d->EventChar >= '0' && d->EventChar <= '9' ? 0 : 1; // 1 drops the character
    const int max = static_cast<int>(kPinMaxDigits);
    if (d->EventFlag == ImGuiInputTextFlags_CallbackAlways && d->BufTextLen > max)
        d->DeleteChars(max, d->BufTextLen - max);
    return 0;
}

void pinField(const char* id, std::string* value, float width) {
    ImGui::SetNextItemWidth(width);
    ImGui::PushStyleVar(ImGuiStyleVar_FramePadding,
                        ImVec2(14, (ui::kMinTouch - ImGui::GetTextLineHeight()) / 2));
    ImGui::InputText(id, value,
                     ImGuiInputTextFlags_Password | ImGuiInputTextFlags_CallbackCharFilter |
                         ImGuiInputTextFlags_CallbackAlways,
                     pinFilter);
    ui::itemBorder();
    ImGui::PopStyleVar();
    ui::recordItem(std::string("field.") + (id + 2));
}
} // namespace

namespace {
// A row: text that wraps on the left, a button of width `btn_w` on the right; as tall as the
// taller of the two. Returns true when the button is pressed.
bool rowWithButton(const std::string& text, const std::string& key, const std::string& label,
                   float avail, float btn_w, ui::Tone tone = ui::Tone::Normal) {
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float x0 = ImGui::GetCursorPosX(), y = ImGui::GetCursorPosY();
    ImGui::PushTextWrapPos(x0 + avail - btn_w - gap);
    ImGui::SetCursorPosY(y + 8);
    ImGui::TextUnformatted(text.c_str());
    ImGui::PopTextWrapPos();
    float below = ImGui::GetCursorPosY();
    ImGui::SetCursorPos(ImVec2(x0 + avail - btn_w, y));
    bool pressed = ui::button(key, label, ImVec2(btn_w, 0), tone);
    ImGui::SetCursorPosY(std::max(ImGui::GetCursorPosY(), below));
    return pressed;
}

void counts(const ScreenContext& cx, const AdminView& v) {
    ui::wrapped(cx.fonts->body,
                tr(cx.lang, "tablet.status.counts",
                   {std::to_string(v.cast), std::to_string(v.exported),
                    std::to_string(v.acknowledged), std::to_string(v.tokens_known)}));
}

// This tablet: campaign, enrolment, counts, and the meetings it opens.
void tabletPage(const ScreenContext& cx, const AdminView& v, Action& out) {
    const ui::Fonts& f = *cx.fonts;
    const float avail = ImGui::GetContentRegionAvail().x;
    ui::wrapped(f.body, tr(cx.lang, "tablet.status.campaign", {v.campaign, v.campaign_id}));
    ui::wrapped(f.body, tr(cx.lang, "tablet.status.device", {v.device_label, v.fingerprint}));
    ui::wrapped(f.body, tr(cx.lang, "tablet.status.organiser", {v.organiser}));
    counts(cx, v);
    heading(cx, "kiosk.admin.meetings");
    for (auto& m : v.meetings)
        if (rowWithButton(m.name, "meeting." + m.id,
                          tr(cx.lang, m.open ? "kiosk.admin.open" : "kiosk.admin.closed"), avail,
                          180, m.open ? ui::Tone::Primary : ui::Tone::Normal))
            out = AdminAction{admin::ToggleMeeting{m.id}};
}

// Ballots leave the tablet: LAN sync to the collector, or a bundle file on a USB stick.
void transferPage(const ScreenContext& cx, const AdminView& v, Action& out) {
    const ui::Fonts& f = *cx.fonts;
    AdminBuffers& b = *v.buffers;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float btn_w = 150;
    counts(cx, v);
    heading(cx, "kiosk.admin.sync");
    if (v.syncing) ImGui::BeginDisabled();
    field("##sync_url", &b.sync_url, avail - btn_w - gap);
    if (v.syncing) ImGui::EndDisabled();
    ImGui::SameLine();
    if (ui::button("sync", tr(cx.lang, "kiosk.admin.sync_do"), ImVec2(btn_w, 0), ui::Tone::Primary,
                   !v.syncing))
        out = AdminAction{admin::Sync{b.sync_url}};
    if (v.syncing) {
        float fraction = v.sync_total == 0 ? 1.0f
                                           : static_cast<float>(v.sync_acknowledged) /
                                                 static_cast<float>(v.sync_total);
        ImGui::PushStyleColor(ImGuiCol_PlotHistogram, IM_COL32(0, 98, 45, 255));
        ImGui::PushStyleColor(ImGuiCol_FrameBg, IM_COL32(232, 232, 232, 255));
        ImGui::ProgressBar(v.sync_connected ? fraction : 0.0f, ImVec2(avail, 36), "");
        ui::itemBorder();
        ImGui::PopStyleColor(2);
        ui::wrapped(f.body,
                    v.sync_connected
                        ? tr(cx.lang, "kiosk.admin.sync_running",
                             {std::to_string(v.sync_acknowledged), std::to_string(v.sync_total)})
                        : tr(cx.lang, "kiosk.admin.sync_connecting", {b.sync_url}));
    }
    heading(cx, "kiosk.admin.export");
    field("##bundle", &b.bundle_path, avail - btn_w - gap);
    ImGui::SameLine();
    if (ui::button("export", tr(cx.lang, "kiosk.admin.export_do"), ImVec2(btn_w, 0)))
        out = AdminAction{admin::ExportBundle{b.bundle_path}};
}

// Campaign packages and token additions on a USB stick: the folder's matching files, each with
// its own button, so the administrator picks a file instead of typing its name.
void usbPage(const ScreenContext& cx, const AdminView& v, Action& out) {
    const ui::Fonts& f = *cx.fonts;
    AdminBuffers& b = *v.buffers;
    const float avail = ImGui::GetContentRegionAvail().x;
    heading(cx, "kiosk.admin.usb");
    field("##usb", &b.usb_path, avail);
    if (v.usb_missing)
        ui::wrapped(f.body, tr(cx.lang, "kiosk.admin.usb_missing", {b.usb_path}), ui::mutedColor());
    else if (v.usb_files.empty())
        ui::wrapped(f.body, tr(cx.lang, "kiosk.admin.usb_none", {b.usb_path}), ui::mutedColor());
    for (auto& name : v.usb_files)
        if (rowWithButton(name, "load." + name, tr(cx.lang, "kiosk.admin.load"), avail, 150))
            out = AdminAction{admin::LoadFile{(std::filesystem::path(b.usb_path) / name).string()}};
}

// Language, text size, PIN.
void settingsPage(const ScreenContext& cx, const AdminView& v, Action& out) {
    const ui::Fonts& f = *cx.fonts;
    AdminBuffers& b = *v.buffers;
    const float avail = ImGui::GetContentRegionAvail().x;
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    heading(cx, "kiosk.admin.display");
    if (ui::button("lang.zh", "中文", ImVec2(130, 0),
                   cx.lang == Lang::Zh ? ui::Tone::Selected : ui::Tone::Normal))
        out = AdminAction{admin::SetLanguage{Lang::Zh}};
    ImGui::SameLine();
    if (ui::button("lang.en", "English", ImVec2(130, 0),
                   cx.lang == Lang::En ? ui::Tone::Selected : ui::Tone::Normal))
        out = AdminAction{admin::SetLanguage{Lang::En}};
    const float size_w = std::min(200.0f, std::max(ui::kMinTouch * 1.6f, (avail - 3 * gap) / 4));
    for (int pct : {85, 100, 120, 140}) {
        if (pct != 85) ImGui::SameLine();
        if (ui::button("size." + std::to_string(pct), std::to_string(pct) + "%", ImVec2(size_w, 0),
                       v.text_percent == pct ? ui::Tone::Selected : ui::Tone::Normal))
            out = AdminAction{admin::SetTextSize{pct}};
    }
    heading(cx, "kiosk.admin.pin");
    const float btn_w = 150;
    const float pin_w = std::min(240.0f, (avail - btn_w - 3 * gap) / 3);
    ui::wrapped(f.body, tr(cx.lang, "kiosk.admin.pin_fields"), ui::mutedColor());
    pinField("##old_pin", &b.old_pin, pin_w);
    ImGui::SameLine();
    pinField("##new_pin", &b.new_pin, pin_w);
    ImGui::SameLine();
    pinField("##repeat_pin", &b.repeat_pin, pin_w);
    ImGui::SameLine();
    if (ui::button("change_pin", tr(cx.lang, "kiosk.admin.pin_do"), ImVec2(btn_w, 0)))
        out = AdminAction{admin::ChangePin{b.old_pin, b.new_pin, b.repeat_pin}};
}
} // namespace

Action administrator(const ScreenContext& cx, const AdminView& v) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    AdminBuffers& b = *v.buffers;
    ui::beginScreen("admin");
    ui::wrapped(f.title, tr(cx.lang, "kiosk.admin.title"));

    // One page at a time, picked by a row of tabs: each fits the screen without scrolling.
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    static const std::pair<AdminTab, const char*> kTabs[] = {
        {AdminTab::Tablet, "tablet"},
        {AdminTab::Transfer, "transfer"},
        {AdminTab::Usb, "usb"},
        {AdminTab::Settings, "settings"},
    };
    const int per_row = cx.portrait() ? 2 : 4; // portrait: two rows, so the labels fit
    const float tab_w = (ImGui::GetContentRegionAvail().x - static_cast<float>(per_row - 1) * gap) /
                        static_cast<float>(per_row);
    int i = 0;
    for (auto& [tab, name] : kTabs) {
        if (i++ % per_row != 0) ImGui::SameLine();
        if (ui::button(std::string("tab.") + name,
                       tr(cx.lang, std::string("kiosk.admin.tab.") + name), ImVec2(tab_w, 64),
                       b.tab == tab ? ui::Tone::Selected : ui::Tone::Normal))
            b.tab = tab;
    }

    const float bar_h = 80;
    const float wrap_w = ImGui::GetContentRegionAvail().x;
    const float status_h =
        v.status.empty() ? 0.0f
                         : ImGui::CalcTextSize(v.status.c_str(), v.status.c_str() + v.status.size(),
                                               false, wrap_w)
                                   .y +
                               ImGui::GetStyle().ItemSpacing.y;
    const float body_h =
        ImGui::GetContentRegionAvail().y - bar_h - ImGui::GetStyle().ItemSpacing.y - status_h;
    ImGui::BeginChild("admin_page", ImVec2(0, body_h), false);
    ui::touchScroll();
    switch (b.tab) {
    case AdminTab::Tablet:
        tabletPage(cx, v, out);
        break;
    case AdminTab::Transfer:
        transferPage(cx, v, out);
        break;
    case AdminTab::Usb:
        usbPage(cx, v, out);
        break;
    case AdminTab::Settings:
        settingsPage(cx, v, out);
        break;
    }
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
