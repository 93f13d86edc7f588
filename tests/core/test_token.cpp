#include "core/catalog.hpp"
#include "core/token.hpp"

#include <doctest/doctest.h>

using namespace pingyi;

TEST_CASE("A new token parses back to itself, typed in any case and grouping") {
    for (int i = 0; i < 200; ++i) {
        Token t = newToken();
        CHECK(t.symbols.size() == kTokenLength);
        auto lower = t.display();
        for (auto& ch : lower)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        auto p = parseToken(lower);
        REQUIRE(p.ok());
        CHECK(p->symbols == t.symbols);
        auto spaced = parseToken(" " + t.symbols.substr(0, 5) + " " + t.symbols.substr(5) + " ");
        REQUIRE(spaced.ok());
    }
}

TEST_CASE("Every single mistyped symbol is caught by the check symbol") {
    const std::uint8_t values[15] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    Token t = tokenFromValues(values);
    for (std::size_t pos = 0; pos < kTokenLength; ++pos) {
        for (char c : kTokenAlphabet) {
            if (c == t.symbols[pos]) continue;
            std::string typo = t.symbols;
            typo[pos] = c;
            auto p = parseToken(typo);
            REQUIRE_FALSE(p.ok());
            CHECK(p.error().id == "token.bad_check");
        }
    }
}

TEST_CASE("Every swap of two different symbols is caught") {
    for (int round = 0; round < 50; ++round) {
        Token t = newToken();
        for (std::size_t i = 0; i < kTokenLength; ++i)
            for (std::size_t j = i + 1; j < kTokenLength; ++j) {
                if (t.symbols[i] == t.symbols[j]) continue;
                std::string s = t.symbols;
                std::swap(s[i], s[j]);
                CHECK_FALSE(parseToken(s).ok());
            }
    }
}

TEST_CASE("Ambiguous characters and wrong lengths are refused with a clear message") {
    auto p = parseToken("0OIL-AAAA-BBBB-CCCC");
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().id == "token.bad_char");
    CHECK(describe(p.error(), Lang::En) == "the token contains an invalid character \"0\"");
    auto q = parseToken("ABCD-EFGH");
    REQUIRE_FALSE(q.ok());
    CHECK(describe(q.error(), Lang::Zh) == "凭证长度为 8 位，应为 16 位");
}

TEST_CASE("Known-answer: token check symbol, tag and receipt code are pinned") {
    const std::uint8_t values[15] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14};
    Token t = tokenFromValues(values);
    CHECK(t.display() == "2345-6789-ABCD-EFG" + std::string(1, t.symbols[15]));
    // sum over i of (i+1)*i for i < 15 = 1120; 1120 mod 31 = 4; need 27; 27*2 mod 31 = 23 -> 'S'
    CHECK(t.symbols[15] == 'S');
    Hash32 tag = tokenTag("jjj-2026", t);
    CHECK(toHex(tag).size() == 64);
    Hash32 zero{};
    CHECK(receiptCode(zero) == "22222-22222");
}
