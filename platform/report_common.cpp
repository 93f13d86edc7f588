#include "platform/report_common.hpp"

#include "core/rules.hpp"

namespace pingyi {

namespace report {

char32_t nextCodePoint(std::string_view s, std::size_t& i) {
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = b(i);
    std::size_t len = c < 0x80           ? 1
                      : (c >> 5) == 0x6  ? 2
                      : (c >> 4) == 0xE  ? 3
                      : (c >> 3) == 0x1E ? 4
                                         : 0;
    if (len == 0 || i + len > s.size()) {
        ++i;
        return 0xFFFD;
    }
    char32_t cp = len == 1 ? c : len == 2 ? (c & 0x1Fu) : len == 3 ? (c & 0x0Fu) : (c & 0x07u);
    for (std::size_t k = 1; k < len; ++k) {
        if ((b(i + k) & 0xC0) != 0x80) {
            ++i;
            return 0xFFFD;
        }
        cp = (cp << 6) | (b(i + k) & 0x3Fu);
    }
    i += len;
    return cp;
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

std::string groupName(const ResultsGroup& g, Lang lang) {
    if (lang == Lang::En && !g.name_en.empty()) return g.name_en;
    return g.name.empty() ? g.id : g.name;
}

std::string groupBallotsHeader(const ResultsGroup& g, Lang lang) {
    return tr(lang, "report.col.group_ballots", {groupName(g, lang)});
}

std::string scoreText(std::optional<std::int64_t> h) {
    return h ? formatHundredths(*h) : std::string();
}

std::string groupScoreText(const ResultsSubject& s, const std::string& group, Lang lang) {
    auto it = s.scores.find(group);
    if (it != s.scores.end() && it->second) return formatHundredths(*it->second);
    auto n = s.notes.find(group);
    if (n != s.notes.end() && n->second.insufficient) return tr(lang, "report.insufficient");
    return {};
}

std::string rankText(const ResultsSubject& s, Lang lang) {
    return s.rank ? std::to_string(*s.rank) : tr(lang, "report.unranked");
}

namespace {
std::string categoryName(const ResultsGroup& g, const std::string& id) {
    for (auto& c : g.categories)
        if (c.id == id) return c.name;
    return id;
}
CategoryNames namesOf(const ResultsGroup& g) {
    return [&g](const std::string& id) { return categoryName(g, id); };
}
} // namespace

std::string remark(const ResultsUnit& u, const ResultsSubject& s, Lang lang) {
    std::vector<std::string> parts;
    if (s.bottom) parts.push_back(tr(lang, "report.rectify"));
    for (auto& g : u.groups) {
        auto it = s.notes.find(g.id);
        if (it == s.notes.end()) continue;
        for (auto& note : describeGroupNote(g.scoring, it->second, namesOf(g), lang))
            parts.push_back(tr(lang, "report.note.in_group", {groupName(g, lang), note}));
    }
    return join(parts, tr(lang, "report.clause_sep"));
}

std::string bottomRule(const ResultsUnit& u, Lang lang) {
    std::string count = std::to_string(u.bottom_rule.bottom_count);
    if (u.bottom_rule.bottom_percent != 0)
        return tr(lang, "report.bottom_rule_percent",
                  {count, std::to_string(u.bottom_rule.bottom_percent)});
    return tr(lang, "report.bottom_rule", {count});
}

std::vector<CompositionRow> compositionRows(const ResultsUnit& u, Lang lang) {
    std::string sep = tr(lang, "report.list_sep");
    std::vector<CompositionRow> rows;
    for (auto& m : u.composition) {
        const ResultsGroup* g = u.group(m.group);
        CompositionRow row;
        row.group = g ? groupName(*g, lang) : m.group;
        row.total = m.total;
        row.min_ballots = m.min_ballots;
        auto name = [&](const std::string& cat) { return g ? categoryName(*g, cat) : cat; };
        std::vector<std::string> cats;
        if (g)
            for (auto& c : g->categories) {
                auto it = m.categories.find(c.id);
                cats.push_back(
                    tr(lang, "report.category_count",
                       {c.name, std::to_string(it == m.categories.end() ? 0 : it->second)}));
            }
        row.categories = join(cats, sep);
        std::vector<std::string> quotas;
        for (auto& q : m.quotas) {
            std::vector<std::string> qcats;
            for (auto& c : q.categories)
                qcats.push_back(name(c));
            quotas.push_back(
                tr(lang, "report.quota",
                   {join(qcats, sep), std::to_string(q.percent), formatHundredths(q.actual),
                    tr(lang, q.pass ? "report.pass" : "report.fail")}));
        }
        row.quotas = join(quotas, tr(lang, "report.clause_sep"));
        row.pass = m.pass;
        rows.push_back(std::move(row));
    }
    return rows;
}

std::vector<std::pair<std::string, std::uint64_t>> accountingRows(const Accounting& a) {
    return {{"report.acc.received", a.received},
            {"report.acc.valid", a.counted},
            {"report.acc.invalid", a.invalid},
            {"report.acc.conflicts", a.conflicts},
            {"report.acc.conflicts_resolved", a.conflicts_resolved},
            {"report.acc.missing", a.missing},
            {"report.acc.counted", a.counted}};
}

} // namespace report

std::vector<std::string> scoringRuleLines(const ResultsDocument& d, const ResultsUnit& u,
                                          Lang lang) {
    using namespace report;
    std::vector<std::string> out;
    for (auto& g : u.groups) {
        std::string name = groupName(g, lang);
        out.push_back(tr(lang, "report.rule.base", {name, std::to_string(g.weight)}));
        for (auto& line : describeGroupScoring(name, g.scoring, namesOf(g), lang))
            out.push_back(std::move(line));
    }
    if (d.grade_quota.percent > 0) {
        std::string level = d.grade_quota.level;
        for (auto& l : d.levels)
            if (l.id == d.grade_quota.level) level = l.name;
        out.push_back(describeGradeQuota(level, d.grade_quota.percent, lang));
    }
    out.push_back(tr(lang, "report.rule.final"));
    out.push_back(bottomRule(u, lang));
    return out;
}

std::size_t displayWidth(std::string_view utf8) {
    auto wide = [](char32_t cp) {
        return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
               (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
               (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
               (cp >= 0xFFE0 && cp <= 0xFFE6) || cp == 0x3000;
    };
    std::size_t w = 0;
    for (std::size_t i = 0; i < utf8.size();)
        w += wide(report::nextCodePoint(utf8, i)) ? 2 : 1;
    return w;
}

} // namespace pingyi
