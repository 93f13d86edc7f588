// `pingyi demo`: the whole capture flow on the built-in seed campaign, through the same
// commands a person would type (runCli) and the same casting function as the kiosk.
#include "app/cli/cli.hpp"
#include "app/cli/commands.hpp"
#include "core/crypto.hpp"
#include "core/csv.hpp"
#include "platform/tablet_store.hpp"
#include "platform/workspace.hpp"

#include <cstdlib>
#include <map>
#include <set>

namespace pingyi {

namespace {
const char* kComments[] = {
    "服务热情，办事效率高，希望继续保持。", "审批材料清单可以再精简一些。",
    "政策解读及时，企业很受益。",           "窗口有时找不到人，建议公开值班电话。",
    "廉洁自律方面没有听到反映。",           "建议多到企业走访，了解实际困难。",
};

// Random but plausible answers: mostly 优秀/良好, some 一般, a few 不了解.
Answers demoAnswers(const Campaign& c, const std::string& unit, std::uint32_t comment_chance) {
    Answers a;
    for (auto si : c.subjectsOf(unit)) {
        const Subject& s = c.subjects[si];
        std::uint32_t bias = randomBelow(3);
        for (auto& item : c.questionnaire(s.questionnaire)->items) {
            std::uint32_t r = randomBelow(20);
            std::optional<std::string> level;
            if (r == 0)
                level = std::nullopt; // 不了解
            else {
                std::uint32_t k = std::min<std::uint32_t>(3, (r + bias * 3) / 7);
                level = c.scale.levels[k].id;
            }
            a.ratings[s.id][item.id] = level;
        }
        if (randomBelow(100) < comment_chance)
            a.comments[s.id] =
                kComments[randomBelow(static_cast<std::uint32_t>(std::size(kComments)))];
    }
    return a;
}

Result<std::vector<Token>> readTokensCsv(const fs::path& csv) {
    auto text = readTextFile(csv);
    if (!text) return text.error();
    std::string body =
        text->size() >= 3 && text->compare(0, 3, "\xEF\xBB\xBF") == 0 ? text->substr(3) : *text;
    auto rows = parseCsv(body, csv.string());
    if (!rows) return rows.error();
    std::vector<Token> out;
    for (std::size_t i = 1; i < rows->size(); ++i) {
        auto t = parseToken((*rows)[i].back());
        if (!t) return t.error();
        out.push_back(*t);
    }
    return out;
}
} // namespace

void registerDemoCommand(CLI::App& app, Context& ctx) {
    auto o = std::make_shared<Opts>();
    auto* cmd = app.add_subcommand("demo", ctx.t("cli.demo"));
    cmd->add_option("--out", o->out, ctx.t("cli.opt.demo_out"))->required();
    cmd->callback([&ctx, o] {
        fs::path root = o->out;
        std::error_code ec;
        if (fs::exists(root / "campaign", ec))
            return ctx.fail(Error::make(ErrorKind::Conflict, "demo.exists", {root.string()}));
        // Demo secrets only: a real office types its own at the prompts.
        setenv("PINGYI_PASSPHRASE", "demo-passphrase", 0);
        setenv("PINGYI_PIN", "246810", 0);
        ctx.say("demo.secrets");
        std::string lang = ctx.lang == Lang::En ? "en" : "zh";
        auto run = [&](std::vector<std::string> args) {
            args.insert(args.begin(), {"--lang", lang});
            std::string shown = "$ pingyi";
            for (std::size_t i = 2; i < args.size(); ++i)
                shown += " " + args[i];
            *ctx.out << "\n" << shown << "\n";
            int rc = runCli(args);
            if (rc != 0) ctx.exit_code = rc;
            return rc == 0;
        };
        std::string keys = (root / "keys").string(), camp = (root / "campaign").string();
        if (!run({"keys", "new", "--role", "organiser", "--out", keys + "/organiser", "--label",
                  "市经济局评议办"}) ||
            !run({"keys", "new", "--role", "collector", "--out", keys + "/collector", "--label",
                  "汇总机"}) ||
            !run({"campaign", "new", "--template", "seed", "--out", camp}) ||
            !run({"campaign", "check", "--campaign", camp}))
            return;
        struct Plan {
            const char* meeting;
            const char* category;
            std::size_t issue, cast;
        };
        const Plan plan[] = {
            {"U1/social", "npc", 4, 4},    {"U1/social", "cppcc", 3, 3},
            {"U1/social", "leader", 3, 3}, {"U1/social", "service", 25, 23},
            {"U1/self", "cadre", 10, 9},   {"U1/self", "head", 3, 3},
            {"U2/social", "npc", 2, 2},    {"U2/social", "service", 8, 6},
            {"U2/self", "cadre", 5, 4},    {"U3/social", "service", 6, 5},
        };
        for (auto& p : plan)
            if (!run({"tokens", "issue", "--campaign", camp, "--meeting", p.meeting, "--category",
                      p.category, "--count", std::to_string(p.issue)}))
                return;
        if (!run({"campaign", "seal", "--campaign", camp, "--organiser-key",
                  keys + "/organiser.key", "--collector-pub", keys + "/collector.pub"}) ||
            !run({"tablet", "init", "--package", camp + "/package.pyp", "--organiser-key",
                  keys + "/organiser.key", "--out", (root / "tablets").string(), "--count", "3"}))
            return;
        // A late representative: one more token after the package went out.
        if (!run({"tokens", "add", "--campaign", camp, "--meeting", "U1/social", "--category",
                  "service", "--count", "1", "--organiser-key", keys + "/organiser.key"}))
            return;
        for (int i = 1; i <= 3; ++i) {
            char dir[32];
            std::snprintf(dir, sizeof dir, "tablet-%02d", i);
            if (!run({"tablet", "add-tokens", "--tablet", (root / "tablets" / dir).string(),
                      camp + "/additions/0001.pya"}))
                return;
        }

        // Casting: the kiosk's function, with the tokens from the printed lists.
        std::vector<TabletStore> tablets;
        std::vector<Secret> keys_sk;
        for (int i = 1; i <= 3; ++i) {
            char dir[32];
            std::snprintf(dir, sizeof dir, "tablet-%02d", i);
            auto s = TabletStore::open(root / "tablets" / dir);
            if (!s) return ctx.fail(s.error());
            auto sk = s->unlockDeviceKey(std::getenv("PINGYI_PIN"));
            if (!sk) return ctx.fail(sk.error());
            tablets.push_back(std::move(*s));
            keys_sk.push_back(std::move(*sk));
        }
        *ctx.out << "\n";
        std::size_t cast = 0, unknown = 0, comments = 0;
        std::map<std::string, std::size_t> per_meeting;
        for (auto& entry : fs::directory_iterator(fs::path(camp) / "tokens")) {
            if (entry.path().extension() != ".csv") continue;
            auto tokens = readTokensCsv(entry.path());
            if (!tokens) return ctx.fail(tokens.error());
            std::string name = entry.path().stem().string(); // U1-social-npc-001
            std::size_t limit = tokens->size();
            for (auto& p : plan) {
                std::string prefix = std::string(p.meeting) + "-" + p.category + "-";
                for (auto& ch : prefix)
                    if (ch == '/') ch = '-';
                if (name.rfind(prefix, 0) == 0 && name.size() == prefix.size() + 3 &&
                    name.substr(prefix.size()) == "001")
                    limit = p.cast;
            }
            for (std::size_t k = 0; k < limit; ++k) {
                TabletStore& t = tablets[cast % 3];
                auto place = t.checkToken((*tokens)[k]);
                if (!place) return ctx.fail(place.error());
                Answers a = demoAnswers(t.campaign(), place->meeting.unit, 25);
                for (auto& [sid, items] : a.ratings)
                    for (auto& [iid, lvl] : items)
                        unknown += lvl ? 0 : 1;
                comments += a.comments.size();
                auto r = t.cast((*tokens)[k], a, keys_sk[cast % 3]);
                a.wipe();
                if (!r) return ctx.fail(r.error());
                ++per_meeting[place->meeting.id()];
                ++cast;
            }
        }
        // One token used twice: a representative votes on tablet 01, then again on tablet 02, which
        // was offline and cannot know. The collector must show it as a conflict.
        std::string reused_receipt;
        {
            auto tokens = readTokensCsv(fs::path(camp) / "tokens" / "U1-social-service-001.csv");
            if (!tokens) return ctx.fail(tokens.error());
            const Token& t = tokens->back(); // issued, not yet cast
            for (int k = 0; k < 2; ++k) {
                Answers a = demoAnswers(tablets[static_cast<std::size_t>(k)].campaign(), "U1", 0);
                auto r = tablets[static_cast<std::size_t>(k)].cast(
                    t, a, keys_sk[static_cast<std::size_t>(k)]);
                a.wipe();
                if (!r) return ctx.fail(r.error());
                if (k == 0) reused_receipt = r->code;
                ++cast;
            }
            ctx.say("demo.reused", {reused_receipt});
        }
        ctx.say("demo.cast",
                {std::to_string(cast), std::to_string(unknown), std::to_string(comments)});
        for (auto& [m, n] : per_meeting)
            ctx.say("demo.cast_meeting", {m, std::to_string(n)});
        // The meetings are over: closing them lets each tablet's last few ballots go with the
        // export (a meeting's ballots leave a tablet only in groups of kReleaseGroup otherwise).
        std::set<std::string> all_meetings;
        for (auto& m : tablets.front().campaign().meetings())
            all_meetings.insert(m.id());
        for (auto& t : tablets)
            if (auto s = t.closeMeetings(all_meetings); !s) return ctx.fail(s.error());
        for (auto& t : tablets)
            if (auto s = t.foldJournal(); !s) return ctx.fail(s.error());
        tablets.clear();
        keys_sk.clear();
        // Every slip is handed out: the only plaintext tokens go.
        if (!run({"tokens", "shred", "--campaign", camp})) return;

        for (int i = 1; i <= 3; ++i) {
            char dir[32];
            std::snprintf(dir, sizeof dir, "tablet-%02d", i);
            std::string tdir = (root / "tablets" / dir).string();
            if (!run({"bundle", "export", "--tablet", tdir, "--out",
                      (root / "bundles" / (std::string(dir) + ".pyb")).string()}) ||
                !run({"tablet", "status", "--tablet", tdir}))
                return;
        }

        // The collector: bundles arrive twice and out of order; the token additions arrive late.
        std::string store = (root / "collector").string(), b = (root / "bundles").string();
        if (!run({"keys", "new", "--role", "unit-head", "--out", keys + "/unit-head-U1", "--label",
                  "市经济局局长"}) ||
            !run({"collector", "init", "--store", store, "--package", camp + "/package.pyp",
                  "--collector-pub", keys + "/collector.pub", "--organiser-pub",
                  keys + "/organiser.pub"}))
            return;
        run({"collector", "import", "--store", store, b + "/tablet-03.pyb", b + "/tablet-01.pyb",
             b + "/tablet-03.pyb"});
        ctx.exit_code =
            0; // the late token's ballot is rejected until the additions arrive: expected
        if (!run({"collector", "import", "--store", store, camp + "/additions/0001.pya",
                  b + "/tablet-02.pyb", b + "/tablet-01.pyb"}) ||
            !run({"collector", "status", "--store", store}) ||
            !run({"collector", "resolve", "--store", store, "--conflict", "1", "--count",
                  reused_receipt, "--reason", ctx.t("demo.resolve_reason")}) ||
            !run({"collector", "count", "--store", store, "--key", keys + "/collector.key", "--out",
                  (root / "reports").string()}) ||
            !run({"results", "sign", "--results", (root / "reports" / "results.json").string(),
                  "--unit", "U1", "--key", keys + "/unit-head-U1.key"}) ||
            !run({"verify", "--results", (root / "reports" / "results.json").string(), "--package",
                  camp + "/package.pyp", "--unit-head-pub", keys + "/unit-head-U1.pub", "--receipt",
                  reused_receipt}))
            return;
        ctx.say("demo.done", {root.string()});
    });
}

} // namespace pingyi
