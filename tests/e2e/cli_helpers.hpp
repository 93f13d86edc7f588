// What the end-to-end tests share: the real `pingyi` binary run as a person would (through sh,
// with the test's passphrase and PIN in the environment), and the files they write for it.
#pragma once

#include "core/campaign.hpp"
#include "core/package.hpp"
#include "core/token.hpp"
#include "platform/files.hpp"

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace pingyi::e2e {

inline constexpr const char* kPin = "975318"; // PINGYI_PIN of every run

struct Run {
    int code = -1;
    std::string out; // stdout and stderr together
};

inline Run pingyiCli(const std::string& args, const std::string& env = "PINGYI_LANG=en") {
    std::string cmd = env + " PINGYI_PASSPHRASE=e2e-passphrase PINGYI_PIN=975318 " PINGYI_CLI " " +
                      args + " 2>&1";
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

inline void writeText(const fs::path& p, const std::string& s) {
    std::ofstream o(p, std::ios::binary);
    o << s;
}

inline std::string firstToken(const fs::path& csv) {
    std::ifstream in(csv);
    std::string line;
    std::getline(in, line); // header
    std::getline(in, line);
    auto pos = line.rfind(',');
    std::string t = line.substr(pos + 1);
    while (!t.empty() && (t.back() == '\r' || t.back() == '\n'))
        t.pop_back();
    return t;
}

inline std::string answersFor(const std::string& token, const std::string& unit,
                              const char* level) {
    Campaign c = seedCampaign();
    nlohmann::json ratings = nlohmann::json::object();
    for (auto si : c.subjectsOf(unit)) {
        auto& s = c.subjects[si];
        for (auto& item : c.questionnaire(s.questionnaire)->items)
            ratings[s.id][item.id] = level;
    }
    nlohmann::json j = {{"token", token},
                        {"ratings", ratings},
                        {"comments", {{c.subjects[c.subjectsOf(unit)[0]].id, "很好"}}}};
    return j.dump();
}

// Every token of a printed list (the last column of each row after the header).
inline std::vector<std::string> tokensOf(const fs::path& csv) {
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

// Keys in D/keys (org, col), the seed campaign in D/c with `count` tokens of U1/social npc
// issued (D/c/tokens/U1-social-npc-001.csv), sealed, and one tablet in D/tablet. Returns the
// tokens of the printed list.
inline std::vector<std::string> preparedCampaign(const std::string& D, int count = 3) {
    REQUIRE(pingyiCli("keys new --role organiser --out " + D + "/keys/org").code == 0);
    REQUIRE(pingyiCli("keys new --role collector --out " + D + "/keys/col").code == 0);
    REQUIRE(pingyiCli("campaign new --template seed --out " + D + "/c").code == 0);
    REQUIRE(pingyiCli("tokens issue --campaign " + D +
                      "/c --meeting U1/social --category npc --count " + std::to_string(count))
                .code == 0);
    auto seal = pingyiCli("campaign seal --campaign " + D + "/c --organiser-key " + D +
                          "/keys/org.key --collector-pub " + D + "/keys/col.pub");
    REQUIRE_MESSAGE(seal.code == 0, seal.out);
    auto init = pingyiCli("tablet init --package " + D + "/c/package.pyp --organiser-key " + D +
                          "/keys/org.key --out " + D + "/tablet --test-only-fast-pin");
    REQUIRE_MESSAGE(init.code == 0, init.out);
    return tokensOf(fs::path(D) / "c/tokens/U1-social-npc-001.csv");
}

// Every token of the package (and of the additions files given) whose plaintext, in display
// ("7KQ3-MX2P-9RTA-HWE5") or compact form, occurs in any file under `dir`: each run of token
// symbols (dashes dropped) is tried at every offset, so nothing is missed for its layout.
inline std::set<std::string> tokensFoundUnder(const fs::path& dir, const Package& pkg,
                                              const std::vector<fs::path>& additions = {}) {
    std::set<Hash32> tags;
    for (auto& set : pkg.body.tokens)
        tags.insert(set.tags.begin(), set.tags.end());
    for (auto& f : additions) {
        auto a = decodeAdditions(*readFile(f), pkg);
        REQUIRE(a.ok());
        for (auto& set : a->tokens)
            tags.insert(set.tags.begin(), set.tags.end());
    }
    std::set<std::string> found;
    for (auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        auto bytes = readFile(e.path());
        REQUIRE(bytes.ok());
        std::string run;
        auto tryRun = [&] {
            for (std::size_t i = 0; i + kTokenLength <= run.size(); ++i) {
                auto t = parseToken(std::string_view(run).substr(i, kTokenLength));
                if (t && tags.count(tokenTag(pkg.body.campaign.id, *t)))
                    found.insert(e.path().string() + ": " + t->display());
            }
            run.clear();
        };
        for (std::uint8_t b : *bytes) {
            char ch = static_cast<char>(b);
            if (ch == '-') continue;
            if (kTokenAlphabet.find(ch) != std::string_view::npos)
                run.push_back(ch);
            else
                tryRun();
        }
        tryRun();
    }
    return found;
}

} // namespace pingyi::e2e
