// Thin, typed wrappers over libsodium: hashing, Ed25519 signatures, sealed boxes,
// fingerprints. Every verifier is [[nodiscard]]: a forgery check must not be ignored.
#pragma once

#include "core/bytes.hpp"

#include <array>
#include <string>

namespace pingyi {

// Call once before any other Pingyi function (idempotent, thread-safe after the first call).
void initCrypto();

// A secret buffer: wiped with sodium_memzero when destroyed or cleared.
// WARNING: never copy its bytes into a plain std::string/Bytes that outlives the operation.
class Secret {
  public:
    Secret() = default;
    explicit Secret(std::size_t n) : b_(n, 0) {}
    Secret(const Secret& o) : b_(o.b_) {}
    Secret& operator=(const Secret& o);
    Secret(Secret&& o) noexcept : b_(std::move(o.b_)) {}
    Secret& operator=(Secret&& o) noexcept;
    ~Secret() { wipe(); }
    void wipe();
    std::uint8_t* data() { return b_.data(); }
    const std::uint8_t* data() const { return b_.data(); }
    std::size_t size() const { return b_.size(); }
    bool empty() const { return b_.empty(); }
    void resize(std::size_t n);
    ByteView view() const { return {b_.data(), b_.size()}; }

  private:
    std::vector<std::uint8_t> b_;
};

// Wipes a plain buffer (for plaintext ballots and passphrases).
void wipe(Bytes& b);
void wipe(std::string& s);

using PublicKey = std::array<std::uint8_t, 32>;
using Signature = std::array<std::uint8_t, 64>;

struct SignKeyPair {
    PublicKey pk{};
    Secret sk; // 64 bytes (libsodium's seed||pk form)
};
struct BoxKeyPair {
    PublicKey pk{};
    Secret sk; // 32 bytes
};

SignKeyPair signKeyPair();
BoxKeyPair boxKeyPair();
// Deterministic key pairs from a 32-byte seed (crypto_sign_seed_keypair /
// crypto_box_seed_keypair), for test vectors. An empty key pair if the seed is not 32 bytes.
// WARNING: the seed is the secret key; never derive a production key from a guessable seed.
SignKeyPair signKeyPairFromSeed(ByteView seed32);
BoxKeyPair boxKeyPairFromSeed(ByteView seed32);
// Rebuilds the public half of a signing key from its secret (checks a decrypted key file).
PublicKey signPublicOf(const Secret& sk);
PublicKey boxPublicOf(const Secret& sk);

Hash32 hash(ByteView data);
Hash32 keyedHash(ByteView key, ByteView data);

Signature sign(const Secret& sk, ByteView message);
[[nodiscard]] bool verify(const PublicKey& pk, ByteView message, const Signature& sig);

// crypto_box_seal: only the holder of the box secret key can open it.
Bytes seal(const PublicKey& box_pk, ByteView plaintext);
// Writes the plaintext into out (resized). Returns false if the box does not open.
[[nodiscard]] bool sealOpen(const BoxKeyPair& kp, ByteView sealed, Bytes& out);
constexpr std::size_t kSealOverhead = 48;

// A short fingerprint a person can read aloud: 16 decimal digits in 4 groups.
std::string fingerprint(const PublicKey& pk);

// Constant-time equality (for tags and hashes compared against secrets).
[[nodiscard]] bool equalConstTime(ByteView a, ByteView b);

// Uniform random bytes from the OS (libsodium's randombytes).
void randomBytes(std::span<std::uint8_t> out);
// Uniform in [0, n).
std::uint32_t randomBelow(std::uint32_t n);

} // namespace pingyi
