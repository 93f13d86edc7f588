// The count (计分): ballots reduced to scores exactly as ARCHITECTURE.md defines them, in exact
// integer arithmetic, rounded once (half up, 2 decimals) when published. Pure: the collector
// feeds decrypted ballots in any order; nothing here keeps a ballot or its order.
#pragma once

#include "core/ballot.hpp"
#include "core/campaign.hpp"

#include <gmpxx.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pingyi {

// An exact rational (GMP): scores are sums of fractions whose common denominator is the lcm of
// every distinct Σ w_i a ballot can have, which outgrows any fixed width after a few hundred
// ballots of a weighted questionnaire with 不了解. GMP has no such limit.
using Fraction = mpq_class;
// Rounds a non-negative fraction half up to hundredths (45.125 -> 4513).
std::int64_t roundHundredths(const Fraction& f);
std::string formatHundredths(std::int64_t h); // 4513 -> "45.13"

// Running sums for one subject in one group and category. v(b,s) = Σ w_i f_i / Σ w_i, kept
// exactly as integer numerators grouped by their denominator Σ w_i, so adding a ballot costs
// one small-integer addition however many ballots came before. Bounds: campaign check allows
// at most 30 items of weight <= 100, so Σ w_i f_i <= 3,000,000 per ballot and a 64-bit sum
// holds more than 6·10^12 ballots.
// One ballot's exact value v(b,s) = num / den (f in per-mille), reduced; num <= 3,000,000 and
// den <= 3,000, so the cross products of ValueLess fit in 64 bits.
struct BallotValue {
    std::uint64_t num = 0;
    std::uint32_t den = 1;
};
struct ValueLess {
    bool operator()(const BallotValue& a, const BallotValue& b) const {
        return a.num * b.den < b.num * a.den;
    }
};
struct ScoreAcc {
    std::uint64_t ballots = 0;                     // ballots that answered >= 1 item
    std::map<std::uint32_t, std::uint64_t> by_den; // Σ w_i f_i (f in per-mille) per Σ w_i
    // Only in a group with a trimmed mean (Group::scoring.trim): how many ballots gave each
    // exact value. A histogram by value keeps no order of casting, and it is all the trim needs
    // to drop the extremes exactly without keeping a ballot.
    std::map<BallotValue, std::uint64_t, ValueLess> values;
    void merge(const ScoreAcc& o);
};
// Σ_b v(b,s) over the ballots of acc, exactly, with f in per-mille (so in 0 .. 1000·ballots).
Fraction valueSum(const ScoreAcc& acc);
// weight x mean v, as an exact fraction (f in per-mille, so divided by 1000). nullopt: no ballot.
std::optional<Fraction> groupScore(const ScoreAcc& acc, std::uint32_t weight);

struct ItemAcc {
    std::vector<std::uint64_t> levels; // count per scale level
    std::uint64_t unknown = 0;         // 不了解
    std::uint64_t permille_sum = 0;
};

// Everything the count accumulates; merge() combines the partial tallies of worker threads.
class Tally {
  public:
    explicit Tally(const Campaign& c);
    // Adds one valid ballot cast with a token of `category`. The ballot must have come from
    // decodeBallot() against the same campaign.
    void add(const Ballot& b, const std::string& category);
    void merge(const Tally& o);

    // Key: subject index, group id, category id.
    const std::map<std::tuple<std::size_t, std::string, std::string>, ScoreAcc>& scores() const {
        return scores_;
    }
    // Key: subject index, group id, item index.
    const std::map<std::tuple<std::size_t, std::string, std::size_t>, ItemAcc>& items() const {
        return items_;
    }
    // Key: meeting id, category id -> valid ballots.
    const std::map<std::pair<std::string, std::string>, std::uint64_t>& composition() const {
        return composition_;
    }
    std::uint64_t ballots() const { return ballots_; }

  private:
    const Campaign* c_;
    // Worked out once from the campaign: each meeting's id, group and group index, and each
    // subject's questionnaire.
    struct MeetingGroup {
        std::string id, group;
        std::size_t group_index = 0;
        bool trims = false; // the group has a trimmed mean: keep the histogram of values
    };
    std::vector<MeetingGroup> meetings_;
    std::vector<const Questionnaire*> questionnaire_;
    // Pointers into items_ for each (subject, group index), made on first use. Nodes of a
    // std::map never move, not even when the map is moved; a copy starts without pointers.
    struct ItemSlots {
        std::vector<std::vector<ItemAcc*>> slots;
        ItemSlots() = default;
        ItemSlots(const ItemSlots&) {}
        ItemSlots& operator=(const ItemSlots&) {
            slots.clear();
            return *this;
        }
        ItemSlots(ItemSlots&&) noexcept = default;
        ItemSlots& operator=(ItemSlots&&) noexcept = default;
    } item_slots_;
    std::map<std::tuple<std::size_t, std::string, std::string>, ScoreAcc> scores_;
    std::map<std::tuple<std::size_t, std::string, std::size_t>, ItemAcc> items_;
    std::map<std::pair<std::string, std::string>, std::uint64_t> composition_;
    std::uint64_t ballots_ = 0;
};

// Paper scores: a unit whose group voted on paper (usually its self-appraisal) supplies each
// subject's score for that group.
struct PaperSelf {
    std::string subject;
    std::string group = "self";
    std::int64_t hundredths = 0; // 0 .. weight*100
    std::uint64_t ballots = 0;
};

struct SubjectResult {
    std::size_t subject = 0;
    std::map<std::string, std::optional<std::int64_t>> group_scores; // hundredths per group
    std::map<std::string, std::uint64_t> group_ballots;
    std::optional<std::int64_t> final; // hundredths; nullopt if a group of the unit is missing
    std::optional<std::uint32_t> rank;
    bool bottom = false;
    bool paper_self = false;
    // Per group, per category: ballots and score, or nullopt when suppressed (fewer than 5
    // ballots, or needed to stop subtraction from revealing such a category).
    struct CategoryCell {
        std::uint64_t ballots = 0;
        std::optional<std::int64_t> score;
        bool suppressed = false;
    };
    std::map<std::string, std::map<std::string, CategoryCell>> categories;
    // What the group's scoring rules did (Group::scoring), per group id.
    struct GroupNote {
        bool insufficient = false; // fewer valid ballots than min_subject_ballots: no score
        std::uint64_t trimmed = 0; // ballots dropped by the trimmed mean (both ends together)
        std::vector<std::size_t> classes_left_out; // category_weights entries with no ballot
                                                   // (the others renormalised)
        bool operator==(const GroupNote&) const = default;
    };
    std::map<std::string, GroupNote> notes;
};

struct QuotaResult {
    std::vector<std::string> categories;
    std::uint32_t percent = 0;
    std::int64_t actual_hundredths = 0; // actual share in hundredths of a percent
    bool pass = false;
};
struct MeetingComposition {
    MeetingRef meeting;
    std::uint64_t total = 0;
    std::map<std::string, std::uint64_t> categories;
    std::vector<QuotaResult> quotas;
    bool min_pass = true;
    bool pass = true;
};

struct UnitResult {
    std::string unit;
    // In rank order; equal ranks and the unranked (last) in the campaign's subject_order.
    std::vector<SubjectResult> subjects;
    std::vector<MeetingComposition> composition;
};

inline constexpr std::uint64_t kSuppressBelow = 5;

// Scores, ranks (1, 2, 2, 4 on equal rounded finals), bottom flags, category suppression and
// the composition check for every unit. Exact for any number of ballots. Error:
// tally.paper_and_ballots (a unit's group has both paper scores and electronic ballots).
//
// A group's scoring rules (Group::scoring) act here and only here, in this order, on the valid
// ballots of one subject in one group (SubjectResult::notes says what they did):
// 1. min_subject_ballots: fewer ballots -> no score for the group (notes.insufficient), and so
//    no final and no rank, as for a missing group.
// 2. The ballots fall into classes: the category_weights entries, or one class of every
//    category. A class with no ballot is left out (notes.classes_left_out, entry indices) and
//    the others' shares are renormalised to 100 %.
// 3. trim, within each class: drop the n (or floor(p % x the class's ballots)) lowest and as
//    many highest v(b,s), only if at least max(min_remaining, 1) ballots remain, else none.
//    Trimming within the class, not across the group, is deliberate: values tie across
//    categories, and which category lost a dropped ballot would otherwise be arbitrary, while
//    the class shares need to know. Without category_weights the class is the whole group.
// 4. score = weight x Σ_classes share x mean v over the class's remaining ballots.
// Per-category cells (SubjectResult::categories) stay the plain mean of each category.
Result<std::vector<UnitResult>> computeResults(const Campaign& c, const Tally& t,
                                               const std::vector<PaperSelf>& paper);

// The composition check of one meeting (minimum ballots and category quotas with their
// tolerance) from its valid ballots per category; computeResults uses it, and so does the
// console's live view on the envelopes held before the count.
MeetingComposition composeMeeting(const Campaign& c, const MeetingRef& meeting,
                                  const std::map<std::string, std::uint64_t>& per_category);

} // namespace pingyi
