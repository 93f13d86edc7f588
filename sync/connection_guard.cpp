#include "sync/connection_guard.hpp"

#include <algorithm>

namespace pingyi {

namespace {
using ms = std::chrono::milliseconds;
ms ageOf(ConnectionGuard::Clock::time_point start, ConnectionGuard::Clock::time_point now) {
    return now > start ? std::chrono::duration_cast<ms>(now - start) : ms(0);
}
} // namespace

int ConnectionGuard::rank(const Conn& c, Clock::time_point now) const {
    if (c.cut || c.state == State::Handling) return 0;
    ms age = ageOf(c.start, now);
    bool past = age >= limits_.grace;
    if (c.state == State::Waiting) return past ? 2 : 1; // no headers yet, or idle kept-alive
    auto expected = static_cast<unsigned long long>(limits_.min_body_rate) *
                    static_cast<unsigned long long>(age.count()) / 1000u;
    return past && c.bytes < expected ? 2 : 0;
}

ConnectionGuard::Handle ConnectionGuard::victim(Clock::time_point now, const std::uint32_t* address,
                                                int min_rank, bool body_only) const {
    Handle best = -1;
    int best_rank = 0;
    unsigned best_crowd = 0;
    Clock::time_point best_start{};
    for (const auto& [h, c] : conns_) {
        if (address && c.address != *address) continue;
        if (body_only && c.state != State::Body) continue;
        int r = rank(c, now);
        if (r < std::max(min_rank, 1)) continue;
        auto it = per_address_.find(c.address);
        unsigned crowd = it == per_address_.end() ? 0 : it->second;
        bool better = best < 0 || r > best_rank ||
                      (r == best_rank &&
                       (crowd > best_crowd || (crowd == best_crowd && c.start < best_start)));
        if (better) {
            best = h;
            best_rank = r;
            best_crowd = crowd;
            best_start = c.start;
        }
    }
    return best;
}

void ConnectionGuard::markCut(Handle h) {
    auto it = conns_.find(h);
    if (it == conns_.end() || it->second.cut) return;
    it->second.cut = true;
    --live_;
    auto a = per_address_.find(it->second.address);
    if (a != per_address_.end() && --a->second == 0) per_address_.erase(a);
}

ConnectionGuard::Admission ConnectionGuard::open(Handle h, std::uint32_t address,
                                                 Clock::time_point now) {
    close(h); // a handle is reused only after close(); never trust a stale record
    Admission a;
    auto it = per_address_.find(address);
    if (it != per_address_.end() && it->second >= limits_.per_address) {
        Handle v = victim(now, &address, 1, false);
        if (v < 0) {
            a.accept = false; // every connection from this address is doing real work
        } else {
            markCut(v);
            a.cut.push_back(v);
        }
    }
    if (a.accept && live_ >= softCap()) {
        Handle v = victim(now, nullptr, 1, false);
        if (v >= 0) {
            markCut(v);
            a.cut.push_back(v);
        }
    }
    Conn c;
    c.address = address;
    c.start = now;
    c.cut = !a.accept;
    conns_[h] = c;
    if (a.accept) {
        ++live_;
        ++per_address_[address];
    }
    return a;
}

void ConnectionGuard::headers(Handle h) {
    auto it = conns_.find(h);
    if (it != conns_.end() && it->second.state == State::Waiting) it->second.state = State::Body;
}

void ConnectionGuard::body(Handle h, std::size_t bytes) {
    auto it = conns_.find(h);
    if (it != conns_.end()) it->second.bytes += bytes;
}

void ConnectionGuard::handling(Handle h) {
    auto it = conns_.find(h);
    if (it != conns_.end()) it->second.state = State::Handling;
}

void ConnectionGuard::finished(Handle h, Clock::time_point now) {
    auto it = conns_.find(h);
    if (it == conns_.end()) return;
    it->second.state = State::Waiting;
    it->second.start = now;
    it->second.bytes = 0;
}

void ConnectionGuard::close(Handle h) {
    markCut(h);
    conns_.erase(h);
}

ConnectionGuard::Cuts ConnectionGuard::tick(Clock::time_point now) {
    Cuts out;
    for (const auto& [h, c] : conns_) {
        if (c.cut) continue;
        ms age = ageOf(c.start, now);
        bool late = c.state == State::Waiting ? age > limits_.header
                                              : c.state == State::Body && age > limits_.request;
        if (late) out.late.push_back(h);
    }
    for (Handle h : out.late)
        markCut(h);
    while (live_ > softCap()) {
        Handle v = victim(now, nullptr, 2, false);
        if (v < 0) break;
        markCut(v);
        out.slow.push_back(v);
    }
    return out;
}

std::vector<ConnectionGuard::Handle> ConnectionGuard::slowestBody(Clock::time_point now) {
    Handle v = victim(now, nullptr, 2, true);
    if (v < 0) return {};
    markCut(v);
    return {v};
}

} // namespace pingyi
