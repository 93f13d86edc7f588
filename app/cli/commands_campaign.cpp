#include "app/cli/commands.hpp"
#include "core/roster.hpp"
#include "core/rules.hpp"
#include "platform/passphrase.hpp"
#include "platform/workspace.hpp"

namespace pingyi {

void Context::fail(const Error& e) {
    *err << t("error.prefix") << describe(e, lang) << "\n";
    switch (e.kind) {
    case ErrorKind::Invalid:
    case ErrorKind::NotFound:
    case ErrorKind::Conflict:
    case ErrorKind::Auth:
        exit_code = 2;
        break;
    case ErrorKind::Forged:
        exit_code = 3;
        break;
    case ErrorKind::Io:
    case ErrorKind::Busy:
        exit_code = 4;
        break;
    case ErrorKind::Internal:
        exit_code = 1;
        break;
    }
}

Result<SecretKeys> unlockKeyFile(const fs::path& path, const std::string& pass_file, Context& ctx) {
    auto pass = obtainSecret(
        {pass_file, "PINGYI_PASSPHRASE", ctx.t("cli.prompt.passphrase", {path.string()}), false});
    if (!pass) return pass.error();
    auto keys = loadSecretKeys(path, *pass);
    wipe(*pass);
    return keys;
}

static fs::path workspaceDir(const std::string& arg) {
    fs::path p(arg);
    if (p.filename() == "campaign.json")
        return p.parent_path().empty() ? fs::path(".") : p.parent_path();
    return p;
}

void printSummary(const Campaign& c, Context& ctx) {
    ctx.say("campaign.summary.title", {c.name, c.id});
    for (auto& u : c.units) {
        std::string groups;
        for (auto& g : u.groups) {
            const Group* gr = c.group(g);
            if (!groups.empty()) groups += "、";
            groups += ctx.lang == Lang::En && !gr->name_en.empty() ? gr->name_en : gr->name;
        }
        ctx.say("campaign.summary.unit",
                {u.id, u.name, std::to_string(c.subjectsOf(u.id).size()), groups});
        std::string names;
        for (auto si : orderedSubjectsOf(c, u.id)) {
            if (!names.empty()) names += "、";
            names += c.subjects[si].name;
        }
        ctx.say("campaign.summary.subjects",
                {ctx.t(c.subject_order == SubjectOrder::Stroke ? "campaign.summary.order.stroke"
                                                               : "campaign.summary.order.listed"),
                 names});
    }
    for (auto& q : c.questionnaires) {
        std::string items;
        for (auto& i : q.items) {
            if (!items.empty()) items += "、";
            items += ctx.lang == Lang::En && !i.name_en.empty() ? i.name_en : i.name;
        }
        ctx.say("campaign.summary.questionnaire", {q.name, items});
    }
    std::string scale;
    for (auto& l : c.scale.levels) {
        if (!scale.empty()) scale += " / ";
        char buf[32];
        std::snprintf(buf, sizeof buf, "%u.%u", l.permille / 1000, (l.permille % 1000) / 100);
        scale += l.name + "=" + buf;
    }
    ctx.say("campaign.summary.scale", {scale, c.scale.unknown_name});
    for (auto& g : c.groups) {
        std::string quotas;
        for (auto& q : g.quotas) {
            std::string cats;
            for (auto& cid : q.categories) {
                if (!cats.empty()) cats += "+";
                cats += c.category(g, cid)->name;
            }
            if (!quotas.empty()) quotas += "，";
            quotas += cats + " " + std::to_string(q.percent) + "%";
        }
        ctx.say("campaign.summary.group",
                {g.name, std::to_string(g.weight), std::to_string(g.min_ballots),
                 quotas.empty() ? "-" : quotas});
    }
    for (auto& line : describeRules(c, ctx.lang))
        ctx.say("campaign.summary.rules", {line});
    ctx.say("campaign.summary.meetings", {std::to_string(c.meetings().size())});
}

// The token lists and slips are the only plaintext tokens anywhere: say so while they remain.
static void warnTokenFiles(const Workspace& ws, Context& ctx) {
    auto files = plaintextTokenFiles(ws);
    if (!files) return ctx.fail(files.error());
    if (files->empty()) return;
    std::string names;
    for (auto& f : *files)
        names += (names.empty() ? "" : ", ") + f.string();
    *ctx.err << ctx.t("campaign.seal_tokens_remain",
                      {std::to_string(files->size()), names, ws.dir.string()})
             << "\n";
}

void registerCampaignCommands(CLI::App& app, Context& ctx) {
    auto o = std::make_shared<Opts>();
    auto* campaign = app.add_subcommand("campaign", ctx.t("cli.campaign"));
    campaign->require_subcommand(1);

    {
        auto* cmd = campaign->add_subcommand("new", ctx.t("cli.campaign.new"));
        cmd->add_option("--template", o->tmpl, ctx.t("cli.opt.template"))
            ->check(CLI::IsMember({"seed"}));
        cmd->add_option("--out", o->out, ctx.t("cli.opt.campaign_dir"));
        cmd->callback([&ctx, o] {
            Workspace ws{o->out.empty() ? fs::path(".") : fs::path(o->out)};
            std::error_code ec;
            if (fs::exists(ws.campaignFile(), ec))
                return ctx.fail(Error::make(ErrorKind::Conflict, "workspace.exists",
                                            {ws.campaignFile().string()}));
            if (auto s = ensureDirectory(ws.dir); !s) return ctx.fail(s.error());
            if (auto s = writeCampaignSource(ws.campaignFile(), seedCampaign()); !s)
                return ctx.fail(s.error());
            ctx.say("campaign.written", {ws.campaignFile().string()});
        });
    }
    {
        auto* cmd = campaign->add_subcommand("check", ctx.t("cli.campaign.check"));
        cmd->add_option("--campaign", o->dir, ctx.t("cli.opt.campaign_dir"));
        cmd->callback([&ctx, o] {
            Workspace ws{workspaceDir(o->dir)};
            auto parsed = loadCampaignSource(ws.campaignFile());
            if (!parsed.campaign) {
                ctx.say("campaign.problems",
                        {std::to_string(parsed.problems.size()), ws.campaignFile().string()});
                for (auto& p : parsed.problems)
                    *ctx.err << "  " << describe(p, ctx.lang) << "\n";
                ctx.exit_code = 2;
                return;
            }
            printSummary(*parsed.campaign, ctx);
            ctx.say("campaign.ok");
        });
    }
    {
        auto* cmd = campaign->add_subcommand("import-roster", ctx.t("cli.campaign.import_roster"));
        cmd->add_option("--campaign", o->dir, ctx.t("cli.opt.campaign_dir"));
        cmd->add_option("--units", o->units, ctx.t("cli.opt.units_csv"));
        cmd->add_option("--subjects", o->subjects, ctx.t("cli.opt.subjects_csv"))->required();
        cmd->callback([&ctx, o] {
            Workspace ws{workspaceDir(o->dir)};
            auto parsed = loadCampaignSource(ws.campaignFile());
            if (!parsed.campaign) return ctx.fail(parsed.problems.front());
            std::vector<Error> problems;
            std::vector<UnitDef> unit_defs = parsed.campaign->units;
            if (!o->units.empty()) {
                auto bytes = readTextFile(o->units);
                if (!bytes) return ctx.fail(bytes.error());
                auto r = parseUnitsCsv(*bytes, o->units, *parsed.campaign);
                problems.insert(problems.end(), r.problems.begin(), r.problems.end());
                unit_defs = r.units;
            }
            auto sbytes = readTextFile(o->subjects);
            if (!sbytes) return ctx.fail(sbytes.error());
            auto sr = parseSubjectsCsv(*sbytes, o->subjects, *parsed.campaign, unit_defs);
            problems.insert(problems.end(), sr.problems.begin(), sr.problems.end());
            CampaignParse applied;
            if (problems.empty()) {
                applied = applyRoster(*parsed.campaign, unit_defs, sr.subjects);
                problems = applied.problems;
            }
            if (!problems.empty()) {
                ctx.say("campaign.problems", {std::to_string(problems.size()), o->subjects});
                for (auto& p : problems)
                    *ctx.err << "  " << describe(p, ctx.lang) << "\n";
                ctx.say("campaign.unchanged", {ws.campaignFile().string()});
                ctx.exit_code = 2;
                return;
            }
            if (auto s = writeCampaignSource(ws.campaignFile(), *applied.campaign); !s)
                return ctx.fail(s.error());
            ctx.say("campaign.roster_imported",
                    {std::to_string(applied.campaign->units.size()),
                     std::to_string(applied.campaign->subjects.size())});
        });
    }
    {
        auto* cmd = campaign->add_subcommand("seal", ctx.t("cli.campaign.seal"));
        cmd->add_option("--campaign", o->dir, ctx.t("cli.opt.campaign_dir"));
        cmd->add_option("--organiser-key", o->organiser, ctx.t("cli.opt.organiser_key"))
            ->required();
        cmd->add_option("--collector-pub", o->collector, ctx.t("cli.opt.collector_pub"))
            ->required();
        cmd->add_option("--passphrase-file", o->pass_file, ctx.t("cli.opt.passphrase_file"));
        cmd->callback([&ctx, o] {
            Workspace ws{workspaceDir(o->dir)};
            auto col = loadPublicKeys(o->collector);
            if (!col) return ctx.fail(col.error());
            auto org = unlockKeyFile(o->organiser, o->pass_file, ctx);
            if (!org) return ctx.fail(org.error());
            auto pkg = sealCampaign(ws, *org, *col);
            if (!pkg) return ctx.fail(pkg.error());
            std::size_t n = 0;
            for (auto& s : pkg->body.tokens)
                n += s.tags.size();
            ctx.say("campaign.sealed",
                    {ws.packageFile().string(), std::to_string(n), fingerprint(pkg->body.organiser),
                     toHex(pkg->digest).substr(0, 16)});
            warnTokenFiles(ws, ctx);
        });
    }

    auto* tokens = app.add_subcommand("tokens", ctx.t("cli.tokens"));
    tokens->require_subcommand(1);
    {
        auto* cmd = tokens->add_subcommand("issue", ctx.t("cli.tokens.issue"));
        cmd->add_option("--campaign", o->dir, ctx.t("cli.opt.campaign_dir"));
        cmd->add_option("--meeting", o->meeting, ctx.t("cli.opt.meeting"))->required();
        cmd->add_option("--category", o->category, ctx.t("cli.opt.category"))->required();
        cmd->add_option("--count", o->count, ctx.t("cli.opt.count"))->required();
        cmd->callback([&ctx, o] {
            Workspace ws{workspaceDir(o->dir)};
            auto parsed = loadCampaignSource(ws.campaignFile());
            if (!parsed.campaign) return ctx.fail(parsed.problems.front());
            auto r = issueTokens(ws, *parsed.campaign, o->meeting, o->category, o->count, ctx.lang);
            if (!r) return ctx.fail(r.error());
            ctx.say("tokens.issued", {std::to_string(r->tokens.size()), o->meeting, o->category,
                                      r->csv.string(), r->html.string()});
        });
    }
    {
        auto* cmd = tokens->add_subcommand("add", ctx.t("cli.tokens.add"));
        cmd->add_option("--campaign", o->dir, ctx.t("cli.opt.campaign_dir"));
        cmd->add_option("--meeting", o->meeting, ctx.t("cli.opt.meeting"))->required();
        cmd->add_option("--category", o->category, ctx.t("cli.opt.category"))->required();
        cmd->add_option("--count", o->count, ctx.t("cli.opt.count"))->required();
        cmd->add_option("--organiser-key", o->organiser, ctx.t("cli.opt.organiser_key"))
            ->required();
        cmd->add_option("--passphrase-file", o->pass_file, ctx.t("cli.opt.passphrase_file"));
        cmd->callback([&ctx, o] {
            Workspace ws{workspaceDir(o->dir)};
            auto org = unlockKeyFile(o->organiser, o->pass_file, ctx);
            if (!org) return ctx.fail(org.error());
            auto r = addTokens(ws, *org, o->meeting, o->category, o->count, ctx.lang);
            if (!r) return ctx.fail(r.error());
            ctx.say("tokens.added",
                    {std::to_string(r->issued.tokens.size()), o->meeting, o->category,
                     r->file.string(), r->issued.csv.string(), r->issued.html.string()});
        });
    }
    {
        auto* cmd = tokens->add_subcommand("shred", ctx.t("cli.tokens.shred"));
        cmd->add_option("--campaign", o->dir, ctx.t("cli.opt.campaign_dir"));
        cmd->callback([&ctx, o] {
            Workspace ws{workspaceDir(o->dir)};
            auto removed = shredTokenLists(ws);
            if (!removed) return ctx.fail(removed.error());
            if (removed->empty()) return ctx.say("tokens.shred_none", {ws.tokensDir().string()});
            for (auto& f : *removed)
                ctx.say("tokens.shredded", {f.string()});
            ctx.say("tokens.shred_done", {std::to_string(removed->size())});
        });
    }
}

} // namespace pingyi
