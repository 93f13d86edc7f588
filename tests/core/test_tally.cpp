// Scores against hand-computed expectations (ARCHITECTURE.md "Scoring").
#include "core/results.hpp"
#include "core/tally.hpp"

#include <doctest/doctest.h>

using namespace pingyi;

namespace {
// One unit U with subjects X, Y, Z, W; items i1 (weight 1) and i2 (weight 3); scale A..D.
Campaign smallCampaign() {
    auto parsed = parseCampaignText(R"({
      "format": "pingyi-campaign/1", "id": "t", "name": "测试",
      "scale": {"levels": [{"id": "A", "name": "优秀", "value": 1.0}, {"id": "B", "name": "良好", "value": 0.8},
                           {"id": "C", "name": "一般", "value": 0.6}, {"id": "D", "name": "较差", "value": 0.4}]},
      "questionnaires": [{"id": "q", "name": "问卷", "items": [{"id": "i1", "name": "一", "weight": 1},
                                                              {"id": "i2", "name": "二", "weight": 3}]}],
      "groups": [{"id": "self", "name": "单位自评", "weight": 50, "categories": [{"id": "cadre", "name": "机关干部"}]},
                 {"id": "social", "name": "社会测评", "weight": 50,
                  "categories": [{"id": "npc", "name": "人大代表"}, {"id": "service", "name": "服务对象"}]}],
      "units": [{"id": "U", "name": "单位"}],
      "subjects": [{"id": "X", "unit": "U", "name": "甲", "questionnaire": "q"},
                   {"id": "Y", "unit": "U", "name": "乙", "questionnaire": "q"},
                   {"id": "Z", "unit": "U", "name": "丙", "questionnaire": "q"},
                   {"id": "W", "unit": "U", "name": "丁", "questionnaire": "q"}],
      "ranking": {"bottom_count": 1}
    })");
    REQUIRE(parsed.campaign);
    return *parsed.campaign;
}

constexpr std::uint8_t A = 0, B = 1, C = 2, D = 3, U = kUnknownLevel;

// levels per subject X, Y, Z, W: {i1, i2}; an empty vector means every item 不了解.
Ballot ballot(const std::string& meeting, std::vector<std::vector<std::uint8_t>> levels) {
    Ballot b;
    b.meeting = meeting;
    for (std::uint16_t s = 0; s < 4; ++s) {
        SubjectAnswer a;
        a.subject = s;
        a.levels = levels[s].empty() ? std::vector<std::uint8_t>{U, U} : levels[s];
        b.answers.push_back(a);
    }
    return b;
}

const SubjectResult& find(const UnitResult& u, std::size_t subject) {
    for (auto& s : u.subjects)
        if (s.subject == subject) return s;
    FAIL("no such subject");
    return u.subjects.front();
}
} // namespace

TEST_CASE("Rounding is half up to hundredths, once") {
    CHECK(roundHundredths(Fraction{361, 8}) == 4513); // 45.125 -> 45.13
    CHECK(roundHundredths(Fraction{4512, 100}) == 4512);
    CHECK(roundHundredths(Fraction{245, 6}) == 4083); // 40.8333.. -> 40.83
    CHECK(formatHundredths(4513) == "45.13");
    CHECK(formatHundredths(5) == "0.05");
    CHECK(formatHundredths(5000) == "50.00");
}

TEST_CASE("Scores, 不了解, a missing group and ties match hand-computed values") {
    Campaign c = smallCampaign();
    Tally t(c);
    // Social ballots.
    //  X: (A,B) -> (1000 + 3*800)/4 = 850; (U,C) -> 600; (U,U) does not count for X.
    //     mean 725 -> 50 * 0.725 = 36.25
    //  Y: (A,A) 1000; (B,C) (800+1800)/4 = 650; (B,U) 800 -> mean 816.67 -> 40.8333.. -> 40.83
    //  Z: (C,C) 600 three times -> 30.00     W: same as Z -> 30.00
    t.add(ballot("U/social", {{A, B}, {A, A}, {C, C}, {C, C}}), "npc");
    t.add(ballot("U/social", {{U, C}, {B, C}, {C, C}, {C, C}}), "service");
    t.add(ballot("U/social", {{}, {B, U}, {C, C}, {C, C}}), "service");
    // Self ballots: X (D,D) 400 -> 20.00; Y (C,C) -> 30.00; Z none at all (missing group);
    // W (D,D) -> 20.00... and a second W ballot (A,A) -> mean 700 -> 35.00.
    t.add(ballot("U/self", {{D, D}, {C, C}, {}, {D, D}}), "cadre");
    t.add(ballot("U/self", {{}, {}, {}, {A, A}}), "cadre");

    auto res = computeResults(c, t, {});
    REQUIRE(res.ok());
    const UnitResult& u = res->front();
    const SubjectResult& X = find(u, 0);
    const SubjectResult& Y = find(u, 1);
    const SubjectResult& Z = find(u, 2);
    const SubjectResult& W = find(u, 3);
    CHECK(X.group_scores.at("social") == 3625);
    CHECK(X.group_ballots.at("social") == 2);
    CHECK(X.group_scores.at("self") == 2000);
    CHECK(X.final == 5625);
    CHECK(Y.group_scores.at("social") == 4083);
    CHECK(Y.group_scores.at("self") == 3000);
    CHECK(Y.final == 7083); // 40.8333.. + 30 rounded once
    CHECK(Z.group_scores.at("social") == 3000);
    CHECK_FALSE(Z.group_scores.at("self").has_value()); // missing, never zero
    CHECK_FALSE(Z.final.has_value());
    CHECK_FALSE(Z.rank.has_value());
    CHECK(W.group_scores.at("self") == 3500);
    CHECK(W.final == 6500);
    // Ranks: Y 70.83 (1), W 65.00 (2), X 56.25 (3); Z unranked, listed last; X is last-ranked.
    CHECK(Y.rank == 1u);
    CHECK(W.rank == 2u);
    CHECK(X.rank == 3u);
    CHECK(X.bottom);
    CHECK_FALSE(Y.bottom);
    CHECK(u.subjects.back().subject == 2);
}

TEST_CASE("Equal rounded finals share a rank: 1, 2, 2, 4") {
    Campaign c = smallCampaign();
    Tally t(c);
    t.add(ballot("U/social", {{A, A}, {B, B}, {B, B}, {C, C}}), "npc");
    t.add(ballot("U/self", {{A, A}, {B, B}, {B, B}, {C, C}}), "cadre");
    auto res = computeResults(c, t, {});
    REQUIRE(res.ok());
    const UnitResult& u = res->front();
    CHECK(find(u, 0).rank == 1u);
    CHECK(find(u, 1).rank == 2u);
    CHECK(find(u, 2).rank == 2u);
    CHECK(find(u, 3).rank == 4u);
    CHECK(find(u, 3).bottom);
}

TEST_CASE("A tie at the bottom flags every subject sharing the last rank") {
    Campaign c = smallCampaign();
    Tally t(c);
    t.add(ballot("U/social", {{A, A}, {B, B}, {C, C}, {C, C}}), "npc");
    t.add(ballot("U/self", {{A, A}, {B, B}, {C, C}, {C, C}}), "cadre");
    auto res = computeResults(c, t, {});
    REQUIRE(res.ok());
    CHECK(find(res->front(), 2).bottom);
    CHECK(find(res->front(), 3).bottom);
    CHECK_FALSE(find(res->front(), 1).bottom);
}

TEST_CASE("Category breakdowns below 5 ballots are suppressed, also against subtraction") {
    Campaign c = smallCampaign();
    Tally t(c);
    for (int i = 0; i < 3; ++i)
        t.add(ballot("U/social", {{A, A}, {A, A}, {A, A}, {A, A}}), "npc");
    for (int i = 0; i < 7; ++i)
        t.add(ballot("U/social", {{B, B}, {B, B}, {B, B}, {B, B}}), "service");
    auto res = computeResults(c, t, {});
    REQUIRE(res.ok());
    const auto& cats = find(res->front(), 0).categories.at("social");
    CHECK(cats.at("npc").ballots == 3);
    CHECK(cats.at("npc").suppressed);
    CHECK_FALSE(cats.at("npc").score.has_value());
    // service has 7 ballots, but total - service would reveal npc: hidden too.
    CHECK(cats.at("service").suppressed);
    CHECK_FALSE(cats.at("service").score.has_value());

    Tally t2(c);
    for (int i = 0; i < 5; ++i)
        t2.add(ballot("U/social", {{A, A}, {A, A}, {A, A}, {A, A}}), "npc");
    for (int i = 0; i < 6; ++i)
        t2.add(ballot("U/social", {{B, B}, {B, B}, {B, B}, {B, B}}), "service");
    auto res2 = computeResults(c, t2, {});
    const auto& cats2 = find(res2->front(), 0).categories.at("social");
    CHECK_FALSE(cats2.at("npc").suppressed);
    CHECK(cats2.at("npc").score == 5000);
    CHECK(cats2.at("service").score == 4000);
}

TEST_CASE("The composition check counts categories against the quotas") {
    Campaign c = seedCampaign();
    Tally t(c);
    auto ballotFor = [&](const std::string& category) {
        Ballot b;
        b.meeting = "U1/social";
        for (auto si : c.subjectsOf("U1"))
            b.answers.push_back({static_cast<std::uint16_t>(si), {0, 0, 0, 0, 0}, ""});
        t.add(b, category);
    };
    for (int i = 0; i < 9; ++i)
        ballotFor("npc");
    for (int i = 0; i < 21; ++i)
        ballotFor("service");
    auto res = computeResults(c, t, {});
    REQUIRE(res.ok());
    const MeetingComposition* social = nullptr;
    for (auto& m : res->front().composition)
        if (m.meeting.group == "social") social = &m;
    REQUIRE(social);
    CHECK(social->total == 30);
    CHECK(social->min_pass);
    CHECK(social->quotas[0].actual_hundredths == 3000);
    CHECK(social->pass);
    for (int i = 0; i < 7; ++i)
        ballotFor("service"); // 9 / 37 = 24.32 %: outside 30 +- 5
    auto res2 = computeResults(c, t, {});
    for (auto& m : res2->front().composition)
        if (m.meeting.group == "social") {
            CHECK(m.quotas[0].actual_hundredths == 2432);
            CHECK_FALSE(m.pass);
        }
}

TEST_CASE("The bottom rule never flags every subject of a unit: one ranked subject, or all tied") {
    Campaign c = smallCampaign();
    SUBCASE("all four tie: no one is last") {
        Tally t(c);
        t.add(ballot("U/social", {{B, B}, {B, B}, {B, B}, {B, B}}), "npc");
        t.add(ballot("U/self", {{B, B}, {B, B}, {B, B}, {B, B}}), "cadre");
        auto res = computeResults(c, t, {});
        REQUIRE(res.ok());
        for (auto& s : res->front().subjects) {
            CHECK(s.rank == 1u);
            CHECK_FALSE(s.bottom);
        }
    }
    SUBCASE("one ranked subject is first, not also last") {
        Tally t(c);
        // Only X is rated at all: Y, Z and W get no score and stay unranked.
        t.add(ballot("U/social", {{A, B}, {}, {}, {}}), "npc");
        t.add(ballot("U/self", {{A, B}, {}, {}, {}}), "cadre");
        auto res = computeResults(c, t, {});
        REQUIRE(res.ok());
        const SubjectResult& X = find(res->front(), 0);
        CHECK(X.rank == 1u);
        CHECK_FALSE(X.bottom);
    }
    SUBCASE("a 100 % rule flags every subject but the first") {
        c.ranking.bottom_percent = 100;
        Tally t(c);
        t.add(ballot("U/social", {{A, A}, {B, B}, {C, C}, {D, D}}), "npc");
        t.add(ballot("U/self", {{A, A}, {B, B}, {C, C}, {D, D}}), "cadre");
        auto res = computeResults(c, t, {});
        REQUIRE(res.ok());
        CHECK_FALSE(find(res->front(), 0).bottom); // the first is never flagged
        CHECK(find(res->front(), 1).bottom);
        CHECK(find(res->front(), 3).bottom);
    }
}

TEST_CASE("Paper self scores stand in for a unit that voted on paper, never alongside ballots") {
    Campaign c = smallCampaign();
    Tally t(c);
    t.add(ballot("U/social", {{A, A}, {B, B}, {C, C}, {D, D}}), "npc");
    std::vector<PaperSelf> paper{{"X", "self", 4550, 20},
                                 {"Y", "self", 4000, 20},
                                 {"Z", "self", 3000, 20},
                                 {"W", "self", 2000, 20}};
    auto res = computeResults(c, t, paper);
    REQUIRE(res.ok());
    const SubjectResult& X = find(res->front(), 0);
    CHECK(X.paper_self);
    CHECK(X.group_scores.at("self") == 4550);
    CHECK(X.final == 9550);
    t.add(ballot("U/self", {{A, A}, {B, B}, {C, C}, {D, D}}), "cadre");
    auto both = computeResults(c, t, paper);
    REQUIRE_FALSE(both.ok());
    CHECK(both.error().id == "tally.paper_and_ballots");
}
