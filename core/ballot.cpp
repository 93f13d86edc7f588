#include "core/ballot.hpp"

#include "core/crypto.hpp"
#include "core/rules.hpp"
#include "core/text.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <bit>
#include <cstring>

namespace pingyi {

namespace {
constexpr char kBallotMagic[4] = {'P', 'Y', 'B', 'T'};
constexpr std::uint16_t kBallotVersion = 2;
} // namespace

void Answers::wipe() {
    for (auto& [k, v] : comments)
        pingyi::wipe(v);
    comments.clear();
    ratings.clear();
}

void Ballot::wipe() {
    for (auto& a : answers) {
        pingyi::wipe(a.comment);
        std::fill(a.levels.begin(), a.levels.end(), 0);
    }
    answers.clear();
    sodium_memzero(token_proof.data(), token_proof.size());
    token_tag.fill(0);
}

Result<AnswersFile> parseAnswersJson(std::string_view text) {
    using nlohmann::json;
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object())
        return Error::make(ErrorKind::Invalid, "answers.bad_json");
    AnswersFile f;
    auto t = j.find("token");
    if (t == j.end() || !t->is_string()) return Error::make(ErrorKind::Invalid, "answers.no_token");
    f.token = t->get<std::string>();
    auto r = j.find("ratings");
    if (r == j.end() || !r->is_object())
        return Error::make(ErrorKind::Invalid, "answers.no_ratings");
    for (auto& [sid, items] : r->items()) {
        if (!items.is_object())
            return Error::make(ErrorKind::Invalid, "answers.bad_subject", {sid});
        auto& m = f.answers.ratings[sid];
        for (auto& [iid, level] : items.items()) {
            if (level.is_null())
                m[iid] = std::nullopt;
            else if (level.is_string())
                m[iid] = level.get<std::string>();
            else
                return Error::make(ErrorKind::Invalid, "answers.bad_level_type", {sid, iid});
        }
    }
    if (auto cm = j.find("comments"); cm != j.end() && !cm->is_null()) {
        if (!cm->is_object()) return Error::make(ErrorKind::Invalid, "answers.bad_comments");
        for (auto& [sid, txt] : cm->items()) {
            if (!txt.is_string())
                return Error::make(ErrorKind::Invalid, "answers.bad_comment_type", {sid});
            f.answers.comments[sid] = txt.get<std::string>();
        }
    }
    return f;
}

Result<Ballot> buildBallot(const Campaign& c, const Hash32& campaign_digest,
                           const MeetingRef& meeting, const TokenProof& token_proof,
                           const Answers& answers) {
    Ballot b;
    b.campaign = campaign_digest;
    b.token_proof = token_proof;
    b.token_tag = tokenTagOfProof(c.id, token_proof);
    b.meeting = meeting.id();
    auto subjects = c.subjectsOf(meeting.unit);
    // Anything rated or commented that is not a subject of this meeting's unit.
    for (auto& [sid, items] : answers.ratings) {
        int idx = c.subjectIndex(sid);
        if (idx < 0 || c.subjects[static_cast<std::size_t>(idx)].unit != meeting.unit)
            return Error::make(ErrorKind::Invalid, "ballot.unknown_subject", {sid, meeting.id()});
    }
    for (auto& [sid, text] : answers.comments) {
        int idx = c.subjectIndex(sid);
        if (idx < 0 || c.subjects[static_cast<std::size_t>(idx)].unit != meeting.unit)
            return Error::make(ErrorKind::Invalid, "ballot.unknown_subject", {sid, meeting.id()});
    }
    std::size_t total_chars = 0;
    for (auto si : subjects) {
        const Subject& s = c.subjects[si];
        const Questionnaire* q = c.questionnaire(s.questionnaire);
        auto it = answers.ratings.find(s.id);
        if (it == answers.ratings.end())
            return Error::make(ErrorKind::Invalid, "ballot.missing_subject", {s.id, s.name});
        SubjectAnswer a;
        a.subject = static_cast<std::uint16_t>(si);
        for (auto& [iid, lvl] : it->second) {
            bool known = false;
            for (auto& item : q->items)
                known = known || item.id == iid;
            if (!known) return Error::make(ErrorKind::Invalid, "ballot.unknown_item", {s.id, iid});
        }
        for (auto& item : q->items) {
            auto li = it->second.find(item.id);
            if (li == it->second.end())
                return Error::make(ErrorKind::Invalid, "ballot.missing_item", {s.id, item.id});
            if (!li->second) {
                a.levels.push_back(kUnknownLevel);
                continue;
            }
            int found = -1;
            for (std::size_t k = 0; k < c.scale.levels.size(); ++k)
                if (c.scale.levels[k].id == *li->second) found = static_cast<int>(k);
            if (found < 0)
                return Error::make(ErrorKind::Invalid, "ballot.unknown_level",
                                   {s.id, item.id, *li->second});
            a.levels.push_back(static_cast<std::uint8_t>(found));
        }
        if (auto ci = answers.comments.find(s.id); ci != answers.comments.end()) {
            std::string text = trim(ci->second);
            if (!isValidUtf8(text))
                return Error::make(ErrorKind::Invalid, "ballot.comment_bad_text", {s.id});
            if (auto bad = unsafeCommentChar(text)) {
                // Counted in the text as the representative typed it, leading spaces included.
                std::size_t lead =
                    utf8Length(std::string_view(ci->second)
                                   .substr(0, text.empty() ? 0 : ci->second.find(text)));
                return Error::make(
                    ErrorKind::Invalid, "ballot.comment_bad_char",
                    {s.id, codePointName(bad->code_point), std::to_string(lead + bad->position)});
            }
            std::size_t n = utf8Length(text);
            if (n > c.limits.comment_chars)
                return Error::make(
                    ErrorKind::Invalid, "ballot.comment_too_long",
                    {s.id, std::to_string(n), std::to_string(c.limits.comment_chars)});
            total_chars += n;
            a.comment = std::move(text);
        }
        b.answers.push_back(std::move(a));
    }
    if (total_chars > c.limits.ballot_comment_chars)
        return Error::make(
            ErrorKind::Invalid, "ballot.comments_too_long",
            {std::to_string(total_chars), std::to_string(c.limits.ballot_comment_chars)});
    // Checked last: the kiosk shows this one on the review page (every other problem first).
    if (auto over = checkGradeQuota(c, b); !over.empty()) {
        b.wipe();
        return gradeQuotaError(c, over.front());
    }
    return b;
}

std::size_t ballotPaddedSize(const Campaign& c) {
    std::size_t max_subjects = 0, max_items = 0;
    for (auto& u : c.units)
        max_subjects = std::max(max_subjects, c.subjectsOf(u.id).size());
    for (auto& q : c.questionnaires)
        max_items = std::max(max_items, q.items.size());
    std::size_t meeting_len = 0;
    for (auto& m : c.meetings())
        meeting_len = std::max(meeting_len, m.id().size());
    std::size_t n = 4 + 2 + 32 + 32 + 2 + meeting_len + 2;
    n += max_subjects * (2 + 1 + max_items + 2);
    n += static_cast<std::size_t>(c.limits.ballot_comment_chars) * 4; // UTF-8: <= 4 bytes a char
    n += 1;                                                           // sodium_pad's marker
    return (n + 255) / 256 * 256;
}

Bytes encodeBallot(const Ballot& b, std::size_t padded_size) {
    Writer w;
    w.raw({reinterpret_cast<const std::uint8_t*>(kBallotMagic), 4});
    w.u16(kBallotVersion);
    w.raw(b.campaign);
    w.raw(b.token_proof);
    w.str16(b.meeting);
    w.u16(static_cast<std::uint16_t>(b.answers.size()));
    for (auto& a : b.answers) {
        w.u16(a.subject);
        w.u8(static_cast<std::uint8_t>(a.levels.size()));
        for (auto l : a.levels)
            w.u8(l);
        w.str16(a.comment);
    }
    Bytes out = w.take();
    std::size_t unpadded = out.size();
    out.resize(padded_size);
    std::size_t padded_len = 0;
    // blocksize = padded_size: every ballot of the campaign has exactly this length.
    if (sodium_pad(&padded_len, out.data(), unpadded, padded_size, padded_size) != 0 ||
        padded_len != padded_size) {
        wipe(out);
        return {}; // cannot happen for a ballot built by buildBallot()
    }
    return out;
}

std::optional<std::size_t> unpaddedLength(ByteView padded) {
    const std::size_t n = padded.size();
    const std::uint8_t* p = padded.data();
    // Scanned from the end, a word at a time, without branching on the content: the last
    // non-zero word, then its highest non-zero byte (bytes are assembled little-endian).
    std::uint64_t found = 0, last_word = 0, last_index = 0;
    const std::size_t words = n / 8, head = n % 8;
    for (std::size_t w = words; w-- > 0;) {
        std::uint64_t x = 0;
        std::memcpy(&x, p + head + 8 * w, 8);
        if constexpr (std::endian::native == std::endian::big) x = __builtin_bswap64(x);
        const std::uint64_t nz = 0 - ((x | (0 - x)) >> 63); // all ones if x != 0
        const std::uint64_t take = nz & ~found;
        last_word |= take & x;
        last_index |= take & (head + 8 * w);
        found |= nz;
    }
    if (head > 0) { // bytes before the first whole word
        std::uint64_t x = 0;
        for (std::size_t k = head; k-- > 0;)
            x = (x << 8) | p[k];
        const std::uint64_t nz = 0 - ((x | (0 - x)) >> 63);
        const std::uint64_t take = nz & ~found;
        last_word |= take & x;
        found |= nz;
        // last_index stays 0 for the head: it starts at byte 0.
    }
    if (!found) return std::nullopt;
    const unsigned byte = static_cast<unsigned>(63 - std::countl_zero(last_word)) / 8;
    if (((last_word >> (8 * byte)) & 0xFF) != 0x80) return std::nullopt;
    return static_cast<std::size_t>(last_index) + byte;
}

BallotReader::BallotReader(const Campaign& c) : c_(&c), padded_(ballotPaddedSize(c)) {
    for (auto& m : c.meetings())
        meetings_.push_back({m.id(), m, c.subjectsOf(m.unit)});
    questionnaire_.reserve(c.subjects.size());
    for (auto& s : c.subjects)
        questionnaire_.push_back(c.questionnaire(s.questionnaire));
}

const MeetingRef* BallotReader::meeting(std::string_view id) const {
    for (auto& m : meetings_)
        if (m.id == id) return &m.ref;
    return nullptr;
}

Result<Ballot> decodeBallot(ByteView padded, const Campaign& c) {
    return BallotReader(c).decode(padded);
}

Result<Ballot> BallotReader::decode(ByteView padded) const {
    const Campaign& c = *c_;
    // The size must be checked here: unpadding with blocksize = the whole buffer finds the
    // marker in any truncation or zero-extension of the padding.
    std::optional<std::size_t> unpadded;
    if (padded.size() != padded_ || !(unpadded = unpaddedLength(padded)))
        return Error::make(ErrorKind::Invalid, "ballot.bad_padding");
    Reader r(padded.first(*unpadded));
    std::uint8_t magic[4];
    std::uint16_t version = 0, n = 0;
    Ballot b;
    // A refused ballot is wiped too: its proof and answers are as secret as a counted one's.
    struct WipeUnlessKept {
        Ballot& b;
        bool keep = false;
        ~WipeUnlessKept() {
            if (!keep) b.wipe();
        }
    } guard{b};
    r.fixed(magic);
    r.u16(version);
    if (!r.ok() || std::memcmp(magic, kBallotMagic, 4) != 0)
        return Error::make(ErrorKind::Invalid, "ballot.bad_magic");
    if (version != kBallotVersion)
        return Error::make(ErrorKind::Invalid, "format.bad_version",
                           {"@thing.ballot", std::to_string(version)});
    r.fixed(b.campaign);
    r.fixed(b.token_proof);
    r.str16(b.meeting);
    r.u16(n);
    if (!r.ok()) return Error::make(ErrorKind::Invalid, "ballot.truncated");
    b.token_tag = tokenTagOfProof(c.id, b.token_proof);
    const Meeting* meeting = nullptr;
    for (auto& m : meetings_)
        if (m.id == b.meeting) {
            meeting = &m;
            break;
        }
    if (!meeting) return Error::make(ErrorKind::Invalid, "ballot.bad_meeting", {b.meeting});
    const std::vector<std::size_t>& subjects = meeting->subjects;
    if (n != subjects.size()) return Error::make(ErrorKind::Invalid, "ballot.bad_subjects");
    std::size_t total_chars = 0;
    for (std::uint16_t i = 0; i < n; ++i) {
        SubjectAnswer a;
        std::uint8_t items = 0;
        r.u16(a.subject);
        r.u8(items);
        if (!r.ok()) return Error::make(ErrorKind::Invalid, "ballot.truncated");
        if (a.subject != subjects[i]) return Error::make(ErrorKind::Invalid, "ballot.bad_subjects");
        const Questionnaire* q = questionnaire_[a.subject];
        if (items != q->items.size()) return Error::make(ErrorKind::Invalid, "ballot.bad_items");
        a.levels.resize(items);
        for (auto& l : a.levels) {
            r.u8(l);
            if (r.ok() && l != kUnknownLevel && l >= c.scale.levels.size())
                return Error::make(ErrorKind::Invalid, "ballot.bad_level");
        }
        r.str16(a.comment);
        if (!r.ok()) return Error::make(ErrorKind::Invalid, "ballot.truncated");
        // The rules of buildBallot(): a tablet must not be able to seal what it would refuse.
        // (Except the characters buildBallot refuses since ballot version 1 was sealed: such old
        // ballots are counted, and reports show those characters escaped.)
        if (!isValidUtf8(a.comment) || hasControlChars(a.comment) ||
            utf8Length(a.comment) > c.limits.comment_chars)
            return Error::make(ErrorKind::Invalid, "ballot.comment_bad_text",
                               {c.subjects[a.subject].id});
        total_chars += utf8Length(a.comment);
        b.answers.push_back(std::move(a));
    }
    if (total_chars > c.limits.ballot_comment_chars)
        return Error::make(
            ErrorKind::Invalid, "ballot.comments_too_long",
            {std::to_string(total_chars), std::to_string(c.limits.ballot_comment_chars)});
    if (!r.atEnd()) return Error::make(ErrorKind::Invalid, "ballot.trailing");
    if (c.grade_quota.percent > 0 && !checkGradeQuota(c, b).empty())
        return Error::make(ErrorKind::Invalid, "ballot.over_grade_quota"); // the guard wipes b
    guard.keep = true;
    return b;
}

} // namespace pingyi
