// A power cut or kill -9 at any moment neither loses an acknowledged ballot nor keeps half of one.
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <sys/wait.h>
#include <unistd.h>

using namespace pingyi;
using namespace pingyi::test;

TEST_CASE("Killing the casting process at random moments loses no receipted ballot") {
    Fixture fx(40);
    TempDir tmp;
    SignKeyPair device = signKeyPair();
    Bytes cert = encodeCertificate(fx.package.digest, device.pk, "T", fx.keys.organiser.sk);
    {
        REQUIRE(TabletStore::create(tmp.path / "t", fx.package, cert, device, "246813",
                                    KdfCost::testOnly())
                    .ok());
    }

    std::vector<Token> tokens;
    for (auto& [place, t] : fx.tokens)
        if (place.meeting.id() == "U1/social") tokens.push_back(t);
    std::vector<Hash32> receipted;
    std::size_t next = 0;
    for (int round = 0; round < 6 && next < tokens.size(); ++round) {
        int fds[2];
        REQUIRE(pipe(fds) == 0);
        pid_t pid = fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            auto store = TabletStore::open(tmp.path / "t");
            if (!store) _exit(2);
            for (std::size_t i = next; i < tokens.size(); ++i) {
                auto r = store->cast(tokens[i], uniformAnswers(fx.campaign, "U1", "A"), device.sk);
                if (!r) _exit(3);
                // The receipt is shown only now, after the commit.
                if (write(fds[1], r->envelope_hash.data(), 32) != 32) _exit(4);
            }
            _exit(0);
        }
        close(fds[1]);
        // Let it cast a few, then kill it without warning, mid-transaction or not.
        std::size_t want = 1 + static_cast<std::size_t>(randomBelow(4));
        Hash32 h;
        std::size_t got = 0;
        while (got < want && read(fds[0], h.data(), 32) == 32) {
            receipted.push_back(h);
            ++got;
        }
        usleep(static_cast<useconds_t>(randomBelow(20000)));
        kill(pid, SIGKILL);
        while (read(fds[0], h.data(), 32) == 32)
            receipted.push_back(h); // receipts already shown
        close(fds[0]);
        int status = 0;
        waitpid(pid, &status, 0);

        auto store = TabletStore::open(tmp.path / "t");
        REQUIRE(store.ok());
        auto envs = store->envelopes(false);
        REQUIRE(envs.ok());
        for (auto& r : receipted) {
            bool found = false;
            for (auto& e : *envs)
                found = found || e.hash == r;
            CHECK_MESSAGE(found, "a receipted ballot was lost");
        }
        // No half ballot: every stored envelope has its token marked used, and vice versa.
        std::size_t used = 0;
        for (auto& t : tokens)
            used += store->checkToken(t).ok() ? 0 : 1;
        CHECK(used == envs->size());
        next = used;
    }
    CHECK(receipted.size() >= 6);
}
