#include "core/catalog.hpp"
#include "core/envelope.hpp"
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

#include <algorithm>

using namespace pingyi;
using namespace pingyi::test;

namespace {
struct Tablet {
    Fixture fx;
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    std::optional<TabletStore> store;
    Secret sk;
    Tablet() {
        Bytes cert =
            encodeCertificate(fx.package.digest, device.pk, "平板 01", fx.keys.organiser.sk);
        auto s = TabletStore::create(tmp.path / "t1", fx.package, cert, device, "246813",
                                     KdfCost::testOnly());
        REQUIRE(s.ok());
        store.emplace(std::move(*s));
        auto k = store->unlockDeviceKey("246813");
        REQUIRE(k.ok());
        sk = std::move(*k);
    }
    std::int64_t cast() { return store->counts()->cast; }
};

std::string en(const Error& e) {
    return describe(e, Lang::En);
}
} // namespace

TEST_CASE("A valid ballot is cast, stored sealed, and opens at the collector to the same choices") {
    Tablet t;
    Token token = t.fx.token("U1/social", "service");
    Answers a = uniformAnswers(t.fx.campaign, "U1", "B");
    a.ratings["S02"]["policy"] = std::nullopt;
    a.comments["S01"] = "办事很快，值得表扬";
    auto r = t.store->cast(token, a, t.sk);
    REQUIRE(r.ok());
    CHECK(r->code.size() == 11);
    CHECK(t.cast() == 1);

    auto envs = t.store->envelopes(false);
    REQUIRE(envs.ok());
    REQUIRE(envs->size() == 1);
    CHECK((*envs)[0].hash == r->envelope_hash);
    auto env = verifyEnvelope((*envs)[0].bytes);
    REQUIRE(env.ok());
    CHECK(env->device == t.device.pk);
    auto ballot = openEnvelope(*env, t.fx.keys.collector_box, t.fx.campaign);
    REQUIRE(ballot.ok());
    CHECK(ballot->meeting == "U1/social");
    REQUIRE(ballot->answers.size() == 6);
    CHECK(ballot->answers[0].comment == "办事很快，值得表扬");
    CHECK(ballot->answers[0].levels == std::vector<std::uint8_t>{1, 1, 1, 1, 1});
    CHECK(ballot->answers[1].levels[1] == kUnknownLevel);
}

TEST_CASE("Every envelope of a campaign has the same size, comment or not") {
    Tablet t;
    Answers plain = uniformAnswers(t.fx.campaign, "U1", "A");
    Answers wordy = plain;
    wordy.comments["S03"] = std::string(150 * 3, 'x').replace(0, 450, 150, 'y');
    REQUIRE(t.store->cast(t.fx.token("U1/social", "npc"), plain, t.sk).ok());
    REQUIRE(t.store->cast(t.fx.token("U1/social", "npc", 1), wordy, t.sk).ok());
    Answers u3 = uniformAnswers(t.fx.campaign, "U3", "C");
    REQUIRE(t.store->cast(t.fx.token("U3/social", "service"), u3, t.sk).ok());
    auto envs = t.store->envelopes(false);
    REQUIRE(envs->size() == 3);
    CHECK((*envs)[0].bytes.size() == (*envs)[1].bytes.size());
    CHECK((*envs)[1].bytes.size() == (*envs)[2].bytes.size());
}

TEST_CASE("A used token is refused and the store is unchanged") {
    Tablet t;
    Token token = t.fx.token("U1/self", "cadre");
    Answers a = uniformAnswers(t.fx.campaign, "U1", "A");
    REQUIRE(t.store->cast(token, a, t.sk).ok());
    REQUIRE(t.store->receiptShown().ok()); // the voter saw the receipt
    auto again = t.store->cast(token, a, t.sk);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().id == "token.used");
    CHECK(en(again.error()) == "this token has already been used");
    CHECK(t.cast() == 1);
}

TEST_CASE("A token of another campaign is unknown") {
    Tablet t;
    auto r = t.store->cast(newToken(), uniformAnswers(t.fx.campaign, "U1", "A"), t.sk);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "token.unknown");
    CHECK(t.cast() == 0);
}

TEST_CASE("Bad answers give a clear error, leave the store unchanged and the token unused") {
    Tablet t;
    Token token = t.fx.token("U1/social", "leader");
    const Campaign& c = t.fx.campaign;

    SUBCASE("a subject of the unit is missing") {
        Answers a = uniformAnswers(c, "U1", "A");
        a.ratings.erase("S04");
        auto r = t.store->cast(token, a, t.sk);
        REQUIRE_FALSE(r.ok());
        CHECK(en(r.error()) == "the ballot has no ratings for subject S04 (刘芳)");
    }
    SUBCASE("an item is missing") {
        Answers a = uniformAnswers(c, "U1", "A");
        a.ratings["S01"].erase("integrity");
        auto r = t.store->cast(token, a, t.sk);
        REQUIRE_FALSE(r.ok());
        CHECK(en(r.error()) == "subject S01: item \"integrity\" has no rating");
    }
    SUBCASE("a level is not on the scale") {
        Answers a = uniformAnswers(c, "U1", "A");
        a.ratings["S02"]["attitude"] = "Z";
        auto r = t.store->cast(token, a, t.sk);
        REQUIRE_FALSE(r.ok());
        CHECK(en(r.error()) == "subject S02, item \"attitude\": unknown level \"Z\"");
    }
    SUBCASE("an item is not in the questionnaire") {
        Answers a = uniformAnswers(c, "U1", "A");
        a.ratings["S02"]["charm"] = "A";
        auto r = t.store->cast(token, a, t.sk);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().id == "ballot.unknown_item");
    }
    SUBCASE("a subject of another unit is rated") {
        Answers a = uniformAnswers(c, "U1", "A");
        a.ratings["S07"]["competence"] = "A";
        auto r = t.store->cast(token, a, t.sk);
        REQUIRE_FALSE(r.ok());
        CHECK(en(r.error()) == "subject \"S07\" is not rated in meeting U1/social");
    }
    SUBCASE("a comment is too long") {
        Answers a = uniformAnswers(c, "U1", "A");
        std::string longc;
        for (int i = 0; i < 201; ++i)
            longc += "好";
        a.comments["S01"] = longc;
        auto r = t.store->cast(token, a, t.sk);
        REQUIRE_FALSE(r.ok());
        CHECK(en(r.error()) ==
              "subject S01: the comment has 201 characters; at most 200 are allowed");
    }
    SUBCASE("comments together are too long") {
        Answers a = uniformAnswers(c, "U1", "A");
        std::string c150;
        for (int i = 0; i < 150; ++i)
            c150 += "评";
        for (auto id : {"S01", "S02", "S03", "S04", "S05"})
            a.comments[id] = c150;
        auto r = t.store->cast(token, a, t.sk);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().id == "ballot.comments_too_long");
    }
    CHECK(t.cast() == 0);
    auto place = t.store->checkToken(token);
    CHECK(place.ok());
    // The same token still works with good answers.
    CHECK(t.store->cast(token, uniformAnswers(c, "U1", "A"), t.sk).ok());
}

TEST_CASE("No plaintext comment, token or level names reach the tablet's files") {
    Tablet t;
    Token token = t.fx.token("U1/social", "service");
    Answers a = uniformAnswers(t.fx.campaign, "U1", "A");
    const std::string marker = "MARKER-评议意见-4711";
    a.comments["S05"] = marker;
    REQUIRE(t.store->cast(token, a, t.sk).ok());
    t.store.reset(); // close: WAL folded in
    CHECK_FALSE(anyFileContains(t.tmp.path, marker));
    CHECK_FALSE(anyFileContains(t.tmp.path, token.symbols));
    CHECK_FALSE(anyFileContains(t.tmp.path, token.display()));
}

TEST_CASE("A wrong PIN is refused with a clear error") {
    Tablet t;
    auto k = t.store->unlockDeviceKey("0000");
    REQUIRE_FALSE(k.ok());
    CHECK(k.error().kind == ErrorKind::Auth);
    CHECK(en(k.error()) == "wrong PIN");
    CHECK(t.store->changePin("246813", "135792", KdfCost::testOnly()).ok());
    CHECK_FALSE(t.store->unlockDeviceKey("246813").ok());
    CHECK(t.store->unlockDeviceKey("135792").ok());
}

TEST_CASE("Ballots survive closing and reopening the store") {
    Tablet t;
    REQUIRE(
        t.store
            ->cast(t.fx.token("U2/self", "cadre"), uniformAnswers(t.fx.campaign, "U2", "C"), t.sk)
            .ok());
    REQUIRE(t.store->receiptShown().ok());
    fs::path dir = t.store->dir();
    t.store.reset();
    auto again = TabletStore::open(dir);
    REQUIRE(again.ok());
    CHECK(again->counts()->cast == 1);
    auto used = again->checkToken(t.fx.token("U2/self", "cadre"));
    REQUIRE_FALSE(used.ok());
    CHECK(used.error().id == "token.used");
}

TEST_CASE("Token additions signed by the organiser are accepted; forged ones change nothing") {
    Tablet t;
    Token late = newToken();
    std::vector<TokenSet> sets{{"U1/social", "npc", {tokenTag(t.fx.campaign.id, late)}}};
    Bytes add = encodeAdditions(t.fx.package.digest, 1, sets, t.fx.keys.organiser.sk);
    CHECK(t.store->checkToken(late).error().id == "token.unknown");

    Bytes forged = add;
    forged[forged.size() / 2] ^= 1;
    auto bad = t.store->addTokens(forged);
    REQUIRE_FALSE(bad.ok());
    CHECK(t.store->checkToken(late).error().id == "token.unknown");

    SignKeyPair stranger = signKeyPair();
    Bytes foreign = encodeAdditions(t.fx.package.digest, 1, sets, stranger.sk);
    auto f = t.store->addTokens(foreign);
    REQUIRE_FALSE(f.ok());
    CHECK(f.error().id == "additions.bad_signature");

    REQUIRE(t.store->addTokens(add).ok());
    REQUIRE(t.store->addTokens(add).ok()); // idempotent
    CHECK(t.store->checkToken(late).ok());
    CHECK(t.store->cast(late, uniformAnswers(t.fx.campaign, "U1", "B"), t.sk).ok());
    REQUIRE(t.store->receiptShown().ok());
    // Still known after reopening.
    fs::path dir = t.store->dir();
    t.store.reset();
    auto again = TabletStore::open(dir);
    REQUIRE(again.ok());
    CHECK(again->checkToken(late).error().id == "token.used");
}

TEST_CASE("A store is not created twice in one folder") {
    Tablet t;
    Bytes cert = encodeCertificate(t.fx.package.digest, t.device.pk, "x", t.fx.keys.organiser.sk);
    auto again = TabletStore::create(t.store->dir(), t.fx.package, cert, t.device, "246813",
                                     KdfCost::testOnly());
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().id == "store.exists");
    CHECK(t.cast() == 0);
}

TEST_CASE("Folding the journal leaves no write-ahead log that could order the ballots") {
    Tablet t;
    for (std::size_t i = 0; i < 3; ++i)
        REQUIRE(t.store
                    ->cast(t.fx.token("U1/social", "service", i),
                           uniformAnswers(t.fx.campaign, "U1", "A"), t.sk)
                    .ok());
    fs::path wal = t.store->dir() / "tablet.db-wal";
    REQUIRE(fs::exists(wal));
    CHECK(fs::file_size(wal) > 0);
    REQUIRE(t.store->foldJournal().ok());
    CHECK(fs::file_size(wal) == 0);
    CHECK(t.store->counts()->cast == 3);
}

TEST_CASE("Marking envelopes exported or acknowledged keeps every envelope") {
    Tablet t;
    std::vector<Hash32> hashes;
    for (std::size_t i = 0; i < 3; ++i) {
        auto r = t.store->cast(t.fx.token("U1/self", "cadre", i),
                               uniformAnswers(t.fx.campaign, "U1", "B"), t.sk);
        REQUIRE(r.ok());
        hashes.push_back(r->envelope_hash);
    }
    REQUIRE(t.store->markExported(hashes).ok());
    REQUIRE(t.store->markAcknowledged({hashes[0], hashes[2]}).ok());
    auto c = t.store->counts();
    CHECK(c->cast == 3);
    CHECK(c->exported == 3);
    CHECK(c->acknowledged == 2);
    CHECK(t.store->envelopes(true)->size() == 1);
    CHECK(t.store->envelopes(false)->size() == 3);
}

TEST_CASE("After folding, the tablet file lays envelopes out by hash, not by casting order") {
    Fixture fx(12);
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    Bytes cert = encodeCertificate(fx.package.digest, device.pk, "T", fx.keys.organiser.sk);
    auto created = TabletStore::create(tmp.path / "t", fx.package, cert, device, "246813",
                                       KdfCost::testOnly());
    REQUIRE(created.ok());
    std::optional<TabletStore> store(std::move(*created));
    std::vector<Hash32> cast;
    for (std::size_t i = 0; i < 12; ++i) {
        auto r = store->cast(fx.token("U1/social", "service", i),
                             uniformAnswers(fx.campaign, "U1", "A"), device.sk);
        REQUIRE(r.ok());
        cast.push_back(r->envelope_hash);
    }
    auto envs = store->envelopes(false);
    REQUIRE(envs.ok());
    REQUIRE(store->foldJournal().ok());
    store.reset();
    auto file = readFile(tmp.path / "t" / "tablet.db");
    REQUIRE(file.ok());
    std::string data(file->begin(), file->end());
    // Where each envelope's bytes sit in the file, in casting order.
    std::vector<std::pair<std::size_t, Hash32>> at;
    for (auto& h : cast) {
        for (auto& e : *envs)
            if (e.hash == h) {
                std::string probe(e.bytes.end() - 64, e.bytes.end()); // its signature
                auto pos = data.find(probe);
                REQUIRE(pos != std::string::npos);
                CHECK(data.find(probe, pos + 1) == std::string::npos); // one copy only
                at.push_back({pos, h});
            }
    }
    // Sorting by file position gives the hash order (or its reverse): nothing of casting order.
    std::sort(at.begin(), at.end(), [](auto& a, auto& b) { return a.first < b.first; });
    std::vector<Hash32> by_position;
    for (auto& [pos, h] : at)
        by_position.push_back(h);
    std::vector<Hash32> by_hash = cast;
    std::sort(by_hash.begin(), by_hash.end());
    std::vector<Hash32> reversed(by_hash.rbegin(), by_hash.rend());
    CHECK((by_position == by_hash || by_position == reversed));
}

TEST_CASE("Token additions that would move an issued token elsewhere are refused") {
    Tablet t;
    Token issued = t.fx.token("U1/social", "npc");
    std::vector<TokenSet> sets{{"U1/self", "cadre", {tokenTag(t.fx.campaign.id, issued)}}};
    Bytes add = encodeAdditions(t.fx.package.digest, 1, sets, t.fx.keys.organiser.sk);
    auto r = t.store->addTokens(add);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().id == "additions.moves_token");
    auto place = t.store->checkToken(issued);
    REQUIRE(place.ok());
    CHECK(place->meeting.id() == "U1/social");
}

TEST_CASE("The last ballot's receipt is kept until it was shown: the same token is told it was "
          "stored, with its receipt") {
    Tablet t;
    Token first = t.fx.token("U1/social", "service", 0);
    Token second = t.fx.token("U1/social", "service", 1);
    CHECK(!*t.store->lastReceiptUnshown());
    auto r1 = t.store->cast(first, uniformAnswers(t.fx.campaign, "U1", "A"), t.sk);
    REQUIRE(r1.ok());
    CHECK(*t.store->lastReceiptUnshown());

    // The program dies here; the store is opened again.
    t.store.reset();
    auto again = TabletStore::open(t.tmp.path / "t1");
    REQUIRE(again.ok());
    t.store.emplace(std::move(*again));
    CHECK(*t.store->lastReceiptUnshown());
    auto told = t.store->checkToken(first);
    REQUIRE(!told.ok());
    CHECK(told.error().id == "token.already_stored");
    CHECK(told.error().kind == ErrorKind::Conflict);
    CHECK(told.error().args == std::vector<std::string>{r1->code});
    CHECK(en(told.error()).find(r1->code) != std::string::npos);
    // Casting with it again stores nothing.
    auto twice = t.store->cast(first, uniformAnswers(t.fx.campaign, "U1", "D"), t.sk);
    CHECK(twice.error().id == "token.already_stored");
    CHECK(t.cast() == 1);

    // Shown: the mark is wiped, and the token is an ordinary used token again.
    REQUIRE(t.store->receiptShown().ok());
    CHECK(!*t.store->lastReceiptUnshown());
    CHECK(t.store->checkToken(first).error().id == "token.used");
    REQUIRE(t.store->receiptShown().ok()); // a no-op now

    // Only the last ballot is ever marked: the next cast replaces the mark.
    auto r2 = t.store->cast(second, uniformAnswers(t.fx.campaign, "U1", "B"), t.sk);
    REQUIRE(r2.ok());
    Token third = t.fx.token("U1/social", "service", 2);
    auto r3 = t.store->cast(third, uniformAnswers(t.fx.campaign, "U1", "C"), t.sk);
    REQUIRE(r3.ok());
    CHECK(t.store->checkToken(second).error().id == "token.used");
    CHECK(t.store->checkToken(third).error().args == std::vector<std::string>{r3->code});
}

TEST_CASE("Once the receipt was shown and the journal folded, the file keeps no trace of which "
          "ballot was last") {
    Tablet t;
    Token token = t.fx.token("U1/self", "cadre", 0);
    Hash32 tag = tokenTag(t.fx.campaign.id, token);
    auto r = t.store->cast(token, uniformAnswers(t.fx.campaign, "U1", "A"), t.sk);
    REQUIRE(r.ok());
    // The mark: the token tag next to the envelope hash (each alone is in the file anyway).
    std::string mark(tag.begin(), tag.end());
    mark.append(r->envelope_hash.begin(), r->envelope_hash.end());
    CHECK(anyFileContains(t.tmp.path / "t1", mark));
    REQUIRE(t.store->receiptShown().ok());
    REQUIRE(t.store->foldJournal().ok());
    CHECK(!anyFileContains(t.tmp.path / "t1", mark));
    CHECK(t.cast() == 1);
}
