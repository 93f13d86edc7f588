// Subcommand registration for `pingyi`. Each handler calls the same library functions as the
// kiosk and the console; this file only parses arguments and prints.
#pragma once

#include "core/catalog.hpp"
#include "core/result.hpp"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

namespace pingyi {

struct Context {
    Lang lang = Lang::Zh;
    int exit_code = 0;
    std::ostream* out = &std::cout;
    std::ostream* err = &std::cerr;

    std::string t(std::string_view id, const std::vector<std::string>& args = {}) const {
        return tr(lang, id, args);
    }
    void say(std::string_view id, const std::vector<std::string>& args = {}) const {
        *out << t(id, args) << "\n";
    }
    // Prints the error in the user's language and sets the exit code (2 for bad input,
    // 3 for forgery, 4 for I/O, 1 otherwise).
    void fail(const Error& e);
};

// Where a passphrase/PIN comes from, as options shared by every command that needs one.
struct SecretOpts {
    std::string file;
    void add(CLI::App* cmd, const char* flag, const std::string& help) {
        cmd->add_option(flag, file, help);
    }
};

// Option storage for one parse (CLI11 binds to these); a fresh one per runCli() call.
struct Opts {
    std::string dir = ".", out, tmpl = "seed", units, subjects, organiser, collector, pass_file,
                meeting, category, tablet, answers, package, label, pin_file, role, file,
                new_pin_file;
    std::size_t count = 0;
    bool flag = false;
    bool test_only_fast_pin = false;
};

// Unlocks a secret key file with a passphrase from --passphrase-file, PINGYI_PASSPHRASE or a
// prompt.
struct SecretKeys;
Result<SecretKeys> unlockKeyFile(const std::filesystem::path& path, const std::string& pass_file,
                                 Context& ctx);
// The PIN of a tablet: --pin-file, PINGYI_PIN, or a prompt.
Result<std::string> obtainPin(const std::string& pin_file, Context& ctx, bool confirm);
// A new PIN for change-pin and reset-pin: --new-pin-file, PINGYI_NEW_PIN, or a prompt asked
// twice; refused at once if it breaks the PIN rule (core/pin.hpp).
Result<std::string> obtainNewPin(const std::string& new_pin_file, Context& ctx);

void registerCampaignCommands(CLI::App& app, Context& ctx);
void registerKeyCommands(CLI::App& app, Context& ctx);
void registerTabletCommands(CLI::App& app, Context& ctx);
void registerCollectorCommands(CLI::App& app, Context& ctx);
void registerServeCommand(CLI::App* collector, Context& ctx);
void registerSyncCommand(CLI::App& app, Context& ctx);
void registerDemoCommand(CLI::App& app, Context& ctx);

} // namespace pingyi
