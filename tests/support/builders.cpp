#include "support/builders.hpp"

#include "core/crypto.hpp"

namespace pingyi::test {

Fixture::Fixture(std::size_t per_category, Campaign c) : campaign(std::move(c)) {
    PackageBody body;
    body.campaign = campaign;
    body.organiser = keys.organiser.pk;
    body.collector_box = keys.collector_box.pk;
    body.collector_sign = keys.collector_sign.pk;
    for (auto& m : campaign.meetings()) {
        for (auto& cat : campaign.group(m.group)->categories) {
            TokenSet set{m.id(), cat.id, {}};
            for (std::size_t i = 0; i < per_category; ++i) {
                Token t = newToken();
                set.tags.push_back(tokenTag(campaign.id, t));
                tokens.push_back({TokenPlace{m, cat.id}, t});
            }
            body.tokens.push_back(std::move(set));
        }
    }
    auto p = decodePackage(encodePackage(body, keys.organiser.sk));
    package = std::move(p.value());
}

Token Fixture::token(const std::string& meeting, const std::string& category,
                     std::size_t nth) const {
    for (auto& [place, t] : tokens)
        if (place.meeting.id() == meeting && place.category == category && nth-- == 0) return t;
    return Token{};
}

std::set<std::string> allMeetings(const Campaign& c) {
    std::set<std::string> out;
    for (auto& m : c.meetings())
        out.insert(m.id());
    return out;
}

Answers uniformAnswers(const Campaign& c, const std::string& unit,
                       std::optional<std::string> level) {
    Answers a;
    for (auto si : c.subjectsOf(unit)) {
        const Subject& s = c.subjects[si];
        for (auto& item : c.questionnaire(s.questionnaire)->items)
            a.ratings[s.id][item.id] = level;
    }
    return a;
}

} // namespace pingyi::test

#include <fstream>
#include <iterator>

namespace pingyi::test {

TempDir::TempDir() {
    std::uint8_t r[8];
    randomBytes(r);
    path = std::filesystem::temp_directory_path() / ("pingyi-test-" + toHex(r));
    std::filesystem::create_directories(path);
}

TempDir::~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
}

bool anyFileContains(const std::filesystem::path& dir, std::string_view needle) {
    for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        std::ifstream in(e.path(), std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (data.find(needle) != std::string::npos) return true;
    }
    return false;
}

} // namespace pingyi::test
