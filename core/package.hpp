// The campaign package: the sealed campaign, the collector's public keys, and the hashes
// (tags) of every issued token, signed by the organiser. Token additions are signed the same
// way and name the package they extend. Byte layout: docs/formats.md.
#pragma once

#include "core/bytes.hpp"
#include "core/campaign.hpp"
#include "core/crypto.hpp"
#include "core/result.hpp"

#include <unordered_map>

namespace pingyi {

struct TokenSet {
    std::string meeting;  // "U1/social"
    std::string category; // "npc"
    std::vector<Hash32> tags;
};

struct PackageBody {
    Campaign campaign;
    PublicKey organiser{};
    PublicKey collector_box{};  // ballots are sealed to this key
    PublicKey collector_sign{}; // acknowledgements and results are signed with this key
    std::vector<TokenSet> tokens;
};

struct Package {
    PackageBody body;
    Hash32 digest{}; // BLAKE2b-256 of the signed bytes: the campaign's identity everywhere
    Bytes bytes;     // the whole file
};

struct TokenAdditions {
    Hash32 campaign{};        // the package digest these tokens extend
    std::uint32_t serial = 0; // 1, 2, ... per campaign (for display and ordering of files)
    std::vector<TokenSet> tokens;
    Hash32 digest{};
    Bytes bytes;
};

// Where a token tag belongs.
struct TokenPlace {
    MeetingRef meeting;
    std::string category;
};

// Every tag of a package and its additions, looked up in O(1).
class TokenIndex {
  public:
    void add(const Campaign& c, const std::vector<TokenSet>& sets);
    // True if a tag of `sets` is already known for another meeting or category (additions must
    // never move a token).
    bool clashes(const std::vector<TokenSet>& sets) const;
    const TokenPlace* find(const Hash32& tag) const;
    std::size_t size() const { return map_.size(); }

  private:
    struct HashOf {
        std::size_t operator()(const Hash32& h) const {
            std::size_t v = 0;
            for (int i = 0; i < 8; ++i)
                v = (v << 8) | h[static_cast<std::size_t>(i)];
            return v;
        }
    };
    std::unordered_map<Hash32, TokenPlace, HashOf> map_;
};

Bytes encodePackage(const PackageBody& body, const Secret& organiser_sk);
// Verifies structure, the campaign, token sets and the organiser signature (against the
// organiser key inside). Callers that know the organiser's key compare it too.
Result<Package> decodePackage(ByteView bytes);

Bytes encodeAdditions(const Hash32& campaign, std::uint32_t serial,
                      const std::vector<TokenSet>& tokens, const Secret& organiser_sk);
// Verifies the organiser signature against the package's organiser and the campaign digest.
Result<TokenAdditions> decodeAdditions(ByteView bytes, const Package& package);

} // namespace pingyi
