#include "core/catalog.hpp"

#include <algorithm>
#include <array>

namespace pingyi {

namespace {
// Keep ids sorted by area; tests check that every entry has both languages.
constexpr CatalogEntry kEntries[] = {
    // --- generic
    {"app.name", "评议", "Pingyi"},
    {"error.prefix", "错误：", "Error: "},
    {"error.internal", "内部错误：{0}", "internal error: {0}"},

    // --- campaign source
    {"campaign.bad_json", "{0}：不是有效的 JSON 文本", "{0}: not valid JSON text"},
    {"campaign.missing", "{0}：缺少此项", "{0}: missing"},
    {"campaign.not_text", "{0}：应为文字", "{0}: must be text"},
    {"campaign.bad_utf8", "{0}：文字编码无效（应为 UTF-8）", "{0}: invalid text encoding (must be UTF-8)"},
    {"campaign.empty", "{0}：不能为空", "{0}: must not be empty"},
    {"campaign.too_long", "{0}：过长（最多 {1} 个字）", "{0}: too long (at most {1} characters)"},
    {"campaign.bad_id", "{0}：编号“{1}”无效（只能用字母、数字、-、_、.）",
     "{0}: invalid id \"{1}\" (letters, digits, -, _, . only)"},
    {"campaign.bad_number", "{0}：应为 {1} 到 {2} 之间的整数", "{0}: must be a whole number from {1} to {2}"},
    {"campaign.not_list", "{0}：应为列表", "{0}: must be a list"},
    {"campaign.empty_list", "{0}：列表不能为空", "{0}: the list must not be empty"},
    {"campaign.not_object", "{0}：应为对象（{...}）", "{0}: must be an object ({...})"},
    {"campaign.duplicate_id", "{0}：编号“{1}”重复", "{0}: duplicate id \"{1}\""},
    {"campaign.bad_format", "{0}：格式“{1}”不受支持（应为 {2}）", "{0}: unsupported format \"{1}\" (expected {2})"},
    {"campaign.bad_fraction", "{0}：分值应为 0 到 1 之间、最多三位小数的数",
     "{0}: the value must be a number from 0 to 1 with at most 3 decimals"},
    {"campaign.too_many", "{0}：数量过多（最多 {1} 个）", "{0}: too many (at most {1})"},
    {"campaign.unknown_category", "{0}：未知代表类别“{1}”（测评类别 {2}）",
     "{0}: unknown category \"{1}\" (group {2})"},
    {"campaign.quota_sum", "{0}：各比例之和为 {1}%，应为 100%", "{0}: the shares add up to {1}%, not 100%"},
    {"campaign.unknown_group", "{0}：未知测评类别“{1}”", "{0}: unknown group \"{1}\""},
    {"campaign.unknown_unit", "{0}：未知单位“{1}”", "{0}: unknown unit \"{1}\""},
    {"campaign.unknown_questionnaire", "{0}：未知测评问卷“{1}”", "{0}: unknown questionnaire \"{1}\""},
    {"campaign.unit_without_subjects", "{0}：单位“{1}”没有评议对象", "{0}: unit \"{1}\" has no subjects"},
    {"campaign.unknown_meeting", "未知测评会“{0}”（应为 单位编号/测评类别，如 U1/social）",
     "unknown meeting \"{0}\" (expected unit/group, e.g. U1/social)"},
    {"campaign.unknown_category_in_meeting", "测评会 {0} 没有代表类别“{1}”",
     "meeting {0} has no category \"{1}\""},

    // --- text and rosters
    {"text.bad_utf8", "{0}：带 BOM 的文件不是有效的 UTF-8", "{0}: the file has a UTF-8 BOM but is not valid UTF-8"},
    {"text.no_iconv", "系统缺少 {0} 编码转换", "the system cannot convert from {0}"},
    {"text.undecodable", "{0}：无法识别文字编码（第 {1} 字节处），请另存为 UTF-8 或 GBK",
     "{0}: unrecognised text encoding (at byte {1}); save it as UTF-8 or GBK"},

    // --- tokens
    {"token.bad_char", "凭证中有无效字符“{0}”", "the token contains an invalid character \"{0}\""},
    {"token.bad_length", "凭证长度为 {0} 位，应为 {1} 位", "the token has {0} characters; it must have {1}"},
    {"token.bad_check", "凭证有误：请逐位核对后重新输入", "the token has a typo: check each character and type it again"},
    {"token.unknown", "此凭证不属于本次评议活动", "this token does not belong to this campaign"},
    {"token.used", "此凭证已经使用过", "this token has already been used"},
    {"token.meeting_closed", "此凭证所属的测评会（{0}）未在本平板开放", "this token's meeting ({0}) is not open on this tablet"},
};
}  // namespace

std::span<const CatalogEntry> catalogEntries() { return kEntries; }

static const CatalogEntry* find(std::string_view id) {
    for (auto& e : kEntries)
        if (id == e.id) return &e;
    return nullptr;
}

bool hasMessage(std::string_view id) { return find(id) != nullptr; }

std::string tr(Lang lang, std::string_view id, const std::vector<std::string>& args) {
    const CatalogEntry* e = find(id);
    if (!e) {
        std::string s = "[" + std::string(id) + "]";
        for (auto& a : args) s += " " + a;
        return s;
    }
    std::string_view fmt = lang == Lang::En ? e->en : e->zh;
    std::string out;
    for (std::size_t i = 0; i < fmt.size(); ++i) {
        if (fmt[i] == '{' && i + 2 < fmt.size() && fmt[i + 2] == '}' && fmt[i + 1] >= '0' &&
            fmt[i + 1] <= '9') {
            std::size_t k = static_cast<std::size_t>(fmt[i + 1] - '0');
            if (k < args.size()) out += args[k];
            i += 2;
        } else {
            out.push_back(fmt[i]);
        }
    }
    return out;
}

std::string describe(const Error& e, Lang lang) { return tr(lang, e.id, e.args); }

Lang langFromName(std::string_view name) {
    return (name == "en" || name == "EN" || name.rfind("en_", 0) == 0) ? Lang::En : Lang::Zh;
}

}  // namespace pingyi
