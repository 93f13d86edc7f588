#include "app/console/results_view.hpp"

#include "core/json_util.hpp"

namespace pingyi::console {

namespace {
using json = nlohmann::json;

const json& field(const json& j, const char* k) {
    static const json null;
    if (!j.is_object()) return null;
    auto it = j.find(k);
    return it == j.end() ? null : *it;
}

std::optional<double> number(const json& j) {
    if (j.is_number()) return j.get<double>();
    return std::nullopt;
}

std::string score(const json& j) {
    if (!j.is_number()) return "";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", j.get<double>());
    return buf;
}

std::uint64_t count(const json& j) {
    return j.is_number_unsigned() || j.is_number_integer() ? j.get<std::uint64_t>() : 0;
}
} // namespace

ResultsView buildResultsView(const json& r, std::vector<CommentOut> comments,
                             const Campaign* campaign) {
    ResultsView v;
    v.campaign = jsonText(r, "campaign_name");
    std::vector<std::string> level_ids;
    for (auto& l : field(r, "levels")) {
        level_ids.push_back(jsonText(l, "id"));
        v.levels.push_back(jsonText(l, "name"));
        std::string en;
        if (campaign)
            for (auto& cl : campaign->scale.levels)
                if (cl.id == level_ids.back()) en = cl.name_en;
        v.levels_en.push_back(en);
    }
    v.unknown = campaign ? campaign->scale.unknown_name : "";
    v.unknown_en = campaign ? campaign->scale.unknown_name_en : "";
    const json& units = field(r, "units");
    if (units.is_array())
        for (auto& u : units) {
            UnitView uv;
            uv.id = jsonText(u, "id");
            uv.name = jsonText(u, "name");
            for (auto& g : field(u, "groups"))
                if (g.is_string()) {
                    uv.groups.push_back(g.get<std::string>());
                    const json& n = field(field(u, "group_names"), g.get<std::string>().c_str());
                    uv.group_names.push_back(n.is_string() ? n.get<std::string>()
                                                           : uv.groups.back());
                    const Group* cg = campaign ? campaign->group(uv.groups.back()) : nullptr;
                    uv.group_names_en.push_back(cg ? cg->name_en : "");
                }
            for (auto& s : field(u, "subjects")) {
                SubjectView sv;
                sv.id = jsonText(s, "id");
                sv.name = jsonText(s, "name");
                sv.position = jsonText(s, "position");
                sv.self = score(field(s, "self"));
                sv.social = score(field(s, "social"));
                sv.final = score(field(s, "final"));
                sv.self_v = number(field(s, "self"));
                sv.social_v = number(field(s, "social"));
                sv.final_v = number(field(s, "final"));
                if (field(s, "rank").is_number()) sv.rank = field(s, "rank").get<std::int64_t>();
                sv.bottom = field(s, "bottom").is_boolean() && field(s, "bottom").get<bool>();
                const json& items = field(s, "items");
                // The questionnaire's order (a JSON object sorts its keys).
                std::vector<std::pair<std::string, std::string>> order; // id, English name
                const Subject* cs = nullptr;
                if (campaign)
                    for (auto& x : campaign->subjects)
                        if (x.id == sv.id) cs = &x;
                if (const Questionnaire* q =
                        cs ? campaign->questionnaire(cs->questionnaire) : nullptr)
                    for (auto& item : q->items)
                        order.emplace_back(item.id, item.name_en);
                else if (items.is_object())
                    for (auto& el : items.items())
                        order.emplace_back(el.key(), "");
                for (auto& [iid, iname_en] : order) {
                    const json& it = field(items, iid.c_str());
                    if (!it.is_object()) continue;
                    ItemView iv;
                    iv.name = jsonText(it, "name");
                    iv.name_en = iname_en;
                    for (auto& gid : uv.groups) {
                        const json& g = field(it, gid.c_str());
                        if (!g.is_object()) continue;
                        ItemGroupView gv;
                        gv.group = gid;
                        gv.mean = number(field(g, "mean"));
                        gv.mean_text = score(field(g, "mean"));
                        for (auto& lid : level_ids)
                            gv.levels.push_back(count(field(field(g, "levels"), lid.c_str())));
                        gv.unknown = count(field(g, "unknown"));
                        iv.groups.push_back(std::move(gv));
                    }
                    sv.items.push_back(std::move(iv));
                }
                uv.subjects.push_back(std::move(sv));
            }
            for (auto& c : field(u, "composition")) {
                CompositionView cv;
                cv.meeting = jsonText(c, "meeting");
                cv.group = jsonText(c, "group");
                cv.total = count(field(c, "total"));
                cv.min_ballots = count(field(c, "min_ballots"));
                if (field(c, "categories").is_object())
                    for (auto& [cid, n] : field(c, "categories").items())
                        cv.categories.emplace_back(cid, count(n));
                for (auto& q : field(c, "quotas")) {
                    std::string cats;
                    for (auto& x : field(q, "categories"))
                        if (x.is_string()) cats += (cats.empty() ? "" : "+") + x.get<std::string>();
                    cats += " " + std::to_string(count(field(q, "percent"))) + "% / " +
                            score(field(q, "actual")) + "%";
                    cv.quotas.push_back(cats);
                }
                cv.pass = !field(c, "pass").is_boolean() || field(c, "pass").get<bool>();
                uv.composition.push_back(std::move(cv));
            }
            v.units.push_back(std::move(uv));
        }
    const json& a = field(r, "accounting");
    for (auto [key, id] : std::initializer_list<std::pair<const char*, const char*>>{
             {"received", "report.acc.received"},
             {"valid", "report.acc.valid"},
             {"invalid", "report.acc.invalid"},
             {"conflicts", "report.acc.conflicts"},
             {"conflicts_resolved", "report.acc.conflicts_resolved"},
             {"missing", "report.acc.missing"},
             {"counted", "report.acc.counted"}})
        v.accounting.emplace_back(id, count(field(a, key)));
    v.receipts = field(r, "receipts").is_array() ? field(r, "receipts").size() : 0;
    for (auto& s : field(r, "signatures"))
        v.signatures.push_back(jsonText(s, "role") + " " + jsonText(s, "unit") + " " +
                               jsonText(s, "label"));
    v.comments = std::move(comments);
    for (std::size_t i = 0; i < v.comments.size(); ++i)
        v.comments_by_subject[v.comments[i].subject].push_back(i);
    return v;
}

} // namespace pingyi::console
