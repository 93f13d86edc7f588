#include "core/paper.hpp"

#include "core/csv.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <set>

namespace pingyi {

namespace {
int findColumn(const std::vector<std::string>& header, std::initializer_list<const char*> names) {
    for (std::size_t i = 0; i < header.size(); ++i) {
        std::string h = trim(header[i]);
        for (auto& ch : h)
            if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
        for (auto n : names)
            if (h == n) return static_cast<int>(i);
    }
    return -1;
}

// "45", "45.5", "45.25" -> hundredths; false on anything else.
bool parseScore(const std::string& s, std::int64_t& out) {
    std::size_t dot = s.find('.');
    std::string whole = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot + 1);
    if (whole.empty() || whole.size() > 6 || frac.size() > 2) return false;
    for (char ch : whole + frac)
        if (ch < '0' || ch > '9') return false;
    while (frac.size() < 2)
        frac.push_back('0');
    out = std::stoll(whole) * 100 + std::stoll(frac);
    return true;
}
} // namespace

PaperSelfImport parsePaperSelfCsv(std::string_view bytes, const std::string& name,
                                  const Campaign& c) {
    PaperSelfImport r;
    auto text = decodeText(bytes, name);
    if (!text) {
        r.problems.push_back(text.error());
        return r;
    }
    auto table = parseCsvTable(text->utf8, name);
    if (!table) {
        r.problems.push_back(table.error());
        return r;
    }
    if (table->records.empty()) {
        r.problems.push_back(Error::make(ErrorKind::Invalid, "roster.no_rows", {name}));
        return r;
    }
    const auto& header = table->records[0].cells;
    int col_id = findColumn(header, {"编号", "对象编号", "id", "subject"});
    int col_score = findColumn(header, {"自评得分", "得分", "self", "score"});
    int col_ballots = findColumn(header, {"票数", "ballots"});
    int col_group = findColumn(header, {"组别", "评议组", "group"});
    if (col_id < 0)
        r.problems.push_back(
            Error::make(ErrorKind::Invalid, "paper.missing_column", {name, "编号 / id"}));
    if (col_score < 0)
        r.problems.push_back(
            Error::make(ErrorKind::Invalid, "paper.missing_column", {name, "自评得分 / self"}));
    if (!r.problems.empty()) return r;
    std::set<std::pair<std::string, std::string>> seen;
    for (std::size_t i = 1; i < table->records.size(); ++i) {
        const auto& rec = table->records[i];
        std::string row = std::to_string(rec.row);
        auto cell = [&](int col) {
            return col >= 0 && static_cast<std::size_t>(col) < rec.cells.size()
                       ? trim(rec.cells[static_cast<std::size_t>(col)])
                       : std::string();
        };
        PaperSelf p;
        p.subject = cell(col_id);
        int idx = c.subjectIndex(p.subject);
        if (idx < 0) {
            r.problems.push_back(
                Error::make(ErrorKind::Invalid, "paper.unknown_subject", {name, row, p.subject}));
            continue;
        }
        const UnitDef* unit = c.unit(c.subjects[static_cast<std::size_t>(idx)].unit);
        auto in_unit = [&](const std::string& g) {
            return std::find(unit->groups.begin(), unit->groups.end(), g) != unit->groups.end();
        };
        // Without a group column (or with the cell left empty) the scores are the unit's
        // self-appraisal: the group named "self".
        p.group = cell(col_group);
        if (p.group.empty()) {
            if (!in_unit("self")) {
                std::string groups;
                for (auto& g : unit->groups)
                    groups += (groups.empty() ? "" : "、") + g;
                r.problems.push_back(Error::make(ErrorKind::Invalid, "paper.group_needed",
                                                 {name, row, unit->id, groups}));
                continue;
            }
            p.group = "self";
        } else if (!in_unit(p.group)) {
            r.problems.push_back(
                Error::make(ErrorKind::Invalid, "paper.no_group", {name, row, unit->id, p.group}));
            continue;
        }
        std::uint32_t weight = c.group(p.group)->weight;
        if (!seen.insert({p.subject, p.group}).second)
            r.problems.push_back(
                Error::make(ErrorKind::Invalid, "paper.duplicate", {name, row, p.subject}));
        std::string score = cell(col_score);
        if (!parseScore(score, p.hundredths) || p.hundredths > std::int64_t(weight) * 100)
            r.problems.push_back(Error::make(ErrorKind::Invalid, "paper.bad_score",
                                             {name, row, score, std::to_string(weight)}));
        std::string ballots = cell(col_ballots);
        if (!ballots.empty()) {
            std::int64_t b = 0;
            if (!parseScore(ballots, b) || b % 100 != 0)
                r.problems.push_back(
                    Error::make(ErrorKind::Invalid, "paper.bad_ballots", {name, row, ballots}));
            else
                p.ballots = static_cast<std::uint64_t>(b / 100);
        }
        r.rows.push_back(std::move(p));
    }
    if (r.rows.empty() && r.problems.empty())
        r.problems.push_back(Error::make(ErrorKind::Invalid, "roster.no_rows", {name}));
    return r;
}

} // namespace pingyi
