#include "core/catalog.hpp"
#include "core/text.hpp"

#include <doctest/doctest.h>

#include <set>

using namespace pingyi;

TEST_CASE("Every catalog entry has a unique id and both languages") {
    std::set<std::string> ids;
    for (auto& e : catalogEntries()) {
        CHECK_MESSAGE(ids.insert(e.id).second, e.id);
        CHECK_MESSAGE(std::string(e.zh).size() > 0, e.id);
        CHECK_MESSAGE(std::string(e.en).size() > 0, e.id);
        CHECK_MESSAGE(isValidUtf8(e.zh), e.id);
    }
}

TEST_CASE("Messages substitute their arguments and unknown ids stay visible") {
    CHECK(tr(Lang::En, "campaign.unknown_unit", {"subjects[3].unit", "U9"}) ==
          "subjects[3].unit: unknown unit \"U9\"");
    CHECK(tr(Lang::Zh, "campaign.unknown_unit", {"subjects[3].unit", "U9"}) ==
          "subjects[3].unit：未知单位“U9”");
    CHECK(tr(Lang::En, "no.such.id", {"x"}) == "[no.such.id] x");
}

TEST_CASE("An open conflict's message counts its envelopes, in Chinese as it is said") {
    CHECK(chineseBallotCount(2) == "两张");
    CHECK(chineseBallotCount(3) == "三张");
    CHECK(chineseBallotCount(10) == "十张");
    CHECK(chineseBallotCount(12) == "12张");
    auto zh = tr(Lang::Zh, "conflict.open", {"3", chineseBallotCount(3)});
    CHECK(zh.find("这三张都不计入") != std::string::npos);
    auto en = tr(Lang::En, "conflict.open", {"3", chineseBallotCount(3)});
    CHECK(en.find("none of these 3 counts") != std::string::npos);
}
