// The strict reader of the results document: the exact inverse of encodeResults. Every field
// must be there with its type, nothing else may be, and a subject's groups must be its unit's,
// so that encodeResults(decodeResults(j)) == j and a signature checks the bytes it was made on.
#include "core/results.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <set>

namespace pingyi {

using nlohmann::json;

namespace {

// Reads one JSON value tree, remembering the first problem with its path.
class DocReader {
  public:
    bool failed() const { return !problem_.empty(); }
    // The problem's catalog id, with {0} the document's name and {1} the JSON path.
    Error error(const std::string& name) const {
        return Error::make(ErrorKind::Invalid, problem_, {name, path_});
    }

    // The object at j with exactly `keys`; nullptr (and a problem) otherwise.
    // Every key of `keys` present, and nothing but those and the `optional` ones.
    const json* object(const json& j, const std::string& path,
                       std::initializer_list<const char*> keys,
                       std::initializer_list<const char*> optional = {}) {
        if (failed()) return nullptr;
        if (!j.is_object()) return fail(path, "results.field_type");
        for (auto* k : keys)
            if (!j.contains(k)) return fail(path + "." + k, "results.field_missing");
        for (auto& [k, v] : j.items()) {
            bool known = false;
            for (auto* kk : keys)
                known = known || k == kk;
            for (auto* kk : optional)
                known = known || k == kk;
            if (!known) return fail(path + "." + k, "results.field_unknown");
        }
        return &j;
    }
    std::string text(const json& j, const std::string& path) {
        if (failed()) return {};
        if (!j.is_string()) return fail(path, "results.field_type"), std::string();
        return j.get<std::string>();
    }
    std::uint64_t count(const json& j, const std::string& path, std::uint64_t max = UINT64_MAX) {
        if (failed()) return 0;
        if (!j.is_number_unsigned() && !(j.is_number_integer() && j.get<std::int64_t>() >= 0))
            return fail(path, "results.field_type"), 0;
        std::uint64_t v = j.get<std::uint64_t>();
        if (v > max) return fail(path, "results.field_value"), 0;
        return v;
    }
    std::uint32_t count32(const json& j, const std::string& path) {
        return static_cast<std::uint32_t>(count(j, path, UINT32_MAX));
    }
    bool flag(const json& j, const std::string& path) {
        if (failed()) return false;
        if (!j.is_boolean()) return fail(path, "results.field_type"), false;
        return j.get<bool>();
    }
    // A score with at most 2 decimals, or null.
    std::optional<std::int64_t> score(const json& j, const std::string& path) {
        if (failed() || j.is_null()) return std::nullopt;
        if (!j.is_number()) return fail(path, "results.field_type"), std::nullopt;
        double v = j.get<double>();
        if (!std::isfinite(v) || v < 0 || v > 1e9)
            return fail(path, "results.field_value"), std::nullopt;
        auto h = static_cast<std::int64_t>(std::llround(v * 100));
        if (scoreJson(h) != j) return fail(path, "results.field_value"), std::nullopt;
        return h;
    }
    const json& array(const json& j, const std::string& path) {
        static const json kEmpty = json::array();
        if (failed()) return kEmpty;
        if (!j.is_array()) return fail(path, "results.field_type"), kEmpty;
        return j;
    }
    std::vector<std::string> texts(const json& j, const std::string& path) {
        std::vector<std::string> out;
        const json& a = array(j, path);
        for (std::size_t i = 0; i < a.size(); ++i)
            out.push_back(text(a[i], path + "[" + std::to_string(i) + "]"));
        return out;
    }
    std::nullptr_t fail(const std::string& path, const std::string& what) {
        if (!failed()) {
            path_ = path;
            problem_ = what;
        }
        return nullptr;
    }

  private:
    std::string path_, problem_;
};

std::string at(const std::string& path, std::size_t i) {
    return path + "[" + std::to_string(i) + "]";
}

GroupScoring readScoring(DocReader& r, const json& j, const std::string& p) {
    GroupScoring s;
    if (!r.object(j, p, {"category_weights", "trim", "min_subject_ballots"})) return s;
    const json& w = r.array(j["category_weights"], p + ".category_weights");
    for (std::size_t i = 0; i < w.size(); ++i) {
        std::string wp = at(p + ".category_weights", i);
        if (!r.object(w[i], wp, {"categories", "percent"})) return s;
        s.category_weights.push_back({r.texts(w[i]["categories"], wp + ".categories"),
                                      r.count32(w[i]["percent"], wp + ".percent")});
    }
    const json& t = j["trim"];
    if (!r.object(t, p + ".trim", {"count", "percent", "min_remaining"})) return s;
    s.trim = {r.count32(t["count"], p + ".trim.count"),
              r.count32(t["percent"], p + ".trim.percent"),
              r.count32(t["min_remaining"], p + ".trim.min_remaining")};
    s.min_subject_ballots = r.count32(j["min_subject_ballots"], p + ".min_subject_ballots");
    return s;
}

ResultsSubject readSubject(DocReader& r, const json& j, const std::string& p, const ResultsUnit& u,
                           std::size_t levels) {
    ResultsSubject s;
    if (!r.object(j, p,
                  {"id", "name", "position", "scores", "ballots", "notes", "categories", "final",
                   "rank", "bottom", "paper_self", "items"}))
        return s;
    s.id = r.text(j["id"], p + ".id");
    s.name = r.text(j["name"], p + ".name");
    s.position = r.text(j["position"], p + ".position");
    // Each per-group map has exactly the unit's groups.
    auto perGroup = [&](const char* key) -> const json* {
        std::string kp = p + "." + key;
        const json& m = j[key];
        if (r.failed()) return nullptr;
        if (!m.is_object()) return r.fail(kp, "results.field_type");
        if (m.size() != u.groups.size()) return r.fail(kp, "results.field_groups");
        for (auto& g : u.groups)
            if (!m.contains(g.id)) return r.fail(kp + "." + g.id, "results.field_missing");
        return &m;
    };
    if (auto* m = perGroup("scores"))
        for (auto& g : u.groups)
            s.scores[g.id] = r.score((*m)[g.id], p + ".scores." + g.id);
    if (auto* m = perGroup("ballots"))
        for (auto& g : u.groups)
            s.ballots[g.id] = r.count((*m)[g.id], p + ".ballots." + g.id);
    if (auto* m = perGroup("notes"))
        for (auto& g : u.groups) {
            std::string np = p + ".notes." + g.id;
            const json& n = (*m)[g.id];
            if (!r.object(n, np, {"insufficient", "trimmed", "classes_left_out"})) break;
            ResultsGroupNote note;
            note.insufficient = r.flag(n["insufficient"], np + ".insufficient");
            note.trimmed = r.count(n["trimmed"], np + ".trimmed");
            const json& left = r.array(n["classes_left_out"], np + ".classes_left_out");
            for (std::size_t i = 0; i < left.size(); ++i) {
                auto k = r.count(left[i], at(np + ".classes_left_out", i));
                if (k >= g.scoring.category_weights.size())
                    r.fail(at(np + ".classes_left_out", i), "results.field_reference");
                note.classes_left_out.push_back(static_cast<std::size_t>(k));
            }
            s.notes[g.id] = note;
        }
    if (auto* m = perGroup("categories"))
        for (auto& g : u.groups) {
            std::string cp = p + ".categories." + g.id;
            const json& cells = (*m)[g.id];
            if (!cells.is_object()) {
                r.fail(cp, "results.field_type");
                break;
            }
            for (auto& [cid, cell] : cells.items()) {
                std::string ccp = cp + "." + cid;
                bool known = false;
                for (auto& c : g.categories)
                    known = known || c.id == cid;
                if (!known) r.fail(ccp, "results.field_reference");
                if (!r.object(cell, ccp, {"ballots", "score", "suppressed"})) break;
                s.categories[g.id][cid] = {r.count(cell["ballots"], ccp + ".ballots"),
                                           r.score(cell["score"], ccp + ".score"),
                                           r.flag(cell["suppressed"], ccp + ".suppressed")};
            }
            s.categories[g.id]; // present even when empty
        }
    s.final = r.score(j["final"], p + ".final");
    if (!j["rank"].is_null()) s.rank = r.count32(j["rank"], p + ".rank");
    s.bottom = r.flag(j["bottom"], p + ".bottom");
    s.paper_self = r.flag(j["paper_self"], p + ".paper_self");
    const json& items = r.array(j["items"], p + ".items");
    for (std::size_t i = 0; i < items.size(); ++i) {
        std::string ip = at(p + ".items", i);
        if (!r.object(items[i], ip, {"id", "name", "groups"})) break;
        ResultsItem item{
            r.text(items[i]["id"], ip + ".id"), r.text(items[i]["name"], ip + ".name"), {}};
        const json& per = items[i]["groups"];
        if (!per.is_object() || per.size() != u.groups.size()) {
            r.fail(ip + ".groups", "results.field_groups");
            break;
        }
        for (auto& g : u.groups) {
            std::string gp = ip + ".groups." + g.id;
            if (!per.contains(g.id)) {
                r.fail(gp, "results.field_missing");
                break;
            }
            const json& cell = per[g.id];
            if (cell.is_null()) {
                item.groups[g.id] = std::nullopt;
                continue;
            }
            if (!r.object(cell, gp, {"mean", "answered", "unknown", "levels"})) break;
            ResultsItemCell c;
            c.mean = r.score(cell["mean"], gp + ".mean");
            c.answered = r.count(cell["answered"], gp + ".answered");
            c.unknown = r.count(cell["unknown"], gp + ".unknown");
            const json& lv = r.array(cell["levels"], gp + ".levels");
            if (lv.size() != levels) r.fail(gp + ".levels", "results.field_value");
            for (std::size_t k = 0; k < lv.size(); ++k)
                c.levels.push_back(r.count(lv[k], at(gp + ".levels", k)));
            item.groups[g.id] = c;
        }
        s.items.push_back(std::move(item));
    }
    return s;
}

ResultsUnit readUnit(DocReader& r, const json& j, const std::string& p, std::size_t levels) {
    ResultsUnit u;
    if (!r.object(j, p, {"id", "name", "groups", "bottom_rule", "subjects", "composition"}))
        return u;
    u.id = r.text(j["id"], p + ".id");
    u.name = r.text(j["name"], p + ".name");
    const json& groups = r.array(j["groups"], p + ".groups");
    std::set<std::string> ids;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        std::string gp = at(p + ".groups", i);
        const json& g = groups[i];
        if (!r.object(g, gp, {"id", "name", "name_en", "weight", "categories", "scoring"}))
            return u;
        ResultsGroup rg;
        rg.id = r.text(g["id"], gp + ".id");
        if (!ids.insert(rg.id).second) r.fail(gp + ".id", "results.field_repeated");
        rg.name = r.text(g["name"], gp + ".name");
        rg.name_en = r.text(g["name_en"], gp + ".name_en");
        rg.weight = r.count32(g["weight"], gp + ".weight");
        const json& cats = r.array(g["categories"], gp + ".categories");
        for (std::size_t k = 0; k < cats.size(); ++k) {
            std::string cp = at(gp + ".categories", k);
            if (!r.object(cats[k], cp, {"id", "name"})) return u;
            rg.categories.push_back(
                {r.text(cats[k]["id"], cp + ".id"), r.text(cats[k]["name"], cp + ".name")});
        }
        rg.scoring = readScoring(r, g["scoring"], gp + ".scoring");
        u.groups.push_back(std::move(rg));
    }
    const json& rule = j["bottom_rule"];
    if (r.object(rule, p + ".bottom_rule", {"bottom_count", "bottom_percent"}))
        u.bottom_rule = {r.count32(rule["bottom_count"], p + ".bottom_rule.bottom_count"),
                         r.count32(rule["bottom_percent"], p + ".bottom_rule.bottom_percent")};
    const json& subjects = r.array(j["subjects"], p + ".subjects");
    for (std::size_t i = 0; i < subjects.size() && !r.failed(); ++i)
        u.subjects.push_back(readSubject(r, subjects[i], at(p + ".subjects", i), u, levels));
    const json& comp = r.array(j["composition"], p + ".composition");
    for (std::size_t i = 0; i < comp.size() && !r.failed(); ++i) {
        std::string mp = at(p + ".composition", i);
        const json& m = comp[i];
        if (!r.object(m, mp,
                      {"meeting", "group", "total", "min_ballots", "categories", "quotas", "pass"}))
            break;
        ResultsMeeting rm;
        rm.meeting = r.text(m["meeting"], mp + ".meeting");
        rm.group = r.text(m["group"], mp + ".group");
        if (!r.failed() && !u.group(rm.group)) r.fail(mp + ".group", "results.field_groups");
        rm.total = r.count(m["total"], mp + ".total");
        rm.min_ballots = r.count(m["min_ballots"], mp + ".min_ballots");
        if (!m["categories"].is_object()) r.fail(mp + ".categories", "results.field_type");
        for (auto& [cid, n] : m["categories"].items())
            rm.categories[cid] = r.count(n, mp + ".categories." + cid);
        const json& quotas = r.array(m["quotas"], mp + ".quotas");
        for (std::size_t k = 0; k < quotas.size(); ++k) {
            std::string qp = at(mp + ".quotas", k);
            if (!r.object(quotas[k], qp, {"categories", "percent", "actual", "pass"})) break;
            ResultsQuota q;
            q.categories = r.texts(quotas[k]["categories"], qp + ".categories");
            q.percent = r.count32(quotas[k]["percent"], qp + ".percent");
            q.actual = r.score(quotas[k]["actual"], qp + ".actual").value_or(-1);
            if (!r.failed() && q.actual < 0) r.fail(qp + ".actual", "results.field_missing");
            q.pass = r.flag(quotas[k]["pass"], qp + ".pass");
            rm.quotas.push_back(std::move(q));
        }
        rm.pass = r.flag(m["pass"], mp + ".pass");
        u.composition.push_back(std::move(rm));
    }
    return u;
}

} // namespace

Result<ResultsDocument> decodeResults(const json& j, const std::string& name) {
    if (j.is_object() && j.contains("format") && j["format"].is_string() &&
        j["format"].get<std::string>() != kResultsFormat) {
        std::string f = j["format"].get<std::string>();
        if (f.rfind("pingyi-results/", 0) == 0)
            return Error::make(ErrorKind::Invalid, "results.old_format", {name, f, kResultsFormat});
    }
    DocReader r;
    ResultsDocument d;
    if (!r.object(j, "$",
                  {"format", "campaign", "campaign_name", "package_digest", "levels", "grade_quota",
                   "units", "accounting", "receipts", "signatures"}))
        return r.error(name);
    if (r.text(j["format"], "$.format") != kResultsFormat)
        r.fail("$.format", "results.field_value");
    d.campaign = r.text(j["campaign"], "$.campaign");
    d.campaign_name = r.text(j["campaign_name"], "$.campaign_name");
    if (!fromHex32(r.text(j["package_digest"], "$.package_digest"), d.package_digest))
        r.fail("$.package_digest", "results.field_value");
    const json& levels = r.array(j["levels"], "$.levels");
    for (std::size_t i = 0; i < levels.size(); ++i) {
        std::string lp = at("$.levels", i);
        if (!r.object(levels[i], lp, {"id", "name"})) break;
        d.levels.push_back(
            {r.text(levels[i]["id"], lp + ".id"), r.text(levels[i]["name"], lp + ".name")});
    }
    if (r.object(j["grade_quota"], "$.grade_quota", {"level", "percent"}))
        d.grade_quota = {r.text(j["grade_quota"]["level"], "$.grade_quota.level"),
                         r.count32(j["grade_quota"]["percent"], "$.grade_quota.percent")};
    const json& units = r.array(j["units"], "$.units");
    std::set<std::string> unit_ids;
    for (std::size_t i = 0; i < units.size() && !r.failed(); ++i) {
        d.units.push_back(readUnit(r, units[i], at("$.units", i), d.levels.size()));
        if (!r.failed() && !unit_ids.insert(d.units.back().id).second)
            r.fail(at("$.units", i) + ".id", "results.field_repeated");
    }
    const json& a = j["accounting"];
    if (r.object(a, "$.accounting",
                 {"received", "counted", "invalid", "invalid_reasons", "conflicts",
                  "conflicts_resolved", "conflict_envelopes_excluded", "missing"})) {
        Accounting& acc = d.accounting;
        acc.received = r.count(a["received"], "$.accounting.received");
        acc.counted = r.count(a["counted"], "$.accounting.counted");
        acc.invalid = r.count(a["invalid"], "$.accounting.invalid");
        if (!a["invalid_reasons"].is_object())
            r.fail("$.accounting.invalid_reasons", "results.field_type");
        for (auto& [k, v] : a["invalid_reasons"].items())
            acc.invalid_reasons[k] = r.count(v, "$.accounting.invalid_reasons." + k);
        acc.conflicts = r.count(a["conflicts"], "$.accounting.conflicts");
        acc.conflicts_resolved =
            r.count(a["conflicts_resolved"], "$.accounting.conflicts_resolved");
        acc.conflict_envelopes_excluded =
            r.count(a["conflict_envelopes_excluded"], "$.accounting.conflict_envelopes_excluded");
        acc.missing = r.count(a["missing"], "$.accounting.missing");
    }
    d.receipts = r.texts(j["receipts"], "$.receipts");
    const json& sigs = r.array(j["signatures"], "$.signatures");
    for (std::size_t i = 0; i < sigs.size() && !r.failed(); ++i) {
        std::string sp = at("$.signatures", i);
        const json& s = sigs[i];
        if (!r.object(s, sp, {"role", "unit", "label", "public", "fingerprint", "signature"},
                      {"confirmed_noncompliant"}))
            break;
        ResultsSignature rs;
        rs.role = r.text(s["role"], sp + ".role");
        rs.unit = r.text(s["unit"], sp + ".unit");
        rs.label = r.text(s["label"], sp + ".label");
        Hash32 pk{};
        if (!fromHex32(r.text(s["public"], sp + ".public"), pk))
            r.fail(sp + ".public", "results.field_value");
        std::copy(pk.begin(), pk.end(), rs.key.begin());
        Bytes sig;
        if (!fromHex(r.text(s["signature"], sp + ".signature"), sig) ||
            sig.size() != rs.signature.size())
            r.fail(sp + ".signature", "results.field_value");
        else
            std::copy(sig.begin(), sig.end(), rs.signature.begin());
        if (!r.failed() && r.text(s["fingerprint"], sp + ".fingerprint") != fingerprint(rs.key))
            r.fail(sp + ".fingerprint", "results.field_value");
        if (!r.failed() && rs.role != "collector" && rs.role != "unit-head")
            r.fail(sp + ".role", "results.field_value");
        if (s.contains("confirmed_noncompliant")) {
            // Written only when true: false would be a second spelling of the same document.
            const json& c = s["confirmed_noncompliant"];
            if (!c.is_boolean())
                r.fail(sp + ".confirmed_noncompliant", "results.field_type");
            else if (!c.get<bool>() || rs.role != "unit-head")
                r.fail(sp + ".confirmed_noncompliant", "results.field_value");
            else
                rs.confirmed_noncompliant = true;
        }
        d.signatures.push_back(std::move(rs));
    }
    if (r.failed()) return r.error(name);
    return d;
}

Result<ResultsDocument> decodeResultsText(std::string_view text, const std::string& name) {
    auto j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return Error::make(ErrorKind::Invalid, "results.not_json", {name});
    return decodeResults(j, name);
}

} // namespace pingyi
