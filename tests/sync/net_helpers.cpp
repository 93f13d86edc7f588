#include "net_helpers.hpp"

#include "core/crypto.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

namespace pingyi::test {

namespace {
size_t collect(char* p, size_t size, size_t n, void* user) {
    static_cast<std::string*>(user)->append(p, size * n);
    return size * n;
}
struct ReadState {
    const Bytes* body;
    std::size_t pos = 0;
};
size_t readBody(char* buf, size_t size, size_t n, void* user) {
    auto* st = static_cast<ReadState*>(user);
    std::size_t k = std::min(size * n, st->body->size() - st->pos);
    std::memcpy(buf, st->body->data() + st->pos, k);
    st->pos += k;
    return k;
}
} // namespace

HttpAnswer httpPost(const std::string& url, const Bytes& body,
                    const std::vector<std::string>& headers, bool chunked) {
    HttpAnswer a;
    CURL* h = curl_easy_init();
    curl_slist* hl = nullptr;
    for (auto& x : headers)
        hl = curl_slist_append(hl, x.c_str());
    hl = curl_slist_append(hl, "Expect:");
    if (chunked) hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
    ReadState st{&body};
    curl_easy_setopt(h, CURLOPT_URL, url.c_str());
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, &readBody);
    curl_easy_setopt(h, CURLOPT_READDATA, &st);
    if (!chunked)
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &a.body);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    a.curl_code = curl_easy_perform(h);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a.status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(h);
    return a;
}

int connectFrom(const std::string& source, std::uint16_t port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &src.sin_addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0) {
        close(fd);
        return -1;
    }
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool closedByPeer(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    char buf[4096];
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (std::chrono::steady_clock::now() < deadline) {
        int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        deadline - std::chrono::steady_clock::now())
                                        .count());
        if (poll(&p, 1, std::max(1, left)) <= 0) continue;
        ssize_t n = read(fd, buf, sizeof buf);
        if (n <= 0) return true;
    }
    return false;
}

bool gotData(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return false;
    char buf[256];
    return read(fd, buf, sizeof buf) > 0;
}

namespace {
// A connection from `source` whose connect and sends give up after `ms` (a full backlog must
// not stall the caller).
int connectWithin(const std::string& source, std::uint16_t port, int ms) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    timeval tv{ms / 1000, (ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in src{};
    src.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &src.sin_addr);
    sockaddr_in dst{};
    dst.sin_family = AF_INET;
    dst.sin_port = htons(port);
    inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
        connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

bool sendAll(int fd, const std::string& text) {
    return send(fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size());
}
} // namespace

Trickler::Trickler(std::uint16_t port, std::vector<std::string> sources, unsigned count,
                   std::chrono::milliseconds period, unsigned body_every)
    : port_(port), sources_(std::move(sources)), count_(count), body_every_(body_every),
      period_(period) {
    thread_ = std::thread([this] { run(); });
}

Trickler::~Trickler() {
    stop();
}

void Trickler::stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
}

void Trickler::run() {
    using clock = std::chrono::steady_clock;
    struct Slot {
        int fd = -1;
        bool body = false;
        unsigned lines = 0;
        clock::time_point next;
    };
    std::vector<Slot> slots(count_);
    auto start = clock::now();
    for (unsigned i = 0; i < count_; ++i) {
        slots[i].body = body_every_ > 0 && i % body_every_ == body_every_ - 1;
        slots[i].next = start + period_ * i / count_; // staggered
    }
    auto openSlot = [&](unsigned i) {
        Slot& s = slots[i];
        s.fd = connectWithin(sources_[i % sources_.size()], port_, 200);
        s.next = clock::now() + period_;
        if (s.fd < 0) return;
        s.lines = 0;
        bool ok = s.body ? sendAll(s.fd, "POST /v2/sync HTTP/1.1\r\nHost: c\r\n"
                                         "Content-Length: 1000000\r\n\r\n")
                         : sendAll(s.fd, "GET /v2/hello HTTP/1.1\r\n");
        if (!ok) {
            close(s.fd);
            s.fd = -1;
            return;
        }
        ++open_;
    };
    auto dropSlot = [&](Slot& s) {
        close(s.fd);
        s.fd = -1;
        s.next = clock::now() + std::chrono::milliseconds(100); // then it comes back
        --open_;
        ++reopened_;
    };
    for (unsigned i = 0; i < count_ && !stop_; ++i)
        openSlot(i);
    char buf[4096];
    while (!stop_) {
        std::vector<pollfd> fds;
        std::vector<unsigned> which;
        for (unsigned i = 0; i < count_; ++i)
            if (slots[i].fd >= 0) {
                fds.push_back({slots[i].fd, POLLIN, 0});
                which.push_back(i);
            }
        if (poll(fds.data(), fds.size(), 50) > 0)
            for (std::size_t k = 0; k < fds.size(); ++k)
                if (fds[k].revents & (POLLIN | POLLHUP | POLLERR)) {
                    Slot& s = slots[which[k]];
                    if (read(s.fd, buf, sizeof buf) <= 0) dropSlot(s); // cut by the server
                }
        auto now = clock::now();
        for (unsigned i = 0; i < count_ && !stop_; ++i) {
            Slot& s = slots[i];
            if (s.fd < 0) {
                if (now >= s.next) openSlot(i); // the attack keeps its size
                continue;
            }
            if (now < s.next) continue;
            s.next = now + period_;
            bool ok = s.body ? sendAll(s.fd, "x")
                             : sendAll(s.fd, "X-Pad-" + std::to_string(s.lines++) + ": x\r\n");
            if (!ok) dropSlot(s);
        }
    }
    for (auto& s : slots)
        if (s.fd >= 0) {
            close(s.fd);
            --open_;
        }
}

long postStream(std::uint16_t port, std::size_t length) {
    int fd = connectWithin("127.0.0.1", port, 30000);
    if (fd < 0) return 0;
    std::string head = "POST /v2/sync HTTP/1.1\r\nHost: c\r\nContent-Type: "
                       "application/octet-stream\r\nContent-Length: " +
                       std::to_string(length) + "\r\n\r\n";
    static const std::string chunk(64 * 1024, 'x');
    bool ok = sendAll(fd, head);
    for (std::size_t sent = 0; ok && sent < length;) {
        std::size_t n = std::min(chunk.size(), length - sent);
        ok = send(fd, chunk.data(), n, MSG_NOSIGNAL) == static_cast<ssize_t>(n);
        sent += n;
    }
    // Read the answer (it may have come early, before the body was sent).
    timeval tv{30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string answer;
    char buf[4096];
    for (ssize_t n;
         answer.find("\r\n") == std::string::npos && (n = read(fd, buf, sizeof buf)) > 0;)
        answer.append(buf, static_cast<std::size_t>(n));
    close(fd);
    if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) return 0;
    return std::strtol(answer.c_str() + 9, nullptr, 10);
}

std::size_t residentKiB(const char* field) {
    std::ifstream in("/proc/self/status");
    std::string line, name = std::string(field) + ":";
    while (std::getline(in, line))
        if (line.rfind(name, 0) == 0) {
            std::istringstream v(line.substr(name.size()));
            std::size_t kib = 0;
            v >> kib;
            return kib;
        }
    return 0;
}

std::uint16_t freePort() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

SilentListener::SilentListener() {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(fd, 16);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    port = ntohs(a.sin_port);
}

SilentListener::~SilentListener() {
    close(fd);
}

CuttingProxy::CuttingProxy(std::uint16_t upstream, unsigned cut_percent)
    : upstream_(upstream), cut_percent_(cut_percent) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    listen(listen_fd_, 128);
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
}

CuttingProxy::~CuttingProxy() {
    stop_ = true;
    shutdown(listen_fd_, SHUT_RDWR);
    close(listen_fd_);
    thread_.join();
    for (auto& w : workers_)
        w.join();
}

void CuttingProxy::serve() {
    while (!stop_) {
        int c = accept(listen_fd_, nullptr, nullptr);
        if (c < 0) break;
        workers_.emplace_back([this, c] { pump(c); });
    }
}

void CuttingProxy::pump(int client) {
    int up = connectFrom("127.0.0.1", upstream_);
    if (up < 0) {
        close(client);
        return;
    }
    // Decide this connection's fate: 0 = pass, 1 = cut mid-request, 2 = drop the answer.
    // The first connection always loses its answer, so that a test that passes through the
    // proxy meets at least one cut even when a whole sync fits one kept-alive connection.
    unsigned roll = randomBelow(100);
    int fate = roll < cut_percent_ / 2 ? 1 : roll < cut_percent_ ? 2 : 0;
    if (cut_percent_ > 0 && connections_++ == 0) fate = 2;
    std::size_t cut_after = 200 + randomBelow(4000);
    std::size_t up_bytes = 0;
    pollfd fds[2] = {{client, POLLIN, 0}, {up, POLLIN, 0}};
    char buf[16384];
    bool done = false;
    while (!done && !stop_) {
        if (poll(fds, 2, 200) <= 0) continue;
        for (int i = 0; i < 2 && !done; ++i) {
            if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            ssize_t n = read(fds[i].fd, buf, sizeof buf);
            if (n <= 0) {
                done = true;
                break;
            }
            if (i == 0) {
                up_bytes += static_cast<std::size_t>(n);
                if (fate == 1 && up_bytes > cut_after) {
                    ++cuts_;
                    done = true;
                    break;
                }
                if (send(up, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) < 0) done = true;
            } else {
                if (fate == 2) { // the collector answered; the tablet never hears it
                    ++cuts_;
                    done = true;
                    break;
                }
                if (send(client, buf, static_cast<std::size_t>(n), MSG_NOSIGNAL) < 0) done = true;
            }
        }
    }
    close(client);
    close(up);
}

} // namespace pingyi::test
