#include "core/catalog.hpp"
#include "core/csv.hpp"
#include "core/text.hpp"
#include "platform/files.hpp"
#include "platform/publish.hpp"
#include "platform/report.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <sstream>

using namespace pingyi;
using nlohmann::json;

namespace {

ResultsSubject subject(const std::string& id, const std::string& name, const std::string& position,
                       std::optional<std::int64_t> self, std::optional<std::int64_t> social,
                       std::optional<std::int64_t> final_score, std::optional<std::uint32_t> rank,
                       bool bottom, std::uint64_t self_ballots, std::uint64_t social_ballots) {
    ResultsSubject s;
    s.id = id;
    s.name = name;
    s.position = position;
    s.scores = {{"self", self}, {"social", social}};
    s.ballots = {{"self", self_ballots}, {"social", social_ballots}};
    s.notes = {{"self", {}}, {"social", {}}};
    s.final = final_score;
    s.rank = rank;
    s.bottom = bottom;
    ResultsItem item{"competence", "业务素质", {}};
    item.groups["self"] = ResultsItemCell{9250, 11, 1, {8, 3, 0, 0}};
    item.groups["social"] = std::nullopt;
    s.items.push_back(item);
    s.categories["self"] = {};
    s.categories["social"] = {{"npc", {4, std::nullopt, true}},
                              {"cppcc", {3, std::nullopt, true}},
                              {"leader", {3, std::nullopt, true}},
                              {"service", {24, 4310, false}}};
    return s;
}

ResultsUnit unit(const std::string& id, const std::string& name,
                 std::vector<ResultsSubject> subjects, bool quota_pass) {
    ResultsUnit u;
    u.id = id;
    u.name = name;
    u.groups = {
        {"self", "单位自评", "Self-appraisal", 50, {{"cadre", "机关干部"}}, {}},
        {"social",
         "社会测评",
         "Public appraisal",
         50,
         {{"npc", "人大代表"}, {"cppcc", "政协委员"}, {"leader", "领导"}, {"service", "服务对象"}},
         {}}};
    u.subjects = std::move(subjects);
    ResultsMeeting m;
    m.meeting = id + "/social";
    m.group = "social";
    m.total = 34;
    m.min_ballots = 30;
    m.categories = {{"npc", 4}, {"cppcc", 3}, {"leader", 3}, {"service", 24}};
    m.quotas = {{{"npc", "cppcc", "leader"}, 30, 2941, quota_pass}, {{"service"}, 70, 7059, true}};
    m.pass = quota_pass;
    u.composition = {m};
    u.bottom_rule = {1, 0};
    return u;
}

// Two units; the second has a subject with no social score (unranked, null final).
ResultsDocument sampleResults() {
    ResultsDocument d;
    d.units = {unit("U1", "市经济局",
                    {subject("S01", "王建国", "办公室主任", 4512, 4350, 8862, 1, false, 12, 34),
                     subject("S02", "李<script>alert(1)</script>", "法规科科长", 4000, 4125, 8125,
                             2, true, 12, 34)},
                    true),
               unit("U2", "市中小企业服务中心",
                    {subject("S03", "张敏", "主任", 4400, 4206, 8606, 1, true, 9, 31),
                     subject("S04", "赵磊", "副主任", 4300, std::nullopt, std::nullopt,
                             std::nullopt, false, 9, 0)},
                    false)};
    d.campaign = "jjj-2026";
    d.campaign_name = "市经济局2026年度“企业评机关”“群众评科长”民主评议";
    REQUIRE(fromHex32("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                      d.package_digest));
    d.levels = {{"A", "优秀"}, {"B", "良好"}, {"C", "一般"}, {"D", "较差"}};
    d.accounting.received = 63;
    d.accounting.counted = 62;
    d.accounting.invalid = 1;
    d.accounting.conflicts = 2;
    d.receipts = {"2345A-BCDEF", "6789G-HJKLM"};
    return d;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string l; std::getline(in, l);)
        out.push_back(l);
    return out;
}

} // namespace

TEST_CASE("The results CSV starts with a BOM and keeps Chinese headers and names intact") {
    std::string csv = resultsCsv(sampleResults(), Lang::Zh);
    REQUIRE(csv.size() > 3);
    CHECK(static_cast<unsigned char>(csv[0]) == 0xEF);
    CHECK(static_cast<unsigned char>(csv[1]) == 0xBB);
    CHECK(static_cast<unsigned char>(csv[2]) == 0xBF);
    CHECK(isValidUtf8(csv));

    auto rows = parseCsv(csv.substr(3), "results.csv");
    REQUIRE(rows.ok());
    REQUIRE(rows->size() == 5);
    CHECK((*rows)[0] == std::vector<std::string>{"单位", "排名", "评议对象", "职务", "单位自评",
                                                 "社会测评", "最后得分", "排名靠后", "单位自评票数",
                                                 "社会测评票数", "备注", "核查结果"});
    CHECK((*rows)[1] == std::vector<std::string>{"市经济局", "1", "王建国", "办公室主任", "45.12",
                                                 "43.50", "88.62", "否", "12", "34", "", "符合"});
    // Every row of a unit whose ballots break the rules carries the reason.
    CHECK((*rows)[3].back() ==
          "测评票构成不符合要求：社会测评中人大代表、政协委员、领导占 29.41%，应为 30%");
    CHECK((*rows)[4].back() == (*rows)[3].back());
    CHECK((*rows)[2][7] == "是");
    CHECK((*rows)[2][10] == "整改");
    CHECK((*rows)[3][0] == "市中小企业服务中心");
}

TEST_CASE("The results CSV shows a missing score as an empty cell and no rank as 未排名") {
    auto rows = parseCsv(resultsCsv(sampleResults(), Lang::Zh).substr(3), "results.csv");
    REQUIRE(rows.ok());
    auto& unranked = (*rows)[4];
    CHECK(unranked[1] == "未排名");
    CHECK(unranked[2] == "赵磊");
    CHECK(unranked[4] == "43.00");
    CHECK(unranked[5] == "");
    CHECK(unranked[6] == "");
    CHECK(unranked[9] == "0");
}

TEST_CASE("The results CSV takes its headers from the catalog in English too") {
    auto rows = parseCsv(resultsCsv(sampleResults(), Lang::En).substr(3), "results.csv");
    REQUIRE(rows.ok());
    CHECK((*rows)[0][0] == tr(Lang::En, "report.col.unit"));
    CHECK((*rows)[0][6] == "Final score");
    CHECK((*rows)[4][1] == "unranked");
    CHECK((*rows)[1][2] == "王建国");
}

TEST_CASE("The XLSX workbook is written as a zip file and no temp file is left behind") {
    test::TempDir dir;
    auto out = dir.path / "结果.xlsx";
    auto st = writeResultsXlsx(sampleResults(), Lang::Zh, out);
    REQUIRE_MESSAGE(st.ok(), (st.ok() ? "" : describe(st.error(), Lang::En)));
    auto bytes = readFile(out);
    REQUIRE(bytes.ok());
    CHECK(bytes->size() > 0);
    REQUIRE(bytes->size() > 2);
    CHECK((*bytes)[0] == 'P');
    CHECK((*bytes)[1] == 'K');
    std::size_t files = 0;
    for ([[maybe_unused]] auto& e : std::filesystem::directory_iterator(dir.path))
        ++files;
    CHECK(files == 1);

    // Overwriting an existing report replaces it.
    REQUIRE(writeResultsXlsx(sampleResults(), Lang::En, out).ok());
    CHECK(std::filesystem::file_size(out) > 0);
}

TEST_CASE("The XLSX workbook accepts unit names that are long, repeated or hold []:*?/\\") {
    ResultsDocument r = sampleResults();
    r.units[0].name = "市经济局/法规科[2026]:*?\\一二三四五六七八九十一二三四五六七八九十";
    r.units[1].name = r.units[0].name;
    r.units.push_back(r.units[1]);
    r.units[2].name = "核算";
    test::TempDir dir;
    auto st = writeResultsXlsx(r, Lang::Zh, dir.path / "r.xlsx");
    CHECK_MESSAGE(st.ok(), (st.ok() ? "" : describe(st.error(), Lang::En)));
}

TEST_CASE("Writing the XLSX into a missing folder fails naming the path and leaves no file") {
    test::TempDir dir;
    auto out = dir.path / "no-such-folder" / "results.xlsx";
    auto st = writeResultsXlsx(sampleResults(), Lang::Zh, out);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Io);
    CHECK(describe(st.error(), Lang::En).find(out.string()) != std::string::npos);
    CHECK(describe(st.error(), Lang::Zh).find(out.string()) != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK_FALSE(std::filesystem::exists(dir.path / "no-such-folder"));
}

TEST_CASE("The HTML report has each unit's title, the signature line and a page per unit") {
    std::string html = resultsHtml(sampleResults(), Lang::Zh);
    CHECK(isValidUtf8(html));
    CHECK(html.find("<html lang=\"zh-CN\">") != std::string::npos);
    CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
    CHECK(html.find("'WenQuanYi Micro Hei', 'Noto Sans CJK SC'") != std::string::npos);
    CHECK(html.find("size: A4") != std::string::npos);
    CHECK(html.find("市经济局民主评议结果排序") != std::string::npos);
    CHECK(html.find("市中小企业服务中心民主评议结果排序") != std::string::npos);
    CHECK(html.find("市经济局2026年度“企业评机关”“群众评科长”民主评议") != std::string::npos);

    std::string sign = "单位主要负责人签字：________  日期：________";
    std::size_t signatures = 0;
    for (auto at = html.find(sign); at != std::string::npos; at = html.find(sign, at + 1))
        ++signatures;
    CHECK(signatures == 2);

    std::size_t breaks = 0;
    for (auto at = html.find("class=\"unit next\""); at != std::string::npos;
         at = html.find("class=\"unit next\"", at + 1))
        ++breaks;
    CHECK(breaks == 1); // only the second unit starts a new page
    CHECK(html.find("page-break-before: always") != std::string::npos);

    CHECK(html.find("0123456789abcdef") != std::string::npos);
    CHECK(html.find("0123456789abcdef0") == std::string::npos); // digest cut to 16 hex chars
    CHECK(html.find("未排名") != std::string::npos);
    CHECK(html.find("<td>整改</td>") != std::string::npos);
    CHECK(html.find("不符合") != std::string::npos); // U2's quota check failed
    // ...and U2's page says so on the ranking itself, in the framed notice, the table's
    // caption and above the signature line; U1's page has none of it.
    std::string problem =
        "测评票构成不符合要求：社会测评中人大代表、政协委员、领导占 29.41%，应为 30%";
    std::size_t u2 = html.find("市中小企业服务中心民主评议结果排序");
    CHECK(html.find("<div class=\"noncompliant\"><p>本单位排名不符合测评规则") > u2);
    CHECK(html.find("<div class=\"noncompliant\">") > u2);
    CHECK(html.find("<table class=\"ranking invalid\">\n<caption>" + problem + "</caption>") > u2);
    CHECK(html.find("<p class=\"noncompliant\">" + problem + "</p>") > u2);
    CHECK(html.find("人大代表、政协委员、领导应占 30%，实际 29.41%（符合）") != std::string::npos);
    CHECK(html.find("选票核算") != std::string::npos);
    CHECK(html.find("2345A-BCDEF") != std::string::npos);
}

TEST_CASE("The HTML report escapes a subject name holding a script tag") {
    std::string html = resultsHtml(sampleResults(), Lang::Zh);
    CHECK(html.find("<script>") == std::string::npos);
    CHECK(html.find("李&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
}

TEST_CASE("The HTML report in English uses English labels") {
    std::string html = resultsHtml(sampleResults(), Lang::En);
    CHECK(html.find("<html lang=\"en\">") != std::string::npos);
    CHECK(html.find("Signature of the unit head") != std::string::npos);
    CHECK(html.find("must rectify") != std::string::npos);
}

TEST_CASE(
    "Report display width counts Chinese characters and full-width punctuation as two columns") {
    CHECK(displayWidth("") == 0);
    CHECK(displayWidth("abc") == 3);
    CHECK(displayWidth("王建国") == 6);
    CHECK(displayWidth("签字：") == 6);
    CHECK(displayWidth("\u3000") == 2);
    CHECK(displayWidth("45.12") == 5);
    CHECK(displayWidth("é") == 1);
}

TEST_CASE("The terminal ranking table of a report aligns its columns for Chinese text") {
    ResultsDocument r = sampleResults();
    for (Lang lang : {Lang::Zh, Lang::En}) {
        for (auto& u : r.units) {
            std::string table = rankingTable(u, lang);
            auto ls = lines(table);
            // A unit whose ballots break the rules says so first, on lines of its own.
            std::size_t notes = 0;
            while (notes < ls.size() && ls[notes].rfind("!! ", 0) == 0)
                ++notes;
            CHECK(notes == (u.compositionPasses() ? 0 : 2));
            ls.erase(ls.begin(), ls.begin() + static_cast<std::ptrdiff_t>(notes));
            REQUIRE(ls.size() == 2 + u.subjects.size());
            std::size_t width = displayWidth(ls[0]);
            for (auto& l : ls)
                CHECK_MESSAGE(displayWidth(l) == width, l);
            // Under the header, a rule as wide as the table.
            CHECK(ls[1].find_first_not_of('-') == std::string::npos);
        }
    }
    std::string zh = rankingTable(r.units[1], Lang::Zh);
    CHECK(zh.rfind("!! 本单位排名不符合测评规则，不能作为有效结果：\n!! 测评票构成不符合要求：",
                   0) == 0);
    CHECK(zh.find("未排名") != std::string::npos);
    CHECK(zh.find("整改") != std::string::npos);
    CHECK(zh.find("86.06") != std::string::npos);
}

TEST_CASE("comments.csv shows the control and bidi characters of older ballots escaped") {
    test::TempDir tmp;
    std::vector<CommentOut> comments{{"S01", "a\u0085b\u009bc \u202e好很务服"},
                                     {"S02", "服务热情，\n办事效率高。"}};
    ReportSet only;
    only.json = only.csv = only.xlsx = only.html = only.receipts = false;
    REQUIRE(writeReports(ResultsDocument{}, &comments, tmp.path, Lang::Zh, only).ok());
    auto text = readTextFile(tmp.path / "comments.csv");
    REQUIRE(text.ok());
    CHECK(text->find("a\\u0085b\\u009Bc \\u202E好很务服") != std::string::npos);
    CHECK(text->find("\u202e") == std::string::npos);
    CHECK(text->find("\u0085") == std::string::npos);
    CHECK(text->find("服务热情，\n办事效率高。") != std::string::npos); // clean text as it was
}

TEST_CASE("Comments a store counted before the check show their bidi characters escaped when read "
          "back (console, collector results)") {
    test::Fixture fx;
    test::TempDir tmp;
    PublicKeys col;
    col.role = KeyRole::Collector;
    col.sign = fx.keys.collector_sign.pk;
    col.box = fx.keys.collector_box.pk;
    auto store = CollectorStore::create(tmp.path / "col", fx.package, col);
    REQUIRE(store.ok());
    json saved = json::array({{{"subject", "S01"}, {"text", "好\u202e评"}}});
    REQUIRE(store->saveResult("comments", saved.dump()).ok());
    auto comments = storedComments(*store);
    REQUIRE(comments.ok());
    REQUIRE(comments->size() == 1);
    CHECK((*comments)[0].subject == "S01");
    CHECK((*comments)[0].text == "好\\u202E评");
}
