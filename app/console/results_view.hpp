// The results document (core/results.hpp) and the comments of a count, read once into rows the
// results screen shows.
#pragma once

#include "core/catalog.hpp"
#include "platform/count.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pingyi::console {

struct ItemGroupView {
    std::string group;                 // group id
    std::optional<double> mean;        // 0..100
    std::string mean_text;             // "86.50", or empty
    std::vector<std::uint64_t> levels; // per scale level
    std::uint64_t unknown = 0;
};
struct ItemView {
    std::string name, name_en;
    std::vector<ItemGroupView> groups;
};
struct SubjectView {
    std::string id, name, position;
    // Per group of the unit, in UnitView::groups order: as published ("45.13"), 票数不足, or
    // empty; and the value for sorting.
    std::vector<std::string> scores;
    std::vector<std::optional<double>> score_v;
    std::string final, remark;     // final as published, or empty; 整改 and the rules' notes
    std::optional<double> final_v; // for sorting
    std::optional<std::int64_t> rank;
    bool bottom = false;
    std::vector<ItemView> items;
};
struct CompositionView {
    std::string meeting, group;
    std::uint64_t total = 0, min_ballots = 0;
    std::vector<std::pair<std::string, std::uint64_t>> categories;
    std::vector<std::string> quotas; // "categories: required% / actual%"
    bool pass = true;
};
struct UnitView {
    std::string id, name;
    std::vector<std::string> groups, group_names, group_names_en;
    std::vector<SubjectView> subjects; // in rank order
    std::vector<CompositionView> composition;
    std::vector<std::string> problems; // why the ranking breaks the rules (compositionProblems)
};
struct ResultsView {
    std::string campaign;
    std::vector<std::string> levels, levels_en; // level names
    std::string unknown, unknown_en;            // 不了解
    std::vector<UnitView> units;
    std::vector<std::pair<std::string, std::uint64_t>> accounting; // catalog id, value
    std::size_t receipts = 0;
    std::vector<CommentOut> comments;                                    // shuffled by the count
    std::map<std::string, std::vector<std::size_t>> comments_by_subject; // subject id -> indices
    std::vector<std::string> signatures;                                 // "role unit label"
};

// With the campaign (optional), items keep the questionnaire's order and get their English names.
ResultsView buildResultsView(const ResultsDocument& results, std::vector<CommentOut> comments,
                             const Campaign* campaign = nullptr, Lang lang = Lang::Zh);

} // namespace pingyi::console
