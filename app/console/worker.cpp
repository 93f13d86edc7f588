#include "app/console/worker.hpp"

#include <sys/resource.h>
#include <unistd.h>

namespace pingyi::console {

void lowerThreadPriority() {
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
}

Worker::Worker(std::function<void()> wake) : wake_(std::move(wake)) {
    progress_.wake = wake_;
}

Worker::~Worker() {
    progress_.cancel = true;
    if (thread_.joinable()) thread_.join();
}

bool Worker::start(std::string kind, std::function<JobResult(Progress&)> job) {
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (running_ || result_) return false;
        running_ = true;
    }
    if (thread_.joinable()) thread_.join();
    kind_ = std::move(kind);
    progress_.done = 0;
    progress_.total = 0;
    progress_.cancel = false;
    thread_ = std::thread([this, job = std::move(job)] {
        lowerThreadPriority();
        JobResult r = job(progress_);
        {
            std::lock_guard<std::mutex> lock(mu_);
            result_ = std::move(r);
            running_ = false;
        }
        if (wake_) wake_();
    });
    return true;
}

bool Worker::busy() const {
    std::lock_guard<std::mutex> lock(mu_);
    return running_ || result_.has_value();
}

bool Worker::finished() const {
    std::lock_guard<std::mutex> lock(mu_);
    return result_.has_value();
}

std::optional<JobResult> Worker::take() {
    std::optional<JobResult> r;
    {
        std::lock_guard<std::mutex> lock(mu_);
        if (!result_) return std::nullopt;
        r = std::move(result_);
        result_.reset();
    }
    if (thread_.joinable()) thread_.join();
    return r;
}

void Worker::wait() {
    if (thread_.joinable()) thread_.join();
}

} // namespace pingyi::console
