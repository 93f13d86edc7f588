#include "sync/server.hpp"

#include "core/ack.hpp"
#include "core/catalog.hpp"
#include "sync/collector_import.hpp"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <nlohmann/json.hpp>

#include <cstring>
#include <mutex>

namespace pingyi {

using nlohmann::json;

struct SyncServer::Impl {
    std::unique_ptr<CollectorStore> store;
    std::timed_mutex store_mutex; // SQLite has one writer: imports take turns
    PublicKey sign_pk{};
    Secret sign_sk;
    ServerLimits limits;
    ServerStats stats;
    MHD_Daemon* daemon = nullptr;
    std::uint16_t port = 0;
};

namespace {

constexpr int kProtocol = 2; // 2: ledger parts, and the ledger state in acknowledgements

struct Request {
    bool post = false;
    bool done = false;      // a response has been queued
    bool too_large = false; // a chunked body passed the limit: discard the rest, then 413
    std::size_t discarded = 0;
    Bytes body;
    std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
};

MHD_Result sendJson(MHD_Connection* c, unsigned status, const json& j, bool retry_after = false) {
    std::string text = j.dump();
    MHD_Response* r =
        MHD_create_response_from_buffer(text.size(), text.data(), MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    if (retry_after) MHD_add_response_header(r, "Retry-After", "2");
    MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

// An error answer: the reason is a catalog id (the tablet shows it in its own language);
// retry tells busy (try again later) apart from refused (do not retry).
// `detail`, when given, is the underlying problem, described in each language.
MHD_Result sendError(MHD_Connection* c, unsigned status, const Error& e, bool retry,
                     const Error* detail = nullptr) {
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
    return sendJson(c, status, j, retry);
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
MHD_Result answerRefused(SyncServer::Impl& s, MHD_Connection* c, const Error& refused) {
    ++s.stats.refused;
    bool retry = false;
    unsigned status = statusFor(refused, retry);
    if (refused.id == "certificate.bad_signature")
        return sendError(c, status, Error::make(ErrorKind::Forged, "sync.unknown_device"), false);
    if (status == MHD_HTTP_BAD_REQUEST)
        return sendError(c, status, Error::make(ErrorKind::Invalid, "sync.malformed"), false,
                         &refused);
    return sendError(c, status, refused, retry);
}

MHD_Result handleSync(SyncServer::Impl& s, MHD_Connection* c, Request& req) {
    // Decoding and signature checks need only the package, not the store: they run outside
    // the store's lock, so the server's threads check several tablets' batches at once.
    CheckedBundle checked = checkBundle(s.store->package(), req.body);
    if (checked.refused) return answerRefused(s, c, *checked.refused);
    const std::size_t ledger_entries = checked.ledger.hashes.size();
    std::unique_lock lock(s.store_mutex, std::defer_lock);
    if (!lock.try_lock_for(s.limits.busy_wait)) {
        ++s.stats.busy;
        return sendError(c, MHD_HTTP_SERVICE_UNAVAILABLE, Error::make(ErrorKind::Busy, "sync.busy"),
                         true);
    }
    // Token additions imported by another process since the last batch.
    if (auto st = s.store->refreshTokens(); !st)
        return sendError(c, MHD_HTTP_INTERNAL_SERVER_ERROR, st.error(), true);
    ImportReport r = storeChecked(*s.store, std::move(checked), "sync");
    lock.unlock();
    if (r.refused) return answerRefused(s, c, *r.refused);
    ++s.stats.batches;
    s.stats.envelopes_added += r.added;
    s.stats.ledger_entries += ledger_entries;
    json rejected = json::array();
    for (auto& e : r.rejected)
        rejected.push_back({{"receipt", e.receipt}, {"reason", e.reason.id}});
    Bytes ack = encodeAck(s.store->package().digest, r.device, r.held, r.ledger, s.sign_sk);
    json j = {{"protocol", kProtocol},        {"status", "ok"},       {"added", r.added},
              {"already", r.already},         {"rejected", rejected}, {"ack", toHex(ack)},
              {"ledger_held", r.ledger.count}};
    return sendJson(c, MHD_HTTP_OK, j);
}

MHD_Result onRequest(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                     const char* upload_data, size_t* upload_size, void** con_cls) {
    auto& s = *static_cast<SyncServer::Impl*>(cls);
    auto* req = static_cast<Request*>(*con_cls);
    if (!req) {
        req = new Request();
        *con_cls = req;
        ++s.stats.requests;
        std::string u = url, m = method;
        if (u.starts_with("/v1/")) { // tablets of protocol 1 send bundles of version 1
            req->done = true;
            return sendError(c, MHD_HTTP_BAD_REQUEST,
                             Error::make(ErrorKind::Invalid, "sync.old_protocol",
                                         {"1", std::to_string(kProtocol)}),
                             false);
        }
        if (u == "/v2/hello" && m == "GET") {
            req->done = true;
            json j = {{"protocol", kProtocol},
                      {"status", "ok"},
                      {"campaign", toHex(s.store->package().digest)},
                      {"collector", fingerprint(s.sign_pk)}};
            return sendJson(c, MHD_HTTP_OK, j);
        }
        if (u != "/v2/sync") {
            req->done = true;
            return sendError(c, MHD_HTTP_NOT_FOUND,
                             Error::make(ErrorKind::NotFound, "sync.not_found"), false);
        }
        if (m != "POST") {
            req->done = true;
            return sendError(c, MHD_HTTP_METHOD_NOT_ALLOWED,
                             Error::make(ErrorKind::Invalid, "sync.malformed", {"method"}), false);
        }
        req->post = true;
        const char* enc =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_ENCODING);
        if (enc && std::strcmp(enc, "identity") != 0) {
            req->done = true;
            return sendError(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
                             Error::make(ErrorKind::Invalid, "sync.encoding", {enc}), false);
        }
        const char* len =
            MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (len) {
            char* end = nullptr;
            unsigned long long n = std::strtoull(len, &end, 10);
            if (!end || *end != '\0' || n > s.limits.max_body) {
                req->done = true;
                return sendError(c, MHD_HTTP_CONTENT_TOO_LARGE,
                                 Error::make(ErrorKind::Invalid, "sync.too_large",
                                             {std::to_string(s.limits.max_body)}),
                                 false);
            }
            req->body.reserve(static_cast<std::size_t>(n));
        }
        return MHD_YES;
    }
    if (*upload_size > 0) {
        if (req->done) { // refused already: discard what is still coming
            *upload_size = 0;
            return MHD_YES;
        }
        if (std::chrono::steady_clock::now() - req->start >
            std::chrono::seconds(s.limits.request_seconds))
            return MHD_NO; // a client trickling a body forever is dropped
        if (req->too_large || req->body.size() + *upload_size > s.limits.max_body) {
            // A chunked body has no length up front: past the limit nothing more is kept; the
            // rest is read and dropped (up to 4 times the limit, else the connection is cut)
            // and the answer is 413.
            req->too_large = true;
            req->body = Bytes();
            req->discarded += *upload_size;
            *upload_size = 0;
            return req->discarded > 4 * s.limits.max_body ? MHD_NO : MHD_YES;
        }
        req->body.insert(req->body.end(), upload_data, upload_data + *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (req->done) return MHD_YES;
    req->done = true;
    if (req->too_large)
        return sendError(
            c, MHD_HTTP_CONTENT_TOO_LARGE,
            Error::make(ErrorKind::Invalid, "sync.too_large", {std::to_string(s.limits.max_body)}),
            false);
    return handleSync(s, c, *req);
}

void onComplete(void*, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
    delete static_cast<Request*>(*con_cls);
    *con_cls = nullptr;
}

} // namespace

SyncServer::SyncServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SyncServer::~SyncServer() {
    stop();
}

void SyncServer::stop() {
    if (impl_ && impl_->daemon) {
        MHD_stop_daemon(impl_->daemon);
        impl_->daemon = nullptr;
    }
}

std::uint16_t SyncServer::port() const {
    return impl_->port;
}
const ServerStats& SyncServer::stats() const {
    return impl_->stats;
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

    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    if (inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1)
        return Error::make(ErrorKind::Invalid, "server.bad_address", {address});
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    impl->daemon = MHD_start_daemon(
        flags, port, nullptr, nullptr, &onRequest, impl.get(), MHD_OPTION_SOCK_ADDR,
        reinterpret_cast<sockaddr*>(&addr), MHD_OPTION_THREAD_POOL_SIZE,
        static_cast<unsigned>(limits.threads), MHD_OPTION_CONNECTION_LIMIT,
        static_cast<unsigned>(limits.connection_limit), MHD_OPTION_PER_IP_CONNECTION_LIMIT,
        static_cast<unsigned>(limits.per_ip_limit), MHD_OPTION_CONNECTION_TIMEOUT,
        static_cast<unsigned>(limits.idle_timeout_seconds), MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        static_cast<size_t>(64 * 1024), MHD_OPTION_NOTIFY_COMPLETED, &onComplete, nullptr,
        MHD_OPTION_END);
    if (!impl->daemon)
        return Error::make(ErrorKind::Io, "server.bind_failed",
                           {address + ":" + std::to_string(port)});
    const MHD_DaemonInfo* info = MHD_get_daemon_info(impl->daemon, MHD_DAEMON_INFO_BIND_PORT);
    impl->port = info ? info->port : port;
    return std::unique_ptr<SyncServer>(new SyncServer(std::move(impl)));
}

} // namespace pingyi
