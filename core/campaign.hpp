// The campaign (评议活动): units, subjects, questionnaires, scale, groups and categories,
// ranking rules. Parsed from the human-editable campaign source (JSON) with every problem
// reported at once, each naming its path ("subjects[3].unit").
#pragma once

#include "core/result.hpp"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace pingyi {

inline constexpr const char* kCampaignFormat = "pingyi-campaign/1";
inline constexpr std::uint8_t kUnknownLevel = 0xFF; // 不了解 in a ballot

struct Level {
    std::string id, name, name_en;
    std::uint32_t permille = 0; // point fraction x 1000 (优秀 = 1000)
};
struct Scale {
    std::vector<Level> levels;
    std::string unknown_name = "不了解", unknown_name_en = "Cannot judge";
};
struct Item {
    std::string id, name, name_en, description;
    std::uint32_t weight = 1;
};
struct Questionnaire {
    std::string id, name, name_en;
    std::vector<Item> items;
};
struct Category {
    std::string id, name, name_en;
};
struct Quota {
    std::vector<std::string> categories; // these categories together...
    std::uint32_t percent = 0;           // ...make up this share of the group's ballots
};
// Scoring rules an office may write into its plan (all optional; the defaults are one ballot,
// one weight, a plain mean, no minimum). Applied in one place: computeResults (core/tally).
struct ClassWeight {
    std::vector<std::string> categories; // these categories pooled together...
    std::uint32_t percent = 0;           // ...weigh this share of the group's score
};
struct Trim { // 去掉最高分和最低分: drop the highest and lowest per-ballot values v(b,s)
    std::uint32_t count = 0;         // n from each end, or
    std::uint32_t percent = 0;       // p % of the ballots (rounded down) from each end
    std::uint32_t min_remaining = 0; // only when at least this many ballots remain
};
struct GroupScoring {
    std::vector<ClassWeight> category_weights; // empty: every ballot weighs the same
    Trim trim;                                 // count == percent == 0: no trimming
    std::uint32_t min_subject_ballots = 0;     // fewer valid ballots: no score (票数不足)
};
struct Group {
    std::string id, name, name_en;
    std::uint32_t weight = 50; // points
    std::vector<Category> categories;
    std::uint32_t min_ballots = 0;
    std::vector<Quota> quotas;
    std::uint32_t tolerance_percent = 0; // allowed deviation from each quota, in points of %
    GroupScoring scoring;
};
// 优秀等次比例: on each item, at most percent % of the meeting's subjects (rounded down, at
// least 1) may be given `level` on one ballot. percent == 0: no quota.
struct GradeQuota {
    std::string level; // a scale level id
    std::uint32_t percent = 0;
};
// The order subjects are shown in on the tablet and in lists (rankings stay by score).
enum class SubjectOrder : std::uint8_t {
    Listed, // as listed in the campaign
    Stroke, // by surname stroke count (姓氏笔画), ICU's Chinese stroke collation
};
struct UnitDef {
    std::string id, name;
    std::vector<std::string> groups; // which groups vote in this unit
};
struct Subject {
    std::string id, unit, name, position, questionnaire, report, commitments;
};
struct RankingRule {
    std::uint32_t bottom_count = 1;   // flag the last N ...
    std::uint32_t bottom_percent = 0; // ... or the last p % (rounded up); the larger applies
};
struct Limits {
    std::uint32_t comment_chars = 200;        // per subject
    std::uint32_t ballot_comment_chars = 600; // per ballot, all subjects together
};

// A meeting (测评会): one unit x one group. Tokens and ballots belong to a meeting.
struct MeetingRef {
    std::string unit, group;
    std::string id() const { return unit + "/" + group; }
};

struct Campaign {
    std::string id, name;
    Scale scale;
    std::vector<Questionnaire> questionnaires;
    std::vector<Group> groups;
    std::vector<UnitDef> units;
    std::vector<Subject> subjects;
    RankingRule ranking;
    Limits limits;
    GradeQuota grade_quota;
    SubjectOrder subject_order = SubjectOrder::Listed;

    const UnitDef* unit(std::string_view id) const;
    const Group* group(std::string_view id) const;
    const Questionnaire* questionnaire(std::string_view id) const;
    const Category* category(const Group& g, std::string_view id) const;
    std::vector<MeetingRef> meetings() const;
    std::optional<MeetingRef> meeting(std::string_view meeting_id) const;
    // Subjects of a unit, in campaign order, as indices into subjects.
    std::vector<std::size_t> subjectsOf(std::string_view unit) const;
    int subjectIndex(std::string_view id) const; // -1 if unknown
};

// All problems found, each an Error whose first argument is the JSON path.
struct CampaignParse {
    std::optional<Campaign> campaign; // set only when problems is empty
    std::vector<Error> problems;
};

CampaignParse parseCampaign(const nlohmann::json& source);
CampaignParse parseCampaignText(std::string_view json_text);
// The canonical JSON form (sorted keys, integers for fractions are written as numbers).
nlohmann::json campaignToJson(const Campaign& c);

// The seed campaign (市经济局, ../shared/seed): two chief units and an agency unit.
Campaign seedCampaign();

} // namespace pingyi
