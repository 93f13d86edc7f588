// CSV as Excel (and WPS) write it in China: RFC 4180 quoting, CRLF or LF (or the old Mac CR)
// line ends, and a separator that may be a comma, a tab or a semicolon. Reading takes text
// that is already UTF-8 (see decodeText in core/text.hpp); writing produces UTF-8 that Excel
// opens correctly (with a BOM when asked).
#pragma once

#include "core/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pingyi {

struct CsvRecord {
    std::size_t line = 0; // text line (1-based) where the record starts, as an editor shows it
    std::size_t row = 0;  // spreadsheet row (1-based) as Excel shows it: a cell with line
                          // breaks stays one row, and empty lines count as empty rows
    std::vector<std::string> cells;
};

struct CsvTable {
    char separator = ',';
    std::vector<CsvRecord> records; // fully empty lines are skipped
};

// Parses the whole text. The separator is taken from an Excel "sep=X" first line if there is
// one, otherwise detected from the header line (the most frequent of comma, tab, semicolon
// outside quotes; comma on a tie or when there is none). Line breaks inside quoted cells are
// returned as "\n". Errors (csv.unclosed_quote, csv.text_after_quote) name the source and the
// text line.
Result<CsvTable> parseCsvTable(std::string_view utf8, const std::string& source_name);

// The same, cells only.
Result<std::vector<std::vector<std::string>>> parseCsv(std::string_view utf8,
                                                       const std::string& source_name);

// Comma-separated UTF-8 with CRLF line ends (after every row), optionally with a BOM (Excel
// needs it to read UTF-8). Cells are quoted when they hold a separator, a quote, a line break or
// leading/trailing blanks. A cell that Excel would run as a formula (starting with = + - @ or a
// tab/CR, and not a plain number) is written with a leading apostrophe, so text from voters can
// never execute in the organiser's spreadsheet.
std::string writeCsv(const std::vector<std::vector<std::string>>& rows, bool bom);

} // namespace pingyi
