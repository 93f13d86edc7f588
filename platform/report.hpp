// Report exporters for the collector's results (the "pingyi-results/1" JSON): CSV and XLSX for
// spreadsheets, a printable A4 HTML page for the unit head to sign, and a plain-text ranking
// table for the terminal. Missing or mistyped fields render as empty cells, never throw.
#pragma once

#include "core/catalog.hpp"
#include "core/result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

namespace pingyi {

// UTF-8 CSV with a BOM, one row per subject of every unit; null scores are empty, no rank is
// 未排名.
std::string resultsCsv(const nlohmann::json& results, Lang lang);

// An .xlsx workbook (one sheet per unit, then 核算), written atomically; errors name the path.
Status writeResultsXlsx(const nlohmann::json& results, Lang lang, const std::filesystem::path& out);

// A printable A4 HTML page: per unit the ranking, composition check and signature lines.
std::string resultsHtml(const nlohmann::json& results, Lang lang);

// One unit's ranking as an aligned plain-text table (every line has the same display width).
std::string rankingTable(const nlohmann::json& unit, Lang lang);

// Terminal columns taken by UTF-8 text: East Asian wide characters count 2, others 1.
std::size_t displayWidth(std::string_view utf8);

} // namespace pingyi
