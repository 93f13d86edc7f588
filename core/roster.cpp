#include "core/roster.hpp"

#include "core/csv.hpp"
#include "core/text.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <optional>

namespace pingyi {

namespace {

// Header rows are looked for among the first rows that are not blank, so that a title row
// ("2026 年度评议对象名单") above the header does not get in the way.
constexpr std::size_t kHeaderSearchRows = 10;

struct Column {
    const char* zh; // the column's name in messages
    const char* en;
    std::vector<std::string> aliases; // as normalised by headerKey, in order of preference
    bool required = false;
    std::size_t max_chars = 200; // the same limits as parseCampaign
};

// Column positions in unitColumns() / subjectColumns().
enum UnitCol : std::size_t { kUnitId, kUnitName, kUnitGroups };
enum SubjectCol : std::size_t {
    kSubjId,
    kSubjUnit,
    kSubjName,
    kSubjPosition,
    kSubjQuestionnaire,
    kSubjReport,
    kSubjCommitments
};

const std::vector<Column>& unitColumns() {
    static const std::vector<Column> cols = {
        {"编号", "id", {"编号", "单位编号", "代码", "单位代码", "id", "code", "unitid"}, true, 64},
        {"名称", "name", {"名称", "单位名称", "单位", "name", "unitname", "unit"}, true, 200},
        {"测评类别", "groups", {"测评类别", "参加测评类别", "groups", "group"}, false, 200},
    };
    return cols;
}

const std::vector<Column>& subjectColumns() {
    static const std::vector<Column> cols = {
        {"编号",
         "id",
         {"编号", "对象编号", "评议对象编号", "代码", "id", "subjectid", "code"},
         true,
         64},
        {"单位",
         "unit",
         {"单位编号", "单位", "所在单位", "单位名称", "unitid", "unit", "unitname"},
         true,
         200},
        {"姓名", "name", {"姓名", "名称", "评议对象", "对象名称", "name"}, true, 40},
        {"职务", "position", {"职务", "职位", "position", "title"}, false, 80},
        {"问卷",
         "questionnaire",
         {"问卷", "测评问卷", "类型", "对象类型", "questionnaire", "type", "kind"},
         false,
         64},
        {"述职摘要",
         "report",
         {"述职摘要", "述职报告摘要", "述职报告", "report", "summary"},
         false,
         2000},
        {"公开承诺",
         "commitments",
         {"公开承诺", "承诺", "承诺事项", "commitments", "commitment"},
         false,
         2000},
    };
    return cols;
}

bool endsWith(std::string_view s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}
bool startsWith(std::string_view s, std::string_view prefix) {
    return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

// trim() plus the blanks that come with copied text: no-break space and a stray BOM, in any mix.
std::string clean(std::string_view cell) {
    static const std::string_view extra[] = {"\xC2\xA0", "\xEF\xBB\xBF"};
    std::string s = trim(cell);
    for (bool again = true; again;) {
        again = false;
        for (auto e : extra) {
            if (startsWith(s, e)) {
                s.erase(0, e.size());
                again = true;
            }
            if (endsWith(s, e)) {
                s.erase(s.size() - e.size());
                again = true;
            }
        }
        std::string t = trim(s);
        if (t != s) again = true;
        s = std::move(t);
    }
    return s;
}

std::string lowerAscii(std::string_view s) {
    std::string r(s);
    for (auto& ch : r)
        if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
    return r;
}

// Full-width ASCII (U+FF01..U+FF5E, typed with a Chinese input method) to ASCII.
std::string halfWidth(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c == 0xEF && i + 2 < s.size()) {
            auto b1 = static_cast<unsigned char>(s[i + 1]);
            auto b2 = static_cast<unsigned char>(s[i + 2]);
            unsigned cp = ((c & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6) | (b2 & 0x3Fu);
            if ((b1 & 0xC0u) == 0x80u && (b2 & 0xC0u) == 0x80u && cp >= 0xFF01 && cp <= 0xFF5E) {
                out += static_cast<char>(cp - 0xFEE0u);
                i += 2;
                continue;
            }
        }
        out += s[i];
    }
    return out;
}

// A header cell reduced to what is compared: no "*" or "（必填）" note, English lower-cased
// without spaces, '_' or '-'.
std::string headerKey(std::string_view cell) {
    std::string s = clean(cell);
    for (bool again = true; again;) {
        again = false;
        for (std::string_view star : {std::string_view("*"), std::string_view("\xEF\xBC\x8A")}) {
            if (endsWith(s, star)) {
                s.erase(s.size() - star.size());
                again = true;
            }
            if (startsWith(s, star)) {
                s.erase(0, star.size());
                again = true;
            }
        }
        std::size_t paren = std::min(s.find('('), s.find("\xEF\xBC\x88")); // ( or （
        if (paren != std::string::npos && paren > 0) {
            s.erase(paren);
            again = true;
        }
        s = clean(s);
    }
    std::string key;
    for (char ch : lowerAscii(s))
        if (ch != ' ' && ch != '_' && ch != '-') key += ch;
    return key;
}

Error rowError(const std::string& file, std::size_t row, const char* id,
               std::vector<std::string> extra) {
    extra.insert(extra.begin(), {file, std::to_string(row)});
    return Error::make(ErrorKind::Invalid, id, std::move(extra));
}

// One roster file: decoded, split into records, header found and mapped to columns.
class Sheet {
  public:
    Sheet(const std::string& file, const std::vector<Column>& columns)
        : file_(file), columns_(columns), index_(columns.size()) {}

    std::vector<Error> problems;
    std::vector<std::string> ignored;
    std::vector<const CsvRecord*> rows; // data rows (not blank), after the header

    // False when no data row can be read; the reason is in problems.
    bool load(std::string_view bytes) {
        auto text = decodeText(bytes, file_);
        if (!text.ok()) {
            problems.push_back(text.error());
            return false;
        }
        auto table = parseCsvTable(text->utf8, file_);
        if (!table.ok()) {
            problems.push_back(table.error());
            return false;
        }
        table_ = std::move(table.value());

        std::vector<const CsvRecord*> filled;
        for (auto& rec : table_.records) {
            bool blank = true;
            for (auto& cell : rec.cells)
                blank = blank && clean(cell).empty();
            if (!blank) filled.push_back(&rec);
        }
        if (filled.empty()) {
            problems.push_back(Error::make(ErrorKind::Invalid, "roster.no_rows", {file_}));
            return false;
        }
        std::size_t header = 0;
        for (std::size_t k = 0; k < filled.size() && k < kHeaderSearchRows; ++k) {
            if (hasRequired(match(*filled[k]))) {
                header = k;
                break;
            }
        }
        Match m = match(*filled[header]);
        for (auto& d : m.duplicates)
            problems.push_back(
                Error::make(ErrorKind::Invalid, "roster.duplicate_column", {file_, d}));
        for (std::size_t c = 0; c < columns_.size(); ++c)
            if (columns_[c].required && !m.index[c])
                problems.push_back(Error::make(ErrorKind::Invalid, "roster.missing_column",
                                               {file_, columns_[c].zh, columns_[c].en}));
        index_ = m.index;
        ignored = m.ignored;
        if (!problems.empty()) return false;
        rows.assign(filled.begin() + static_cast<std::ptrdiff_t>(header) + 1, filled.end());
        if (rows.empty()) {
            problems.push_back(Error::make(ErrorKind::Invalid, "roster.no_rows", {file_}));
            return false;
        }
        return true;
    }

    // The cleaned cell; an empty required cell or a too long text is a problem.
    std::string cell(const CsvRecord& r, std::size_t col) {
        if (!index_[col]) return {};
        std::size_t j = *index_[col];
        std::string v = j < r.cells.size() ? clean(r.cells[j]) : std::string();
        const Column& c = columns_[col];
        if (c.required && v.empty()) problem(r, "roster.empty_cell", {c.zh, c.en});
        std::size_t len = utf8Length(v);
        if (len > c.max_chars)
            problem(r, "roster.too_long",
                    {c.zh, c.en, std::to_string(len), std::to_string(c.max_chars)});
        return v;
    }

    // An id cell: full-width characters made ASCII, then checked.
    std::string id(const CsvRecord& r, std::size_t col) {
        std::string v = halfWidth(cell(r, col));
        if (!v.empty() && utf8Length(v) <= columns_[col].max_chars && !isIdentifier(v))
            problem(r, "roster.bad_id", {v});
        if (!v.empty()) {
            auto [it, fresh] = ids_.emplace(v, r.row);
            if (!fresh) problem(r, "roster.duplicate_id", {v, std::to_string(it->second)});
        }
        return v;
    }

    void problem(const CsvRecord& r, const char* msg_id, std::vector<std::string> extra) {
        problems.push_back(rowError(file_, r.row, msg_id, std::move(extra)));
    }

  private:
    struct Match {
        std::vector<std::optional<std::size_t>> index;
        std::vector<std::size_t> rank;
        std::vector<std::string> ignored, duplicates;
    };

    Match match(const CsvRecord& header) const {
        Match m;
        m.index.resize(columns_.size());
        m.rank.resize(columns_.size());
        for (std::size_t j = 0; j < header.cells.size(); ++j) {
            std::string key = headerKey(header.cells[j]);
            if (key.empty()) continue;
            std::optional<std::size_t> col;
            std::size_t rank = 0;
            for (std::size_t c = 0; c < columns_.size() && !col; ++c)
                for (std::size_t a = 0; a < columns_[c].aliases.size(); ++a)
                    if (key == columns_[c].aliases[a]) {
                        col = c;
                        rank = a;
                        break;
                    }
            if (!col) {
                m.ignored.push_back(clean(header.cells[j]));
                continue;
            }
            auto& cur = m.index[*col];
            if (!cur) {
                cur = j;
                m.rank[*col] = rank;
            } else if (rank < m.rank[*col]) { // a more specific name: 单位编号 over 单位名称
                m.ignored.push_back(clean(header.cells[*cur]));
                cur = j;
                m.rank[*col] = rank;
            } else if (rank > m.rank[*col]) {
                m.ignored.push_back(clean(header.cells[j]));
            } else {
                m.duplicates.push_back(clean(header.cells[j]));
            }
        }
        return m;
    }

    bool hasRequired(const Match& m) const {
        for (std::size_t c = 0; c < columns_.size(); ++c)
            if (columns_[c].required && !m.index[c]) return false;
        return m.duplicates.empty();
    }

    std::string file_;
    const std::vector<Column>& columns_;
    std::vector<std::optional<std::size_t>> index_;
    CsvTable table_;
    std::map<std::string, std::size_t> ids_; // id -> first row
};

// Splits a list cell on 、 , ; and their full-width forms ， ；.
std::vector<std::string> splitList(std::string_view s) {
    static const std::string_view seps[] = {",", ";", "\xE3\x80\x81", "\xEF\xBC\x8C",
                                            "\xEF\xBC\x9B"};
    std::vector<std::string> out;
    std::string part;
    auto flush = [&] {
        std::string p = clean(part);
        if (!p.empty()) out.push_back(std::move(p));
        part.clear();
    };
    for (std::size_t i = 0; i < s.size();) {
        std::size_t sep_len = 0;
        for (auto sep : seps)
            if (startsWith(s.substr(i), sep)) sep_len = sep.size();
        if (sep_len > 0) {
            flush();
            i += sep_len;
        } else {
            part += s[i++];
        }
    }
    flush();
    return out;
}

// Matches an id or English name case-insensitively, a Chinese name exactly.
template <class T> const T* findNamed(const std::vector<T>& list, const std::string& text) {
    std::string lower = lowerAscii(halfWidth(text));
    for (auto& e : list)
        if (e.id == text || lowerAscii(e.id) == lower) return &e;
    for (auto& e : list)
        if (e.name == text || (!e.name_en.empty() && lowerAscii(e.name_en) == lower)) return &e;
    return nullptr;
}

// "群众评科长、企业评机关" and "chief, agency": the choices, for messages.
template <class T> std::pair<std::string, std::string> choices(const std::vector<T>& list) {
    std::string zh, en;
    for (auto& e : list) {
        if (!zh.empty()) zh += "、";
        if (!en.empty()) en += ", ";
        zh += e.name;
        en += e.id;
    }
    return {zh, en};
}

} // namespace

UnitRoster parseUnitsCsv(std::string_view file_bytes, const std::string& name, const Campaign& c) {
    UnitRoster out;
    Sheet sheet(name, unitColumns());
    if (sheet.load(file_bytes)) {
        const auto [groups_zh, groups_en] = choices(c.groups);
        for (const CsvRecord* r : sheet.rows) {
            UnitDef u;
            u.id = sheet.id(*r, kUnitId);
            u.name = sheet.cell(*r, kUnitName);
            for (auto& g : splitList(sheet.cell(*r, kUnitGroups))) {
                const Group* found = findNamed(c.groups, g);
                if (!found) sheet.problem(*r, "roster.unknown_group", {g, groups_zh, groups_en});
                std::string gid = found ? found->id : g;
                bool seen = false;
                for (auto& have : u.groups)
                    seen = seen || have == gid;
                if (!seen) u.groups.push_back(gid);
            }
            if (u.groups.empty())
                for (auto& g : c.groups)
                    u.groups.push_back(g.id);
            out.units.push_back(std::move(u));
        }
    }
    out.problems = std::move(sheet.problems);
    out.ignored_columns = std::move(sheet.ignored);
    return out;
}

SubjectRoster parseSubjectsCsv(std::string_view file_bytes, const std::string& name,
                               const Campaign& c, const std::vector<UnitDef>& units) {
    SubjectRoster out;
    Sheet sheet(name, subjectColumns());
    if (sheet.load(file_bytes)) {
        const auto [q_zh, q_en] = choices(c.questionnaires);
        std::string default_q = c.questionnaire("chief") || c.questionnaires.empty()
                                    ? std::string("chief")
                                    : c.questionnaires.front().id;
        for (const CsvRecord* r : sheet.rows) {
            Subject s;
            s.id = sheet.id(*r, kSubjId);
            std::string unit = sheet.cell(*r, kSubjUnit);
            s.unit = unit;
            if (!unit.empty()) {
                std::string as_id = halfWidth(unit);
                std::vector<const UnitDef*> by_name;
                const UnitDef* found = nullptr;
                for (auto& u : units) {
                    if (u.id == as_id) found = &u;
                    if (u.name == unit) by_name.push_back(&u);
                }
                if (!found && by_name.size() == 1) found = by_name.front();
                if (found)
                    s.unit = found->id;
                else if (by_name.size() > 1)
                    sheet.problem(*r, "roster.ambiguous_unit", {unit});
                else
                    sheet.problem(*r, "roster.unknown_unit", {unit});
            }
            s.name = sheet.cell(*r, kSubjName);
            s.position = sheet.cell(*r, kSubjPosition);
            std::string q = sheet.cell(*r, kSubjQuestionnaire);
            if (q.empty()) {
                s.questionnaire = default_q;
            } else if (const Questionnaire* found = findNamed(c.questionnaires, q)) {
                s.questionnaire = found->id;
            } else {
                s.questionnaire = q;
                sheet.problem(*r, "roster.unknown_questionnaire", {q, q_zh, q_en});
            }
            s.report = sheet.cell(*r, kSubjReport);
            s.commitments = sheet.cell(*r, kSubjCommitments);
            out.subjects.push_back(std::move(s));
        }
    }
    out.problems = std::move(sheet.problems);
    out.ignored_columns = std::move(sheet.ignored);
    return out;
}

CampaignParse applyRoster(const Campaign& base, std::vector<UnitDef> units,
                          std::vector<Subject> subjects) {
    Campaign c = base;
    c.units = std::move(units);
    c.subjects = std::move(subjects);
    return parseCampaign(campaignToJson(c));
}

} // namespace pingyi
