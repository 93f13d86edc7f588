#include "core/campaign.hpp"

#include "core/text.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

namespace pingyi {

using nlohmann::json;

const UnitDef* Campaign::unit(std::string_view uid) const {
    for (auto& u : units)
        if (u.id == uid) return &u;
    return nullptr;
}
const Group* Campaign::group(std::string_view gid) const {
    for (auto& g : groups)
        if (g.id == gid) return &g;
    return nullptr;
}
const Questionnaire* Campaign::questionnaire(std::string_view qid) const {
    for (auto& q : questionnaires)
        if (q.id == qid) return &q;
    return nullptr;
}
const Category* Campaign::category(const Group& g, std::string_view cid) const {
    for (auto& c : g.categories)
        if (c.id == cid) return &c;
    return nullptr;
}
std::vector<MeetingRef> Campaign::meetings() const {
    std::vector<MeetingRef> r;
    for (auto& u : units)
        for (auto& g : u.groups)
            r.push_back({u.id, g});
    return r;
}
std::optional<MeetingRef> Campaign::meeting(std::string_view meeting_id) const {
    for (auto& m : meetings())
        if (m.id() == meeting_id) return m;
    return std::nullopt;
}
std::vector<std::size_t> Campaign::subjectsOf(std::string_view uid) const {
    std::vector<std::size_t> r;
    for (std::size_t i = 0; i < subjects.size(); ++i)
        if (subjects[i].unit == uid) r.push_back(i);
    return r;
}
int Campaign::subjectIndex(std::string_view sid) const {
    for (std::size_t i = 0; i < subjects.size(); ++i)
        if (subjects[i].id == sid) return static_cast<int>(i);
    return -1;
}

namespace {

// Walks the source, collecting problems instead of stopping at the first.
class Parser {
  public:
    std::vector<Error> problems;

    void problem(const std::string& path, const char* id, std::vector<std::string> args = {}) {
        args.insert(args.begin(), path);
        problems.push_back(Error::make(ErrorKind::Invalid, id, std::move(args)));
    }

    const json* field(const json& obj, const std::string& path, const char* key, bool required) {
        auto it = obj.find(key);
        if (it == obj.end() || it->is_null()) {
            if (required) problem(path + "." + key, "campaign.missing");
            return nullptr;
        }
        return &*it;
    }

    std::string str(const json& obj, const std::string& path, const char* key, bool required,
                    std::size_t max_chars = 200) {
        const json* v = field(obj, path, key, required);
        if (!v) return {};
        if (!v->is_string()) {
            problem(path + "." + key, "campaign.not_text");
            return {};
        }
        std::string s = v->get<std::string>();
        if (!isValidUtf8(s)) {
            problem(path + "." + key, "campaign.bad_utf8");
            return {};
        }
        if (required && trim(s).empty()) problem(path + "." + key, "campaign.empty");
        if (utf8Length(s) > max_chars)
            problem(path + "." + key, "campaign.too_long", {std::to_string(max_chars)});
        return s;
    }

    std::string ident(const json& obj, const std::string& path, const char* key) {
        std::string s = str(obj, path, key, true, 64);
        if (!s.empty() && !isIdentifier(s)) problem(path + "." + key, "campaign.bad_id", {s});
        return s;
    }

    std::uint32_t uint(const json& obj, const std::string& path, const char* key,
                       std::uint32_t dflt, std::uint32_t lo, std::uint32_t hi) {
        const json* v = field(obj, path, key, false);
        if (!v) return dflt;
        if (!v->is_number_integer() || v->get<long long>() < lo || v->get<long long>() > hi) {
            problem(path + "." + key, "campaign.bad_number",
                    {std::to_string(lo), std::to_string(hi)});
            return dflt;
        }
        return static_cast<std::uint32_t>(v->get<long long>());
    }

    const json* array(const json& obj, const std::string& path, const char* key, bool required) {
        const json* v = field(obj, path, key, required);
        if (!v) return nullptr;
        if (!v->is_array()) {
            problem(path + "." + key, "campaign.not_list");
            return nullptr;
        }
        if (required && v->empty()) problem(path + "." + key, "campaign.empty_list");
        return v;
    }

    template <class T, class F>
    std::vector<T> list(const json& obj, const std::string& path, const char* key, bool required,
                        F&& each) {
        std::vector<T> out;
        const json* arr = array(obj, path, key, required);
        if (!arr) return out;
        std::set<std::string> seen;
        for (std::size_t i = 0; i < arr->size(); ++i) {
            std::string p = path + "." + key + "[" + std::to_string(i) + "]";
            if (path.empty()) p = std::string(key) + "[" + std::to_string(i) + "]";
            const json& e = (*arr)[i];
            if (!e.is_object()) {
                problem(p, "campaign.not_object");
                continue;
            }
            T t = each(e, p);
            if (!t.id.empty() && !seen.insert(t.id).second)
                problem(p + ".id", "campaign.duplicate_id", {t.id});
            out.push_back(std::move(t));
        }
        return out;
    }
};

std::string sub(const std::string& path, const char* key) {
    return path.empty() ? std::string(key) : path + "." + key;
}

// A group's "scoring" object (GroupScoring): the category weights name every category of the
// group exactly once and share 100 %; a trim gives a count or a percent, never both.
GroupScoring parseScoring(Parser& P, const json& s, const std::string& p, const Group& g) {
    GroupScoring out;
    if (const json* ws = P.array(s, p, "category_weights", false)) {
        std::uint32_t total = 0;
        std::set<std::string> seen;
        for (std::size_t i = 0; i < ws->size(); ++i) {
            std::string wp = p + ".category_weights[" + std::to_string(i) + "]";
            const json& we = (*ws)[i];
            if (!we.is_object()) {
                P.problem(wp, "campaign.not_object");
                continue;
            }
            ClassWeight w;
            w.percent = P.uint(we, wp, "percent", 0, 1, 100);
            total += w.percent;
            if (const json* cats = P.array(we, wp, "categories", true)) {
                for (std::size_t k = 0; k < cats->size(); ++k) {
                    std::string cp = wp + ".categories[" + std::to_string(k) + "]";
                    if (!(*cats)[k].is_string()) {
                        P.problem(cp, "campaign.not_text");
                        continue;
                    }
                    std::string cid = (*cats)[k].get<std::string>();
                    bool known = false;
                    for (auto& cat : g.categories)
                        known = known || cat.id == cid;
                    if (!known)
                        P.problem(cp, "campaign.unknown_category", {cid, g.id});
                    else if (!seen.insert(cid).second)
                        P.problem(cp, "campaign.category_repeated", {cid});
                    w.categories.push_back(cid);
                }
            }
            if (!we.contains("percent")) P.problem(wp + ".percent", "campaign.missing");
            out.category_weights.push_back(std::move(w));
        }
        if (!out.category_weights.empty()) {
            if (total != 100)
                P.problem(p + ".category_weights", "campaign.quota_sum", {std::to_string(total)});
            for (auto& cat : g.categories)
                if (!seen.count(cat.id))
                    P.problem(p + ".category_weights", "campaign.category_unweighted", {cat.id});
        }
    }
    if (auto it = s.find("trim"); it != s.end() && !it->is_null()) {
        std::string tp = p + ".trim";
        if (!it->is_object()) {
            P.problem(tp, "campaign.not_object");
        } else {
            out.trim.count = P.uint(*it, tp, "count", 0, 1, 1000);
            out.trim.percent = P.uint(*it, tp, "percent", 0, 1, 49);
            out.trim.min_remaining = P.uint(*it, tp, "min_remaining", 0, 0, 100000);
            bool has_count = it->contains("count"), has_percent = it->contains("percent");
            if (has_count && has_percent)
                P.problem(tp, "campaign.trim_both");
            else if (!has_count && !has_percent)
                P.problem(tp, "campaign.trim_none");
        }
    }
    out.min_subject_ballots = P.uint(s, p, "min_subject_ballots", 0, 0, 100000);
    return out;
}

} // namespace

CampaignParse parseCampaign(const json& src) {
    Parser P;
    CampaignParse result;
    if (!src.is_object()) {
        P.problem("$", "campaign.not_object");
        result.problems = std::move(P.problems);
        return result;
    }
    Campaign c;
    {
        auto fmt = P.str(src, "", "format", true);
        if (!fmt.empty() && fmt != kCampaignFormat)
            P.problem("format", "campaign.bad_format", {fmt, kCampaignFormat});
    }
    // Paths at the top level have no leading dot.
    auto top = [&](const char* key) { return std::string(key); };
    auto strTop = [&](const char* key, bool req, std::size_t max = 200) {
        std::string s;
        auto it = src.find(key);
        if (it == src.end() || it->is_null()) {
            if (req) P.problem(top(key), "campaign.missing");
            return s;
        }
        if (!it->is_string()) {
            P.problem(top(key), "campaign.not_text");
            return s;
        }
        s = it->get<std::string>();
        if (req && trim(s).empty()) P.problem(top(key), "campaign.empty");
        if (!isValidUtf8(s))
            P.problem(top(key), "campaign.bad_utf8");
        else if (utf8Length(s) > max)
            P.problem(top(key), "campaign.too_long", {std::to_string(max)});
        return s;
    };
    c.id = strTop("id", true, 64);
    if (!c.id.empty() && !isIdentifier(c.id)) P.problem("id", "campaign.bad_id", {c.id});
    c.name = strTop("name", true);

    // Scale
    if (auto it = src.find("scale"); it == src.end() || !it->is_object()) {
        P.problem("scale", it == src.end() ? "campaign.missing" : "campaign.not_object");
    } else {
        const json& s = *it;
        c.scale.levels =
            P.list<Level>(s, "scale", "levels", true, [&](const json& e, const std::string& p) {
                Level l;
                l.id = P.ident(e, p, "id");
                l.name = P.str(e, p, "name", true, 20);
                l.name_en = P.str(e, p, "name_en", false, 40);
                auto v = e.find("value");
                if (v == e.end() || !v->is_number()) {
                    P.problem(sub(p, "value"),
                              v == e.end() ? "campaign.missing" : "campaign.bad_fraction");
                } else {
                    double d = v->get<double>();
                    double m = std::round(d * 1000.0);
                    if (d < 0 || d > 1 || std::fabs(d * 1000.0 - m) > 1e-6)
                        P.problem(sub(p, "value"), "campaign.bad_fraction");
                    else
                        l.permille = static_cast<std::uint32_t>(m);
                }
                return l;
            });
        if (c.scale.levels.size() > 10) P.problem("scale.levels", "campaign.too_many", {"10"});
        if (auto u = s.find("unknown"); u != s.end() && u->is_object()) {
            c.scale.unknown_name = P.str(*u, "scale.unknown", "name", true, 20);
            auto en = P.str(*u, "scale.unknown", "name_en", false, 40);
            if (!en.empty()) c.scale.unknown_name_en = en;
        }
    }

    c.questionnaires = P.list<Questionnaire>(
        src, "", "questionnaires", true, [&](const json& e, const std::string& p) {
            Questionnaire q;
            q.id = P.ident(e, p, "id");
            q.name = P.str(e, p, "name", true);
            q.name_en = P.str(e, p, "name_en", false);
            q.items = P.list<Item>(e, p, "items", true, [&](const json& ie, const std::string& ip) {
                Item item;
                item.id = P.ident(ie, ip, "id");
                item.name = P.str(ie, ip, "name", true, 40);
                item.name_en = P.str(ie, ip, "name_en", false, 80);
                item.description = P.str(ie, ip, "description", false, 400);
                item.weight = P.uint(ie, ip, "weight", 1, 1, 100);
                return item;
            });
            if (q.items.size() > 30) P.problem(sub(p, "items"), "campaign.too_many", {"30"});
            return q;
        });

    c.groups = P.list<Group>(src, "", "groups", true, [&](const json& e, const std::string& p) {
        Group g;
        g.id = P.ident(e, p, "id");
        g.name = P.str(e, p, "name", true);
        g.name_en = P.str(e, p, "name_en", false);
        g.weight = P.uint(e, p, "weight", 50, 0, 1000);
        g.min_ballots = P.uint(e, p, "min_ballots", 0, 0, 100000);
        g.tolerance_percent = P.uint(e, p, "tolerance_percent", 0, 0, 100);
        g.categories =
            P.list<Category>(e, p, "categories", true, [&](const json& ce, const std::string& cp) {
                Category cat;
                cat.id = P.ident(ce, cp, "id");
                cat.name = P.str(ce, cp, "name", true, 40);
                cat.name_en = P.str(ce, cp, "name_en", false, 80);
                return cat;
            });
        // Quotas have no id; parse by hand.
        if (const json* qs = P.array(e, p, "quotas", false)) {
            std::uint32_t total = 0;
            for (std::size_t i = 0; i < qs->size(); ++i) {
                std::string qp = p + ".quotas[" + std::to_string(i) + "]";
                const json& qe = (*qs)[i];
                if (!qe.is_object()) {
                    P.problem(qp, "campaign.not_object");
                    continue;
                }
                Quota q;
                q.percent = P.uint(qe, qp, "percent", 0, 0, 100);
                total += q.percent;
                if (const json* cats = P.array(qe, qp, "categories", true)) {
                    for (std::size_t k = 0; k < cats->size(); ++k) {
                        std::string cp = qp + ".categories[" + std::to_string(k) + "]";
                        const json& ce = (*cats)[k];
                        if (!ce.is_string()) {
                            P.problem(cp, "campaign.not_text");
                            continue;
                        }
                        std::string cid = ce.get<std::string>();
                        bool known = false;
                        for (auto& cat : g.categories)
                            known = known || cat.id == cid;
                        if (!known) P.problem(cp, "campaign.unknown_category", {cid, g.id});
                        q.categories.push_back(cid);
                    }
                }
                g.quotas.push_back(std::move(q));
            }
            if (!g.quotas.empty() && total != 100)
                P.problem(p + ".quotas", "campaign.quota_sum", {std::to_string(total)});
        }
        if (auto it = e.find("scoring"); it != e.end() && !it->is_null()) {
            if (!it->is_object())
                P.problem(p + ".scoring", "campaign.not_object");
            else
                g.scoring = parseScoring(P, *it, p + ".scoring", g);
        }
        return g;
    });

    c.units = P.list<UnitDef>(src, "", "units", true, [&](const json& e, const std::string& p) {
        UnitDef u;
        u.id = P.ident(e, p, "id");
        u.name = P.str(e, p, "name", true);
        if (const json* gs = P.array(e, p, "groups", false)) {
            for (std::size_t k = 0; k < gs->size(); ++k) {
                std::string gp = p + ".groups[" + std::to_string(k) + "]";
                if (!(*gs)[k].is_string()) {
                    P.problem(gp, "campaign.not_text");
                    continue;
                }
                u.groups.push_back((*gs)[k].get<std::string>());
            }
        } else {
            for (auto& g : c.groups)
                u.groups.push_back(g.id);
        }
        for (std::size_t k = 0; k < u.groups.size(); ++k)
            if (!c.group(u.groups[k]))
                P.problem(p + ".groups[" + std::to_string(k) + "]", "campaign.unknown_group",
                          {u.groups[k]});
        return u;
    });

    c.subjects =
        P.list<Subject>(src, "", "subjects", true, [&](const json& e, const std::string& p) {
            Subject s;
            s.id = P.ident(e, p, "id");
            s.unit = P.str(e, p, "unit", true, 64);
            s.name = P.str(e, p, "name", true, 40);
            s.position = P.str(e, p, "position", false, 80);
            s.questionnaire = P.str(e, p, "questionnaire", true, 64);
            s.report = P.str(e, p, "report", false, 2000);
            s.commitments = P.str(e, p, "commitments", false, 2000);
            if (!s.unit.empty() && !c.unit(s.unit))
                P.problem(p + ".unit", "campaign.unknown_unit", {s.unit});
            if (!s.questionnaire.empty() && !c.questionnaire(s.questionnaire))
                P.problem(p + ".questionnaire", "campaign.unknown_questionnaire",
                          {s.questionnaire});
            return s;
        });
    for (std::size_t i = 0; i < c.units.size(); ++i) {
        auto n = c.subjectsOf(c.units[i].id).size();
        if (n == 0)
            P.problem("units[" + std::to_string(i) + "]", "campaign.unit_without_subjects",
                      {c.units[i].id});
        if (n > 60) P.problem("units[" + std::to_string(i) + "]", "campaign.too_many", {"60"});
    }

    if (auto it = src.find("ranking"); it != src.end()) {
        if (!it->is_object())
            P.problem("ranking", "campaign.not_object");
        else {
            c.ranking.bottom_count = P.uint(*it, "ranking", "bottom_count", 1, 0, 1000);
            c.ranking.bottom_percent = P.uint(*it, "ranking", "bottom_percent", 0, 0, 100);
        }
    }
    if (auto it = src.find("limits"); it != src.end()) {
        if (!it->is_object())
            P.problem("limits", "campaign.not_object");
        else {
            c.limits.comment_chars = P.uint(*it, "limits", "comment_chars", 200, 0, 2000);
            c.limits.ballot_comment_chars =
                P.uint(*it, "limits", "ballot_comment_chars", 600, 0, 4000);
        }
    }

    if (auto it = src.find("grade_quota"); it != src.end() && !it->is_null()) {
        if (!it->is_object()) {
            P.problem("grade_quota", "campaign.not_object");
        } else {
            c.grade_quota.level = P.str(*it, "grade_quota", "level", true, 64);
            c.grade_quota.percent = P.uint(*it, "grade_quota", "percent", 0, 1, 100);
            if (!it->contains("percent")) P.problem("grade_quota.percent", "campaign.missing");
            bool known = false;
            for (auto& l : c.scale.levels)
                known = known || l.id == c.grade_quota.level;
            if (!c.grade_quota.level.empty() && !known)
                P.problem("grade_quota.level", "campaign.unknown_level", {c.grade_quota.level});
        }
    }
    if (auto it = src.find("subject_order"); it != src.end() && !it->is_null()) {
        if (it->is_string() && *it == "listed")
            c.subject_order = SubjectOrder::Listed;
        else if (it->is_string() && *it == "stroke")
            c.subject_order = SubjectOrder::Stroke;
        else
            P.problem("subject_order", "campaign.bad_choice",
                      {it->is_string() ? it->get<std::string>() : it->dump(), "listed, stroke"});
    }

    result.problems = std::move(P.problems);
    if (result.problems.empty()) result.campaign = std::move(c);
    return result;
}

CampaignParse parseCampaignText(std::string_view text) {
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded()) {
        CampaignParse r;
        r.problems.push_back(Error::make(ErrorKind::Invalid, "campaign.bad_json", {"$"}));
        return r;
    }
    return parseCampaign(j);
}

json campaignToJson(const Campaign& c) {
    json j;
    j["format"] = kCampaignFormat;
    j["id"] = c.id;
    j["name"] = c.name;
    json levels = json::array();
    for (auto& l : c.scale.levels) {
        json lj = {{"id", l.id}, {"name", l.name}, {"value", l.permille / 1000.0}};
        if (!l.name_en.empty()) lj["name_en"] = l.name_en;
        levels.push_back(lj);
    }
    j["scale"] = {
        {"levels", levels},
        {"unknown", {{"name", c.scale.unknown_name}, {"name_en", c.scale.unknown_name_en}}}};
    json qs = json::array();
    for (auto& q : c.questionnaires) {
        json items = json::array();
        for (auto& i : q.items) {
            json ij = {{"id", i.id}, {"name", i.name}, {"weight", i.weight}};
            if (!i.name_en.empty()) ij["name_en"] = i.name_en;
            if (!i.description.empty()) ij["description"] = i.description;
            items.push_back(ij);
        }
        json qj = {{"id", q.id}, {"name", q.name}, {"items", items}};
        if (!q.name_en.empty()) qj["name_en"] = q.name_en;
        qs.push_back(qj);
    }
    j["questionnaires"] = qs;
    json gs = json::array();
    for (auto& g : c.groups) {
        json cats = json::array();
        for (auto& cat : g.categories) {
            json cj = {{"id", cat.id}, {"name", cat.name}};
            if (!cat.name_en.empty()) cj["name_en"] = cat.name_en;
            cats.push_back(cj);
        }
        json quotas = json::array();
        for (auto& q : g.quotas)
            quotas.push_back({{"categories", q.categories}, {"percent", q.percent}});
        json gj = {{"id", g.id},
                   {"name", g.name},
                   {"weight", g.weight},
                   {"categories", cats},
                   {"min_ballots", g.min_ballots},
                   {"quotas", quotas},
                   {"tolerance_percent", g.tolerance_percent}};
        if (!g.name_en.empty()) gj["name_en"] = g.name_en;
        // The scoring rules are written only when set, so a campaign without them keeps the
        // bytes (and the package digest) it had before they existed.
        json scoring = json::object();
        if (!g.scoring.category_weights.empty()) {
            json ws = json::array();
            for (auto& w : g.scoring.category_weights)
                ws.push_back({{"categories", w.categories}, {"percent", w.percent}});
            scoring["category_weights"] = ws;
        }
        if (g.scoring.trim.count > 0 || g.scoring.trim.percent > 0) {
            json t = json::object();
            if (g.scoring.trim.count > 0) t["count"] = g.scoring.trim.count;
            if (g.scoring.trim.percent > 0) t["percent"] = g.scoring.trim.percent;
            if (g.scoring.trim.min_remaining > 0) t["min_remaining"] = g.scoring.trim.min_remaining;
            scoring["trim"] = t;
        }
        if (g.scoring.min_subject_ballots > 0)
            scoring["min_subject_ballots"] = g.scoring.min_subject_ballots;
        if (!scoring.empty()) gj["scoring"] = scoring;
        gs.push_back(gj);
    }
    j["groups"] = gs;
    json us = json::array();
    for (auto& u : c.units)
        us.push_back({{"id", u.id}, {"name", u.name}, {"groups", u.groups}});
    j["units"] = us;
    json ss = json::array();
    for (auto& s : c.subjects) {
        json sj = {
            {"id", s.id}, {"unit", s.unit}, {"name", s.name}, {"questionnaire", s.questionnaire}};
        if (!s.position.empty()) sj["position"] = s.position;
        if (!s.report.empty()) sj["report"] = s.report;
        if (!s.commitments.empty()) sj["commitments"] = s.commitments;
        ss.push_back(sj);
    }
    j["subjects"] = ss;
    j["ranking"] = {{"bottom_count", c.ranking.bottom_count},
                    {"bottom_percent", c.ranking.bottom_percent}};
    j["limits"] = {{"comment_chars", c.limits.comment_chars},
                   {"ballot_comment_chars", c.limits.ballot_comment_chars}};
    if (c.grade_quota.percent > 0)
        j["grade_quota"] = {{"level", c.grade_quota.level}, {"percent", c.grade_quota.percent}};
    if (c.subject_order == SubjectOrder::Stroke) j["subject_order"] = "stroke";
    return j;
}

} // namespace pingyi
