// The rules of an office's plan that act on one ballot or on a list of subjects: the grade quota
// (优秀等次比例) and the subject order (姓氏笔画). The scoring rules (category weights, trimmed
// mean, minimum ballots) act on the whole count, in computeResults (core/tally).
#pragma once

#include <functional>

#include "core/ballot.hpp"
#include "core/campaign.hpp"
#include "core/catalog.hpp"
#include "core/result.hpp"
#include "core/tally.hpp"

#include <cstdint>
#include <string_view>
#include <vector>

namespace pingyi {

// One item on which a ballot gives the grade quota's level to more subjects than allowed.
struct GradeQuotaExcess {
    const Questionnaire* questionnaire = nullptr;
    std::size_t item = 0;              // index into questionnaire->items
    std::uint32_t allowed = 0;         // gradeQuotaAllowed(c, n)
    std::vector<std::size_t> subjects; // campaign subject indices given the level, listed order
};

// How many of n subjects sharing a questionnaire one ballot may give the quota's level on one
// item: max(1, floor(percent x n / 100)); n when the campaign has no quota (percent 0).
std::uint32_t gradeQuotaAllowed(const Campaign& c, std::size_t n);

// Every item over the quota, in the order of the unit's questionnaires and their items; empty
// when the campaign has no quota or the ballot keeps it. n counts the subjects of the meeting's
// unit that share the item's questionnaire. Ratings naming no subject of the unit or no item
// are ignored here (buildBallot reports them).
std::vector<GradeQuotaExcess> checkGradeQuota(const Campaign& c, const MeetingRef& meeting,
                                              const Answers& answers);
// The same for a decoded ballot (decodeBallot guarantees every subject of the unit is present).
std::vector<GradeQuotaExcess> checkGradeQuota(const Campaign& c, const Ballot& ballot);

// The message for one excess: ballot.grade_quota {item id, item name, level name, allowed,
// given, "S01 王建国、S02 李秀英" in subject order}.
Error gradeQuotaError(const Campaign& c, const GradeQuotaExcess& e);

// The subjects of a unit (indices into c.subjects) in the campaign's subject_order: as listed,
// or by name with ICU's Chinese stroke collation (zh@collation=stroke: surname stroke count,
// then stroke order, then the next characters), equal names in listed order. If ICU cannot
// open that collator the listed order is returned (the order never blocks a ballot).
std::vector<std::size_t> orderedSubjectsOf(const Campaign& c, std::string_view unit);

// `names` (UTF-8) sorted by stroke as above, as a permutation of their indices; the listed
// order when ICU cannot open the collator.
std::vector<std::size_t> strokeOrder(const std::vector<std::string>& names);

// A category's display name within its group, by id.
using CategoryNames = std::function<std::string(const std::string& category_id)>;
// One group's scoring rules in words (category weights, trim, minimum), one line each; the
// campaign check and every report's "计分规则" note use these.
std::vector<std::string> describeGroupScoring(const std::string& group_name, const GroupScoring& r,
                                              const CategoryNames& names, Lang lang);
std::string describeGradeQuota(const std::string& level_name, std::uint32_t percent, Lang lang);
// What the rules did to one subject's score in a group, in words (empty: nothing to say).
std::vector<std::string> describeGroupNote(const GroupScoring& r,
                                           const SubjectResult::GroupNote& note,
                                           const CategoryNames& names, Lang lang);

// The plan's rules in words, one line each (catalog strings rules.*): per group its category
// weights, trim and minimum; the grade quota; the subject order. Empty when the campaign sets
// none. For the "计分规则" note of the reports and for `campaign check`.
std::vector<std::string> describeRules(const Campaign& c, Lang lang);

// What the rules did to one subject's group score (SubjectResult::GroupNote) in words, e.g.
// "票数不足" or "去掉最高、最低分共 2 张"; empty when they did nothing worth saying.
std::vector<std::string> describeNote(const Campaign& c, const Group& g,
                                      const SubjectResult::GroupNote& note, Lang lang);

} // namespace pingyi
