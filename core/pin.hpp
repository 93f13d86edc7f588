// The administrator PIN of a tablet: the one rule every entry point applies (`pingyi tablet
// init`, `tablet change-pin`, `tablet reset-pin`, the kiosk's keypad and its change-PIN field),
// and the kiosk's back-off schedule for wrong PINs. Pure: no clock, no store.
#pragma once

#include "core/result.hpp"

#include <chrono>
#include <cstddef>
#include <string_view>

namespace pingyi {

inline constexpr std::size_t kPinMinDigits = 6;
inline constexpr std::size_t kPinMaxDigits = 12; // the kiosk's keypad takes no more
inline constexpr int kPinMaxFailures = 10;       // wrong PINs in a row before the kiosk locks

// Accepts 6 to 12 ASCII digits (counted as characters, not bytes) that are not obvious: not one
// digit repeated, not an ascending or descending run (123456, 654321, 890123), not a short
// group repeated (121212, 123123, 12341234), not one of the commonest PINs (112233, 5201314, ...).
// Errors (kind Invalid), each naming the problem: pin.bad_text (not UTF-8), pin.not_digit
// {character, U+XXXX}, pin.too_short {length, min}, pin.too_long {length, max},
// pin.same_digit, pin.run, pin.repeated_group, pin.common. Nothing of the PIN is echoed except
// the one offending non-digit character.
Status checkPin(std::string_view pin);

// The wait before the next PIN may be tried after `failures` wrong PINs in a row: none for the
// first three, then 5 s, 15 s, 1 min, 5 min, 15 min, 1 h. At kPinMaxFailures the kiosk locks
// instead (no more tries at all).
std::chrono::milliseconds pinDelayAfter(int failures);

} // namespace pingyi
