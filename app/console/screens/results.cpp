#include "app/console/screens/screens.hpp"

#include <algorithm>
#include <numeric>

namespace pingyi::console {

namespace {

constexpr ImU32 kLevelColors[] = {IM_COL32(0, 98, 45, 255),    IM_COL32(86, 160, 90, 255),
                                  IM_COL32(230, 170, 40, 255), IM_COL32(190, 40, 30, 255),
                                  IM_COL32(120, 60, 150, 255), IM_COL32(60, 60, 60, 255)};
constexpr ImU32 kUnknownColor = IM_COL32(190, 190, 190, 255);

const std::string& pickEn(Lang lang, const std::string& zh, const std::string& en) {
    return lang == Lang::En && !en.empty() ? en : zh;
}

ImU32 levelColor(std::size_t k) {
    return kLevelColors[std::min(k, std::size(kLevelColors) - 1)];
}

// The ranking rows in the order the table's sort specs ask for (rank order by default).
std::vector<std::size_t> sortedRows(const UnitView& u) {
    std::vector<std::size_t> idx(u.subjects.size());
    std::iota(idx.begin(), idx.end(), 0);
    ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs();
    if (!specs || specs->SpecsCount == 0) return idx;
    const ImGuiTableColumnSortSpecs& s = specs->Specs[0];
    auto num = [](const std::optional<double>& v) { return v ? *v : -1.0; };
    // Columns: rank, subject, position, one per group, final, bottom.
    const int groups = static_cast<int>(u.groups.size());
    auto key = [&](const SubjectView& x) -> double {
        int c = s.ColumnIndex;
        if (c == 0) return x.rank ? static_cast<double>(*x.rank) : 1e9;
        if (c >= 3 && c < 3 + groups) {
            auto k = static_cast<std::size_t>(c - 3);
            return k < x.score_v.size() ? num(x.score_v[k]) : -1.0;
        }
        if (c == 3 + groups) return num(x.final_v);
        if (c == 4 + groups) return x.bottom ? 1 : 0;
        return 0;
    };
    std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
        const SubjectView &x = u.subjects[a], &y = u.subjects[b];
        bool less = (s.ColumnIndex == 1 || s.ColumnIndex == 2)
                        ? (s.ColumnIndex == 1 ? x.name < y.name : x.position < y.position)
                        : key(x) < key(y);
        bool greater = (s.ColumnIndex == 1 || s.ColumnIndex == 2)
                           ? (s.ColumnIndex == 1 ? y.name < x.name : y.position < x.position)
                           : key(y) < key(x);
        return s.SortDirection == ImGuiSortDirection_Descending ? greater : less;
    });
    return idx;
}

// Per item: the mean (0-100) as a bar per group, and beside it how the answers spread over the
// levels (and 不了解), as one stacked bar.
void itemChart(const ScreenContext& cx, const ResultsView& r, const UnitView& u,
               const SubjectView& s) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const float line = ImGui::GetTextLineHeight();
    const float full = ImGui::GetContentRegionAvail().x;
    // The group column is as wide as its longest name in the current language.
    float group_w = 60;
    for (std::size_t k = 0; k < u.groups.size(); ++k)
        group_w = std::max(
            group_w,
            ImGui::CalcTextSize(pickEn(cx.lang, u.group_names[k],
                                       k < u.group_names_en.size() ? u.group_names_en[k] : "")
                                    .c_str())
                    .x +
                12);
    const float name_w = std::min(220.0f, full * 0.28f);
    const float bar_w = (full - name_w - group_w - 30) * 0.5f;
    // Legend.
    {
        ImVec2 p = ImGui::GetCursorScreenPos();
        float x = p.x;
        for (std::size_t k = 0; k <= r.levels.size(); ++k) {
            std::string name;
            if (k < r.levels.size())
                name = pickEn(cx.lang, r.levels[k], k < r.levels_en.size() ? r.levels_en[k] : "");
            else
                name = r.unknown.empty() ? tr(cx.lang, "console.results.unknown")
                                         : pickEn(cx.lang, r.unknown, r.unknown_en);
            dl->AddRectFilled(ImVec2(x, p.y + 3), ImVec2(x + 14, p.y + line - 3),
                              k < r.levels.size() ? levelColor(k) : kUnknownColor);
            dl->AddText(ImVec2(x + 18, p.y), IM_COL32(0, 0, 0, 255), name.c_str());
            x += 30 + ImGui::CalcTextSize(name.c_str()).x;
        }
        ImGui::Dummy(ImVec2(full, line + 4));
    }
    for (auto& item : s.items) {
        for (std::size_t gi = 0; gi < item.groups.size(); ++gi) {
            const ItemGroupView& g = item.groups[gi];
            ImVec2 p = ImGui::GetCursorScreenPos();
            if (gi == 0) {
                // Clipped to its column, so a long name never runs under the bars.
                const std::string& iname = pickEn(cx.lang, item.name, item.name_en);
                ImVec4 clip(p.x, p.y, p.x + name_w - 6, p.y + line);
                dl->AddText(ImGui::GetFont(), ImGui::GetFontSize(), p, IM_COL32(0, 0, 0, 255),
                            iname.c_str(), nullptr, 0.0f, &clip);
            }
            std::string gname = g.group;
            for (std::size_t k = 0; k < u.groups.size(); ++k)
                if (u.groups[k] == g.group)
                    gname = pickEn(cx.lang, u.group_names[k],
                                   k < u.group_names_en.size() ? u.group_names_en[k] : "");
            dl->AddText(ImVec2(p.x + name_w, p.y), IM_COL32(70, 70, 70, 255), gname.c_str());
            float x0 = p.x + name_w + group_w;
            // Mean bar.
            dl->AddRect(ImVec2(x0, p.y + 1), ImVec2(x0 + bar_w, p.y + line - 1),
                        IM_COL32(150, 150, 150, 255));
            if (g.mean) {
                float f = static_cast<float>(std::clamp(*g.mean / 100.0, 0.0, 1.0));
                dl->AddRectFilled(ImVec2(x0, p.y + 1), ImVec2(x0 + bar_w * f, p.y + line - 1),
                                  IM_COL32(0, 55, 140, 255));
                dl->AddText(ImVec2(x0 + 4, p.y), IM_COL32(255, 255, 255, 255), g.mean_text.c_str());
            }
            // Distribution bar.
            float x1 = x0 + bar_w + 20;
            std::uint64_t total = g.unknown;
            for (auto n : g.levels)
                total += n;
            float x = x1;
            for (std::size_t k = 0; k <= g.levels.size() && total > 0; ++k) {
                std::uint64_t n = k < g.levels.size() ? g.levels[k] : g.unknown;
                float wdt = bar_w * static_cast<float>(n) / static_cast<float>(total);
                if (wdt <= 0) continue;
                dl->AddRectFilled(ImVec2(x, p.y + 1), ImVec2(x + wdt, p.y + line - 1),
                                  k < g.levels.size() ? levelColor(k) : kUnknownColor);
                std::string num = std::to_string(n);
                if (ImGui::CalcTextSize(num.c_str()).x + 4 < wdt)
                    dl->AddText(ImVec2(x + 2, p.y),
                                k < g.levels.size() && k != 2 ? IM_COL32(255, 255, 255, 255)
                                                              : IM_COL32(0, 0, 0, 255),
                                num.c_str());
                x += wdt;
            }
            ImGui::Dummy(ImVec2(full, line + 2));
        }
        ImGui::Dummy(ImVec2(full, 4));
    }
}

} // namespace

Intent resultsScreen(const ScreenContext& cx, const ResultsScreenView& v) {
    Intent out;
    const ResultsView& r = *v.results;
    if (r.units.empty()) {
        ui::wrapped(nullptr, tr(cx.lang, "console.results.none"), ui::mutedColor());
        return out;
    }
    for (std::size_t i = 0; i < r.units.size(); ++i) {
        if (i > 0) ImGui::SameLine();
        if (w::button("unit." + r.units[i].id, r.units[i].name, true, ImVec2(0, 0),
                      i == v.unit ? ui::Tone::Selected : ui::Tone::Normal))
            out = intent::SelectUnit{i};
    }
    const UnitView& u = r.units[std::min(v.unit, r.units.size() - 1)];
    // Results older than the store say so before anything else.
    if (!v.stale.empty()) {
        ui::wrapped(nullptr, tr(cx.lang, "console.results.stale"), ui::errorColor());
        for (auto& s : v.stale)
            ui::wrapped(nullptr, s, ui::errorColor());
    }
    // A ranking whose ballots break the rules says so above the table.
    if (!u.problems.empty()) {
        ui::wrapped(nullptr, tr(cx.lang, "composition.banner"), ui::errorColor());
        for (auto& p : u.problems)
            ui::wrapped(nullptr, p, ui::errorColor());
    }
    const float avail_h = ImGui::GetContentRegionAvail().y;
    const float row_h = ImGui::GetTextLineHeight() + 2 * ImGui::GetStyle().CellPadding.y;
    const bool fits = row_h * static_cast<float>(u.subjects.size() + 2) < avail_h * 0.42f;
    const float table_h = fits ? 0.0f : avail_h * 0.42f;

    // The ranking, sortable by any column (click a header; the rank order is the default).
    // A long unit scrolls inside the table; a short one takes the height it needs.
    ImGuiTableFlags flags = ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg |
                            ImGuiTableFlags_Sortable | ImGuiTableFlags_SizingStretchProp |
                            (fits ? 0 : ImGuiTableFlags_ScrollY);
    const int columns = 5 + static_cast<int>(u.groups.size());
    if (ImGui::BeginTable(("ranking." + u.id).c_str(), columns, flags, ImVec2(0, table_h))) {
        ImGui::TableSetupScrollFreeze(0, 1);
        ImGui::TableSetupColumn(tr(cx.lang, "report.col.rank").c_str(),
                                ImGuiTableColumnFlags_DefaultSort, 0.6f);
        ImGui::TableSetupColumn(tr(cx.lang, "report.col.subject").c_str(), 0, 1.6f);
        ImGui::TableSetupColumn(tr(cx.lang, "report.col.position").c_str(), 0, 2.0f);
        for (std::size_t k = 0; k < u.groups.size(); ++k)
            ImGui::TableSetupColumn(pickEn(cx.lang, u.group_names[k],
                                           k < u.group_names_en.size() ? u.group_names_en[k] : "")
                                        .c_str(),
                                    0, 1);
        ImGui::TableSetupColumn(tr(cx.lang, "report.col.final").c_str(), 0, 1);
        ImGui::TableSetupColumn(tr(cx.lang, "report.col.bottom").c_str(), 0, 0.8f);
        // Headers one by one, so each is a target (click: sort; again: reverse).
        ImGui::TableNextRow(ImGuiTableRowFlags_Headers);
        for (int c = 0; c < columns; ++c) {
            ImGui::TableSetColumnIndex(c);
            ImGui::TableHeader(ImGui::TableGetColumnName(c));
            ui::recordItem("sort." + std::to_string(c));
        }
        for (std::size_t i : sortedRows(u)) {
            const SubjectView& s = u.subjects[i];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            std::string rank = s.rank ? std::to_string(*s.rank) : tr(cx.lang, "report.unranked");
            if (ImGui::Selectable((rank + "##row" + std::to_string(i)).c_str(), i == v.subject,
                                  ImGuiSelectableFlags_SpanAllColumns))
                out = intent::SelectSubject{i};
            ui::recordItem("subject." + s.id);
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(s.name.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(s.position.c_str());
            for (auto& sc : s.scores) {
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(sc.c_str());
            }
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(s.final.c_str());
            ImGui::TableNextColumn();
            if (!s.remark.empty())
                ImGui::TextColored(s.bottom ? ImVec4(0.67f, 0, 0, 1) : ImVec4(0.3f, 0.3f, 0.3f, 1),
                                   "%s", s.remark.c_str());
        }
        ImGui::EndTable();
    }

    const float gap = ImGui::GetStyle().ItemSpacing.x;
    const float left = (ImGui::GetContentRegionAvail().x - gap) * 0.62f;
    ImGui::BeginChild("chart", ImVec2(left, 0), true);
    if (v.subject < u.subjects.size()) {
        const SubjectView& s = u.subjects[v.subject];
        w::heading(cx, tr(cx.lang, "console.results.items", {s.name}));
        itemChart(cx, r, u, s);
    }
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("side", ImVec2(0, 0), true);
    if (ImGui::BeginTabBar("side_tabs")) {
        if (ImGui::BeginTabItem(tr(cx.lang, "console.results.comments").c_str())) {
            // Comments of the chosen subject, in the count's shuffled order, a page at a time
            // (a large count has thousands: a frame draws at most one page).
            std::string sid = v.subject < u.subjects.size() ? u.subjects[v.subject].id : "";
            auto it = r.comments_by_subject.find(sid);
            const std::size_t n = it == r.comments_by_subject.end() ? 0 : it->second.size();
            const std::size_t pages = (n + kCommentsPerPage - 1) / kCommentsPerPage;
            const std::size_t page = pages == 0 ? 0 : std::min(v.comment_page, pages - 1);
            if (pages > 1) {
                if (w::button("comments.prev", "<", page > 0)) out = intent::CommentsPage{page - 1};
                ImGui::SameLine();
                ImGui::AlignTextToFramePadding();
                ImGui::TextUnformatted(
                    tr(cx.lang, "console.results.comments_page",
                       {std::to_string(page * kCommentsPerPage + 1),
                        std::to_string(std::min(n, (page + 1) * kCommentsPerPage)),
                        std::to_string(n)})
                        .c_str());
                ImGui::SameLine();
                if (w::button("comments.next", ">", page + 1 < pages))
                    out = intent::CommentsPage{page + 1};
            }
            ImGui::BeginChild("comment_list", ImVec2(0, 0), false);
            ImGui::PushFont(cx.fonts->input);
            ImGui::PushTextWrapPos(0);
            for (std::size_t k = page * kCommentsPerPage;
                 k < n && k < (page + 1) * kCommentsPerPage; ++k) {
                ImGui::Bullet();
                ImGui::TextUnformatted(r.comments[it->second[k]].text.c_str());
            }
            ImGui::PopTextWrapPos();
            ImGui::PopFont();
            if (n == 0)
                ui::wrapped(nullptr, tr(cx.lang, "console.results.no_comments"), ui::mutedColor());
            ImGui::EndChild();
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem(tr(cx.lang, "report.accounting").c_str())) {
            if (ImGui::BeginTable("accounting", 2,
                                  ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
                for (auto& [id, n] : r.accounting) {
                    ImGui::TableNextRow();
                    ImGui::TableNextColumn();
                    ImGui::TextUnformatted(tr(cx.lang, id).c_str());
                    ImGui::TableNextColumn();
                    ImGui::Text("%llu", static_cast<unsigned long long>(n));
                }
                ImGui::EndTable();
            }
            ui::wrapped(nullptr, tr(cx.lang, "report.receipts", {std::to_string(r.receipts)}),
                        ui::mutedColor());
            ImGui::EndTabItem();
        }
        if (ImGui::BeginTabItem(tr(cx.lang, "report.composition").c_str())) {
            for (auto& c : u.composition) {
                ImGui::PushStyleColor(ImGuiCol_Text, c.pass ? w::okColor() : ui::errorColor());
                ImGui::TextUnformatted((c.meeting + "  " + std::to_string(c.total) + " / " +
                                        std::to_string(c.min_ballots) + "  " +
                                        tr(cx.lang, c.pass ? "report.pass" : "report.fail"))
                                           .c_str());
                ImGui::PopStyleColor();
                for (auto& q : c.quotas)
                    ImGui::BulletText("%s", q.c_str());
            }
            ImGui::EndTabItem();
        }
        ImGui::EndTabBar();
    }
    ImGui::EndChild();
    return out;
}

} // namespace pingyi::console
