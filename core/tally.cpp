#include "core/tally.hpp"

#include "core/rules.hpp"

#include <algorithm>
#include <numeric>
#include <set>

namespace pingyi {

std::int64_t roundHundredths(const Fraction& f) {
    // floor((200 * num + den) / (2 * den)), in arbitrary precision.
    mpz_class n = f.get_num() * 200 + f.get_den();
    mpz_class d = f.get_den() * 2;
    mpz_class q;
    mpz_fdiv_q(q.get_mpz_t(), n.get_mpz_t(), d.get_mpz_t());
    return static_cast<std::int64_t>(q.get_si()); // a score: at most 1000 points x 100
}

std::string formatHundredths(std::int64_t h) {
    std::string frac = std::to_string(h % 100);
    if (frac.size() < 2) frac = "0" + frac;
    return std::to_string(h / 100) + "." + frac;
}

void ScoreAcc::merge(const ScoreAcc& o) {
    ballots += o.ballots;
    for (auto& [d, n] : o.by_den)
        by_den[d] += n;
    for (auto& [v, n] : o.values)
        values[v] += n;
}

Fraction valueSum(const ScoreAcc& acc) {
    // Σ_d N_d / d over the common denominator L = lcm(d).
    mpz_class L = 1;
    for (auto& [d, n] : acc.by_den)
        mpz_lcm_ui(L.get_mpz_t(), L.get_mpz_t(), d);
    mpz_class N = 0;
    for (auto& [d, n] : acc.by_den) {
        mpz_class part = L / d;
        N += part * mpz_class(static_cast<unsigned long>(n));
    }
    Fraction f(N, L);
    f.canonicalize();
    return f;
}

std::optional<Fraction> groupScore(const ScoreAcc& acc, std::uint32_t weight) {
    if (acc.ballots == 0) return std::nullopt;
    Fraction f =
        valueSum(acc) * weight / (mpz_class(1000) * static_cast<unsigned long>(acc.ballots));
    f.canonicalize();
    return f;
}

Tally::Tally(const Campaign& c) : c_(&c) {
    for (auto& m : c.meetings()) {
        std::size_t gi = 0;
        while (gi < c.groups.size() && c.groups[gi].id != m.group)
            ++gi;
        bool trims = gi < c.groups.size() &&
                     (c.groups[gi].scoring.trim.count > 0 || c.groups[gi].scoring.trim.percent > 0);
        meetings_.push_back({m.id(), m.group, gi, trims});
    }
    questionnaire_.reserve(c.subjects.size());
    for (auto& s : c.subjects)
        questionnaire_.push_back(c.questionnaire(s.questionnaire));
}

void Tally::add(const Ballot& b, const std::string& category) {
    const MeetingGroup* meeting = nullptr;
    for (auto& m : meetings_)
        if (m.id == b.meeting) {
            meeting = &m;
            break;
        }
    if (!meeting) return; // decodeBallot() guarantees a known meeting
    ++ballots_;
    ++composition_[{b.meeting, category}];
    const std::string& group = meeting->group;
    auto& slots = item_slots_.slots;
    if (slots.empty()) slots.resize(c_->subjects.size() * (c_->groups.size() + 1));
    for (auto& a : b.answers) {
        const Questionnaire* q = questionnaire_[a.subject];
        std::vector<ItemAcc*>& items =
            slots[a.subject * (c_->groups.size() + 1) + meeting->group_index];
        if (items.size() < a.levels.size()) {
            items.resize(a.levels.size());
            for (std::size_t i = 0; i < a.levels.size(); ++i) {
                ItemAcc& ia = items_[{a.subject, group, i}];
                if (ia.levels.empty()) ia.levels.assign(c_->scale.levels.size(), 0);
                items[i] = &ia;
            }
        }
        std::uint64_t num = 0;
        std::uint32_t den = 0;
        for (std::size_t i = 0; i < a.levels.size(); ++i) {
            ItemAcc& ia = *items[i];
            if (a.levels[i] == kUnknownLevel) {
                ++ia.unknown;
                continue;
            }
            std::uint32_t f = c_->scale.levels[a.levels[i]].permille;
            ++ia.levels[a.levels[i]];
            ia.permille_sum += f;
            num += std::uint64_t(q->items[i].weight) * f;
            den += q->items[i].weight;
        }
        if (den == 0) continue; // answered nothing for this subject: does not count for it
        ScoreAcc& acc = scores_[{a.subject, group, category}];
        ++acc.ballots;
        acc.by_den[den] += num;
        if (meeting->trims) {
            std::uint64_t g = std::gcd(num, std::uint64_t{den});
            ++acc.values[{num / g, static_cast<std::uint32_t>(den / g)}];
        }
    }
}

void Tally::merge(const Tally& o) {
    ballots_ += o.ballots_;
    for (auto& [k, v] : o.scores_)
        scores_[k].merge(v);
    for (auto& [k, v] : o.items_) {
        ItemAcc& ia = items_[k];
        if (ia.levels.empty()) ia.levels.assign(v.levels.size(), 0);
        for (std::size_t i = 0; i < v.levels.size(); ++i)
            ia.levels[i] += v.levels[i];
        ia.unknown += v.unknown;
        ia.permille_sum += v.permille_sum;
    }
    for (auto& [k, v] : o.composition_)
        composition_[k] += v;
}

namespace {
// Σ v(b,s) over a class's ballots after the trim (see computeResults in the header), with the
// number of ballots it is over and how many were dropped.
struct ClassSum {
    Fraction sum;
    std::uint64_t ballots = 0, dropped = 0;
};
ClassSum trimmedSum(const ScoreAcc& acc, const Trim& trim) {
    const std::uint64_t n = acc.ballots;
    std::uint64_t k = trim.count > 0 ? trim.count : n * trim.percent / 100;
    std::uint64_t in_histogram = 0;
    for (auto& [v, count] : acc.values)
        in_histogram += count;
    const std::uint64_t keep = std::max<std::uint64_t>(trim.min_remaining, 1);
    if (k == 0 || in_histogram != n || n < 2 * k + keep) return {valueSum(acc), n, 0};
    // Drop k from each end of the histogram (ordered by value), then sum what is left.
    std::map<BallotValue, std::uint64_t, ValueLess> left = acc.values;
    std::uint64_t low = k, high = k;
    for (auto it = left.begin(); low > 0; ++it) {
        std::uint64_t d = std::min(low, it->second);
        it->second -= d;
        low -= d;
    }
    for (auto it = left.rbegin(); high > 0; ++it) {
        std::uint64_t d = std::min(high, it->second);
        it->second -= d;
        high -= d;
    }
    ScoreAcc kept;
    for (auto& [v, count] : left) {
        if (count == 0) continue;
        kept.ballots += count;
        kept.by_den[v.den] += v.num * count;
    }
    return {valueSum(kept), kept.ballots, 2 * k};
}

struct GroupOutcome {
    std::optional<Fraction> score;
    SubjectResult::GroupNote note;
};
// The group score of one subject from its accumulators per category (aligned with
// g.categories, null where the category gave no ballot), with the group's scoring rules.
GroupOutcome scoreGroup(const Group& g, const std::vector<const ScoreAcc*>& per_category) {
    GroupOutcome out;
    const GroupScoring& rules = g.scoring;
    std::uint64_t total = 0;
    for (auto* acc : per_category)
        if (acc) total += acc->ballots;
    if (total == 0) return out; // missing, never zero
    if (total < rules.min_subject_ballots) {
        out.note.insufficient = true;
        return out;
    }
    std::vector<ClassWeight> classes = rules.category_weights;
    if (classes.empty()) {
        classes.push_back({{}, 100});
        for (auto& cat : g.categories)
            classes.back().categories.push_back(cat.id);
    }
    Fraction weighted = 0;
    std::uint32_t present = 0; // the shares of the classes with ballots, in %
    for (std::size_t k = 0; k < classes.size(); ++k) {
        ScoreAcc pooled;
        for (auto& cid : classes[k].categories)
            for (std::size_t i = 0; i < g.categories.size(); ++i)
                if (g.categories[i].id == cid && per_category[i]) pooled.merge(*per_category[i]);
        if (pooled.ballots == 0) {
            out.note.classes_left_out.push_back(k);
            continue;
        }
        ClassSum cs = trimmedSum(pooled, rules.trim);
        out.note.trimmed += cs.dropped;
        weighted += cs.sum * classes[k].percent /
                    (mpz_class(1000) * static_cast<unsigned long>(cs.ballots));
        present += classes[k].percent;
    }
    if (present == 0) return out; // cannot happen: campaign check weighs every category
    Fraction score = weighted * g.weight / present;
    score.canonicalize();
    out.score = std::move(score);
    return out;
}
} // namespace

Result<std::vector<UnitResult>> computeResults(const Campaign& c, const Tally& t,
                                               const std::vector<PaperSelf>& paper) {
    std::vector<UnitResult> out;
    for (auto& unit : c.units) {
        UnitResult ur;
        ur.unit = unit.id;
        auto subjects = orderedSubjectsOf(c, unit.id); // ties and the unranked in this order
        std::set<std::string> paper_groups;            // the unit's groups that voted on paper
        for (auto& p : paper) {
            int idx = c.subjectIndex(p.subject);
            if (idx >= 0 && c.subjects[static_cast<std::size_t>(idx)].unit == unit.id)
                paper_groups.insert(p.group);
        }
        for (auto si : subjects) {
            SubjectResult sr;
            sr.subject = si;
            std::optional<Fraction> total = Fraction(0);
            for (auto& gid : unit.groups) {
                const Group* g = c.group(gid);
                std::uint64_t ballots = 0;
                std::vector<const ScoreAcc*> per_category;
                for (auto& cat : g->categories) {
                    auto it = t.scores().find({si, gid, cat.id});
                    SubjectResult::CategoryCell cell;
                    per_category.push_back(it != t.scores().end() ? &it->second : nullptr);
                    if (it != t.scores().end()) {
                        ballots += it->second.ballots;
                        cell.ballots = it->second.ballots;
                        auto f = groupScore(it->second, g->weight);
                        if (f) cell.score = roundHundredths(*f);
                    }
                    sr.categories[gid][cat.id] = cell;
                }
                GroupOutcome outcome = scoreGroup(*g, per_category);
                std::optional<Fraction> score = std::move(outcome.score);
                sr.notes[gid] = std::move(outcome.note);
                sr.group_ballots[gid] = ballots;
                if (paper_groups.count(gid)) {
                    if (ballots > 0)
                        return Error::make(ErrorKind::Conflict, "tally.paper_and_ballots",
                                           {unit.id, gid});
                    score.reset();
                    for (auto& p : paper)
                        if (p.subject == c.subjects[si].id && p.group == gid) {
                            score = Fraction(static_cast<long>(p.hundredths), 100);
                            score->canonicalize();
                            sr.group_ballots[gid] = p.ballots;
                            sr.paper_self = true;
                        }
                    sr.notes[gid] = {}; // the rules act on ballots, not on paper scores
                }
                sr.group_scores[gid] =
                    score ? std::optional<std::int64_t>(roundHundredths(*score)) : std::nullopt;
                if (!score || !total)
                    total.reset();
                else
                    *total += *score;
                // Suppression: categories with 1..4 ballots are hidden; if only one is hidden, the
                // smallest visible one is hidden too, so the group total cannot reveal it.
                auto& cats = sr.categories[gid];
                std::size_t hidden = 0;
                for (auto& [cid, cell] : cats)
                    if (cell.ballots > 0 && cell.ballots < kSuppressBelow) {
                        cell.suppressed = true;
                        cell.score.reset();
                        ++hidden;
                    }
                if (hidden == 1) {
                    SubjectResult::CategoryCell* smallest = nullptr;
                    for (auto& [cid, cell] : cats)
                        if (!cell.suppressed && cell.ballots > 0 &&
                            (!smallest || cell.ballots < smallest->ballots))
                            smallest = &cell;
                    if (smallest) {
                        smallest->suppressed = true;
                        smallest->score.reset();
                    }
                }
            }
            if (total && !unit.groups.empty()) sr.final = roundHundredths(*total);
            ur.subjects.push_back(std::move(sr));
        }
        // Rank by rounded final, higher first; equal finals share a rank (1, 2, 2, 4).
        std::stable_sort(ur.subjects.begin(), ur.subjects.end(),
                         [](const SubjectResult& a, const SubjectResult& b) {
                             if (a.final.has_value() != b.final.has_value())
                                 return a.final.has_value();
                             return a.final.value_or(0) > b.final.value_or(0);
                         });
        std::uint32_t ranked = 0;
        for (std::size_t i = 0; i < ur.subjects.size(); ++i) {
            auto& s = ur.subjects[i];
            if (!s.final) continue;
            ++ranked;
            if (i > 0 && ur.subjects[i - 1].final == s.final)
                s.rank = ur.subjects[i - 1].rank;
            else
                s.rank = static_cast<std::uint32_t>(i + 1);
        }
        // Bottom: the last N ranked, N = max(count, ceil(percent% of ranked)); ties at the
        // boundary are all flagged. Never every ranked subject of the unit: a unit with one
        // ranked subject, or whose subjects all tie at the boundary, has no one flagged (a
        // subject cannot be both first and last).
        std::uint32_t n = c.ranking.bottom_count;
        std::uint32_t by_pct = (ranked * c.ranking.bottom_percent + 99) / 100;
        n = ranked == 0 ? 0 : std::min(ranked - 1, std::max(n, by_pct));
        if (n > 0) {
            std::int64_t cutoff = *ur.subjects[ranked - n].final;
            std::uint32_t flagged = 0;
            for (auto& s : ur.subjects)
                if (s.final && *s.final <= cutoff) ++flagged;
            if (flagged < ranked)
                for (auto& s : ur.subjects)
                    if (s.final && *s.final <= cutoff) s.bottom = true;
        }
        // Composition per meeting.
        for (auto& gid : unit.groups) {
            MeetingRef m{unit.id, gid};
            std::map<std::string, std::uint64_t> per_category;
            for (auto& [key, count] : t.composition())
                if (key.first == m.id()) per_category[key.second] = count;
            ur.composition.push_back(composeMeeting(c, m, per_category));
        }
        out.push_back(std::move(ur));
    }
    return out;
}

MeetingComposition composeMeeting(const Campaign& c, const MeetingRef& meeting,
                                  const std::map<std::string, std::uint64_t>& per_category) {
    const Group* g = c.group(meeting.group);
    MeetingComposition mc;
    mc.meeting = meeting;
    if (!g) return mc;
    for (auto& cat : g->categories) {
        auto it = per_category.find(cat.id);
        std::uint64_t k = it == per_category.end() ? 0 : it->second;
        mc.categories[cat.id] = k;
        mc.total += k;
    }
    mc.min_pass = mc.total >= g->min_ballots;
    mc.pass = mc.min_pass;
    for (auto& q : g->quotas) {
        QuotaResult qr;
        qr.categories = q.categories;
        qr.percent = q.percent;
        std::uint64_t k = 0;
        for (auto& cid : q.categories)
            k += mc.categories[cid];
        // share in hundredths of a percent, rounded half up
        qr.actual_hundredths =
            mc.total == 0 ? 0 : static_cast<std::int64_t>((k * 20000 + mc.total) / (2 * mc.total));
        std::int64_t lo = (static_cast<std::int64_t>(q.percent) - g->tolerance_percent) * 100;
        std::int64_t hi = (static_cast<std::int64_t>(q.percent) + g->tolerance_percent) * 100;
        qr.pass = mc.total > 0 && qr.actual_hundredths >= lo && qr.actual_hundredths <= hi;
        mc.pass = mc.pass && qr.pass;
        mc.quotas.push_back(std::move(qr));
    }
    return mc;
}

} // namespace pingyi
