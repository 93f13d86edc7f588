// The console's app loop without a window: it owns the state (the open store, the last import,
// the live reading, the results), draws the current screen (between ImGui::NewFrame and
// ImGui::Render) and carries each intent to a job on the worker thread. main.cpp adds SDL and
// OpenGL; the tests and the benchmark drive it headless, by the same screens.
#pragma once

#include "app/console/live.hpp"
#include "app/console/screens/screens.hpp"
#include "app/console/worker.hpp"
#include "app/ui/ui.hpp"

#include <chrono>
#include <memory>

namespace pingyi::console {

struct ConsoleOptions {
    ui::FontOptions fonts;
    Lang lang = Lang::Zh;
    unsigned threads = 2; // counting threads
    std::chrono::milliseconds live_interval{1000};
};

// What the status line says: a catalog message or an error, rendered in the current language.
struct Said {
    std::string id;
    std::vector<std::string> args;
    std::optional<Error> error;
};

class Console {
  public:
    // `wake` is called from other threads when something changed (progress, a finished job, a
    // new live reading); the window pushes an event so the UI thread draws again.
    Console(ConsoleOptions options, std::function<void()> wake);
    ~Console();

    // (Re)builds the fonts into the current ImGui context's atlas; the caller then (re)creates
    // the GPU texture. Call after ImGui::CreateContext and whenever fontsDirty().
    void buildFonts();
    bool fontsDirty() const { return fonts_dirty_; }
    const ui::Fonts& fonts() const { return fonts_; }

    // Draws the current screen and runs what was asked. Call between NewFrame and Render.
    void frame();
    // Runs an intent as if a screen had returned it.
    void apply(const Intent& i);
    // Takes a finished job's result and a new live reading, if any. Returns true if the screen
    // should be drawn again. Cheap; call before every frame.
    bool update();
    // Files dropped on the window: imported at once if a store is open and nothing runs, else
    // listed. A dropped folder is scanned.
    void dropFiles(const std::vector<std::string>& paths);

    // --- for tests and the benchmark
    Tab tab() const { return tab_; }
    Lang lang() const { return lang_; }
    Buffers& buffers() { return buffers_; }
    bool busy() const { return worker_.busy(); }
    void waitForJob(); // blocks until the running job finished, then update()
    bool storeOpen() const { return store_ != nullptr; }
    const std::vector<ImportRow>& importRows() const { return rows_; }
    const LiveSnapshot& live() const { return live_; }
    Poller* poller() { return poller_.get(); }
    const std::optional<ResultsView>& results() const { return results_; }
    const std::optional<VerifyOutcome>& verified() const { return verified_; }
    std::string statusText() const;
    // Why the results shown no longer describe the store (empty: current, or none shown).
    std::vector<std::string> staleReasons() const;
    bool statusIsError() const { return said_.error.has_value(); }
    std::size_t selectedUnit() const { return unit_; }
    std::size_t selectedSubject() const { return subject_; }

  private:
    void startJob(const char* name, std::function<JobResult(Progress&)> job, bool cancellable);
    void finish(JobResult r);
    void importFiles(std::vector<fs::path> files);
    void scanFolder();
    void say(std::string id, std::vector<std::string> args = {});
    void fail(const Error& e);
    FrameView frameView() const;

    ConsoleOptions opt_;
    std::function<void()> wake_;
    Worker worker_;
    Lang lang_;
    Tab tab_ = Tab::Store;
    Buffers buffers_;
    ui::Fonts fonts_;
    bool fonts_dirty_ = true;
    std::vector<ImWchar> ranges_;

    std::shared_ptr<const StoreOpened> store_;
    std::unique_ptr<Poller> poller_;
    std::shared_ptr<SyncServer> server_; // the sync service, while it runs in this process
    std::string server_address_;
    LiveSnapshot live_;
    std::vector<FoundFile> found_;
    std::vector<fs::path> found_paths_;
    std::vector<ImportRow> rows_;
    std::vector<std::size_t> row_batch_; // which import each row came from (1, 2, ...)
    std::size_t batches_ = 0;
    std::optional<CollectorCounts> import_counts_;
    bool import_cancelled_ = false;
    std::optional<ResultsView> results_;
    std::size_t unit_ = 0, subject_ = 0, comment_page_ = 0;
    std::optional<Said> last_count_;
    std::optional<VerifyOutcome> verified_;
    Said said_;
    std::string job_name_;
    bool job_cancellable_ = false;
    std::size_t drawn_done_ = 0;
};

} // namespace pingyi::console
