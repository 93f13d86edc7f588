// A receipt is never lost: a real `pingyi cast`, killed with SIGKILL after its commit and before
// it printed the receipt, leaves a stored ballot that `tablet status` and the retry both name.
#include "e2e/cli_helpers.hpp"
#include "platform/tablet_store.hpp"
#include "support/builders.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

using namespace pingyi;
using namespace pingyi::test;
using namespace pingyi::e2e;

namespace {
// Starts `pingyi cast` with the hook that stops it (SIGSTOP) right after the commit, waits until
// it has stopped there, and kills it with SIGKILL. Returns what it had printed.
std::string castKilledBeforeReceipt(const std::string& D, const std::string& answers) {
    const std::string out_file = D + "/killed.out";
    pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        setenv("PINGYI_TEST_STOP_BEFORE_RECEIPT", "1", 1);
        setenv("PINGYI_PIN", kPin, 1);
        setenv("PINGYI_LANG", "en", 1);
        int fd = ::open(out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd < 0) _exit(126);
        dup2(fd, 1);
        dup2(fd, 2);
        std::string tablet = D + "/tablet";
        execl(PINGYI_CLI, PINGYI_CLI, "cast", "--tablet", tablet.c_str(), "--answers",
              answers.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    REQUIRE(waitpid(pid, &status, WUNTRACED) == pid);
    INFO("pingyi cast did not stop between the commit and the receipt (status " << status << ")");
    REQUIRE(WIFSTOPPED(status));
    REQUIRE(kill(pid, SIGKILL) == 0);
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFSIGNALED(status));
    CHECK(WTERMSIG(status) == SIGKILL);
    return *readTextFile(out_file);
}
} // namespace

TEST_CASE("pingyi cast killed with kill -9 between the commit and the receipt: status and the "
          "retry say the ballot was stored, with its receipt") {
    TempDir tmp;
    const std::string D = tmp.path.string();
    auto tokens = preparedCampaign(D, 2);
    REQUIRE(tokens.size() == 2);
    writeText(tmp.path / "a.json", answersFor(tokens[0], "U1", "A"));

    std::string printed = castKilledBeforeReceipt(D, D + "/a.json");
    CHECK(printed.find("receipt code") == std::string::npos); // the voter saw nothing

    // The ballot is stored; its receipt code is the one of the only envelope.
    std::string code;
    {
        auto store = TabletStore::open(tmp.path / "tablet");
        REQUIRE(store.ok());
        auto envs = store->envelopes(false);
        REQUIRE(envs.ok());
        REQUIRE(envs->size() == 1);
        code = receiptCode((*envs)[0].hash);
    }
    auto status = pingyiCli("tablet status --tablet " + D + "/tablet");
    REQUIRE(status.code == 0);
    CHECK(status.out.find("cast 1") != std::string::npos);
    CHECK(status.out.find("the last ballot was stored, but its receipt code may not have been "
                          "shown") != std::string::npos);
    CHECK(status.out.find(code) == std::string::npos); // staff are not shown the code

    // The representative tries again with the same slip: told it was stored, and the receipt.
    auto retry = pingyiCli("cast --tablet " + D + "/tablet --answers " + D + "/a.json");
    CHECK(retry.code == 0);
    CHECK(retry.out.find("already stored") != std::string::npos);
    CHECK(retry.out.find(code) != std::string::npos);
    CHECK(retry.out.find("already been used") == std::string::npos);
    auto after = pingyiCli("tablet status --tablet " + D + "/tablet");
    CHECK(after.out.find("cast 1") != std::string::npos);
    CHECK(after.out.find("may not have been shown") == std::string::npos);

    // Shown once, the mark is gone: the token is an ordinary used token again.
    auto third = pingyiCli("cast --tablet " + D + "/tablet --answers " + D + "/a.json");
    CHECK(third.code == 2);
    CHECK(third.out.find("this token has already been used") != std::string::npos);

    // A cast that shows its receipt leaves no mark behind.
    writeText(tmp.path / "b.json", answersFor(tokens[1], "U1", "B"));
    auto plain = pingyiCli("cast --tablet " + D + "/tablet --answers " + D + "/b.json");
    REQUIRE_MESSAGE(plain.code == 0, plain.out);
    CHECK(plain.out.find("receipt code") != std::string::npos);
    auto last = pingyiCli("tablet status --tablet " + D + "/tablet");
    CHECK(last.out.find("cast 2") != std::string::npos);
    CHECK(last.out.find("may not have been shown") == std::string::npos);
}
