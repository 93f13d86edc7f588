// Key files. A secret key touches disk only encrypted under a passphrase
// (crypto_pwhash Argon2id -> crypto_secretbox). Public key files are plain JSON with a
// fingerprint a person can read aloud.
#pragma once

#include "core/crypto.hpp"
#include "core/result.hpp"
#include "platform/files.hpp"

#include <string>

namespace pingyi {

enum class KeyRole { Organiser, Collector, UnitHead };
const char* keyRoleName(KeyRole r); // "organiser", "collector", "unit-head"
Result<KeyRole> keyRoleFromName(std::string_view name);

struct PublicKeys {
    KeyRole role = KeyRole::Organiser;
    std::string label;
    PublicKey sign{};                // every role signs
    PublicKey box{};                 // collector only: ballots are sealed to it
    std::string fingerprint() const; // of the signing key (and box key for the collector)
};

struct SecretKeys {
    PublicKeys pub;
    Secret sign_sk; // 64 bytes
    BoxKeyPair box; // collector only
};

SecretKeys newKeys(KeyRole role, const std::string& label);

// Encrypted key file text. The passphrase is not kept.
std::string encodeSecretKeyFile(const SecretKeys& k, std::string_view passphrase);
// Errors: key.bad_file (names the file), key.wrong_passphrase.
Result<SecretKeys> decodeSecretKeyFile(std::string_view text, std::string_view passphrase,
                                       const std::string& file_name);
std::string encodePublicKeyFile(const PublicKeys& k);
// Accepts a public key file or a secret key file (its public part).
Result<PublicKeys> decodePublicKeyFile(std::string_view text, const std::string& file_name);

Result<SecretKeys> loadSecretKeys(const fs::path& path, std::string_view passphrase);
Result<PublicKeys> loadPublicKeys(const fs::path& path);

// The cost of the key derivation (Argon2id, crypto_pwhash) of a locked secret. It is written
// into each locked secret, so a file opens with the cost it was written with, whatever the
// writer uses today.
struct KdfCost {
    unsigned long long opslimit = 0;
    std::size_t memlimit = 0; // bytes
    // Passphrase-protected key files: libsodium's INTERACTIVE limits (a long passphrase is the
    // guard there).
    static KdfCost passphrase();
    // PIN-sealed tablet device keys: a PIN has few digits, so each guess must be dear. At least
    // 1 s per guess on a 2-core machine like the CI's, under 2 s to unlock (bench/bench_pin).
    static KdfCost pin();
    // The smallest cost libsodium allows. FOR TEST SUITES ONLY: passed explicitly where a
    // test creates a store, never chosen by anything a person runs.
    static KdfCost testOnly();
};

// A secret sealed under a PIN or passphrase (tablet device keys), as a JSON string; empty if
// the derivation fails (out of memory).
std::string lockSecret(const Secret& secret, std::string_view passphrase,
                       KdfCost cost = KdfCost::passphrase());
// Errors: key.bad_locked (malformed, or limits beyond 64 passes / 2 GiB), key.kdf_failed,
// key.wrong_passphrase (kind Auth).
Result<Secret> unlockSecret(std::string_view locked, std::string_view passphrase);
// The cost a locked secret was written with (for `tablet status` and tests).
Result<KdfCost> lockedCost(std::string_view locked);

} // namespace pingyi
