#include "core/results.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace pingyi {

using nlohmann::json;

json scoreJson(std::optional<std::int64_t> h) {
    if (!h) return nullptr;
    // Parse the exact decimal text so the double is the nearest to it on every platform.
    return json::parse(formatHundredths(*h));
}

const ResultsGroup* ResultsUnit::group(std::string_view group_id) const {
    for (auto& g : groups)
        if (g.id == group_id) return &g;
    return nullptr;
}

bool ResultsUnit::compositionPasses() const {
    return std::all_of(composition.begin(), composition.end(),
                       [](const ResultsMeeting& m) { return m.pass; });
}

const ResultsUnit* ResultsDocument::unit(std::string_view unit_id) const {
    for (auto& u : units)
        if (u.id == unit_id) return &u;
    return nullptr;
}

ResultsDocument buildResults(const Campaign& c, const Hash32& digest,
                             const std::vector<UnitResult>& units, const Tally& tally,
                             const Accounting& acc, const std::vector<std::string>& receipts) {
    ResultsDocument d;
    d.campaign = c.id;
    d.campaign_name = c.name;
    d.package_digest = digest;
    for (auto& l : c.scale.levels)
        d.levels.push_back({l.id, l.name});
    d.grade_quota = c.grade_quota;
    for (auto& ur : units) {
        const UnitDef* unit = c.unit(ur.unit);
        ResultsUnit u;
        u.id = unit->id;
        u.name = unit->name;
        for (auto& gid : unit->groups) {
            const Group* g = c.group(gid);
            ResultsGroup rg{g->id, g->name, g->name_en, g->weight, {}, g->scoring};
            for (auto& cat : g->categories)
                rg.categories.push_back({cat.id, cat.name});
            u.groups.push_back(std::move(rg));
        }
        u.bottom_rule = c.ranking;
        for (auto& sr : ur.subjects) {
            const Subject& s = c.subjects[sr.subject];
            const Questionnaire* q = c.questionnaire(s.questionnaire);
            ResultsSubject rs;
            rs.id = s.id;
            rs.name = s.name;
            rs.position = s.position;
            for (auto& gid : unit->groups) {
                auto sc = sr.group_scores.find(gid);
                rs.scores[gid] = sc == sr.group_scores.end() ? std::nullopt : sc->second;
                auto n = sr.group_ballots.find(gid);
                rs.ballots[gid] = n == sr.group_ballots.end() ? 0 : n->second;
                auto note = sr.notes.find(gid);
                rs.notes[gid] = note == sr.notes.end() ? ResultsGroupNote{} : note->second;
                auto& cells = rs.categories[gid];
                if (auto it = sr.categories.find(gid); it != sr.categories.end())
                    for (auto& [cid, cell] : it->second)
                        cells[cid] = {cell.ballots, cell.score, cell.suppressed};
            }
            rs.final = sr.final;
            rs.rank = sr.rank;
            rs.bottom = sr.bottom;
            rs.paper_self = sr.paper_self;
            for (std::size_t i = 0; i < q->items.size(); ++i) {
                ResultsItem item{q->items[i].id, q->items[i].name, {}};
                for (auto& gid : unit->groups) {
                    auto it = tally.items().find({sr.subject, gid, i});
                    if (it == tally.items().end()) {
                        item.groups[gid] = std::nullopt;
                        continue;
                    }
                    const ItemAcc& ia = it->second;
                    ResultsItemCell cell;
                    for (std::size_t k = 0; k < c.scale.levels.size(); ++k) {
                        std::uint64_t n = k < ia.levels.size() ? ia.levels[k] : 0;
                        cell.levels.push_back(n);
                        cell.answered += n;
                    }
                    cell.unknown = ia.unknown;
                    // mean on a 0-100 scale: permille_sum / answered / 10, rounded half up
                    if (cell.answered > 0)
                        cell.mean = static_cast<std::int64_t>(
                            (ia.permille_sum * 20 + cell.answered) / (2 * cell.answered));
                    item.groups[gid] = cell;
                }
                rs.items.push_back(std::move(item));
            }
            u.subjects.push_back(std::move(rs));
        }
        for (auto& mc : ur.composition) {
            ResultsMeeting m;
            m.meeting = mc.meeting.id();
            m.group = mc.meeting.group;
            m.total = mc.total;
            m.min_ballots = c.group(mc.meeting.group)->min_ballots;
            m.categories = mc.categories;
            for (auto& q : mc.quotas)
                m.quotas.push_back({q.categories, q.percent, q.actual_hundredths, q.pass});
            m.pass = mc.pass;
            u.composition.push_back(std::move(m));
        }
        d.units.push_back(std::move(u));
    }
    d.accounting = acc;
    d.receipts = receipts;
    return d;
}

namespace {

json optCount(const std::optional<std::uint32_t>& v) {
    return v ? json(*v) : json(nullptr);
}

json scoringJson(const GroupScoring& s) {
    json weights = json::array();
    for (auto& w : s.category_weights)
        weights.push_back({{"categories", w.categories}, {"percent", w.percent}});
    return {{"category_weights", weights},
            {"trim",
             {{"count", s.trim.count},
              {"percent", s.trim.percent},
              {"min_remaining", s.trim.min_remaining}}},
            {"min_subject_ballots", s.min_subject_ballots}};
}

json unitJson(const ResultsUnit& u) {
    json groups = json::array();
    for (auto& g : u.groups) {
        json cats = json::array();
        for (auto& c : g.categories)
            cats.push_back({{"id", c.id}, {"name", c.name}});
        groups.push_back({{"id", g.id},
                          {"name", g.name},
                          {"name_en", g.name_en},
                          {"weight", g.weight},
                          {"categories", cats},
                          {"scoring", scoringJson(g.scoring)}});
    }
    json subjects = json::array();
    for (auto& s : u.subjects) {
        json scores = json::object(), ballots = json::object(), notes = json::object(),
             cats = json::object();
        for (auto& [gid, v] : s.scores)
            scores[gid] = scoreJson(v);
        for (auto& [gid, n] : s.ballots)
            ballots[gid] = n;
        for (auto& [gid, n] : s.notes)
            notes[gid] = {{"insufficient", n.insufficient},
                          {"trimmed", n.trimmed},
                          {"classes_left_out", n.classes_left_out}};
        for (auto& [gid, cells] : s.categories) {
            json jc = json::object();
            for (auto& [cid, cell] : cells)
                jc[cid] = {{"ballots", cell.ballots},
                           {"score", scoreJson(cell.score)},
                           {"suppressed", cell.suppressed}};
            cats[gid] = jc;
        }
        json items = json::array();
        for (auto& it : s.items) {
            json per = json::object();
            for (auto& [gid, cell] : it.groups) {
                if (!cell) {
                    per[gid] = nullptr;
                    continue;
                }
                per[gid] = {{"mean", scoreJson(cell->mean)},
                            {"answered", cell->answered},
                            {"unknown", cell->unknown},
                            {"levels", cell->levels}};
            }
            items.push_back({{"id", it.id}, {"name", it.name}, {"groups", per}});
        }
        subjects.push_back({{"id", s.id},
                            {"name", s.name},
                            {"position", s.position},
                            {"scores", scores},
                            {"ballots", ballots},
                            {"notes", notes},
                            {"categories", cats},
                            {"final", scoreJson(s.final)},
                            {"rank", optCount(s.rank)},
                            {"bottom", s.bottom},
                            {"paper_self", s.paper_self},
                            {"items", items}});
    }
    json comp = json::array();
    for (auto& m : u.composition) {
        json quotas = json::array();
        for (auto& q : m.quotas)
            quotas.push_back({{"categories", q.categories},
                              {"percent", q.percent},
                              {"actual", scoreJson(q.actual)},
                              {"pass", q.pass}});
        comp.push_back({{"meeting", m.meeting},
                        {"group", m.group},
                        {"total", m.total},
                        {"min_ballots", m.min_ballots},
                        {"categories", m.categories},
                        {"quotas", quotas},
                        {"pass", m.pass}});
    }
    return {{"id", u.id},
            {"name", u.name},
            {"groups", groups},
            {"bottom_rule",
             {{"bottom_count", u.bottom_rule.bottom_count},
              {"bottom_percent", u.bottom_rule.bottom_percent}}},
            {"subjects", subjects},
            {"composition", comp}};
}

json bodyJson(const ResultsDocument& d) {
    json j;
    j["format"] = kResultsFormat;
    j["campaign"] = d.campaign;
    j["campaign_name"] = d.campaign_name;
    j["package_digest"] = toHex(d.package_digest);
    json levels = json::array();
    for (auto& l : d.levels)
        levels.push_back({{"id", l.id}, {"name", l.name}});
    j["levels"] = levels;
    j["grade_quota"] = {{"level", d.grade_quota.level}, {"percent", d.grade_quota.percent}};
    json units = json::array();
    for (auto& u : d.units)
        units.push_back(unitJson(u));
    j["units"] = units;
    const Accounting& a = d.accounting;
    j["accounting"] = {{"received", a.received},
                       {"counted", a.counted},
                       {"invalid", a.invalid},
                       {"invalid_reasons", a.invalid_reasons},
                       {"conflicts", a.conflicts},
                       {"conflicts_resolved", a.conflicts_resolved},
                       {"conflict_envelopes_excluded", a.conflict_envelopes_excluded},
                       {"missing", a.missing}};
    j["receipts"] = d.receipts;
    return j;
}

std::string signedText(const ResultsDocument& d, const std::string& role, const std::string& unit,
                       bool confirmed_noncompliant) {
    return std::string(kResultsFormat) + "\n" + role + "\n" + unit + "\n" +
           (confirmed_noncompliant ? "confirmed-noncompliant\n" : "") + bodyJson(d).dump();
}

} // namespace

json encodeResults(const ResultsDocument& d) {
    json j = bodyJson(d);
    json sigs = json::array();
    for (auto& s : d.signatures) {
        json one = {{"role", s.role},
                    {"unit", s.unit},
                    {"label", s.label},
                    {"public", toHex(s.key)},
                    {"fingerprint", fingerprint(s.key)},
                    {"signature", toHex(s.signature)}};
        if (s.confirmed_noncompliant) one["confirmed_noncompliant"] = true;
        sigs.push_back(std::move(one));
    }
    j["signatures"] = sigs;
    return j;
}

std::vector<std::string> compositionProblems(const ResultsUnit& u, Lang lang) {
    std::vector<std::string> out;
    for (auto& m : u.composition) {
        if (m.pass) continue;
        std::size_t before = out.size();
        const ResultsGroup* g = u.group(m.group);
        std::string group = !g                                          ? m.group
                            : (lang == Lang::En && !g->name_en.empty()) ? g->name_en
                                                                        : g->name;
        if (m.total < m.min_ballots)
            out.push_back(tr(lang, "composition.too_few",
                             {group, std::to_string(m.total), std::to_string(m.min_ballots)}));
        for (auto& q : m.quotas) {
            if (q.pass) continue;
            std::string cats;
            for (auto& c : q.categories) {
                std::string name = c;
                if (g)
                    for (auto& gc : g->categories)
                        if (gc.id == c) name = gc.name;
                cats += (cats.empty() ? "" : tr(lang, "composition.and")) + name;
            }
            out.push_back(tr(lang, "composition.quota",
                             {group, cats, formatHundredths(q.actual), std::to_string(q.percent)}));
        }
        // A meeting that fails for a reason neither above names still says so.
        if (out.size() == before) out.push_back(tr(lang, "composition.failed", {group}));
    }
    return out;
}

void signResults(ResultsDocument& d, const std::string& role, const std::string& unit,
                 const std::string& label, const PublicKey& pk, const Secret& sk,
                 bool confirmed_noncompliant) {
    Signature sig = sign(sk, view(signedText(d, role, unit, confirmed_noncompliant)));
    std::erase_if(d.signatures,
                  [&](const ResultsSignature& s) { return s.key == pk && s.unit == unit; });
    d.signatures.push_back({role, unit, label, pk, sig, confirmed_noncompliant});
}

std::vector<ResultSignature> verifyResults(const ResultsDocument& d) {
    std::vector<ResultSignature> out;
    for (auto& s : d.signatures) {
        ResultSignature r{s.role, s.unit, s.label, s.key, false, s.confirmed_noncompliant};
        r.valid = verify(s.key, view(signedText(d, s.role, s.unit, s.confirmed_noncompliant)),
                         s.signature);
        out.push_back(std::move(r));
    }
    return out;
}

} // namespace pingyi
