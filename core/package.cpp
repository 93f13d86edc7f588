#include "core/package.hpp"
#include "core/json_util.hpp"

#include <nlohmann/json.hpp>

#include <cstring>
#include <set>

namespace pingyi {

using nlohmann::json;

namespace {
constexpr std::uint8_t kPackageMagic[4] = {'P', 'Y', 'P', 'K'};
constexpr std::uint8_t kAdditionsMagic[4] = {'P', 'Y', 'A', 'D'};
// Version 2: token tags are derived through the token proof (core/token.hpp, tag key "v2"). A
// version 1 package's tags would match no token typed now, so it is refused by its version.
constexpr std::uint16_t kVersion = 2;
constexpr std::size_t kMaxBody = 256u << 20;

json tokensToJson(const std::vector<TokenSet>& sets) {
    json arr = json::array();
    for (auto& s : sets) {
        std::vector<std::string> tags;
        tags.reserve(s.tags.size());
        for (auto& t : s.tags)
            tags.push_back(toHex(t));
        arr.push_back({{"meeting", s.meeting}, {"category", s.category}, {"tags", tags}});
    }
    return arr;
}

Result<std::vector<TokenSet>> tokensFromJson(const json& arr, const Campaign& c) {
    std::vector<TokenSet> out;
    if (!arr.is_array()) return Error::make(ErrorKind::Invalid, "package.bad_tokens");
    std::set<Hash32> seen;
    for (auto& e : arr) {
        if (!e.is_object() || !e.contains("meeting") || !e.contains("category") ||
            !e.contains("tags") || !e["meeting"].is_string() || !e["category"].is_string() ||
            !e["tags"].is_array())
            return Error::make(ErrorKind::Invalid, "package.bad_tokens");
        TokenSet s;
        s.meeting = e["meeting"].get<std::string>();
        s.category = e["category"].get<std::string>();
        auto m = c.meeting(s.meeting);
        if (!m) return Error::make(ErrorKind::Invalid, "campaign.unknown_meeting", {s.meeting});
        if (!c.category(*c.group(m->group), s.category))
            return Error::make(ErrorKind::Invalid, "campaign.unknown_category_in_meeting",
                               {s.meeting, s.category});
        for (auto& t : e["tags"]) {
            Hash32 h;
            if (!t.is_string() || !fromHex32(t.get<std::string>(), h))
                return Error::make(ErrorKind::Invalid, "package.bad_tokens");
            if (!seen.insert(h).second)
                return Error::make(ErrorKind::Invalid, "package.duplicate_token");
            s.tags.push_back(h);
        }
        out.push_back(std::move(s));
    }
    return out;
}

Bytes signedFile(const std::uint8_t (&magic)[4], const std::string& body, const Secret& sk) {
    Writer w;
    w.raw(magic);
    w.u16(kVersion);
    w.blob32(view(body));
    Signature sig = sign(sk, w.bytes());
    w.raw(sig);
    return w.take();
}

struct SignedFile {
    std::string body;
    ByteView signed_part;
    Signature sig{};
};

Result<SignedFile> readSignedFile(ByteView bytes, const std::uint8_t (&magic)[4],
                                  const char* what) {
    Reader r(bytes);
    std::uint8_t m[4];
    std::uint16_t version = 0;
    ByteView body;
    SignedFile f;
    if (!r.fixed(m) || std::memcmp(m, magic, 4) != 0)
        return Error::make(ErrorKind::Invalid, "format.bad_magic", {what});
    if (!r.u16(version)) return Error::make(ErrorKind::Invalid, "format.truncated", {what});
    if (version != kVersion)
        return Error::make(ErrorKind::Invalid, "format.bad_version",
                           {what, std::to_string(version)});
    if (!r.blob32(body, kMaxBody))
        return Error::make(ErrorKind::Invalid, "format.truncated", {what});
    f.signed_part = bytes.first(r.offset());
    if (!r.fixed(f.sig)) return Error::make(ErrorKind::Invalid, "format.truncated", {what});
    if (!r.atEnd()) return Error::make(ErrorKind::Invalid, "format.trailing", {what});
    f.body.assign(reinterpret_cast<const char*>(body.data()), body.size());
    return f;
}

// The text of j[key], or "" if it is missing or not text (json::value() would throw).
std::string textField(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool keyFromJson(const json& j, const char* key, PublicKey& out) {
    auto it = j.find(key);
    Hash32 h;
    if (it == j.end() || !it->is_string() || !fromHex32(it->get<std::string>(), h)) return false;
    std::memcpy(out.data(), h.data(), 32);
    return true;
}
} // namespace

void TokenIndex::add(const Campaign& c, const std::vector<TokenSet>& sets) {
    for (auto& s : sets) {
        auto m = c.meeting(s.meeting);
        if (!m) continue;
        for (auto& t : s.tags)
            map_[t] = TokenPlace{*m, s.category};
    }
}

bool TokenIndex::clashes(const std::vector<TokenSet>& sets) const {
    for (auto& s : sets)
        for (auto& t : s.tags)
            if (const TokenPlace* p = find(t);
                p && (p->meeting.id() != s.meeting || p->category != s.category))
                return true;
    return false;
}

const TokenPlace* TokenIndex::find(const Hash32& tag) const {
    auto it = map_.find(tag);
    return it == map_.end() ? nullptr : &it->second;
}

Bytes encodePackage(const PackageBody& b, const Secret& organiser_sk) {
    json j;
    j["format"] = "pingyi-package/1";
    j["campaign"] = campaignToJson(b.campaign);
    j["organiser"] = toHex(b.organiser);
    j["collector_box"] = toHex(b.collector_box);
    j["collector_sign"] = toHex(b.collector_sign);
    j["tokens"] = tokensToJson(b.tokens);
    return signedFile(kPackageMagic, j.dump(), organiser_sk);
}

Result<Package> decodePackage(ByteView bytes) {
    auto f = readSignedFile(bytes, kPackageMagic, "@thing.package");
    if (!f) return f.error();
    json j = json::parse(f->body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || textField(j, "format") != "pingyi-package/1")
        return Error::make(ErrorKind::Invalid, "format.bad_body", {"@thing.package"});
    Package p;
    if (!keyFromJson(j, "organiser", p.body.organiser) ||
        !keyFromJson(j, "collector_box", p.body.collector_box) ||
        !keyFromJson(j, "collector_sign", p.body.collector_sign))
        return Error::make(ErrorKind::Invalid, "format.bad_body", {"@thing.package"});
    if (!verify(p.body.organiser, f->signed_part, f->sig))
        return Error::make(ErrorKind::Forged, "package.bad_signature");
    auto parsed = parseCampaign(j["campaign"]);
    if (!parsed.campaign)
        return Error::make(ErrorKind::Invalid, "format.bad_body", {"@thing.package"});
    p.body.campaign = std::move(*parsed.campaign);
    auto tokens =
        tokensFromJson(j.contains("tokens") ? j["tokens"] : json::array(), p.body.campaign);
    if (!tokens) return tokens.error();
    p.body.tokens = std::move(*tokens);
    p.digest = hash(f->signed_part);
    p.bytes.assign(bytes.begin(), bytes.end());
    return p;
}

Bytes encodeAdditions(const Hash32& campaign, std::uint32_t serial,
                      const std::vector<TokenSet>& tokens, const Secret& organiser_sk) {
    json j;
    j["format"] = "pingyi-additions/1";
    j["campaign"] = toHex(campaign);
    j["serial"] = serial;
    j["tokens"] = tokensToJson(tokens);
    return signedFile(kAdditionsMagic, j.dump(), organiser_sk);
}

Result<TokenAdditions> decodeAdditions(ByteView bytes, const Package& package) {
    auto f = readSignedFile(bytes, kAdditionsMagic, "@thing.additions");
    if (!f) return f.error();
    json j = json::parse(f->body, nullptr, false);
    if (j.is_discarded() || !j.is_object() || textField(j, "format") != "pingyi-additions/1" ||
        !j.contains("serial") || !j["serial"].is_number_unsigned())
        return Error::make(ErrorKind::Invalid, "format.bad_body", {"@thing.additions"});
    if (!verify(package.body.organiser, f->signed_part, f->sig))
        return Error::make(ErrorKind::Forged, "additions.bad_signature");
    TokenAdditions a;
    if (!fromHex32(textField(j, "campaign"), a.campaign) || a.campaign != package.digest)
        return Error::make(ErrorKind::Invalid, "additions.other_campaign");
    a.serial = j["serial"].get<std::uint32_t>();
    auto tokens =
        tokensFromJson(j.contains("tokens") ? j["tokens"] : json::array(), package.body.campaign);
    if (!tokens) return tokens.error();
    a.tokens = std::move(*tokens);
    a.digest = hash(f->signed_part);
    a.bytes.assign(bytes.begin(), bytes.end());
    return a;
}

} // namespace pingyi
