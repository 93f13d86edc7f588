#include "platform/publish.hpp"

#include "core/csv.hpp"
#include "core/json_util.hpp"
#include "core/text.hpp"
#include "platform/report.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace pingyi {

Result<CountOutput> countAndSign(CollectorStore& store, const SecretKeys& collector,
                                 const CountOptions& opts) {
    if (collector.pub.role != KeyRole::Collector)
        return Error::make(ErrorKind::Invalid, "key.wrong_role",
                           {keyRoleName(collector.pub.role), "collector"});
    auto out = runCount(store, collector.box, opts);
    if (!out) return out.error();
    signResults(out->results, "collector", "", collector.pub.label, collector.pub.sign,
                collector.sign_sk);
    PY_TRY(saveCount(store, *out));
    return out;
}

Result<std::vector<CommentOut>> storedComments(const CollectorStore& store) {
    auto text = store.result("comments");
    if (!text) return text.error();
    std::vector<CommentOut> out;
    if (!*text) return out;
    auto j = nlohmann::json::parse(**text, nullptr, false);
    if (!j.is_array()) return out;
    for (auto& c : j)
        if (c.is_object())
            out.push_back({jsonText(c, "subject"), escapeUnsafeChars(jsonText(c, "text"))});
    return out;
}

Result<ResultsDocument> storedResults(const CollectorStore& store) {
    auto text = store.result("results");
    if (!text) return text.error();
    if (!*text) return Error::make(ErrorKind::NotFound, "results.not_counted");
    return decodeResultsText(**text, (store.dir() / "collector.db").string());
}

Result<Freshness> resultsFreshness(const CollectorStore& store) {
    auto saved = store.result("results");
    if (!saved) return saved.error();
    if (!*saved) return Error::make(ErrorKind::NotFound, "results.not_counted");
    auto state = store.result("state");
    if (!state) return state.error();
    auto now = store.mark();
    if (!now) return now.error();
    Freshness f;
    f.now = *now;
    if (*state) f.counted = StoreMark::parse(**state);
    f.current = f.counted && *f.counted == f.now;
    return f;
}

std::vector<std::string> Freshness::reasons(Lang lang) const {
    std::vector<std::string> out;
    if (current) return out;
    if (!counted) return {tr(lang, "results.stale_unknown")};
    if (now.envelopes != counted->envelopes)
        out.push_back(tr(lang, "results.stale_envelopes",
                         {std::to_string(now.envelopes - counted->envelopes),
                          std::to_string(counted->envelopes), std::to_string(now.envelopes)}));
    if (now.decisions != counted->decisions) out.push_back(tr(lang, "results.stale_decisions"));
    if (now.paper != counted->paper) out.push_back(tr(lang, "results.stale_paper"));
    if (now.additions != counted->additions) out.push_back(tr(lang, "results.stale_additions"));
    return out;
}

std::string receiptList(const ResultsDocument& results) {
    std::string out;
    for (auto& r : results.receipts)
        out += r + "\n";
    return out;
}

std::string resultsFileText(const ResultsDocument& results) {
    return encodeResults(results).dump(2) + "\n";
}

Status writeReports(const ResultsDocument& results, const std::vector<CommentOut>* comments,
                    const fs::path& dir, Lang lang, const ReportSet& which) {
    PY_TRY(ensureDirectory(dir));
    if (which.json) PY_TRY(writeFileAtomic(dir / "results.json", resultsFileText(results)));
    if (which.csv) PY_TRY(writeFileAtomic(dir / "results.csv", resultsCsv(results, lang)));
    if (which.xlsx) PY_TRY(writeResultsXlsx(results, lang, dir / "results.xlsx"));
    if (which.html) PY_TRY(writeFileAtomic(dir / "results.html", resultsHtml(results, lang)));
    if (which.receipts) PY_TRY(writeFileAtomic(dir / "receipts.txt", receiptList(results)));
    if (comments && which.comments) {
        std::vector<std::vector<std::string>> rows{
            {tr(lang, "comments.csv_subject"), tr(lang, "comments.csv_text")}};
        for (auto& c : *comments)
            rows.push_back({c.subject, escapeUnsafeChars(c.text)});
        PY_TRY(writeFileAtomic(dir / "comments.csv", writeCsv(rows, true), true));
    }
    return {};
}

Status writeResultsAs(const ResultsDocument& results, std::string_view format, const fs::path& out,
                      Lang lang) {
    if (format == "json") return writeFileAtomic(out, resultsFileText(results));
    if (format == "csv") return writeFileAtomic(out, resultsCsv(results, lang));
    if (format == "xlsx") return writeResultsXlsx(results, lang, out);
    return writeFileAtomic(out, resultsHtml(results, lang));
}

Result<ResultsDocument> readResultsFile(const fs::path& file) {
    auto text = readTextFile(file);
    if (!text) return text.error();
    return decodeResultsText(*text, file.string());
}

Status signUnit(ResultsDocument& results, const std::string& unit, const SecretKeys& head,
                bool confirm_noncompliant) {
    const ResultsUnit* u = results.unit(unit);
    if (!u) return Error::make(ErrorKind::Invalid, "results.unknown_unit", {unit});
    if (head.pub.role != KeyRole::UnitHead)
        return Error::make(ErrorKind::Invalid, "key.wrong_role",
                           {keyRoleName(head.pub.role), "unit-head"});
    // Only a document whose existing signatures verify is signed again.
    for (auto& s : verifyResults(results))
        if (!s.valid)
            return Error::make(ErrorKind::Forged, "results.bad_signature", {s.role, s.unit});
    // A ranking whose ballots break the rules is signed only with the signer's explicit
    // confirmation, which the signature records.
    bool fails = !u->compositionPasses();
    if (fails && !confirm_noncompliant)
        return Error::make(ErrorKind::Invalid, "results.noncompliant_unconfirmed", {unit});
    signResults(results, "unit-head", unit, head.pub.label, head.pub.sign, head.sign_sk, fails);
    return {};
}

Result<VerifyOutcome> verifyResultsDocument(const ResultsDocument& results, const Package* package,
                                            const PublicKeys* head, const std::string& receipt) {
    auto sigs = verifyResults(results);
    std::optional<PublicKey> collector;
    if (package) {
        if (package->digest != results.package_digest)
            return Error::make(ErrorKind::Forged, "verify.other_package");
        collector = package->body.collector_sign;
    }
    VerifyOutcome out;
    out.ok = true;
    bool collector_seen = false;
    for (auto& s : sigs) {
        bool ok = s.valid;
        if (s.role == "collector" && collector) ok = ok && s.key == *collector;
        if (s.role == "collector") collector_seen = collector_seen || ok;
        if (s.role == "unit-head" && head) ok = ok && s.key == head->sign;
        out.ok = out.ok && ok;
        out.signatures.push_back({s, ok});
    }
    if (collector && !collector_seen) {
        out.collector_missing = true;
        out.ok = false;
    }
    if (!receipt.empty()) {
        std::string code = receipt;
        for (auto& ch : code)
            ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        bool counted = std::find(results.receipts.begin(), results.receipts.end(), code) !=
                       results.receipts.end();
        out.receipt = code;
        out.receipt_counted = counted;
        if (!counted) out.ok = false;
    }
    return out;
}

} // namespace pingyi
