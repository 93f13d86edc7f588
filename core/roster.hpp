// Rosters (名单) of units and subjects imported from CSV files as Excel/WPS save them in China:
// UTF-8, UTF-8 with BOM or GBK; comma, tab or semicolon separated; header row in Chinese or
// English with the columns in any order (a title row above the header is skipped). Every
// problem is reported at once, each naming the file and the spreadsheet row.
#pragma once

#include "core/campaign.hpp"
#include "core/result.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace pingyi {

// Units file. Columns (header names accepted):
//   id      编号 / 单位编号 / 代码 / 单位代码 (id, code, unit id)          required
//   name    名称 / 单位名称 / 单位 (name, unit name, unit)                 required
//   groups  测评类别 / 参加测评类别 (groups, group)  optional: ids or names of the campaign's
//           groups (self / 单位自评, social / 社会测评) separated by 、 , ; (or ， ；);
//           empty or absent = all groups of the campaign.
struct UnitRoster {
    // Every data row read, in file order, including rows that have problems (best effort).
    // Apply them only when problems is empty.
    std::vector<UnitDef> units;
    std::vector<Error> problems;              // roster.*, csv.*, text.* errors
    std::vector<std::string> ignored_columns; // header cells that matched no column, as written
    bool ok() const { return problems.empty(); }
};

// Subjects file. Columns (header names accepted):
//   id             编号 / 对象编号 / 评议对象编号 / 代码 (id, subject id, code)     required
//   unit           单位编号 / 单位 / 所在单位 / 单位名称 (unit id, unit, unit name)   required:
//                  the unit's id or its exact name
//   name           姓名 / 名称 / 评议对象 / 对象名称 (name)                          required
//   position       职务 / 职位 (position, title)
//   questionnaire  问卷 / 测评问卷 / 类型 / 对象类型 (questionnaire, type, kind): the
//                  questionnaire's id or name (群众评科长 / 企业评机关); empty or absent =
//                  "chief" (or the campaign's first questionnaire if it has no "chief")
//   report         述职摘要 / 述职报告摘要 / 述职报告 (report, summary)
//   commitments    公开承诺 / 承诺 / 承诺事项 (commitments, commitment)
struct SubjectRoster {
    std::vector<Subject> subjects; // as UnitRoster::units; unit holds the resolved unit id
    std::vector<Error> problems;
    std::vector<std::string> ignored_columns;
    bool ok() const { return problems.empty(); }
};

// `name` is the file name shown in messages. Cells are trimmed (also of the full-width space
// U+3000); ids written with full-width letters or digits (Ｕ１) are read as ASCII. English
// header names match case-insensitively and ignore spaces, '_' and '-'; a trailing * or a
// parenthesised note ("编号（必填）") is ignored.
UnitRoster parseUnitsCsv(std::string_view file_bytes, const std::string& name, const Campaign& c);

// `units` are the units the subjects may belong to (usually parseUnitsCsv(...).units, or
// c.units when only the subjects are replaced).
SubjectRoster parseSubjectsCsv(std::string_view file_bytes, const std::string& name,
                               const Campaign& c, const std::vector<UnitDef>& units);

// `base` with its units and subjects replaced, re-validated by parseCampaign so that every
// campaign rule (each unit has subjects, at most 60 per unit, ...) applies.
CampaignParse applyRoster(const Campaign& base, std::vector<UnitDef> units,
                          std::vector<Subject> subjects);

} // namespace pingyi
