// Token lists do not linger: `campaign seal` warns while the plaintext lists and slips remain in
// the campaign folder, `tokens shred` removes them, and nothing else ever holds a token.
#include "e2e/cli_helpers.hpp"
#include "platform/workspace.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

using namespace pingyi;
using namespace pingyi::test;
using namespace pingyi::e2e;

TEST_CASE("campaign seal names the plaintext token files left in the campaign folder, and "
          "tokens shred removes them") {
    TempDir tmp;
    const std::string D = tmp.path.string();
    REQUIRE(pingyiCli("keys new --role organiser --out " + D + "/keys/org").code == 0);
    REQUIRE(pingyiCli("keys new --role collector --out " + D + "/keys/col").code == 0);
    REQUIRE(pingyiCli("campaign new --template seed --out " + D + "/c").code == 0);
    REQUIRE(pingyiCli("tokens issue --campaign " + D +
                      "/c --meeting U1/social --category npc --count 4")
                .code == 0);
    const std::string seal_cmd = "campaign seal --campaign " + D + "/c --organiser-key " + D +
                                 "/keys/org.key --collector-pub " + D + "/keys/col.pub";
    auto seal = pingyiCli(seal_cmd);
    REQUIRE_MESSAGE(seal.code == 0, seal.out); // a warning, not an error
    CHECK(seal.out.find("warning: the campaign folder still holds 2 plaintext token files") !=
          std::string::npos);
    CHECK(seal.out.find(D + "/c/tokens/U1-social-npc-001.csv") != std::string::npos);
    CHECK(seal.out.find(D + "/c/tokens/U1-social-npc-001.html") != std::string::npos);
    CHECK(seal.out.find("tokens shred --campaign " + D + "/c") != std::string::npos);
    auto zh = pingyiCli(seal_cmd, "PINGYI_LANG=zh");
    CHECK(zh.out.find("明文凭证文件") != std::string::npos);

    auto pkg = decodePackage(*readFile(tmp.path / "c/package.pyp"));
    REQUIRE(pkg.ok());
    CHECK(tokensFoundUnder(tmp.path / "c", *pkg).size() == 4 * 2); // in the list and on the slips

    auto shred = pingyiCli("tokens shred --campaign " + D + "/c");
    REQUIRE_MESSAGE(shred.code == 0, shred.out);
    CHECK(shred.out.find("overwritten and removed: " + D + "/c/tokens/U1-social-npc-001.csv") !=
          std::string::npos);
    CHECK(shred.out.find("best effort") != std::string::npos);
    CHECK(!fs::exists(tmp.path / "c/tokens/U1-social-npc-001.csv"));
    CHECK(!fs::exists(tmp.path / "c/tokens/U1-social-npc-001.html"));
    CHECK(fs::exists(tmp.path / "c/tokens/issued.json"));
    CHECK(tokensFoundUnder(tmp.path, *pkg).empty());

    // Sealed again without them: no warning. Shredding again: nothing to do.
    auto quiet = pingyiCli(seal_cmd);
    REQUIRE(quiet.code == 0);
    CHECK(quiet.out.find("warning") == std::string::npos);
    auto again = pingyiCli("tokens shred --campaign " + D + "/c");
    CHECK(again.code == 0);
    CHECK(again.out.find("no plaintext token files") != std::string::npos);

    // Tokens added after sealing come with lists of their own, which shred removes too.
    auto add = pingyiCli("tokens add --campaign " + D +
                         "/c --meeting U1/social --category npc --count 1 --organiser-key " + D +
                         "/keys/org.key");
    REQUIRE_MESSAGE(add.code == 0, add.out);
    auto pkg2 = decodePackage(*readFile(tmp.path / "c/package.pyp"));
    REQUIRE(pkg2.ok());
    std::vector<fs::path> adds{tmp.path / "c/additions/0001.pya"};
    CHECK(tokensFoundUnder(tmp.path, *pkg2, adds).size() == 2);
    REQUIRE(pingyiCli("tokens shred --campaign " + D + "/c").code == 0);
    CHECK(tokensFoundUnder(tmp.path, *pkg2, adds).empty());
}
