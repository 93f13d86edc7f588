#include "core/campaign.hpp"
#include "core/catalog.hpp"
#include "core/csv.hpp"
#include "core/roster.hpp"
#include "core/text.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pingyi;

namespace {

using Rows = std::vector<std::vector<std::string>>;

const std::string kUnitsUtf8 = "编号,名称,测评类别\n"
                               "U1,市经济局,单位自评、社会测评\n"
                               "U2,市中小企业服务中心,\n"
                               "U3,市经济局机关科室（企业评机关）,社会测评\n";

const std::string kSubjectsUtf8 =
    "编号,单位,姓名,职务,问卷,述职摘要,公开承诺\n"
    "S01,U1,王建国,办公室主任,群众评科长,\"负责文电、会务，按期办结率100%。\","
    "\"公文办理时限压缩至3个工作日；\n"
    "每季度公开督查通报。\"\n"
    "S02,市经济局,李秀英,综合科科长,,负责经济运行分析。,企业反映问题5个工作日内答复。\n"
    "S03,U2,赵丽,中心主任,chief,负责中心全面工作。,服务窗口周末预约办理。\n"
    "S10,U3,投资科（机关）,机关科室,企业评机关,技改项目备案、审核服务。,一次性告知，限时办结。\n";

// The same two files as Excel saves them on a Chinese Windows ("CSV (逗号分隔)"): GBK with
// CRLF line ends. Bytes from `iconv -f UTF-8 -t GBK`.
const std::string kUnitsGbk =
    "\xB1\xE0\xBA\xC5,\xC3\xFB\xB3\xC6,\xB2\xE2\xC6\xC0\xC0\xE0\xB1\xF0\r\n"
    "U1,\xCA\xD0\xBE\xAD\xBC\xC3\xBE\xD6,"
    "\xB5\xA5\xCE\xBB\xD7\xD4\xC6\xC0\xA1\xA2\xC9\xE7\xBB\xE1\xB2\xE2\xC6\xC0\r\n"
    "U2,\xCA\xD0\xD6\xD0\xD0\xA1\xC6\xF3\xD2\xB5\xB7\xFE\xCE\xF1\xD6\xD0\xD0\xC4,\r\n"
    "U3,"
    "\xCA\xD0\xBE\xAD\xBC\xC3\xBE\xD6\xBB\xFA\xB9\xD8\xBF\xC6\xCA\xD2\xA3\xA8\xC6\xF3\xD2\xB5\xC6"
    "\xC0\xBB\xFA\xB9\xD8\xA3\xA9,\xC9\xE7\xBB\xE1\xB2\xE2\xC6\xC0\r\n";

const std::string kSubjectsGbk =
    "\xB1\xE0\xBA\xC5,\xB5\xA5\xCE\xBB,\xD0\xD5\xC3\xFB,\xD6\xB0\xCE\xF1,\xCE\xCA\xBE\xED,"
    "\xCA\xF6\xD6\xB0\xD5\xAA\xD2\xAA,\xB9\xAB\xBF\xAA\xB3\xD0\xC5\xB5\r\n"
    "S01,U1,\xCD\xF5\xBD\xA8\xB9\xFA,\xB0\xEC\xB9\xAB\xCA\xD2\xD6\xF7\xC8\xCE,"
    "\xC8\xBA\xD6\xDA\xC6\xC0\xBF\xC6\xB3\xA4,"
    "\"\xB8\xBA\xD4\xF0\xCE\xC4\xB5\xE7\xA1\xA2\xBB\xE1\xCE\xF1\xA3\xAC\xB0\xB4\xC6\xDA\xB0\xEC\xBD"
    "\xE1\xC2\xCA"
    "100%\xA1\xA3\",\"\xB9\xAB\xCE\xC4\xB0\xEC\xC0\xED\xCA\xB1\xCF\xDE\xD1\xB9\xCB\xF5\xD6\xC1"
    "3\xB8\xF6\xB9\xA4\xD7\xF7\xC8\xD5\xA3\xBB\r\n"
    "\xC3\xBF\xBC\xBE\xB6\xC8\xB9\xAB\xBF\xAA\xB6\xBD\xB2\xE9\xCD\xA8\xB1\xA8\xA1\xA3\"\r\n"
    "S02,\xCA\xD0\xBE\xAD\xBC\xC3\xBE\xD6,\xC0\xEE\xD0\xE3\xD3\xA2,"
    "\xD7\xDB\xBA\xCF\xBF\xC6\xBF\xC6\xB3\xA4,,"
    "\xB8\xBA\xD4\xF0\xBE\xAD\xBC\xC3\xD4\xCB\xD0\xD0\xB7\xD6\xCE\xF6\xA1\xA3,"
    "\xC6\xF3\xD2\xB5\xB7\xB4\xD3\xB3\xCE\xCA\xCC\xE2"
    "5\xB8\xF6\xB9\xA4\xD7\xF7\xC8\xD5\xC4\xDA\xB4\xF0\xB8\xB4\xA1\xA3\r\n"
    "S03,U2,\xD5\xD4\xC0\xF6,\xD6\xD0\xD0\xC4\xD6\xF7\xC8\xCE,chief,"
    "\xB8\xBA\xD4\xF0\xD6\xD0\xD0\xC4\xC8\xAB\xC3\xE6\xB9\xA4\xD7\xF7\xA1\xA3,"
    "\xB7\xFE\xCE\xF1\xB4\xB0\xBF\xDA\xD6\xDC\xC4\xA9\xD4\xA4\xD4\xBC\xB0\xEC\xC0\xED\xA1\xA3\r\n"
    "S10,U3,\xCD\xB6\xD7\xCA\xBF\xC6\xA3\xA8\xBB\xFA\xB9\xD8\xA3\xA9,"
    "\xBB\xFA\xB9\xD8\xBF\xC6\xCA\xD2,\xC6\xF3\xD2\xB5\xC6\xC0\xBB\xFA\xB9\xD8,"
    "\xBC\xBC\xB8\xC4\xCF\xEE\xC4\xBF\xB1\xB8\xB0\xB8\xA1\xA2\xC9\xF3\xBA\xCB\xB7\xFE\xCE\xF1\xA1"
    "\xA3,"
    "\xD2\xBB\xB4\xCE\xD0\xD4\xB8\xE6\xD6\xAA\xA3\xAC\xCF\xDE\xCA\xB1\xB0\xEC\xBD\xE1\xA1\xA3\r\n";

const std::string kBom = "\xEF\xBB\xBF";

std::string describeAll(const std::vector<Error>& problems, Lang lang) {
    std::string s;
    for (auto& p : problems)
        s += describe(p, lang) + "\n";
    return s;
}

std::string repeat(const std::string& s, std::size_t n) {
    std::string r;
    for (std::size_t i = 0; i < n; ++i)
        r += s;
    return r;
}

std::vector<std::string> flat(const UnitDef& u) {
    std::vector<std::string> r = {u.id, u.name};
    r.insert(r.end(), u.groups.begin(), u.groups.end());
    return r;
}
std::vector<std::string> flat(const Subject& s) {
    return {s.id, s.unit, s.name, s.position, s.questionnaire, s.report, s.commitments};
}
template <class T> std::vector<std::vector<std::string>> flatAll(const std::vector<T>& list) {
    std::vector<std::vector<std::string>> r;
    for (auto& e : list)
        r.push_back(flat(e));
    return r;
}

struct Imported {
    UnitRoster units;
    SubjectRoster subjects;
};
Imported importBoth(const std::string& units_csv, const std::string& subjects_csv) {
    Campaign c = seedCampaign();
    Imported r{parseUnitsCsv(units_csv, "units.csv", c), {}};
    r.subjects = parseSubjectsCsv(subjects_csv, "subjects.csv", c, r.units.units);
    return r;
}

// Units with the seed's groups; enough to check subjects files against.
std::vector<UnitDef> seedUnits() {
    return seedCampaign().units;
}

} // namespace

// --- CSV

TEST_CASE("A CSV file with quoted cells, doubled quotes, commas and line breaks in quotes is split "
          "cell by cell") {
    auto rows = parseCsv("a,\"b,c\",\"say \"\"hi\"\"\"\r\n"
                         "\"two\r\nlines\",,last\r\n"
                         "\r\n"
                         "\n"
                         "x,y,z",
                         "t.csv");
    REQUIRE(rows.ok());
    CHECK(*rows == Rows{{"a", "b,c", "say \"hi\""}, {"two\nlines", "", "last"}, {"x", "y", "z"}});
}

TEST_CASE("LF, CRLF and old Mac CR line ends all read the same, with or without a final newline") {
    Rows want = {{"编号", "名称"}, {"U1", "市经济局"}};
    for (const std::string& text : std::vector<std::string>{
             "编号,名称\nU1,市经济局\n", "编号,名称\r\nU1,市经济局\r\n", "编号,名称\rU1,市经济局\r",
             "编号,名称\nU1,市经济局", kBom + "编号,名称\r\nU1,市经济局\r\n"}) {
        auto rows = parseCsv(text, "t.csv");
        REQUIRE(rows.ok());
        CHECK(*rows == want);
    }
}

TEST_CASE("Records keep the text line and the spreadsheet row they start on") {
    auto t = parseCsvTable("h1,h2\n\n\"a\nb\",c\nd,e\n", "t.csv");
    REQUIRE(t.ok());
    REQUIRE(t->records.size() == 3);
    CHECK(t->records[1].line == 3);
    CHECK(t->records[1].row == 3);
    CHECK(t->records[2].line == 5); // the quoted line break moved the text on a line...
    CHECK(t->records[2].row == 4);  // ...but not the spreadsheet row
}

TEST_CASE("The separator is detected from the header line: comma, tab or semicolon") {
    auto semi = parseCsvTable("编号;名称;测评类别\nU1;\"市经济局;本部\";self,social\n", "t.csv");
    REQUIRE(semi.ok());
    CHECK(semi->separator == ';');
    CHECK(semi->records[1].cells == std::vector<std::string>{"U1", "市经济局;本部", "self,social"});

    auto tab = parseCsvTable("编号\t名称\nU1\t市经济局, 本部\n", "t.csv");
    REQUIRE(tab.ok());
    CHECK(tab->separator == '\t');
    CHECK(tab->records[1].cells == std::vector<std::string>{"U1", "市经济局, 本部"});

    // A comma inside a quoted header cell does not count.
    auto quoted = parseCsvTable("\"编号,代码\";名称\nU1;市经济局\n", "t.csv");
    REQUIRE(quoted.ok());
    CHECK(quoted->separator == ';');

    auto single = parseCsvTable("编号\nU1\n", "t.csv");
    REQUIRE(single.ok());
    CHECK(single->separator == ',');
}

TEST_CASE("Excel's sep= first line sets the separator and is not a row") {
    auto t = parseCsvTable("sep=;\r\n编号;名称\r\nU1;市经济局,本部\r\n", "t.csv");
    REQUIRE(t.ok());
    CHECK(t->separator == ';');
    REQUIRE(t->records.size() == 2);
    CHECK(t->records[0].cells == std::vector<std::string>{"编号", "名称"});
    CHECK(t->records[0].row == 1);
    CHECK(t->records[0].line == 2);
    CHECK(t->records[1].cells == std::vector<std::string>{"U1", "市经济局,本部"});
}

TEST_CASE("An unclosed quote is reported with the file name and the line where it opens") {
    auto r = parseCsv("编号,名称\nU1,\"市经济局\nU2,中心\n", "units.csv");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "csv.unclosed_quote");
    CHECK(describe(r.error(), Lang::En) == "units.csv: line 2: unclosed quote");
    CHECK(describe(r.error(), Lang::Zh) == "units.csv：第 2 行的引号没有闭合");
}

TEST_CASE("Text right after a closing quote is refused rather than guessed") {
    auto r = parseCsv("a,b\n\"x\"y,z\n", "t.csv");
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "csv.text_after_quote");
    CHECK(r.error().args == std::vector<std::string>{"t.csv", "2"});
    // Blanks between the closing quote and the separator are fine.
    auto ok = parseCsv("a,b\n\"x\"  ,z\n", "t.csv");
    REQUIRE(ok.ok());
    CHECK((*ok)[1] == std::vector<std::string>{"x", "z"});
}

TEST_CASE("writeCsv quotes only where needed, ends every row with CRLF and adds the BOM on "
          "request") {
    Rows rows = {{"编号", "姓名", "意见"},
                 {"S01", "王建国", "服务好，办事快"},
                 {"S02", "李秀英", "说\"谢谢\"，很好"},
                 {"S03", " 张志强", "第一行\n第二行,还有逗号"},
                 {"S04", "", "a;b"}};
    std::string plain = writeCsv(rows, false);
    CHECK(plain == "编号,姓名,意见\r\n"
                   "S01,王建国,服务好，办事快\r\n"
                   "S02,李秀英,\"说\"\"谢谢\"\"，很好\"\r\n"
                   "S03,\" 张志强\",\"第一行\n第二行,还有逗号\"\r\n"
                   "S04,,\"a;b\"\r\n");
    std::string bom = writeCsv(rows, true);
    CHECK(bom == kBom + plain);
    auto back = parseCsv(bom, "out.csv");
    REQUIRE(back.ok());
    CHECK(*back == rows);
}

TEST_CASE("writeCsv keeps a lone empty cell as a row and neutralises cells Excel would run as "
          "formulas") {
    std::string out = writeCsv(
        {{"x"}, {""}, {"=HYPERLINK(\"http://x\")"}, {"+1+1", "-5", "-0.5", "@SUM(A1)"}}, false);
    CHECK(out == "x\r\n"
                 "\"\"\r\n"
                 "\"'=HYPERLINK(\"\"http://x\"\")\"\r\n"
                 "'+1+1,-5,-0.5,'@SUM(A1)\r\n");
    auto back = parseCsv(out, "out.csv");
    REQUIRE(back.ok());
    CHECK(back->size() == 4);
    CHECK((*back)[1] == std::vector<std::string>{""});
}

// --- rosters

TEST_CASE("The same roster as UTF-8, UTF-8 with BOM and GBK gives identical units and subjects") {
    Imported utf8 = importBoth(kUnitsUtf8, kSubjectsUtf8);
    Imported bom = importBoth(kBom + kUnitsUtf8, kBom + kSubjectsUtf8);
    Imported gbk = importBoth(kUnitsGbk, kSubjectsGbk);
    CHECK_FALSE(isValidUtf8(kUnitsGbk)); // really GBK bytes, not UTF-8 by accident
    CHECK_FALSE(isValidUtf8(kSubjectsGbk));
    for (auto* r : {&utf8, &bom, &gbk}) {
        INFO(describeAll(r->units.problems, Lang::Zh), describeAll(r->subjects.problems, Lang::Zh));
        REQUIRE(r->units.ok());
        REQUIRE(r->subjects.ok());
    }
    CHECK(flatAll(utf8.units.units) == Rows{{"U1", "市经济局", "self", "social"},
                                            {"U2", "市中小企业服务中心", "self", "social"},
                                            {"U3", "市经济局机关科室（企业评机关）", "social"}});
    CHECK(flatAll(utf8.subjects.subjects) ==
          Rows{{"S01", "U1", "王建国", "办公室主任", "chief", "负责文电、会务，按期办结率100%。",
                "公文办理时限压缩至3个工作日；\n每季度公开督查通报。"},
               {"S02", "U1", "李秀英", "综合科科长", "chief", "负责经济运行分析。",
                "企业反映问题5个工作日内答复。"},
               {"S03", "U2", "赵丽", "中心主任", "chief", "负责中心全面工作。",
                "服务窗口周末预约办理。"},
               {"S10", "U3", "投资科（机关）", "机关科室", "agency", "技改项目备案、审核服务。",
                "一次性告知，限时办结。"}});
    for (auto* r : {&bom, &gbk}) {
        CHECK(flatAll(r->units.units) == flatAll(utf8.units.units));
        CHECK(flatAll(r->subjects.subjects) == flatAll(utf8.subjects.subjects));
    }
}

TEST_CASE("English headers in any case and columns in another order are understood") {
    Campaign c = seedCampaign();
    auto units = parseUnitsCsv("Groups,NAME,Unit ID\n"
                               "\"self, Social\",Economic Bureau,U1\n"
                               ",SME Service Centre,U2\n",
                               "units.csv", c);
    INFO(describeAll(units.problems, Lang::En));
    REQUIRE(units.ok());
    CHECK(flatAll(units.units) == Rows{{"U1", "Economic Bureau", "self", "social"},
                                       {"U2", "SME Service Centre", "self", "social"}});

    auto subjects = parseSubjectsCsv("Commitments,Report,Questionnaire,Position,Name,unit,ID\n"
                                     "Reply in 5 days,Runs the office,Chief,Director,Wang,U1,S01\n"
                                     "Open rules,Approvals,AGENCY,,Investment section,U2,S02\n",
                                     "subjects.csv", c, units.units);
    INFO(describeAll(subjects.problems, Lang::En));
    REQUIRE(subjects.ok());
    CHECK(flatAll(subjects.subjects) ==
          Rows{{"S01", "U1", "Wang", "Director", "chief", "Runs the office", "Reply in 5 days"},
               {"S02", "U2", "Investment section", "", "agency", "Approvals", "Open rules"}});
}

TEST_CASE("Chinese header variants, a title row and extra columns are accepted; the questionnaire "
          "defaults to chief") {
    Campaign c = seedCampaign();
    auto subjects = parseSubjectsCsv("2026 年度评议对象名单,,,\n"
                                     "序号,对象编号*,所在单位（填编号或名称）,姓名,职务,备注\n"
                                     "1,S01,市中小企业服务中心,赵丽,中心主任,\n"
                                     ",,,,,\n"
                                     "2,S02,U1,王建国,办公室主任,新任\n",
                                     "subjects.csv", c, seedUnits());
    INFO(describeAll(subjects.problems, Lang::Zh));
    REQUIRE(subjects.ok());
    CHECK(subjects.ignored_columns == std::vector<std::string>{"序号", "备注"});
    CHECK(flatAll(subjects.subjects) ==
          Rows{{"S01", "U2", "赵丽", "中心主任", "chief", "", ""},
               {"S02", "U1", "王建国", "办公室主任", "chief", "", ""}});
}

TEST_CASE("A unit id column is preferred to a unit name column when a file has both") {
    auto subjects = parseSubjectsCsv("编号,单位名称,单位编号,姓名\nS01,市经济局,U2,赵丽\n",
                                     "subjects.csv", seedCampaign(), seedUnits());
    REQUIRE(subjects.ok());
    CHECK(subjects.ignored_columns == std::vector<std::string>{"单位名称"});
    CHECK(subjects.subjects[0].unit == "U2");
}

TEST_CASE("Quoted cells with commas and line breaks keep their text and every cell is trimmed, "
          "also of full-width spaces") {
    auto subjects = parseSubjectsCsv("编号,单位,姓名,述职摘要,公开承诺\n"
                                     "　S01　, U1 ,\"　王建国 \",\"一、抓服务，\n二、抓效率\",\" "
                                     "限时办结,\"\"一次办好\"\"　\"\n",
                                     "subjects.csv", seedCampaign(), seedUnits());
    INFO(describeAll(subjects.problems, Lang::Zh));
    REQUIRE(subjects.ok());
    auto& s = subjects.subjects.at(0);
    CHECK(s.id == "S01");
    CHECK(s.unit == "U1");
    CHECK(s.name == "王建国");
    CHECK(s.report == "一、抓服务，\n二、抓效率");
    CHECK(s.commitments == "限时办结,\"一次办好\"");
}

TEST_CASE("A semicolon-separated roster is read like a comma-separated one") {
    Imported semi =
        importBoth("编号;名称;测评类别\r\n"
                   "U1;市经济局;self,social\r\n"
                   "U2;市中小企业服务中心;\r\n"
                   "U3;市经济局机关科室（企业评机关）;社会测评\r\n",
                   "编号;单位;姓名;职务;问卷;述职摘要;公开承诺\r\n"
                   "S01;U1;王建国;办公室主任;群众评科长;负责文电、会务，按期办结率100%。;"
                   "\"公文办理时限压缩至3个工作日；\r\n每季度公开督查通报。\"\r\n"
                   "S02;市经济局;李秀英;综合科科长;;负责经济运行分析。;"
                   "企业反映问题5个工作日内答复。\r\n"
                   "S03;U2;赵丽;中心主任;chief;负责中心全面工作。;服务窗口周末预约办理。\r\n"
                   "S10;U3;投资科（机关）;机关科室;企业评机关;技改项目备案、审核服务。;"
                   "一次性告知，限时办结。\r\n");
    Imported comma = importBoth(kUnitsUtf8, kSubjectsUtf8);
    INFO(describeAll(semi.units.problems, Lang::Zh), describeAll(semi.subjects.problems, Lang::Zh));
    REQUIRE(semi.units.ok());
    REQUIRE(semi.subjects.ok());
    CHECK(flatAll(semi.units.units) == flatAll(comma.units.units));
    CHECK(flatAll(semi.subjects.subjects) == flatAll(comma.subjects.subjects));
}

TEST_CASE("Ids typed with full-width characters are read as ASCII") {
    auto units = parseUnitsCsv("编号,名称\nＵ１,市经济局\n", "units.csv", seedCampaign());
    REQUIRE(units.ok());
    CHECK(units.units[0].id == "U1");
    auto subjects = parseSubjectsCsv("编号,单位,姓名\nＳ０１,Ｕ１,王建国\n", "subjects.csv",
                                     seedCampaign(), units.units);
    REQUIRE(subjects.ok());
    CHECK(subjects.subjects[0].id == "S01");
    CHECK(subjects.subjects[0].unit == "U1");
}

TEST_CASE("A missing required column names the column in Chinese and English") {
    auto units = parseUnitsCsv("编号,测评类别\nU1,self\n", "units.csv", seedCampaign());
    REQUIRE(units.problems.size() == 1);
    CHECK(units.problems[0].id == "roster.missing_column");
    CHECK(describe(units.problems[0], Lang::En) ==
          "units.csv: the column \"name\" (名称) is missing");
    CHECK(describe(units.problems[0], Lang::Zh) == "units.csv：缺少“名称”列（name）");
    CHECK(units.units.empty());

    auto subjects =
        parseSubjectsCsv("姓名,职务\n王建国,主任\n", "subjects.csv", seedCampaign(), seedUnits());
    CHECK(describeAll(subjects.problems, Lang::En) ==
          "subjects.csv: the column \"id\" (编号) is missing\n"
          "subjects.csv: the column \"unit\" (单位) is missing\n");
}

TEST_CASE("A column given twice, an empty file and a header without rows are refused") {
    auto twice = parseUnitsCsv("编号,名称,编号\nU1,市经济局,U2\n", "units.csv", seedCampaign());
    REQUIRE(twice.problems.size() == 1);
    CHECK(describe(twice.problems[0], Lang::En) ==
          "units.csv: the column \"编号\" appears more than once");
    for (const std::string& text :
         std::vector<std::string>{"", "\r\n\r\n", ",,,\r\n", "编号,名称\r\n,\r\n"}) {
        auto r = parseUnitsCsv(text, "units.csv", seedCampaign());
        REQUIRE(r.problems.size() == 1);
        CHECK(describe(r.problems[0], Lang::En) == "units.csv: the file has no data rows");
    }
}

TEST_CASE("Each kind of row problem gives its own message naming the file and the row") {
    Campaign c = seedCampaign();
    auto one = [&](const std::string& units_csv) {
        auto r = parseUnitsCsv(units_csv, "units.csv", c);
        REQUIRE(r.problems.size() == 1);
        return describe(r.problems[0], Lang::En);
    };
    CHECK(one("编号,名称\nU1,\n") == "units.csv row 2: \"name\" must not be empty");
    CHECK(one("编号,名称\nU1,市经济局\nU1,中心\n") ==
          "units.csv row 3: duplicate id \"U1\" (already used in row 2)");
    CHECK(one("编号,名称\n经济局,市经济局\n") ==
          "units.csv row 2: invalid id \"经济局\" (letters, digits, -, _, . only, starting with a "
          "letter or digit)");
    CHECK(one("编号,名称,测评类别\nU1,市经济局,单位自评、群众测评\n") ==
          "units.csv row 2: unknown group \"群众测评\" (use one of: self, social)");
    CHECK(one("编号,名称\nU1," + repeat("x", 201) + "\n") ==
          "units.csv row 2: \"name\" is too long (201 characters, at most 200)");

    auto subj = [&](const std::string& row) {
        auto r = parseSubjectsCsv("编号,单位,姓名,问卷\n" + row + "\n", "subjects.csv", c, c.units);
        REQUIRE(r.problems.size() == 1);
        return r.problems[0];
    };
    Error unit = subj("S01,市财政局,王建国,");
    CHECK(describe(unit, Lang::En) == "subjects.csv row 2: unknown unit \"市财政局\"");
    CHECK(describe(unit, Lang::Zh) == "subjects.csv 第 2 行：未知单位“市财政局”");
    Error q = subj("S01,U1,王建国,群众评局长");
    CHECK(describe(q, Lang::En) ==
          "subjects.csv row 2: unknown questionnaire \"群众评局长\" (use one of: chief, agency)");
    CHECK(describe(q, Lang::Zh) ==
          "subjects.csv 第 2 行：未知测评问卷“群众评局长”（可填：群众评科长、企业评机关）");
    Error longname = subj("S01,U1," + repeat("王", 41) + ",");
    CHECK(describe(longname, Lang::Zh) ==
          "subjects.csv 第 2 行：“姓名”过长（41 个字，最多 40 个字）");
}

TEST_CASE("A unit name shared by two units must be given as a unit id") {
    std::vector<UnitDef> units = {{"U1", "办公室", {"self"}}, {"U2", "办公室", {"self"}}};
    auto r = parseSubjectsCsv("编号,单位,姓名\nS01,办公室,王建国\nS02,U2,李秀英\n", "subjects.csv",
                              seedCampaign(), units);
    REQUIRE(r.problems.size() == 1);
    CHECK(describe(r.problems[0], Lang::En) ==
          "subjects.csv row 2: more than one unit is named \"办公室\"; use the unit id");
}

TEST_CASE("All problems of a file are reported at once, in row order") {
    auto r = parseSubjectsCsv("编号,单位,姓名,问卷\n"
                              "S01,U1,王建国,\n"
                              "S01,U9,,\n"
                              "S 3,U1,李秀英,局长问卷\n"
                              "\n"
                              "S04,市经济局,张志强,chief\n"
                              ",U2,赵丽,agency\n",
                              "subjects.csv", seedCampaign(), seedUnits());
    CHECK(describeAll(r.problems, Lang::En) ==
          "subjects.csv row 3: duplicate id \"S01\" (already used in row 2)\n"
          "subjects.csv row 3: unknown unit \"U9\"\n"
          "subjects.csv row 3: \"name\" must not be empty\n"
          "subjects.csv row 4: invalid id \"S 3\" (letters, digits, -, _, . only, starting with a "
          "letter or digit)\n"
          "subjects.csv row 4: unknown questionnaire \"局长问卷\" (use one of: chief, agency)\n"
          "subjects.csv row 7: \"id\" must not be empty\n");
    CHECK(r.subjects.size() == 5); // every row but the blank one is kept, for a preview
}

TEST_CASE("Bytes that are neither UTF-8 nor GBK, and broken CSV, come back as a problem") {
    auto bad = parseUnitsCsv(std::string("\xEF\xBB\xBF\xFF\xFE", 5), "units.csv", seedCampaign());
    REQUIRE(bad.problems.size() == 1);
    CHECK(bad.problems[0].id == "text.bad_utf8");
    auto quote = parseUnitsCsv("编号,名称\nU1,\"市经济局\n", "units.csv", seedCampaign());
    REQUIRE(quote.problems.size() == 1);
    CHECK(describe(quote.problems[0], Lang::En) == "units.csv: line 2: unclosed quote");
}

TEST_CASE("applyRoster on the seed campaign gives a valid campaign with the imported roster") {
    Imported r = importBoth(kUnitsGbk, kSubjectsGbk);
    REQUIRE(r.units.ok());
    REQUIRE(r.subjects.ok());
    CampaignParse p = applyRoster(seedCampaign(), r.units.units, r.subjects.subjects);
    INFO(describeAll(p.problems, Lang::Zh));
    REQUIRE(p.problems.empty());
    REQUIRE(p.campaign.has_value());
    const Campaign& c = *p.campaign;
    CHECK(c.units.size() == 3);
    CHECK(c.subjects.size() == 4);
    CHECK(c.subjectsOf("U1").size() == 2);
    CHECK(c.meetings().size() == 5);
    CHECK(c.subjects[0].commitments == "公文办理时限压缩至3个工作日；\n每季度公开督查通报。");
    CHECK(c.questionnaires.size() == seedCampaign().questionnaires.size());
}

TEST_CASE("applyRoster applies the campaign rules: a unit without subjects is refused") {
    auto units = parseUnitsCsv(kUnitsUtf8, "units.csv", seedCampaign());
    auto subjects = parseSubjectsCsv("编号,单位,姓名\nS01,U1,王建国\nS02,U2,赵丽\n", "subjects.csv",
                                     seedCampaign(), units.units);
    REQUIRE(units.ok());
    REQUIRE(subjects.ok());
    CampaignParse p = applyRoster(seedCampaign(), units.units, subjects.subjects);
    CHECK_FALSE(p.campaign.has_value());
    REQUIRE(p.problems.size() == 1);
    CHECK(describe(p.problems[0], Lang::En) == "units[2]: unit \"U3\" has no subjects");
}
