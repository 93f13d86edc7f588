// One job at a time on its own thread, so the UI thread never waits for the store, the disk or
// the crypto. The UI thread starts a job, reads its progress, and takes the result when done;
// `wake` is called (from the job's thread) on progress and at the end, so an idle UI can sleep.
#pragma once

#include "app/console/jobs.hpp"

#include <mutex>
#include <string>
#include <thread>

namespace pingyi::console {

// Lowers the calling thread's scheduling priority (nice +10; Linux keeps it per thread, and
// threads it starts inherit it), so the UI thread wins the cores while work runs.
void lowerThreadPriority();

class Worker {
  public:
    explicit Worker(std::function<void()> wake = {});
    ~Worker(); // waits for a running job (jobs stop at their next safe point when cancelled)
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Starts a job; false (and nothing runs) while another job is running or not yet taken.
    bool start(std::string kind, std::function<JobResult(Progress&)> job);
    bool busy() const;               // started and not yet taken
    bool finished() const;           // the result is ready to take
    std::optional<JobResult> take(); // the finished result, once; nullopt while running
    void wait();                     // blocks until the running job has finished (tests)
    void cancel() { progress_.cancel = true; }
    const Progress& progress() const { return progress_; }
    const std::string& kind() const { return kind_; }

  private:
    std::function<void()> wake_;
    Progress progress_;
    std::thread thread_;
    mutable std::mutex mu_;
    std::optional<JobResult> result_;
    bool running_ = false;
    std::string kind_;
};

} // namespace pingyi::console
