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
    {"campaign.bad_utf8", "{0}：文字编码无效（应为 UTF-8）",
     "{0}: invalid text encoding (must be UTF-8)"},
    {"campaign.empty", "{0}：不能为空", "{0}: must not be empty"},
    {"campaign.too_long", "{0}：过长（最多 {1} 个字）", "{0}: too long (at most {1} characters)"},
    {"campaign.bad_id", "{0}：编号“{1}”无效（只能用字母、数字、-、_、.）",
     "{0}: invalid id \"{1}\" (letters, digits, -, _, . only)"},
    {"campaign.bad_number", "{0}：应为 {1} 到 {2} 之间的整数",
     "{0}: must be a whole number from {1} to {2}"},
    {"campaign.not_list", "{0}：应为列表", "{0}: must be a list"},
    {"campaign.empty_list", "{0}：列表不能为空", "{0}: the list must not be empty"},
    {"campaign.not_object", "{0}：应为对象（{...}）", "{0}: must be an object ({...})"},
    {"campaign.duplicate_id", "{0}：编号“{1}”重复", "{0}: duplicate id \"{1}\""},
    {"campaign.bad_format", "{0}：格式“{1}”不受支持（应为 {2}）",
     "{0}: unsupported format \"{1}\" (expected {2})"},
    {"campaign.bad_fraction", "{0}：分值应为 0 到 1 之间、最多三位小数的数",
     "{0}: the value must be a number from 0 to 1 with at most 3 decimals"},
    {"campaign.too_many", "{0}：数量过多（最多 {1} 个）", "{0}: too many (at most {1})"},
    {"campaign.unknown_category", "{0}：未知代表类别“{1}”（测评类别 {2}）",
     "{0}: unknown category \"{1}\" (group {2})"},
    {"campaign.quota_sum", "{0}：各比例之和为 {1}%，应为 100%",
     "{0}: the shares add up to {1}%, not 100%"},
    {"campaign.unknown_group", "{0}：未知测评类别“{1}”", "{0}: unknown group \"{1}\""},
    {"campaign.unknown_unit", "{0}：未知单位“{1}”", "{0}: unknown unit \"{1}\""},
    {"campaign.unknown_questionnaire", "{0}：未知测评问卷“{1}”",
     "{0}: unknown questionnaire \"{1}\""},
    {"campaign.unit_without_subjects", "{0}：单位“{1}”没有评议对象",
     "{0}: unit \"{1}\" has no subjects"},
    {"campaign.unknown_meeting", "未知测评会“{0}”（应为 单位编号/测评类别，如 U1/social）",
     "unknown meeting \"{0}\" (expected unit/group, e.g. U1/social)"},
    {"campaign.unknown_category_in_meeting", "测评会 {0} 没有代表类别“{1}”",
     "meeting {0} has no category \"{1}\""},

    // --- text and rosters
    {"text.bad_utf8", "{0}：带 BOM 的文件不是有效的 UTF-8",
     "{0}: the file has a UTF-8 BOM but is not valid UTF-8"},
    {"text.no_iconv", "系统缺少 {0} 编码转换", "the system cannot convert from {0}"},
    {"text.undecodable", "{0}：无法识别文字编码（第 {1} 字节处），请另存为 UTF-8 或 GBK",
     "{0}: unrecognised text encoding (at byte {1}); save it as UTF-8 or GBK"},

    // --- rosters (csv)
    {"csv.unclosed_quote", "{0}：第 {1} 行的引号没有闭合", "{0}: line {1}: unclosed quote"},
    {"csv.text_after_quote", "{0}：第 {1} 行的引号后面紧跟着文字（引号内的引号应写成两个 \"\"）",
     "{0}: line {1}: text right after a closing quote (a quote inside quotes is written as \"\")"},
    {"roster.no_rows", "{0}：文件中没有数据行", "{0}: the file has no data rows"},
    {"roster.missing_column", "{0}：缺少“{1}”列（{2}）",
     "{0}: the column \"{2}\" ({1}) is missing"},
    {"roster.duplicate_column", "{0}：“{1}”列出现了不止一次",
     "{0}: the column \"{1}\" appears more than once"},
    {"roster.empty_cell", "{0} 第 {1} 行：“{2}”不能为空", "{0} row {1}: \"{3}\" must not be empty"},
    {"roster.too_long", "{0} 第 {1} 行：“{2}”过长（{4} 个字，最多 {5} 个字）",
     "{0} row {1}: \"{3}\" is too long ({4} characters, at most {5})"},
    {"roster.bad_id", "{0} 第 {1} 行：编号“{2}”无效（只能用字母、数字、-、_、.，以字母或数字开头）",
     "{0} row {1}: invalid id \"{2}\" (letters, digits, -, _, . only, starting with a letter or "
     "digit)"},
    {"roster.duplicate_id", "{0} 第 {1} 行：编号“{2}”重复（第 {3} 行已使用）",
     "{0} row {1}: duplicate id \"{2}\" (already used in row {3})"},
    {"roster.unknown_unit", "{0} 第 {1} 行：未知单位“{2}”", "{0} row {1}: unknown unit \"{2}\""},
    {"roster.ambiguous_unit", "{0} 第 {1} 行：有多个单位名为“{2}”，请改填单位编号",
     "{0} row {1}: more than one unit is named \"{2}\"; use the unit id"},
    {"roster.unknown_questionnaire", "{0} 第 {1} 行：未知测评问卷“{2}”（可填：{3}）",
     "{0} row {1}: unknown questionnaire \"{2}\" (use one of: {4})"},
    {"roster.unknown_group", "{0} 第 {1} 行：未知测评类别“{2}”（可填：{3}）",
     "{0} row {1}: unknown group \"{2}\" (use one of: {4})"},

    // --- token slips
    {"slips.title", "评议凭证", "Ballot tokens"},
    {"slips.instructions", "沿虚线剪开，每位评议代表随机领取一张。凭证只能使用一次，不记名。",
     "Cut along the dashed lines; hand one slip to each representative at random. Each token works "
     "once and names no one."},
    {"slips.note", "在平板上输入此凭证即可评议。凭证不记名，请勿转借。",
     "Enter this token on the tablet to vote. It names no one; do not pass it on."},
    {"slips.number", "第 {0} 张", "Slip {0}"},

    // --- roles
    {"role.organiser", "组织方", "organiser"},
    {"role.collector", "汇总方", "collector"},
    {"role.unit-head", "单位主要负责人", "unit head"},

    // --- formats (files and records)
    {"format.bad_magic", "这不是评议系统的{0}文件（文件头不符）",
     "not a Pingyi {0} (wrong file header)"},
    {"format.bad_version", "{0}的格式版本 {1} 不受支持",
     "{0}: format version {1} is not supported"},
    {"format.truncated", "{0}不完整（文件被截断或已损坏）",
     "the {0} is incomplete (truncated or damaged)"},
    {"format.trailing", "{0}末尾有多余数据（已损坏）",
     "the {0} has extra bytes at the end (damaged)"},
    {"format.bad_body", "{0}的内容无法识别（已损坏）", "the {0} content cannot be read (damaged)"},
    {"package.bad_signature", "评议活动包的组织方签名无效：文件被篡改或损坏",
     "the campaign package's organiser signature does not verify: tampered or damaged"},
    {"package.bad_tokens", "评议活动包中的凭证列表无效",
     "the campaign package's token list is invalid"},
    {"package.duplicate_token", "评议活动包中有重复的凭证",
     "the campaign package lists a token twice"},
    {"package.other_organiser", "{0}：评议活动包不是由此组织方密钥签发的",
     "{0}: the campaign package was not signed by this organiser key"},
    {"additions.bad_signature", "补发凭证文件的签名无效：不是本活动组织方签发的，或已被篡改",
     "the token additions' signature does not verify: not from this campaign's organiser, or "
     "tampered"},
    {"additions.other_campaign", "补发凭证文件属于另一个评议活动",
     "the token additions belong to another campaign"},
    {"certificate.bad_signature", "平板登记证书的签名无效：此平板未经组织方登记",
     "the tablet's enrolment certificate does not verify: the organiser did not enrol this tablet"},
    {"certificate.mismatch", "平板登记证书与评议活动或平板密钥不符",
     "the enrolment certificate does not match the campaign or the tablet key"},
    {"ledger.bad_signature", "平板台账的签名无效", "the tablet ledger's signature does not verify"},
    {"ledger.unsorted", "平板台账未按规定排序（已损坏）",
     "the tablet ledger is not sorted (damaged)"},
    {"envelope.bad_signature", "选票信封的平板签名无效",
     "the envelope's tablet signature does not verify"},
    {"envelope.cannot_open", "选票信封无法用汇总密钥打开",
     "the envelope does not open with the collector key"},
    {"envelope.tag_mismatch", "选票内的凭证标记与信封上的不一致",
     "the token tag inside the ballot differs from the envelope's"},
    {"envelope.campaign_mismatch", "选票内的评议活动与信封上的不一致",
     "the ballot's campaign differs from the envelope's"},
    {"bundle.bad_signature", "数据包签名无效：文件被篡改或损坏",
     "the bundle's signature does not verify: tampered or damaged"},
    {"bundle.other_campaign", "数据包属于另一个评议活动", "the bundle belongs to another campaign"},
    {"bundle.ledger_mismatch", "数据包中的台账不属于该平板",
     "the bundle's ledger is not this tablet's"},
    {"bundle.exported", "已导出 {0} 张选票信封到 {1}（{2} 字节）；平板仍保留全部选票",
     "exported {0} envelopes to {1} ({2} bytes); the tablet keeps them all"},

    // --- ballots and answers
    {"answers.bad_json", "答卷文件不是有效的 JSON 对象",
     "the answers file is not a valid JSON object"},
    {"answers.no_token", "答卷文件缺少凭证（token）", "the answers file has no token"},
    {"answers.no_ratings", "答卷文件缺少评价（ratings）", "the answers file has no ratings"},
    {"answers.bad_subject", "答卷文件中评议对象 {0} 的评价应为对象",
     "the answers file: ratings of subject {0} must be an object"},
    {"answers.bad_level_type", "答卷文件中 {0} 的“{1}”应为等次编号或 null（不了解）",
     "the answers file: {0} \"{1}\" must be a level id or null (cannot judge)"},
    {"answers.bad_comments", "答卷文件中的意见（comments）应为对象",
     "the answers file: comments must be an object"},
    {"answers.bad_comment_type", "答卷文件中对 {0} 的意见应为文字",
     "the answers file: the comment on {0} must be text"},
    {"ballot.unknown_subject", "评议对象“{0}”不在测评会 {1} 中",
     "subject \"{0}\" is not rated in meeting {1}"},
    {"ballot.missing_subject", "选票缺少对评议对象 {0}（{1}）的评价",
     "the ballot has no ratings for subject {0} ({1})"},
    {"ballot.unknown_item", "评议对象 {0}：没有测评项目“{1}”",
     "subject {0}: there is no item \"{1}\""},
    {"ballot.missing_item", "评议对象 {0}：测评项目“{1}”没有评价",
     "subject {0}: item \"{1}\" has no rating"},
    {"ballot.unknown_level", "评议对象 {0}，项目“{1}”：未知等次“{2}”",
     "subject {0}, item \"{1}\": unknown level \"{2}\""},
    {"ballot.comment_bad_text", "对评议对象 {0} 的意见含有无效字符",
     "the comment on subject {0} contains invalid characters"},
    {"ballot.comment_too_long", "评议对象 {0}：意见有 {1} 个字，最多 {2} 个字",
     "subject {0}: the comment has {1} characters; at most {2} are allowed"},
    {"ballot.comments_too_long", "全部意见共 {0} 个字，最多 {1} 个字",
     "the comments have {0} characters in all; at most {1} are allowed"},
    {"ballot.bad_padding", "选票填充无效", "the ballot padding is invalid"},
    {"ballot.bad_magic", "选票内容无法识别", "the ballot content is not recognised"},
    {"ballot.truncated", "选票内容不完整", "the ballot content is incomplete"},
    {"ballot.trailing", "选票末尾有多余数据", "the ballot has extra bytes"},
    {"ballot.bad_meeting", "选票所属测评会“{0}”不存在",
     "the ballot's meeting \"{0}\" does not exist"},
    {"ballot.bad_subjects", "选票的评议对象与测评会不符",
     "the ballot's subjects do not match its meeting"},
    {"ballot.bad_items", "选票的测评项目与问卷不符",
     "the ballot's items do not match the questionnaire"},
    {"ballot.bad_level", "选票中有未知等次", "the ballot has an unknown level"},
    {"cast.receipt", "投票成功。回执码：{0}", "Ballot cast. Your receipt code: {0}"},

    // --- keys and secrets
    {"key.bad_role", "未知密钥角色“{0}”（应为 organiser、collector 或 unit-head）",
     "unknown key role \"{0}\" (organiser, collector or unit-head)"},
    {"key.bad_file", "{0}：不是有效的评议系统密钥文件", "{0}: not a valid Pingyi key file"},
    {"key.bad_locked", "加密的密钥数据已损坏", "the encrypted key data is damaged"},
    {"key.kdf_failed", "无法派生密钥（内存不足？）", "could not derive the key (out of memory?)"},
    {"key.wrong_passphrase", "口令错误", "wrong passphrase"},
    {"key.wrong_passphrase_file", "{0}：口令错误", "{0}: wrong passphrase"},
    {"key.mismatch", "{0}：私钥与公钥不匹配（文件已损坏）",
     "{0}: the secret key does not match its public key (damaged)"},
    {"key.exists", "{0} 已存在，不会覆盖", "{0} already exists; it will not be overwritten"},
    {"key.passphrase_too_short", "口令太短（至少 {0} 个字符）",
     "the passphrase is too short (at least {0} characters)"},
    {"key.wrong_role", "密钥角色为 {0}，此处需要 {1} 密钥",
     "this is a {0} key; a {1} key is needed here"},
    {"keys.created", "已生成{0}密钥：{1}（加密私钥），{2}（公钥）",
     "created the {0} key: {1} (encrypted secret), {2} (public)"},
    {"keys.fingerprint", "指纹（可朗读核对）：{0}", "fingerprint (read it aloud to check): {0}"},
    {"keys.box_fingerprint", "加密公钥指纹：{0}", "encryption key fingerprint: {0}"},
    {"keys.show", "{0}密钥：{1}", "{0} key: {1}"},
    {"secret.unavailable",
     "需要口令或 PIN：请在终端输入，或用 --passphrase-file / --pin-file，或设置 PINGYI_PASSPHRASE "
     "/ PINGYI_PIN",
     "a passphrase or PIN is needed: type it at a terminal, or use --passphrase-file / --pin-file, "
     "or set PINGYI_PASSPHRASE / PINGYI_PIN"},
    {"secret.mismatch", "两次输入不一致", "the two entries differ"},
    {"secret.empty", "口令或 PIN 不能为空", "the passphrase or PIN must not be empty"},

    // --- files and stores
    {"file.not_found", "找不到文件：{0}", "file not found: {0}"},
    {"file.read_failed", "无法读取 {0}：{1}", "cannot read {0}: {1}"},
    {"file.too_large", "{0} 过大（上限 {1} 字节）", "{0} is too large (limit {1} bytes)"},
    {"file.write_failed", "无法写入 {0}：{1}", "cannot write {0}: {1}"},
    {"file.mkdir_failed", "无法创建文件夹 {0}：{1}", "cannot create folder {0}: {1}"},
    {"db.failed", "数据库 {0} 出错（{1}）：{2}", "database {0} failed ({1}): {2}"},
    {"db.full", "磁盘已满，数据库 {0} 未作任何更改",
     "the disk is full; database {0} was not changed"},
    {"db.corrupt", "数据库 {0} 已损坏：{1}", "database {0} is damaged: {1}"},
    {"db.not_found", "找不到数据库 {0}", "database {0} not found"},
    {"store.exists", "{0} 已存在，不会覆盖", "{0} already exists; it will not be overwritten"},
    {"store.not_found", "{0} 中没有平板数据（tablet.db）", "{0} holds no tablet store (tablet.db)"},
    {"store.bad_schema", "{0} 不是本版本的平板数据", "{0} is not a tablet store of this version"},
    {"store.incomplete", "{0} 缺少“{1}”（数据不完整）", "{0} lacks \"{1}\" (incomplete store)"},

    // --- workspace, tokens, tablets
    {"workspace.exists", "{0} 已存在，不会覆盖", "{0} already exists; it will not be overwritten"},
    {"workspace.bad_issued", "{0} 已损坏", "{0} is damaged"},
    {"workspace.sealed", "评议活动已封包（{0}）：请用 tokens add 补发凭证",
     "the campaign is already sealed ({0}): use tokens add for more tokens"},
    {"workspace.no_tokens", "还没有发放任何凭证：请先运行 tokens issue",
     "no tokens issued yet: run tokens issue first"},
    {"tokens.bad_count", "凭证数量 {0} 无效（1 到 100000）",
     "invalid token count {0} (1 to 100000)"},
    {"tokens.csv_number", "序号", "No."},
    {"tokens.csv_meeting", "测评会", "Meeting"},
    {"tokens.csv_category", "代表类别", "Category"},
    {"tokens.csv_token", "评议凭证", "Token"},
    {"tokens.issued", "已发放 {0} 张凭证（{1}，{2}）：名单 {3}，打印页 {4}",
     "issued {0} tokens ({1}, {2}): list {3}, printable slips {4}"},
    {"tokens.added",
     "已补发 {0} 张凭证（{1}，{2}）：补发文件 {3}（拷到各平板与汇总机），名单 {4}，打印页 {5}",
     "added {0} tokens ({1}, {2}): additions file {3} (copy it to every tablet and the collector), "
     "list {4}, slips {5}"},
    {"tablet.default_label", "平板", "Tablet "},
    {"tablet.bad_count", "平板数量无效（1 到 1000）", "invalid tablet count (1 to 1000)"},
    {"tablet.pin_too_short", "PIN 太短（至少 4 位）", "the PIN is too short (at least 4 digits)"},
    {"tablet.wrong_pin", "PIN 错误", "wrong PIN"},
    {"tablet.prepared", "已准备 {0}：{1}，平板指纹 {2}",
     "prepared {0}: {1}, tablet fingerprint {2}"},
    {"tablet.tokens_added", "已接受补发凭证；本平板现识别 {0} 张凭证",
     "additions accepted; this tablet now knows {0} tokens"},
    {"tablet.status.campaign", "评议活动：{0}（{1}）", "campaign: {0} ({1})"},
    {"tablet.status.device", "平板：{0}，指纹 {1}", "tablet: {0}, fingerprint {1}"},
    {"tablet.status.organiser", "组织方指纹：{0}", "organiser fingerprint: {0}"},
    {"tablet.status.counts", "已投 {0}，已导出 {1}，已确认 {2}；凭证 {3} 张",
     "cast {0}, exported {1}, acknowledged {2}; tokens known {3}"},

    // --- campaign commands
    {"campaign.written", "已写入评议活动草稿：{0}（可编辑后运行 campaign check）",
     "wrote the campaign source: {0} (edit it, then run campaign check)"},
    {"campaign.problems", "发现 {0} 个问题（{1}）：", "{0} problems found ({1}):"},
    {"campaign.unchanged", "{0} 未作更改", "{0} was not changed"},
    {"campaign.ok", "检查通过。", "The campaign is valid."},
    {"campaign.roster_imported", "已导入名单：{0} 个单位，{1} 个评议对象",
     "roster imported: {0} units, {1} subjects"},
    {"campaign.sealed", "已封包：{0}，凭证 {1} 张；组织方指纹 {2}；活动标识 {3}",
     "sealed: {0}, {1} tokens; organiser fingerprint {2}; campaign id {3}"},
    {"campaign.summary.title", "评议活动：{0}（{1}）", "campaign: {0} ({1})"},
    {"campaign.summary.unit", "  单位 {0} {1}：评议对象 {2} 个；测评类别：{3}",
     "  unit {0} {1}: {2} subjects; groups: {3}"},
    {"campaign.summary.questionnaire", "  问卷“{0}”：{1}", "  questionnaire \"{0}\": {1}"},
    {"campaign.summary.scale", "  等次：{0}，另有“{1}”（不计入）",
     "  scale: {0}, plus \"{1}\" (left out)"},
    {"campaign.summary.group", "  {0}：{1} 分；至少 {2} 票；构成：{3}",
     "  {0}: {1} points; at least {2} ballots; composition: {3}"},
    {"campaign.summary.meetings", "  测评会共 {0} 场", "  {0} meetings"},

    // --- demo
    {"demo.exists", "{0} 中已有演示数据：请换一个文件夹",
     "{0} already holds a demo: choose another folder"},
    {"demo.secrets", "演示使用固定的演示口令和 PIN；实际使用时请在提示处输入自己的口令。",
     "The demo uses fixed demo passphrases and PINs; in real use, type your own at the prompts."},
    {"demo.cast", "已在 3 台平板上投票 {0} 张（其中“不了解”{1} 项，意见 {2} 条）",
     "cast {0} ballots on 3 tablets ({1} ratings of cannot-judge, {2} comments)"},
    {"demo.cast_meeting", "  {0}：{1} 张", "  {0}: {1} ballots"},
    {"demo.done", "演示完成，全部文件在 {0}", "demo finished; all files are in {0}"},

    // --- command-line help
    {"cli.about", "评议：民主评议离线投票系统",
     "Pingyi: offline ballots for democratic appraisals"},
    {"cli.opt.lang", "界面语言：zh（默认）或 en", "language: zh (default) or en"},
    {"cli.campaign", "评议活动：新建、检查、导入名单、封包",
     "campaigns: new, check, import rosters, seal"},
    {"cli.campaign.new", "由模板新建评议活动草稿", "create a campaign source from a template"},
    {"cli.campaign.check", "检查评议活动并显示摘要", "validate a campaign and print a summary"},
    {"cli.campaign.import_roster", "从 Excel 导出的 CSV 导入单位和评议对象名单",
     "import units and subjects from Excel-exported CSV"},
    {"cli.campaign.seal", "封包并由组织方签名",
     "seal the campaign package, signed by the organiser"},
    {"cli.tokens", "评议凭证：发放、补发", "tokens: issue, add after sealing"},
    {"cli.tokens.issue", "为测评会发放凭证（封包前）",
     "issue tokens for a meeting (before sealing)"},
    {"cli.tokens.add", "封包后补发凭证（签名的补发文件）",
     "add tokens after sealing (a signed additions file)"},
    {"cli.keys", "密钥：生成、查看", "keys: create, show"},
    {"cli.keys.new", "生成密钥对（私钥以口令加密保存）",
     "create a key pair (the secret key is stored encrypted)"},
    {"cli.keys.show", "显示公钥及指纹", "show a public key and its fingerprint"},
    {"cli.tablet", "平板：准备、状态、接收补发凭证",
     "tablets: prepare, status, accept token additions"},
    {"cli.tablet.init", "由评议活动包准备平板（可一次多台）",
     "prepare tablets from a campaign package (many at once)"},
    {"cli.tablet.status", "显示平板的活动和计数（不显示选票内容）",
     "show a tablet's campaign and counts (never votes)"},
    {"cli.tablet.add_tokens", "平板接收补发凭证文件", "accept a token additions file on a tablet"},
    {"cli.cast", "按答卷文件投一张票（与平板界面同一流程）",
     "cast one ballot from an answers file (the kiosk's own path)"},
    {"cli.bundle", "数据包：导出", "bundles: export"},
    {"cli.bundle.export", "把平板上的全部选票信封导出为签名数据包",
     "export all of a tablet's envelopes as a signed bundle"},
    {"cli.demo", "在内置示例活动上演示完整流程",
     "run the whole flow on the built-in demo campaign"},
    {"cli.opt.template", "模板名称（seed：市经济局示例）",
     "template (seed: the Economic Bureau example)"},
    {"cli.opt.campaign_dir", "评议活动文件夹", "campaign folder"},
    {"cli.opt.units_csv", "单位名单 CSV", "units CSV"},
    {"cli.opt.subjects_csv", "评议对象名单 CSV", "subjects CSV"},
    {"cli.opt.organiser_key", "组织方私钥文件（.key）", "organiser secret key file (.key)"},
    {"cli.opt.collector_pub", "汇总方公钥文件（.pub）", "collector public key file (.pub)"},
    {"cli.opt.passphrase_file", "从文件读取口令（否则用 PINGYI_PASSPHRASE 或终端输入）",
     "read the passphrase from a file (else PINGYI_PASSPHRASE or a prompt)"},
    {"cli.opt.pin_file", "从文件读取平板 PIN（否则用 PINGYI_PIN 或终端输入）",
     "read the tablet PIN from a file (else PINGYI_PIN or a prompt)"},
    {"cli.opt.meeting", "测评会：单位编号/测评类别，如 U1/social",
     "meeting: unit/group, e.g. U1/social"},
    {"cli.opt.category", "代表类别编号，如 npc、service、cadre",
     "category id, e.g. npc, service, cadre"},
    {"cli.opt.count", "数量", "how many"},
    {"cli.opt.role", "角色：organiser、collector、unit-head",
     "role: organiser, collector, unit-head"},
    {"cli.opt.key_out", "输出路径（生成 路径.key 和 路径.pub）",
     "output path (writes PATH.key and PATH.pub)"},
    {"cli.opt.label", "名称", "label"},
    {"cli.opt.key_file", "密钥文件", "key file"},
    {"cli.opt.package", "评议活动包（.pyp）", "campaign package (.pyp)"},
    {"cli.opt.tablet_out", "平板数据文件夹", "tablet store folder"},
    {"cli.opt.tablet_count", "一次准备的平板数量", "how many tablets to prepare"},
    {"cli.opt.tablet_label", "平板名称前缀", "tablet label prefix"},
    {"cli.opt.tablet", "平板数据文件夹", "tablet store folder"},
    {"cli.opt.additions_file", "补发凭证文件（.pya）", "token additions file (.pya)"},
    {"cli.opt.answers", "答卷文件（JSON，见 README）", "answers file (JSON, see README)"},
    {"cli.opt.bundle_out", "输出的数据包文件（.pyb）", "bundle file to write (.pyb)"},
    {"cli.opt.demo_out", "演示文件夹", "demo folder"},
    {"cli.prompt.passphrase", "请输入 {0} 的口令：", "Passphrase for {0}: "},
    {"cli.prompt.new_passphrase", "请为 {0} 设置口令（输入两次）：",
     "New passphrase for {0} (twice): "},
    {"cli.prompt.pin", "请输入平板管理员 PIN：", "Tablet administrator PIN: "},

    // --- tokens
    {"token.bad_char", "凭证中有无效字符“{0}”", "the token contains an invalid character \"{0}\""},
    {"token.bad_length", "凭证长度为 {0} 位，应为 {1} 位",
     "the token has {0} characters; it must have {1}"},
    {"token.bad_check", "凭证有误：请逐位核对后重新输入",
     "the token has a typo: check each character and type it again"},
    {"token.unknown", "此凭证不属于本次评议活动", "this token does not belong to this campaign"},
    {"token.used", "此凭证已经使用过", "this token has already been used"},
    {"token.meeting_closed", "此凭证所属的测评会（{0}）未在本平板开放",
     "this token's meeting ({0}) is not open on this tablet"},
};
} // namespace

std::span<const CatalogEntry> catalogEntries() {
    return kEntries;
}

static const CatalogEntry* find(std::string_view id) {
    for (auto& e : kEntries)
        if (id == e.id) return &e;
    return nullptr;
}

bool hasMessage(std::string_view id) {
    return find(id) != nullptr;
}

std::string tr(Lang lang, std::string_view id, const std::vector<std::string>& args) {
    const CatalogEntry* e = find(id);
    if (!e) {
        std::string s = "[" + std::string(id) + "]";
        for (auto& a : args)
            s += " " + a;
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

std::string describe(const Error& e, Lang lang) {
    return tr(lang, e.id, e.args);
}

Lang langFromName(std::string_view name) {
    return (name == "en" || name == "EN" || name.rfind("en_", 0) == 0) ? Lang::En : Lang::Zh;
}

} // namespace pingyi
