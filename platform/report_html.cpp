#include "core/slips.hpp"
#include "platform/report_common.hpp"

namespace pingyi {

using namespace report;

std::string resultsHtml(const ResultsDocument& d, Lang lang) {
    auto t = [&](const std::string& id, const std::vector<std::string>& args = {}) {
        return htmlEscape(tr(lang, id, args));
    };
    std::string campaign = htmlEscape(d.campaign_name);
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"" + std::string(lang == Lang::En ? "en" : "zh-CN") +
         "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         t("report.page_title", {d.campaign_name}) +
         "</title>\n<style>\n"
         "@page { size: A4; margin: 15mm 12mm; }\n"
         "body { font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif;"
         " font-size: 10.5pt; margin: 0; color: #000; -webkit-print-color-adjust: exact;"
         " print-color-adjust: exact; }\n"
         "section.next { page-break-before: always; break-before: page; }\n"
         ".campaign { font-size: 11pt; text-align: center; margin-top: 2mm; }\n"
         "h1 { font-size: 16pt; text-align: center; margin: 2mm 0 5mm; }\n"
         "h2 { font-size: 12pt; margin: 6mm 0 2mm; }\n"
         "table { border-collapse: collapse; width: 100%; }\n"
         "tr { page-break-inside: avoid; }\n"
         "th, td { border: 1px solid #000; padding: 1.2mm 2mm; }\n"
         "th { background: #e8e8e8; }\n"
         "td.num { text-align: right; font-variant-numeric: tabular-nums; }\n"
         "tr.bottom td, tr.fail td { background: #f2f2f2; font-weight: bold; }\n"
         ".rule, .digest { font-size: 9.5pt; margin: 2mm 0; }\n"
         ".noncompliant { border: 1.5pt solid #000; padding: 2mm 3mm; margin: 2mm 0 3mm;"
         " font-size: 12pt; font-weight: bold; }\n"
         ".noncompliant p { margin: 0 0 1mm; }\n"
         "table.ranking.invalid { background: repeating-linear-gradient(135deg, #fff 0 6mm,"
         " #f4f4f4 6mm 7mm); }\n"
         ".rules h2 { font-size: 10.5pt; margin: 4mm 0 1mm; }\n"
         ".rules ol { font-size: 9.5pt; margin: 0 0 2mm; padding-left: 6mm; }\n"
         ".signature { margin-top: 15mm; font-size: 12pt; white-space: pre-wrap; }\n"
         ".receipts { font-family: 'DejaVu Sans Mono', monospace; font-size: 8.5pt;"
         " columns: 5; }\n"
         "</style>\n</head>\n<body>\n";

    const Accounting& acc = d.accounting;
    std::string digest = toHex(d.package_digest).substr(0, 16);
    std::string counted = std::to_string(acc.counted);
    bool first = true;
    for (auto& unit : d.units) {
        h += first ? "<section class=\"unit\">\n" : "<section class=\"unit next\">\n";
        first = false;
        h += "<div class=\"campaign\">" + campaign + "</div>\n";
        h += "<h1>" + t("report.title", {unit.name}) + "</h1>\n";
        // A ranking whose ballots break the rules carries it visibly, above and on the table.
        auto problems = compositionProblems(unit, lang);
        if (!problems.empty()) {
            h += "<div class=\"noncompliant\"><p>" + t("composition.banner") + "</p>\n";
            for (auto& p : problems)
                h += "<p>" + htmlEscape(p) + "</p>\n";
            h += "</div>\n";
        }

        h += std::string(problems.empty() ? "<table class=\"ranking\">\n"
                                          : "<table class=\"ranking invalid\">\n<caption>" +
                                                htmlEscape(problems.front()) + "</caption>\n") +
             "<thead><tr><th>" + t("report.col.rank") + "</th><th>" + t("report.col.subject") +
             "</th><th>" + t("report.col.position") + "</th>";
        for (auto& g : unit.groups)
            h += "<th>" + htmlEscape(groupName(g, lang)) + "</th>";
        h += "<th>" + t("report.col.final") + "</th>";
        for (auto& g : unit.groups)
            h += "<th>" + htmlEscape(groupBallotsHeader(g, lang)) + "</th>";
        h += "<th>" + t("report.col.remark") + "</th></tr></thead>\n<tbody>\n";
        for (auto& s : unit.subjects) {
            h += s.bottom ? "<tr class=\"bottom\">" : "<tr>";
            h += "<td class=\"num\">" + htmlEscape(rankText(s, lang)) + "</td><td>" +
                 htmlEscape(s.name) + "</td><td>" + htmlEscape(s.position) + "</td>";
            for (auto& g : unit.groups)
                h += "<td class=\"num\">" + htmlEscape(groupScoreText(s, g.id, lang)) + "</td>";
            h += "<td class=\"num\">" + htmlEscape(scoreText(s.final)) + "</td>";
            for (auto& g : unit.groups) {
                auto it = s.ballots.find(g.id);
                h += "<td class=\"num\">" +
                     (it == s.ballots.end() ? std::string() : std::to_string(it->second)) + "</td>";
            }
            h += "<td>" + htmlEscape(remark(unit, s, lang)) + "</td></tr>\n";
        }
        h += "</tbody>\n</table>\n";
        h += "<div class=\"rules\"><h2>" + t("report.rules") + "</h2>\n<ol>\n";
        for (auto& line : scoringRuleLines(d, unit, lang))
            h += "<li>" + htmlEscape(line) + "</li>\n";
        h += "</ol></div>\n";

        auto composition = compositionRows(unit, lang);
        if (!composition.empty()) {
            h += "<h2>" + t("report.composition") + "</h2>\n<table class=\"composition\">\n<tr>";
            for (const char* id :
                 {"report.col.group", "report.col.total", "report.col.min_ballots",
                  "report.col.categories", "report.col.quotas", "report.col.check"})
                h += "<th>" + t(id) + "</th>";
            h += "</tr>\n";
            for (auto& m : composition) {
                h += m.pass ? "<tr>" : "<tr class=\"fail\">";
                h += "<td>" + htmlEscape(m.group) + "</td><td class=\"num\">" +
                     std::to_string(m.total) + "</td><td class=\"num\">" +
                     std::to_string(m.min_ballots) + "</td><td>" + htmlEscape(m.categories) +
                     "</td><td>" + htmlEscape(m.quotas) + "</td><td>" +
                     t(m.pass ? "report.pass" : "report.fail") + "</td></tr>\n";
            }
            h += "</table>\n";
        }
        h += "<p class=\"digest\">" + t("report.digest", {digest, counted}) + "</p>\n";
        if (!problems.empty())
            h += "<p class=\"noncompliant\">" + htmlEscape(problems.front()) + "</p>\n";
        for (auto& sig : d.signatures)
            if (sig.unit == unit.id && sig.confirmed_noncompliant)
                h += "<p class=\"rule\">" + t("composition.signed_anyway") + "</p>\n";
        h += "<p class=\"signature\">" + t("report.signature") + "</p>\n</section>\n";
    }

    h += std::string(first ? "<section class=\"accounting\">\n"
                           : "<section class=\"accounting next\">\n");
    h += "<div class=\"campaign\">" + campaign + "</div>\n";
    h += "<h1>" + t("report.accounting") + "</h1>\n<table class=\"accounting\">\n<tr><th>" +
         t("report.col.item") + "</th><th>" + t("report.col.count") + "</th></tr>\n";
    for (auto& [id, n] : accountingRows(acc))
        h += "<tr><td>" + t(id) + "</td><td class=\"num\">" + std::to_string(n) + "</td></tr>\n";
    h += "</table>\n";
    h += "<p class=\"digest\">" + t("report.digest", {digest, counted}) + "</p>\n";
    const auto& receipts = d.receipts;
    if (!receipts.empty()) {
        h += "<h2>" + t("report.receipts", {std::to_string(receipts.size())}) +
             "</h2>\n<div class=\"receipts\">\n";
        for (auto& r : receipts)
            h += "<div>" + htmlEscape(r) + "</div>\n";
        h += "</div>\n";
    }
    h += "</section>\n</body>\n</html>\n";
    return h;
}

} // namespace pingyi
