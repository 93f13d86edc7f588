#include "core/release.hpp"

#include <map>

namespace pingyi {

std::vector<bool> releaseRule(const std::vector<ReleaseCandidate>& candidates,
                              const std::set<std::string>& closed, std::size_t group) {
    std::map<std::string, std::size_t> waiting;
    for (auto& c : candidates)
        if (!c.left) ++waiting[c.meeting];
    std::vector<bool> out;
    out.reserve(candidates.size());
    for (auto& c : candidates)
        out.push_back(c.left || closed.count(c.meeting) > 0 || waiting[c.meeting] >= group);
    return out;
}

} // namespace pingyi
