#include "app/cli/cli.hpp"
#include "core/crypto.hpp"

int main(int argc, char** argv) {
    pingyi::initCrypto();
    std::vector<std::string> args(argv + 1, argv + argc);
    return pingyi::runCli(args);
}
