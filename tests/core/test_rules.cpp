// The plan's rules in the campaign file (parse, check, round trip), the grade quota on one
// ballot (buildBallot, decodeBallot) and the subject order by surname strokes.
#include "core/catalog.hpp"
#include "core/rules.hpp"
#include "core/tally.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace pingyi;
using nlohmann::json;

namespace {

// The seed campaign as a file, with `edit` applied to its JSON.
template <class F> CampaignParse seedWith(F&& edit) {
    json j = campaignToJson(seedCampaign());
    edit(j);
    return parseCampaign(j);
}
bool hasProblem(const CampaignParse& p, const std::string& path, const std::string& id) {
    for (auto& e : p.problems)
        if (e.id == id && !e.args.empty() && e.args[0] == path) return true;
    return false;
}
std::string problems(const CampaignParse& p) {
    std::string s;
    for (auto& e : p.problems)
        s += describe(e, Lang::En) + "\n";
    return s;
}

// One unit of the given subject names, questionnaire q of items i1, i2; optional grade quota.
Campaign namesCampaign(const std::vector<std::string>& names, const std::string& extra = "") {
    json subjects = json::array();
    for (std::size_t i = 0; i < names.size(); ++i)
        subjects.push_back({{"id", "S" + std::to_string(i + 1)},
                            {"unit", "U"},
                            {"name", names[i]},
                            {"questionnaire", "q"}});
    json j = json::parse(R"({
      "format": "pingyi-campaign/1", "id": "r", "name": "规则",
      "scale": {"levels": [{"id": "A", "name": "优秀", "value": 1.0}, {"id": "B", "name": "良好", "value": 0.8}]},
      "questionnaires": [{"id": "q", "name": "问卷", "items": [{"id": "i1", "name": "业务素质"},
                                                              {"id": "i2", "name": "服务态度"}]}],
      "groups": [{"id": "social", "name": "社会测评", "categories": [{"id": "service", "name": "服务对象"}]}],
      "units": [{"id": "U", "name": "单位"}]
    })");
    j["subjects"] = subjects;
    if (!extra.empty()) j.update(json::parse(extra));
    auto parsed = parseCampaign(j);
    INFO(problems(parsed));
    REQUIRE(parsed.campaign);
    return *parsed.campaign;
}

Answers rate(const Campaign& c,
             const std::map<std::string, std::pair<std::string, std::string>>& m) {
    Answers a;
    for (auto& s : c.subjects) {
        auto it = m.find(s.id);
        a.ratings[s.id]["i1"] = it == m.end() ? "B" : it->second.first;
        a.ratings[s.id]["i2"] = it == m.end() ? "B" : it->second.second;
    }
    return a;
}

} // namespace

TEST_CASE("The scoring rules are read from the campaign file and written back the same") {
    auto parsed = seedWith([](json& j) {
        j["groups"][1]["scoring"] = json::parse(R"({
            "category_weights": [{"categories": ["npc", "cppcc", "leader"], "percent": 30},
                                 {"categories": ["service"], "percent": 70}],
            "trim": {"percent": 10, "min_remaining": 10}, "min_subject_ballots": 10})");
        j["groups"][0]["scoring"] = json::parse(R"({"trim": {"count": 1}})");
        j["grade_quota"] = {{"level", "A"}, {"percent", 30}};
        j["subject_order"] = "stroke";
    });
    INFO(problems(parsed));
    REQUIRE(parsed.campaign);
    const Campaign& c = *parsed.campaign;
    const GroupScoring& s = c.groups[1].scoring;
    REQUIRE(s.category_weights.size() == 2);
    CHECK(s.category_weights[0].categories == std::vector<std::string>{"npc", "cppcc", "leader"});
    CHECK(s.category_weights[0].percent == 30);
    CHECK(s.category_weights[1].percent == 70);
    CHECK(s.trim.percent == 10);
    CHECK(s.trim.count == 0);
    CHECK(s.trim.min_remaining == 10);
    CHECK(s.min_subject_ballots == 10);
    CHECK(c.groups[0].scoring.trim.count == 1);
    CHECK(c.grade_quota.level == "A");
    CHECK(c.grade_quota.percent == 30);
    CHECK(c.subject_order == SubjectOrder::Stroke);

    json back = campaignToJson(c);
    CHECK(back["groups"][1]["scoring"]["trim"] ==
          json::parse(R"({"percent": 10, "min_remaining": 10})"));
    auto again = parseCampaign(back);
    REQUIRE(again.campaign);
    CHECK(campaignToJson(*again.campaign) == back);
}

TEST_CASE(
    "A campaign without rules is written exactly as before (the seed's package is unchanged)") {
    json j = campaignToJson(seedCampaign());
    CHECK_FALSE(j.contains("grade_quota"));
    CHECK_FALSE(j.contains("subject_order"));
    for (auto& g : j["groups"])
        CHECK_FALSE(g.contains("scoring"));
    auto listed = parseCampaign(j);
    REQUIRE(listed.campaign);
    CHECK(listed.campaign->subject_order == SubjectOrder::Listed);
    CHECK(listed.campaign->grade_quota.percent == 0);
    j["subject_order"] = "listed"; // said explicitly: the same campaign
    CHECK(campaignToJson(*parseCampaign(j).campaign) == campaignToJson(seedCampaign()));
}

TEST_CASE("campaign check names the path and the problem of every wrong rule") {
    auto p = seedWith([](json& j) {
        j["groups"][1]["scoring"] = json::parse(R"({
            "category_weights": [{"categories": ["npc", "cppcc", "nobody"], "percent": 30},
                                 {"categories": ["npc"], "percent": 60}],
            "trim": {"count": 1, "percent": 10}, "min_subject_ballots": -1})");
        j["groups"][0]["scoring"] = json::parse(R"({"trim": {"min_remaining": 3}})");
        j["grade_quota"] = {{"level", "S"}, {"percent", 30}};
        j["subject_order"] = "pinyin";
    });
    INFO(problems(p));
    CHECK_FALSE(p.campaign);
    const std::string w = "groups[1].scoring.category_weights";
    CHECK(hasProblem(p, w + "[0].categories[2]", "campaign.unknown_category"));
    CHECK(hasProblem(p, w + "[1].categories[0]", "campaign.category_repeated"));
    CHECK(hasProblem(p, w, "campaign.quota_sum"));           // 30 + 60
    CHECK(hasProblem(p, w, "campaign.category_unweighted")); // leader and service
    CHECK(hasProblem(p, "groups[1].scoring.trim", "campaign.trim_both"));
    CHECK(hasProblem(p, "groups[1].scoring.min_subject_ballots", "campaign.bad_number"));
    CHECK(hasProblem(p, "groups[0].scoring.trim", "campaign.trim_none"));
    CHECK(hasProblem(p, "grade_quota.level", "campaign.unknown_level"));
    CHECK(hasProblem(p, "subject_order", "campaign.bad_choice"));
    // The messages name the path and the value, in both languages.
    for (auto& e : p.problems) {
        CHECK(describe(e, Lang::Zh).find(e.args[0]) == 0);
        CHECK(describe(e, Lang::En).find(e.args[0]) == 0);
        CHECK(describe(e, Lang::Zh).find('[' + e.id + ']') == std::string::npos);
    }
    CHECK(problems(p).find("\"pinyin\"") != std::string::npos);

    auto q = seedWith([](json& j) {
        j["groups"][1]["scoring"] = json::parse(R"({"trim": {"percent": 50}})");
        j["grade_quota"] = {{"level", "A"}};
    });
    CHECK(hasProblem(q, "groups[1].scoring.trim.percent", "campaign.bad_number")); // 1..49
    CHECK(hasProblem(q, "grade_quota.percent", "campaign.missing"));
}

TEST_CASE("The grade quota allows max(1, floor(p % x n)) subjects per item") {
    Campaign c = namesCampaign({"甲", "乙", "丙", "丁"},
                               R"({"grade_quota": {"level": "A", "percent": 30}})");
    CHECK(gradeQuotaAllowed(c, 10) == 3);
    CHECK(gradeQuotaAllowed(c, 9) == 2); // 2.7
    CHECK(gradeQuotaAllowed(c, 4) == 1); // 1.2
    CHECK(gradeQuotaAllowed(c, 2) == 1); // 0.6, but at least one
    c.grade_quota.percent = 0;
    CHECK(gradeQuotaAllowed(c, 4) == 4); // no quota
}

TEST_CASE("A ballot over the grade quota is refused by name, and the count finds it invalid") {
    Campaign c = namesCampaign({"甲", "乙", "丙", "丁"},
                               R"({"grade_quota": {"level": "A", "percent": 50}})");
    MeetingRef m{"U", "social"};
    // Four subjects, 50 %: two 优秀 per item. i1: S1, S2, S4 (three, over); i2: S1, S3 (keeps).
    Answers over =
        rate(c, {{"S1", {"A", "A"}}, {"S2", {"A", "B"}}, {"S3", {"B", "A"}}, {"S4", {"A", "B"}}});
    auto excess = checkGradeQuota(c, m, over);
    REQUIRE(excess.size() == 1);
    CHECK(excess[0].item == 0);
    CHECK(excess[0].allowed == 2);
    CHECK(excess[0].subjects == std::vector<std::size_t>{0, 1, 3});

    auto built = buildBallot(c, Hash32{}, m, Hash32{}, over);
    REQUIRE_FALSE(built.ok());
    CHECK(built.error().id == "ballot.grade_quota");
    std::string zh = describe(built.error(), Lang::Zh);
    CHECK(zh.find("业务素质") != std::string::npos);
    CHECK(zh.find("优秀") != std::string::npos);
    CHECK(zh.find("S1 甲、S2 乙、S4 丁") != std::string::npos);
    CHECK(describe(built.error(), Lang::En).find("at most 2 subjects") != std::string::npos);

    // Changing one choice keeps the quota; that ballot builds and decodes.
    Answers kept = over;
    kept.ratings["S4"]["i1"] = "B";
    CHECK(checkGradeQuota(c, m, kept).empty());
    auto ok = buildBallot(c, Hash32{}, m, Hash32{}, kept);
    REQUIRE(ok.ok());
    Bytes padded = encodeBallot(*ok, ballotPaddedSize(c));
    CHECK(decodeBallot(padded, c).ok());

    // A ballot sealed without the check (a tampered tablet) is invalid at the count.
    Ballot broken = *ok;
    broken.answers[3].levels[0] = 0; // S4 i1 = A again
    CHECK(checkGradeQuota(c, broken).size() == 1);
    auto decoded = decodeBallot(encodeBallot(broken, ballotPaddedSize(c)), c);
    REQUIRE_FALSE(decoded.ok());
    CHECK(decoded.error().id == "ballot.over_grade_quota");
    CHECK(hasMessage("ballot.over_grade_quota"));

    // Without a quota the same ballot is fine.
    c.grade_quota = {};
    CHECK(decodeBallot(encodeBallot(broken, ballotPaddedSize(c)), c).ok());
}

TEST_CASE("The grade quota counts n per questionnaire within the meeting's unit") {
    // n is the number of the unit's subjects sharing the questionnaire: U1's six chiefs.
    Campaign c = seedCampaign();
    c.grade_quota = {"A", 50};
    // 50 % of six: three 优秀 per item are allowed, four are not.
    MeetingRef u1{"U1", "social"};
    Answers a;
    std::size_t k = 0;
    for (auto si : c.subjectsOf("U1")) {
        for (auto& item : c.questionnaire("chief")->items)
            a.ratings[c.subjects[si].id][item.id] = k < 3 ? "A" : "B";
        ++k;
    }
    CHECK(checkGradeQuota(c, u1, a).empty());
    a.ratings["S04"]["integrity"] = "A";
    auto e = checkGradeQuota(c, u1, a);
    REQUIRE(e.size() == 1);
    CHECK(e[0].questionnaire->items[e[0].item].id == "integrity");
    CHECK(e[0].allowed == 3);

    // Two questionnaires in one unit: S05 and S06 become agencies. Chiefs: n = 4, 2 allowed;
    // agencies: n = 2, 1 allowed.
    c.subjects[4].questionnaire = c.subjects[5].questionnaire = "agency";
    Answers mixed;
    for (auto si : c.subjectsOf("U1"))
        for (auto& item : c.questionnaire(c.subjects[si].questionnaire)->items)
            mixed.ratings[c.subjects[si].id][item.id] = "B";
    mixed.ratings["S01"]["competence"] = mixed.ratings["S02"]["competence"] = "A";
    mixed.ratings["S05"]["rules"] = mixed.ratings["S06"]["rules"] = "A";
    e = checkGradeQuota(c, u1, mixed);
    REQUIRE(e.size() == 1);
    CHECK(e[0].questionnaire->id == "agency");
    CHECK(e[0].allowed == 1);
    CHECK(e[0].subjects == std::vector<std::size_t>{4, 5});
}

TEST_CASE("Subjects are ordered by surname strokes with ICU, not by pinyin or code point") {
    // Strokes: 王 4, 刘 6, 李 张 陈 杨 7, 赵 9, 黄 11. Pinyin would give 陈 黄 李 刘 王 杨 张 赵;
    // code points 刘 张 李 杨 王 赵 陈 黄. ICU's stroke collation orders the 7-stroke ones by
    // their strokes in turn.
    std::vector<std::string> names = {"黄海",   "赵丽",   "杨磊", "陈明",
                                      "张志强", "李秀英", "刘芳", "王建国"};
    Campaign c = namesCampaign(names, R"({"subject_order": "stroke"})");
    std::vector<std::string> got;
    for (auto si : orderedSubjectsOf(c, "U"))
        got.push_back(c.subjects[si].name);
    CHECK(got == std::vector<std::string>{"王建国", "刘芳", "张志强", "李秀英", "杨磊", "陈明",
                                          "赵丽", "黄海"});
    // Listed: as the campaign lists them.
    c.subject_order = SubjectOrder::Listed;
    CHECK(orderedSubjectsOf(c, "U") == c.subjectsOf("U"));
    // Same surname: the next characters decide (王五 5 before 王建国 8); equal names keep order.
    auto order = strokeOrder({"王建国", "王五", "王五"});
    CHECK(order == std::vector<std::size_t>{1, 2, 0});
}

TEST_CASE("Results list equal ranks and unranked subjects in the subject order") {
    Campaign c =
        namesCampaign({"黄海", "王建国", "赵丽", "刘芳"}, R"({"subject_order": "stroke"})");
    Tally t(c);
    Ballot b;
    b.meeting = "U/social";
    // 黄海 and 刘芳 equal (800), 王建国 and 赵丽 without a ballot (unranked).
    for (std::uint16_t s = 0; s < 4; ++s)
        b.answers.push_back({s,
                             s == 0 || s == 3
                                 ? std::vector<std::uint8_t>{1, 1}
                                 : std::vector<std::uint8_t>{kUnknownLevel, kUnknownLevel},
                             ""});
    t.add(b, "service");
    auto r = computeResults(c, t, {});
    REQUIRE(r.ok());
    std::vector<std::string> got;
    for (auto& s : r->front().subjects)
        got.push_back(c.subjects[s.subject].name);
    CHECK(got == std::vector<std::string>{"刘芳", "黄海", "王建国", "赵丽"});
    CHECK(r->front().subjects[0].rank == 1u);
    CHECK(r->front().subjects[1].rank == 1u);
}

TEST_CASE("The rules and what they did are said in words, in both languages") {
    CHECK(describeRules(seedCampaign(), Lang::Zh).empty());
    Campaign c = seedCampaign();
    Group& g = c.groups[1];
    g.scoring.category_weights = {{{"npc", "cppcc", "leader"}, 30}, {{"service"}, 70}};
    g.scoring.trim = {1, 0, 10};
    g.scoring.min_subject_ballots = 10;
    c.grade_quota = {"A", 30};
    c.subject_order = SubjectOrder::Stroke;
    auto zh = describeRules(c, Lang::Zh);
    auto en = describeRules(c, Lang::En);
    REQUIRE(zh.size() == 6);
    REQUIRE(en.size() == 6);
    CHECK(zh[0] == "社会测评：按代表类别计权（人大代表、政协委员、分管领导 30%，服务对象 70%），"
                   "某类无票时不计入，其余类别按比例折算");
    CHECK(en[0].find("NPC deputy, CPPCC member, Leader in charge 30%; Service recipient 70%") !=
          std::string::npos);
    CHECK(zh[1] == "社会测评：去掉 1 个最高分和 1 个最低分后取平均（剩余不少于 10 票时）");
    CHECK(zh[2].find("每个计权类别内") != std::string::npos);
    CHECK(zh[3].find("少于 10 张") != std::string::npos);
    CHECK(zh[4] == "每张选票的每个测评项目，评为“优秀”的评议对象不超过 30%（向下取整，至少 1 位）");
    CHECK(en[4].find("\"Excellent\"") != std::string::npos);
    CHECK(zh[5].find("姓氏笔画") != std::string::npos);

    SubjectResult::GroupNote note;
    CHECK(describeNote(c, g, note, Lang::Zh).empty());
    note.trimmed = 2;
    note.classes_left_out = {0};
    auto said = describeNote(c, g, note, Lang::Zh);
    CHECK(said == std::vector<std::string>{
                      "去掉最高分和最低分共 2 张",
                      "人大代表、政协委员、分管领导 无票，未计入，其余类别按比例折算"});
    note = {};
    note.insufficient = true;
    CHECK(describeNote(c, g, note, Lang::En) ==
          std::vector<std::string>{"too few ballots (fewer than 10): no score"});
}
