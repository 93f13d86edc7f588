#include "core/catalog.hpp"
#include "core/paper.hpp"

#include <doctest/doctest.h>

using namespace pingyi;

TEST_CASE("Paper self scores are read from a CSV with Chinese headers") {
    Campaign c = seedCampaign();
    auto r = parsePaperSelfCsv(
        "\xEF\xBB\xBF编号,自评得分,票数\r\nS01,45.5,20\r\nS02,40,18\r\nS03,38.25,\r\n", "自评.csv",
        c);
    REQUIRE(r.problems.empty());
    REQUIRE(r.rows.size() == 3);
    CHECK(r.rows[0].subject == "S01");
    CHECK(r.rows[0].hundredths == 4550);
    CHECK(r.rows[0].ballots == 20);
    CHECK(r.rows[2].hundredths == 3825);
    CHECK(r.rows[2].ballots == 0);
}

TEST_CASE("Every problem of a paper self CSV is reported with its file and row") {
    Campaign c = seedCampaign();
    auto r = parsePaperSelfCsv("id,self\nS01,50.001\nS99,40\nS01,30\nS10,20\nS02,51\n", "p.csv", c);
    std::vector<std::string> msgs;
    for (auto& e : r.problems)
        msgs.push_back(describe(e, Lang::En));
    REQUIRE(msgs.size() == 5);
    CHECK(msgs[0] == "p.csv row 2: invalid score \"50.001\" (0 to 50, at most 2 decimals)");
    CHECK(msgs[1] == "p.csv row 3: unknown subject \"S99\"");
    CHECK(msgs[2] == "p.csv row 4: subject \"S01\" appears twice");
    CHECK(
        msgs[3] ==
        "p.csv row 5: unit U3 has no group \"self\": add a \"group\" column naming one of social");
    CHECK(msgs[4] == "p.csv row 6: invalid score \"51\" (0 to 50, at most 2 decimals)");
    auto missing = parsePaperSelfCsv("编号,姓名\nS01,王建国\n", "q.csv", c);
    REQUIRE(missing.problems.size() == 1);
    CHECK(describe(missing.problems[0], Lang::En) == "q.csv: missing column \"自评得分 / self\"");
}

TEST_CASE("A group column names the group the paper scores are for; any group id works") {
    Campaign c = seedCampaign();
    auto r = parsePaperSelfCsv(
        "编号,组别,得分\nS01,self,45\nS01,social,41.5\nS10,social,30\nS02,,38\n", "组.csv", c);
    REQUIRE(r.problems.empty());
    REQUIRE(r.rows.size() == 4);
    CHECK(r.rows[0].group == "self");
    CHECK(r.rows[1].group == "social");
    CHECK(r.rows[1].hundredths == 4150);
    CHECK(r.rows[2].group == "social"); // U3 has no self group: named, it is fine
    CHECK(r.rows[3].group == "self");   // an empty cell means the self-appraisal
    auto bad =
        parsePaperSelfCsv("id,group,self\nS01,insiders,45\nS01,self,45\nS01,self,44\n", "g.csv", c);
    std::vector<std::string> msgs;
    for (auto& e : bad.problems)
        msgs.push_back(describe(e, Lang::En));
    REQUIRE(msgs.size() == 2);
    CHECK(msgs[0] == "g.csv row 2: unit U1 has no group \"insiders\"");
    CHECK(msgs[1] == "g.csv row 4: subject \"S01\" appears twice");
    CHECK(describe(bad.problems[0], Lang::Zh) == "g.csv 第 2 行：单位 U1 没有评议组“insiders”");
}
