#include "core/results.hpp"
#include "core/json_util.hpp"

#include <algorithm>
#include <cstdlib>

namespace pingyi {

using nlohmann::json;

json scoreJson(std::optional<std::int64_t> h) {
    if (!h) return nullptr;
    // Parse the exact decimal text so the double is the nearest to it on every platform.
    return json::parse(formatHundredths(*h));
}

json resultsJson(const Campaign& c, const Hash32& digest, const std::vector<UnitResult>& units,
                 const Tally& tally, const Accounting& acc,
                 const std::vector<std::string>& receipts) {
    json j;
    j["format"] = "pingyi-results/1";
    j["campaign"] = c.id;
    j["campaign_name"] = c.name;
    j["package_digest"] = toHex(digest);
    json levels = json::array();
    for (auto& l : c.scale.levels)
        levels.push_back({{"id", l.id}, {"name", l.name}});
    j["levels"] = levels;
    json ju = json::array();
    for (auto& ur : units) {
        const UnitDef* unit = c.unit(ur.unit);
        json u;
        u["id"] = unit->id;
        u["name"] = unit->name;
        u["groups"] = unit->groups;
        json gnames = json::object(), gweights = json::object();
        for (auto& gid : unit->groups) {
            gnames[gid] = c.group(gid)->name;
            gweights[gid] = c.group(gid)->weight;
        }
        u["group_names"] = gnames;
        u["group_weights"] = gweights;
        u["bottom_rule"] = {{"bottom_count", c.ranking.bottom_count},
                            {"bottom_percent", c.ranking.bottom_percent}};
        json subjects = json::array();
        for (auto& sr : ur.subjects) {
            const Subject& s = c.subjects[sr.subject];
            const Questionnaire* q = c.questionnaire(s.questionnaire);
            json js;
            js["id"] = s.id;
            js["name"] = s.name;
            js["position"] = s.position;
            for (auto& gid : std::vector<std::string>{"self", "social"}) {
                auto it = sr.group_scores.find(gid);
                js[gid] = it == sr.group_scores.end() ? json(nullptr) : scoreJson(it->second);
            }
            js["final"] = scoreJson(sr.final);
            js["rank"] = sr.rank ? json(*sr.rank) : json(nullptr);
            js["bottom"] = sr.bottom;
            js["paper_self"] = sr.paper_self;
            json ballots = json::object();
            for (auto& gid : std::vector<std::string>{"self", "social"}) {
                auto it = sr.group_ballots.find(gid);
                ballots[gid] = it == sr.group_ballots.end() ? json(nullptr) : json(it->second);
            }
            js["ballots"] = ballots;
            json items = json::object();
            for (std::size_t i = 0; i < q->items.size(); ++i) {
                json ji;
                ji["name"] = q->items[i].name;
                for (auto& gid : unit->groups) {
                    auto it = tally.items().find({sr.subject, gid, i});
                    if (it == tally.items().end()) {
                        ji[gid] = nullptr;
                        continue;
                    }
                    const ItemAcc& ia = it->second;
                    std::uint64_t answered = 0;
                    json lv = json::object();
                    for (std::size_t k = 0; k < c.scale.levels.size(); ++k) {
                        std::uint64_t n = k < ia.levels.size() ? ia.levels[k] : 0;
                        lv[c.scale.levels[k].id] = n;
                        answered += n;
                    }
                    // mean on a 0-100 scale: permille_sum / answered / 10, rounded half up
                    std::optional<std::int64_t> mean;
                    if (answered > 0)
                        mean = static_cast<std::int64_t>((ia.permille_sum * 20 + answered) /
                                                         (2 * answered));
                    ji[gid] = {{"mean", scoreJson(mean)},
                               {"answered", answered},
                               {"unknown", ia.unknown},
                               {"levels", lv}};
                }
                items[q->items[i].id] = ji;
            }
            js["items"] = items;
            json cats = json::object();
            for (auto& [gid, cells] : sr.categories) {
                json jc = json::object();
                for (auto& [cid, cell] : cells) {
                    jc[cid] = {{"name", c.category(*c.group(gid), cid)->name},
                               {"ballots", cell.ballots},
                               {"score", scoreJson(cell.score)},
                               {"suppressed", cell.suppressed}};
                }
                cats[gid] = jc;
            }
            js["categories"] = cats;
            subjects.push_back(js);
        }
        u["subjects"] = subjects;
        json comp = json::array();
        for (auto& mc : ur.composition) {
            json quotas = json::array();
            for (auto& q : mc.quotas)
                quotas.push_back({{"categories", q.categories},
                                  {"percent", q.percent},
                                  {"actual", scoreJson(q.actual_hundredths)},
                                  {"pass", q.pass}});
            json cats = json::object();
            for (auto& [cid, n] : mc.categories)
                cats[cid] = n;
            comp.push_back({{"meeting", mc.meeting.id()},
                            {"group", mc.meeting.group},
                            {"total", mc.total},
                            {"min_ballots", c.group(mc.meeting.group)->min_ballots},
                            {"categories", cats},
                            {"quotas", quotas},
                            {"pass", mc.pass}});
        }
        u["composition"] = comp;
        ju.push_back(u);
    }
    j["units"] = ju;
    json reasons = json::object();
    for (auto& [k, v] : acc.invalid_reasons)
        reasons[k] = v;
    j["accounting"] = {{"received", acc.received},
                       {"counted", acc.counted},
                       {"valid", acc.counted},
                       {"invalid", acc.invalid},
                       {"invalid_reasons", reasons},
                       {"conflicts", acc.conflicts},
                       {"conflicts_resolved", acc.conflicts_resolved},
                       {"conflict_envelopes_excluded", acc.conflict_envelopes_excluded},
                       {"missing", acc.missing}};
    j["receipts"] = receipts;
    return j;
}

} // namespace pingyi

namespace pingyi {

namespace {
std::string signedText(const json& results, const std::string& role, const std::string& unit) {
    json body = results;
    body.erase("signatures");
    return "pingyi-results/1\n" + role + "\n" + unit + "\n" + body.dump();
}
} // namespace

void signResults(json& results, const std::string& role, const std::string& unit,
                 const std::string& label, const PublicKey& pk, const Secret& sk) {
    Signature sig = sign(sk, view(signedText(results, role, unit)));
    json sigs = results.contains("signatures") && results["signatures"].is_array()
                    ? results["signatures"]
                    : json::array();
    json kept = json::array();
    for (auto& s : sigs)
        if (!(jsonText(s, "public") == toHex(pk) && jsonText(s, "unit") == unit)) kept.push_back(s);
    kept.push_back({{"role", role},
                    {"unit", unit},
                    {"label", label},
                    {"public", toHex(pk)},
                    {"fingerprint", fingerprint(pk)},
                    {"signature", toHex(sig)}});
    results["signatures"] = kept;
}

Result<std::vector<ResultSignature>> verifyResults(const json& results) {
    if (!results.is_object() || jsonText(results, "format") != "pingyi-results/1")
        return Error::make(ErrorKind::Invalid, "results.bad_document");
    std::vector<ResultSignature> out;
    if (!results.contains("signatures")) return out;
    if (!results["signatures"].is_array())
        return Error::make(ErrorKind::Invalid, "results.bad_document");
    for (auto& s : results["signatures"]) {
        ResultSignature r;
        if (!s.is_object()) {
            out.push_back(r);
            continue;
        }
        r.role = jsonText(s, "role");
        r.unit = jsonText(s, "unit");
        r.label = jsonText(s, "label");
        Hash32 pk;
        Bytes sig;
        if (fromHex32(jsonText(s, "public"), pk) && fromHex(jsonText(s, "signature"), sig) &&
            sig.size() == 64) {
            std::copy(pk.begin(), pk.end(), r.key.begin());
            Signature sg{};
            std::copy(sig.begin(), sig.end(), sg.begin());
            r.valid = verify(r.key, view(signedText(results, r.role, r.unit)), sg);
        }
        out.push_back(r);
    }
    return out;
}

} // namespace pingyi
