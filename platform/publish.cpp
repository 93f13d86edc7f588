#include "platform/publish.hpp"

#include "core/csv.hpp"
#include "core/json_util.hpp"
#include "core/text.hpp"
#include "platform/report.hpp"

#include <nlohmann/json.hpp>

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

Result<nlohmann::json> storedResults(const CollectorStore& store) {
    auto text = store.result("results");
    if (!text) return text.error();
    if (!*text) return Error::make(ErrorKind::NotFound, "results.not_counted");
    auto j = nlohmann::json::parse(**text, nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return Error::make(ErrorKind::Invalid, "results.bad_document");
    return j;
}

std::string receiptList(const nlohmann::json& results) {
    std::string out;
    if (!results.contains("receipts") || !results["receipts"].is_array()) return out;
    for (auto& r : results["receipts"])
        if (r.is_string()) out += r.get<std::string>() + "\n";
    return out;
}

Status writeReports(const nlohmann::json& results, const std::vector<CommentOut>* comments,
                    const fs::path& dir, Lang lang, const ReportSet& which) {
    PY_TRY(ensureDirectory(dir));
    if (which.json) PY_TRY(writeFileAtomic(dir / "results.json", results.dump(2) + "\n"));
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

Status writeResultsAs(const nlohmann::json& results, std::string_view format, const fs::path& out,
                      Lang lang) {
    if (format == "json") return writeFileAtomic(out, results.dump(2) + "\n");
    if (format == "csv") return writeFileAtomic(out, resultsCsv(results, lang));
    if (format == "xlsx") return writeResultsXlsx(results, lang, out);
    return writeFileAtomic(out, resultsHtml(results, lang));
}

Result<nlohmann::json> readResultsFile(const fs::path& file) {
    auto text = readTextFile(file);
    if (!text) return text.error();
    auto j = nlohmann::json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_object() || jsonText(j, "format") != "pingyi-results/1")
        return Error::make(ErrorKind::Invalid, "results.bad_file", {file.string()});
    return j;
}

Status signUnit(nlohmann::json& results, const std::string& unit, const SecretKeys& head) {
    bool known = false;
    if (results.contains("units") && results["units"].is_array())
        for (auto& u : results["units"])
            known = known || jsonText(u, "id") == unit;
    if (!known) return Error::make(ErrorKind::Invalid, "results.unknown_unit", {unit});
    if (head.pub.role != KeyRole::UnitHead)
        return Error::make(ErrorKind::Invalid, "key.wrong_role",
                           {keyRoleName(head.pub.role), "unit-head"});
    // Only a document whose existing signatures verify is signed again.
    auto sigs = verifyResults(results);
    if (!sigs) return sigs.error();
    for (auto& s : *sigs)
        if (!s.valid)
            return Error::make(ErrorKind::Forged, "results.bad_signature", {s.role, s.unit});
    signResults(results, "unit-head", unit, head.pub.label, head.pub.sign, head.sign_sk);
    return {};
}

Result<VerifyOutcome> verifyResultsDocument(const nlohmann::json& results, const Package* package,
                                            const PublicKeys* head, const std::string& receipt) {
    auto sigs = verifyResults(results);
    if (!sigs) return sigs.error();
    std::optional<PublicKey> collector;
    if (package) {
        auto digest = results.is_object() ? results.value("package_digest", "") : std::string();
        if (toHex(package->digest) != digest)
            return Error::make(ErrorKind::Forged, "verify.other_package");
        collector = package->body.collector_sign;
    }
    VerifyOutcome out;
    out.ok = true;
    bool collector_seen = false;
    for (auto& s : *sigs) {
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
        bool counted = false;
        if (results.contains("receipts") && results["receipts"].is_array())
            for (auto& r : results["receipts"])
                counted = counted || (r.is_string() && r.get<std::string>() == code);
        out.receipt = code;
        out.receipt_counted = counted;
        if (!counted) out.ok = false;
    }
    return out;
}

} // namespace pingyi
