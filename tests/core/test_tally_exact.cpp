// The count stays exact at any size: the weighted agency questionnaire that once overflowed
// 128 bits, every denominator a 30-item questionnaire can produce, and 10^6 ballots in one
// meeting. Expected figures were computed independently with Python's fractions.Fraction over
// the same generated ballots (the generator below is a plain LCG so both sides agree).
#include "core/results.hpp"
#include "core/tally.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <set>

using namespace pingyi;

namespace {

// The seed campaign, with the agency questionnaire grown to 10 items of weights
// 15,12,10,10,10,10,8,8,7,10 (which campaign check accepts).
Campaign weightedAgencyCampaign() {
    Campaign c = seedCampaign();
    Questionnaire* q = nullptr;
    for (auto& qq : c.questionnaires)
        if (qq.id == "agency") q = &qq;
    REQUIRE(q);
    const std::uint32_t w[10] = {15, 12, 10, 10, 10, 10, 8, 8, 7, 10};
    q->items.resize(10);
    for (std::size_t i = 0; i < 10; ++i) {
        if (q->items[i].id.empty()) q->items[i].id = "extra" + std::to_string(i);
        q->items[i].name = "项目" + std::to_string(i);
        q->items[i].weight = w[i];
    }
    auto round_trip = parseCampaign(campaignToJson(c));
    REQUIRE(round_trip.problems.empty()); // campaign check accepts it
    return *round_trip.campaign;
}

struct Lcg {
    std::uint64_t x;
    std::uint64_t next() {
        x = (x * 1103515245u + 12345u) % (1ull << 31);
        return x >> 8;
    }
};

std::int64_t scoreOf(const UnitResult& u, const std::string& subject_id, const Campaign& c,
                     const std::string& group) {
    for (auto& s : u.subjects)
        if (c.subjects[s.subject].id == subject_id) return s.group_scores.at(group).value();
    FAIL("no subject " << subject_id);
    return -1;
}
const SubjectResult& subjectOf(const UnitResult& u, const std::string& id, const Campaign& c) {
    for (auto& s : u.subjects)
        if (c.subjects[s.subject].id == id) return s;
    FAIL("no subject " << id);
    return u.subjects.front();
}

} // namespace

TEST_CASE("Two hundred weighted agency ballots with 不了解 count exactly, as computed by hand") {
    Campaign c = weightedAgencyCampaign();
    auto subjects = c.subjectsOf("U3");
    REQUIRE(subjects.size() == 4);
    const char* cats[4] = {"npc", "cppcc", "leader", "service"};
    Lcg g{20261203};
    Tally t(c);
    std::set<std::uint32_t> dens;
    for (int k = 0; k < 200; ++k) {
        Ballot b;
        b.meeting = "U3/social";
        for (std::uint16_t s = 0; s < 4; ++s) {
            SubjectAnswer a;
            a.subject = static_cast<std::uint16_t>(subjects[s]);
            std::uint32_t den = 0;
            for (std::size_t i = 0; i < 10; ++i) {
                auto r = g.next() % 10;
                if (r < 3) {
                    a.levels.push_back(kUnknownLevel);
                    continue;
                }
                a.levels.push_back(static_cast<std::uint8_t>((r - 3 + s) % 4));
                den += c.questionnaires[1].items[i].weight;
            }
            dens.insert(den);
            b.answers.push_back(a);
        }
        t.add(b, k % 10 < 3 ? cats[k % 10] : "service");
    }
    CHECK(dens.size() > 40); // many denominators: their lcm is past 2^116

    auto res = computeResults(c, t, {});
    REQUIRE(res);
    const UnitResult& u3 = res->at(2);
    REQUIRE(u3.unit == "U3");
    // 50 x mean v(b,s) / 1000, exactly, then rounded half up.
    CHECK(scoreOf(u3, "S10", c, "social") == 3747);
    CHECK(scoreOf(u3, "S11", c, "social") == 3251);
    CHECK(scoreOf(u3, "S12", c, "social") == 3447);
    CHECK(scoreOf(u3, "S13", c, "social") == 3597);
    CHECK(subjectOf(u3, "S10", c).final == 3747);
    CHECK(subjectOf(u3, "S10", c).rank == 1u);
    CHECK(subjectOf(u3, "S13", c).rank == 2u);
    CHECK(subjectOf(u3, "S12", c).rank == 3u);
    CHECK(subjectOf(u3, "S11", c).rank == 4u);
    CHECK(subjectOf(u3, "S11", c).bottom);
    CHECK_FALSE(subjectOf(u3, "S13", c).bottom);
    // Category cells (each has at least 5 ballots, so none is hidden).
    const auto& cells = subjectOf(u3, "S10", c).categories.at("social");
    CHECK(cells.at("npc").ballots == 20);
    CHECK(cells.at("npc").score == 3768);
    CHECK(cells.at("cppcc").score == 3820);
    CHECK(cells.at("leader").score == 3823);
    CHECK(cells.at("service").ballots == 140);
    CHECK(cells.at("service").score == 3723);
    CHECK(subjectOf(u3, "S13", c).categories.at("social").at("leader").score == 3521);

    // The exact fractions, not only their rounding.
    ScoreAcc all;
    for (auto& cat : cats)
        if (auto it = t.scores().find({subjects[0], "social", cat}); it != t.scores().end())
            all.merge(it->second);
    auto exact = groupScore(all, 50);
    REQUIRE(exact);
    CHECK(exact->get_str() ==
          "1194258670190027054063311802335291/31869141899981953299392867961600");
    ScoreAcc s13;
    for (auto& cat : cats)
        if (auto it = t.scores().find({subjects[3], "social", cat}); it != t.scores().end())
            s13.merge(it->second);
    CHECK(groupScore(s13, 50)->get_str() ==
          "427526682003228809741429669450906317/11887004642984547755363659558584000");
}

namespace {
// One unit, one subject, one 30-item questionnaire of weights 71..100.
Campaign thirtyItemCampaign() {
    std::string items;
    for (int i = 0; i < 30; ++i) {
        if (i) items += ",";
        items += R"({"id": "i)" + std::to_string(i) + R"(", "name": "项)" + std::to_string(i) +
                 R"(", "weight": )" + std::to_string(71 + i) + "}";
    }
    auto parsed = parseCampaignText(R"({
      "format": "pingyi-campaign/1", "id": "big", "name": "大",
      "scale": {"levels": [{"id": "A", "name": "优秀", "value": 1.0}, {"id": "B", "name": "良好", "value": 0.8},
                           {"id": "C", "name": "一般", "value": 0.6}, {"id": "D", "name": "较差", "value": 0.4}]},
      "questionnaires": [{"id": "q", "name": "问卷", "items": [)" +
                                    items + R"(]}],
      "groups": [{"id": "social", "name": "社会测评", "weight": 50, "categories": [{"id": "service", "name": "服务对象"}]}],
      "units": [{"id": "U", "name": "单位"}],
      "subjects": [{"id": "X", "unit": "U", "name": "甲", "questionnaire": "q"}]
    })");
    REQUIRE(parsed.problems.empty());
    return *parsed.campaign;
}
} // namespace

TEST_CASE("Every denominator a 30-item questionnaire with weights up to 100 can give counts "
          "exactly") {
    Campaign c = thirtyItemCampaign();
    // Every reachable Σ w_i (subset sums of 71..100), each with one subset that reaches it.
    std::vector<int> from(3000 + 1, -2); // -2 unreachable; else the last item added
    from[0] = -1;
    for (int i = 0; i < 30; ++i)
        for (int s = 3000; s >= 71 + i; --s)
            if (from[s] == -2 && from[s - (71 + i)] != -2 &&
                (from[s - (71 + i)] == -1 || from[s - (71 + i)] < i))
                from[s] = i;
    Tally t(c);
    Fraction direct = 0; // Σ v over the ballots, one rational at a time: an independent path
    std::uint64_t ballots = 0;
    for (int s = 1; s <= 3000; ++s) {
        if (from[s] == -2) continue;
        std::vector<std::uint8_t> levels(30, kUnknownLevel);
        for (int r = s; r > 0; r -= 71 + from[r])
            levels[static_cast<std::size_t>(from[r])] = static_cast<std::uint8_t>((s + r) % 4);
        std::uint64_t num = 0, den = 0;
        for (std::size_t i = 0; i < 30; ++i)
            if (levels[i] != kUnknownLevel) {
                num += (71 + i) * c.scale.levels[levels[i]].permille;
                den += 71 + i;
            }
        REQUIRE(den == static_cast<std::uint64_t>(s));
        Ballot b;
        b.meeting = "U/social";
        b.answers.push_back({0, levels, {}});
        t.add(b, "service");
        direct += Fraction(static_cast<unsigned long>(num), static_cast<unsigned long>(den));
        ++ballots;
    }
    CHECK(ballots > 2000);
    auto res = computeResults(c, t, {});
    REQUIRE(res);
    Fraction expect = direct * 50 / (mpz_class(1000) * static_cast<unsigned long>(ballots));
    expect.canonicalize();
    auto exact = groupScore(t.scores().begin()->second, 50);
    REQUIRE(exact);
    CHECK(*exact == expect);
    CHECK(res->at(0).subjects.at(0).group_scores.at("social") == roundHundredths(expect));
    CHECK(exact->get_den() > mpz_class(1) << 3000); // far past any fixed width
}

TEST_CASE("A million ballots in one meeting count exactly") {
    Campaign c = thirtyItemCampaign();
    Tally t(c);
    Ballot b;
    b.meeting = "U/social";
    b.answers.push_back({0, std::vector<std::uint8_t>(30), {}});
    auto& levels = b.answers[0].levels;
    for (std::uint64_t k = 0; k < 1000000; ++k) {
        std::uint64_t h = ((k * 0x9E3779B1u) & 0xFFFFFFFFu) >> 2;
        for (std::size_t i = 0; i < 30; ++i)
            levels[i] =
                (h >> i) & 1 ? static_cast<std::uint8_t>(((k * 7 + i * i) % 5) % 4) : kUnknownLevel;
        t.add(b, "service");
    }
    auto res = computeResults(c, t, {});
    REQUIRE(res);
    const SubjectResult& s = res->at(0).subjects.at(0);
    CHECK(s.group_ballots.at("social") == 999999); // k = 0 answers nothing
    CHECK(s.group_scores.at("social") == 3800);
    auto exact = groupScore(t.scores().begin()->second, 50);
    REQUIRE(exact);
    mpz_class e12 = exact->get_num() * mpz_class("1000000000000") / exact->get_den();
    CHECK(e12.get_str() == "38000199277893"); // 38.000199277893.. from Python's Fraction
    CHECK(t.scores().begin()->second.by_den.size() == 1804);
}
