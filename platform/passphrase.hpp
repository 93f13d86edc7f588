// Where a passphrase or PIN comes from: a file (--passphrase-file), an environment variable
// (PINGYI_PASSPHRASE, PINGYI_PIN, ...), or a prompt on the terminal with echo off.
#pragma once

#include "core/result.hpp"

#include <string>

namespace pingyi {

struct SecretSource {
    std::string file;     // read the first line of this file, if set
    std::string env;      // else this environment variable, if set and present
    std::string prompt;   // else ask on the terminal with this prompt
    bool confirm = false; // ask twice (new keys)
};

// Errors: secret.unavailable (no file, no variable, no terminal), secret.mismatch,
// secret.empty, file.not_found.
Result<std::string> obtainSecret(const SecretSource& source);

} // namespace pingyi
