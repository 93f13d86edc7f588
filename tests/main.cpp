#define DOCTEST_CONFIG_IMPLEMENT
#include "core/crypto.hpp"

#include <doctest/doctest.h>

int main(int argc, char** argv) {
    pingyi::initCrypto();
    doctest::Context ctx(argc, argv);
    return ctx.run();
}
