// Shared test builders: campaigns, keys, packages and answers made the same way everywhere.
#pragma once

#include "core/ballot.hpp"
#include "core/campaign.hpp"
#include "core/package.hpp"
#include "core/token.hpp"

#include <set>
#include <string>
#include <vector>

namespace pingyi::test {

struct Keys {
    SignKeyPair organiser = signKeyPair();
    BoxKeyPair collector_box = boxKeyPair();
    SignKeyPair collector_sign = signKeyPair();
};

// A campaign (the seed's unless given) with `per_category` tokens issued for every meeting and
// category.
struct Fixture {
    Keys keys;
    Campaign campaign = seedCampaign();
    std::vector<std::pair<TokenPlace, Token>> tokens;
    Package package;
    explicit Fixture(std::size_t per_category = 3, Campaign c = seedCampaign());
    // The first unused token of a meeting ("U1/social") and category.
    Token token(const std::string& meeting, const std::string& category, std::size_t nth = 0) const;
};

// Every meeting id of the campaign: TabletStore::closeMeetings(allMeetings(c)) lets each sync or
// export send all a tablet holds, for tests that are not about the release rule.
std::set<std::string> allMeetings(const Campaign& c);

// Answers rating every subject of the unit with `level` (nullopt = 不了解) on every item.
Answers uniformAnswers(const Campaign& c, const std::string& unit,
                       std::optional<std::string> level);

} // namespace pingyi::test

#include <filesystem>

namespace pingyi::test {

// A fresh directory under the system temp folder, removed at the end of the test.
struct TempDir {
    std::filesystem::path path;
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
};

// True if `needle` occurs anywhere in the bytes of any file under dir (for plaintext scans).
bool anyFileContains(const std::filesystem::path& dir, std::string_view needle);

} // namespace pingyi::test
