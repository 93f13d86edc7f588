#include "app/cli/cli.hpp"

#include "app/cli/commands.hpp"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

namespace pingyi {

int runCli(const std::vector<std::string>& args) {
    const char* env_lang = std::getenv("PINGYI_LANG");
    Context ctx;
    ctx.lang = langFromName(env_lang ? env_lang : "zh");
    // Look for --lang early so that CLI11's own errors are the only untranslated text.
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == "--lang") ctx.lang = langFromName(args[i + 1]);

    CLI::App app{tr(ctx.lang, "cli.about"), "pingyi"};
    app.require_subcommand(1);
    std::string lang_opt;
    app.add_option("--lang", lang_opt, tr(ctx.lang, "cli.opt.lang"));
    registerCampaignCommands(app, ctx);
    registerKeyCommands(app, ctx);
    registerTabletCommands(app, ctx);
    registerCollectorCommands(app, ctx);
    registerSyncCommand(app, ctx);
    registerDemoCommand(app, ctx);

    std::vector<std::string> rev(args.rbegin(), args.rend());
    try {
        app.parse(rev);
    } catch (const CLI::ParseError& e) {
        // Help and version print and exit 0; every usage error exits 2, whatever CLI11's own code.
        return app.exit(e) == 0 ? 0 : 2;
    }
    return ctx.exit_code;
}

} // namespace pingyi
