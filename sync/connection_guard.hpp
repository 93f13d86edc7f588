// Who keeps a connection slot of the sync server (docs/sync-protocol.md, "Limits"). Pure: it
// takes the time as an argument and returns the connections to cut; the server does the
// cutting (shutdown of the socket) and tells it what each connection is doing.
//
// The rule: a slot belongs to a client that makes progress. Every request has two hard
// deadlines (headers within `header`, the whole request within `request`). Under pressure the
// slowest connection goes first: one still without complete headers (the oldest first), or one
// whose body arrives slower than `min_body_rate`. A newcomer at a full address, or at a table
// past three quarters of its cap, cuts one such connection, even one younger than `grace`: a
// trickler cannot shelter behind reconnecting. The ticker, which cuts with no newcomer waiting
// for the room, spares connections younger than `grace`. A real tablet sends its headers in
// one packet and its body at LAN speed, so it is almost never the slowest; tablets behind one
// hotspot address share the cap with a trickler there, and push the trickler out.
#pragma once

#include <chrono>
#include <cstdint>
#include <unordered_map>
#include <vector>

namespace pingyi {

struct GuardLimits {
    unsigned connections = 128; // the table's cap (the server's hard cap)
    unsigned per_address = 16;  // connections from one address
    std::chrono::milliseconds header{10'000};
    std::chrono::milliseconds request{120'000};
    std::chrono::milliseconds grace{1'000};
    std::size_t min_body_rate = 8 * 1024; // bytes per second, judged only under pressure
};

class ConnectionGuard {
  public:
    using Clock = std::chrono::steady_clock;
    using Handle = int; // the connection's socket; unique among open connections

    explicit ConnectionGuard(const GuardLimits& limits) : limits_(limits) {}

    struct Admission {
        bool accept = true;      // false: the newcomer is to be cut (its address is full)
        std::vector<Handle> cut; // slow connections to cut to make room
    };
    // A connection arrived from `address`. It is recorded whatever the answer.
    Admission open(Handle h, std::uint32_t address, Clock::time_point now);
    void headers(Handle h);                 // request line and headers are complete
    void body(Handle h, std::size_t bytes); // body bytes arrived
    void handling(Handle h);                // the request is complete; the server works on it
    void finished(Handle h, Clock::time_point now); // answered; a kept-alive connection waits again
    void close(Handle h); // the connection is gone (unknown handles: no-op)

    struct Cuts {
        std::vector<Handle> late; // past a deadline
        std::vector<Handle> slow; // the slowest, while the table is past its soft cap
    };
    // What to cut now. Each handle is returned once; it stays recorded as cut until close().
    Cuts tick(Clock::time_point now);
    // The slowest connection that is receiving a body, to make room in the body budget.
    std::vector<Handle> slowestBody(Clock::time_point now);

    std::size_t live() const { return live_; } // connections not cut
    unsigned softCap() const { return limits_.connections - limits_.connections / 4; }

  private:
    enum class State { Waiting, Body, Handling };
    struct Conn {
        std::uint32_t address = 0;
        State state = State::Waiting;
        Clock::time_point start; // of the current request (or of the wait for it)
        std::size_t bytes = 0;
        bool cut = false;
    };
    // How good a victim a connection is: 0 none (making progress, or the server's own time);
    // 1 waiting for headers within its grace; 2 slow (waiting past the grace, or a body below
    // the minimum rate).
    int rank(const Conn& c, Clock::time_point now) const;
    // The connection to cut first, of rank >= min_rank: from `address` only when given; the
    // highest rank, then the address with the most connections, then the oldest request.
    // -1 when there is none.
    Handle victim(Clock::time_point now, const std::uint32_t* address, int min_rank,
                  bool body_only) const;
    void markCut(Handle h);

    GuardLimits limits_;
    std::unordered_map<Handle, Conn> conns_;
    std::unordered_map<std::uint32_t, unsigned> per_address_; // live connections
    std::size_t live_ = 0;
};

} // namespace pingyi
