// Report exporters for the collector's results document (core/results.hpp): CSV and XLSX for
// spreadsheets, a printable A4 HTML page for the unit head to sign, and a plain-text ranking
// table for the terminal. One file per format (report_csv, report_xlsx, report_html,
// report_text); what they share is in report_common.
#pragma once

#include "core/catalog.hpp"
#include "core/result.hpp"
#include "core/results.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace pingyi {

// UTF-8 CSV with a BOM, one row per subject of every unit; missing scores are empty (票数不足
// where the group's minimum was not met), no rank is 未排名.
std::string resultsCsv(const ResultsDocument& results, Lang lang);

// An .xlsx workbook (one sheet per unit, then 核算), written atomically; errors name the path.
Status writeResultsXlsx(const ResultsDocument& results, Lang lang,
                        const std::filesystem::path& out);

// A printable A4 HTML page: per unit the ranking, the scoring rules (计分规则), the
// composition check and signature lines.
std::string resultsHtml(const ResultsDocument& results, Lang lang);

// One unit's ranking as an aligned plain-text table (every line has the same display width).
std::string rankingTable(const ResultsUnit& unit, Lang lang);

// The scoring rules of a unit, one sentence each (the "计分规则" note of every report).
std::vector<std::string> scoringRuleLines(const ResultsDocument& results, const ResultsUnit& unit,
                                          Lang lang);

// Terminal columns taken by UTF-8 text: East Asian wide characters count 2, others 1.
std::size_t displayWidth(std::string_view utf8);

} // namespace pingyi
