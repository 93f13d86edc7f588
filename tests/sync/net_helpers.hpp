// Test-only network helpers: raw POSTs, a TCP proxy that cuts connections at random, and raw
// sockets for misbehaving clients. Loopback only.
#pragma once

#include "core/bytes.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace pingyi::test {

struct HttpAnswer {
    long status = 0;
    std::string body;
    int curl_code = 0;
};
// POSTs body to url with extra headers ("Name: value"); chunked sends without a length.
HttpAnswer httpPost(const std::string& url, const Bytes& body,
                    const std::vector<std::string>& headers = {}, bool chunked = false);

// Forwards 127.0.0.1:port() to 127.0.0.1:upstream. With probability cut_percent it cuts a
// connection: either mid-request, or after the whole request went up but before any answer
// came back (the worst case for acknowledgements).
class CuttingProxy {
  public:
    CuttingProxy(std::uint16_t upstream, unsigned cut_percent);
    ~CuttingProxy();
    std::uint16_t port() const { return port_; }
    unsigned cuts() const { return cuts_.load(); }

  private:
    void serve();
    void pump(int client);
    std::uint16_t upstream_, port_ = 0;
    unsigned cut_percent_;
    int listen_fd_ = -1;
    std::atomic<bool> stop_{false};
    std::atomic<unsigned> cuts_{0};
    std::atomic<unsigned> connections_{0};
    std::thread thread_;
    std::vector<std::thread> workers_;
};

// A TCP connection to 127.0.0.1:port from a chosen loopback source address (127.0.0.x).
int connectFrom(const std::string& source, std::uint16_t port);
// True if the peer has closed the connection (reads until EOF or timeout_ms passes).
bool closedByPeer(int fd, int timeout_ms);
// True if any bytes arrive on fd within timeout_ms.
bool gotData(int fd, int timeout_ms);

// A greedy, slow client: holds `count` connections to 127.0.0.1:port, spread over `sources`
// (127.0.0.x), each sending one more header line every `period` and never finishing its
// headers. Every `body_every`-th one (0: none) sends complete headers of a POST with a large
// declared body instead and trickles the body. A connection the server closes is opened again
// at once, so the attack keeps its size. One thread; stops in stop() or the destructor.
class Trickler {
  public:
    Trickler(std::uint16_t port, std::vector<std::string> sources, unsigned count,
             std::chrono::milliseconds period, unsigned body_every = 0);
    ~Trickler();
    void stop();
    unsigned open() const { return open_.load(); }         // connections open now
    unsigned reopened() const { return reopened_.load(); } // closed by the server, opened again

  private:
    void run();
    std::uint16_t port_;
    std::vector<std::string> sources_;
    unsigned count_, body_every_;
    std::chrono::milliseconds period_;
    std::atomic<bool> stop_{false};
    std::atomic<unsigned> open_{0}, reopened_{0};
    std::thread thread_;
};

// POSTs a body of `length` bytes to 127.0.0.1:port/v1/sync from a raw socket, generating the
// bytes as it goes (the sender holds 64 KiB, never the body). Returns the HTTP status, or 0
// when the server closed the connection without an answer.
long postStream(std::uint16_t port, std::size_t length);

// This process's resident memory from /proc/self/status, in KiB ("VmRSS", "RssAnon").
std::size_t residentKiB(const char* field);

// A loopback port that nothing listens on right now.
std::uint16_t freePort();

// Listens on 127.0.0.1 but never accepts: connections wait in the backlog, unanswered.
struct SilentListener {
    int fd = -1;
    std::uint16_t port = 0;
    SilentListener();
    ~SilentListener();
};

} // namespace pingyi::test
