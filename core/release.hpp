// Release in groups (docs/formats.md section 12): when a tablet may let an envelope leave it. An
// envelope leaves (LAN sync or bundle file) only together with at least kReleaseGroup − 1 others
// of its meeting that had not left before, or once its meeting is closed on the tablet; one that
// has left once may leave again (it is already part of a group). So nobody who watches what
// reaches the collector, or holds collector.db, can tell apart ballots of one group by arrival.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <vector>

namespace pingyi {

// The smallest group the results ever show (category breakdowns below 5 are suppressed).
inline constexpr std::size_t kReleaseGroup = 5;

struct ReleaseCandidate {
    std::string meeting; // meeting id of the envelope's token ("U1/social")
    bool left = false;   // it has left the tablet before (exported or acknowledged)
};

// For each candidate, whether it may leave now: it has left before, its meeting is in `closed`,
// or at least `group` candidates of its meeting have not left yet (they all leave together).
std::vector<bool> releaseRule(const std::vector<ReleaseCandidate>& candidates,
                              const std::set<std::string>& closed,
                              std::size_t group = kReleaseGroup);

} // namespace pingyi
