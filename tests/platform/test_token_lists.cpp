// Token lists do not linger: the CSV lists and slip pages in the campaign folder are the only
// plaintext tokens, and they can be overwritten and removed once printed.
#include "platform/files.hpp"
#include "platform/workspace.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <unistd.h>

using namespace pingyi;
using namespace pingyi::test;

namespace {
std::string contents(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
} // namespace

TEST_CASE("Shredding the token lists overwrites and removes every list and slip page, and keeps "
          "the issued tags") {
    TempDir tmp;
    Workspace ws{tmp.path / "c"};
    Campaign c = seedCampaign();
    REQUIRE(ensureDirectory(ws.dir).ok());
    REQUIRE(writeCampaignSource(ws.campaignFile(), c).ok());
    auto a = issueTokens(ws, c, "U1/social", "npc", 3, Lang::Zh);
    REQUIRE(a.ok());
    auto b = issueTokens(ws, c, "U1/self", "cadre", 2, Lang::En);
    REQUIRE(b.ok());
    // What a crash in the middle of writing a list could leave, and a file of someone else's.
    std::ofstream(ws.tokensDir() / ".U2-social-npc-001.csv.Ab3dE9") << a->tokens[0].display();
    std::ofstream(ws.tokensDir() / "notes.txt") << "printed on Tuesday";

    auto listed = plaintextTokenFiles(ws);
    REQUIRE(listed.ok());
    std::vector<fs::path> want{ws.tokensDir() / ".U2-social-npc-001.csv.Ab3dE9", a->csv, a->html,
                               b->csv, b->html};
    std::sort(want.begin(), want.end());
    CHECK(*listed == want);

    // A second name for the list's bytes shows that they were overwritten, not only unlinked.
    fs::path twin = tmp.path / "twin";
    REQUIRE(::link(a->csv.c_str(), twin.c_str()) == 0);
    const std::size_t size = fs::file_size(a->csv);
    REQUIRE(contents(twin).find(a->tokens[1].display()) != std::string::npos);

    auto removed = shredTokenLists(ws);
    REQUIRE(removed.ok());
    CHECK(*removed == want);
    for (auto& f : want)
        CHECK_MESSAGE(!fs::exists(f), f.string());
    CHECK(contents(twin) == std::string(size, '\0'));
    CHECK(fs::exists(ws.issuedFile())); // tags only: sealing still works
    CHECK(fs::exists(ws.tokensDir() / "notes.txt"));
    for (auto* issued : {&*a, &*b})
        for (auto& t : issued->tokens) {
            CHECK(!anyFileContains(ws.dir, t.display()));
            CHECK(!anyFileContains(ws.dir, t.symbols));
        }
    CHECK(plaintextTokenFiles(ws)->empty());
    CHECK(shredTokenLists(ws)->empty()); // nothing left: nothing to do
}

TEST_CASE("Shredding a file that is not there names it and changes nothing") {
    TempDir tmp;
    auto r = shredFile(tmp.path / "gone.csv");
    REQUIRE(!r.ok());
    CHECK(r.error().id == "file.not_found");
    CHECK(r.error().args[0].find("gone.csv") != std::string::npos);
    Workspace ws{tmp.path / "empty"};
    auto none = shredTokenLists(ws);
    REQUIRE(none.ok());
    CHECK(none->empty());
}
