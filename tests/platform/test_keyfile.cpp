#include "core/catalog.hpp"
#include "platform/keyfile.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

using namespace pingyi;

TEST_CASE("A collector key file round-trips under its passphrase and keeps both keys") {
    SecretKeys k = newKeys(KeyRole::Collector, "汇总机");
    std::string text = encodeSecretKeyFile(k, "correct horse");
    auto back = decodeSecretKeyFile(text, "correct horse", "collector.key");
    REQUIRE(back.ok());
    CHECK(back->pub.sign == k.pub.sign);
    CHECK(back->box.pk == k.box.pk);
    CHECK(back->pub.label == "汇总机");
    CHECK(text.find(toHex(k.sign_sk.view())) == std::string::npos);
}

TEST_CASE("A wrong passphrase is refused with a message naming the file") {
    SecretKeys k = newKeys(KeyRole::Organiser, "org");
    auto back = decodeSecretKeyFile(encodeSecretKeyFile(k, "right one"), "wrong one", "org.key");
    REQUIRE_FALSE(back.ok());
    CHECK(back.error().kind == ErrorKind::Auth);
    CHECK(describe(back.error(), Lang::En) == "org.key: wrong passphrase");
}

TEST_CASE("A damaged key file is refused, not crashed on") {
    SecretKeys k = newKeys(KeyRole::UnitHead, "head");
    std::string text = encodeSecretKeyFile(k, "pass phrase");
    for (std::size_t i = 0; i < text.size(); i += 7) {
        std::string bad = text;
        bad[i] = static_cast<char>(bad[i] ^ 0x01);
        auto r = decodeSecretKeyFile(bad, "pass phrase", "head.key");
        if (r.ok()) CHECK(r->pub.sign == k.pub.sign); // a flip in whitespace is harmless
    }
    auto r = decodeSecretKeyFile(text.substr(0, text.size() / 2), "pass phrase", "head.key");
    REQUIRE_FALSE(r.ok());
    CHECK(describe(r.error(), Lang::En) == "head.key: not a valid Pingyi key file");
}

TEST_CASE("Fingerprints are 16 digits in four groups") {
    SecretKeys k = newKeys(KeyRole::Organiser, "org");
    std::string f = k.pub.fingerprint();
    CHECK(f.size() == 19);
    CHECK(f[4] == ' ');
    auto pub = decodePublicKeyFile(encodePublicKeyFile(k.pub), "org.pub");
    REQUIRE(pub.ok());
    CHECK(pub->fingerprint() == f);
}

TEST_CASE("Key files with fields of the wrong type are refused, never crash") {
    for (const char* text :
         {R"({"format": 1})",
          R"({"format": "pingyi-secret-key/1", "public": {"role": 7}, "locked": {}})",
          R"({"format": "pingyi-public-key/1", "public": {"role": "organiser", "sign": 5}})",
          R"([1, 2])"}) {
        CHECK_FALSE(decodeSecretKeyFile(text, "x", "k.key").ok());
        CHECK_FALSE(decodePublicKeyFile(text, "k.pub").ok());
    }
    CHECK_FALSE(unlockSecret(R"({"kdf": 1})", "x").ok());
    CHECK_FALSE(unlockSecret(R"({"kdf": "argon2id13", "opslimit": "2", "salt": 3})", "x").ok());
}
