#include "app/console/screens/screens.hpp"

namespace pingyi::console {

Intent publishScreen(const ScreenContext& cx, const PublishView& v) {
    Intent out;
    Buffers& b = *cx.buffers;
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float col = (ImGui::GetContentRegionAvail().x - gap) / 2;
    const float label_w = 190;
    auto row = [&](const char* key, const char* label, std::string* value, bool secret = false) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(tr(cx.lang, label).c_str());
        ImGui::SameLine(label_w);
        return w::field(key, "", value, -1, secret);
    };

    ImGui::BeginChild("left", ImVec2(col, 0), false);
    ImGui::BeginChild("export", ImVec2(0, 250), true);
    w::heading(cx, tr(cx.lang, "console.publish.export"));
    for (auto& s : v.stale)
        ui::wrapped(nullptr, tr(cx.lang, "results.stale_note", {s}), ui::errorColor());
    row("export_dir", "console.publish.folder", &b.export_dir);
    w::check("json", "JSON", &b.fmt_json);
    ImGui::SameLine();
    w::check("csv", "CSV", &b.fmt_csv);
    ImGui::SameLine();
    w::check("xlsx", "XLSX", &b.fmt_xlsx);
    ImGui::SameLine();
    w::check("html", tr(cx.lang, "console.publish.html"), &b.fmt_html);
    w::check("receipts", tr(cx.lang, "console.publish.receipts"), &b.fmt_receipts);
    ImGui::SameLine();
    w::check("comments", tr(cx.lang, "console.publish.comments"), &b.fmt_comments);
    if (w::button("export", tr(cx.lang, "console.publish.export_do"),
                  v.has_results && !v.busy && !b.export_dir.empty(), ImVec2(200, 0),
                  ui::Tone::Primary))
        out = intent::Export{};
    if (!v.has_results) ui::wrapped(nullptr, tr(cx.lang, "results.not_counted"), ui::mutedColor());
    ImGui::EndChild();

    ImGui::BeginChild("sign", ImVec2(0, 0), true);
    w::heading(cx, tr(cx.lang, "console.publish.sign"));
    ui::wrapped(nullptr, tr(cx.lang, "console.publish.sign_hint"), ui::mutedColor());
    row("results_file", "console.publish.results_file", &b.results_file);
    ImGui::AlignTextToFramePadding();
    ImGui::TextUnformatted(tr(cx.lang, "report.col.unit").c_str());
    for (std::size_t i = 0; i < v.units.size(); ++i) {
        // Wrap the unit buttons when the next would not fit.
        float bw =
            ImGui::CalcTextSize(v.units[i].second.c_str()).x + 2 * ImGui::GetStyle().FramePadding.x;
        if (i == 0)
            ImGui::SameLine(label_w);
        else if (ImGui::GetItemRectMax().x + gap + bw <
                 ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x)
            ImGui::SameLine();
        else
            ImGui::SetCursorPosX(label_w);
        if (w::button("sign_unit." + v.units[i].first, v.units[i].second, true, ImVec2(0, 0),
                      static_cast<int>(i) == b.sign_unit ? ui::Tone::Selected : ui::Tone::Normal))
            b.sign_unit = static_cast<int>(i);
    }
    // A ranking that breaks the rules: the reasons, and a tick the signer must give.
    std::size_t chosen = static_cast<std::size_t>(std::max(0, b.sign_unit));
    bool noncompliant = chosen < v.unit_problems.size() && !v.unit_problems[chosen].empty();
    if (noncompliant) {
        ui::wrapped(nullptr, tr(cx.lang, "composition.banner"), ui::errorColor());
        for (auto& p : v.unit_problems[chosen])
            ui::wrapped(nullptr, p, ui::errorColor());
        w::check("sign_confirm", tr(cx.lang, "console.publish.sign_confirm"), &b.sign_confirm);
    }
    row("head_key", "console.publish.head_key", &b.head_key);
    bool enter = row("head_pass", "console.count.passphrase", &b.head_pass, true);
    bool can = !v.busy && !v.units.empty() && !b.results_file.empty() && !b.head_key.empty() &&
               !b.head_pass.empty() && (!noncompliant || b.sign_confirm);
    if ((w::button("sign", tr(cx.lang, "console.publish.sign_do"), can, ImVec2(200, 0),
                   ui::Tone::Primary) ||
         enter) &&
        can)
        out = intent::Sign{};
    ImGui::EndChild();
    ImGui::EndChild();
    ImGui::SameLine();

    ImGui::BeginChild("verify", ImVec2(0, 0), true);
    w::heading(cx, tr(cx.lang, "console.publish.verify"));
    ui::wrapped(nullptr, tr(cx.lang, "console.publish.verify_hint"), ui::mutedColor());
    row("verify_file", "console.publish.results_file", &b.results_file);
    row("verify_package", "console.publish.package", &b.verify_package);
    row("verify_head", "console.publish.head_pub", &b.verify_head_pub);
    bool venter = row("verify_receipt", "console.publish.receipt", &b.verify_receipt);
    if ((w::button("verify", tr(cx.lang, "console.publish.verify_do"),
                   !v.busy && !b.results_file.empty(), ImVec2(200, 0)) ||
         venter) &&
        !v.busy && !b.results_file.empty())
        out = intent::Verify{};
    ImGui::Spacing();
    for (auto& [line, ok] : v.verify_lines)
        ui::wrapped(nullptr, line, ok ? w::okColor() : ui::errorColor());
    ImGui::EndChild();
    return out;
}

} // namespace pingyi::console
