// The scoring rules of Group::scoring (minimum ballots, category weights, trimmed mean), alone
// and combined, against figures computed by hand in the comments (v in per-mille).
#include "core/tally.hpp"

#include <doctest/doctest.h>

using namespace pingyi;

namespace {

// Unit U with subjects X, Y, Z; questionnaire q of items i1 (weight 1) and i2 (weight 3);
// one group "social" of weight 100 (so a score is 100 x the mean v), four categories.
// `scoring` is the group's "scoring" object, as a campaign file writes it.
Campaign rulesCampaign(const std::string& scoring) {
    std::string text = R"({
      "format": "pingyi-campaign/1", "id": "r", "name": "规则",
      "scale": {"levels": [{"id": "A", "name": "优秀", "value": 1.0}, {"id": "B", "name": "良好", "value": 0.8},
                           {"id": "C", "name": "一般", "value": 0.6}, {"id": "D", "name": "较差", "value": 0.4}]},
      "questionnaires": [{"id": "q", "name": "问卷", "items": [{"id": "i1", "name": "一", "weight": 1},
                                                              {"id": "i2", "name": "二", "weight": 3}]}],
      "groups": [{"id": "social", "name": "社会测评", "weight": 100,
                  "categories": [{"id": "npc", "name": "人大代表"}, {"id": "cppcc", "name": "政协委员"},
                                 {"id": "leader", "name": "分管领导"}, {"id": "service", "name": "服务对象"}],
                  "scoring": )" +
                       scoring +
                       R"(}],
      "units": [{"id": "U", "name": "单位"}],
      "subjects": [{"id": "X", "unit": "U", "name": "甲", "questionnaire": "q"},
                   {"id": "Y", "unit": "U", "name": "乙", "questionnaire": "q"},
                   {"id": "Z", "unit": "U", "name": "丙", "questionnaire": "q"}],
      "ranking": {"bottom_count": 0}
    })";
    auto parsed = parseCampaignText(text);
    for (auto& p : parsed.problems)
        INFO(p.id << " " << (p.args.empty() ? "" : p.args[0]));
    REQUIRE(parsed.problems.empty());
    return *parsed.campaign;
}

constexpr std::uint8_t A = 0, B = 1, C = 2, D = 3, U = kUnknownLevel;
using L = std::vector<std::uint8_t>;

// One social ballot: levels {i1, i2} for X, Y, Z; {U, U} answers nothing for that subject.
Ballot ballot(L x, L y, L z) {
    Ballot b;
    b.meeting = "U/social";
    std::uint16_t s = 0;
    for (auto& l : {x, y, z}) {
        SubjectAnswer a;
        a.subject = s++;
        a.levels = l;
        b.answers.push_back(a);
    }
    return b;
}
const L none = {U, U};

const SubjectResult& subject(const UnitResult& u, std::size_t index) {
    for (auto& s : u.subjects)
        if (s.subject == index) return s;
    FAIL("no subject " << index);
    return u.subjects.front();
}
std::optional<std::int64_t> score(const UnitResult& u, std::size_t index) {
    return subject(u, index).group_scores.at("social");
}

UnitResult count(const Campaign& c, const Tally& t) {
    auto r = computeResults(c, t, {});
    REQUIRE(r.ok());
    return r->front();
}

} // namespace

TEST_CASE("Without rules every ballot weighs the same and the notes are empty") {
    Campaign c = rulesCampaign("{}");
    Tally t(c);
    t.add(ballot({A, A}, {B, B}, none), "npc");     // X 1000, Y 800
    t.add(ballot({C, C}, {B, B}, none), "service"); // X 600,  Y 800
    UnitResult u = count(c, t);
    CHECK(score(u, 0) == 8000); // 100 x (1000 + 600) / 2000
    CHECK(score(u, 1) == 8000);
    CHECK_FALSE(score(u, 2).has_value());
    auto& note = subject(u, 0).notes.at("social");
    CHECK_FALSE(note.insufficient);
    CHECK(note.trimmed == 0);
    CHECK(note.classes_left_out.empty());
    for (auto& [key, acc] : t.scores())
        CHECK(acc.values.empty()); // no trim: no histogram is kept
}

TEST_CASE("A subject with fewer valid ballots than min_subject_ballots gets no group score") {
    Campaign c = rulesCampaign(R"({"min_subject_ballots": 3})");
    Tally t(c);
    // X: 1000, 650, 600 (3 ballots) -> 2250 / 3 = 750 -> 75.00.
    // Y: 800, 800 and one 不了解 on both items (does not count): 2 ballots -> no score.
    t.add(ballot({A, A}, {B, B}, {A, A}), "npc");
    t.add(ballot({B, C}, {U, B}, {A, A}), "service");
    t.add(ballot({U, C}, none, {A, A}), "service");
    UnitResult u = count(c, t);
    CHECK(score(u, 0) == 7500);
    CHECK_FALSE(subject(u, 0).notes.at("social").insufficient);
    CHECK_FALSE(score(u, 1).has_value());
    CHECK(subject(u, 1).notes.at("social").insufficient);
    CHECK(subject(u, 1).group_ballots.at("social") == 2); // the ballots are still reported
    CHECK_FALSE(subject(u, 1).final.has_value());         // so no final and no rank
    CHECK_FALSE(subject(u, 1).rank.has_value());
    CHECK(score(u, 2) == 10000); // exactly 3: enough
    CHECK(subject(u, 2).rank == 1u);
    CHECK(subject(u, 0).rank == 2u);
}

TEST_CASE("Category weights scale each class's mean to its share; an empty class is left out") {
    Campaign c = rulesCampaign(R"({"category_weights": [
        {"categories": ["npc", "cppcc", "leader"], "percent": 30}, {"categories": ["service"], "percent": 70}]})");
    Tally t(c);
    // X: class 0 {npc 1000, leader 600} mean 800; class 1 {service 800, 800, 400} mean 666.67.
    //    100 x (0.3 x 0.8 + 0.7 x 2/3) = 24 + 46.666.. = 70.666.. -> 70.67 (plain mean: 72.00).
    // Y: no class-0 ballot; service 1000, 800, 600 -> mean 800 -> renormalised: 80.00.
    t.add(ballot({A, A}, none, none), "npc");
    t.add(ballot({C, C}, none, none), "leader");
    t.add(ballot({B, B}, {A, A}, none), "service");
    t.add(ballot({B, B}, {B, B}, none), "service");
    t.add(ballot({D, D}, {C, C}, none), "service");
    UnitResult u = count(c, t);
    CHECK(score(u, 0) == 7067);
    CHECK(subject(u, 0).notes.at("social").classes_left_out.empty());
    CHECK(score(u, 1) == 8000);
    CHECK(subject(u, 1).notes.at("social").classes_left_out == std::vector<std::size_t>{0});
    // Per-category cells stay each category's plain mean.
    CHECK(subject(u, 0).categories.at("social").at("service").ballots == 3);
}

TEST_CASE("The trimmed mean drops the highest and lowest n values when enough remain") {
    Campaign c = rulesCampaign(R"({"trim": {"count": 1, "min_remaining": 3}})");
    Tally t(c);
    // X: 1000, 1000, 800, 600, 400 -> drop 400 and one 1000 -> (1000 + 800 + 600) / 3 = 800.
    // Y: 1000, 800, 600, 400 and one 不了解: 4 - 2 = 2 < 3 remain, so no trim -> 700.
    t.add(ballot({A, A}, {A, A}, none), "npc");
    t.add(ballot({A, A}, {B, B}, none), "service");
    t.add(ballot({B, B}, {C, C}, none), "service");
    t.add(ballot({C, C}, {D, D}, none), "leader");
    t.add(ballot({D, D}, none, none), "service");
    UnitResult u = count(c, t);
    CHECK(score(u, 0) == 8000); // the plain mean would be 76.00
    CHECK(subject(u, 0).notes.at("social").trimmed == 2);
    CHECK(score(u, 1) == 7000);
    CHECK(subject(u, 1).notes.at("social").trimmed == 0);
}

TEST_CASE("A trim by percent drops floor(p % x ballots) from each end") {
    Campaign c = rulesCampaign(R"({"trim": {"percent": 20}})");
    Tally t(c);
    // X: ten ballots 1000 x3, 800 x3, 600 x2, 400 x2: k = floor(2.0) = 2 from each end ->
    //    1000 + 800 x3 + 600 x2 = 4600 over 6 = 766.67 -> 76.67 (plain mean 74.00).
    // Y: four ballots (k = floor(0.8) = 0): no trim, 1000, 1000, 800, 400 -> 800.
    const std::vector<std::uint8_t> x = {A, A, A, B, B, B, C, C, D, D};
    const std::vector<std::uint8_t> y = {A, A, B, D};
    for (std::size_t i = 0; i < x.size(); ++i) {
        L ly = i < y.size() ? L{y[i], y[i]} : none;
        t.add(ballot({x[i], x[i]}, ly, none), i % 2 ? "service" : "npc");
    }
    UnitResult u = count(c, t);
    CHECK(score(u, 0) == 7667);
    CHECK(subject(u, 0).notes.at("social").trimmed == 4);
    CHECK(score(u, 1) == 8000);
    CHECK(subject(u, 1).notes.at("social").trimmed == 0);
}

TEST_CASE("All three group rules together, trimming within each class, merged from two workers") {
    Campaign c = rulesCampaign(R"({"category_weights": [
        {"categories": ["npc", "cppcc", "leader"], "percent": 30}, {"categories": ["service"], "percent": 70}],
        "trim": {"count": 1, "min_remaining": 2}, "min_subject_ballots": 4})");
    // v = (f1 + 3 f2) / 4, or the answered item alone: (A,B) 850, (D,A) 850, (B,C) 650,
    // (A,C) 700, (U,C) 600, (B,U) 800.
    // X, class 0: 1000, 650, 400, 600 -> drop 400 and 1000 -> (650 + 600) / 2 = 625.
    //    class 1: 850, 850, 600, 800, 700 -> drop 600 and one 850 -> 2350 / 3 = 783.33.
    //    100 x (0.3 x 0.625 + 0.7 x 0.78333..) = 18.75 + 54.8333.. = 73.5833.. -> 73.58.
    // Y: only 3 ballots (< 4): no score.
    // Z: no class-0 ballot; class 1: 1000, 800, 600, 800, 400 -> drop 400 and 1000 ->
    //    2200 / 3 = 733.33 -> renormalised 73.33.
    std::vector<std::pair<Ballot, std::string>> ballots = {
        {ballot({A, A}, none, none), "npc"},         {ballot({B, C}, none, none), "cppcc"},
        {ballot({D, D}, none, none), "leader"},      {ballot({U, C}, none, none), "leader"},
        {ballot({A, B}, {A, A}, {A, A}), "service"}, {ballot({D, A}, {B, B}, {B, B}), "service"},
        {ballot({C, C}, {C, C}, {C, C}), "service"}, {ballot({B, U}, none, {B, B}), "service"},
        {ballot({A, C}, none, {D, D}), "service"},
    };
    Tally one(c), a(c), b(c);
    for (std::size_t i = 0; i < ballots.size(); ++i) {
        one.add(ballots[i].first, ballots[i].second);
        (i % 2 ? a : b).add(ballots[i].first, ballots[i].second);
    }
    a.merge(b);
    for (const Tally* t : {&one, &a}) {
        UnitResult u = count(c, *t);
        CHECK(score(u, 0) == 7358);
        CHECK(subject(u, 0).notes.at("social").trimmed == 4);
        CHECK(subject(u, 0).notes.at("social").classes_left_out.empty());
        CHECK_FALSE(score(u, 1).has_value());
        CHECK(subject(u, 1).notes.at("social").insufficient);
        CHECK(score(u, 2) == 7333);
        CHECK(subject(u, 2).notes.at("social").classes_left_out == std::vector<std::size_t>{0});
        CHECK(subject(u, 2).notes.at("social").trimmed == 2);
        CHECK(subject(u, 0).rank == 1u);
        CHECK(subject(u, 2).rank == 2u);
        CHECK(u.subjects.back().subject == 1); // unranked last
    }
}

TEST_CASE("The histogram of a trimmed group holds exact reduced values and no order") {
    Campaign c = rulesCampaign(R"({"trim": {"count": 1}})");
    Tally t(c);
    t.add(ballot({A, B}, none, none), "npc");     // 3400 / 4, reduced to 850 / 1
    t.add(ballot({D, A}, none, none), "service"); // 3400 / 4 again: the same value
    t.add(ballot({U, C}, none, none), "service"); // 1800 / 3 = 600 / 1
    std::map<std::pair<std::uint64_t, std::uint32_t>, std::uint64_t> seen;
    for (auto& [key, acc] : t.scores())
        for (auto& [v, n] : acc.values)
            seen[{v.num, v.den}] += n;
    CHECK(seen == std::map<std::pair<std::uint64_t, std::uint32_t>, std::uint64_t>{{{850, 1}, 2},
                                                                                   {{600, 1}, 1}});
    // Three ballots, one dropped from each end: 850 remains.
    CHECK(score(count(c, t), 0) == 8500);
}
