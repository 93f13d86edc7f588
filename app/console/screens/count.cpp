#include "app/console/screens/screens.hpp"

namespace pingyi::console {

Intent countScreen(const ScreenContext& cx, const CountView& v) {
    Intent out;
    Buffers& b = *cx.buffers;
    const float label_w = 220;
    ImGui::BeginChild("count_form", ImVec2(760, 0), true);
    w::heading(cx, tr(cx.lang, "console.count.title"));
    ui::wrapped(nullptr, tr(cx.lang, "console.count.held", {std::to_string(v.held)}));
    if (v.conflicts_open > 0)
        ui::wrapped(nullptr,
                    tr(cx.lang, "console.count.open_conflicts", {std::to_string(v.conflicts_open)}),
                    ui::errorColor());
    ImGui::Spacing();
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tr(cx.lang, "console.count.key").c_str());
    ImGui::SameLine(label_w);
    w::field("collector_key", "", &b.collector_key, -1);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tr(cx.lang, "console.count.passphrase").c_str());
    ImGui::SameLine(label_w);
    bool enter = w::field("count_pass", "", &b.count_pass, -1, true);
    ui::wrapped(nullptr, tr(cx.lang, "console.count.passphrase_hint"), ui::mutedColor());
    bool can = v.store_open && !v.busy && !b.collector_key.empty() && !b.count_pass.empty();
    if ((w::button("count", tr(cx.lang, "console.count.start"), can, ImVec2(200, 0),
                   ui::Tone::Primary) ||
         enter) &&
        can)
        out = intent::StartCount{};
    if (v.counting) {
        ImGui::Spacing();
        if (v.total == 0) // Argon2id takes a moment; then the envelopes are listed
            ui::wrapped(cx.fonts->body, tr(cx.lang, "console.count.unlocking"));
        else
            ui::wrapped(cx.fonts->body, tr(cx.lang, "count.progress",
                                           {std::to_string(v.done), std::to_string(v.total)}));
        w::progress(v.done, v.total, ImVec2(-1, 36));
    }
    if (!v.last.empty()) {
        ImGui::Spacing();
        ui::wrapped(nullptr, v.last);
        if (!v.busy && w::button("show_results", tr(cx.lang, "console.count.show_results"), true,
                                 ImVec2(200, 0)))
            out = intent::GoTo{Tab::Results};
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("count_steps", ImVec2(0, 0), true);
    w::heading(cx, tr(cx.lang, "console.count.steps_title"));
    for (const char* id : {"console.count.step1", "console.count.step2", "console.count.step3",
                           "console.count.step4"}) {
        ImGui::Bullet();
        ui::wrapped(nullptr, tr(cx.lang, id));
    }
    ImGui::EndChild();
    return out;
}

} // namespace pingyi::console
