// The `pingyi` command-line tool. runCli() is the whole program; main() only forwards argv,
// and `pingyi demo` drives the same commands in-process.
#pragma once

#include <string>
#include <vector>

namespace pingyi {

int runCli(const std::vector<std::string>& args);

} // namespace pingyi
