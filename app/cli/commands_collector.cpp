#include "app/cli/commands.hpp"
#include "core/csv.hpp"
#include "core/json_util.hpp"
#include "core/paper.hpp"
#include "core/token.hpp"
#include "platform/count.hpp"
#include "platform/publish.hpp"
#include "platform/report.hpp"
#include "platform/workspace.hpp"
#include "sync/collector_import.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace pingyi {

namespace {
void printImport(const ImportReport& r, Context& ctx) {
    if (r.refused) {
        ctx.say("import.refused", {r.source, describe(*r.refused, ctx.lang)});
        return;
    }
    ctx.say("import.report", {r.source, r.device_label, std::to_string(r.added),
                              std::to_string(r.already), std::to_string(r.rejected.size())});
    for (auto& e : r.rejected)
        ctx.say("import.rejected_envelope", {e.receipt, describe(e.reason, ctx.lang)});
}

} // namespace

void registerCollectorCommands(CLI::App& app, Context& ctx) {
    auto o = std::make_shared<Opts>();
    auto files = std::make_shared<std::vector<std::string>>();
    auto* col = app.add_subcommand("collector", ctx.t("cli.collector"));
    col->require_subcommand(1);
    registerServeCommand(col, ctx);
    {
        auto* cmd = col->add_subcommand("init", ctx.t("cli.collector.init"));
        cmd->add_option("--store", o->dir, ctx.t("cli.opt.collector_store"))->required();
        cmd->add_option("--package", o->package, ctx.t("cli.opt.package"))->required();
        cmd->add_option("--collector-pub", o->collector, ctx.t("cli.opt.collector_pub"))
            ->required();
        cmd->add_option("--organiser-pub", o->organiser, ctx.t("cli.opt.organiser_pub"));
        cmd->callback([&ctx, o] {
            std::optional<PublicKeys> org;
            if (!o->organiser.empty()) {
                auto k = loadPublicKeys(o->organiser);
                if (!k) return ctx.fail(k.error());
                org = *k;
            }
            auto pkg = loadPackage(o->package, org ? &org->sign : nullptr);
            if (!pkg) return ctx.fail(pkg.error());
            auto keys = loadPublicKeys(o->collector);
            if (!keys) return ctx.fail(keys.error());
            auto store = CollectorStore::create(o->dir, *pkg, *keys);
            if (!store) return ctx.fail(store.error());
            ctx.say("collector.created",
                    {o->dir, pkg->body.campaign.name, fingerprint(pkg->body.organiser)});
        });
    }
    {
        auto* cmd = col->add_subcommand("import", ctx.t("cli.collector.import"));
        cmd->add_option("--store", o->dir, ctx.t("cli.opt.collector_store"))->required();
        cmd->add_option("files", *files, ctx.t("cli.opt.import_files"))->required();
        cmd->callback([&ctx, o, files] {
            auto store = CollectorStore::open(o->dir);
            if (!store) return ctx.fail(store.error());
            bool any_refused = false;
            // Folders stand for the bundles and token additions inside them. Additions go
            // first, whatever the order given, so a late token's ballot is not refused.
            std::vector<std::string> additions, bundles;
            std::size_t added = 0;
            for (auto& f : *files) {
                std::error_code ec;
                if (fs::is_directory(f, ec)) {
                    std::vector<std::string> inside;
                    for (auto& e : fs::directory_iterator(f, ec)) {
                        auto ext = e.path().extension();
                        if (e.is_regular_file() && (ext == ".pya" || ext == ".pyb"))
                            inside.push_back(e.path().string());
                    }
                    std::sort(inside.begin(), inside.end());
                    if (inside.empty()) ctx.say("import.folder_empty", {f});
                    for (auto& x : inside)
                        (fs::path(x).extension() == ".pya" ? additions : bundles).push_back(x);
                } else {
                    (fs::path(f).extension() == ".pya" ? additions : bundles).push_back(f);
                }
            }
            additions.insert(additions.end(), bundles.begin(), bundles.end());
            for (auto& f : additions) {
                fs::path p(f);
                if (p.extension() == ".pya") {
                    auto bytes = readFile(p, 64u << 20);
                    Status s = bytes ? store->addTokens(*bytes) : Status(bytes.error());
                    if (!s) {
                        any_refused = true;
                        ctx.say("import.refused", {f, describe(s.error(), ctx.lang)});
                    } else {
                        ctx.say("import.additions", {f});
                    }
                    continue;
                }
                ImportReport r = importBundleFile(*store, p);
                any_refused = any_refused || r.refused.has_value() || !r.rejected.empty();
                added += r.added;
                printImport(r, ctx);
            }
            // The files came in some order; the fold leaves none in collector.db or its log.
            if (added > 0)
                if (auto s = store->fold(); !s)
                    ctx.say("collector.fold_failed", {describe(s.error(), ctx.lang)});
            auto c = store->counts();
            if (!c) return ctx.fail(c.error());
            ctx.say("collector.counts",
                    {std::to_string(c->envelopes), std::to_string(c->devices),
                     std::to_string(c->conflicts), std::to_string(c->conflicts_open),
                     std::to_string(c->missing)});
            if (any_refused) ctx.exit_code = 2;
        });
    }
    {
        auto* cmd = col->add_subcommand("status", ctx.t("cli.collector.status"));
        cmd->add_option("--store", o->dir, ctx.t("cli.opt.collector_store"))->required();
        cmd->callback([&ctx, o] {
            auto store = CollectorStore::open(o->dir);
            if (!store) return ctx.fail(store.error());
            auto c = store->counts();
            auto devs = store->devices();
            auto conf = store->conflicts();
            if (!c) return ctx.fail(c.error());
            if (!devs) return ctx.fail(devs.error());
            if (!conf) return ctx.fail(conf.error());
            ctx.say("collector.campaign", {store->campaign().name});
            ctx.say("collector.counts",
                    {std::to_string(c->envelopes), std::to_string(c->devices),
                     std::to_string(c->conflicts), std::to_string(c->conflicts_open),
                     std::to_string(c->missing)});
            for (auto& d : *devs) {
                ctx.say("collector.device", {d.label, fingerprint(d.device), std::to_string(d.held),
                                             std::to_string(d.ledger), d.last_contact});
                for (auto& m : d.missing)
                    ctx.say("collector.missing", {receiptCode(m)});
            }
            for (std::size_t i = 0; i < conf->size(); ++i) {
                auto& cf = (*conf)[i];
                std::string codes;
                for (auto& h : cf.envelopes)
                    codes += (codes.empty() ? "" : "、") + receiptCode(h);
                std::string state =
                    !cf.decision ? ctx.t("conflict.open", {std::to_string(cf.envelopes.size()),
                                                           chineseBallotCount(cf.envelopes.size())})
                    : *cf.decision
                        ? ctx.t("conflict.counted", {receiptCode(**cf.decision), cf.reason})
                        : ctx.t("conflict.neither", {cf.reason});
                ctx.say("collector.conflict", {std::to_string(i + 1), codes, state});
            }
            // The last count, if it no longer describes the store.
            if (auto fresh = resultsFreshness(*store); fresh && !fresh->current) {
                std::string why;
                for (auto& r : fresh->reasons(ctx.lang))
                    why += (why.empty() ? "" : ctx.t("report.clause_sep")) + r;
                ctx.say("results.stale_note", {why});
            }
        });
    }
    {
        auto* cmd = col->add_subcommand("resolve", ctx.t("cli.collector.resolve"));
        cmd->add_option("--store", o->dir, ctx.t("cli.opt.collector_store"))->required();
        cmd->add_option("--conflict", o->count, ctx.t("cli.opt.conflict"))->required();
        cmd->add_option("--count", o->file, ctx.t("cli.opt.count_receipt"));
        cmd->add_flag("--neither", o->flag, ctx.t("cli.opt.neither"));
        cmd->add_option("--reason", o->label, ctx.t("cli.opt.reason"))->required();
        cmd->callback([&ctx, o] {
            auto store = CollectorStore::open(o->dir);
            if (!store) return ctx.fail(store.error());
            auto conf = store->conflicts();
            if (!conf) return ctx.fail(conf.error());
            if (o->count == 0 || o->count > conf->size())
                return ctx.fail(Error::make(ErrorKind::NotFound, "conflict.no_number",
                                            {std::to_string(o->count)}));
            auto& cf = (*conf)[o->count - 1];
            if (o->flag == !o->file.empty())
                return ctx.fail(Error::make(ErrorKind::Invalid, "conflict.count_or_neither"));
            std::optional<Hash32> chosen;
            if (!o->flag) {
                for (auto& h : cf.envelopes)
                    if (receiptCode(h) == o->file) chosen = h;
                if (!chosen)
                    return ctx.fail(Error::make(ErrorKind::Invalid, "conflict.not_member"));
            }
            if (auto s = store->resolveConflict(cf.tag, chosen, o->label); !s)
                return ctx.fail(s.error());
            ctx.say(chosen ? "conflict.resolved_count" : "conflict.resolved_neither",
                    {std::to_string(o->count), chosen ? receiptCode(*chosen) : "", o->label});
        });
    }
    {
        auto* cmd = col->add_subcommand("import-self", ctx.t("cli.collector.import_self"));
        auto units = std::make_shared<std::vector<std::string>>();
        cmd->add_option("--store", o->dir, ctx.t("cli.opt.collector_store"))->required();
        auto* csv = cmd->add_option("--csv", o->file, ctx.t("cli.opt.paper_csv"));
        auto* remove = cmd->add_flag("--remove", o->flag, ctx.t("cli.opt.paper_remove"));
        cmd->add_option("--unit", *units, ctx.t("cli.opt.paper_unit"))->needs(remove);
        csv->excludes(remove);
        cmd->callback([&ctx, o, units] {
            if (o->file.empty() && !o->flag)
                return ctx.fail(Error::make(ErrorKind::Invalid, "paper.csv_or_remove"));
            auto store = CollectorStore::open(o->dir);
            if (!store) return ctx.fail(store.error());
            if (o->flag) {
                auto r = store->removePaperSelf(*units);
                if (!r) return ctx.fail(r.error());
                ctx.say("paper.removed", {std::to_string(r->removed), r->meetings});
                return;
            }
            auto bytes = readTextFile(o->file);
            if (!bytes) return ctx.fail(bytes.error());
            auto r = parsePaperSelfCsv(*bytes, o->file, store->campaign());
            if (!r.problems.empty()) {
                ctx.say("campaign.problems", {std::to_string(r.problems.size()), o->file});
                for (auto& p : r.problems)
                    *ctx.err << "  " << describe(p, ctx.lang) << "\n";
                ctx.say("campaign.unchanged", {o->dir});
                ctx.exit_code = 2;
                return;
            }
            auto s = store->setPaperSelf(r.rows);
            if (!s) return ctx.fail(s.error());
            ctx.say(s->replaced ? "paper.replaced" : "paper.imported",
                    {std::to_string(s->stored), s->meetings, std::to_string(s->replaced)});
        });
    }
    {
        auto* cmd = col->add_subcommand("count", ctx.t("cli.collector.count"));
        cmd->add_option("--store", o->dir, ctx.t("cli.opt.collector_store"))->required();
        cmd->add_option("--key", o->collector, ctx.t("cli.opt.collector_key"))->required();
        cmd->add_option("--out", o->out, ctx.t("cli.opt.report_dir"));
        cmd->add_option("--threads", o->count, ctx.t("cli.opt.threads"));
        cmd->add_option("--passphrase-file", o->pass_file, ctx.t("cli.opt.passphrase_file"));
        cmd->callback([&ctx, o] {
            auto store = CollectorStore::open(o->dir);
            if (!store) return ctx.fail(store.error());
            auto keys = unlockKeyFile(o->collector, o->pass_file, ctx);
            if (!keys) return ctx.fail(keys.error());
            CountOptions opts;
            opts.threads = o->count ? static_cast<unsigned>(o->count) : 2;
            opts.progress = [&ctx](std::size_t done, std::size_t total) {
                *ctx.err << "\r"
                         << ctx.t("count.progress", {std::to_string(done), std::to_string(total)})
                         << std::flush;
            };
            auto out = countAndSign(*store, *keys, opts);
            if (keys->pub.role == KeyRole::Collector) *ctx.err << "\n";
            if (!out) return ctx.fail(out.error());
            for (auto& u : out->results.units) {
                ctx.say("count.unit_title", {u.name, u.id});
                *ctx.out << rankingTable(u, ctx.lang) << "\n";
            }
            // Token conflicts the envelopes' proofs settled: staff see which copy counted and why.
            for (auto& st : out->settled) {
                std::string unproven;
                for (auto& code : st.unproven)
                    unproven += (unproven.empty() ? "" : ", ") + code;
                if (st.counted.empty())
                    ctx.say("count.settled_none", {unproven});
                else
                    ctx.say("count.settled_by_proof", {st.counted, unproven});
            }
            auto& a = out->accounting;
            ctx.say("count.accounting",
                    {std::to_string(a.received), std::to_string(a.counted),
                     std::to_string(a.invalid), std::to_string(a.conflicts),
                     std::to_string(a.conflicts_resolved), std::to_string(a.missing)});
            fs::path dir = o->out.empty() ? store->dir() / "reports" : fs::path(o->out);
            if (auto s = writeReports(out->results, &out->comments, dir, ctx.lang); !s)
                return ctx.fail(s.error());
            ctx.say("count.reports", {dir.string()});
        });
    }
    {
        auto* cmd = col->add_subcommand("results", ctx.t("cli.collector.results"));
        cmd->add_option("--store", o->dir, ctx.t("cli.opt.collector_store"))->required();
        cmd->add_option("--format", o->role, ctx.t("cli.opt.format"))
            ->required()
            ->check(CLI::IsMember({"json", "csv", "xlsx", "html"}));
        cmd->add_option("--out", o->out, ctx.t("cli.opt.report_file"))->required();
        cmd->add_flag("--stale", o->flag, ctx.t("cli.opt.stale"));
        cmd->callback([&ctx, o] {
            auto store = CollectorStore::open(o->dir);
            if (!store) return ctx.fail(store.error());
            auto j = storedResults(*store);
            if (!j) return ctx.fail(j.error());
            // An old count is not exported as if it were the store's, unless asked to.
            auto fresh = resultsFreshness(*store);
            if (!fresh) return ctx.fail(fresh.error());
            std::string why;
            for (auto& r : fresh->reasons(ctx.lang))
                why += (why.empty() ? "" : ctx.t("report.clause_sep")) + r;
            if (!fresh->current && !o->flag)
                return ctx.fail(Error::make(ErrorKind::Conflict, "results.stale", {why}));
            if (auto s = writeResultsAs(*j, o->role, o->out, ctx.lang); !s)
                return ctx.fail(s.error());
            ctx.say("results.written", {o->out});
            if (!fresh->current) ctx.say("results.stale_exported", {why});
        });
    }

    auto* results = app.add_subcommand("results", ctx.t("cli.results"));
    results->require_subcommand(1);
    {
        auto* cmd = results->add_subcommand("sign", ctx.t("cli.results.sign"));
        cmd->add_option("--results", o->file, ctx.t("cli.opt.results_file"))->required();
        cmd->add_option("--unit", o->meeting, ctx.t("cli.opt.unit"))->required();
        cmd->add_option("--key", o->organiser, ctx.t("cli.opt.unit_head_key"))->required();
        cmd->add_option("--passphrase-file", o->pass_file, ctx.t("cli.opt.passphrase_file"));
        cmd->add_flag("--confirm-noncompliant", o->flag, ctx.t("cli.opt.confirm_noncompliant"));
        cmd->callback([&ctx, o] {
            auto j = readResultsFile(o->file);
            if (!j) return ctx.fail(j.error());
            const ResultsUnit* unit = j->unit(o->meeting);
            if (!unit)
                return ctx.fail(
                    Error::make(ErrorKind::Invalid, "results.unknown_unit", {o->meeting}));
            auto problems = compositionProblems(*unit, ctx.lang);
            if (!problems.empty() && !o->flag) {
                ctx.fail(Error::make(ErrorKind::Invalid, "results.noncompliant_unconfirmed",
                                     {o->meeting}));
                for (auto& p : problems)
                    *ctx.err << "  " << p << "\n";
                return;
            }
            auto keys = unlockKeyFile(o->organiser, o->pass_file, ctx);
            if (!keys) return ctx.fail(keys.error());
            if (auto s = signUnit(*j, o->meeting, *keys, o->flag); !s) return ctx.fail(s.error());
            if (auto s = writeFileAtomic(o->file, resultsFileText(*j)); !s)
                return ctx.fail(s.error());
            ctx.say("results.signed", {o->meeting, keys->pub.label, keys->pub.fingerprint()});
        });
    }
    {
        auto* cmd = app.add_subcommand("verify", ctx.t("cli.verify"));
        cmd->add_option("--results", o->file, ctx.t("cli.opt.results_file"))->required();
        cmd->add_option("--package", o->package, ctx.t("cli.opt.package"));
        cmd->add_option("--receipt", o->answers, ctx.t("cli.opt.receipt"));
        cmd->add_option("--unit-head-pub", o->organiser, ctx.t("cli.opt.unit_head_pub"));
        cmd->callback([&ctx, o] {
            auto j = readResultsFile(o->file);
            if (!j) return ctx.fail(j.error());
            std::optional<Package> pkg;
            if (!o->package.empty()) {
                auto p = loadPackage(o->package);
                if (!p) return ctx.fail(p.error());
                pkg = std::move(*p);
            }
            std::optional<PublicKeys> head;
            if (!o->organiser.empty()) {
                auto k = loadPublicKeys(o->organiser);
                if (!k) return ctx.fail(k.error());
                head = *k;
            }
            auto v = verifyResultsDocument(*j, pkg ? &*pkg : nullptr, head ? &*head : nullptr,
                                           o->answers);
            if (!v) return ctx.fail(v.error());
            for (auto& c : v->signatures) {
                auto& s = c.signature;
                ctx.say(c.ok ? "verify.signature_ok" : "verify.signature_bad",
                        {ctx.t(s.role == "collector" ? "role.collector" : "role.unit-head"), s.unit,
                         s.label, fingerprint(s.key)});
                if (s.confirmed_noncompliant) ctx.say("verify.confirmed_noncompliant", {s.unit});
            }
            // What the ranking itself says: a unit whose ballots break the rules is not a valid
            // result, whoever signed it.
            for (auto& u : j->units)
                for (auto& p : compositionProblems(u, ctx.lang))
                    ctx.say("verify.unit_problem", {u.id, p});
            if (v->signatures.empty()) ctx.say("verify.no_signatures");
            if (v->collector_missing) ctx.say("verify.no_collector_signature");
            if (v->receipt)
                ctx.say(v->receipt_counted ? "verify.receipt_counted"
                                           : "verify.receipt_not_counted",
                        {*v->receipt});
            bool all_ok = v->ok;
            if (!all_ok) ctx.exit_code = 3;
        });
    }
}

} // namespace pingyi
