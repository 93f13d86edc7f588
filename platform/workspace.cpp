#include "platform/workspace.hpp"
#include "core/json_util.hpp"

#include "core/csv.hpp"
#include "core/envelope.hpp"
#include "core/pin.hpp"
#include "core/slips.hpp"
#include "platform/tablet_store.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

namespace pingyi {

using nlohmann::json;

Status writeCampaignSource(const fs::path& file, const Campaign& c) {
    return writeFileAtomic(file, campaignToJson(c).dump(2) + "\n");
}

CampaignParse loadCampaignSource(const fs::path& file) {
    CampaignParse r;
    auto text = readTextFile(file);
    if (!text) {
        r.problems.push_back(text.error());
        return r;
    }
    return parseCampaignText(*text);
}

namespace {
Result<std::vector<TokenSet>> readIssued(const Workspace& ws) {
    std::error_code ec;
    if (!fs::exists(ws.issuedFile(), ec)) return std::vector<TokenSet>{};
    auto text = readTextFile(ws.issuedFile());
    if (!text) return text.error();
    json j = json::parse(*text, nullptr, false);
    if (j.is_discarded() || !j.is_array())
        return Error::make(ErrorKind::Invalid, "workspace.bad_issued", {ws.issuedFile().string()});
    std::vector<TokenSet> out;
    for (auto& e : j) {
        TokenSet s;
        s.meeting = jsonText(e, "meeting");
        s.category = jsonText(e, "category");
        for (auto& t : jsonArray(e, "tags")) {
            Hash32 h;
            if (!t.is_string() || !fromHex32(t.get<std::string>(), h))
                return Error::make(ErrorKind::Invalid, "workspace.bad_issued",
                                   {ws.issuedFile().string()});
            s.tags.push_back(h);
        }
        out.push_back(std::move(s));
    }
    return out;
}

Status writeIssued(const Workspace& ws, const std::vector<TokenSet>& sets) {
    json arr = json::array();
    for (auto& s : sets) {
        std::vector<std::string> tags;
        for (auto& t : s.tags)
            tags.push_back(toHex(t));
        arr.push_back({{"meeting", s.meeting}, {"category", s.category}, {"tags", tags}});
    }
    return writeFileAtomic(ws.issuedFile(), arr.dump(1) + "\n");
}

// Draws tokens and writes the CSV and the slips; names files by meeting, category and a number.
Result<IssuedTokens> drawTokens(const Workspace& ws, const Campaign& c, const std::string& meeting,
                                const std::string& category, std::size_t count, Lang lang) {
    auto m = c.meeting(meeting);
    if (!m) return Error::make(ErrorKind::Invalid, "campaign.unknown_meeting", {meeting});
    if (!c.category(*c.group(m->group), category))
        return Error::make(ErrorKind::Invalid, "campaign.unknown_category_in_meeting",
                           {meeting, category});
    if (count == 0 || count > 100000)
        return Error::make(ErrorKind::Invalid, "tokens.bad_count", {std::to_string(count)});
    IssuedTokens out;
    out.set.meeting = meeting;
    out.set.category = category;
    for (std::size_t i = 0; i < count; ++i) {
        Token t = newToken();
        out.set.tags.push_back(tokenTag(c.id, t));
        out.tokens.push_back(std::move(t));
    }
    PY_TRY(ensureDirectory(ws.tokensDir()));
    std::string base = m->unit + "-" + m->group + "-" + category;
    for (int n = 1;; ++n) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "-%03d", n);
        fs::path csv = ws.tokensDir() / (base + suffix + ".csv");
        std::error_code ec;
        if (!fs::exists(csv, ec)) {
            out.csv = csv;
            out.html = ws.tokensDir() / (base + suffix + ".html");
            break;
        }
    }
    std::vector<std::vector<std::string>> rows;
    rows.push_back({tr(lang, "tokens.csv_number"), tr(lang, "tokens.csv_meeting"),
                    tr(lang, "tokens.csv_category"), tr(lang, "tokens.csv_token")});
    for (std::size_t i = 0; i < out.tokens.size(); ++i)
        rows.push_back({std::to_string(i + 1), meeting, category, out.tokens[i].display()});
    PY_TRY(writeFileAtomic(out.csv, writeCsv(rows, true), true));
    PY_TRY(writeFileAtomic(out.html, renderSlipsHtml(c, *m, category, out.tokens, lang), true));
    return out;
}
} // namespace

Result<IssuedTokens> issueTokens(const Workspace& ws, const Campaign& c, const std::string& meeting,
                                 const std::string& category, std::size_t count, Lang lang) {
    std::error_code ec;
    if (fs::exists(ws.packageFile(), ec))
        return Error::make(ErrorKind::Conflict, "workspace.sealed", {ws.packageFile().string()});
    auto sets = readIssued(ws);
    if (!sets) return sets.error();
    auto issued = drawTokens(ws, c, meeting, category, count, lang);
    if (!issued) return issued.error();
    sets->push_back(issued->set);
    PY_TRY(writeIssued(ws, *sets));
    return issued;
}

Result<std::vector<fs::path>> plaintextTokenFiles(const Workspace& ws) {
    std::vector<fs::path> out;
    std::error_code ec;
    if (!fs::is_directory(ws.tokensDir(), ec)) return out;
    auto list = [](const std::string& name) {
        return name.ends_with(".csv") || name.ends_with(".html");
    };
    for (auto it = fs::directory_iterator(ws.tokensDir(), ec);
         !ec && it != fs::directory_iterator(); it.increment(ec)) {
        if (!it->is_regular_file(ec)) continue;
        std::string name = it->path().filename().string();
        // writeFileAtomic's temporary file: ".NAME.XXXXXX".
        if (name.size() > 8 && name[0] == '.' && name[name.size() - 7] == '.' &&
            list(name.substr(1, name.size() - 8)))
            out.push_back(it->path());
        else if (name[0] != '.' && list(name))
            out.push_back(it->path());
    }
    if (ec)
        return Error::make(ErrorKind::Io, "file.read_failed",
                           {ws.tokensDir().string(), ec.message()});
    std::sort(out.begin(), out.end());
    return out;
}

Result<std::vector<fs::path>> shredTokenLists(const Workspace& ws) {
    auto files = plaintextTokenFiles(ws);
    if (!files) return files.error();
    for (auto& f : *files)
        PY_TRY(shredFile(f));
    return files;
}

Result<Package> sealCampaign(const Workspace& ws, const SecretKeys& organiser,
                             const PublicKeys& collector) {
    if (organiser.pub.role != KeyRole::Organiser)
        return Error::make(ErrorKind::Invalid, "key.wrong_role",
                           {keyRoleName(organiser.pub.role), "organiser"});
    if (collector.role != KeyRole::Collector)
        return Error::make(ErrorKind::Invalid, "key.wrong_role",
                           {keyRoleName(collector.role), "collector"});
    auto parsed = loadCampaignSource(ws.campaignFile());
    if (!parsed.campaign) return parsed.problems.front();
    auto sets = readIssued(ws);
    if (!sets) return sets.error();
    if (sets->empty()) return Error::make(ErrorKind::Invalid, "workspace.no_tokens");
    PackageBody body;
    body.campaign = std::move(*parsed.campaign);
    body.organiser = organiser.pub.sign;
    body.collector_box = collector.box;
    body.collector_sign = collector.sign;
    // A set issued for a meeting that the edited campaign no longer has is an error, found here.
    for (auto& s : *sets) {
        auto m = body.campaign.meeting(s.meeting);
        if (!m) return Error::make(ErrorKind::Invalid, "campaign.unknown_meeting", {s.meeting});
    }
    body.tokens = std::move(*sets);
    Bytes bytes = encodePackage(body, organiser.sign_sk);
    auto pkg = decodePackage(bytes);
    if (!pkg) return pkg.error();
    PY_TRY(writeFileAtomic(ws.packageFile(), bytes));
    // Token additions land here later; the folder exists from the start, so the collector's
    // import of "bundles and additions" works the same before any token is added.
    PY_TRY(ensureDirectory(ws.additionsDir()));
    return pkg;
}

Result<Package> loadPackage(const fs::path& file, const PublicKey* organiser) {
    auto bytes = readFile(file, 512u << 20);
    if (!bytes) return bytes.error();
    auto pkg = decodePackage(*bytes);
    if (!pkg) return pkg.error();
    if (organiser && pkg->body.organiser != *organiser)
        return Error::make(ErrorKind::Forged, "package.other_organiser", {file.string()});
    return pkg;
}

Result<AddedTokens> addTokens(const Workspace& ws, const SecretKeys& organiser,
                              const std::string& meeting, const std::string& category,
                              std::size_t count, Lang lang) {
    auto pkg = loadPackage(ws.packageFile(), &organiser.pub.sign);
    if (!pkg) return pkg.error();
    auto issued = drawTokens(ws, pkg->body.campaign, meeting, category, count, lang);
    if (!issued) return issued.error();
    PY_TRY(ensureDirectory(ws.additionsDir()));
    std::uint32_t serial = 1;
    fs::path file;
    for (;; ++serial) {
        char name[32];
        std::snprintf(name, sizeof name, "%04u.pya", serial);
        file = ws.additionsDir() / name;
        std::error_code ec;
        if (!fs::exists(file, ec)) break;
    }
    Bytes bytes = encodeAdditions(pkg->digest, serial, {issued->set}, organiser.sign_sk);
    PY_TRY(writeFileAtomic(file, bytes));
    return AddedTokens{std::move(*issued), file};
}

Result<std::vector<PreparedTablet>> prepareTablets(const Package& package,
                                                   const SecretKeys& organiser,
                                                   const fs::path& out_dir, std::size_t count,
                                                   const std::string& label_prefix,
                                                   std::string_view pin, KdfCost cost) {
    if (organiser.pub.sign != package.body.organiser)
        return Error::make(ErrorKind::Forged, "package.other_organiser", {out_dir.string()});
    if (count == 0 || count > 1000) return Error::make(ErrorKind::Invalid, "tablet.bad_count");
    PY_TRY(checkPin(pin));
    std::vector<PreparedTablet> out;
    for (std::size_t i = 1; i <= count; ++i) {
        char num[16];
        std::snprintf(num, sizeof num, "%02zu", i);
        std::string label = label_prefix + num;
        fs::path dir =
            count == 1 && label_prefix.empty() ? out_dir : out_dir / ("tablet-" + std::string(num));
        SignKeyPair device = signKeyPair();
        Bytes cert = encodeCertificate(package.digest, device.pk, label, organiser.sign_sk);
        auto store = TabletStore::create(dir, package, cert, device, pin, cost);
        if (!store) return store.error();
        out.push_back({dir, label, fingerprint(device.pk)});
    }
    return out;
}

} // namespace pingyi
