#include "platform/report.hpp"

#include "core/csv.hpp"
#include "core/slips.hpp"

#include <nlohmann/json.hpp>
#include <xlsxwriter.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <map>
#include <set>
#include <utility>
#include <vector>

namespace pingyi {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// --- reading the results JSON leniently: a missing or mistyped field reads as null/empty

const json& field(const json& j, const std::string& key) {
    static const json kNull;
    if (!j.is_object()) return kNull;
    auto it = j.find(key);
    return it == j.end() ? kNull : *it;
}

// The array at key, or an empty array.
const json& list(const json& j, const std::string& key) {
    static const json kEmpty = json::array();
    const json& v = field(j, key);
    return v.is_array() ? v : kEmpty;
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

// Scores and percentages: two decimals; null is empty.
std::string scoreText(const json& j) {
    return j.is_number() ? fixed(j.get<double>(), 2) : std::string();
}

// Counts: whole numbers; null is empty.
std::string countText(const json& j) {
    if (j.is_number_unsigned()) return std::to_string(j.get<std::uint64_t>());
    if (j.is_number_integer()) return std::to_string(j.get<std::int64_t>());
    if (j.is_number_float()) return fixed(j.get<double>(), 0);
    return {};
}

std::string text(const json& j) {
    if (j.is_string()) return j.get<std::string>();
    if (j.is_number()) return j.is_number_float() ? scoreText(j) : countText(j);
    return {};
}

bool flag(const json& j) {
    return j.is_boolean() && j.get<bool>();
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
    std::string out;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i) out += sep;
        out += parts[i];
    }
    return out;
}

// --- UTF-8

// The code point at s[i] (advancing i); a malformed byte reads as U+FFFD and advances by one.
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

bool isWide(char32_t cp) {
    return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
           (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6) || cp == 0x3000;
}

// --- what every report shows: columns by group, rows by subject

// Group ids of a unit, in campaign order.
std::vector<std::string> groupsOf(const json& unit) {
    std::vector<std::string> out;
    for (auto& g : list(unit, "groups"))
        if (g.is_string()) out.push_back(g.get<std::string>());
    return out;
}

// The two groups of the 民主评议 plan have catalog names; other groups use the campaign's name.
std::string groupName(const json& unit, const std::string& group, Lang lang) {
    if (group == "self") return tr(lang, "report.col.self");
    if (group == "social") return tr(lang, "report.col.social");
    std::string name = text(field(field(unit, "group_names"), group));
    return name.empty() ? group : name;
}

std::string groupBallotsHeader(const json& unit, const std::string& group, Lang lang) {
    if (group == "self") return tr(lang, "report.col.self_ballots");
    if (group == "social") return tr(lang, "report.col.social_ballots");
    return tr(lang, "report.col.group_ballots", {groupName(unit, group, lang)});
}

std::string rankText(const json& subject, Lang lang) {
    const json& rank = field(subject, "rank");
    return rank.is_number() ? countText(rank) : tr(lang, "report.unranked");
}

std::string bottomRule(const json& unit, Lang lang) {
    const json& rule = field(unit, "bottom_rule");
    if (!rule.is_object()) return {};
    std::string count = countText(field(rule, "bottom_count"));
    std::string percent = countText(field(rule, "bottom_percent"));
    if (count.empty()) count = "0";
    if (!percent.empty() && percent != "0")
        return tr(lang, "report.bottom_rule_percent", {count, percent});
    return tr(lang, "report.bottom_rule", {count});
}

// One row of a meeting's composition check, as text.
struct CompositionRow {
    std::string group;
    const json* total = nullptr;
    const json* min_ballots = nullptr;
    std::string categories, quotas;
    bool pass = false;
};

std::vector<CompositionRow> compositionRows(const json& unit, Lang lang) {
    // Category names appear with the subjects' per-category scores.
    std::map<std::pair<std::string, std::string>, std::string> names;
    for (auto& s : list(unit, "subjects")) {
        const json& cats = field(s, "categories");
        if (!cats.is_object()) continue;
        for (auto& [group, by_cat] : cats.items()) {
            if (!by_cat.is_object()) continue;
            for (auto& [cat, cell] : by_cat.items()) {
                std::string n = text(field(cell, "name"));
                if (!n.empty()) names.emplace(std::make_pair(group, cat), n);
            }
        }
    }
    std::string sep = tr(lang, "report.list_sep");
    std::vector<CompositionRow> rows;
    for (auto& m : list(unit, "composition")) {
        CompositionRow row;
        std::string group = text(field(m, "group"));
        auto catName = [&](const std::string& cat) {
            auto it = names.find({group, cat});
            return it == names.end() ? cat : it->second;
        };
        row.group = groupName(unit, group, lang);
        row.total = &field(m, "total");
        row.min_ballots = &field(m, "min_ballots");
        std::vector<std::string> cats;
        const json& counts = field(m, "categories");
        if (counts.is_object())
            for (auto& [cat, n] : counts.items())
                cats.push_back(tr(lang, "report.category_count", {catName(cat), countText(n)}));
        row.categories = join(cats, sep);
        std::vector<std::string> quotas;
        for (auto& q : list(m, "quotas")) {
            std::vector<std::string> qcats;
            for (auto& c : list(q, "categories"))
                qcats.push_back(catName(text(c)));
            quotas.push_back(
                tr(lang, "report.quota",
                   {join(qcats, sep), countText(field(q, "percent")), scoreText(field(q, "actual")),
                    tr(lang, flag(field(q, "pass")) ? "report.pass" : "report.fail")}));
        }
        row.quotas = join(quotas, tr(lang, "report.clause_sep"));
        row.pass = flag(field(m, "pass"));
        rows.push_back(std::move(row));
    }
    return rows;
}

const char* const kAccountingFields[] = {"received",           "valid",   "invalid", "conflicts",
                                         "conflicts_resolved", "missing", "counted"};

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
    void number(std::size_t row, std::size_t col, const json& v, lxw_format* f) {
        if (v.is_number()) {
            check(worksheet_write_number(ws_, r(row), c(col), v.get<double>(), f));
            widen(col, pingyi::text(v).size());
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

void writeUnitSheet(lxw_worksheet* ws, const json& unit, Lang lang, const Formats& f,
                    lxw_error& err) {
    SheetWriter w(ws, err);
    auto groups = groupsOf(unit);
    std::vector<std::string> header = {tr(lang, "report.col.rank"), tr(lang, "report.col.subject"),
                                       tr(lang, "report.col.position")};
    for (auto& g : groups)
        header.push_back(groupName(unit, g, lang));
    header.push_back(tr(lang, "report.col.final"));
    header.push_back(tr(lang, "report.col.bottom"));
    for (auto& g : groups)
        header.push_back(groupBallotsHeader(unit, g, lang));
    for (std::size_t col = 0; col < header.size(); ++col)
        w.str(0, col, header[col], f.header);

    std::size_t row = 1;
    for (auto& s : list(unit, "subjects")) {
        bool bottom = flag(field(s, "bottom"));
        lxw_format* ft = bottom ? f.bottom_text : f.text;
        lxw_format* fsc = bottom ? f.bottom_score : f.score;
        lxw_format* fc = bottom ? f.bottom_count : f.count;
        std::size_t col = 0;
        if (field(s, "rank").is_number())
            w.number(row, col++, field(s, "rank"), fc);
        else
            w.str(row, col++, tr(lang, "report.unranked"), ft);
        w.str(row, col++, text(field(s, "name")), ft);
        w.str(row, col++, text(field(s, "position")), ft);
        for (auto& g : groups)
            w.number(row, col++, field(s, g), fsc);
        w.number(row, col++, field(s, "final"), fsc);
        w.str(row, col++, tr(lang, bottom ? "report.yes" : "report.no"), ft);
        for (auto& g : groups)
            w.number(row, col++, field(field(s, "ballots"), g), fc);
        ++row;
    }
    w.finish(1);
}

void writeAccountingSheet(lxw_worksheet* ws, const json& results, Lang lang, const Formats& f,
                          lxw_error& err) {
    SheetWriter w(ws, err);
    std::size_t row = 0;
    w.str(row, 0, tr(lang, "report.col.item"), f.header);
    w.str(row, 1, tr(lang, "report.col.count"), f.header);
    ++row;
    const json& acc = field(results, "accounting");
    for (const char* key : kAccountingFields) {
        w.str(row, 0, tr(lang, std::string("report.acc.") + key), f.text);
        w.number(row, 1, field(acc, key), f.count);
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
    for (auto& unit : list(results, "units")) {
        std::string unit_name = text(field(unit, "name"));
        for (auto& m : compositionRows(unit, lang)) {
            lxw_format* ft = m.pass ? f.text : f.bottom_text;
            lxw_format* fc = m.pass ? f.count : f.bottom_count;
            w.str(row, 0, unit_name, ft);
            w.str(row, 1, m.group, ft);
            w.number(row, 2, *m.total, fc);
            w.number(row, 3, *m.min_ballots, fc);
            w.str(row, 4, m.categories, ft);
            w.str(row, 5, m.quotas, ft);
            w.str(row, 6, tr(lang, m.pass ? "report.pass" : "report.fail"), ft);
            ++row;
        }
    }

    const json& receipts = list(results, "receipts");
    if (!receipts.empty()) {
        ++row;
        w.str(row++, 0, tr(lang, "report.receipts", {std::to_string(receipts.size())}), f.header);
        for (auto& r : receipts)
            w.str(row++, 0, text(r), f.text);
    }
    w.finish(0);
}

Error writeFailed(const fs::path& path, int err) {
    return Error::make(ErrorKind::Io, "file.write_failed", {path.string(), std::strerror(err)});
}

// --- text tables

std::string padded(const std::string& s, std::size_t width, bool right) {
    std::size_t w = displayWidth(s);
    std::string fill(width > w ? width - w : 0, ' ');
    return right ? fill + s : s + fill;
}

} // namespace

std::size_t displayWidth(std::string_view utf8) {
    std::size_t w = 0;
    for (std::size_t i = 0; i < utf8.size();)
        w += isWide(nextCodePoint(utf8, i)) ? 2 : 1;
    return w;
}

std::string resultsCsv(const json& results, Lang lang) {
    // Columns for every group any unit has, in order of first appearance.
    std::vector<std::pair<std::string, const json*>> groups; // id, a unit that has it
    for (auto& unit : list(results, "units"))
        for (auto& g : groupsOf(unit))
            if (std::none_of(groups.begin(), groups.end(),
                             [&](const auto& known) { return known.first == g; }))
                groups.emplace_back(g, &unit);

    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> header = {tr(lang, "report.col.unit"), tr(lang, "report.col.rank"),
                                       tr(lang, "report.col.subject"),
                                       tr(lang, "report.col.position")};
    for (auto& [g, unit] : groups)
        header.push_back(groupName(*unit, g, lang));
    header.push_back(tr(lang, "report.col.final"));
    header.push_back(tr(lang, "report.col.bottom"));
    for (auto& [g, unit] : groups)
        header.push_back(groupBallotsHeader(*unit, g, lang));
    rows.push_back(std::move(header));

    for (auto& unit : list(results, "units")) {
        std::string unit_name = text(field(unit, "name"));
        for (auto& s : list(unit, "subjects")) {
            std::vector<std::string> row = {unit_name, rankText(s, lang), text(field(s, "name")),
                                            text(field(s, "position"))};
            for (auto& g : groups)
                row.push_back(scoreText(field(s, g.first)));
            row.push_back(scoreText(field(s, "final")));
            row.push_back(tr(lang, flag(field(s, "bottom")) ? "report.yes" : "report.no"));
            for (auto& g : groups)
                row.push_back(countText(field(field(s, "ballots"), g.first)));
            rows.push_back(std::move(row));
        }
    }
    return writeCsv(rows, true);
}

Status writeResultsXlsx(const json& results, Lang lang, const fs::path& out) {
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
    for (auto& unit : list(results, "units")) {
        std::string name =
            sheetName(text(field(unit, "name")), "Sheet" + std::to_string(++n), used);
        lxw_worksheet* ws = workbook_add_worksheet(wb, name.c_str());
        if (!ws) return noSheet();
        writeUnitSheet(ws, unit, lang, f, err);
    }
    lxw_worksheet* acc = workbook_add_worksheet(wb, acc_name.c_str());
    if (!acc) return noSheet();
    writeAccountingSheet(acc, results, lang, f, err);
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

std::string resultsHtml(const json& results, Lang lang) {
    auto t = [&](const std::string& id, const std::vector<std::string>& args = {}) {
        return htmlEscape(tr(lang, id, args));
    };
    std::string campaign = htmlEscape(text(field(results, "campaign_name")));
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"" + std::string(lang == Lang::En ? "en" : "zh-CN") +
         "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         t("report.page_title", {text(field(results, "campaign_name"))}) +
         "</title>\n<style>\n"
         "@page { size: A4; margin: 15mm 12mm; }\n"
         "body { font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif;"
         " font-size: 10.5pt; margin: 0; color: #000; -webkit-print-color-adjust: exact;"
         " print-color-adjust: exact; }\n"
         "section.next { page-break-before: always; break-before: page; }\n"
         ".campaign { font-size: 11pt; text-align: center; margin-top: 2mm; }\n"
         "h1 { font-size: 16pt; text-align: center; margin: 2mm 0 5mm; }\n"
         "h2 { font-size: 12pt; margin: 6mm 0 2mm; }\n"
         "table { border-collapse: collapse; width: 100%; }\n"
         "tr { page-break-inside: avoid; }\n"
         "th, td { border: 1px solid #000; padding: 1.2mm 2mm; }\n"
         "th { background: #e8e8e8; }\n"
         "td.num { text-align: right; font-variant-numeric: tabular-nums; }\n"
         "tr.bottom td, tr.fail td { background: #f2f2f2; font-weight: bold; }\n"
         ".rule, .digest { font-size: 9.5pt; margin: 2mm 0; }\n"
         ".signature { margin-top: 15mm; font-size: 12pt; white-space: pre-wrap; }\n"
         ".receipts { font-family: 'DejaVu Sans Mono', monospace; font-size: 8.5pt;"
         " columns: 5; }\n"
         "</style>\n</head>\n<body>\n";

    const json& acc = field(results, "accounting");
    std::string digest = text(field(results, "package_digest")).substr(0, 16);
    bool first = true;
    for (auto& unit : list(results, "units")) {
        auto groups = groupsOf(unit);
        h += first ? "<section class=\"unit\">\n" : "<section class=\"unit next\">\n";
        first = false;
        h += "<div class=\"campaign\">" + campaign + "</div>\n";
        h += "<h1>" + t("report.title", {text(field(unit, "name"))}) + "</h1>\n";

        h += "<table class=\"ranking\">\n<thead><tr><th>" + t("report.col.rank") + "</th><th>" +
             t("report.col.subject") + "</th><th>" + t("report.col.position") + "</th>";
        for (auto& g : groups)
            h += "<th>" + htmlEscape(groupName(unit, g, lang)) + "</th>";
        h += "<th>" + t("report.col.final") + "</th>";
        for (auto& g : groups)
            h += "<th>" + htmlEscape(groupBallotsHeader(unit, g, lang)) + "</th>";
        h += "<th>" + t("report.col.remark") + "</th></tr></thead>\n<tbody>\n";
        for (auto& s : list(unit, "subjects")) {
            bool bottom = flag(field(s, "bottom"));
            h += bottom ? "<tr class=\"bottom\">" : "<tr>";
            h += "<td class=\"num\">" + htmlEscape(rankText(s, lang)) + "</td><td>" +
                 htmlEscape(text(field(s, "name"))) + "</td><td>" +
                 htmlEscape(text(field(s, "position"))) + "</td>";
            for (auto& g : groups)
                h += "<td class=\"num\">" + htmlEscape(scoreText(field(s, g))) + "</td>";
            h += "<td class=\"num\">" + htmlEscape(scoreText(field(s, "final"))) + "</td>";
            for (auto& g : groups)
                h += "<td class=\"num\">" + htmlEscape(countText(field(field(s, "ballots"), g))) +
                     "</td>";
            h += "<td>" + (bottom ? t("report.rectify") : std::string()) + "</td></tr>\n";
        }
        h += "</tbody>\n</table>\n";
        std::string rule = bottomRule(unit, lang);
        if (!rule.empty()) h += "<p class=\"rule\">" + htmlEscape(rule) + "</p>\n";

        auto composition = compositionRows(unit, lang);
        if (!composition.empty()) {
            h += "<h2>" + t("report.composition") + "</h2>\n<table class=\"composition\">\n<tr>";
            for (const char* id :
                 {"report.col.group", "report.col.total", "report.col.min_ballots",
                  "report.col.categories", "report.col.quotas", "report.col.check"})
                h += "<th>" + t(id) + "</th>";
            h += "</tr>\n";
            for (auto& m : composition) {
                h += m.pass ? "<tr>" : "<tr class=\"fail\">";
                h += "<td>" + htmlEscape(m.group) + "</td><td class=\"num\">" +
                     htmlEscape(countText(*m.total)) + "</td><td class=\"num\">" +
                     htmlEscape(countText(*m.min_ballots)) + "</td><td>" +
                     htmlEscape(m.categories) + "</td><td>" + htmlEscape(m.quotas) + "</td><td>" +
                     t(m.pass ? "report.pass" : "report.fail") + "</td></tr>\n";
            }
            h += "</table>\n";
        }
        h += "<p class=\"digest\">" +
             t("report.digest", {digest, countText(field(acc, "counted"))}) + "</p>\n";
        h += "<p class=\"signature\">" + t("report.signature") + "</p>\n</section>\n";
    }

    h += std::string(first ? "<section class=\"accounting\">\n"
                           : "<section class=\"accounting next\">\n");
    h += "<div class=\"campaign\">" + campaign + "</div>\n";
    h += "<h1>" + t("report.accounting") + "</h1>\n<table class=\"accounting\">\n<tr><th>" +
         t("report.col.item") + "</th><th>" + t("report.col.count") + "</th></tr>\n";
    for (const char* key : kAccountingFields)
        h += "<tr><td>" + t(std::string("report.acc.") + key) + "</td><td class=\"num\">" +
             htmlEscape(countText(field(acc, key))) + "</td></tr>\n";
    h += "</table>\n";
    h += "<p class=\"digest\">" + t("report.digest", {digest, countText(field(acc, "counted"))}) +
         "</p>\n";
    const json& receipts = list(results, "receipts");
    if (!receipts.empty()) {
        h += "<h2>" + t("report.receipts", {std::to_string(receipts.size())}) +
             "</h2>\n<div class=\"receipts\">\n";
        for (auto& r : receipts)
            h += "<div>" + htmlEscape(text(r)) + "</div>\n";
        h += "</div>\n";
    }
    h += "</section>\n</body>\n</html>\n";
    return h;
}

std::string rankingTable(const json& unit, Lang lang) {
    auto groups = groupsOf(unit);
    std::vector<std::string> header = {tr(lang, "report.col.rank"), tr(lang, "report.col.subject"),
                                       tr(lang, "report.col.position")};
    for (auto& g : groups)
        header.push_back(groupName(unit, g, lang));
    header.push_back(tr(lang, "report.col.final"));
    header.push_back(tr(lang, "report.col.remark"));
    // Right-aligned: rank and the scores; left-aligned: names, positions, the remark.
    std::vector<bool> right(header.size(), true);
    right[1] = right[2] = right.back() = false;

    std::vector<std::vector<std::string>> rows = {header};
    for (auto& s : list(unit, "subjects")) {
        std::vector<std::string> row = {rankText(s, lang), text(field(s, "name")),
                                        text(field(s, "position"))};
        for (auto& g : groups)
            row.push_back(scoreText(field(s, g)));
        row.push_back(scoreText(field(s, "final")));
        row.push_back(flag(field(s, "bottom")) ? tr(lang, "report.rectify") : std::string());
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
    auto line = [&](const std::vector<std::string>& row) {
        for (std::size_t c = 0; c < row.size(); ++c) {
            if (c) out += gap;
            out += padded(row[c], widths[c], right[c]);
        }
        out += '\n';
    };
    line(rows[0]);
    out += std::string(total, '-') + '\n';
    for (std::size_t i = 1; i < rows.size(); ++i)
        line(rows[i]);
    return out;
}

} // namespace pingyi
