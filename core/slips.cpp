#include "core/slips.hpp"

namespace pingyi {

std::string htmlEscape(std::string_view s) {
    std::string o;
    for (char c : s) {
        switch (c) {
        case '&':
            o += "&amp;";
            break;
        case '<':
            o += "&lt;";
            break;
        case '>':
            o += "&gt;";
            break;
        case '"':
            o += "&quot;";
            break;
        case '\'':
            o += "&#39;";
            break;
        default:
            o.push_back(c);
        }
    }
    return o;
}

std::string renderSlipsHtml(const Campaign& c, const MeetingRef& meeting,
                            const std::string& category, const std::vector<Token>& tokens,
                            Lang lang) {
    const UnitDef* unit = c.unit(meeting.unit);
    const Group* group = c.group(meeting.group);
    const Category* cat = group ? c.category(*group, category) : nullptr;
    auto name = [&](const std::string& zh, const std::string& en) {
        return htmlEscape(lang == Lang::En && !en.empty() ? en : zh);
    };
    std::string meeting_name = (unit ? htmlEscape(unit->name) : meeting.unit) + " · " +
                               (group ? name(group->name, group->name_en) : meeting.group);
    std::string cat_name = cat ? name(cat->name, cat->name_en) : category;
    std::string h;
    h +=
        "<!DOCTYPE html>\n<html lang=\"" + std::string(lang == Lang::En ? "en" : "zh-CN") +
        "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + htmlEscape(tr(lang, "slips.title")) +
        "</title>\n<style>\n"
        "@page { size: A4; margin: 10mm; }\n"
        "body { font-family: 'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif; margin: 0; }\n"
        ".sheet { display: grid; grid-template-columns: 1fr 1fr; }\n"
        ".slip { border: 1px dashed #555; padding: 6mm; height: 52mm; box-sizing: border-box;"
        " page-break-inside: avoid; }\n"
        ".campaign { font-size: 10pt; color: #333; }\n"
        ".meeting { font-size: 12pt; font-weight: bold; margin: 2mm 0; }\n"
        ".token { font-family: 'DejaVu Sans Mono', monospace; font-size: 20pt; letter-spacing: 1pt;"
        " margin: 3mm 0; }\n"
        ".note { font-size: 9pt; color: #333; }\n"
        ".cut { font-size: 8pt; color: #777; }\n"
        "</style>\n</head>\n<body>\n";
    h += "<p class=\"cut\">" + htmlEscape(tr(lang, "slips.instructions")) +
         "</p>\n<div class=\"sheet\">\n";
    std::size_t n = 0;
    for (auto& t : tokens) {
        ++n;
        h += "<div class=\"slip\">\n<div class=\"campaign\">" + htmlEscape(c.name) + "</div>\n";
        h += "<div class=\"meeting\">" + meeting_name + " · " + cat_name + "</div>\n";
        h += "<div class=\"token\">" + htmlEscape(t.display()) + "</div>\n";
        h += "<div class=\"note\">" + htmlEscape(tr(lang, "slips.note")) + "</div>\n";
        h += "<div class=\"cut\">" + htmlEscape(tr(lang, "slips.number", {std::to_string(n)})) +
             "</div>\n</div>\n";
    }
    h += "</div>\n</body>\n</html>\n";
    return h;
}

} // namespace pingyi
