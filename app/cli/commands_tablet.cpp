#include "app/cli/commands.hpp"
#include "core/pin.hpp"
#include "platform/passphrase.hpp"
#include "platform/tablet_store.hpp"
#include "platform/workspace.hpp"
#include "sync/bundle.hpp"

#include <csignal>
#include <cstdlib>

namespace pingyi {

namespace {
struct OpenTablet {
    TabletStore store;
    Secret device_sk;
};

Result<OpenTablet> openUnlocked(const std::string& dir, const std::string& pin_file, Context& ctx) {
    auto store = TabletStore::open(dir);
    if (!store) return store.error();
    auto pin = obtainPin(pin_file, ctx, false);
    if (!pin) return pin.error();
    auto sk = store->unlockDeviceKey(*pin);
    wipe(*pin);
    if (!sk) return sk.error();
    return OpenTablet{std::move(*store), std::move(*sk)};
}

// Hidden: the end-to-end tests run many CLI unlocks; a real tablet never takes this.
void addFastPinFlag(CLI::App* cmd, Opts& o, Context& ctx) {
    cmd->add_flag("--test-only-fast-pin", o.test_only_fast_pin, ctx.t("cli.opt.test_only_fast_pin"))
        ->group("");
}

KdfCost pinCost(const Opts& o, Context& ctx) {
    if (!o.test_only_fast_pin) return KdfCost::pin();
    *ctx.err << ctx.t("tablet.test_only_cost") << "\n";
    return KdfCost::testOnly();
}
} // namespace

void registerTabletCommands(CLI::App& app, Context& ctx) {
    auto o = std::make_shared<Opts>();
    auto* tablet = app.add_subcommand("tablet", ctx.t("cli.tablet"));
    tablet->require_subcommand(1);
    {
        auto* cmd = tablet->add_subcommand("init", ctx.t("cli.tablet.init"));
        cmd->add_option("--package", o->package, ctx.t("cli.opt.package"))->required();
        cmd->add_option("--organiser-key", o->organiser, ctx.t("cli.opt.organiser_key"))
            ->required();
        cmd->add_option("--out", o->out, ctx.t("cli.opt.tablet_out"))->required();
        cmd->add_option("--count", o->count, ctx.t("cli.opt.tablet_count"));
        cmd->add_option("--label", o->label, ctx.t("cli.opt.tablet_label"));
        cmd->add_option("--passphrase-file", o->pass_file, ctx.t("cli.opt.passphrase_file"));
        cmd->add_option("--pin-file", o->pin_file, ctx.t("cli.opt.pin_file"));
        addFastPinFlag(cmd, *o, ctx);
        cmd->callback([&ctx, o] {
            auto org = unlockKeyFile(o->organiser, o->pass_file, ctx);
            if (!org) return ctx.fail(org.error());
            auto pkg = loadPackage(o->package, &org->pub.sign);
            if (!pkg) return ctx.fail(pkg.error());
            auto pin = obtainSecret({o->pin_file, "PINGYI_PIN", ctx.t("cli.prompt.new_pin"), true});
            if (!pin) return ctx.fail(pin.error());
            if (auto st = checkPin(*pin); !st) {
                wipe(*pin);
                return ctx.fail(st.error());
            }
            std::size_t n = o->count == 0 ? 1 : o->count;
            std::string label = o->label.empty() ? ctx.t("tablet.default_label") : o->label;
            auto made = prepareTablets(*pkg, *org, o->out, n, o->count == 0 ? "" : label, *pin,
                                       pinCost(*o, ctx));
            wipe(*pin);
            if (!made) return ctx.fail(made.error());
            for (auto& t : *made)
                ctx.say("tablet.prepared",
                        {t.label.empty() ? label : t.label, t.dir.string(), t.fingerprint});
        });
    }
    {
        auto* cmd = tablet->add_subcommand("status", ctx.t("cli.tablet.status"));
        cmd->add_option("--tablet", o->tablet, ctx.t("cli.opt.tablet"))->required();
        cmd->callback([&ctx, o] {
            auto store = TabletStore::open(o->tablet);
            if (!store) return ctx.fail(store.error());
            auto c = store->counts();
            if (!c) return ctx.fail(c.error());
            ctx.say("tablet.status.campaign",
                    {store->campaign().name, toHex(store->package().digest).substr(0, 16)});
            ctx.say("tablet.status.device",
                    {store->certificate().label, fingerprint(store->device())});
            ctx.say("tablet.status.organiser", {fingerprint(store->package().body.organiser)});
            ctx.say("tablet.status.counts",
                    {std::to_string(c->cast), std::to_string(c->exported),
                     std::to_string(c->acknowledged), std::to_string(c->tokens_known)});
            auto plan = store->release();
            if (!plan) return ctx.fail(plan.error());
            if (plan->waiting > 0)
                ctx.say("release.waiting",
                        {std::to_string(plan->waiting), std::to_string(kReleaseGroup)});
            auto unshown = store->lastReceiptUnshown();
            if (!unshown) return ctx.fail(unshown.error());
            if (*unshown) ctx.say("tablet.status.receipt_unshown");
            auto guard = store->pinGuard();
            if (!guard) return ctx.fail(guard.error());
            auto cost = store->pinCost();
            if (!cost) return ctx.fail(cost.error());
            ctx.say("tablet.status.pin",
                    {std::to_string(guard->failures), std::to_string(kPinMaxFailures),
                     std::to_string(cost->opslimit), std::to_string(cost->memlimit >> 20)});
            if (guard->locked()) ctx.say("tablet.pin_locked", {std::to_string(guard->failures)});
        });
    }
    {
        auto* cmd = tablet->add_subcommand("change-pin", ctx.t("cli.tablet.change_pin"));
        cmd->add_option("--tablet", o->tablet, ctx.t("cli.opt.tablet"))->required();
        cmd->add_option("--pin-file", o->pin_file, ctx.t("cli.opt.pin_file"));
        cmd->add_option("--new-pin-file", o->new_pin_file, ctx.t("cli.opt.new_pin_file"));
        addFastPinFlag(cmd, *o, ctx);
        cmd->callback([&ctx, o] {
            auto store = TabletStore::open(o->tablet);
            if (!store) return ctx.fail(store.error());
            auto fresh = obtainNewPin(o->new_pin_file, ctx); // the rule first: no wasted unlock
            if (!fresh) return ctx.fail(fresh.error());
            auto old = obtainPin(o->pin_file, ctx, false);
            if (!old) {
                wipe(*fresh);
                return ctx.fail(old.error());
            }
            auto st = store->changePin(*old, *fresh, pinCost(*o, ctx));
            wipe(*old);
            wipe(*fresh);
            if (!st) return ctx.fail(st.error());
            ctx.say("tablet.pin_changed", {o->tablet});
        });
    }
    {
        auto* cmd = tablet->add_subcommand("reset-pin", ctx.t("cli.tablet.reset_pin"));
        cmd->add_option("--tablet", o->tablet, ctx.t("cli.opt.tablet"))->required();
        cmd->add_option("--organiser-key", o->organiser, ctx.t("cli.opt.organiser_key"))
            ->required();
        cmd->add_option("--passphrase-file", o->pass_file, ctx.t("cli.opt.passphrase_file"));
        cmd->add_option("--new-pin-file", o->new_pin_file, ctx.t("cli.opt.new_pin_file"));
        addFastPinFlag(cmd, *o, ctx);
        cmd->callback([&ctx, o] {
            auto store = TabletStore::open(o->tablet);
            if (!store) return ctx.fail(store.error());
            auto org = unlockKeyFile(o->organiser, o->pass_file, ctx);
            if (!org) return ctx.fail(org.error());
            auto fresh = obtainNewPin(o->new_pin_file, ctx);
            if (!fresh) return ctx.fail(fresh.error());
            auto st = store->resetPin(org->sign_sk, *fresh, pinCost(*o, ctx));
            wipe(*fresh);
            if (!st) return ctx.fail(st.error());
            auto c = store->counts();
            if (!c) return ctx.fail(c.error());
            ctx.say("tablet.pin_reset", {o->tablet, std::to_string(c->cast)});
        });
    }
    {
        auto* cmd = tablet->add_subcommand("close-meeting", ctx.t("cli.tablet.close_meeting"));
        cmd->add_option("--tablet", o->tablet, ctx.t("cli.opt.tablet"))->required();
        cmd->add_option("--meeting", o->meeting, ctx.t("cli.opt.meeting"))->required();
        cmd->callback([&ctx, o] {
            auto store = TabletStore::open(o->tablet);
            if (!store) return ctx.fail(store.error());
            if (auto s = store->closeMeetings({o->meeting}); !s) return ctx.fail(s.error());
            ctx.say("tablet.meetings_closed", {o->meeting});
        });
    }
    {
        auto* cmd = tablet->add_subcommand("add-tokens", ctx.t("cli.tablet.add_tokens"));
        cmd->add_option("--tablet", o->tablet, ctx.t("cli.opt.tablet"))->required();
        cmd->add_option("file", o->file, ctx.t("cli.opt.additions_file"))->required();
        cmd->callback([&ctx, o] {
            auto store = TabletStore::open(o->tablet);
            if (!store) return ctx.fail(store.error());
            auto bytes = readFile(o->file, 64u << 20);
            if (!bytes) return ctx.fail(bytes.error());
            if (auto s = store->addTokens(*bytes); !s) return ctx.fail(s.error());
            auto c = store->counts();
            if (!c) return ctx.fail(c.error());
            ctx.say("tablet.tokens_added", {std::to_string(c->tokens_known)});
        });
    }
    {
        auto* cmd = app.add_subcommand("cast", ctx.t("cli.cast"));
        cmd->add_option("--tablet", o->tablet, ctx.t("cli.opt.tablet"))->required();
        cmd->add_option("--answers", o->answers, ctx.t("cli.opt.answers"))->required();
        cmd->add_option("--pin-file", o->pin_file, ctx.t("cli.opt.pin_file"));
        cmd->callback([&ctx, o] {
            auto text = readTextFile(o->answers, 1 << 20);
            if (!text) return ctx.fail(text.error());
            auto answers = parseAnswersJson(*text);
            wipe(*text);
            if (!answers) return ctx.fail(answers.error());
            auto token = parseToken(answers->token);
            if (!token) return ctx.fail(token.error());
            auto t = openUnlocked(o->tablet, o->pin_file, ctx);
            if (!t) return ctx.fail(t.error());
            auto receipt = t->store.cast(*token, answers->answers, t->device_sk);
            answers->answers.wipe();
            std::string code;
            if (receipt) {
                code = receipt->code;
                // Test hook (tests/e2e/test_receipt.cpp): stop between the commit and the
                // receipt, where a kill -9 must not lose the receipt.
                if (std::getenv("PINGYI_TEST_STOP_BEFORE_RECEIPT")) raise(SIGSTOP);
                ctx.say("cast.receipt", {code});
            } else if (receipt.error().id == "token.already_stored") {
                // The last cast died before its receipt was shown: this is that voter again.
                code = receipt.error().args.at(0);
                ctx.say("cast.already_stored", {code});
            } else {
                return ctx.fail(receipt.error());
            }
            std::cout.flush();
            if (auto s = t->store.receiptShown(); !s) return ctx.fail(s.error());
            // The ballot is durable already; this only removes the trace of casting order.
            if (auto s = t->store.foldJournal(); !s) ctx.fail(s.error());
        });
    }
    {
        auto* bundle = app.add_subcommand("bundle", ctx.t("cli.bundle"));
        bundle->require_subcommand(1);
        auto* cmd = bundle->add_subcommand("export", ctx.t("cli.bundle.export"));
        cmd->add_option("--tablet", o->tablet, ctx.t("cli.opt.tablet"))->required();
        cmd->add_option("--out", o->out, ctx.t("cli.opt.bundle_out"))->required();
        cmd->add_option("--pin-file", o->pin_file, ctx.t("cli.opt.pin_file"));
        cmd->callback([&ctx, o] {
            auto t = openUnlocked(o->tablet, o->pin_file, ctx);
            if (!t) return ctx.fail(t.error());
            auto r = exportBundle(t->store, t->device_sk, o->out);
            if (!r) return ctx.fail(r.error());
            ctx.say("bundle.exported",
                    {std::to_string(r->envelopes), o->out, std::to_string(r->bytes)});
            if (r->waiting > 0)
                ctx.say("release.waiting",
                        {std::to_string(r->waiting), std::to_string(kReleaseGroup)});
        });
    }
}

} // namespace pingyi
