#include "core/rules.hpp"

#include <unicode/coll.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>

namespace pingyi {

namespace {
int quotaLevel(const Campaign& c) {
    if (c.grade_quota.percent == 0) return -1;
    for (std::size_t k = 0; k < c.scale.levels.size(); ++k)
        if (c.scale.levels[k].id == c.grade_quota.level) return static_cast<int>(k);
    return -1; // campaign check refuses an unknown level
}

// Per questionnaire (in first-seen order): its subjects, and per item the subjects given the
// level. Filled by both overloads, then judged once.
struct Counts {
    struct PerQuestionnaire {
        const Questionnaire* q = nullptr;
        std::size_t subjects = 0;
        std::vector<std::vector<std::size_t>> given; // per item
    };
    std::vector<PerQuestionnaire> per;
    PerQuestionnaire& of(const Questionnaire* q) {
        for (auto& p : per)
            if (p.q == q) return p;
        per.push_back({q, 0, std::vector<std::vector<std::size_t>>(q->items.size())});
        return per.back();
    }
    std::vector<GradeQuotaExcess> judge(const Campaign& c) const {
        std::vector<GradeQuotaExcess> out;
        for (auto& p : per) {
            std::uint32_t allowed = gradeQuotaAllowed(c, p.subjects);
            for (std::size_t i = 0; i < p.given.size(); ++i)
                if (p.given[i].size() > allowed) out.push_back({p.q, i, allowed, p.given[i]});
        }
        return out;
    }
};
} // namespace

std::uint32_t gradeQuotaAllowed(const Campaign& c, std::size_t n) {
    if (c.grade_quota.percent == 0) return static_cast<std::uint32_t>(n);
    std::uint64_t by_pct = std::uint64_t(n) * c.grade_quota.percent / 100;
    return static_cast<std::uint32_t>(std::max<std::uint64_t>(1, by_pct));
}

std::vector<GradeQuotaExcess> checkGradeQuota(const Campaign& c, const MeetingRef& meeting,
                                              const Answers& answers) {
    const int level = quotaLevel(c);
    if (level < 0) return {};
    const std::string& level_id = c.grade_quota.level;
    Counts counts;
    for (auto si : c.subjectsOf(meeting.unit)) {
        const Subject& s = c.subjects[si];
        const Questionnaire* q = c.questionnaire(s.questionnaire);
        if (!q) continue;
        auto& p = counts.of(q);
        ++p.subjects;
        auto it = answers.ratings.find(s.id);
        if (it == answers.ratings.end()) continue;
        for (std::size_t i = 0; i < q->items.size(); ++i) {
            auto li = it->second.find(q->items[i].id);
            if (li != it->second.end() && li->second && *li->second == level_id)
                p.given[i].push_back(si);
        }
    }
    return counts.judge(c);
}

std::vector<GradeQuotaExcess> checkGradeQuota(const Campaign& c, const Ballot& ballot) {
    const int level = quotaLevel(c);
    if (level < 0) return {};
    Counts counts;
    for (auto& a : ballot.answers) {
        if (a.subject >= c.subjects.size()) continue;
        const Questionnaire* q = c.questionnaire(c.subjects[a.subject].questionnaire);
        if (!q) continue;
        auto& p = counts.of(q);
        ++p.subjects;
        for (std::size_t i = 0; i < a.levels.size() && i < q->items.size(); ++i)
            if (a.levels[i] == level) p.given[i].push_back(a.subject);
    }
    return counts.judge(c);
}

Error gradeQuotaError(const Campaign& c, const GradeQuotaExcess& e) {
    std::string level_name = c.grade_quota.level;
    for (auto& l : c.scale.levels)
        if (l.id == c.grade_quota.level) level_name = l.name;
    // The subjects in the order the voter saw them.
    std::vector<std::size_t> shown = e.subjects;
    if (!shown.empty()) {
        auto order = orderedSubjectsOf(c, c.subjects[shown.front()].unit);
        auto pos = [&](std::size_t si) {
            return std::find(order.begin(), order.end(), si) - order.begin();
        };
        std::stable_sort(shown.begin(), shown.end(),
                         [&](std::size_t a, std::size_t b) { return pos(a) < pos(b); });
    }
    std::string names;
    for (auto si : shown) {
        if (!names.empty()) names += "、";
        names += c.subjects[si].id + " " + c.subjects[si].name;
    }
    const Item& item = e.questionnaire->items[e.item];
    return Error::make(ErrorKind::Invalid, "ballot.grade_quota",
                       {item.id, item.name, level_name, std::to_string(e.allowed),
                        std::to_string(e.subjects.size()), names});
}

std::vector<std::size_t> strokeOrder(const std::vector<std::string>& names) {
    std::vector<std::size_t> order(names.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Collator> coll(
        icu::Collator::createInstance(icu::Locale("zh@collation=stroke"), status));
    if (U_FAILURE(status) || !coll) return order;
    std::vector<icu::UnicodeString> text;
    text.reserve(names.size());
    for (auto& n : names)
        text.push_back(icu::UnicodeString::fromUTF8(n));
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        UErrorCode st = U_ZERO_ERROR;
        return coll->compare(text[a], text[b], st) == UCOL_LESS;
    });
    return order;
}

std::vector<std::size_t> orderedSubjectsOf(const Campaign& c, std::string_view unit) {
    std::vector<std::size_t> listed = c.subjectsOf(unit);
    switch (c.subject_order) {
    case SubjectOrder::Listed:
        return listed;
    case SubjectOrder::Stroke: {
        std::vector<std::string> names;
        names.reserve(listed.size());
        for (auto si : listed)
            names.push_back(c.subjects[si].name);
        std::vector<std::size_t> out;
        out.reserve(listed.size());
        for (auto k : strokeOrder(names))
            out.push_back(listed[k]);
        return out;
    }
    }
    return listed;
}

namespace {
const std::string& pickName(Lang lang, const std::string& zh, const std::string& en) {
    return lang == Lang::En && !en.empty() ? en : zh;
}
std::string classNames(const ClassWeight& w, const CategoryNames& names, Lang lang) {
    std::string out;
    for (auto& cid : w.categories) {
        if (!out.empty()) out += lang == Lang::En ? ", " : "、";
        out += names(cid);
    }
    return out;
}
CategoryNames groupCategoryNames(const Campaign& c, const Group& g, Lang lang) {
    return [&c, &g, lang](const std::string& cid) {
        const Category* cat = c.category(g, cid);
        return cat ? pickName(lang, cat->name, cat->name_en) : cid;
    };
}
} // namespace

std::vector<std::string> describeGroupScoring(const std::string& name, const GroupScoring& r,
                                              const CategoryNames& names, Lang lang) {
    std::vector<std::string> out;
    if (!r.category_weights.empty()) {
        std::string shares;
        for (auto& w : r.category_weights) {
            if (!shares.empty()) shares += lang == Lang::En ? "; " : "，";
            shares += classNames(w, names, lang) + " " + std::to_string(w.percent) + "%";
        }
        out.push_back(tr(lang, "rules.category_weights", {name, shares}));
    }
    const std::string keep = std::to_string(std::max<std::uint32_t>(r.trim.min_remaining, 1));
    if (r.trim.count > 0)
        out.push_back(tr(lang, "rules.trim_count", {name, std::to_string(r.trim.count), keep}));
    else if (r.trim.percent > 0)
        out.push_back(tr(lang, "rules.trim_percent", {name, std::to_string(r.trim.percent), keep}));
    if ((r.trim.count > 0 || r.trim.percent > 0) && !r.category_weights.empty())
        out.push_back(tr(lang, "rules.trim_within_class", {name}));
    if (r.min_subject_ballots > 0)
        out.push_back(
            tr(lang, "rules.min_subject_ballots", {name, std::to_string(r.min_subject_ballots)}));
    return out;
}

std::string describeGradeQuota(const std::string& level_name, std::uint32_t percent, Lang lang) {
    return tr(lang, "rules.grade_quota", {level_name, std::to_string(percent)});
}

std::vector<std::string> describeGroupNote(const GroupScoring& r,
                                           const SubjectResult::GroupNote& note,
                                           const CategoryNames& names, Lang lang) {
    std::vector<std::string> out;
    if (note.insufficient)
        out.push_back(tr(lang, "rules.note.insufficient", {std::to_string(r.min_subject_ballots)}));
    if (note.trimmed > 0)
        out.push_back(tr(lang, "rules.note.trimmed", {std::to_string(note.trimmed)}));
    for (auto k : note.classes_left_out)
        if (k < r.category_weights.size())
            out.push_back(tr(lang, "rules.note.class_left_out",
                             {classNames(r.category_weights[k], names, lang)}));
    return out;
}

std::vector<std::string> describeRules(const Campaign& c, Lang lang) {
    std::vector<std::string> out;
    for (auto& g : c.groups)
        for (auto& line : describeGroupScoring(pickName(lang, g.name, g.name_en), g.scoring,
                                               groupCategoryNames(c, g, lang), lang))
            out.push_back(std::move(line));
    if (c.grade_quota.percent > 0) {
        std::string level = c.grade_quota.level;
        for (auto& l : c.scale.levels)
            if (l.id == c.grade_quota.level) level = pickName(lang, l.name, l.name_en);
        out.push_back(describeGradeQuota(level, c.grade_quota.percent, lang));
    }
    if (c.subject_order == SubjectOrder::Stroke)
        out.push_back(tr(lang, "rules.subject_order_stroke"));
    return out;
}

std::vector<std::string> describeNote(const Campaign& c, const Group& g,
                                      const SubjectResult::GroupNote& note, Lang lang) {
    return describeGroupNote(g.scoring, note, groupCategoryNames(c, g, lang), lang);
}

} // namespace pingyi
