// What follows the count, shared by the CLI and the console: counting and signing as the
// collector, writing the report files, reading a results file, a unit head's signature, and
// checking a results file. Each returns errors that name the input; none prints.
#pragma once

#include "core/catalog.hpp"
#include "platform/count.hpp"
#include "platform/keyfile.hpp"

#include <optional>

namespace pingyi {

// runCount with the collector's keys (role checked: key.wrong_role), the results signed by the
// collector, and both results and comments saved in the store.
Result<CountOutput> countAndSign(CollectorStore& store, const SecretKeys& collector,
                                 const CountOptions& opts);

// The comments of the last count as saved in the store (empty if none), unsafe characters
// escaped (a store counted by an older version may hold them raw).
Result<std::vector<CommentOut>> storedComments(const CollectorStore& store);
// The results of the last count as saved in the store. Error: results.not_counted.
Result<ResultsDocument> storedResults(const CollectorStore& store);

// Whether the last count still describes the store: nothing it reads (envelopes, decisions,
// paper scores, token additions) has changed since. Error: results.not_counted.
struct Freshness {
    bool current = false;
    std::optional<StoreMark> counted; // unset: counted by a version that kept no mark
    StoreMark now;
    // In words, for every screen and the CLI: "计票后又收到 11 张选票信封；…" (empty if current).
    std::vector<std::string> reasons(Lang lang) const;
};
Result<Freshness> resultsFreshness(const CollectorStore& store);

struct ReportSet {
    bool json = true, csv = true, xlsx = true, html = true, receipts = true, comments = true;
};
// Writes DIR/results.json, .csv, .xlsx, .html, receipts.txt and comments.csv (those chosen;
// comments.csv only if `comments` is given, unsafe characters escaped), each atomically.
Status writeReports(const ResultsDocument& results, const std::vector<CommentOut>* comments,
                    const fs::path& dir, Lang lang, const ReportSet& which = {});
// One results file in a format: "json", "csv", "xlsx" or "html".
Status writeResultsAs(const ResultsDocument& results, std::string_view format, const fs::path& out,
                      Lang lang);
// The published receipt list: one counted receipt code a line.
std::string receiptList(const ResultsDocument& results);
// The document as written to results.json (canonical JSON, indented).
std::string resultsFileText(const ResultsDocument& results);

// Reads a results file strictly (decodeResults; its errors name the file).
Result<ResultsDocument> readResultsFile(const fs::path& file);

// Signs one unit's ranking with the unit head's key, after checking the unit exists
// (results.unknown_unit), the key's role (key.wrong_role) and that every signature already on
// the document verifies (results.bad_signature). The document is changed only on success.
// A unit whose ballots do not meet their rules (ResultsUnit::compositionPasses) is signed only
// with confirm_noncompliant (else results.noncompliant_unconfirmed), and the signature records
// the confirmation.
Status signUnit(ResultsDocument& results, const std::string& unit, const SecretKeys& head,
                bool confirm_noncompliant = false);

// The outcome of checking a results document.
struct VerifyCheck {
    ResultSignature signature;
    bool ok = false; // valid, and by the expected key where one was given
};
struct VerifyOutcome {
    std::vector<VerifyCheck> signatures;
    bool collector_missing = false;     // a package was given and no collector signature verifies
    std::optional<std::string> receipt; // the code checked (upper case), if one was given
    bool receipt_counted = false;
    bool ok = false; // everything checked is fine
};
// `package` (optional) must be the one the results name (verify.other_package); `head`
// (optional) is the expected unit-head key; `receipt` (optional, any case) is looked up in the
// counted list.
Result<VerifyOutcome> verifyResultsDocument(const ResultsDocument& results, const Package* package,
                                            const PublicKeys* head, const std::string& receipt);

} // namespace pingyi
