// Ballot tokens (评议凭证): 15 random symbols from a 31-symbol alphabet (74.3 bits) plus one
// check symbol, shown as four groups of four ("7KQ3-MX2P-9RTA-HWE5"). The check symbol is a
// weighted sum modulo 31 (a prime) with distinct weights, so any single mistyped symbol and
// any two swapped symbols are caught. Input is case-insensitive; '-' and spaces are ignored.
#pragma once

#include "core/bytes.hpp"
#include "core/result.hpp"

#include <string>
#include <string_view>

namespace pingyi {

inline constexpr std::string_view kTokenAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
inline constexpr std::size_t kTokenBodyLength = 15;
inline constexpr std::size_t kTokenLength = 16;

// A token in canonical form: 16 upper-case symbols, no separators.
struct Token {
    std::string symbols;
    std::string display() const; // "XXXX-XXXX-XXXX-XXXX"
};

// Draws a new token from the OS random source.
Token newToken();
// Builds a token from 15 symbol values (each < 31), appending the check symbol. For tests.
Token tokenFromValues(std::span<const std::uint8_t> values15);

// Parses what a person typed. Errors: token.bad_char (names the character),
// token.bad_length, token.bad_check (a typo: the check symbol does not match).
Result<Token> parseToken(std::string_view typed);

// Normalises a partially typed token for display on a keypad (upper-case, grouped).
std::string formatPartialToken(std::string_view typed);

// The token proof: what a ballot carries inside its sealed box to show that whoever made it
// held the slip. It is as secret as the token (anyone who has it can make a countable ballot
// for that token) and is never stored in plaintext: wipe it after sealing.
//   proof = Argon2id(token symbols, salt = BLAKE2b-256("pingyi/token-proof/v2" || campaign
//           id)[0..16), opslimit kTokenProofOps, memlimit kTokenProofMemory, 32 bytes)
// The memory-hard step is what keeps the package's tags from being brute-forced back into
// tokens (docs/formats.md section 2 gives the figures); it costs about 0.5 ms per token.
using TokenProof = Hash32;
inline constexpr unsigned long long kTokenProofOps = 2;
inline constexpr std::size_t kTokenProofMemory = 1u << 20;
TokenProof tokenProof(std::string_view campaign_id, const Token& token);

// The token tag: the only form of a token stored anywhere (packages, envelopes, stores).
// tag = BLAKE2b-256(key = BLAKE2b-256("pingyi/token-tag/v2" || campaign id), proof): fast, so
// the collector checks a ballot's proof against its envelope's tag at no cost.
Hash32 tokenTagOfProof(std::string_view campaign_id, const TokenProof& proof);
// tokenTagOfProof(tokenProof(token)): about 0.5 ms.
Hash32 tokenTag(std::string_view campaign_id, const Token& token);

// A receipt code (回执码) from an envelope hash: 10 symbols of the token alphabet, "XXXXX-XXXXX".
std::string receiptCode(const Hash32& envelope_hash);

} // namespace pingyi
