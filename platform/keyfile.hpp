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

// A secret sealed under a PIN or passphrase (tablet device keys), as a JSON string.
std::string lockSecret(const Secret& secret, std::string_view passphrase);
Result<Secret> unlockSecret(std::string_view locked, std::string_view passphrase);

} // namespace pingyi
