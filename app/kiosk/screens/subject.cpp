#include "app/kiosk/screens/screens.hpp"

#include <algorithm>

namespace pingyi::kiosk::screen {

namespace {

const ImU32 kAccent = IM_COL32(0, 55, 140, 255);

// Who is rated, what they reported and promised, and what each item means.
void info(const ScreenContext& cx, const SubjectView& v) {
    const ui::Fonts& f = *cx.fonts;
    ui::wrapped(f.title, v.subject->name);
    ui::wrapped(f.body, v.subject->position + "  ·  " + v.unit, ui::mutedColor());
    ImGui::Separator();
    if (!v.subject->report.empty()) {
        ui::wrapped(f.body, tr(cx.lang, "kiosk.subject.report"), kAccent);
        ui::wrapped(f.body, v.subject->report);
    }
    if (!v.subject->commitments.empty()) {
        ImGui::Spacing();
        ui::wrapped(f.body, tr(cx.lang, "kiosk.subject.commitments"), kAccent);
        ui::wrapped(f.body, v.subject->commitments);
    }
    bool any = false;
    for (auto& item : v.questionnaire->items)
        any = any || !item.description.empty();
    if (any && cx.lang == Lang::Zh) {
        ImGui::Spacing();
        ui::wrapped(f.body, tr(cx.lang, "kiosk.subject.items_help"), kAccent);
        for (auto& item : v.questionnaire->items)
            if (!item.description.empty())
                ui::wrapped(f.body, item.name + "：" + item.description, ui::mutedColor());
    }
}

Action items(const ScreenContext& cx, const SubjectView& v) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    const auto& levels = v.scale->levels;
    const std::size_t n = levels.size() + 1; // + 不了解
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float pad = 16; // the least room around a level's name inside its button
    auto levelName = [&](std::size_t l) -> std::string {
        return l == levels.size() ? pick(cx.lang, v.scale->unknown_name, v.scale->unknown_name_en)
                                  : pick(cx.lang, levels[l].name, levels[l].name_en);
    };
    float widest = 0;
    for (std::size_t l = 0; l < n; ++l)
        widest = std::max(widest, ImGui::CalcTextSize(levelName(l).c_str()).x + pad);
    float name_w = 0;
    for (auto& item : v.questionnaire->items)
        name_w =
            std::max(name_w, ImGui::CalcTextSize(pick(cx.lang, item.name, item.name_en).c_str()).x);
    name_w += ImGui::CalcTextSize("5. ").x + gap;
    const float avail = ImGui::GetContentRegionAvail().x;
    // The item's name beside its buttons when everything fits; else above them.
    const bool beside =
        (avail - name_w - gap * static_cast<float>(n)) / static_cast<float>(n) >= widest;
    const float row_w = beside ? avail - name_w : avail;
    const float bw = (row_w - gap * static_cast<float>(n - 1)) / static_cast<float>(n);
    // Long level names (English) shrink to fit their buttons rather than being cut.
    const float label_scale = std::min(1.0f, bw / widest);
    ImGui::PushStyleVar(ImGuiStyleVar_ItemSpacing, ImVec2(gap, 6));
    for (std::size_t i = 0; i < v.questionnaire->items.size(); ++i) {
        const Item& item = v.questionnaire->items[i];
        ImGui::PushID(static_cast<int>(i));
        bool missing = !v.choices[i] && !v.message.empty();
        std::string label = std::to_string(i + 1) + ". " + pick(cx.lang, item.name, item.name_en);
        if (beside) {
            float y = ImGui::GetCursorPosY();
            ImGui::SetCursorPosY(y + (64 - ImGui::GetTextLineHeight()) / 2);
            if (missing) ImGui::PushStyleColor(ImGuiCol_Text, ui::errorColor());
            ImGui::TextUnformatted(label.c_str());
            if (missing) ImGui::PopStyleColor();
            ImGui::SameLine(name_w);
            ImGui::SetCursorPosY(y);
        } else {
            ui::wrapped(f.body, label, missing ? ui::errorColor() : 0);
        }
        ImGui::SetWindowFontScale(label_scale);
        for (std::size_t l = 0; l < n; ++l) {
            if (l > 0) ImGui::SameLine(0, gap);
            bool unknown = l == levels.size();
            std::optional<std::size_t> level;
            if (!unknown) level = l;
            bool chosen = v.choices[i] && *v.choices[i] == level;
            std::string key = "rate." + std::to_string(i) + "." +
                              (unknown ? std::string("unknown") : levels[l].id);
            ui::Tone tone = chosen ? ui::Tone::Selected : ui::Tone::Normal;
            if (ui::button(key, levelName(l), ImVec2(bw, 64), tone))
                out = Intent{intent::Rate{i, level}};
        }
        ImGui::SetWindowFontScale(1.0f);
        ImGui::Dummy(ImVec2(0, beside ? 6.0f : 10.0f));
        ImGui::PopID();
    }
    ImGui::PopStyleVar();
    return out;
}

} // namespace

Action subject(const ScreenContext& cx, const SubjectView& v) {
    Action out;
    const ui::Fonts& f = *cx.fonts;
    ui::beginScreen("subject");
    ui::wrapped(f.body,
                tr(cx.lang, "kiosk.subject.progress",
                   {std::to_string(v.page + 1), std::to_string(v.pages)}),
                ui::mutedColor());
    { // progress bar: how far through the meeting's subjects
        ImDrawList* dl = ImGui::GetWindowDrawList();
        ImVec2 p = ImGui::GetCursorScreenPos();
        float w = ImGui::GetContentRegionAvail().x;
        float done =
            static_cast<float>(v.page + 1) / static_cast<float>(std::max<std::size_t>(v.pages, 1));
        dl->AddRectFilled(p, ImVec2(p.x + w, p.y + 10), IM_COL32(220, 220, 220, 255));
        dl->AddRectFilled(p, ImVec2(p.x + w * done, p.y + 10), kAccent);
        ImGui::Dummy(ImVec2(w, 10));
    }
    const float nav_h = 90;
    const float spacing = ImGui::GetStyle().ItemSpacing.y;
    const float body_h = ImGui::GetContentRegionAvail().y - nav_h - spacing -
                         (v.message.empty() ? 0 : ImGui::GetTextLineHeightWithSpacing());
    Action a;
    if (cx.portrait()) {
        // Items first measured, then the subject's text gets the rest, scrolling by finger.
        const std::size_t n = v.questionnaire->items.size();
        const float items_h = static_cast<float>(n) * (ImGui::GetTextLineHeight() + 64 + 10 + 18);
        const float info_h = std::max(body_h - items_h - spacing, body_h * 0.25f);
        ImGui::BeginChild("info", ImVec2(0, info_h), true);
        ui::touchScroll();
        info(cx, v);
        ImGui::EndChild();
        ImGui::BeginChild("items", ImVec2(0, body_h - info_h - spacing), false);
        ui::touchScroll();
        a = items(cx, v);
        ImGui::EndChild();
    } else {
        float left_w = ImGui::GetContentRegionAvail().x * 0.34f;
        ImGui::BeginChild("info", ImVec2(left_w, body_h), true);
        ui::touchScroll();
        info(cx, v);
        ImGui::EndChild();
        ImGui::SameLine();
        ImGui::BeginChild("items", ImVec2(0, body_h), false);
        ui::touchScroll();
        a = items(cx, v);
        ImGui::EndChild();
    }
    if (!std::holds_alternative<std::monostate>(a)) out = a;
    if (!v.message.empty()) ui::centred(f.body, text(cx, v.message), ui::errorColor());
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float bw = (ImGui::GetContentRegionAvail().x - gap) / 2;
    if (ui::button("back", tr(cx.lang, "kiosk.back"), ImVec2(bw, nav_h), ui::Tone::Normal,
                   v.page > 0))
        out = Intent{intent::Back{}};
    ImGui::SameLine();
    if (ui::button("next", tr(cx.lang, "kiosk.next"), ImVec2(bw, nav_h), ui::Tone::Primary))
        out = Intent{intent::Next{}};
    ui::endScreen();
    return out;
}

} // namespace pingyi::kiosk::screen
