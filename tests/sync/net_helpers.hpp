// Test-only network helpers: raw POSTs, a TCP proxy that cuts connections at random, and raw
// sockets for misbehaving clients. Loopback only.
#pragma once

#include "core/bytes.hpp"

#include <atomic>
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
    std::thread thread_;
    std::vector<std::thread> workers_;
};

// A TCP connection to 127.0.0.1:port from a chosen loopback source address (127.0.0.x).
int connectFrom(const std::string& source, std::uint16_t port);
// True if the peer has closed the connection (reads until EOF or timeout_ms passes).
bool closedByPeer(int fd, int timeout_ms);
// True if any bytes arrive on fd within timeout_ms.
bool gotData(int fd, int timeout_ms);

} // namespace pingyi::test
