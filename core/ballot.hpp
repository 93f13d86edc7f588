// The ballot (测评票): one representative's ratings and comments for one meeting. It exists
// in plaintext only in memory, between the confirm button and sealEnvelope(); the encoding
// is padded to one fixed size per campaign so envelope sizes reveal nothing.
#pragma once

#include "core/bytes.hpp"
#include "core/campaign.hpp"
#include "core/result.hpp"
#include "core/token.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace pingyi {

// What a voter chose, by id, as the kiosk collects it or an answers file states it.
// A level of std::nullopt is 不了解.
struct Answers {
    std::map<std::string, std::map<std::string, std::optional<std::string>>> ratings;
    std::map<std::string, std::string> comments;
    void wipe(); // clears comments and ratings, wiping comment text
};

struct SubjectAnswer {
    std::uint16_t subject = 0;        // index into Campaign::subjects
    std::vector<std::uint8_t> levels; // index into scale.levels per item, or kUnknownLevel
    std::string comment;
};

struct Ballot {
    Hash32 campaign{}; // package digest
    // The proof of the token (core/token.hpp) is what the encoding carries; the tag is derived
    // from it (tokenTagOfProof), and sealEnvelope writes it on the outside. A decoded ballot's
    // tag is always the one its proof gives, so comparing it with the envelope's checks the proof.
    TokenProof token_proof{}; // secret: wiped by wipe()
    Hash32 token_tag{};
    std::string meeting; // "U1/social"
    std::vector<SubjectAnswer> answers;
    void wipe();
};

// The answers file of `pingyi cast` (README): {"token", "ratings", "comments"}.
struct AnswersFile {
    std::string token;
    Answers answers;
};
Result<AnswersFile> parseAnswersJson(std::string_view text);

// Checks answers against the meeting's unit: every subject present, every item answered with a
// known level or 不了解, comments within limits. All problems are found; the first is returned
// (its message names the subject and item). The tag is derived from the proof.
Result<Ballot> buildBallot(const Campaign& c, const Hash32& campaign_digest,
                           const MeetingRef& meeting, const TokenProof& token_proof,
                           const Answers& answers);

// Fixed plaintext size (after sodium_pad) for every ballot of this campaign.
std::size_t ballotPaddedSize(const Campaign& c);

// Encodes and pads; the caller wipes the result (it is plaintext).
Bytes encodeBallot(const Ballot& b, std::size_t padded_size);
// Unpads and decodes; checks structure against the campaign (indices, levels, meeting), and
// sets token_tag to the tag of the proof inside.
Result<Ballot> decodeBallot(ByteView padded, const Campaign& c);

// decodeBallot() for many ballots of one campaign: what it needs of the campaign (padded size,
// meetings, subjects of each unit, questionnaire of each subject) is worked out once. Same
// results and errors as decodeBallot(); the campaign must outlive the reader.
class BallotReader {
  public:
    explicit BallotReader(const Campaign& c);
    Result<Ballot> decode(ByteView padded) const;
    std::size_t paddedSize() const { return padded_; }
    const Campaign& campaign() const { return *c_; }
    // The meeting a decoded ballot names (decode() accepted it), or null.
    const MeetingRef* meeting(std::string_view id) const;

  private:
    struct Meeting {
        std::string id;
        MeetingRef ref;
        std::vector<std::size_t> subjects;
    };
    const Campaign* c_;
    std::size_t padded_;
    std::vector<Meeting> meetings_;
    std::vector<const Questionnaire*> questionnaire_; // per subject
};

// The length sodium_pad() padded to `padded.size()` bytes: the index of the last non-zero byte,
// which must be 0x80. The same answer as sodium_unpad(.., padded.size(), padded.size()), found a
// word at a time and in time independent of the content.
std::optional<std::size_t> unpaddedLength(ByteView padded);

} // namespace pingyi
