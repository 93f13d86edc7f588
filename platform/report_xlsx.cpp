#include "platform/report_common.hpp"

#include <xlsxwriter.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <set>

namespace pingyi {

namespace fs = std::filesystem;
using namespace report;

namespace {

// --- XLSX

// At most max UTF-16 code units of s, cut at a character boundary.
std::string truncateUtf16(std::string_view s, std::size_t max) {
    std::size_t n = 0, i = 0;
    while (i < s.size()) {
        std::size_t next = i;
        std::size_t units = nextCodePoint(s, next) > 0xFFFF ? 2 : 1;
        if (n + units > max) break;
        n += units;
        i = next;
    }
    return std::string(s.substr(0, i));
}

std::string asciiLower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

// A sheet name Excel accepts: []:*?/\ and control characters replaced, at most 31 characters,
// no apostrophe at either end, unique (case-insensitively, "History" is reserved) in `used`.
std::string sheetName(std::string_view wanted, const std::string& fallback,
                      std::set<std::string>& used) {
    std::string clean;
    for (std::size_t i = 0; i < wanted.size();) {
        std::size_t start = i;
        char32_t cp = nextCodePoint(wanted, i);
        bool bad = cp < 0x20 || cp == 0x7F || cp == 0xFFFD ||
                   (cp < 0x80 && std::strchr("[]:*?/\\", static_cast<int>(cp)) != nullptr);
        if (bad)
            clean += '_';
        else
            clean.append(wanted.substr(start, i - start));
    }
    clean = truncateUtf16(clean, LXW_SHEETNAME_MAX);
    if (!clean.empty() && clean.front() == '\'') clean.front() = '_';
    if (!clean.empty() && clean.back() == '\'') clean.back() = '_';
    if (clean.empty()) clean = fallback;
    std::string name = clean;
    for (int k = 2; used.count(asciiLower(name)) || asciiLower(name) == "history"; ++k) {
        std::string suffix = "(" + std::to_string(k) + ")";
        name = truncateUtf16(clean, LXW_SHEETNAME_MAX - suffix.size()) + suffix;
    }
    used.insert(asciiLower(name));
    return name;
}

struct Formats {
    lxw_format* header = nullptr;
    lxw_format* text = nullptr;
    lxw_format* score = nullptr;
    lxw_format* count = nullptr;
    lxw_format* bottom_text = nullptr;
    lxw_format* bottom_score = nullptr;
    lxw_format* bottom_count = nullptr;
};

constexpr lxw_color_t kHighlight = 0xFFC7CE; // Excel's light red "bad" fill
constexpr lxw_color_t kHeaderFill = 0xD9D9D9;

Formats makeFormats(lxw_workbook* wb) {
    Formats f;
    auto make = [&](bool bottom, const char* num) {
        lxw_format* x = workbook_add_format(wb);
        format_set_border(x, LXW_BORDER_THIN);
        format_set_align(x, LXW_ALIGN_VERTICAL_CENTER);
        if (num) format_set_num_format(x, num);
        if (bottom) format_set_bg_color(x, kHighlight);
        return x;
    };
    f.header = make(false, nullptr);
    format_set_bold(f.header);
    format_set_text_wrap(f.header);
    format_set_bg_color(f.header, kHeaderFill);
    f.text = make(false, nullptr);
    f.score = make(false, "0.00");
    f.count = make(false, "0");
    f.bottom_text = make(true, nullptr);
    f.bottom_score = make(true, "0.00");
    f.bottom_count = make(true, "0");
    return f;
}

// Writes cells and remembers the first error and each column's widest text.
class SheetWriter {
  public:
    SheetWriter(lxw_worksheet* ws, lxw_error& err) : ws_(ws), err_(err) {}

    void str(std::size_t row, std::size_t col, const std::string& s, lxw_format* f) {
        check(worksheet_write_string(ws_, r(row), c(col), s.c_str(), f));
        widen(col, displayWidth(s));
    }
    // A number, or a blank (still formatted) cell for null.
    void count(std::size_t row, std::size_t col, std::uint64_t v, lxw_format* f) {
        check(worksheet_write_number(ws_, r(row), c(col), static_cast<double>(v), f));
        widen(col, std::to_string(v).size());
    }
    // A score, or a blank (still formatted) cell; `blank_text` (e.g. 票数不足) when given.
    void score(std::size_t row, std::size_t col, std::optional<std::int64_t> h, lxw_format* f,
               const std::string& blank_text = {}) {
        if (h) {
            check(worksheet_write_number(ws_, r(row), c(col), static_cast<double>(*h) / 100.0, f));
            widen(col, formatHundredths(*h).size());
        } else if (!blank_text.empty()) {
            str(row, col, blank_text, f);
        } else {
            check(worksheet_write_blank(ws_, r(row), c(col), f));
        }
    }
    void finish(std::size_t header_rows) {
        for (std::size_t col = 0; col < widths_.size(); ++col)
            check(worksheet_set_column(
                ws_, c(col), c(col), double(std::min<std::size_t>(widths_[col] + 2, 60)), nullptr));
        if (header_rows) worksheet_freeze_panes(ws_, r(header_rows), 0);
    }

  private:
    static lxw_row_t r(std::size_t row) { return static_cast<lxw_row_t>(row); }
    static lxw_col_t c(std::size_t col) { return static_cast<lxw_col_t>(col); }
    void check(lxw_error e) {
        if (e != LXW_NO_ERROR && err_ == LXW_NO_ERROR) err_ = e;
    }
    void widen(std::size_t col, std::size_t w) {
        if (widths_.size() <= col) widths_.resize(col + 1, 6);
        widths_[col] = std::max(widths_[col], w);
    }
    lxw_worksheet* ws_;
    lxw_error& err_;
    std::vector<std::size_t> widths_;
};

void writeUnitSheet(lxw_worksheet* ws, const ResultsDocument& d, const ResultsUnit& unit, Lang lang,
                    const Formats& f, lxw_error& err) {
    SheetWriter w(ws, err);
    std::size_t row = 0;
    bool valid = unit.compositionPasses();
    w.str(row++, 0, tr(lang, "report.title", {unit.name}), f.header);
    // A ranking whose ballots break the rules says so above the table, in the warning colour.
    auto problems = compositionProblems(unit, lang);
    if (!problems.empty()) {
        w.str(row++, 0, tr(lang, "composition.banner"), f.bottom_text);
        for (auto& p : problems)
            w.str(row++, 0, p, f.bottom_text);
    }
    std::vector<std::string> header = {tr(lang, "report.col.rank"), tr(lang, "report.col.subject"),
                                       tr(lang, "report.col.position")};
    for (auto& g : unit.groups)
        header.push_back(groupName(g, lang));
    header.push_back(tr(lang, "report.col.final"));
    header.push_back(tr(lang, "report.col.bottom"));
    for (auto& g : unit.groups)
        header.push_back(groupBallotsHeader(g, lang));
    header.push_back(tr(lang, "report.col.remark"));
    header.push_back(tr(lang, "report.col.check"));
    for (std::size_t col = 0; col < header.size(); ++col)
        w.str(row, col, header[col], f.header);
    ++row;
    std::size_t header_rows = row;

    for (auto& s : unit.subjects) {
        lxw_format* ft = s.bottom ? f.bottom_text : f.text;
        lxw_format* fsc = s.bottom ? f.bottom_score : f.score;
        lxw_format* fc = s.bottom ? f.bottom_count : f.count;
        std::size_t col = 0;
        if (s.rank)
            w.count(row, col++, *s.rank, fc);
        else
            w.str(row, col++, tr(lang, "report.unranked"), ft);
        w.str(row, col++, s.name, ft);
        w.str(row, col++, s.position, ft);
        for (auto& g : unit.groups) {
            auto it = s.scores.find(g.id);
            auto n = s.notes.find(g.id);
            bool insufficient = n != s.notes.end() && n->second.insufficient;
            w.score(row, col++, it == s.scores.end() ? std::nullopt : it->second, fsc,
                    insufficient ? tr(lang, "report.insufficient") : std::string());
        }
        w.score(row, col++, s.final, fsc);
        w.str(row, col++, tr(lang, s.bottom ? "report.yes" : "report.no"), ft);
        for (auto& g : unit.groups) {
            auto it = s.ballots.find(g.id);
            w.count(row, col++, it == s.ballots.end() ? 0 : it->second, fc);
        }
        w.str(row, col++, remark(unit, s, lang), ft);
        w.str(row, col++, tr(lang, valid ? "report.pass" : "report.fail"), ft);
        ++row;
    }
    ++row;
    w.str(row++, 0, tr(lang, "report.rules"), f.header);
    for (auto& line : scoringRuleLines(d, unit, lang))
        w.str(row++, 0, line, f.text);
    w.finish(header_rows);
}

void writeAccountingSheet(lxw_worksheet* ws, const ResultsDocument& d, Lang lang, const Formats& f,
                          lxw_error& err) {
    SheetWriter w(ws, err);
    std::size_t row = 0;
    w.str(row, 0, tr(lang, "report.col.item"), f.header);
    w.str(row, 1, tr(lang, "report.col.count"), f.header);
    ++row;
    for (auto& [id, n] : accountingRows(d.accounting)) {
        w.str(row, 0, tr(lang, id), f.text);
        w.count(row, 1, n, f.count);
        ++row;
    }

    ++row;
    w.str(row, 0, tr(lang, "report.composition"), f.header);
    ++row;
    const char* const heads[] = {
        "report.col.unit",       "report.col.group",  "report.col.total", "report.col.min_ballots",
        "report.col.categories", "report.col.quotas", "report.col.check"};
    for (std::size_t col = 0; col < std::size(heads); ++col)
        w.str(row, col, tr(lang, heads[col]), f.header);
    ++row;
    for (auto& unit : d.units) {
        for (auto& m : compositionRows(unit, lang)) {
            lxw_format* ft = m.pass ? f.text : f.bottom_text;
            lxw_format* fc = m.pass ? f.count : f.bottom_count;
            w.str(row, 0, unit.name, ft);
            w.str(row, 1, m.group, ft);
            w.count(row, 2, m.total, fc);
            w.count(row, 3, m.min_ballots, fc);
            w.str(row, 4, m.categories, ft);
            w.str(row, 5, m.quotas, ft);
            w.str(row, 6, tr(lang, m.pass ? "report.pass" : "report.fail"), ft);
            ++row;
        }
    }

    if (!d.receipts.empty()) {
        ++row;
        w.str(row++, 0, tr(lang, "report.receipts", {std::to_string(d.receipts.size())}), f.header);
        for (auto& r : d.receipts)
            w.str(row++, 0, r, f.text);
    }
    w.finish(0);
}

Error writeFailed(const fs::path& path, int err) {
    return Error::make(ErrorKind::Io, "file.write_failed", {path.string(), std::strerror(err)});
}

} // namespace

Status writeResultsXlsx(const ResultsDocument& d, Lang lang, const fs::path& out) {
    // libxlsxwriter writes to a file name: give it a fresh temp file beside `out`, then rename.
    fs::path dir = out.parent_path().empty() ? fs::path(".") : out.parent_path();
    std::string tmp = (dir / ("." + out.filename().string() + ".XXXXXX")).string();
    int fd = ::mkstemp(tmp.data());
    if (fd < 0) return writeFailed(out, errno);
    ::fchmod(fd, 0644);
    ::close(fd);
    auto fail = [&](Error e) {
        ::unlink(tmp.c_str());
        return e;
    };

    lxw_workbook* wb = workbook_new(tmp.c_str());
    if (!wb) return fail(writeFailed(out, ENOMEM));
    Formats f = makeFormats(wb);
    lxw_error err = LXW_NO_ERROR;
    // The accounting sheet keeps its name even if a unit is called the same.
    std::set<std::string> used;
    std::string acc_name = sheetName(tr(lang, "report.sheet.accounting"), "Accounting", used);
    std::size_t n = 0;
    auto noSheet = [&]() {
        lxw_workbook_free(wb);
        return fail(
            Error::make(ErrorKind::Internal, "report.xlsx_failed", {out.string(), "worksheet"}));
    };
    for (auto& unit : d.units) {
        std::string name = sheetName(unit.name, "Sheet" + std::to_string(++n), used);
        lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
        if (!ws) return noSheet();
        writeUnitSheet(ws, d, unit, lang, f, err);
    }
    lxw_worksheet* acc = workbook_add_worksheet(wb, acc_name.c_str());
    if (!acc) return noSheet();
    writeAccountingSheet(acc, d, lang, f, err);
    if (err != LXW_NO_ERROR) {
        lxw_workbook_free(wb);
        return fail(
            Error::make(ErrorKind::Io, "report.xlsx_failed", {out.string(), lxw_strerror(err)}));
    }
    err = workbook_close(wb); // writes the file and frees the workbook
    if (err != LXW_NO_ERROR)
        return fail(
            Error::make(ErrorKind::Io, "report.xlsx_failed", {out.string(), lxw_strerror(err)}));

    // Durable: the temp file's bytes, then the rename, then the folder entry.
    fd = ::open(tmp.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
        int e = errno;
        if (fd >= 0) ::close(fd);
        return fail(writeFailed(out, e));
    }
    ::close(fd);
    if (::rename(tmp.c_str(), out.c_str()) != 0) return fail(writeFailed(out, errno));
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

} // namespace pingyi
