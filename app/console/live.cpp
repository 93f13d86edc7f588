#include "app/console/live.hpp"

#include "app/console/worker.hpp"

#include "core/tally.hpp"
#include "core/token.hpp"

namespace pingyi::console {

LiveSnapshot readLive(CollectorStore& store) {
    LiveSnapshot s;
    auto fail = [&](const Error& e) {
        s.error = e;
        return s;
    };
    (void)store.refreshTokens();
    // One read transaction: the numbers agree with each other.
    if (auto st = store.db().exec("BEGIN"); !st) return fail(st.error());
    struct EndRead {
        Db& db;
        ~EndRead() { (void)db.exec("COMMIT"); }
    } end_read{store.db()};
    auto c = store.counts();
    if (!c) return fail(c.error());
    s.counts = *c;
    if (auto f = resultsFreshness(store)) s.freshness = *f;
    auto devs = store.devices();
    if (!devs) return fail(devs.error());
    for (auto& d : *devs) {
        LiveDevice ld{d.label, fingerprint(d.device), d.last_contact, d.held, d.ledger, {}};
        for (auto& m : d.missing)
            ld.missing.push_back(receiptCode(m));
        s.devices.push_back(std::move(ld));
    }
    auto conf = store.conflicts();
    if (!conf) return fail(conf.error());
    for (auto& cf : *conf) {
        LiveConflict lc;
        lc.tag = cf.tag;
        lc.envelopes = cf.envelopes;
        for (auto& h : cf.envelopes)
            lc.receipts.push_back(receiptCode(h));
        lc.decided = cf.decision.has_value();
        if (cf.decision && *cf.decision) lc.counted = receiptCode(**cf.decision);
        lc.reason = cf.reason;
        s.conflicts.push_back(std::move(lc));
    }
    auto tags = store.heldTags();
    if (!tags) return fail(tags.error());
    const Campaign& camp = store.campaign();
    std::map<std::string, std::map<std::string, std::uint64_t>> per_meeting;
    for (auto& t : *tags)
        if (const TokenPlace* p = store.tokens().find(t))
            ++per_meeting[p->meeting.id()][p->category];
    for (auto& m : camp.meetings())
        s.meetings.push_back(composeMeeting(camp, m, per_meeting[m.id()]));
    return s;
}

namespace {
bool sameReading(const LiveSnapshot& a, const LiveSnapshot& b) {
    auto key = [](const LiveSnapshot& s) {
        std::string k = s.error ? s.error->id : "";
        k += std::to_string(s.counts.envelopes) + "/" + std::to_string(s.counts.devices) + "/" +
             std::to_string(s.counts.conflicts) + "/" + std::to_string(s.counts.conflicts_open) +
             "/" + std::to_string(s.counts.missing);
        for (auto& d : s.devices)
            k += "|" + d.last_contact + std::to_string(d.held) + "/" + std::to_string(d.ledger);
        for (auto& c : s.conflicts)
            k += "|" + c.reason + c.counted.value_or("-");
        if (s.freshness)
            k += "|" + (s.freshness->counted ? s.freshness->counted->text() : std::string("?")) +
                 s.freshness->now.text();
        return k;
    };
    return key(a) == key(b);
}
} // namespace

Poller::Poller(fs::path dir, std::chrono::milliseconds interval, std::function<void()> wake)
    : dir_(std::move(dir)), interval_(interval), wake_(std::move(wake)) {
    thread_ = std::thread([this] { run(); });
}

Poller::~Poller() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

LiveSnapshot Poller::snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return snap_;
}

std::uint64_t Poller::generation() const {
    std::lock_guard<std::mutex> lock(mu_);
    return snap_.generation;
}

void Poller::refreshNow() {
    {
        std::lock_guard<std::mutex> lock(mu_);
        now_ = true;
    }
    cv_.notify_all();
}

void Poller::run() {
    lowerThreadPriority();
    std::optional<CollectorStore> store;
    std::uint64_t generation = 0;
    for (;;) {
        LiveSnapshot s;
        if (!store) {
            auto st = CollectorStore::open(dir_);
            if (st)
                store.emplace(std::move(*st));
            else
                s.error = st.error();
        }
        if (store) s = readLive(*store);
        bool changed = false;
        {
            std::lock_guard<std::mutex> lock(mu_);
            changed = generation == 0 || !sameReading(s, snap_);
            s.generation = ++generation;
            snap_ = std::move(s);
        }
        if (changed && wake_) wake_();
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait_for(lock, interval_, [this] { return stop_ || now_; });
        if (stop_) return;
        now_ = false;
    }
}

} // namespace pingyi::console
