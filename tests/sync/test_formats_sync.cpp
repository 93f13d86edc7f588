// Known-answer and tamper tests for the bundle format ("PYBN", docs/formats.md).
//
// The inputs are fixed (keys from fixed seeds, a hand-made envelope with a fixed sealed part),
// and Ed25519 and BLAKE2b are deterministic, so the bundle bytes are fixed. The expected hash was
// computed once by running this code and pasted in; the offsets were written from
// docs/formats.md. If it stops matching, the format changed: bump its version and update the
// document, do not just paste the new value. Version 2's bundle (signed over its BLAKE2b digest)
// was checked against Python (hashlib.blake2b, `cryptography`'s Ed25519) from docs/formats.md.
#include "core/crypto.hpp"
#include "core/envelope.hpp"
#include "core/package.hpp"
#include "core/token.hpp"
#include "sync/bundle.hpp"

#include <doctest/doctest.h>

using namespace pingyi;

namespace {

Hash32 fixedBytes(std::uint8_t first) {
    Hash32 h{};
    for (std::size_t i = 0; i < h.size(); ++i)
        h[i] = static_cast<std::uint8_t>(first + i);
    return h;
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

const std::string kPackageDigestHex =
    "873e4b21590084b661504e24c94e8566b1936f2e6a7fb393d44a2293058e57b9";
const std::string kBundleHashHex =
    "4cf713d650e3190e7b1e8e13d658a58620aa9cb6fc92b39fc01b92fc986813ac";

// The same fixed package as tests/core/test_formats.cpp, one enrolled tablet, one envelope.
struct BundleVector {
    SignKeyPair organiser = signKeyPairFromSeed(fixedBytes(0x01));
    BoxKeyPair collector_box = boxKeyPairFromSeed(fixedBytes(0x21));
    SignKeyPair collector_sign = signKeyPairFromSeed(fixedBytes(0x41));
    SignKeyPair device = signKeyPairFromSeed(fixedBytes(0x61));
    Package package;
    Bytes certificate, ledger, envelope, bytes;

    BundleVector() {
        Campaign c = seedCampaign();
        Token token = tokenFromValues(
            std::vector<std::uint8_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14});
        PackageBody body;
        body.campaign = c;
        body.organiser = organiser.pk;
        body.collector_box = collector_box.pk;
        body.collector_sign = collector_sign.pk;
        body.tokens.push_back({"U1/social", "npc", {tokenTag(c.id, token)}});
        auto p = decodePackage(encodePackage(body, organiser.sk));
        REQUIRE(p.ok());
        package = std::move(*p);
        certificate = encodeCertificate(package.digest, device.pk, "平板 01", organiser.sk);
        // An envelope with a fixed 49-byte sealed part, written field by field.
        Writer w;
        w.raw(view(std::string_view("PYEV")));
        w.u16(2);
        w.raw(package.digest);
        w.raw(device.pk);
        w.raw(tokenTag(c.id, token));
        Bytes sealed(49);
        for (std::size_t i = 0; i < sealed.size(); ++i)
            sealed[i] = static_cast<std::uint8_t>(i);
        w.blob32(sealed);
        w.raw(sign(device.sk, w.bytes()));
        envelope = w.take();
        ledger = encodeLedger(package.digest, device.pk, {hash(envelope)}, device.sk);
        bytes = encodeBundle(package.digest, certificate, ledger, {{hash(envelope), envelope}},
                             device.sk);
    }
};

} // namespace

TEST_CASE("Known answer: a bundle of one envelope has its parts at the documented offsets") {
    BundleVector v;
    CHECK(toHex(v.package.digest) == kPackageDigestHex);
    REQUIRE(v.certificate.size() == 145);
    REQUIRE(v.ledger.size() == 206);
    REQUIRE(v.envelope.size() == 219);
    const Bytes& b = v.bytes;
    REQUIRE(b.size() == 6 + 32 + (4 + 145) + (4 + 206) + 4 + (4 + 219) + 64);
    CHECK(hexAt(b, 0, 6) == "5059424e0200"); // "PYBN", version 2
    CHECK(hexAt(b, 6, 32) == kPackageDigestHex);
    CHECK(le32(b, 38) == 145);
    CHECK(hexAt(b, 42, 145) == toHex(v.certificate));
    CHECK(le32(b, 187) == 206);
    CHECK(hexAt(b, 191, 206) == toHex(v.ledger));
    CHECK(le32(b, 397) == 1);
    CHECK(le32(b, 401) == 219);
    CHECK(hexAt(b, 405, 219) == toHex(v.envelope));
    Signature sig{};
    std::copy(b.begin() + 624, b.end(), sig.begin());
    // The device signs "PYBN" || u16 2 || hash(bytes [0, 401) || hash(envelope)): the bytes before
    // the first envelope, then each envelope's hash; not the bundle itself.
    Writer digested;
    digested.raw(ByteView(b).first(401));
    digested.raw(hash(v.envelope));
    Writer m;
    m.raw(ByteView(b).first(6));
    m.raw(hash(digested.bytes()));
    CHECK(verify(v.device.pk, m.bytes(), sig));
    CHECK_FALSE(verify(v.device.pk, ByteView(b).first(624), sig));
    CHECK(toHex(hash(b)) == kBundleHashHex);
    auto d = decodeBundle(b, v.package);
    REQUIRE(d.ok());
    REQUIRE(d->envelopes.size() == 1);
    CHECK(d->envelopes[0].bytes == v.envelope);
    CHECK(d->envelopes[0].hash == hash(v.envelope));
    CHECK(d->certificate.label == "平板 01");
    CHECK(d->ledger.hashes.size() == 1);
}

TEST_CASE("A bundle of another version is refused with format.bad_version") {
    BundleVector v;
    for (unsigned version : {0u, 1u, 3u, 0x0100u, 0xFFFFu}) {
        Bytes bad = v.bytes;
        bad[4] = static_cast<std::uint8_t>(version);
        bad[5] = static_cast<std::uint8_t>(version >> 8);
        auto r = decodeBundle(bad, v.package);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().id == "format.bad_version");
        REQUIRE(r.error().args.size() == 2);
        CHECK(r.error().args[0].ends_with("bundle")); // "bundle" or "@thing.bundle"
        CHECK(r.error().args[1] == std::to_string(version));
    }
    Bytes magic = v.bytes;
    magic[3] = 'X';
    auto r = decodeBundle(magic, v.package);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "format.bad_magic");
}

TEST_CASE("Every flipped byte of the fixed bundle is rejected, with three different masks") {
    BundleVector v;
    REQUIRE(decodeBundle(v.bytes, v.package).ok());
    for (std::size_t i = 0; i < v.bytes.size(); ++i)
        for (std::uint8_t mask : {std::uint8_t{0x01}, std::uint8_t{0x40}, std::uint8_t{0x80}}) {
            Bytes bad = v.bytes;
            bad[i] ^= mask;
            bool ok = true;
            CHECK_NOTHROW(ok = decodeBundle(bad, v.package).ok());
            CHECK_MESSAGE(!ok, "byte " << i << " ^ " << int(mask) << " was accepted");
        }
}

TEST_CASE("Every truncation of the fixed bundle is rejected, and so is a trailing byte") {
    BundleVector v;
    for (std::size_t n = 0; n < v.bytes.size(); ++n) {
        Bytes cut(v.bytes.begin(), v.bytes.begin() + static_cast<std::ptrdiff_t>(n));
        bool ok = true;
        CHECK_NOTHROW(ok = decodeBundle(cut, v.package).ok());
        CHECK_MESSAGE(!ok, "truncated to " << n << " bytes was accepted");
    }
    Bytes longer = v.bytes;
    longer.push_back(0);
    auto r = decodeBundle(longer, v.package);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "format.trailing");
}
