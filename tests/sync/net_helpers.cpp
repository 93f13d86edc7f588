#include "net_helpers.hpp"

#include "core/crypto.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>

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
    unsigned roll = randomBelow(100);
    int fate = roll < cut_percent_ / 2 ? 1 : roll < cut_percent_ ? 2 : 0;
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
                if (write(up, buf, static_cast<std::size_t>(n)) < 0) done = true;
            } else {
                if (fate == 2) { // the collector answered; the tablet never hears it
                    ++cuts_;
                    done = true;
                    break;
                }
                if (write(client, buf, static_cast<std::size_t>(n)) < 0) done = true;
            }
        }
    }
    close(client);
    close(up);
}

} // namespace pingyi::test
