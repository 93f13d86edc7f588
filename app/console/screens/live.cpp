#include "app/console/screens/screens.hpp"

namespace pingyi::console {

namespace {
const std::string& pickName(Lang lang, const std::string& zh, const std::string& en) {
    return lang == Lang::En && !en.empty() ? en : zh;
}
constexpr ImGuiTableFlags kTable =
    ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg | ImGuiTableFlags_SizingStretchProp;
} // namespace

Intent liveScreen(const ScreenContext& cx, const LiveView& v) {
    Intent out;
    Buffers& b = *cx.buffers;
    const LiveSnapshot& s = *v.snap;
    const Campaign& c = *v.campaign;
    if (s.generation == 0) {
        ui::wrapped(nullptr, tr(cx.lang, "console.live.reading"), ui::mutedColor());
        return out;
    }
    if (s.error) ui::wrapped(nullptr, describe(*s.error, cx.lang), ui::errorColor());
    ui::wrapped(cx.fonts->body,
                tr(cx.lang, "collector.counts",
                   {std::to_string(s.counts.envelopes), std::to_string(s.counts.devices),
                    std::to_string(s.counts.conflicts), std::to_string(s.counts.conflicts_open),
                    std::to_string(s.counts.missing)}));
    // The LAN sync service in this console (or `pingyi collector serve` elsewhere).
    if (v.server.running) {
        ImGui::AlignTextToFramePadding();
        ImGui::TextColored(
            ImVec4(0, 0.38f, 0.18f, 1), "%s",
            tr(cx.lang, "console.live.server_running",
               {v.server.address, std::to_string(v.server.port), std::to_string(v.server.requests),
                std::to_string(v.server.added), std::to_string(v.server.refused)})
                .c_str());
        ImGui::SameLine();
        if (w::button("stop_server", tr(cx.lang, "console.live.stop_server"), !v.busy))
            out = intent::StopServer{};
    } else {
        ImGui::AlignTextToFramePadding();
        ImGui::TextUnformatted(tr(cx.lang, "console.live.server").c_str());
        ImGui::SameLine();
        w::field("listen", "", &b.listen, 170);
        ImGui::SameLine();
        w::field("serve_key", tr(cx.lang, "console.count.key"), &b.collector_key, 330);
        ImGui::SameLine();
        bool enter = w::field("serve_pass", tr(cx.lang, "console.count.passphrase"), &b.serve_pass,
                              150, true);
        ImGui::SameLine();
        bool can = !v.busy && !b.collector_key.empty() && !b.serve_pass.empty();
        if ((w::button("start_server", tr(cx.lang, "console.live.start_server"), can) || enter) &&
            can)
            out = intent::StartServer{};
    }
    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float half = (ImGui::GetContentRegionAvail().x - gap) / 2;
    const float top_h = (ImGui::GetContentRegionAvail().y - gap) * 0.5f;

    // Tablets: what each delivered and what its ledger says is still missing.
    ImGui::BeginChild("devices", ImVec2(half, top_h), true);
    w::heading(cx, tr(cx.lang, "console.live.devices"));
    if (ImGui::BeginTable("devices_t", 5, kTable | ImGuiTableFlags_ScrollY)) {
        ImGui::TableSetupScrollFreeze(0, 1);
        for (const char* h :
             {"console.live.col.device", "console.live.col.held", "console.live.col.ledger",
              "console.live.col.missing", "console.live.col.contact"})
            ImGui::TableSetupColumn(tr(cx.lang, h).c_str());
        ImGui::TableHeadersRow();
        for (auto& d : s.devices) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(d.label.c_str());
            ImGui::TextDisabled("%s", d.fingerprint.c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%lld", static_cast<long long>(d.held));
            ImGui::TableNextColumn();
            ImGui::Text("%lld", static_cast<long long>(d.ledger));
            ImGui::TableNextColumn();
            if (d.missing.empty()) {
                ImGui::TextUnformatted("0");
            } else {
                ImGui::TextColored(ImVec4(0.67f, 0, 0, 1), "%zu", d.missing.size());
                for (std::size_t i = 0; i < d.missing.size() && i < 5; ++i)
                    ImGui::TextUnformatted(d.missing[i].c_str());
                if (d.missing.size() > 5) ImGui::TextUnformatted("…");
            }
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(d.last_contact.c_str());
        }
        ImGui::EndTable();
    }
    ImGui::EndChild();
    ImGui::SameLine();

    // Tokens used twice: neither counts until staff decide, with a reason that is logged.
    ImGui::BeginChild("conflicts", ImVec2(0, top_h), true);
    w::heading(cx, tr(cx.lang, "console.live.conflicts"));
    if (s.conflicts.empty()) {
        ui::wrapped(nullptr, tr(cx.lang, "console.live.no_conflicts"), ui::mutedColor());
    } else {
        w::field("reason", tr(cx.lang, "console.live.reason"), &b.reason, -1);
        for (std::size_t i = 0; i < s.conflicts.size(); ++i) {
            const LiveConflict& cf = s.conflicts[i];
            ImGui::Separator();
            std::string state = !cf.decided ? tr(cx.lang, "console.live.open")
                                : cf.counted
                                    ? tr(cx.lang, "conflict.counted", {*cf.counted, cf.reason})
                                    : tr(cx.lang, "conflict.neither", {cf.reason});
            ImGui::TextUnformatted(("#" + std::to_string(i + 1)).c_str());
            ImGui::SameLine();
            ui::wrapped(nullptr, state, cf.decided ? w::okColor() : ui::errorColor());
            for (std::size_t k = 0; k < cf.receipts.size(); ++k) {
                if (k > 0) ImGui::SameLine();
                if (w::button("resolve." + std::to_string(i) + "." + std::to_string(k),
                              tr(cx.lang, "console.live.count_this", {cf.receipts[k]}),
                              !v.busy && !b.reason.empty()))
                    out = intent::Resolve{i, k};
            }
            ImGui::SameLine();
            if (w::button("resolve." + std::to_string(i) + ".neither",
                          tr(cx.lang, "console.live.neither"), !v.busy && !b.reason.empty()))
                out = intent::Resolve{i, std::nullopt};
        }
    }
    ImGui::EndChild();

    // Composition per meeting, as the count will check it.
    ImGui::BeginChild("composition", ImVec2(0, 0), true);
    w::heading(cx, tr(cx.lang, "console.live.composition"));
    if (ImGui::BeginTable("composition_t", 4, kTable | ImGuiTableFlags_ScrollY)) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn(tr(cx.lang, "console.live.col.meeting").c_str(), 0, 1.2f);
        ImGui::TableSetupColumn(tr(cx.lang, "console.live.col.ballots").c_str(), 0, 0.8f);
        ImGui::TableSetupColumn(tr(cx.lang, "report.col.categories").c_str(), 0, 2.2f);
        ImGui::TableSetupColumn(tr(cx.lang, "report.col.quotas").c_str(), 0, 2.6f);
        ImGui::TableHeadersRow();
        for (auto& m : s.meetings) {
            const UnitDef* u = c.unit(m.meeting.unit);
            const Group* g = c.group(m.meeting.group);
            if (!g) continue;
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(
                ((u ? u->name : m.meeting.unit) + " · " + pickName(cx.lang, g->name, g->name_en))
                    .c_str());
            ImGui::TableNextColumn();
            ImGui::PushStyleColor(ImGuiCol_Text, m.min_pass ? w::okColor() : ui::errorColor());
            ImGui::TextUnformatted(tr(cx.lang, "console.live.of_min",
                                      {std::to_string(m.total), std::to_string(g->min_ballots)})
                                       .c_str());
            ImGui::PopStyleColor();
            ImGui::TableNextColumn();
            std::string cats;
            for (auto& cat : g->categories) {
                auto it = m.categories.find(cat.id);
                cats += (cats.empty() ? "" : tr(cx.lang, "report.list_sep")) +
                        tr(cx.lang, "report.category_count",
                           {pickName(cx.lang, cat.name, cat.name_en),
                            std::to_string(it == m.categories.end() ? 0 : it->second)});
            }
            ImGui::PushTextWrapPos(0);
            ImGui::TextUnformatted(cats.c_str());
            ImGui::PopTextWrapPos();
            ImGui::TableNextColumn();
            for (auto& q : m.quotas) {
                std::string names;
                for (auto& cid : q.categories) {
                    const Category* cat = c.category(*g, cid);
                    names += (names.empty() ? "" : tr(cx.lang, "report.list_sep")) +
                             (cat ? pickName(cx.lang, cat->name, cat->name_en) : cid);
                }
                char actual[32];
                std::snprintf(actual, sizeof actual, "%.2f",
                              static_cast<double>(q.actual_hundredths) / 100.0);
                ImGui::PushStyleColor(ImGuiCol_Text, q.pass ? w::okColor() : ui::errorColor());
                ImGui::PushTextWrapPos(0);
                ImGui::TextUnformatted(tr(cx.lang, "report.quota",
                                          {names, std::to_string(q.percent), actual,
                                           tr(cx.lang, q.pass ? "report.pass" : "report.fail")})
                                           .c_str());
                ImGui::PopTextWrapPos();
                ImGui::PopStyleColor();
            }
        }
        ImGui::EndTable();
    }
    ImGui::EndChild();
    return out;
}

} // namespace pingyi::console
