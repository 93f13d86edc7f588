#include "core/token.hpp"

#include "core/crypto.hpp"

#include <sodium.h>

#include <new>

namespace pingyi {

namespace {
constexpr std::uint32_t kMod = 31;

int symbolValue(char c) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    auto p = kTokenAlphabet.find(c);
    return p == std::string_view::npos ? -1 : static_cast<int>(p);
}

// Weight of position i (0-based over all 16 symbols): i + 1, all distinct and non-zero mod 31.
std::uint32_t checkSum(std::string_view symbols) {
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < symbols.size(); ++i)
        sum +=
            static_cast<std::uint32_t>(i + 1) * static_cast<std::uint32_t>(symbolValue(symbols[i]));
    return sum % kMod;
}

char checkSymbol(std::string_view body) {
    // Choose c so that checkSum(body + c) == 0: 16 * c == -sum (mod 31).
    std::uint32_t s = checkSum(body);
    std::uint32_t need = (kMod - s) % kMod;
    // inverse of 16 mod 31 is 2 (16 * 2 = 32 = 1 mod 31)
    std::uint32_t c = (need * 2) % kMod;
    return kTokenAlphabet[c];
}
} // namespace

std::string Token::display() const {
    std::string s;
    for (std::size_t i = 0; i < symbols.size(); ++i) {
        if (i && i % 4 == 0) s.push_back('-');
        s.push_back(symbols[i]);
    }
    return s;
}

Token tokenFromValues(std::span<const std::uint8_t> values15) {
    std::string body;
    for (std::size_t i = 0; i < kTokenBodyLength && i < values15.size(); ++i)
        body.push_back(kTokenAlphabet[values15[i] % kMod]);
    body.push_back(checkSymbol(body));
    return Token{body};
}

Token newToken() {
    std::uint8_t v[kTokenBodyLength];
    for (auto& x : v)
        x = static_cast<std::uint8_t>(randomBelow(kMod));
    return tokenFromValues(v);
}

Result<Token> parseToken(std::string_view typed) {
    std::string s;
    for (char c : typed) {
        if (c == '-' || c == ' ' || c == '\t') continue;
        if (symbolValue(c) < 0) {
            std::string shown(1, c);
            if (static_cast<unsigned char>(c) >= 0x80 || c < 0x20) shown = "?";
            return Error::make(ErrorKind::Invalid, "token.bad_char", {shown});
        }
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        s.push_back(c);
    }
    if (s.size() != kTokenLength)
        return Error::make(ErrorKind::Invalid, "token.bad_length",
                           {std::to_string(s.size()), std::to_string(kTokenLength)});
    if (checkSum(s) != 0) return Error::make(ErrorKind::Invalid, "token.bad_check");
    return Token{s};
}

std::string formatPartialToken(std::string_view typed) {
    std::string s;
    for (char c : typed) {
        if (c == '-' || c == ' ') continue;
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        s.push_back(c);
    }
    return Token{s}.display();
}

TokenProof tokenProof(std::string_view campaign_id, const Token& token) {
    std::string s = "pingyi/token-proof/v2";
    s.append(campaign_id);
    Hash32 salt = hash(view(s));
    static_assert(crypto_pwhash_SALTBYTES == 16);
    TokenProof proof{};
    if (crypto_pwhash(proof.data(), proof.size(), token.symbols.data(), token.symbols.size(),
                      salt.data(), kTokenProofOps, kTokenProofMemory,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::bad_alloc(); // the parameters are fixed and valid: only memory can fail
    return proof;
}

Hash32 tokenTagOfProof(std::string_view campaign_id, const TokenProof& proof) {
    std::string k = "pingyi/token-tag/v2";
    k.append(campaign_id);
    Hash32 key = hash(view(k));
    return keyedHash(key, proof);
}

Hash32 tokenTag(std::string_view campaign_id, const Token& token) {
    TokenProof proof = tokenProof(campaign_id, token);
    Hash32 tag = tokenTagOfProof(campaign_id, proof);
    sodium_memzero(proof.data(), proof.size());
    return tag;
}

std::string receiptCode(const Hash32& h) {
    // 10 symbols * log2(31) = 49.5 bits from the first 8 bytes.
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | h[static_cast<std::size_t>(i)];
    std::string s;
    for (int i = 0; i < 10; ++i) {
        if (i == 5) s.push_back('-');
        s.push_back(kTokenAlphabet[v % kMod]);
        v /= kMod;
    }
    return s;
}

} // namespace pingyi
