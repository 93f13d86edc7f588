// The public results document (README: "Results JSON"), built from the count. Pure.
#pragma once

#include "core/crypto.hpp"
#include "core/tally.hpp"

#include <nlohmann/json.hpp>

namespace pingyi {

struct Accounting {
    std::uint64_t received = 0;                           // envelopes held
    std::uint64_t counted = 0;                            // opened, valid and counted
    std::uint64_t invalid = 0;                            // opened but set aside
    std::map<std::string, std::uint64_t> invalid_reasons; // catalog id -> how many
    std::uint64_t conflicts = 0;                          // tokens used on two tablets
    std::uint64_t conflicts_resolved = 0;                 // decided by staff
    std::uint64_t conflict_envelopes_excluded = 0;
    std::uint64_t missing = 0; // named by a tablet ledger, not held
};

nlohmann::json resultsJson(const Campaign& c, const Hash32& digest,
                           const std::vector<UnitResult>& units, const Tally& tally,
                           const Accounting& acc, const std::vector<std::string>& receipts);

// A score in hundredths as a JSON number with 2 decimals (4513 -> 45.13), or null.
nlohmann::json scoreJson(std::optional<std::int64_t> hundredths);

} // namespace pingyi

namespace pingyi {

// Signatures on a results document live in its "signatures" array. Each signs
//   "pingyi-results/1" \n role \n unit \n canonical(results without "signatures")
// where canonical is the compact JSON with sorted keys.
struct ResultSignature {
    std::string role; // "collector" or "unit-head"
    std::string unit; // unit id for unit-head signatures, "" for the collector
    std::string label;
    PublicKey key{};
    bool valid = false;
};

// Adds a signature (replacing an earlier one by the same key for the same unit).
void signResults(nlohmann::json& results, const std::string& role, const std::string& unit,
                 const std::string& label, const PublicKey& pk, const Secret& sk);
// Checks every signature; a malformed entry is returned as invalid. Error: results.bad_document.
Result<std::vector<ResultSignature>> verifyResults(const nlohmann::json& results);

} // namespace pingyi
