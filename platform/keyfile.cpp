#include "platform/keyfile.hpp"
#include "core/json_util.hpp"

#include <nlohmann/json.hpp>
#include <sodium.h>

#include <cstring>

namespace pingyi {

using nlohmann::json;

const char* keyRoleName(KeyRole r) {
    switch (r) {
    case KeyRole::Organiser:
        return "organiser";
    case KeyRole::Collector:
        return "collector";
    case KeyRole::UnitHead:
        return "unit-head";
    }
    return "?";
}

Result<KeyRole> keyRoleFromName(std::string_view n) {
    if (n == "organiser" || n == "organizer") return KeyRole::Organiser;
    if (n == "collector") return KeyRole::Collector;
    if (n == "unit-head") return KeyRole::UnitHead;
    return Error::make(ErrorKind::Invalid, "key.bad_role", {std::string(n)});
}

std::string PublicKeys::fingerprint() const {
    return pingyi::fingerprint(sign);
}

SecretKeys newKeys(KeyRole role, const std::string& label) {
    SecretKeys k;
    k.pub.role = role;
    k.pub.label = label;
    auto s = signKeyPair();
    k.pub.sign = s.pk;
    k.sign_sk = std::move(s.sk);
    if (role == KeyRole::Collector) {
        k.box = boxKeyPair();
        k.pub.box = k.box.pk;
    }
    return k;
}

static json publicJson(const PublicKeys& k) {
    json j;
    j["role"] = keyRoleName(k.role);
    j["label"] = k.label;
    j["sign"] = toHex(k.sign);
    if (k.role == KeyRole::Collector) j["box"] = toHex(k.box);
    j["fingerprint"] = k.fingerprint();
    return j;
}

KdfCost KdfCost::passphrase() {
    return {static_cast<unsigned long long>(crypto_pwhash_OPSLIMIT_INTERACTIVE),
            static_cast<std::size_t>(crypto_pwhash_MEMLIMIT_INTERACTIVE)};
}

KdfCost KdfCost::pin() {
    // 3 passes over 512 MiB: measured with bench/bench_pin (bench/README.md). Memory rather
    // than passes, so that a GPU or a many-core box gains less per guess than a CPU.
    return {3, std::size_t(512) << 20};
}

KdfCost KdfCost::testOnly() {
    return {static_cast<unsigned long long>(crypto_pwhash_OPSLIMIT_MIN),
            static_cast<std::size_t>(crypto_pwhash_MEMLIMIT_MIN)};
}

std::string lockSecret(const Secret& secret, std::string_view passphrase, KdfCost cost) {
    std::uint8_t salt[crypto_pwhash_SALTBYTES];
    std::uint8_t nonce[crypto_secretbox_NONCEBYTES];
    randombytes_buf(salt, sizeof salt);
    randombytes_buf(nonce, sizeof nonce);
    auto ops = cost.opslimit;
    auto mem = cost.memlimit;
    Secret key(crypto_secretbox_KEYBYTES);
    if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt, ops, mem,
                      crypto_pwhash_ALG_ARGON2ID13) != 0)
        return {}; // out of memory; the caller sees an empty string
    Bytes ct(secret.size() + crypto_secretbox_MACBYTES);
    crypto_secretbox_easy(ct.data(), secret.data(), secret.size(), nonce, key.data());
    json j = {{"kdf", "argon2id13"},
              {"opslimit", ops},
              {"memlimit", mem},
              {"salt", toHex({salt, sizeof salt})},
              {"nonce", toHex({nonce, sizeof nonce})},
              {"ciphertext", toHex(ct)}};
    return j.dump();
}

namespace {
bool validCost(const json& j) {
    return j.contains("opslimit") && j["opslimit"].is_number_unsigned() && j.contains("memlimit") &&
           j["memlimit"].is_number_unsigned();
}
} // namespace

Result<KdfCost> lockedCost(std::string_view locked) {
    json j = json::parse(locked.begin(), locked.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !validCost(j))
        return Error::make(ErrorKind::Invalid, "key.bad_locked");
    return KdfCost{j["opslimit"].get<unsigned long long>(), j["memlimit"].get<std::size_t>()};
}

Result<Secret> unlockSecret(std::string_view locked, std::string_view passphrase) {
    json j = json::parse(locked.begin(), locked.end(), nullptr, false);
    Bytes salt, nonce, ct;
    if (j.is_discarded() || !j.is_object() || jsonText(j, "kdf") != "argon2id13" || !validCost(j) ||
        !fromHex(jsonText(j, "salt"), salt) || salt.size() != crypto_pwhash_SALTBYTES ||
        !fromHex(jsonText(j, "nonce"), nonce) || nonce.size() != crypto_secretbox_NONCEBYTES ||
        !fromHex(jsonText(j, "ciphertext"), ct) || ct.size() < crypto_secretbox_MACBYTES)
        return Error::make(ErrorKind::Invalid, "key.bad_locked");
    auto ops = j["opslimit"].get<unsigned long long>();
    auto mem = j["memlimit"].get<std::size_t>();
    if (ops > 64 || mem > (std::size_t(2) << 30)) // refuse absurd costs from a tampered file
        return Error::make(ErrorKind::Invalid, "key.bad_locked");
    Secret key(crypto_secretbox_KEYBYTES);
    if (crypto_pwhash(key.data(), key.size(), passphrase.data(), passphrase.size(), salt.data(),
                      ops, mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
        return Error::make(ErrorKind::Io, "key.kdf_failed");
    Secret out(ct.size() - crypto_secretbox_MACBYTES);
    if (crypto_secretbox_open_easy(out.data(), ct.data(), ct.size(), nonce.data(), key.data()) != 0)
        return Error::make(ErrorKind::Auth, "key.wrong_passphrase");
    return out;
}

std::string encodeSecretKeyFile(const SecretKeys& k, std::string_view passphrase) {
    Secret all(k.sign_sk.size() + (k.pub.role == KeyRole::Collector ? k.box.sk.size() : 0));
    std::memcpy(all.data(), k.sign_sk.data(), k.sign_sk.size());
    if (k.pub.role == KeyRole::Collector)
        std::memcpy(all.data() + k.sign_sk.size(), k.box.sk.data(), k.box.sk.size());
    json j;
    j["format"] = "pingyi-secret-key/1";
    j["public"] = publicJson(k.pub);
    j["locked"] = json::parse(lockSecret(all, passphrase));
    return j.dump(2) + "\n";
}

static Result<PublicKeys> publicFromJson(const json& p, const std::string& file) {
    PublicKeys k;
    if (!p.is_object()) return Error::make(ErrorKind::Invalid, "key.bad_file", {file});
    auto role = keyRoleFromName(jsonText(p, "role"));
    if (!role) return Error::make(ErrorKind::Invalid, "key.bad_file", {file});
    k.role = *role;
    k.label = jsonText(p, "label");
    Hash32 h;
    if (!fromHex32(jsonText(p, "sign"), h))
        return Error::make(ErrorKind::Invalid, "key.bad_file", {file});
    std::memcpy(k.sign.data(), h.data(), 32);
    if (k.role == KeyRole::Collector) {
        if (!fromHex32(jsonText(p, "box"), h))
            return Error::make(ErrorKind::Invalid, "key.bad_file", {file});
        std::memcpy(k.box.data(), h.data(), 32);
    }
    return k;
}

Result<SecretKeys> decodeSecretKeyFile(std::string_view text, std::string_view passphrase,
                                       const std::string& file) {
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || jsonText(j, "format") != "pingyi-secret-key/1" ||
        !j.contains("public") || !j.contains("locked"))
        return Error::make(ErrorKind::Invalid, "key.bad_file", {file});
    auto pub = publicFromJson(j["public"], file);
    if (!pub) return pub.error();
    auto secret = unlockSecret(j["locked"].dump(), passphrase);
    if (!secret) {
        if (secret.error().kind == ErrorKind::Auth)
            return Error::make(ErrorKind::Auth, "key.wrong_passphrase_file", {file});
        return Error::make(ErrorKind::Invalid, "key.bad_file", {file});
    }
    SecretKeys k;
    k.pub = *pub;
    std::size_t want = crypto_sign_SECRETKEYBYTES + (k.pub.role == KeyRole::Collector ? 32 : 0);
    if (secret->size() != want) return Error::make(ErrorKind::Invalid, "key.bad_file", {file});
    k.sign_sk = Secret(crypto_sign_SECRETKEYBYTES);
    std::memcpy(k.sign_sk.data(), secret->data(), crypto_sign_SECRETKEYBYTES);
    if (signPublicOf(k.sign_sk) != k.pub.sign)
        return Error::make(ErrorKind::Invalid, "key.mismatch", {file});
    if (k.pub.role == KeyRole::Collector) {
        k.box.sk = Secret(32);
        std::memcpy(k.box.sk.data(), secret->data() + crypto_sign_SECRETKEYBYTES, 32);
        k.box.pk = boxPublicOf(k.box.sk);
        if (k.box.pk != k.pub.box) return Error::make(ErrorKind::Invalid, "key.mismatch", {file});
    }
    return k;
}

std::string encodePublicKeyFile(const PublicKeys& k) {
    json j;
    j["format"] = "pingyi-public-key/1";
    j["public"] = publicJson(k);
    return j.dump(2) + "\n";
}

Result<PublicKeys> decodePublicKeyFile(std::string_view text, const std::string& file) {
    json j = json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object() || !j.contains("public"))
        return Error::make(ErrorKind::Invalid, "key.bad_file", {file});
    auto fmt = jsonText(j, "format");
    if (fmt != "pingyi-public-key/1" && fmt != "pingyi-secret-key/1")
        return Error::make(ErrorKind::Invalid, "key.bad_file", {file});
    return publicFromJson(j["public"], file);
}

Result<SecretKeys> loadSecretKeys(const fs::path& path, std::string_view passphrase) {
    auto text = readTextFile(path, 1 << 20);
    if (!text) return text.error();
    return decodeSecretKeyFile(*text, passphrase, path.string());
}

Result<PublicKeys> loadPublicKeys(const fs::path& path) {
    auto text = readTextFile(path, 1 << 20);
    if (!text) return text.error();
    return decodePublicKeyFile(*text, path.string());
}

} // namespace pingyi
