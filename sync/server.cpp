#include "sync/server.hpp"

#include "core/ack.hpp"
#include "core/catalog.hpp"
#include "sync/collector_import.hpp"
#include "sync/connection_guard.hpp"

#include <arpa/inet.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>
#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace pingyi {

using nlohmann::json;

// Imports run here, not on libmicrohttpd's event threads: a batch waiting for the store must
// not stall the other connections of its event thread (the guard would take them for slow).
class ImportPool {
  public:
    void start(unsigned n) {
        for (unsigned i = 0; i < std::max(n, 1u); ++i)
            threads_.emplace_back([this] { run(); });
    }
    // False once stopping: the caller runs the job itself.
    bool push(std::function<void()> job) {
        {
            std::lock_guard lock(m_);
            if (stopping_) return false;
            jobs_.push_back(std::move(job));
        }
        cv_.notify_one();
        return true;
    }
    // Runs every queued job (each resumes its connection), then joins.
    void stop() {
        {
            std::lock_guard lock(m_);
            stopping_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_)
            t.join();
        threads_.clear();
    }

  private:
    void run() {
        std::unique_lock lock(m_);
        for (;;) {
            cv_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
            if (jobs_.empty()) return; // stopping, and nothing left
            auto job = std::move(jobs_.front());
            jobs_.pop_front();
            lock.unlock();
            job();
            lock.lock();
        }
    }
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

struct SyncServer::Impl {
    std::unique_ptr<CollectorStore> store;
    std::timed_mutex store_mutex; // SQLite has one writer: imports take turns
    PublicKey sign_pk{};
    Secret sign_sk;
    ServerLimits limits;
    ServerStats stats;
    MHD_Daemon* daemon = nullptr;
    std::uint16_t port = 0;

    // Who keeps a connection slot, and how many body bytes are held: one lock for both (every
    // step under it is a few map operations). Sockets are cut with shutdown() under this lock:
    // libmicrohttpd reports a connection closed (guard.close) before it closes the socket, so
    // a handle here is never a socket number already reused by another connection.
    mutable std::mutex guard_mutex;
    std::optional<ConnectionGuard> guard;
    std::size_t buffered = 0; // body bytes reserved by requests now being received or handled
    std::thread ticker;       // enforces the deadlines
    ImportPool imports;
    std::condition_variable ticker_wake;
    bool stopping = false;

    // Folding (ServerLimits::fold_idle): under fold_mutex, never held with another lock.
    std::mutex fold_mutex;
    std::condition_variable fold_wake;
    std::thread folder;
    bool fold_stopping = false;
    std::optional<std::chrono::steady_clock::time_point> unfolded_since, last_added;

    void added() {
        auto now = std::chrono::steady_clock::now();
        {
            std::lock_guard lock(fold_mutex);
            if (!unfolded_since) unfolded_since = now;
            last_added = now;
        }
        fold_wake.notify_all();
    }
    // Folds if something is unfolded; `wait` bounds the wait for the store. True when folded.
    bool foldNow(std::chrono::milliseconds wait) {
        std::unique_lock store_lock(store_mutex, std::defer_lock);
        if (!store_lock.try_lock_for(wait)) return false;
        {
            std::lock_guard lock(fold_mutex);
            if (!unfolded_since) return true;
        }
        auto started = std::chrono::steady_clock::now();
        if (!store->fold()) return false; // a reader holds the log: again later
        ++stats.folds;
        std::lock_guard lock(fold_mutex);
        // Imports wait for store_mutex, so none added anything while it was held.
        if (last_added && *last_added <= started) {
            unfolded_since.reset();
            last_added.reset();
        }
        return true;
    }

    void cut(const std::vector<int>& fds, std::atomic<std::uint64_t>& counter) {
        for (int fd : fds) {
            ++counter;                 // counted first: the peer may look as soon as it is cut
            ::shutdown(fd, SHUT_RDWR); // the event loop sees the end and frees the slot
        }
    }
};

namespace {

constexpr int kProtocol = 2; // 2: ledger parts, and the ledger state in acknowledgements

// The socket a connection was recorded under (MHD_OPTION_NOTIFY_CONNECTION stores it).
int handleOf(MHD_Connection* c) {
    const MHD_ConnectionInfo* i = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    if (!i || !i->socket_context) return -1;
    return static_cast<int>(reinterpret_cast<std::intptr_t>(i->socket_context)) - 1;
}

// A share of the body budget, given back when the request has been answered (or dropped).
struct Reservation {
    SyncServer::Impl* server = nullptr;
    std::size_t bytes = 0;
    Reservation() = default;
    Reservation(const Reservation&) = delete;
    Reservation& operator=(const Reservation&) = delete;
    ~Reservation() { release(); }
    void release() {
        if (!server || bytes == 0) return;
        bool idle = false;
        {
            std::lock_guard lock(server->guard_mutex);
            server->buffered -= bytes;
            idle = server->buffered == 0;
        }
        // glibc keeps freed heap pages in its arenas; once no body is held, return them, so
        // that a burst of large bodies does not leave the collector's memory high for hours.
        if (idle && bytes >= (1u << 20)) malloc_trim(0);
        bytes = 0;
    }
};

// An answer, made where it is convenient (an import makes its answer on an import thread) and
// queued on the connection's own thread.
struct Answer {
    unsigned status = MHD_HTTP_OK;
    json body;
    bool retry_after = false;
};

struct Request {
    Reservation reservation;
    bool post = false;
    bool done = false;      // a response has been queued
    bool too_large = false; // a chunked body passed the limit: discard the rest, then 413
    std::size_t discarded = 0;
    Bytes body;
    std::optional<Answer> answer; // set by the import thread before it resumes the connection
};

MHD_Result send(MHD_Connection* c, const Answer& a) {
    std::string text = a.body.dump();
    MHD_Response* r =
        MHD_create_response_from_buffer(text.size(), text.data(), MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    if (a.retry_after) MHD_add_response_header(r, "Retry-After", "2");
    MHD_Result ret = MHD_queue_response(c, a.status, r);
    MHD_destroy_response(r);
    return ret;
}

MHD_Result sendJson(MHD_Connection* c, unsigned status, const json& j) {
    return send(c, Answer{status, j, false});
}

// An error answer: the reason is a catalog id (the tablet shows it in its own language);
// retry tells busy (try again later) apart from refused (do not retry).
// `detail`, when given, is the underlying problem, described in each language.
Answer errorAnswer(unsigned status, const Error& e, bool retry, const Error* detail = nullptr) {
    auto text = [&](Lang l) {
        if (!detail) return describe(e, l);
        return tr(l, e.id, {describe(*detail, l)});
    };
    json j = {{"protocol", kProtocol},
              {"status", "error"},
              {"reason", e.id},
              {"retry", retry},
              {"message_zh", text(Lang::Zh)},
              {"message_en", text(Lang::En)}};
    return Answer{status, std::move(j), retry};
}

MHD_Result sendError(MHD_Connection* c, unsigned status, const Error& e, bool retry,
                     const Error* detail = nullptr) {
    return send(c, errorAnswer(status, e, retry, detail));
}

unsigned statusFor(const Error& e, bool& retry) {
    retry = false;
    if (e.id == "bundle.other_campaign") return MHD_HTTP_FORBIDDEN;
    if (e.id == "certificate.bad_signature") return MHD_HTTP_FORBIDDEN;
    switch (e.kind) {
    case ErrorKind::Busy:
        retry = true;
        return MHD_HTTP_SERVICE_UNAVAILABLE;
    case ErrorKind::Io:
    case ErrorKind::Internal:
        retry = true;
        return MHD_HTTP_INTERNAL_SERVER_ERROR;
    case ErrorKind::Invalid:
    case ErrorKind::NotFound:
    case ErrorKind::Conflict:
    case ErrorKind::Forged:
    case ErrorKind::Auth:
        return MHD_HTTP_BAD_REQUEST;
    }
    return MHD_HTTP_BAD_REQUEST;
}

// A bundle the collector will not take: the reason, mapped to the protocol's answers.
Answer answerRefused(SyncServer::Impl& s, const Error& refused) {
    ++s.stats.refused;
    bool retry = false;
    unsigned status = statusFor(refused, retry);
    if (refused.id == "certificate.bad_signature")
        return errorAnswer(status, Error::make(ErrorKind::Forged, "sync.unknown_device"), false);
    if (status == MHD_HTTP_BAD_REQUEST)
        return errorAnswer(status, Error::make(ErrorKind::Invalid, "sync.malformed"), false,
                           &refused);
    return errorAnswer(status, refused, retry);
}

// Runs on an import thread, never on libmicrohttpd's: no MHD call here.
Answer handleSync(SyncServer::Impl& s, Request& req) {
    // Decoding and signature checks need only the package, not the store: they run outside
    // the store's lock, so the import threads check several tablets' batches at once.
    CheckedBundle checked = checkBundle(s.store->package(), req.body);
    Bytes().swap(req.body); // the checked copy is all that is needed now
    if (checked.refused) return answerRefused(s, *checked.refused);
    const std::size_t ledger_entries = checked.ledger.hashes.size();
    std::unique_lock lock(s.store_mutex, std::defer_lock);
    if (!lock.try_lock_for(s.limits.busy_wait)) {
        ++s.stats.busy;
        return errorAnswer(MHD_HTTP_SERVICE_UNAVAILABLE, Error::make(ErrorKind::Busy, "sync.busy"),
                           true);
    }
    // Token additions imported by another process since the last batch.
    if (auto st = s.store->refreshTokens(); !st)
        return errorAnswer(MHD_HTTP_INTERNAL_SERVER_ERROR, st.error(), true);
    ImportReport r = storeChecked(*s.store, std::move(checked), "sync");
    lock.unlock();
    if (r.refused) return answerRefused(s, *r.refused);
    ++s.stats.batches;
    s.stats.envelopes_added += r.added;
    if (r.added > 0) s.added();
    s.stats.ledger_entries += ledger_entries;
    json rejected = json::array();
    for (auto& e : r.rejected)
        rejected.push_back({{"receipt", e.receipt}, {"reason", e.reason.id}});
    Bytes ack = encodeAck(s.store->package().digest, r.device, r.held, r.ledger, s.sign_sk);
    json j = {{"protocol", kProtocol},        {"status", "ok"},       {"added", r.added},
              {"already", r.already},         {"rejected", rejected}, {"ack", toHex(ack)},
              {"ledger_held", r.ledger.count}};
    return Answer{MHD_HTTP_OK, std::move(j), false};
}

// The guard's view of a connection: what it is doing now.
void guardStep(SyncServer::Impl& s, MHD_Connection* c, void (ConnectionGuard::*step)(int)) {
    int h = handleOf(c);
    std::lock_guard lock(s.guard_mutex);
    ((*s.guard).*step)(h);
}

// Takes `want` bytes of the body budget for this request, or answers 503 busy (and cuts the
// slowest body, if one is slow, so that the retry finds room).
bool reserveBody(SyncServer::Impl& s, Request& req, std::size_t want) {
    std::lock_guard lock(s.guard_mutex);
    if (s.buffered + want > s.limits.body_budget) {
        s.cut(s.guard->slowestBody(std::chrono::steady_clock::now()), s.stats.cut_slow);
        return false;
    }
    s.buffered += want;
    if (s.buffered > s.stats.peak_buffered.load()) s.stats.peak_buffered = s.buffered;
    req.reservation.server = &s;
    req.reservation.bytes = want;
    return true;
}

MHD_Result refuseTooLarge(SyncServer::Impl& s, MHD_Connection* c) {
    return sendError(
        c, MHD_HTTP_CONTENT_TOO_LARGE,
        Error::make(ErrorKind::Invalid, "sync.too_large", {std::to_string(s.limits.max_body)}),
        false);
}

// The first call for a request: its headers are complete. Answers at once where it can;
// a POST /v2/sync is let in only with a share of the body budget.
MHD_Result beginRequest(SyncServer::Impl& s, MHD_Connection* c, Request& req, std::string_view u,
                        std::string_view m) {
    ++s.stats.requests;
    guardStep(s, c, &ConnectionGuard::headers);
    if (u.starts_with("/v1/")) { // tablets of protocol 1 send bundles of version 1
        req.done = true;
        return sendError(
            c, MHD_HTTP_BAD_REQUEST,
            Error::make(ErrorKind::Invalid, "sync.old_protocol", {"1", std::to_string(kProtocol)}),
            false);
    }
    if (u == "/v2/hello" && m == "GET") {
        req.done = true;
        json j = {{"protocol", kProtocol},
                  {"status", "ok"},
                  {"campaign", toHex(s.store->package().digest)},
                  {"collector", fingerprint(s.sign_pk)}};
        return sendJson(c, MHD_HTTP_OK, j);
    }
    if (u != "/v2/sync") {
        req.done = true;
        return sendError(c, MHD_HTTP_NOT_FOUND, Error::make(ErrorKind::NotFound, "sync.not_found"),
                         false);
    }
    if (m != "POST") {
        req.done = true;
        return sendError(c, MHD_HTTP_METHOD_NOT_ALLOWED,
                         Error::make(ErrorKind::Invalid, "sync.malformed", {"method"}), false);
    }
    req.post = true;
    const char* enc =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
    if (enc && std::strcmp(enc, "identity") != 0) {
        req.done = true;
        return sendError(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                         Error::make(ErrorKind::Invalid, "sync.encoding", {enc}), false);
    }
    std::size_t want = s.limits.max_body; // a chunked body may grow to the limit
    const char* len =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (len) {
        char* end = nullptr;
        unsigned long long n = std::strtoull(len, &end, 10);
        if (!end || *end != '\0' || n > s.limits.max_body) {
            req.done = true;
            return refuseTooLarge(s, c);
        }
        want = static_cast<std::size_t>(n);
    }
    if (!reserveBody(s, req, want)) {
        // Nothing of the body is read: libmicrohttpd answers and closes the connection.
        req.done = true;
        ++s.stats.busy;
        ++s.stats.body_busy;
        return sendError(c, MHD_HTTP_SERVICE_UNAVAILABLE, Error::make(ErrorKind::Busy, "sync.busy"),
                         true);
    }
    if (len) req.body.reserve(want);
    return MHD_YES;
}

MHD_Result onRequest(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                     const char* upload_data, size_t* upload_size, void** con_cls) {
    auto& s = *static_cast<SyncServer::Impl*>(cls);
    auto* req = static_cast<Request*>(*con_cls);
    if (!req) {
        req = new Request();
        *con_cls = req;
        return beginRequest(s, c, *req, url, method);
    }
    if (*upload_size > 0) {
        {
            int h = handleOf(c);
            std::lock_guard lock(s.guard_mutex);
            s.guard->body(h, *upload_size);
        }
        if (req->done) { // refused already: discard what is still coming
            *upload_size = 0;
            return MHD_YES;
        }
        if (req->too_large || req->body.size() + *upload_size > s.limits.max_body) {
            // A chunked body has no length up front: past the limit nothing more is kept; the
            // rest is read and dropped (up to 4 times the limit, else the connection is cut)
            // and the answer is 413.
            req->too_large = true;
            Bytes().swap(req->body);
            req->discarded += *upload_size;
            *upload_size = 0;
            return req->discarded > 4 * s.limits.max_body ? MHD_NO : MHD_YES;
        }
        req->body.insert(req->body.end(), upload_data, upload_data + *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (req->answer) { // resumed: the import thread has answered
        Answer a = std::move(*req->answer);
        req->answer.reset();
        return send(c, a);
    }
    if (req->done) return MHD_YES;
    req->done = true;
    if (req->too_large) return refuseTooLarge(s, c);
    guardStep(s, c, &ConnectionGuard::handling); // the server's own time is not the client's
    // The import may wait seconds for the store: it runs on an import thread while this
    // connection is suspended, so the event thread keeps serving its other connections.
    auto job = [&s, c, req] {
        Answer a = handleSync(s, *req);
        req->reservation.release();
        req->answer = std::move(a);
        MHD_resume_connection(c); // libmicrohttpd calls onRequest again, which sends it
    };
    MHD_suspend_connection(c);
    if (!s.imports.push(job)) job(); // the server is stopping: import here
    return MHD_YES;
}

void onComplete(void* cls, MHD_Connection* c, void** con_cls, MHD_RequestTerminationCode) {
    delete static_cast<Request*>(*con_cls);
    *con_cls = nullptr;
    auto& s = *static_cast<SyncServer::Impl*>(cls);
    int h = handleOf(c);
    std::lock_guard lock(s.guard_mutex);
    s.guard->finished(h, std::chrono::steady_clock::now()); // kept alive: wait for the next one
}

// Records each connection with the guard, which may cut slow ones to make room for it, or cut
// it at once when its address is full of connections that all make progress.
void onConnection(void* cls, MHD_Connection* c, void** socket_context,
                  MHD_ConnectionNotificationCode code) {
    auto& s = *static_cast<SyncServer::Impl*>(cls);
    if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
        if (!*socket_context) return;
        int h = static_cast<int>(reinterpret_cast<std::intptr_t>(*socket_context)) - 1;
        std::lock_guard lock(s.guard_mutex);
        s.guard->close(h);
        return;
    }
    const MHD_ConnectionInfo* fd = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    const MHD_ConnectionInfo* ad = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!fd) return;
    std::uint32_t address = 0;
    if (ad && ad->client_addr && ad->client_addr->sa_family == AF_INET)
        address = ntohl(reinterpret_cast<const sockaddr_in*>(ad->client_addr)->sin_addr.s_addr);
    int h = fd->connect_fd;
    *socket_context = reinterpret_cast<void*>(static_cast<std::intptr_t>(h) + 1);
    std::lock_guard lock(s.guard_mutex);
    auto admission = s.guard->open(h, address, std::chrono::steady_clock::now());
    s.cut(admission.cut, s.stats.cut_slow);
    if (!admission.accept) s.cut({h}, s.stats.crowded);
}

void folderLoop(SyncServer::Impl& s) {
    std::unique_lock lock(s.fold_mutex);
    while (!s.fold_stopping) {
        auto now = std::chrono::steady_clock::now();
        if (!s.unfolded_since) {
            s.fold_wake.wait(lock);
            continue;
        }
        auto due =
            std::min(*s.last_added + s.limits.fold_idle, *s.unfolded_since + s.limits.fold_every);
        if (now < due) {
            s.fold_wake.wait_until(lock, due);
            continue;
        }
        lock.unlock();
        bool folded = s.foldNow(s.limits.busy_wait);
        lock.lock();
        if (!folded && !s.fold_stopping) s.fold_wake.wait_for(lock, s.limits.fold_idle);
    }
}

void tickerLoop(SyncServer::Impl& s) {
    std::unique_lock lock(s.guard_mutex);
    while (!s.stopping) {
        s.ticker_wake.wait_for(lock, std::chrono::milliseconds(200));
        if (s.stopping) break;
        auto cuts = s.guard->tick(std::chrono::steady_clock::now());
        s.cut(cuts.late, s.stats.cut_late);
        s.cut(cuts.slow, s.stats.cut_slow);
    }
}

} // namespace

SyncServer::SyncServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SyncServer::~SyncServer() {
    stop();
}

void SyncServer::stop() {
    if (impl_ && impl_->ticker.joinable()) {
        {
            std::lock_guard lock(impl_->guard_mutex);
            impl_->stopping = true;
        }
        impl_->ticker_wake.notify_all();
        impl_->ticker.join();
    }
    if (impl_) impl_->imports.stop(); // no connection may stay suspended
    if (impl_ && impl_->daemon) {
        MHD_stop_daemon(impl_->daemon);
        impl_->daemon = nullptr;
    }
    if (impl_ && impl_->folder.joinable()) {
        {
            std::lock_guard lock(impl_->fold_mutex);
            impl_->fold_stopping = true;
        }
        impl_->fold_wake.notify_all();
        impl_->folder.join();
        // Nothing imports any more: the last imports are folded before the store is let go.
        (void)impl_->foldNow(impl_->limits.busy_wait);
    }
}

std::uint16_t SyncServer::port() const {
    return impl_->port;
}
const ServerStats& SyncServer::stats() const {
    return impl_->stats;
}
std::size_t SyncServer::openConnections() const {
    std::lock_guard lock(impl_->guard_mutex);
    return impl_->guard->live();
}

Result<std::unique_ptr<SyncServer>>
SyncServer::start(const fs::path& store_dir, const PublicKey& sign_pk, Secret sign_sk,
                  const std::string& address, std::uint16_t port, const ServerLimits& limits) {
    auto store = CollectorStore::open(store_dir);
    if (!store) return store.error();
    if (sign_pk != store->package().body.collector_sign || signPublicOf(sign_sk) != sign_pk)
        return Error::make(ErrorKind::Auth, "count.wrong_key");
    auto impl = std::make_unique<Impl>();
    impl->store = std::make_unique<CollectorStore>(std::move(*store));
    impl->sign_pk = sign_pk;
    impl->sign_sk = std::move(sign_sk);
    impl->limits = limits;
    GuardLimits g;
    g.connections = std::max(limits.connection_limit, 4u);
    g.per_address = std::max(limits.per_ip_limit, 1u);
    g.header = std::chrono::seconds(limits.header_seconds);
    g.request = std::chrono::seconds(limits.request_seconds);
    g.grace = limits.slow_grace;
    g.min_body_rate = limits.min_body_rate;
    impl->guard.emplace(g);

    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1)
        return Error::make(ErrorKind::Invalid, "server.bad_address", {address});
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     MHD_ALLOW_SUSPEND_RESUME;
    impl->daemon = MHD_start_daemon(
        flags, port, nullptr, nullptr, &onRequest, impl.get(), MHD_OPTION_SOCK_ADDR,
        reinterpret_cast<sockaddr*>(&addr), MHD_OPTION_THREAD_POOL_SIZE,
        static_cast<unsigned>(limits.threads), MHD_OPTION_CONNECTION_LIMIT,
        static_cast<unsigned>(limits.connection_limit), MHD_OPTION_CONNECTION_TIMEOUT,
        static_cast<unsigned>(limits.idle_timeout_seconds), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        static_cast<size_t>(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED, &onComplete, impl.get(),
        MHD_OPTION_NOTIFY_CONNECTION, &onConnection, impl.get(), MHD_OPTION_END);
    if (!impl->daemon)
        return Error::make(ErrorKind::Io, "server.bind_failed",
                           {address + ":" + std::to_string(port)});
    const MHD_DaemonInfo* info = MHD_get_daemon_info(impl->daemon, MHD_DAEMON_INFO_BIND_PORT);
    impl->port = info ? info->port : port;
    impl->imports.start(limits.threads);
    impl->ticker = std::thread([raw = impl.get()] { tickerLoop(*raw); });
    impl->folder = std::thread([raw = impl.get()] { folderLoop(*raw); });
    return std::unique_ptr<SyncServer>(new SyncServer(std::move(impl)));
}

} // namespace pingyi
