#include "platform/report_common.hpp"

#include <algorithm>

namespace pingyi {

using namespace report;

namespace {
std::string padded(const std::string& s, std::size_t width, bool right) {
    std::size_t w = displayWidth(s);
    std::string fill(width > w ? width - w : 0, ' ');
    return right ? fill + s : s + fill;
}
} // namespace

std::string rankingTable(const ResultsUnit& u, Lang lang) {
    std::vector<std::string> header = {tr(lang, "report.col.rank"), tr(lang, "report.col.subject"),
                                       tr(lang, "report.col.position")};
    for (auto& g : u.groups)
        header.push_back(groupName(g, lang));
    header.push_back(tr(lang, "report.col.final"));
    header.push_back(tr(lang, "report.col.remark"));
    // Right-aligned: rank and the scores; left-aligned: names, positions, the remark.
    std::vector<bool> right(header.size(), true);
    right[1] = right[2] = right.back() = false;

    std::vector<std::vector<std::string>> rows = {header};
    for (auto& s : u.subjects) {
        std::vector<std::string> row = {rankText(s, lang), s.name, s.position};
        for (auto& g : u.groups)
            row.push_back(groupScoreText(s, g.id, lang));
        row.push_back(scoreText(s.final));
        row.push_back(remark(u, s, lang));
        rows.push_back(std::move(row));
    }

    std::vector<std::size_t> widths(header.size(), 0);
    for (auto& row : rows)
        for (std::size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], displayWidth(row[c]));
    const std::string gap = "  ";
    std::size_t total = 0;
    for (auto w : widths)
        total += w;
    total += gap.size() * (widths.size() - 1);

    std::string out;
    // A ranking whose ballots break the rules says so above the table, before anyone reads it.
    auto problems = compositionProblems(u, lang);
    if (!problems.empty()) {
        out += "!! " + tr(lang, "composition.banner") + '\n';
        for (auto& p : problems)
            out += "!! " + p + '\n';
    }
    auto line = [&](const std::vector<std::string>& row) {
        std::string l;
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (c) l += gap;
            l += padded(row[c], widths[c], right[c]);
        }
        out += l + '\n';
    };
    line(rows[0]);
    out += std::string(total, '-') + '\n';
    for (std::size_t i = 1; i < rows.size(); ++i)
        line(rows[i]);
    return out;
}

} // namespace pingyi
