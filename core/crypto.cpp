#include "core/crypto.hpp"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pingyi {

void initCrypto() {
    if (sodium_init() < 0) {
        std::fputs("libsodium failed to initialise\n", stderr);
        std::abort();
    }
}

Secret& Secret::operator=(const Secret& o) {
    if (this != &o) {
        wipe();
        b_ = o.b_;
    }
    return *this;
}
Secret& Secret::operator=(Secret&& o) noexcept {
    if (this != &o) {
        wipe();
        b_ = std::move(o.b_);
    }
    return *this;
}
void Secret::wipe() {
    if (!b_.empty()) sodium_memzero(b_.data(), b_.size());
    b_.clear();
}
void Secret::resize(std::size_t n) {
    Secret tmp(n);
    std::memcpy(tmp.data(), b_.data(), std::min(n, b_.size()));
    *this = std::move(tmp);
}

void wipe(Bytes& b) {
    if (!b.empty()) sodium_memzero(b.data(), b.size());
    b.clear();
}
void wipe(std::string& s) {
    if (!s.empty()) sodium_memzero(s.data(), s.size());
    s.clear();
}

SignKeyPair signKeyPair() {
    SignKeyPair kp;
    kp.sk = Secret(crypto_sign_SECRETKEYBYTES);
    crypto_sign_keypair(kp.pk.data(), kp.sk.data());
    return kp;
}
BoxKeyPair boxKeyPair() {
    BoxKeyPair kp;
    kp.sk = Secret(crypto_box_SECRETKEYBYTES);
    crypto_box_keypair(kp.pk.data(), kp.sk.data());
    return kp;
}
SignKeyPair signKeyPairFromSeed(ByteView seed32) {
    SignKeyPair kp;
    if (seed32.size() != crypto_sign_SEEDBYTES) return kp;
    kp.sk = Secret(crypto_sign_SECRETKEYBYTES);
    crypto_sign_seed_keypair(kp.pk.data(), kp.sk.data(), seed32.data());
    return kp;
}
BoxKeyPair boxKeyPairFromSeed(ByteView seed32) {
    BoxKeyPair kp;
    if (seed32.size() != crypto_box_SEEDBYTES) return kp;
    kp.sk = Secret(crypto_box_SECRETKEYBYTES);
    crypto_box_seed_keypair(kp.pk.data(), kp.sk.data(), seed32.data());
    return kp;
}
PublicKey signPublicOf(const Secret& sk) {
    PublicKey pk{};
    if (sk.size() == crypto_sign_SECRETKEYBYTES) crypto_sign_ed25519_sk_to_pk(pk.data(), sk.data());
    return pk;
}
PublicKey boxPublicOf(const Secret& sk) {
    PublicKey pk{};
    if (sk.size() == crypto_box_SECRETKEYBYTES) crypto_scalarmult_base(pk.data(), sk.data());
    return pk;
}

Hash32 hash(ByteView data) {
    Hash32 h{};
    crypto_generichash(h.data(), h.size(), data.data(), data.size(), nullptr, 0);
    return h;
}
Hash32 keyedHash(ByteView key, ByteView data) {
    Hash32 h{};
    crypto_generichash(h.data(), h.size(), data.data(), data.size(), key.data(), key.size());
    return h;
}

Signature sign(const Secret& sk, ByteView message) {
    Signature sig{};
    crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), sk.data());
    return sig;
}
bool verify(const PublicKey& pk, ByteView message, const Signature& sig) {
    return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk.data()) == 0;
}

Bytes seal(const PublicKey& box_pk, ByteView plaintext) {
    Bytes out(plaintext.size() + crypto_box_SEALBYTES);
    crypto_box_seal(out.data(), plaintext.data(), plaintext.size(), box_pk.data());
    return out;
}
bool sealOpen(const BoxKeyPair& kp, ByteView sealed, Bytes& out) {
    if (sealed.size() < crypto_box_SEALBYTES) return false;
    out.resize(sealed.size() - crypto_box_SEALBYTES);
    if (crypto_box_seal_open(out.data(), sealed.data(), sealed.size(), kp.pk.data(),
                             kp.sk.data()) != 0) {
        wipe(out);
        return false;
    }
    return true;
}

std::string fingerprint(const PublicKey& pk) {
    Hash32 h = hash(pk);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | h[static_cast<std::size_t>(i)];
    char digits[17];
    for (int i = 15; i >= 0; --i) {
        digits[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    std::string s;
    for (int i = 0; i < 16; ++i) {
        if (i && i % 4 == 0) s.push_back(' ');
        s.push_back(digits[i]);
    }
    return s;
}

bool equalConstTime(ByteView a, ByteView b) {
    return a.size() == b.size() && sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void randomBytes(std::span<std::uint8_t> out) {
    randombytes_buf(out.data(), out.size());
}
std::uint32_t randomBelow(std::uint32_t n) {
    return randombytes_uniform(n);
}

} // namespace pingyi
