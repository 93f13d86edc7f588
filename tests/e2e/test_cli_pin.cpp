// End-to-end: the tablet PIN through the real `pingyi` binary: the rule at `tablet init` and
// `tablet change-pin`, and central staff's recovery of a locked tablet with the organiser key
// (`tablet reset-pin`), after which every envelope is still there, exportable and importable.
#include "core/catalog.hpp"
#include "core/pin.hpp"
#include "platform/files.hpp"
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <sys/wait.h>

using namespace pingyi;
using namespace pingyi::test;

namespace {
struct Run {
    int code = -1;
    std::string out; // stdout and stderr together
};

Run cli(const std::string& args) {
    std::string cmd =
        "PINGYI_LANG=en PINGYI_PASSPHRASE=e2e-passphrase PINGYI_PIN=975318 " PINGYI_CLI " " + args +
        " 2>&1";
    Run r;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

void writeText(const fs::path& p, const std::string& s) {
    std::ofstream o(p, std::ios::binary);
    o << s;
}

std::vector<std::string> tokensOf(const fs::path& csv) {
    std::ifstream in(csv);
    std::string line;
    std::vector<std::string> out;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        std::string t = line.substr(line.rfind(',') + 1);
        while (!t.empty() && (t.back() == '\r' || t.back() == '\n'))
            t.pop_back();
        if (!t.empty()) out.push_back(t);
    }
    return out;
}

std::string answersFor(const std::string& token) {
    Campaign c = seedCampaign();
    nlohmann::json ratings = nlohmann::json::object();
    for (auto si : c.subjectsOf("U1")) {
        auto& s = c.subjects[si];
        for (auto& item : c.questionnaire(s.questionnaire)->items)
            ratings[s.id][item.id] = "B";
    }
    return nlohmann::json{{"token", token}, {"ratings", ratings}}.dump();
}

std::vector<StoredEnvelope> envelopesOf(const fs::path& tablet) {
    auto s = TabletStore::open(tablet);
    REQUIRE(s.ok());
    auto e = s->envelopes(false);
    REQUIRE(e.ok());
    return *e;
}
} // namespace

TEST_CASE("tablet init and change-pin refuse PINs that do not hold, and say why") {
    TempDir tmp;
    std::string D = tmp.path.string();
    REQUIRE(cli("keys new --role organiser --out " + D + "/keys/org").code == 0);
    REQUIRE(cli("keys new --role collector --out " + D + "/keys/col").code == 0);
    REQUIRE(cli("campaign new --template seed --out " + D + "/c").code == 0);
    REQUIRE(cli("tokens issue --campaign " + D + "/c --meeting U1/social --category npc --count 3")
                .code == 0);
    REQUIRE(cli("campaign seal --campaign " + D + "/c --organiser-key " + D +
                "/keys/org.key --collector-pub " + D + "/keys/col.pub")
                .code == 0);
    const std::string init = "tablet init --package " + D + "/c/package.pyp --organiser-key " + D +
                             "/keys/org.key --out " + D + "/tablets --count 2 --test-only-fast-pin";
    struct Case {
        const char* pin;
        const char* says;
    };
    for (Case c : {Case{"0000", "the PIN has 4 digits; it needs at least 6"},
                   Case{"abcd", "may hold only the digits 0-9; it has \"a U+0061\""},
                   Case{"    ", "U+0020"}, Case{"中1", "it has \"中 U+4E2D\""},
                   Case{"2468135790246", "the PIN has 13 digits; at most 12"},
                   Case{"123456", "a run of digits"}, Case{"888888", "one digit repeated"},
                   Case{"112233", "commonest"}}) {
        INFO(c.pin);
        writeText(tmp.path / "pin", std::string(c.pin) + "\n");
        auto r = cli(init + " --pin-file " + D + "/pin");
        CHECK(r.code == 2);
        CHECK(r.out.find(c.says) != std::string::npos);
        CHECK_FALSE(fs::exists(tmp.path / "tablets"));
    }
    auto ok = cli(init);
    REQUIRE_MESSAGE(ok.code == 0, ok.out);
    CHECK(ok.out.find("test-only") != std::string::npos); // the weak cost is never silent

    std::string T = D + "/tablets/tablet-01";
    writeText(tmp.path / "new", "654321\n");
    auto run = cli("tablet change-pin --tablet " + T + " --new-pin-file " + D +
                   "/new --test-only-fast-pin");
    CHECK(run.code == 2);
    CHECK(run.out.find("a run of digits") != std::string::npos);
    writeText(tmp.path / "new", "802417\n");
    writeText(tmp.path / "wrong", "135792\n");
    auto wrong = cli("tablet change-pin --tablet " + T + " --pin-file " + D + "/wrong" +
                     " --new-pin-file " + D + "/new --test-only-fast-pin");
    CHECK(wrong.code == 2);
    CHECK(wrong.out.find("wrong PIN") != std::string::npos);
    auto changed = cli("tablet change-pin --tablet " + T + " --new-pin-file " + D +
                       "/new --test-only-fast-pin");
    REQUIRE_MESSAGE(changed.code == 0, changed.out);
    CHECK(changed.out.find("the PIN has been changed") != std::string::npos);
    auto status = cli("tablet status --tablet " + T);
    CHECK(status.out.find("administrator PIN: 0 wrong in a row") != std::string::npos);
}

TEST_CASE("Central staff reset a locked tablet's PIN with the organiser key; every envelope stays, "
          "exports and imports") {
    TempDir tmp;
    std::string D = tmp.path.string();
    REQUIRE(cli("keys new --role organiser --out " + D + "/keys/org").code == 0);
    REQUIRE(cli("keys new --role organiser --out " + D + "/keys/other").code == 0);
    REQUIRE(cli("keys new --role collector --out " + D + "/keys/col").code == 0);
    REQUIRE(cli("campaign new --template seed --out " + D + "/c").code == 0);
    REQUIRE(cli("tokens issue --campaign " + D + "/c --meeting U1/social --category npc --count 3")
                .code == 0);
    REQUIRE(cli("campaign seal --campaign " + D + "/c --organiser-key " + D +
                "/keys/org.key --collector-pub " + D + "/keys/col.pub")
                .code == 0);
    REQUIRE(cli("tablet init --package " + D + "/c/package.pyp --organiser-key " + D +
                "/keys/org.key --out " + D + "/t --test-only-fast-pin")
                .code == 0);
    const std::string T = D + "/t";
    auto tokens = tokensOf(tmp.path / "c/tokens/U1-social-npc-001.csv");
    REQUIRE(tokens.size() == 3);
    for (int i = 0; i < 2; ++i) {
        writeText(tmp.path / "a.json", answersFor(tokens[static_cast<std::size_t>(i)]));
        auto cast = cli("cast --tablet " + T + " --answers " + D + "/a.json");
        REQUIRE_MESSAGE(cast.code == 0, cast.out);
    }
    // The kiosk counted ten wrong PINs: the tablet is locked.
    {
        auto s = TabletStore::open(T);
        REQUIRE(s.ok());
        REQUIRE(s->setPinGuard({kPinMaxFailures, 0}).ok());
    }
    auto locked = cli("tablet status --tablet " + T);
    CHECK(locked.out.find("wrong 10 times in a row and it is locked") != std::string::npos);
    CHECK(locked.out.find("tablet reset-pin") != std::string::npos);
    auto before = envelopesOf(T);
    REQUIRE(before.size() == 2);

    writeText(tmp.path / "new", "135792\n");
    auto stranger = cli("tablet reset-pin --tablet " + T + " --organiser-key " + D +
                        "/keys/other.key --new-pin-file " + D + "/new --test-only-fast-pin");
    CHECK(stranger.code == 3);
    CHECK(stranger.out.find("not signed by this organiser key") != std::string::npos);
    writeText(tmp.path / "obvious", "111111\n");
    auto obvious = cli("tablet reset-pin --tablet " + T + " --organiser-key " + D +
                       "/keys/org.key --new-pin-file " + D + "/obvious --test-only-fast-pin");
    CHECK(obvious.code == 2);
    CHECK(cli("tablet status --tablet " + T).out.find("it is locked") != std::string::npos);

    auto reset = cli("tablet reset-pin --tablet " + T + " --organiser-key " + D +
                     "/keys/org.key --new-pin-file " + D + "/new --test-only-fast-pin");
    REQUIRE_MESSAGE(reset.code == 0, reset.out);
    CHECK(reset.out.find("the PIN was reset with the organiser key") != std::string::npos);
    auto after = envelopesOf(T);
    REQUIRE(after.size() == before.size());
    for (std::size_t i = 0; i < after.size(); ++i) {
        CHECK(after[i].hash == before[i].hash);
        CHECK(after[i].bytes == before[i].bytes);
    }
    auto status = cli("tablet status --tablet " + T);
    CHECK(status.out.find("administrator PIN: 0 wrong in a row") != std::string::npos);
    CHECK(status.out.find("it is locked") == std::string::npos);

    // The old PIN no longer opens it; the new one exports every envelope, and the collector
    // takes them all.
    auto old = cli("bundle export --tablet " + T + " --out " + D + "/b/t.pyb");
    CHECK(old.code == 2);
    CHECK(old.out.find("wrong PIN") != std::string::npos);
    REQUIRE(cli("tablet close-meeting --tablet " + T + " --meeting U1/social").code == 0);
    auto exp =
        cli("bundle export --tablet " + T + " --out " + D + "/b/t.pyb --pin-file " + D + "/new");
    REQUIRE_MESSAGE(exp.code == 0, exp.out);
    REQUIRE(cli("collector init --store " + D + "/col --package " + D +
                "/c/package.pyp --collector-pub " + D + "/keys/col.pub")
                .code == 0);
    auto imp = cli("collector import --store " + D + "/col " + D + "/b/t.pyb");
    REQUIRE_MESSAGE(imp.code == 0, imp.out);
    CHECK(imp.out.find("2 new, 0 already held, 0 rejected") != std::string::npos);
}
