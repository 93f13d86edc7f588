// The public results document (README: "Results JSON"): one typed value built from the count,
// with one strict encoder and decoder. Every report, the console's results view, the CLI's
// ranking table and the signatures read this type; nothing reads the JSON leniently. Pure.
#pragma once

#include "core/catalog.hpp"
#include "core/crypto.hpp"
#include "core/tally.hpp"

#include <nlohmann/json_fwd.hpp>

namespace pingyi {

inline constexpr const char* kResultsFormat = "pingyi-results/2";

struct Accounting {
    std::uint64_t received = 0;                           // envelopes held
    std::uint64_t counted = 0;                            // opened, valid and counted
    std::uint64_t invalid = 0;                            // opened but set aside
    std::map<std::string, std::uint64_t> invalid_reasons; // catalog id -> how many
    std::uint64_t conflicts = 0;                          // tokens used on two tablets
    std::uint64_t conflicts_resolved = 0;                 // decided by staff
    std::uint64_t conflict_envelopes_excluded = 0;
    std::uint64_t missing = 0; // named by a tablet ledger, not held
    bool operator==(const Accounting&) const = default;
};

// Scores are in hundredths (4513 = 45.13 points); nullopt is a missing score, never zero.
struct ResultsCategory {
    std::string id, name;
};
struct ResultsClass { // Group::scoring.category_weights, with the names of its categories
    std::vector<std::string> categories;
    std::uint32_t percent = 0;
    bool operator==(const ResultsClass&) const = default;
};
struct ResultsGroup {
    std::string id, name, name_en;
    std::uint32_t weight = 0;
    std::vector<ResultsCategory> categories;
    GroupScoring scoring; // the rules the score was computed with
};
struct ResultsItemCell {
    std::optional<std::int64_t> mean; // 0-100 scale, hundredths
    std::uint64_t answered = 0, unknown = 0;
    std::vector<std::uint64_t> levels; // per scale level, in the document's level order
    bool operator==(const ResultsItemCell&) const = default;
};
struct ResultsItem {
    std::string id, name;
    std::map<std::string, std::optional<ResultsItemCell>> groups; // per group id of the unit
    bool operator==(const ResultsItem&) const = default;
};
struct ResultsCategoryCell {
    std::uint64_t ballots = 0;
    std::optional<std::int64_t> score;
    bool suppressed = false;
    bool operator==(const ResultsCategoryCell&) const = default;
};
using ResultsGroupNote = SubjectResult::GroupNote; // what the scoring rules did
struct ResultsSubject {
    std::string id, name, position;
    // Per group id of the unit (every one present).
    std::map<std::string, std::optional<std::int64_t>> scores;
    std::map<std::string, std::uint64_t> ballots;
    std::map<std::string, ResultsGroupNote> notes;
    std::map<std::string, std::map<std::string, ResultsCategoryCell>> categories;
    std::optional<std::int64_t> final;
    std::optional<std::uint32_t> rank;
    bool bottom = false;
    bool paper_self = false;
    std::vector<ResultsItem> items;
    bool operator==(const ResultsSubject&) const = default;
};
struct ResultsQuota {
    std::vector<std::string> categories;
    std::uint32_t percent = 0;
    std::int64_t actual = 0; // hundredths of a percent
    bool pass = false;
    bool operator==(const ResultsQuota&) const = default;
};
struct ResultsMeeting {
    std::string meeting, group;
    std::uint64_t total = 0, min_ballots = 0;
    std::map<std::string, std::uint64_t> categories;
    std::vector<ResultsQuota> quotas;
    bool pass = false;
    bool operator==(const ResultsMeeting&) const = default;
};
struct ResultsUnit {
    std::string id, name;
    std::vector<ResultsGroup> groups; // the groups that vote in this unit, in campaign order
    RankingRule bottom_rule;
    std::vector<ResultsSubject> subjects; // in rank order
    std::vector<ResultsMeeting> composition;
    const ResultsGroup* group(std::string_view group_id) const; // nullptr if the unit has none
    bool compositionPasses() const;                             // every meeting meets its rules
};
struct ResultsLevel {
    std::string id, name;
    bool operator==(const ResultsLevel&) const = default;
};
struct ResultsSignature {
    std::string role; // "collector" or "unit-head"
    std::string unit; // unit id for unit-head signatures, "" for the collector
    std::string label;
    PublicKey key{};
    Signature signature{};
    // The signer saw that the unit's ballots do not meet its rules (compositionProblems) and
    // signed anyway; part of what is signed. Written only when true.
    bool confirmed_noncompliant = false;
};
struct ResultsDocument {
    std::string campaign, campaign_name;
    Hash32 package_digest{};
    std::vector<ResultsLevel> levels;
    GradeQuota grade_quota;
    std::vector<ResultsUnit> units;
    Accounting accounting;
    std::vector<std::string> receipts; // counted receipt codes, sorted
    std::vector<ResultsSignature> signatures;
    const ResultsUnit* unit(std::string_view unit_id) const; // nullptr if unknown
};

// The document of a count.
ResultsDocument buildResults(const Campaign& c, const Hash32& digest,
                             const std::vector<UnitResult>& units, const Tally& tally,
                             const Accounting& acc, const std::vector<std::string>& receipts);

// Canonical JSON: the same document gives the same bytes (dump()) everywhere; scores are
// numbers with 2 decimals, missing scores null.
nlohmann::json encodeResults(const ResultsDocument& doc);
// Strict: every field present with its type, nothing unknown, references consistent (a
// subject's groups are its unit's). Errors name `name` (a file) and the JSON path:
// results.field_missing, _unknown, _type, _value, _repeated, _groups, _reference; or
// results.not_json, results.old_format (naming the version found).
Result<ResultsDocument> decodeResults(const nlohmann::json& j,
                                      const std::string& name = "results.json");
Result<ResultsDocument> decodeResultsText(std::string_view text,
                                          const std::string& name = "results.json");

// Why a unit's ranking does not meet the campaign's rules, one sentence per failing meeting
// rule ("测评票构成不符合要求：社会测评 20 张，少于 30 张"); empty when every meeting passes.
std::vector<std::string> compositionProblems(const ResultsUnit& u, Lang lang);

// A score in hundredths as a JSON number with 2 decimals (4513 -> 45.13), or null.
nlohmann::json scoreJson(std::optional<std::int64_t> hundredths);

// Signatures: each signs
//   "pingyi-results/2" \n role \n unit \n encodeResults(document without signatures).dump()
// A signature that confirms a ranking which breaks its rules signs the line
//   "confirmed-noncompliant" \n
// between the unit line and the body.
// Adds a signature (replacing an earlier one by the same key for the same unit).
void signResults(ResultsDocument& doc, const std::string& role, const std::string& unit,
                 const std::string& label, const PublicKey& pk, const Secret& sk,
                 bool confirmed_noncompliant = false);
struct ResultSignature {
    std::string role, unit, label;
    PublicKey key{};
    bool valid = false;
    bool confirmed_noncompliant = false;
};
// Checks every signature on the document.
std::vector<ResultSignature> verifyResults(const ResultsDocument& doc);

} // namespace pingyi
