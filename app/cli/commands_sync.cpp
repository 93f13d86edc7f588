#include "app/cli/commands.hpp"
#include "platform/keyfile.hpp"
#include "platform/tablet_store.hpp"
#include "sync/client.hpp"
#include "sync/server.hpp"

#include <csignal>
#include <pthread.h>

namespace pingyi {

void registerServeCommand(CLI::App* collector, Context& ctx) {
    auto o = std::make_shared<Opts>();
    auto* cmd = collector->add_subcommand("serve", ctx.t("cli.collector.serve"));
    cmd->add_option("--store", o->dir, ctx.t("cli.opt.collector_store"))->required();
    cmd->add_option("--key", o->collector, ctx.t("cli.opt.collector_key"))->required();
    cmd->add_option("--listen", o->out, ctx.t("cli.opt.listen"));
    cmd->add_option("--passphrase-file", o->pass_file, ctx.t("cli.opt.passphrase_file"));
    cmd->callback([&ctx, o] {
        std::string listen = o->out.empty() ? "127.0.0.1:8470" : o->out;
        auto colon = listen.rfind(':');
        std::string address = colon == std::string::npos ? listen : listen.substr(0, colon);
        std::uint16_t port = 8470;
        if (colon != std::string::npos) {
            try {
                int p = std::stoi(listen.substr(colon + 1));
                if (p < 0 || p > 65535) throw std::out_of_range("port");
                port = static_cast<std::uint16_t>(p);
            } catch (const std::exception&) {
                return ctx.fail(Error::make(ErrorKind::Invalid, "server.bad_address", {listen}));
            }
        }
        auto keys = unlockKeyFile(o->collector, o->pass_file, ctx);
        if (!keys) return ctx.fail(keys.error());
        keys->box.sk.wipe(); // serving needs only the signing key
        // Block the stop signals in every thread; this one waits for them.
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &set, nullptr);
        auto server =
            SyncServer::start(o->dir, keys->pub.sign, std::move(keys->sign_sk), address, port);
        if (!server) return ctx.fail(server.error());
        ctx.say("server.listening", {address, std::to_string((*server)->port())});
        std::cout.flush();
        int sig = 0;
        sigwait(&set, &sig);
        (*server)->stop();
        ctx.say("server.stopped", {std::to_string((*server)->stats().requests.load()),
                                   std::to_string((*server)->stats().envelopes_added.load())});
    });
}

void registerSyncCommand(CLI::App& app, Context& ctx) {
    auto o = std::make_shared<Opts>();
    auto* cmd = app.add_subcommand("sync", ctx.t("cli.sync"));
    cmd->add_option("--tablet", o->tablet, ctx.t("cli.opt.tablet"))->required();
    cmd->add_option("--to", o->out, ctx.t("cli.opt.url"))->required();
    cmd->add_option("--pin-file", o->pin_file, ctx.t("cli.opt.pin_file"));
    cmd->callback([&ctx, o] {
        auto store = TabletStore::open(o->tablet);
        if (!store) return ctx.fail(store.error());
        auto pin = obtainPin(o->pin_file, ctx, false);
        if (!pin) return ctx.fail(pin.error());
        auto sk = store->unlockDeviceKey(*pin);
        wipe(*pin);
        if (!sk) return ctx.fail(sk.error());
        SyncOptions opts;
        opts.progress = [&ctx](std::size_t done, std::size_t total) {
            *ctx.err << "\r"
                     << ctx.t("sync.progress", {std::to_string(done), std::to_string(total)})
                     << std::flush;
        };
        auto r = syncTablet(*store, *sk, o->out, opts);
        *ctx.err << "\n";
        if (!r) return ctx.fail(r.error());
        for (auto& [receipt, reason] : r->rejections)
            ctx.say("sync.rejected", {receipt, ctx.t(reason)});
        auto c = store->counts();
        if (!c) return ctx.fail(c.error());
        ctx.say("sync.done", {std::to_string(r->acknowledged), std::to_string(r->rejected),
                              std::to_string(c->cast - c->acknowledged)});
        // Why a sync may send nothing: too few new ballots of a meeting still open here.
        if (r->waiting > 0)
            ctx.say("release.waiting", {std::to_string(r->waiting), std::to_string(kReleaseGroup)});
        if (r->rejected > 0) ctx.exit_code = 2;
    });
}

} // namespace pingyi
