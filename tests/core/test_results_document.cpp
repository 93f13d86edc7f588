// The typed results document: built from a count, encoded canonically, decoded strictly, signed
// over its canonical bytes; any group ids work end to end.
#include "core/catalog.hpp"
#include "core/results.hpp"
#include "core/tally.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

using namespace pingyi;
using nlohmann::json;

namespace {
// Groups named freely ("insiders", "public"): nothing may assume "self" and "social".
Campaign freeGroupsCampaign() {
    auto parsed = parseCampaignText(R"({
      "format": "pingyi-campaign/1", "id": "t", "name": "测试",
      "scale": {"levels": [{"id": "A", "name": "优秀", "value": 1.0}, {"id": "B", "name": "良好", "value": 0.8},
                           {"id": "C", "name": "一般", "value": 0.6}, {"id": "D", "name": "较差", "value": 0.4}]},
      "questionnaires": [{"id": "q", "name": "问卷", "items": [{"id": "i1", "name": "一", "weight": 1},
                                                              {"id": "i2", "name": "二", "weight": 3}]}],
      "groups": [{"id": "insiders", "name": "内部测评", "name_en": "Insiders", "weight": 40,
                  "categories": [{"id": "staff", "name": "职工"}]},
                 {"id": "public", "name": "群众测评", "name_en": "Public", "weight": 60,
                  "categories": [{"id": "citizen", "name": "群众"}]}],
      "units": [{"id": "U", "name": "单位"}],
      "subjects": [{"id": "X", "unit": "U", "name": "甲", "questionnaire": "q"},
                   {"id": "Y", "unit": "U", "name": "乙", "questionnaire": "q"}]
    })");
    REQUIRE(parsed.problems.empty());
    return *parsed.campaign;
}

Ballot ballot(const std::string& meeting, std::vector<std::uint8_t> x,
              std::vector<std::uint8_t> y) {
    Ballot b;
    b.meeting = meeting;
    b.answers.push_back({0, std::move(x), {}});
    b.answers.push_back({1, std::move(y), {}});
    return b;
}

ResultsDocument sampleDocument() {
    Campaign c = freeGroupsCampaign();
    Tally t(c);
    // insiders: X (A,A) 1000, Y (C,C) 600; public: X (B,B) 800, Y (A,B) 850.
    t.add(ballot("U/insiders", {0, 0}, {2, 2}), "staff");
    t.add(ballot("U/public", {1, 1}, {0, 1}), "citizen");
    auto units = computeResults(c, t, {});
    REQUIRE(units);
    Accounting acc;
    acc.received = acc.counted = 2;
    Hash32 digest{};
    digest[0] = 0xAB;
    return buildResults(c, digest, *units, t, acc, {"22222-22222", "33333-33333"});
}
} // namespace

TEST_CASE("Scores of freely named groups reach the document under their own ids") {
    ResultsDocument d = sampleDocument();
    REQUIRE(d.units.size() == 1);
    const ResultsUnit& u = d.units[0];
    REQUIRE(u.groups.size() == 2);
    CHECK(u.groups[0].id == "insiders");
    const ResultsSubject& x = u.subjects[0];
    CHECK(x.id == "X");
    CHECK(x.scores.at("insiders") == 4000); // 40 x 1.0
    CHECK(x.scores.at("public") == 4800);   // 60 x 0.8
    CHECK(x.final == 8800);
    CHECK(u.subjects[1].scores.at("public") == 5100); // 60 x 0.85
    json j = encodeResults(d);
    CHECK(j["units"][0]["subjects"][0]["scores"]["insiders"] == 40.0);
    CHECK(j["units"][0]["subjects"][0]["scores"]["public"] == 48.0);
    CHECK(j["units"][0]["subjects"][0]["ballots"]["public"] == 1);
}

TEST_CASE("A results document survives encode and decode unchanged, signatures included") {
    ResultsDocument d = sampleDocument();
    SignKeyPair head = signKeyPair();
    signResults(d, "unit-head", "U", "局长", head.pk, head.sk);
    std::string text = encodeResults(d).dump(2);
    auto back = decodeResultsText(text);
    REQUIRE(back);
    CHECK(encodeResults(*back).dump(2) == text);
    auto sigs = verifyResults(*back);
    REQUIRE(sigs.size() == 1);
    CHECK(sigs[0].valid);
    CHECK(sigs[0].key == head.pk);
    // A changed receipt list is still a well-formed document, but the signature fails.
    json tampered = json::parse(text);
    tampered["receipts"].push_back("44444-44444");
    auto t = decodeResults(tampered);
    REQUIRE(t);
    CHECK_FALSE(verifyResults(*t)[0].valid);
    // Signing again by the same key for the same unit replaces the old signature.
    signResults(*back, "unit-head", "U", "局长", head.pk, head.sk);
    CHECK(back->signatures.size() == 1);
}

TEST_CASE("The decoder refuses what the encoder would never write, naming the place") {
    json good = encodeResults(sampleDocument());
    auto problem = [&](auto edit) {
        json j = good;
        edit(j);
        auto r = decodeResults(j);
        REQUIRE_FALSE(r);
        REQUIRE(r.error().args.size() == 2);
        CHECK(r.error().args[0] == "results.json");
        CHECK(hasMessage(r.error().id));
        return r.error().id + " " + r.error().args[1];
    };
    CHECK(problem([](json& j) { j.erase("accounting"); }) == "results.field_missing $.accounting");
    CHECK(problem([](json& j) { j["extra"] = 1; }) == "results.field_unknown $.extra");
    CHECK(problem([](json& j) { j["units"][0]["subjects"][0]["final"] = "88"; }) ==
          "results.field_type $.units[0].subjects[0].final");
    CHECK(problem([](json& j) { j["units"][0]["subjects"][0]["final"] = 88.001; }) ==
          "results.field_value $.units[0].subjects[0].final");
    CHECK(problem([](json& j) { j["units"][0]["subjects"][1]["scores"]["self"] = 1; }) ==
          "results.field_groups $.units[0].subjects[1].scores");
    CHECK(problem([](json& j) { j["units"][0]["subjects"][0]["ballots"]["public"] = -1; }) ==
          "results.field_type $.units[0].subjects[0].ballots.public");
    CHECK(problem([](json& j) { j["package_digest"] = "abc"; }) ==
          "results.field_value $.package_digest");
    CHECK(problem([](json& j) { j["units"].push_back(j["units"][0]); }) ==
          "results.field_repeated $.units[1].id");
    CHECK(problem([](json& j) { j = json::array(); }) == "results.field_type $");

    json old = good;
    old["format"] = "pingyi-results/1";
    auto r = decodeResults(old);
    REQUIRE_FALSE(r);
    CHECK(r.error().id == "results.old_format");
    CHECK(r.error().args.at(1) == "pingyi-results/1");
    CHECK(describe(r.error(), Lang::Zh).find("pingyi-results/1") != std::string::npos);
    CHECK(decodeResultsText("{not json", "r.json").error().id == "results.not_json");
}

namespace {
// The public group needs at least 3 ballots, 30 % of them from NPC deputies.
ResultsDocument ruleBreakingDocument() {
    auto parsed = parseCampaignText(R"({
      "format": "pingyi-campaign/1", "id": "t", "name": "测试",
      "scale": {"levels": [{"id": "A", "name": "优秀", "value": 1.0}, {"id": "B", "name": "良好", "value": 0.8}]},
      "questionnaires": [{"id": "q", "name": "问卷", "items": [{"id": "i1", "name": "一", "weight": 1}]}],
      "groups": [{"id": "public", "name": "社会测评", "name_en": "Public", "weight": 100, "min_ballots": 3,
                  "categories": [{"id": "npc", "name": "人大代表"}, {"id": "service", "name": "服务对象"}],
                  "quotas": [{"categories": ["npc"], "percent": 30}, {"categories": ["service"], "percent": 70}]}],
      "units": [{"id": "U", "name": "单位"}],
      "subjects": [{"id": "X", "unit": "U", "name": "甲", "questionnaire": "q"},
                   {"id": "Y", "unit": "U", "name": "乙", "questionnaire": "q"}]
    })");
    REQUIRE(parsed.problems.empty());
    Campaign c = *parsed.campaign;
    Tally t(c);
    for (int i = 0; i < 2; ++i) {
        Ballot b;
        b.meeting = "U/public";
        b.answers.push_back({0, {0}, {}});
        b.answers.push_back({1, {1}, {}});
        t.add(b, "service");
    }
    auto units = computeResults(c, t, {});
    REQUIRE(units);
    Accounting acc;
    acc.received = acc.counted = 2;
    return buildResults(c, Hash32{}, *units, t, acc, {});
}
} // namespace

TEST_CASE("A ranking whose ballots break the rules names each broken rule in words") {
    ResultsDocument d = ruleBreakingDocument();
    const ResultsUnit& u = d.units[0];
    CHECK_FALSE(u.compositionPasses());
    auto zh = compositionProblems(u, Lang::Zh);
    REQUIRE(zh.size() == 3);
    CHECK(zh[0] == "测评票构成不符合要求：社会测评 2 张，少于 3 张");
    CHECK(zh[1] == "测评票构成不符合要求：社会测评中人大代表占 0.00%，应为 30%");
    CHECK(zh[2] == "测评票构成不符合要求：社会测评中服务对象占 100.00%，应为 70%");
    auto en = compositionProblems(u, Lang::En);
    CHECK(en[0] == "the ballots do not meet the rules: Public has 2 ballots, fewer than 3");
    CHECK(compositionProblems(sampleDocument().units[0], Lang::Zh).empty());
}

TEST_CASE("A signature that confirms a rule-breaking ranking records it, signed and strict") {
    ResultsDocument d = ruleBreakingDocument();
    SignKeyPair head = signKeyPair();
    signResults(d, "unit-head", "U", "局长", head.pk, head.sk, true);
    json j = encodeResults(d);
    CHECK(j["signatures"][0]["confirmed_noncompliant"] == true);
    auto back = decodeResults(j);
    REQUIRE(back);
    CHECK(back->signatures[0].confirmed_noncompliant);
    auto sigs = verifyResults(*back);
    CHECK(sigs[0].valid);
    CHECK(sigs[0].confirmed_noncompliant);
    // Dropping the confirmation breaks the signature: it is part of what was signed.
    json dropped = j;
    dropped["signatures"][0].erase("confirmed_noncompliant");
    auto without = decodeResults(dropped);
    REQUIRE(without);
    CHECK_FALSE(verifyResults(*without)[0].valid);
    // An ordinary signature carries no such field; false is never written, so it is refused.
    json spelled = j;
    spelled["signatures"][0]["confirmed_noncompliant"] = false;
    auto f = decodeResults(spelled);
    REQUIRE_FALSE(f);
    CHECK(f.error().args.at(1) == "$.signatures[0].confirmed_noncompliant");
    spelled["signatures"][0]["confirmed_noncompliant"] = "yes";
    CHECK(decodeResults(spelled).error().id == "results.field_type");
}
