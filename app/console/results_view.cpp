#include "app/console/results_view.hpp"

#include "platform/report_common.hpp"

namespace pingyi::console {

ResultsView buildResultsView(const ResultsDocument& r, std::vector<CommentOut> comments,
                             const Campaign* campaign, Lang lang) {
    ResultsView v;
    v.campaign = r.campaign_name;
    for (auto& l : r.levels) {
        v.levels.push_back(l.name);
        std::string en;
        if (campaign)
            for (auto& cl : campaign->scale.levels)
                if (cl.id == l.id) en = cl.name_en;
        v.levels_en.push_back(en);
    }
    v.unknown = campaign ? campaign->scale.unknown_name : "";
    v.unknown_en = campaign ? campaign->scale.unknown_name_en : "";
    for (auto& u : r.units) {
        UnitView uv;
        uv.id = u.id;
        uv.name = u.name;
        for (auto& g : u.groups) {
            uv.groups.push_back(g.id);
            uv.group_names.push_back(g.name.empty() ? g.id : g.name);
            uv.group_names_en.push_back(g.name_en);
        }
        for (auto& s : u.subjects) {
            SubjectView sv;
            sv.id = s.id;
            sv.name = s.name;
            sv.position = s.position;
            for (auto& g : u.groups) {
                sv.scores.push_back(report::groupScoreText(s, g.id, lang));
                auto it = s.scores.find(g.id);
                sv.score_v.push_back(it != s.scores.end() && it->second
                                         ? std::optional<double>(double(*it->second) / 100.0)
                                         : std::nullopt);
            }
            sv.final = report::scoreText(s.final);
            if (s.final) sv.final_v = double(*s.final) / 100.0;
            sv.remark = report::remark(u, s, lang);
            if (s.rank) sv.rank = *s.rank;
            sv.bottom = s.bottom;
            const Subject* cs = nullptr;
            if (campaign)
                for (auto& x : campaign->subjects)
                    if (x.id == sv.id) cs = &x;
            const Questionnaire* q = cs ? campaign->questionnaire(cs->questionnaire) : nullptr;
            for (auto& it : s.items) {
                ItemView iv;
                iv.name = it.name;
                if (q)
                    for (auto& qi : q->items)
                        if (qi.id == it.id) iv.name_en = qi.name_en;
                for (auto& gid : uv.groups) {
                    auto c = it.groups.find(gid);
                    if (c == it.groups.end() || !c->second) continue;
                    ItemGroupView gv;
                    gv.group = gid;
                    if (c->second->mean) gv.mean = double(*c->second->mean) / 100.0;
                    gv.mean_text = report::scoreText(c->second->mean);
                    gv.levels = c->second->levels;
                    gv.unknown = c->second->unknown;
                    iv.groups.push_back(std::move(gv));
                }
                sv.items.push_back(std::move(iv));
            }
            uv.subjects.push_back(std::move(sv));
        }
        uv.problems = compositionProblems(u, lang);
        for (auto& m : u.composition) {
            CompositionView cv;
            cv.meeting = m.meeting;
            cv.group = m.group;
            cv.total = m.total;
            cv.min_ballots = m.min_ballots;
            for (auto& [cid, n] : m.categories)
                cv.categories.emplace_back(cid, n);
            for (auto& q : m.quotas) {
                std::string cats;
                for (auto& x : q.categories)
                    cats += (cats.empty() ? "" : "+") + x;
                cats += " " + std::to_string(q.percent) + "% / " + formatHundredths(q.actual) + "%";
                cv.quotas.push_back(cats);
            }
            cv.pass = m.pass;
            uv.composition.push_back(std::move(cv));
        }
        v.units.push_back(std::move(uv));
    }
    v.accounting = report::accountingRows(r.accounting);
    v.receipts = r.receipts.size();
    for (auto& s : r.signatures)
        v.signatures.push_back(s.role + " " + s.unit + " " + s.label);
    v.comments = std::move(comments);
    for (std::size_t i = 0; i < v.comments.size(); ++i)
        v.comments_by_subject[v.comments[i].subject].push_back(i);
    return v;
}

} // namespace pingyi::console
