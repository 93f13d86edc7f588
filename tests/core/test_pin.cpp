// The PIN rule and the back-off schedule (core/pin.hpp): what `tablet init`, change-PIN,
// reset-PIN and the kiosk's keypad all apply.
#include "core/catalog.hpp"
#include "core/pin.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace pingyi;
using namespace std::chrono_literals;

namespace {
std::string refusal(std::string_view pin) {
    auto st = checkPin(pin);
    return st ? std::string("ok") : st.error().id;
}
} // namespace

TEST_CASE("PINs of 6 to 12 digits that are not obvious are accepted") {
    for (const char* pin : {"246813", "975318", "135792", "802417", "5830194", "802417935061"}) {
        INFO(pin);
        CHECK(refusal(pin) == "ok");
    }
}

TEST_CASE("Short PINs, letters, spaces and other characters are refused, counting characters") {
    CHECK(refusal("0000") == "pin.too_short");
    CHECK(refusal("97531") == "pin.too_short");
    CHECK(refusal("") == "pin.too_short");
    CHECK(refusal("abcd") == "pin.not_digit");
    CHECK(refusal("    ") == "pin.not_digit");
    CHECK(refusal("中1") == "pin.not_digit");            // 4 bytes, 2 characters: once it passed
    CHECK(refusal("中文密码很长的") == "pin.not_digit"); // 21 bytes
    CHECK(refusal("１２３４５６７") == "pin.not_digit"); // full-width digits are not 0-9
    CHECK(refusal("24681a") == "pin.not_digit");
    CHECK(refusal("246813\n") == "pin.not_digit");
    CHECK(refusal("\xff\xfe"
                  "123456") == "pin.bad_text");
    CHECK(refusal("2468135790246") == "pin.too_long"); // 13: the keypad takes 12

    auto st = checkPin("中1");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().kind == ErrorKind::Invalid);
    CHECK(describe(st.error(), Lang::En) ==
          "the PIN may hold only the digits 0-9; it has \"中 U+4E2D\"");
    auto space = checkPin("1234 5678");
    CHECK(describe(space.error(), Lang::En).find("U+0020") != std::string::npos);
    auto shrt = checkPin("13579");
    CHECK(describe(shrt.error(), Lang::Zh) == "PIN 只有 5 位，至少要 6 位数字");
    CHECK(describe(shrt.error(), Lang::En) == "the PIN has 5 digits; it needs at least 6");
    auto lng = checkPin("2468135790246");
    CHECK(lng.error().args == std::vector<std::string>{"13", "12"});
}

TEST_CASE("The obvious PINs are refused, each with its reason") {
    for (const char* pin : {"000000", "666666", "999999999999"}) {
        INFO(pin);
        CHECK(refusal(pin) == "pin.same_digit");
    }
    for (const char* pin : {"123456", "654321", "234567", "890123", "098765", "0123456789",
                            "123456789012", "987654"}) {
        INFO(pin);
        CHECK(refusal(pin) == "pin.run");
    }
    for (const char* pin : {"121212", "123123", "112112", "520520", "12341234", "246813246813"}) {
        INFO(pin);
        CHECK(refusal(pin) == "pin.repeated_group");
    }
    for (const char* pin : {"112233", "123321", "147258", "5201314", "1314520", "159753"}) {
        INFO(pin);
        CHECK(refusal(pin) == "pin.common");
    }
}

TEST_CASE("Every PIN refusal has a message in both languages") {
    for (const char* id : {"pin.bad_text", "pin.not_digit", "pin.too_short", "pin.too_long",
                           "pin.same_digit", "pin.run", "pin.repeated_group", "pin.common"}) {
        INFO(id);
        CHECK(hasMessage(id));
        CHECK(tr(Lang::Zh, id, {"1", "2"}) != tr(Lang::En, id, {"1", "2"}));
    }
}

TEST_CASE("Wrong PINs wait longer and longer: none for three, then 5 s, 15 s, 1 min and more") {
    CHECK(pinDelayAfter(0) == 0s);
    CHECK(pinDelayAfter(1) == 0s);
    CHECK(pinDelayAfter(3) == 0s);
    CHECK(pinDelayAfter(4) == 5s);
    CHECK(pinDelayAfter(5) == 15s);
    CHECK(pinDelayAfter(6) == 1min);
    CHECK(pinDelayAfter(9) == 1h);
    CHECK(pinDelayAfter(50) == 1h);
    for (int n = 1; n < kPinMaxFailures; ++n)
        CHECK(pinDelayAfter(n + 1) >= pinDelayAfter(n));
    CHECK(kPinMaxFailures == 10);
}
