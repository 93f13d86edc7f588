#include "app/cli/commands.hpp"
#include "core/pin.hpp"
#include "platform/keyfile.hpp"
#include "platform/passphrase.hpp"

namespace pingyi {

Result<std::string> obtainPin(const std::string& pin_file, Context& ctx, bool confirm) {
    return obtainSecret({pin_file, "PINGYI_PIN", ctx.t("cli.prompt.pin"), confirm});
}

Result<std::string> obtainNewPin(const std::string& new_pin_file, Context& ctx) {
    auto pin = obtainSecret({new_pin_file, "PINGYI_NEW_PIN", ctx.t("cli.prompt.new_pin"), true});
    if (!pin) return pin.error();
    if (auto st = checkPin(*pin); !st) {
        wipe(*pin);
        return st.error();
    }
    return pin;
}

void registerKeyCommands(CLI::App& app, Context& ctx) {
    auto o = std::make_shared<Opts>();
    auto* keys = app.add_subcommand("keys", ctx.t("cli.keys"));
    keys->require_subcommand(1);
    {
        auto* cmd = keys->add_subcommand("new", ctx.t("cli.keys.new"));
        cmd->add_option("--role", o->role, ctx.t("cli.opt.role"))
            ->required()
            ->check(CLI::IsMember({"organiser", "collector", "unit-head"}));
        cmd->add_option("--out", o->out, ctx.t("cli.opt.key_out"))->required();
        cmd->add_option("--label", o->label, ctx.t("cli.opt.label"));
        cmd->add_option("--passphrase-file", o->pass_file, ctx.t("cli.opt.passphrase_file"));
        cmd->callback([&ctx, o] {
            auto role = keyRoleFromName(o->role);
            if (!role) return ctx.fail(role.error());
            fs::path secret_path = o->out + ".key", public_path = o->out + ".pub";
            std::error_code ec;
            if (fs::exists(secret_path, ec))
                return ctx.fail(
                    Error::make(ErrorKind::Conflict, "key.exists", {secret_path.string()}));
            auto pass =
                obtainSecret({o->pass_file, "PINGYI_PASSPHRASE",
                              ctx.t("cli.prompt.new_passphrase", {secret_path.string()}), true});
            if (!pass) return ctx.fail(pass.error());
            if (pass->size() < 8) {
                wipe(*pass);
                return ctx.fail(Error::make(ErrorKind::Invalid, "key.passphrase_too_short", {"8"}));
            }
            SecretKeys k = newKeys(*role, o->label.empty() ? o->role : o->label);
            std::string text = encodeSecretKeyFile(k, *pass);
            wipe(*pass);
            if (secret_path.has_parent_path())
                if (auto s = ensureDirectory(secret_path.parent_path()); !s)
                    return ctx.fail(s.error());
            if (auto s = writeFileAtomic(secret_path, text, true); !s) return ctx.fail(s.error());
            if (auto s = writeFileAtomic(public_path, encodePublicKeyFile(k.pub)); !s)
                return ctx.fail(s.error());
            ctx.say("keys.created",
                    {ctx.t("role." + o->role), secret_path.string(), public_path.string()});
            ctx.say("keys.fingerprint", {k.pub.fingerprint()});
        });
    }
    {
        auto* cmd = keys->add_subcommand("show", ctx.t("cli.keys.show"));
        cmd->add_option("file", o->file, ctx.t("cli.opt.key_file"))->required();
        cmd->callback([&ctx, o] {
            auto k = loadPublicKeys(o->file);
            if (!k) return ctx.fail(k.error());
            ctx.say("keys.show", {ctx.t(std::string("role.") + keyRoleName(k->role)), k->label});
            ctx.say("keys.fingerprint", {k->fingerprint()});
            if (k->role == KeyRole::Collector)
                ctx.say("keys.box_fingerprint", {fingerprint(k->box)});
        });
    }
}

} // namespace pingyi
