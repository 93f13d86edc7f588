#include "core/csv.hpp"

namespace pingyi {

namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";

bool startsWith(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// Counts the candidate separators in the first record (quotes respected) and picks the most
// frequent; comma wins ties, and is the answer when there is none at all.
char detectSeparator(std::string_view s) {
    std::size_t pos = 0;
    while (pos < s.size() && (s[pos] == '\r' || s[pos] == '\n'))
        ++pos; // leading empty lines
    std::size_t commas = 0, tabs = 0, semicolons = 0;
    bool quoted = false;
    for (; pos < s.size(); ++pos) {
        char ch = s[pos];
        if (ch == '"')
            quoted = !quoted; // "" inside quotes toggles twice: no net change
        else if (quoted)
            continue;
        else if (ch == '\r' || ch == '\n')
            break;
        else if (ch == ',')
            ++commas;
        else if (ch == '\t')
            ++tabs;
        else if (ch == ';')
            ++semicolons;
    }
    if (tabs > commas && tabs >= semicolons) return '\t';
    if (semicolons > commas && semicolons > tabs) return ';';
    return ',';
}

// Excel's "sep=;" directive on the first line (it hides that line when opening the file).
bool sepDirective(std::string_view s, std::size_t& pos, std::size_t& line, char& sep) {
    std::size_t eol = s.find_first_of("\r\n", pos);
    std::string_view first = s.substr(pos, eol == std::string_view::npos ? s.npos : eol - pos);
    if (first.size() != 5) return false;
    std::string head(first.substr(0, 4));
    for (auto& ch : head)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    if (head != "sep=") return false;
    char c = first[4];
    if (c == '"' || c == '\r' || c == '\n') return false;
    sep = c;
    pos += first.size();
    if (pos < s.size() && s[pos] == '\r') ++pos;
    if (pos < s.size() && s[pos] == '\n') ++pos;
    ++line;
    return true;
}

// Consumes one line end (CRLF, LF or a lone CR) at pos.
void skipLineEnd(std::string_view s, std::size_t& pos) {
    if (s[pos] == '\r') {
        ++pos;
        if (pos < s.size() && s[pos] == '\n') ++pos;
    } else {
        ++pos;
    }
}

bool isPlainNumber(std::string_view s) {
    std::size_t i = 0;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    bool digits = false, dot = false;
    for (; i < s.size(); ++i) {
        if (s[i] >= '0' && s[i] <= '9')
            digits = true;
        else if (s[i] == '.' && !dot)
            dot = true;
        else
            return false;
    }
    return digits;
}

std::string csvCell(const std::string& cell) {
    std::string text = cell;
    if (!text.empty()) {
        char first = text[0];
        bool formula = first == '=' || first == '+' || first == '-' || first == '@' ||
                       first == '\t' || first == '\r';
        if (formula && !isPlainNumber(text)) text.insert(text.begin(), '\'');
    }
    bool quote = text.find_first_of(",;\t\"\r\n") != std::string::npos ||
                 (!text.empty() && (text.front() == ' ' || text.back() == ' '));
    if (!quote) return text;
    std::string out = "\"";
    for (char ch : text) {
        if (ch == '"') out += '"';
        out += ch;
    }
    out += '"';
    return out;
}

} // namespace

Result<CsvTable> parseCsvTable(std::string_view s, const std::string& source_name) {
    CsvTable table;
    const std::size_t n = s.size();
    std::size_t pos = startsWith(s, kBom) ? kBom.size() : 0;
    std::size_t line = 1;
    char sep = ',';
    if (!sepDirective(s, pos, line, sep)) sep = detectSeparator(s.substr(pos));
    table.separator = sep;

    std::size_t row = 0;
    while (pos < n) {
        ++row;
        if (s[pos] == '\r' || s[pos] == '\n') { // a fully empty line: an empty spreadsheet row
            skipLineEnd(s, pos);
            ++line;
            continue;
        }
        CsvRecord rec;
        rec.line = line;
        rec.row = row;
        for (;;) {
            std::string field;
            if (pos < n && s[pos] == '"') {
                const std::size_t open_line = line;
                ++pos;
                bool closed = false;
                while (pos < n) {
                    char ch = s[pos];
                    if (ch == '"') {
                        if (pos + 1 < n && s[pos + 1] == '"') {
                            field += '"';
                            pos += 2;
                            continue;
                        }
                        ++pos;
                        closed = true;
                        break;
                    }
                    if (ch == '\r' || ch == '\n') {
                        field += '\n';
                        skipLineEnd(s, pos);
                        ++line;
                        continue;
                    }
                    field += ch;
                    ++pos;
                }
                if (!closed)
                    return Error::make(ErrorKind::Invalid, "csv.unclosed_quote",
                                       {source_name, std::to_string(open_line)});
                // Blanks between the closing quote and the separator are tolerated.
                while (pos < n && (s[pos] == ' ' || (s[pos] == '\t' && sep != '\t')))
                    ++pos;
                if (pos < n && s[pos] != sep && s[pos] != '\r' && s[pos] != '\n')
                    return Error::make(ErrorKind::Invalid, "csv.text_after_quote",
                                       {source_name, std::to_string(line)});
            } else {
                std::size_t end = pos;
                while (end < n && s[end] != sep && s[end] != '\r' && s[end] != '\n')
                    ++end;
                field.assign(s.substr(pos, end - pos));
                pos = end;
            }
            rec.cells.push_back(std::move(field));
            if (pos >= n) break;
            if (s[pos] == sep) {
                ++pos;
                continue;
            }
            skipLineEnd(s, pos);
            ++line;
            break;
        }
        table.records.push_back(std::move(rec));
    }
    return table;
}

Result<std::vector<std::vector<std::string>>> parseCsv(std::string_view utf8,
                                                       const std::string& source_name) {
    auto table = parseCsvTable(utf8, source_name);
    if (!table.ok()) return table.error();
    std::vector<std::vector<std::string>> rows;
    rows.reserve(table->records.size());
    for (auto& rec : table->records)
        rows.push_back(std::move(rec.cells));
    return rows;
}

std::string writeCsv(const std::vector<std::vector<std::string>>& rows, bool bom) {
    std::string out;
    if (bom) out += kBom;
    for (auto& row : rows) {
        // A lone empty cell is written as "" so the row is not read back as an empty line.
        if (row.size() == 1 && row[0].empty()) out += "\"\"";
        for (std::size_t i = 0; i < row.size(); ++i) {
            if (i > 0) out += ',';
            out += csvCell(row[i]);
        }
        out += "\r\n";
    }
    return out;
}

} // namespace pingyi
