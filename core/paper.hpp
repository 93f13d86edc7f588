// Paper self-appraisal scores (a unit that voted on paper): a CSV of subject and self score,
// validated like every other input.
#pragma once

#include "core/campaign.hpp"
#include "core/tally.hpp"

namespace pingyi {

struct PaperSelfImport {
    std::vector<PaperSelf> rows;
    std::vector<Error> problems; // every problem, each naming the file and row
};

// Columns: 编号/对象编号/id/subject, 自评得分/得分/self/score, 票数/ballots (optional),
// 组别/评议组/group (optional: the group id the scores are for; empty or absent: "self").
// Scores are numbers from 0 to that group's weight with at most 2 decimals.
PaperSelfImport parsePaperSelfCsv(std::string_view file_bytes, const std::string& name,
                                  const Campaign& c);

} // namespace pingyi
