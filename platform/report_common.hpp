// What every report format shares: the columns by group, the text of a cell, the composition
// rows and the remarks. Internal to platform/report_*.cpp.
#pragma once

#include "platform/report.hpp"

#include <vector>

namespace pingyi::report {

// The code point at s[i] (advancing i); a malformed byte reads as U+FFFD and advances by one.
char32_t nextCodePoint(std::string_view s, std::size_t& i);

std::string join(const std::vector<std::string>& parts, const std::string& sep);

// A group's column heading: the campaign's name for it (English name in English when given).
std::string groupName(const ResultsGroup& g, Lang lang);
std::string groupBallotsHeader(const ResultsGroup& g, Lang lang);

// Hundredths as "45.13"; nullopt as "".
std::string scoreText(std::optional<std::int64_t> h);
// A subject's score cell for a group: the score, 票数不足, or empty.
std::string groupScoreText(const ResultsSubject& s, const std::string& group, Lang lang);
std::string rankText(const ResultsSubject& s, Lang lang);
// 整改 for the bottom-ranked, and what the scoring rules did (票数不足, categories left out,
// ballots trimmed), joined.
std::string remark(const ResultsUnit& u, const ResultsSubject& s, Lang lang);
std::string bottomRule(const ResultsUnit& u, Lang lang);

// One row of a meeting's composition check, as text.
struct CompositionRow {
    std::string group;
    std::uint64_t total = 0, min_ballots = 0;
    std::string categories, quotas;
    bool pass = false;
};
std::vector<CompositionRow> compositionRows(const ResultsUnit& u, Lang lang);

// The accounting lines: catalog id and value, in the order reports show them.
std::vector<std::pair<std::string, std::uint64_t>> accountingRows(const Accounting& a);

} // namespace pingyi::report
