// Known-answer tests and tamper tests for every binary format of docs/formats.md.
//
// How the expected values were made: the inputs below are fixed (keys from fixed seeds,
// fixed hashes, a fixed token), and Ed25519 and BLAKE2b are deterministic, so each output is
// fixed too. The expected hex strings were computed once by running this code and pasted in;
// the byte layouts written out field by field were written from docs/formats.md. If one of
// them stops matching, a format changed: bump its version and update docs/formats.md, do not
// just paste the new value.
//
// Version 2 (token proofs: ballot, envelope, package, additions) was made the same way, and the
// token proof and tag, the ballot's padded hash, the hand-made envelope's hash and the additions
// digest were checked against Python (hashlib.blake2b, and the `cryptography` package's Argon2id
// and Ed25519) written from docs/formats.md.
//
// Tamper tests: every reader gets every byte position flipped (three masks) and every
// truncation, and must return an error, never accept and never crash.
#include "core/ballot.hpp"
#include "core/catalog.hpp"
#include "core/crypto.hpp"
#include "core/envelope.hpp"
#include "core/package.hpp"
#include "core/token.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <sodium.h>

#include <algorithm>
#include <cstring>
#include <functional>

using namespace pingyi;

namespace {

constexpr std::uint8_t kMasks[] = {0x01, 0x40, 0x80};

// first, first+1, ..., first+31: a fixed hash or seed.
Hash32 fixedBytes(std::uint8_t first) {
    Hash32 h{};
    for (std::size_t i = 0; i < h.size(); ++i)
        h[i] = static_cast<std::uint8_t>(first + i);
    return h;
}

std::string hexOf(ByteView b) {
    return toHex(b);
}
std::string hexOfString(std::string_view s) {
    return toHex(view(s));
}

std::uint16_t le16(const Bytes& b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] | (b[at + 1] << 8));
}
std::uint32_t le32(const Bytes& b, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 4; i-- > 0;)
        v = (v << 8) | b[at + i];
    return v;
}
std::string hexAt(const Bytes& b, std::size_t at, std::size_t n) {
    return toHex(ByteView(b).subspan(at, n));
}

// The fixed inputs shared by all vectors.
struct Vectors {
    Campaign campaign = seedCampaign();
    SignKeyPair organiser = signKeyPairFromSeed(fixedBytes(0x01));
    BoxKeyPair collector_box = boxKeyPairFromSeed(fixedBytes(0x21));
    SignKeyPair collector_sign = signKeyPairFromSeed(fixedBytes(0x41));
    SignKeyPair device = signKeyPairFromSeed(fixedBytes(0x61));
    Token token = tokenFromValues(
        std::vector<std::uint8_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
    Token late_token = tokenFromValues(
        std::vector<std::uint8_t>{30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16});
    Hash32 ballot_campaign = fixedBytes(0xD0); // a stand-in package digest for the ballot
    Hash32 other_campaign = fixedBytes(0xA0);  // certificate and ledger campaign

    PackageBody packageBody() const {
        PackageBody b;
        b.campaign = campaign;
        b.organiser = organiser.pk;
        b.collector_box = collector_box.pk;
        b.collector_sign = collector_sign.pk;
        b.tokens.push_back({"U1/social", "npc", {tokenTag(campaign.id, token)}});
        return b;
    }
    Answers answers() const {
        Answers a = test::uniformAnswers(campaign, "U1", "A");
        a.ratings["S01"]["integrity"] = std::nullopt; // 不了解
        for (auto& [item, level] : a.ratings["S02"])
            level = "B";
        a.comments["S03"] = "服务很好";
        return a;
    }
    Ballot ballot() const {
        auto b = buildBallot(campaign, ballot_campaign, MeetingRef{"U1", "social"},
                             tokenProof(campaign.id, token), answers());
        REQUIRE(b.ok());
        return std::move(*b);
    }
    std::vector<Hash32> ledgerHashes() const {
        // Unsorted and with a duplicate: the writer sorts and removes duplicates.
        return {fixedBytes(0x30), fixedBytes(0x10), fixedBytes(0x20), fixedBytes(0x10)};
    }
};

bool sameBallot(const Ballot& a, const Ballot& b) {
    if (a.campaign != b.campaign || a.token_tag != b.token_tag || a.meeting != b.meeting ||
        a.answers.size() != b.answers.size())
        return false;
    for (std::size_t i = 0; i < a.answers.size(); ++i)
        if (a.answers[i].subject != b.answers[i].subject ||
            a.answers[i].levels != b.answers[i].levels ||
            a.answers[i].comment != b.answers[i].comment)
            return false;
    return true;
}

// Writes an envelope field by field as docs/formats.md describes it, with a chosen sealed part
// and outer fields, signed by the device. Used for deterministic vectors and for envelopes a
// (rogue or buggy) enrolled tablet could sign.
Bytes handMadeEnvelope(const Hash32& campaign, const SignKeyPair& device, const Hash32& tag,
                       ByteView sealed) {
    Writer w;
    w.raw(view(std::string_view("PYEV")));
    w.u16(2);
    w.raw(campaign);
    w.raw(device.pk);
    w.raw(tag);
    w.blob32(sealed);
    w.raw(sign(device.sk, w.bytes()));
    return w.take();
}

// A magic/version/blob32/signature file (package or additions) with any body, signed by sk.
Bytes handMadeSignedFile(std::string_view magic, std::string_view body, const Secret& sk) {
    Writer w;
    w.raw(view(magic));
    w.u16(2);
    w.blob32(view(body));
    w.raw(sign(sk, w.bytes()));
    return w.take();
}

// Flips every byte with every mask (or, for big inputs, one mask per byte in turn); the reader
// must reject each variant without throwing.
template <class Read>
void everyFlipIsRejected(const Bytes& good, Read read, const std::string& what,
                         bool every_mask = true) {
    REQUIRE(read(ByteView(good))); // the reference input must be accepted
    std::size_t accepted = 0;
    for (std::size_t i = 0; i < good.size(); ++i)
        for (std::size_t m = 0; m < std::size(kMasks); ++m) {
            if (!every_mask && m != i % std::size(kMasks)) continue;
            Bytes bad = good;
            bad[i] ^= kMasks[m];
            bool ok = true;
            CHECK_NOTHROW(ok = read(ByteView(bad)));
            if (ok) {
                ++accepted;
                FAIL_CHECK(what << ": byte " << i << " ^ " << int(kMasks[m]) << " was accepted");
            }
        }
    CHECK(accepted == 0);
}

// Every strict prefix, and the input with one byte appended, must be rejected without throwing.
template <class Read>
void everyTruncationIsRejected(const Bytes& good, Read read, const std::string& what) {
    REQUIRE(read(ByteView(good)));
    for (std::size_t n = 0; n < good.size(); ++n) {
        // A copy of exactly n bytes, so a reader that overruns is caught by sanitizers.
        Bytes cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        bool ok = true;
        CHECK_NOTHROW(ok = read(ByteView(cut)));
        CHECK_MESSAGE(!ok, what << " truncated to " << n << " bytes was accepted");
    }
    Bytes longer = good;
    longer.push_back(0);
    bool ok = true;
    CHECK_NOTHROW(ok = read(ByteView(longer)));
    CHECK_MESSAGE(!ok, what << " with a trailing byte was accepted");
}

// Expected values, computed once by running this code (see the top of the file).
const std::string kTokenSymbols = "23456789ABCDEFGS";
const std::string kTokenProofHex =
    "152ea1f3c4664151a67c3ce5fc845715fa949d63f097ce06e809574b2f07a02c";
const std::string kTokenTagHex = "6fe919596fcf573842c0254627e49d960ad71475a33973050455608613d80190";
const std::string kReceiptOfFixedHash = "W4TMA-Y6NRC";
constexpr std::size_t kSeedPaddedSize = 2560;
const std::string kBallotPaddedHashHex =
    "4d64050124bc54d53f8c58339a12e0710db10b3b3965622b9f2e516ebdffd5d4";
const std::string kCertificateHashHex =
    "b15a8f6913782b79a83607dc9afc3a44bf588839d1f0d02e8e5347b46fb09bc6";
const std::string kLedgerHashHex =
    "7764adc54fa56180c0bb0a34620798822f98f8ba1a2db1ee1ffa8e1ad2616909";
const std::string kPackageDigestHex =
    "873e4b21590084b661504e24c94e8566b1936f2e6a7fb393d44a2293058e57b9";
const std::string kPackageFileHashHex =
    "6e04158dfbb5ed86e1ba6d1460f628ed76c2be2e8491f4b302133baf824e6eae";
const std::string kAdditionsDigestHex =
    "a98496192b641b5d9bc89024cd5b926e3775dea85da33a28e94f9375f7d4625f";
const std::string kHandMadeEnvelopeHashHex =
    "59710fc598f5ff8edcb3c542aaab127c5ee680ccbe0e72f9fb631ac995648b01";
const std::string kOrganiserPkHex =
    "79b5562e8fe654f94078b112e8a98ba7901f853ae695bed7e0e3910bad049664";
const std::string kCollectorBoxPkHex =
    "577faef0060dfd00c039272bc6fe7c42689ce16db47b6fc2aa41d19819ffa936";
const std::string kDevicePkHex = "882d0ea3b2864e7a587f3e698cea4459998312e655e05fa5e8b5119d8baac8cd";

} // namespace

// ---------------------------------------------------------------------------------------------
// Known answers

TEST_CASE("Keys made from fixed seeds are the same on every machine") {
    Vectors v;
    CHECK(hexOf(v.organiser.pk) == kOrganiserPkHex);
    CHECK(hexOf(v.collector_box.pk) == kCollectorBoxPkHex);
    CHECK(hexOf(v.device.pk) == kDevicePkHex);
    CHECK(signPublicOf(v.organiser.sk) == v.organiser.pk);
    CHECK(boxPublicOf(v.collector_box.sk) == v.collector_box.pk);
    CHECK(signKeyPairFromSeed(Bytes(31, 1)).sk.empty());
    CHECK(boxKeyPairFromSeed(Bytes(33, 1)).sk.empty());
}

TEST_CASE("Known answer: a token from fixed values, its display form and its tag in jjj-2026") {
    Vectors v;
    CHECK(v.token.symbols == kTokenSymbols);
    CHECK(v.token.display() == "2345-6789-ABCD-EFGS");
    // The check rule: sum of (i + 1) * value(symbol i) over all 16 symbols is 0 mod 31.
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < v.token.symbols.size(); ++i)
        sum += static_cast<std::uint32_t>(i + 1) *
               static_cast<std::uint32_t>(kTokenAlphabet.find(v.token.symbols[i]));
    CHECK(sum % 31 == 0);
    // proof = Argon2id(symbols, salt = BLAKE2b-256("pingyi/token-proof/v2" || "jjj-2026")[0..16),
    //                 opslimit 2, memlimit 1 MiB, 32 bytes)
    TokenProof proof = tokenProof("jjj-2026", v.token);
    CHECK(hexOf(proof) == kTokenProofHex);
    Hash32 salt = hash(view(std::string_view("pingyi/token-proof/v2jjj-2026")));
    TokenProof again{};
    REQUIRE(crypto_pwhash(again.data(), again.size(), kTokenSymbols.data(), kTokenSymbols.size(),
                          salt.data(), 2, 1u << 20, crypto_pwhash_ALG_ARGON2ID13) == 0);
    CHECK(again == proof);
    // tag = BLAKE2b-256(key = BLAKE2b-256("pingyi/token-tag/v2" || "jjj-2026"), proof)
    Hash32 tag = tokenTag("jjj-2026", v.token);
    CHECK(hexOf(tag) == kTokenTagHex);
    Hash32 key = hash(view(std::string_view("pingyi/token-tag/v2jjj-2026")));
    CHECK(keyedHash(key, proof) == tag);
    CHECK(tokenTagOfProof("jjj-2026", proof) == tag);
    CHECK(tokenProof("jjj-2027", v.token) != proof);
    // The tag depends on the campaign id and on the canonical (upper-case) symbols only.
    CHECK(tokenTag("jjj-2027", v.token) != tag);
    auto typed = parseToken("2345 6789 abcd efgs");
    REQUIRE(typed.ok());
    CHECK(tokenTag("jjj-2026", *typed) == tag);
}

TEST_CASE("Known answer: the receipt code of a fixed envelope hash") {
    Hash32 h = fixedBytes(0x00); // 00 01 02 ... 1f
    CHECK(receiptCode(h) == kReceiptOfFixedHash);
    // Only the first 8 bytes count (big-endian), least significant base-31 digit first.
    Hash32 h2 = h;
    h2[8] ^= 0xFF;
    CHECK(receiptCode(h2) == receiptCode(h));
    Hash32 one{};
    one[7] = 1;
    CHECK(receiptCode(one) == "32222-22222");
    Hash32 all{};
    std::fill(all.begin(), all.begin() + 8, std::uint8_t{0xFF});
    // 2^64 - 1 = 18446744073709551615; its 10 low base-31 digits, least significant first.
    std::uint64_t x = ~std::uint64_t{0};
    std::string expect;
    for (int i = 0; i < 10; ++i) {
        if (i == 5) expect.push_back('-');
        expect.push_back(kTokenAlphabet[x % 31]);
        x /= 31;
    }
    CHECK(receiptCode(all) == expect);
}

TEST_CASE("Known answer: the padded size of the seed campaign's ballots") {
    Campaign c = seedCampaign();
    // 4 + 2 + 32 + 32 + (2 + 9 "U1/social") + 2 = 83; 6 subjects x (2 + 1 + 5 + 2) = 60;
    // 600 comment chars x 4 bytes = 2400; marker 1: 2544, rounded up to 256: 2560.
    CHECK(ballotPaddedSize(c) == kSeedPaddedSize);
    c.limits.ballot_comment_chars = 0;
    CHECK(ballotPaddedSize(c) == 256); // 144 rounded up
}

TEST_CASE("Known answer: a fixed ballot encodes to the documented bytes") {
    Vectors v;
    Ballot b = v.ballot();
    Bytes p = encodeBallot(b, ballotPaddedSize(v.campaign));
    REQUIRE(p.size() == kSeedPaddedSize);
    const std::string expected = std::string("50594254") // "PYBT"
                                 + "0200"                // version 2
                                 + "d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebeced"
                                   "eeef"                            // campaign: the package digest
                                 + kTokenProofHex                    // token proof
                                 + "0900" + hexOfString("U1/social") // meeting (str16)
                                 + "0600"                            // 6 subjects of U1
                                 // subject u16, item count u8, levels (A = 00, B = 01,
                                 // 不了解 = ff), comment str16
                                 + "0000" + "05" + "00000000ff" + "0000" // S01
                                 + "0100" + "05" + "0101010101" + "0000" // S02
                                 + "0200" + "05" + "0000000000" + "0c00" +
                                 "e69c8de58aa1e5be88e5a5bd"               // S03 "服务很好"
                                 + "0300" + "05" + "0000000000" + "0000"  // S04
                                 + "0400" + "05" + "0000000000" + "0000"  // S05
                                 + "0500" + "05" + "0000000000" + "0000"; // S06
    const std::size_t unpadded = expected.size() / 2;
    CHECK(unpadded == 155);
    CHECK(hexAt(p, 0, unpadded) == expected);
    CHECK(p[unpadded] == 0x80); // sodium_pad's marker, then zeros
    CHECK(std::all_of(p.begin() + static_cast<std::ptrdiff_t>(unpadded) + 1, p.end(),
                      [](std::uint8_t x) { return x == 0; }));
    CHECK(hexOf(hash(p)) == kBallotPaddedHashHex);
    auto back = decodeBallot(p, v.campaign);
    REQUIRE(back.ok());
    CHECK(sameBallot(*back, b));
}

TEST_CASE("Known answer: a device certificate signed by a fixed organiser key") {
    Vectors v;
    Bytes c = encodeCertificate(v.other_campaign, v.device.pk, "平板 01", v.organiser.sk);
    REQUIRE(c.size() == 145);
    CHECK(hexAt(c, 0, 6) == "505944430100"); // "PYDC", version 1
    CHECK(hexAt(c, 6, 32) == hexOf(v.other_campaign));
    CHECK(hexAt(c, 38, 32) == hexOf(v.device.pk));
    CHECK(le16(c, 70) == 9);
    CHECK(hexAt(c, 72, 9) == hexOfString("平板 01"));
    CHECK(verify(v.organiser.pk, ByteView(c).first(81), [&] {
        Signature s{};
        std::memcpy(s.data(), c.data() + 81, 64);
        return s;
    }()));
    CHECK(hexOf(hash(c)) == kCertificateHashHex);
    auto d = decodeCertificate(c, v.organiser.pk);
    REQUIRE(d.ok());
    CHECK(d->label == "平板 01");
    CHECK(d->device == v.device.pk);
    CHECK(d->campaign == v.other_campaign);
    auto wrong = decodeCertificate(c, v.collector_sign.pk);
    REQUIRE_FALSE(wrong.ok());
    CHECK(wrong.error().id == "certificate.bad_signature");
}

TEST_CASE("Known answer: a ledger is sorted, without duplicates, and signed by the device") {
    Vectors v;
    Bytes l = encodeLedger(v.other_campaign, v.device.pk, v.ledgerHashes(), v.device.sk);
    REQUIRE(l.size() == 6 + 32 + 32 + 4 + 32 + 4 + 3 * 32 + 64);
    CHECK(hexAt(l, 0, 6) == "50594c470200"); // "PYLG", version 2
    CHECK(hexAt(l, 6, 32) == hexOf(v.other_campaign));
    CHECK(hexAt(l, 38, 32) == hexOf(v.device.pk));
    CHECK(le32(l, 70) == 3); // total
    // set digest = BLAKE2b-256("pingyi/ledger-set/v2" || the sorted hashes)
    Writer set;
    set.raw(view(std::string_view("pingyi/ledger-set/v2")));
    for (int first : {0x10, 0x20, 0x30})
        set.raw(fixedBytes(static_cast<std::uint8_t>(first)));
    CHECK(hexAt(l, 74, 32) == hexOf(hash(set.bytes())));
    CHECK(le32(l, 106) == 3); // hashes named here: all of them
    CHECK(hexAt(l, 110, 32) == hexOf(fixedBytes(0x10)));
    CHECK(hexAt(l, 142, 32) == hexOf(fixedBytes(0x20)));
    CHECK(hexAt(l, 174, 32) == hexOf(fixedBytes(0x30)));
    CHECK(hexOf(hash(l)) == kLedgerHashHex);
    auto d = decodeLedger(l);
    REQUIRE(d.ok());
    CHECK(d->hashes.size() == 3);
    CHECK(d->total == 3);
    CHECK(d->complete());
    CHECK(d->device == v.device.pk);
    // An empty ledger is valid too (a tablet that sealed nothing yet).
    CHECK(decodeLedger(encodeLedger(v.other_campaign, v.device.pk, {}, v.device.sk)).ok());
}

TEST_CASE("A ledger part names some hashes under the whole ledger's count and digest") {
    Vectors v;
    std::vector<Hash32> all{fixedBytes(0x10), fixedBytes(0x20), fixedBytes(0x30)};
    Hash32 digest = ledgerSetDigest(all);
    Bytes part =
        encodeLedgerPart(v.other_campaign, v.device.pk, 3, digest, {fixedBytes(0x20)}, v.device.sk);
    REQUIRE(part.size() == 6 + 32 + 32 + 4 + 32 + 4 + 32 + 64);
    auto d = decodeLedger(part);
    REQUIRE(d.ok());
    CHECK_FALSE(d->complete());
    CHECK(d->total == 3);
    CHECK(d->set_digest == digest);
    CHECK(d->hashes == std::vector<Hash32>{fixedBytes(0x20)});
    // A "complete" ledger whose hashes do not give its digest is refused, and so is a part that
    // names more hashes than its total.
    Bytes lying =
        encodeLedgerPart(v.other_campaign, v.device.pk, 3, digest,
                         {fixedBytes(0x10), fixedBytes(0x20), fixedBytes(0x40)}, v.device.sk);
    auto r = decodeLedger(lying);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "ledger.bad_digest");
    CHECK(hasMessage("ledger.bad_digest"));
    CHECK_FALSE(
        decodeLedger(encodeLedgerPart(v.other_campaign, v.device.pk, 1, digest, all, v.device.sk))
            .ok());
    everyFlipIsRejected(
        part, [](ByteView x) { return decodeLedger(x).ok(); }, "ledger part");
}

TEST_CASE("Known answer: a campaign package has a canonical body and a fixed digest") {
    Vectors v;
    Bytes p = encodePackage(v.packageBody(), v.organiser.sk);
    CHECK(hexAt(p, 0, 6) == "5059504b0200"); // "PYPK", version 2
    const std::uint32_t body_len = le32(p, 6);
    REQUIRE(p.size() == 6 + 4 + std::size_t(body_len) + 64);
    std::string body(p.begin() + 10, p.begin() + 10 + body_len);
    // Canonical JSON: nlohmann's dump() of itself, sorted keys, no spaces.
    CHECK(nlohmann::json::parse(body).dump() == body);
    CHECK(body.rfind("{\"campaign\":{\"format\":\"pingyi-campaign/1\",\"groups\":[", 0) == 0);
    auto j = nlohmann::json::parse(body);
    CHECK(j["format"] == "pingyi-package/1");
    CHECK(j["organiser"] == kOrganiserPkHex);
    CHECK(j["collector_box"] == kCollectorBoxPkHex);
    CHECK(j["tokens"].dump() ==
          std::string(R"([{"category":"npc","meeting":"U1/social","tags":[")") + kTokenTagHex +
              "\"]}]");
    // digest = BLAKE2b-256 of everything before the signature.
    CHECK(hexOf(hash(ByteView(p).first(p.size() - 64))) == kPackageDigestHex);
    CHECK(hexOf(hash(p)) == kPackageFileHashHex);
    auto d = decodePackage(p);
    REQUIRE(d.ok());
    CHECK(hexOf(d->digest) == kPackageDigestHex);
    CHECK(d->body.tokens.size() == 1);
    CHECK(d->body.campaign.subjects.size() == 13);
}

TEST_CASE("Known answer: token additions name their package and have a fixed digest") {
    Vectors v;
    auto pkg = decodePackage(encodePackage(v.packageBody(), v.organiser.sk));
    REQUIRE(pkg.ok());
    std::vector<TokenSet> sets{{"U1/social", "service", {tokenTag("jjj-2026", v.late_token)}}};
    Bytes a = encodeAdditions(pkg->digest, 1, sets, v.organiser.sk);
    CHECK(hexAt(a, 0, 6) == "505941440200"); // "PYAD", version 2
    const std::uint32_t body_len = le32(a, 6);
    REQUIRE(a.size() == 6 + 4 + std::size_t(body_len) + 64);
    std::string body(a.begin() + 10, a.begin() + 10 + body_len);
    CHECK(body == std::string(R"({"campaign":")") + kPackageDigestHex +
                      R"(","format":"pingyi-additions/1","serial":1,"tokens":[{"category":)"
                      R"("service","meeting":"U1/social","tags":[")" +
                      hexOf(tokenTag("jjj-2026", v.late_token)) + "\"]}]}");
    CHECK(hexOf(hash(ByteView(a).first(a.size() - 64))) == kAdditionsDigestHex);
    auto d = decodeAdditions(a, *pkg);
    REQUIRE(d.ok());
    CHECK(hexOf(d->digest) == kAdditionsDigestHex);
    CHECK(d->serial == 1);
}

TEST_CASE("Known answer: a sealed envelope has its fields at the documented offsets") {
    Vectors v;
    Ballot b = v.ballot();
    SealedEnvelope e =
        sealEnvelope(b, kSeedPaddedSize, v.collector_box.pk, v.device.pk, v.device.sk);
    const Bytes& x = e.bytes;
    // crypto_box_seal is randomised: everything but the sealed part and signature is fixed.
    REQUIRE(x.size() == 6 + 32 + 32 + 32 + 4 + (kSeedPaddedSize + 48) + 64);
    CHECK(x.size() == 2778);
    CHECK(hexAt(x, 0, 6) == "505945560200"); // "PYEV", version 2
    CHECK(hexAt(x, 6, 32) == hexOf(v.ballot_campaign));
    CHECK(hexAt(x, 38, 32) == hexOf(v.device.pk));
    CHECK(hexAt(x, 70, 32) == kTokenTagHex);
    CHECK(le32(x, 102) == kSeedPaddedSize + 48);
    CHECK(e.hash == hash(x));
    auto ok = verifyEnvelope(x);
    REQUIRE(ok.ok());
    auto opened = openEnvelope(*ok, v.collector_box, v.campaign);
    REQUIRE(opened.ok());
    CHECK(sameBallot(*opened, b));
    // Sealing twice gives different bytes (and receipt codes), same fields.
    SealedEnvelope e2 =
        sealEnvelope(b, kSeedPaddedSize, v.collector_box.pk, v.device.pk, v.device.sk);
    CHECK(e2.bytes != e.bytes);
    CHECK(ByteView(e2.bytes).first(106).size() == 106);
    CHECK(std::equal(x.begin(), x.begin() + 106, e2.bytes.begin()));
}

TEST_CASE("Known answer: an envelope written by hand from the format document verifies") {
    Vectors v;
    Bytes sealed(49);
    for (std::size_t i = 0; i < sealed.size(); ++i)
        sealed[i] = static_cast<std::uint8_t>(i);
    Bytes e = handMadeEnvelope(v.ballot_campaign, v.device, tokenTag("jjj-2026", v.token), sealed);
    CHECK(e.size() == 106 + 49 + 64);
    CHECK(hexOf(hash(e)) == kHandMadeEnvelopeHashHex);
    auto p = verifyEnvelope(e);
    REQUIRE(p.ok());
    CHECK(p->sealed == sealed);
    // It is well formed but opens for nobody: the sealed part is not a sealed box.
    auto o = openEnvelope(*p, v.collector_box, v.campaign);
    REQUIRE_FALSE(o.ok());
    CHECK(o.error().id == "envelope.cannot_open");
    // The sealed part must be longer than the 48-byte seal overhead.
    Bytes too_short = handMadeEnvelope(v.ballot_campaign, v.device, {}, ByteView(sealed).first(48));
    auto t = parseEnvelope(too_short);
    REQUIRE_FALSE(t.ok());
    CHECK(t.error().id == "format.truncated");
}

// ---------------------------------------------------------------------------------------------
// Versions and magics

TEST_CASE("Every binary format refuses another version with format.bad_version") {
    Vectors v;
    auto pkg = decodePackage(encodePackage(v.packageBody(), v.organiser.sk));
    REQUIRE(pkg.ok());
    Ballot b = v.ballot();
    struct Case {
        std::string what;
        Bytes bytes;
        std::function<Error(ByteView)> read;
    };
    auto errorOf = [](auto&& r) { return r.ok() ? Error{} : r.error(); };
    std::vector<Case> cases{
        {"certificate", encodeCertificate(v.other_campaign, v.device.pk, "T", v.organiser.sk),
         [&](ByteView x) { return errorOf(decodeCertificate(x, v.organiser.pk)); }},
        {"ledger", encodeLedger(v.other_campaign, v.device.pk, v.ledgerHashes(), v.device.sk),
         [&](ByteView x) { return errorOf(decodeLedger(x)); }},
        {"envelope",
         sealEnvelope(b, kSeedPaddedSize, v.collector_box.pk, v.device.pk, v.device.sk).bytes,
         [&](ByteView x) { return errorOf(verifyEnvelope(x)); }},
        {"package", pkg->bytes, [&](ByteView x) { return errorOf(decodePackage(x)); }},
        {"additions", encodeAdditions(pkg->digest, 1, {}, v.organiser.sk),
         [&](ByteView x) { return errorOf(decodeAdditions(x, *pkg)); }},
        {"ballot", encodeBallot(b, kSeedPaddedSize),
         [&](ByteView x) { return errorOf(decodeBallot(x, v.campaign)); }},
    };
    for (auto& c : cases) {
        CAPTURE(c.what);
        const unsigned current = c.bytes[4] | (c.bytes[5] << 8);
        // All but the certificate are at 2 (token proofs; ledger parts): 1 is refused too.
        CHECK(current == (c.what == "certificate" ? 1u : 2u));
        for (unsigned version : {0u, 1u, 2u, 3u, 0x0100u, 0xFFFFu}) {
            if (version == current) continue;
            Bytes bad = c.bytes;
            bad[4] = static_cast<std::uint8_t>(version);
            bad[5] = static_cast<std::uint8_t>(version >> 8);
            Error e = c.read(bad);
            CHECK(e.id == "format.bad_version");
            REQUIRE(e.args.size() == 2);
            // The first argument names the format ("envelope", or a catalog reference to its
            // translated name such as "@thing.envelope").
            CHECK(e.args[0].ends_with(c.what));
            CHECK(e.args[1] == std::to_string(version));
        }
        Bytes wrong_magic = c.bytes;
        wrong_magic[0] = 'X';
        CHECK(c.read(wrong_magic).id ==
              (c.what == "ballot" ? "ballot.bad_magic" : "format.bad_magic"));
    }
}

// ---------------------------------------------------------------------------------------------
// Flipped bytes and truncations

TEST_CASE("Every flipped byte of a device certificate is rejected") {
    Vectors v;
    Bytes c = encodeCertificate(v.other_campaign, v.device.pk, "平板 01", v.organiser.sk);
    everyFlipIsRejected(
        c, [&](ByteView x) { return decodeCertificate(x, v.organiser.pk).ok(); }, "certificate");
}

TEST_CASE("Every truncation of a device certificate is rejected, and so is a trailing byte") {
    Vectors v;
    Bytes c = encodeCertificate(v.other_campaign, v.device.pk, "平板 01", v.organiser.sk);
    everyTruncationIsRejected(
        c, [&](ByteView x) { return decodeCertificate(x, v.organiser.pk).ok(); }, "certificate");
    Bytes longer = c;
    longer.push_back(0);
    auto r = decodeCertificate(longer, v.organiser.pk);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "format.trailing");
}

TEST_CASE("Every flipped byte of a ledger is rejected") {
    Vectors v;
    Bytes l = encodeLedger(v.other_campaign, v.device.pk, v.ledgerHashes(), v.device.sk);
    everyFlipIsRejected(
        l, [](ByteView x) { return decodeLedger(x).ok(); }, "ledger");
}

TEST_CASE("Every truncation of a ledger is rejected, and so is a trailing byte") {
    Vectors v;
    Bytes l = encodeLedger(v.other_campaign, v.device.pk, v.ledgerHashes(), v.device.sk);
    everyTruncationIsRejected(
        l, [](ByteView x) { return decodeLedger(x).ok(); }, "ledger");
    Bytes longer = l;
    longer.push_back(0);
    CHECK_FALSE(decodeLedger(longer).ok());
}

TEST_CASE("A ledger signed by its device but not sorted, or with a duplicate, is rejected") {
    Vectors v;
    for (auto hashes : {std::vector<Hash32>{fixedBytes(0x20), fixedBytes(0x10)},
                        std::vector<Hash32>{fixedBytes(0x10), fixedBytes(0x10)}}) {
        Writer w;
        w.raw(view(std::string_view("PYLG")));
        w.u16(2);
        w.raw(v.other_campaign);
        w.raw(v.device.pk);
        w.u32(static_cast<std::uint32_t>(hashes.size()));
        w.raw(ledgerSetDigest(hashes));
        w.u32(static_cast<std::uint32_t>(hashes.size()));
        for (auto& h : hashes)
            w.raw(h);
        w.raw(sign(v.device.sk, w.bytes()));
        auto r = decodeLedger(w.bytes());
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().id == "ledger.unsorted");
    }
}

TEST_CASE("Every flipped byte of a campaign package is rejected") {
    Vectors v;
    Bytes p = encodePackage(v.packageBody(), v.organiser.sk);
    // About 9 kB of JSON: one mask per byte, in turn, keeps this to a couple of seconds.
    everyFlipIsRejected(
        p, [](ByteView x) { return decodePackage(x).ok(); }, "package", false);
}

TEST_CASE("Every truncation of a campaign package is rejected, and so is a trailing byte") {
    Vectors v;
    Bytes p = encodePackage(v.packageBody(), v.organiser.sk);
    everyTruncationIsRejected(
        p, [](ByteView x) { return decodePackage(x).ok(); }, "package");
}

TEST_CASE("Every flipped byte of token additions is rejected") {
    Vectors v;
    auto pkg = decodePackage(encodePackage(v.packageBody(), v.organiser.sk));
    REQUIRE(pkg.ok());
    std::vector<TokenSet> sets{{"U1/social", "service", {tokenTag("jjj-2026", v.late_token)}}};
    Bytes a = encodeAdditions(pkg->digest, 1, sets, v.organiser.sk);
    everyFlipIsRejected(
        a, [&](ByteView x) { return decodeAdditions(x, *pkg).ok(); }, "additions");
}

TEST_CASE("Every truncation of token additions is rejected, and so is a trailing byte") {
    Vectors v;
    auto pkg = decodePackage(encodePackage(v.packageBody(), v.organiser.sk));
    REQUIRE(pkg.ok());
    std::vector<TokenSet> sets{{"U1/social", "service", {tokenTag("jjj-2026", v.late_token)}}};
    Bytes a = encodeAdditions(pkg->digest, 1, sets, v.organiser.sk);
    everyTruncationIsRejected(
        a, [&](ByteView x) { return decodeAdditions(x, *pkg).ok(); }, "additions");
}

TEST_CASE("A package or additions body with fields of the wrong JSON type is refused, not thrown") {
    Vectors v;
    auto pkg = decodePackage(encodePackage(v.packageBody(), v.organiser.sk));
    REQUIRE(pkg.ok());
    // Unsigned or signed by the organiser: either way an error result, never an exception.
    for (std::string body : {R"({"format":1})", R"({"format":null})", R"([])", R"("x")", "",
                             R"({"format":"pingyi-package/1","organiser":7})"}) {
        CAPTURE(body);
        Bytes f = handMadeSignedFile("PYPK", body, v.organiser.sk);
        bool ok = true;
        CHECK_NOTHROW(ok = decodePackage(f).ok());
        CHECK_FALSE(ok);
    }
    const std::string digest = toHex(pkg->digest);
    for (std::string body :
         {std::string(R"({"format":1,"serial":1})"),
          std::string(R"({"format":"pingyi-additions/1"})"),
          std::string(R"({"format":"pingyi-additions/1","serial":-1,"campaign":")") + digest +
              "\"}",
          std::string(R"({"format":"pingyi-additions/1","serial":1,"campaign":5})"),
          std::string(R"({"format":"pingyi-additions/1","serial":1,"campaign":")") + digest +
              R"(","tokens":{}})",
          std::string(R"({"format":"pingyi-additions/1","serial":1,"campaign":")") + digest +
              R"(","tokens":[{"meeting":"U1/social","category":"npc","tags":[1]}]})"}) {
        CAPTURE(body);
        Bytes f = handMadeSignedFile("PYAD", body, v.organiser.sk);
        bool ok = true;
        CHECK_NOTHROW(ok = decodeAdditions(f, *pkg).ok());
        CHECK_FALSE(ok);
    }
}

TEST_CASE("Every flipped byte of an envelope is rejected by verifyEnvelope") {
    Vectors v;
    SealedEnvelope e =
        sealEnvelope(v.ballot(), kSeedPaddedSize, v.collector_box.pk, v.device.pk, v.device.sk);
    everyFlipIsRejected(
        e.bytes, [](ByteView x) { return verifyEnvelope(x).ok(); }, "envelope");
}

TEST_CASE("parseEnvelope checks structure only: header and length flips are rejected") {
    Vectors v;
    SealedEnvelope e =
        sealEnvelope(v.ballot(), kSeedPaddedSize, v.collector_box.pk, v.device.pk, v.device.sk);
    // Magic and version (0..5) and the sealed length (102..105) are structure; the rest is
    // content that only the signature (verifyEnvelope) protects.
    for (std::size_t i : {0, 1, 2, 3, 4, 5, 102, 103, 104, 105})
        for (auto mask : kMasks) {
            Bytes bad = e.bytes;
            bad[i] ^= mask;
            CHECK_MESSAGE(!parseEnvelope(bad).ok(), "byte " << i << " ^ " << int(mask));
        }
    Bytes content = e.bytes;
    content[200] ^= 0x40;
    CHECK(parseEnvelope(content).ok());
    CHECK_FALSE(verifyEnvelope(content).ok());
}

TEST_CASE("Every truncation of an envelope is rejected, and so is a trailing byte") {
    Vectors v;
    SealedEnvelope e =
        sealEnvelope(v.ballot(), kSeedPaddedSize, v.collector_box.pk, v.device.pk, v.device.sk);
    everyTruncationIsRejected(
        e.bytes, [](ByteView x) { return parseEnvelope(x).ok(); }, "envelope");
    Bytes longer = e.bytes;
    longer.push_back(0);
    auto r = parseEnvelope(longer);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "format.trailing");
}

TEST_CASE("A sealed part damaged and re-signed by an enrolled tablet does not open") {
    // The device signature covers the sealed part, but a tablet could sign garbage: the sealed
    // box's own MAC must catch every changed byte.
    Vectors v;
    Ballot b = v.ballot();
    SealedEnvelope e =
        sealEnvelope(b, kSeedPaddedSize, v.collector_box.pk, v.device.pk, v.device.sk);
    auto env = parseEnvelope(e.bytes);
    REQUIRE(env.ok());
    for (std::size_t i = 0; i < env->sealed.size(); ++i) {
        Envelope bad = *env;
        bad.sealed[i] ^= 0x40;
        auto r = openEnvelope(bad, v.collector_box, v.campaign);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().id == "envelope.cannot_open");
    }
}

TEST_CASE("An envelope whose outer campaign or token tag differs from the ballot's is refused") {
    Vectors v;
    Ballot b = v.ballot();
    SealedEnvelope e =
        sealEnvelope(b, kSeedPaddedSize, v.collector_box.pk, v.device.pk, v.device.sk);
    auto env = parseEnvelope(e.bytes);
    REQUIRE(env.ok());
    for (std::size_t i = 0; i < 32; ++i) {
        Bytes bad_tag_bytes = handMadeEnvelope(
            env->campaign, v.device,
            [&] {
                Hash32 t = env->token_tag;
                t[i] ^= 0x01;
                return t;
            }(),
            env->sealed);
        auto bad_tag = verifyEnvelope(bad_tag_bytes);
        REQUIRE(bad_tag.ok()); // the tablet signed it
        auto r = openEnvelope(*bad_tag, v.collector_box, v.campaign);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().id == "envelope.bad_proof");
        Hash32 c = env->campaign;
        c[i] ^= 0x01;
        auto bad_campaign =
            verifyEnvelope(handMadeEnvelope(c, v.device, env->token_tag, env->sealed));
        REQUIRE(bad_campaign.ok());
        auto r2 = openEnvelope(*bad_campaign, v.collector_box, v.campaign);
        REQUIRE_FALSE(r2.ok());
        CHECK(r2.error().id == "envelope.campaign_mismatch");
    }
}

namespace {
// What each byte of the fixed ballot's unpadded encoding is, from the documented layout.
enum class Part { Structure, Campaign, Proof, Level, Comment };

std::vector<Part> ballotLayout(const Ballot& b, std::size_t padded) {
    std::vector<Part> parts;
    auto add = [&](Part p, std::size_t n) { parts.insert(parts.end(), n, p); };
    add(Part::Structure, 6); // magic, version
    add(Part::Campaign, 32);
    add(Part::Proof, 32);
    add(Part::Structure, 2 + b.meeting.size() + 2); // meeting, subject count
    for (auto& a : b.answers) {
        add(Part::Structure, 3); // subject index, item count
        add(Part::Level, a.levels.size());
        add(Part::Structure, 2); // comment length
        add(Part::Comment, a.comment.size());
    }
    add(Part::Structure, padded - parts.size()); // marker and zero padding
    return parts;
}
} // namespace

TEST_CASE("Every flipped byte of a ballot is rejected except content no reader can judge") {
    // decodeBallot has no integrity check of its own: the envelope signature and the sealed
    // box's MAC protect the bytes. It must reject every change to the structure (magic,
    // version, meeting, counts, subject indices, lengths, the padding marker and the zero
    // padding). It may accept a change to the campaign digest or token tag (openEnvelope
    // compares both with the envelope), to a level byte that is still a valid level or 不了解,
    // or to comment bytes that are still valid text: then the decoded field must differ.
    Vectors v;
    Ballot b = v.ballot();
    Bytes p = encodeBallot(b, kSeedPaddedSize);
    auto layout = ballotLayout(b, p.size());
    REQUIRE(layout.size() == p.size());
    std::size_t accepted_content = 0;
    for (std::size_t i = 0; i < p.size(); ++i)
        for (auto mask : kMasks) {
            Bytes bad = p;
            bad[i] ^= mask;
            Result<Ballot> r = Error{};
            CHECK_NOTHROW(r = decodeBallot(bad, v.campaign));
            if (!r.ok()) continue;
            CAPTURE(i);
            CAPTURE(int(mask));
            switch (layout[i]) {
            case Part::Structure:
                FAIL_CHECK("a structure byte flip was accepted");
                break;
            case Part::Campaign:
                CHECK(r->campaign != b.campaign);
                break;
            case Part::Proof: // the tag is the proof's: openEnvelope then refuses it
                CHECK(r->token_proof != b.token_proof);
                CHECK(r->token_tag != b.token_tag);
                break;
            case Part::Level:
            case Part::Comment: {
                Ballot expect = b;
                CHECK_FALSE(sameBallot(*r, expect));
                CHECK(r->campaign == b.campaign);
                CHECK(r->token_tag == b.token_tag);
                break;
            }
            }
            ++accepted_content;
        }
    // Campaign and tag: 64 bytes x 3 masks. Levels: 30 bytes, where only 00 <-> 01 (A <-> B)
    // stays a valid level. Comment: "服务很好" has no byte whose flip stays valid UTF-8 except
    // the last 6 bits of a continuation byte with mask 0x01.
    CHECK(accepted_content >= 64 * 3);
}

TEST_CASE("Every truncation of a padded ballot is rejected, and so is any other size") {
    Vectors v;
    Bytes p = encodeBallot(v.ballot(), kSeedPaddedSize);
    everyTruncationIsRejected(
        p, [&](ByteView x) { return decodeBallot(x, v.campaign).ok(); }, "ballot");
    Bytes longer = p;
    longer.push_back(0);
    CHECK_FALSE(decodeBallot(longer, v.campaign).ok());
    // Padded to another size with a valid sodium_pad: still refused (sizes must not vary).
    Bytes other = encodeBallot(v.ballot(), kSeedPaddedSize + 256);
    REQUIRE(other.size() == kSeedPaddedSize + 256);
    auto r = decodeBallot(other, v.campaign);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "ballot.bad_padding");
}

TEST_CASE("A ballot a tablet could seal but buildBallot never makes is refused when opened") {
    Vectors v;
    // A comment with a control character, and comments over the per-ballot limit.
    Ballot ctl = v.ballot();
    ctl.answers[2].comment = "ok\x1b[2J";
    auto r1 = decodeBallot(encodeBallot(ctl, kSeedPaddedSize), v.campaign);
    REQUIRE_FALSE(r1.ok());
    CHECK(r1.error().id == "ballot.comment_bad_text");
    Ballot many = v.ballot();
    for (auto& a : many.answers)
        a.comment = std::string(200, 'x'); // 6 x 200 > 600
    auto r2 = decodeBallot(encodeBallot(many, kSeedPaddedSize), v.campaign);
    REQUIRE_FALSE(r2.ok());
    CHECK(r2.error().id == "ballot.comments_too_long");
    // At the limits it is accepted.
    Ballot full = v.ballot();
    for (std::size_t i = 0; i < 3; ++i)
        full.answers[i].comment = std::string(200, 'x');
    CHECK(decodeBallot(encodeBallot(full, kSeedPaddedSize), v.campaign).ok());
}

TEST_CASE("unpaddedLength gives sodium_unpad's answer for every padding, good or bad") {
    auto compare = [](const Bytes& buf) {
        std::size_t expected = 0;
        bool ok = sodium_unpad(&expected, buf.data(), buf.size(), buf.size()) == 0;
        auto got = unpaddedLength(buf);
        CHECK(got.has_value() == ok);
        if (ok && got) CHECK(*got == expected);
    };
    // Every content length and size up to 3 words and a few more, padded the documented way.
    for (std::size_t size : {1u, 2u, 7u, 8u, 9u, 15u, 16u, 17u, 24u, 31u, 256u, 4096u}) {
        CAPTURE(size);
        for (std::size_t len = 0; len < size; ++len) {
            if (size > 64 && len % 37 != 0 && len + 9 < size) continue; // sample the long ones
            Bytes buf(size);
            randomBytes(std::span<std::uint8_t>(buf.data(), len));
            std::size_t padded = 0;
            REQUIRE(sodium_pad(&padded, buf.data(), len, size, size) == 0);
            REQUIRE(padded == size);
            auto got = unpaddedLength(buf);
            REQUIRE(got.has_value());
            CHECK(*got == len);
            compare(buf);
            // Damaged paddings: the marker changed, a stray byte after it, no marker at all.
            Bytes bad = buf;
            bad[len] = 0x81;
            compare(bad);
            if (len + 1 < size) {
                bad = buf;
                bad[size - 1] = 0x01;
                compare(bad);
                bad[size - 1] = 0x80; // a later marker: longer content, still a valid padding
                compare(bad);
            }
            bad = buf;
            std::fill(bad.begin() + static_cast<std::ptrdiff_t>(len), bad.end(), 0);
            compare(bad);
        }
        compare(Bytes(size, 0));
        compare(Bytes(size, 0x80));
        compare(Bytes(size, 0xFF));
    }
    compare(Bytes{});
}
