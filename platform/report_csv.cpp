#include "core/csv.hpp"
#include "platform/report_common.hpp"

#include <algorithm>

namespace pingyi {

using namespace report;

std::string resultsCsv(const ResultsDocument& d, Lang lang) {
    // Columns for every group any unit has, in order of first appearance.
    std::vector<const ResultsGroup*> groups;
    for (auto& u : d.units)
        for (auto& g : u.groups)
            if (std::none_of(groups.begin(), groups.end(),
                             [&](const ResultsGroup* known) { return known->id == g.id; }))
                groups.push_back(&g);

    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header = {tr(lang, "report.col.unit"), tr(lang, "report.col.rank"),
                                       tr(lang, "report.col.subject"),
                                       tr(lang, "report.col.position")};
    for (auto* g : groups)
        header.push_back(groupName(*g, lang));
    header.push_back(tr(lang, "report.col.final"));
    header.push_back(tr(lang, "report.col.bottom"));
    for (auto* g : groups)
        header.push_back(groupBallotsHeader(*g, lang));
    header.push_back(tr(lang, "report.col.remark"));
    header.push_back(tr(lang, "report.col.check"));
    rows.push_back(std::move(header));

    for (auto& u : d.units) {
        // Every row of a unit whose ballots break the rules carries the reasons.
        auto problems = compositionProblems(u, lang);
        std::string check = problems.empty() ? tr(lang, "report.pass")
                                             : join(problems, lang == Lang::En ? "; " : "；");
        for (auto& s : u.subjects) {
            std::vector<std::string> row = {u.name, rankText(s, lang), s.name, s.position};
            for (auto* g : groups)
                row.push_back(u.group(g->id) ? groupScoreText(s, g->id, lang) : std::string());
            row.push_back(scoreText(s.final));
            row.push_back(tr(lang, s.bottom ? "report.yes" : "report.no"));
            for (auto* g : groups) {
                auto it = s.ballots.find(g->id);
                row.push_back(it == s.ballots.end() ? std::string() : std::to_string(it->second));
            }
            row.push_back(remark(u, s, lang));
            row.push_back(check);
            rows.push_back(std::move(row));
        }
    }
    return writeCsv(rows, true);
}

} // namespace pingyi
