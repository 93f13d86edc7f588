// The built-in seed campaign, from the Economic Bureau's plan (../shared/seed): the five
// dimensions of 群众评科长, the agency items of 企业评机关, the 30 %/70 % representative mix.
#include "core/campaign.hpp"

namespace pingyi {

namespace {
Subject chief(std::string id, std::string unit, std::string name, std::string position,
              std::string report, std::string commitments) {
    return Subject{std::move(id), std::move(unit),   std::move(name),       std::move(position),
                   "chief",       std::move(report), std::move(commitments)};
}
Subject agency(std::string id, std::string unit, std::string name, std::string report,
               std::string commitments) {
    return Subject{std::move(id), std::move(unit),   std::move(name),       "机关科室",
                   "agency",      std::move(report), std::move(commitments)};
}
} // namespace

Campaign seedCampaign() {
    Campaign c;
    c.id = "jjj-2026";
    c.name = "市经济局2026年度“企业评机关、群众评科长”民主评议";
    c.scale.levels = {{"A", "优秀", "Excellent", 1000},
                      {"B", "良好", "Good", 800},
                      {"C", "一般", "Fair", 600},
                      {"D", "较差", "Poor", 400}};
    c.questionnaires = {
        {"chief",
         "群众评科长",
         "The public appraises section chiefs",
         {{"competence", "业务素质", "Professional competence",
           "熟练掌握本岗位的政策、法规和业务知识，能胜任岗位的各项工作", 1},
          {"policy", "执行政策", "Policy execution",
           "按规定公开审批事项、程序、收费项目和标准；执法和经济管理科室不存在不作为、乱作为", 1},
          {"attitude", "服务态度", "Service attitude",
           "服务意识强，热情、耐心、细致；没有“门难进、脸难看、话难听、事难办”", 1},
          {"efficiency", "办事效率", "Work efficiency",
           "在规定时限内办结事项；不推诿扯皮、敷衍塞责、懒散拖拉", 1},
          {"integrity", "廉洁自律", "Integrity and self-discipline",
           "不利用职权“吃、拿、卡、要、报”，没有“不给好处不办事”", 1}}},
        {"agency",
         "企业评机关",
         "Enterprises appraise the agencies",
         {{"rules", "服务制度", "Service rules", "服务企业的各项规章制度是否健全", 1},
          {"system", "服务体系", "Service system", "是否建立改进企业服务的工作体系", 1},
          {"feedback", "问题反馈", "Problem feedback", "是否建立企业反映问题的受理、整改、反馈机制",
           1},
          {"attitude", "服务态度", "Service attitude", "服务热情、耐心、细致", 1},
          {"efficiency", "办事效率", "Work efficiency", "在规定时限内办结企业事项", 1}}},
    };
    c.groups = {
        {"self",
         "单位自评",
         "Unit self-appraisal",
         50,
         {{"cadre", "机关干部", "Bureau cadre"},
          {"head", "二级单位负责人", "Secondary-unit head"},
          {"staff", "二级单位职工", "Secondary-unit staff"}},
         0,
         {},
         0,
         {}},
        {"social",
         "社会测评",
         "Social assessment",
         50,
         {{"npc", "人大代表", "NPC deputy"},
          {"cppcc", "政协委员", "CPPCC member"},
          {"leader", "分管领导", "Leader in charge"},
          {"service", "服务对象", "Service recipient"}},
         30,
         {{{"npc", "cppcc", "leader"}, 30}, {{"service"}, 70}},
         5,
         {}},
    };
    c.units = {{"U1", "市经济局", {"self", "social"}},
               {"U2", "市中小企业服务中心", {"self", "social"}},
               {"U3", "市经济局机关科室（企业评机关）", {"social"}}};
    c.subjects = {
        chief("S01", "U1", "王建国", "办公室主任",
              "负责局机关文电、会务、督查工作，两年来牵头办理建议提案46件，按期办结率100%。",
              "公文办理时限压缩至3个工作日；每季度公开督查通报。"),
        chief("S02", "U1", "李秀英", "综合科科长",
              "负责经济运行分析和政策研究，按月发布运行简报，组织企业座谈12次。",
              "企业反映问题5个工作日内答复；政策解读上网公开。"),
        chief("S03", "U1", "张志强", "投资科科长",
              "负责技改项目审核备案，办理备案项目138个，平均办理时间4.5天。",
              "备案事项一次性告知，办理时限由5天缩短为3天。"),
        chief("S04", "U1", "刘芳", "企业科科长",
              "负责中小企业服务和减负工作，走访企业210家次，协调解决融资、用工问题。",
              "建立联系企业台账，问题办结后回访；不收取任何费用。"),
        chief("S05", "U1", "陈明", "节能科科长",
              "负责节能监察与执法，完成重点企业能耗检查52家，依法依规处理问题。",
              "执法程序、标准全部公开；检查前不打招呼、检查后公开结果。"),
        chief("S06", "U1", "杨磊", "法规科科长",
              "负责行政审批与法规工作，审批事项全部进入政务大厅集中办理。",
              "审批事项、程序、收费标准张榜公布；实行首问负责制。"),
        chief("S07", "U2", "赵丽", "中心主任",
              "负责中小企业服务中心全面工作，组织培训23场、融资对接8次。",
              "服务窗口周末预约办理；对企业诉求限时办结。"),
        chief("S08", "U2", "黄海", "融资服务部部长", "负责担保与融资对接，帮助47家企业获得贷款。",
              "融资申请受理后10个工作日内给出意见。"),
        chief("S09", "U2", "周静", "培训服务部部长", "负责企业经营管理人员培训，培训学员1600人次。",
              "培训课程按企业需求设置，免费提供。"),
        agency("S10", "U3", "投资科（机关）", "技改项目备案、审核服务。", "一次性告知，限时办结。"),
        agency("S11", "U3", "企业科（机关）", "中小企业服务与减负。", "问题受理、整改、反馈闭环。"),
        agency("S12", "U3", "节能科（机关）", "节能监察与服务。", "执法标准公开。"),
        agency("S13", "U3", "法规科（机关）", "行政审批服务。", "首问负责，限时办结。"),
    };
    c.ranking = {1, 0};
    return c;
}

} // namespace pingyi
