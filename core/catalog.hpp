// The message catalog: every string a person reads, in simplified Chinese (the default)
// and English. Messages take positional arguments {0}, {1}, ...
#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pingyi {

enum class Lang { Zh, En };

struct CatalogEntry {
    const char* id;
    const char* zh;
    const char* en;
};

// The whole catalog (for tests and for building font glyph ranges).
std::span<const CatalogEntry> catalogEntries();

// The message for id in lang with args substituted. An unknown id renders as "[id]" so a
// missing entry is visible, never silently empty.
std::string tr(Lang lang, std::string_view id, const std::vector<std::string>& args = {});
std::string describe(const Error& e, Lang lang);
bool hasMessage(std::string_view id);

// A count of ballots as Chinese text says it: 两张, 三张, … 十张, then 11张 (for messages that
// read "这三张都不计入").
std::string chineseBallotCount(std::uint64_t n);

// PINGYI_LANG=en selects English; anything else (or unset) is Chinese.
Lang langFromName(std::string_view name);

} // namespace pingyi
