#include "core/pin.hpp"

#include "core/text.hpp"

#include <array>
#include <cstdio>
#include <string>

namespace pingyi {

namespace {
using namespace std::chrono_literals;

// Common PINs that none of the pattern checks below catches (sources: published PIN frequency
// lists, and the Chinese number puns 520 / 1314, "I love you / for life").
constexpr std::array<std::string_view, 24> kCommon = {
    "112233",  "123321",  "147258", "159753", "147369", "258369", "789456",   "456123",
    "741852",  "963852",  "147852", "123654", "321654", "102030", "111222",   "000111",
    "5201314", "1314520", "520131", "131452", "741258", "159357", "12344321", "159951"};

// The Unicode code point at the start of s (s is valid UTF-8), and its length in bytes.
std::pair<unsigned, std::size_t> firstCodePoint(std::string_view s) {
    auto b = static_cast<unsigned char>(s[0]);
    std::size_t n = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
    unsigned cp = n == 1 ? b : n == 2 ? (b & 0x1Fu) : n == 3 ? (b & 0x0Fu) : (b & 0x07u);
    for (std::size_t i = 1; i < n && i < s.size(); ++i)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i]) & 0x3Fu);
    return {cp, n};
}

// Shows a character so that a space or an invisible one can still be read in a message.
std::string nameCharacter(std::string_view bytes, unsigned cp) {
    char code[16];
    std::snprintf(code, sizeof code, "U+%04X", cp);
    bool printable = cp > 0x20 && cp != 0x7F && !(cp >= 0x80 && cp < 0xA0);
    return printable ? std::string(bytes) + " " + code : std::string(code);
}

bool isRun(std::string_view d, int step) {
    for (std::size_t i = 1; i < d.size(); ++i)
        if ((d[i - 1] - '0' + step + 10) % 10 != d[i] - '0') return false;
    return true;
}

bool isRepeatedGroup(std::string_view d) {
    for (std::size_t len = 1; len * 2 <= d.size(); ++len) {
        if (d.size() % len != 0) continue;
        bool same = true;
        for (std::size_t i = len; i < d.size() && same; ++i)
            same = d[i] == d[i - len];
        if (same) return true;
    }
    return false;
}
} // namespace

Status checkPin(std::string_view pin) {
    if (!isValidUtf8(pin)) return Error::make(ErrorKind::Invalid, "pin.bad_text");
    for (std::size_t i = 0; i < pin.size();) {
        auto [cp, n] = firstCodePoint(pin.substr(i));
        if (cp < '0' || cp > '9')
            return Error::make(ErrorKind::Invalid, "pin.not_digit",
                               {nameCharacter(pin.substr(i, n), cp)});
        i += n;
    }
    // Digits only from here, so bytes and characters agree.
    if (pin.size() < kPinMinDigits)
        return Error::make(ErrorKind::Invalid, "pin.too_short",
                           {std::to_string(pin.size()), std::to_string(kPinMinDigits)});
    if (pin.size() > kPinMaxDigits)
        return Error::make(ErrorKind::Invalid, "pin.too_long",
                           {std::to_string(pin.size()), std::to_string(kPinMaxDigits)});
    if (pin.find_first_not_of(pin[0]) == std::string_view::npos)
        return Error::make(ErrorKind::Invalid, "pin.same_digit");
    if (isRun(pin, 1) || isRun(pin, -1)) return Error::make(ErrorKind::Invalid, "pin.run");
    if (isRepeatedGroup(pin)) return Error::make(ErrorKind::Invalid, "pin.repeated_group");
    for (auto c : kCommon)
        if (pin == c) return Error::make(ErrorKind::Invalid, "pin.common");
    return {};
}

std::chrono::milliseconds pinDelayAfter(int failures) {
    constexpr std::array<std::chrono::milliseconds, 7> kWaits = {0s,   5s,    15s, 1min,
                                                                 5min, 15min, 1h};
    if (failures <= 3) return 0s;
    auto i = static_cast<std::size_t>(failures - 3);
    return i < kWaits.size() ? kWaits[i] : kWaits.back();
}

} // namespace pingyi
