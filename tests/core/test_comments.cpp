// Comments are clean text: the one check (core/text.hpp) as ballots meet it, and the escaping
// that reports use for older ballots that hold what the check now refuses.
#include "core/ballot.hpp"
#include "core/catalog.hpp"
#include "core/text.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

using namespace pingyi;
using namespace pingyi::test;

namespace {
// UTF-8 of one code point.
std::string utf8(std::uint32_t cp) {
    std::string s;
    if (cp < 0x80) {
        s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    return s;
}

Result<Ballot> withComment(const Campaign& c, const std::string& text) {
    Answers a = uniformAnswers(c, "U1", "A");
    a.comments["S01"] = text;
    return buildBallot(c, Hash32{}, MeetingRef{"U1", "social"}, Hash32{}, a);
}
} // namespace

TEST_CASE("A comment with a C1 control, a bidi control or an invisible character is refused, "
          "naming the character and its place") {
    Campaign c = seedCampaign();
    // The finding's own text: U+0085 comes first.
    auto first = withComment(c, "a\u0085b\u009bc \u202e好很务服");
    REQUIRE(!first.ok());
    CHECK(first.error().id == "ballot.comment_bad_char");
    CHECK(first.error().args == std::vector<std::string>{"S01", "U+0085", "2"});

    const std::uint32_t refused[] = {
        0x0085,  0x009B,  0x009F,  0x00AD,  0x061C,  0x180E,  0x200B,  0x200C,  0x200D,
        0x200E,  0x200F,  0x2028,  0x2029,  0x202A,  0x202B,  0x202C,  0x202D,  0x202E,
        0x2060,  0x2061,  0x2064,  0x2066,  0x2067,  0x2068,  0x2069,  0x206F,  0x3164,
        0xFE0F,  0xFEFF,  0xFFF9,  0xFFFE,  0xFFFF,  0xFDD0,  0xE000,  0xF8FF,  0x1D173,
        0x1FFFF, 0x40000, 0xE0001, 0xE0041, 0xE007F, 0xE0100, 0xF0000, 0x10FFFD};
    for (std::uint32_t cp : refused) {
        CAPTURE(codePointName(cp));
        auto r = withComment(c, "意见很好" + utf8(cp) + "。");
        REQUIRE(!r.ok());
        CHECK(r.error().id == "ballot.comment_bad_char");
        CHECK(r.error().args[1] == codePointName(cp));
        CHECK(r.error().args[2] == "5");
    }
    CHECK(codePointName(0x202E) == "U+202E");
    CHECK(codePointName(0xE0041) == "U+E0041");

    // The place counts the characters as typed, leading spaces included.
    auto lead = withComment(c, "  好\u202e");
    REQUIRE(!lead.ok());
    CHECK(lead.error().args[2] == "4");
    // C0 controls are named the same way (a carriage return inside the text).
    auto cr = withComment(c, "第一行\r第二行");
    REQUIRE(!cr.ok());
    CHECK(cr.error().args[1] == "U+000D");
    // Invalid UTF-8 keeps its own message.
    CHECK(withComment(c, "好\xFF").error().id == "ballot.comment_bad_text");
}

TEST_CASE("Ordinary Chinese and English punctuation, spaces and newlines pass") {
    Campaign c = seedCampaign();
    const std::string ok =
        "服务热情，办事效率高。\n“很好”！（建议）《政策》——……、；：？【附】〔二〇二六〕\t"
        "Hello, world! (ok) 100% #1 @home ~ a-b_c \"q\" 'q' [x] {y} <z> 1/2 \u3000全角空格"
        "\u00A0\u2009\u202F№ € ¥ © ° ± × ÷ é ü ñ ä 😀 \U00020000 \U00030000";
    auto r = withComment(c, ok);
    REQUIRE_MESSAGE(r.ok(), describe(r.error(), Lang::En));
    CHECK(!unsafeCommentChar(ok));
    CHECK(r->answers[0].comment == trim(ok));
    // Neighbours of the refused blocks pass.
    for (std::uint32_t cp :
         {0x00A0u, 0x00ACu, 0x00AEu, 0x200Au, 0x2027u, 0x202Fu, 0x205Fu, 0x2070u, 0x3000u, 0xFE10u,
          0xFEFEu, 0xFFFCu, 0xFFFDu, 0xF900u, 0xFDCFu, 0xFDF0u, 0x1D172u, 0x1D17Bu, 0x3FFFDu})
        CHECK_MESSAGE(!isUnsafeCommentCodePoint(cp), codePointName(cp));
}

TEST_CASE("Reports escape what older ballots hold; clean text is unchanged and a second pass "
          "changes nothing") {
    const std::string raw = "a\u0085b\u009bc \u202e好很务服\U000E0041\xFF";
    const std::string shown = escapeUnsafeChars(raw);
    CHECK(shown == "a\\u0085b\\u009Bc \\u202E好很务服\\U000E0041\\xFF");
    CHECK(escapeUnsafeChars(shown) == shown);
    CHECK(!unsafeCommentChar(shown));
    CHECK(isValidUtf8(shown));
    const std::string clean = "服务热情，\n办事效率高。";
    CHECK(escapeUnsafeChars(clean) == clean);
}

TEST_CASE("A ballot sealed before the check, with a bidi override in its comment, still opens "
          "at count time") {
    Campaign c = seedCampaign();
    auto b = withComment(c, "好评");
    REQUIRE(b.ok());
    b->answers[0].comment = "a\u0085b \u202e好很务服"; // what an older tablet could seal
    Bytes plain = encodeBallot(*b, ballotPaddedSize(c));
    REQUIRE(!plain.empty());
    auto opened = decodeBallot(plain, c);
    REQUIRE(opened.ok());
    CHECK(opened->answers[0].comment == "a\u0085b \u202e好很务服");
    // C0 controls were refused by every version and still are.
    b->answers[0].comment = "a\x01"
                            "b";
    Bytes bad = encodeBallot(*b, ballotPaddedSize(c));
    CHECK(decodeBallot(bad, c).error().id == "ballot.comment_bad_text");
}
