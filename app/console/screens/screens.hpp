// The console's screens: each takes a view (what it shows) and returns an Intent (what the
// person asked for). They draw with ImGui and read the catalog; they touch no store, file or
// key. Text being typed lives in Buffers, owned by the Console (passphrases are wiped there).
#pragma once

#include "app/console/live.hpp"
#include "app/console/results_view.hpp"
#include "app/ui/ui.hpp"
#include "core/catalog.hpp"

#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace pingyi::console {

enum class Tab { Store, Import, Live, Count, Results, Publish };
inline constexpr Tab kTabs[] = {Tab::Store, Tab::Import,  Tab::Live,
                                Tab::Count, Tab::Results, Tab::Publish};
const char* tabKey(Tab t); // "store", "import", ...

namespace intent {
struct GoTo {
    Tab tab;
};
struct SetLanguage {
    Lang lang;
};
struct OpenStore {};
struct CreateStore {};
struct ScanFolder {};
struct ToggleFile {
    std::size_t index;
};
struct ImportSelected {};
struct ImportAll {};
struct Cancel {};
struct Resolve {
    std::size_t conflict;                // index in the live list
    std::optional<std::size_t> envelope; // index in the conflict, or none: count neither
};
struct StartCount {};
struct StartServer {};
struct StopServer {};
struct SelectUnit {
    std::size_t unit;
};
struct SelectSubject {
    std::size_t subject;
};
struct CommentsPage {
    std::size_t page;
};
struct Export {};
struct Sign {};
struct Verify {};
} // namespace intent
using Intent = std::variant<std::monostate, intent::GoTo, intent::SetLanguage, intent::OpenStore,
                            intent::CreateStore, intent::ScanFolder, intent::ToggleFile,
                            intent::ImportSelected, intent::ImportAll, intent::Cancel,
                            intent::Resolve, intent::StartCount, intent::StartServer,
                            intent::StopServer, intent::SelectUnit, intent::SelectSubject,
                            intent::CommentsPage, intent::Export, intent::Sign, intent::Verify>;

// Everything typed into the console's fields.
struct Buffers {
    std::string store_dir, package, collector_pub, organiser_pub; // open / create
    std::string folder;                                           // import from a folder
    std::string reason;                                           // conflict decision
    std::string collector_key, count_pass;                        // count (and the sync service)
    std::string listen = "127.0.0.1:8470", serve_pass;            // the sync service
    std::string export_dir;                                       // export
    bool fmt_json = true, fmt_csv = true, fmt_xlsx = true, fmt_html = true, fmt_receipts = true,
         fmt_comments = true;
    std::string results_file, head_key, head_pass; // sign
    int sign_unit = 0;
    bool sign_confirm = false; // the signer confirms a ranking that breaks the rules
    std::string verify_package, verify_head_pub, verify_receipt; // verify
    void wipeSecrets();
};

struct ScreenContext {
    Lang lang = Lang::Zh;
    const ui::Fonts* fonts = nullptr;
    ImVec2 size{1280, 800};
    Buffers* buffers = nullptr;
};

// The bar on top of every screen: the console's name, the store, the tabs, the language.
struct FrameView {
    Tab tab = Tab::Store;
    std::string store;    // open store folder, or empty
    std::string campaign; // its campaign
    bool has_results = false;
    // The line at the bottom: the last outcome, and the running job with its progress.
    std::string status;
    bool status_error = false;
    std::string job; // the running job's name, or empty
    std::size_t done = 0, total = 0;
    bool cancellable = false;
};
Intent topBar(const ScreenContext& cx, const FrameView& v);
Intent statusBar(const ScreenContext& cx, const FrameView& v);

struct StoreView {
    std::string open_dir, campaign, campaign_id, organiser, digest;
    std::size_t units = 0, subjects = 0, tokens = 0;
    bool busy = false;
};
Intent storeScreen(const ScreenContext& cx, const StoreView& v);

struct FoundFile {
    std::string name;
    bool selected = true;
};
struct ImportRowView {
    std::string file, device, refused; // refused: the reason, rendered
    bool additions = false;
    std::size_t batch = 0; // the nth import of this session
    std::size_t added = 0, already = 0;
    std::vector<std::pair<std::string, std::string>> rejected; // receipt, reason
};
struct ImportView {
    std::vector<FoundFile> found; // in the folder
    std::vector<ImportRowView> rows;
    std::string totals; // after the last import, rendered
    bool busy = false, store_open = false;
};
Intent importScreen(const ScreenContext& cx, const ImportView& v);

struct ServerView {
    bool running = false;
    std::string address;
    std::uint16_t port = 0;
    std::uint64_t requests = 0, added = 0, refused = 0;
};
struct LiveView {
    const LiveSnapshot* snap = nullptr;
    const Campaign* campaign = nullptr;
    bool busy = false;
    ServerView server;
};
Intent liveScreen(const ScreenContext& cx, const LiveView& v);

struct CountView {
    bool store_open = false, busy = false, counting = false;
    std::size_t done = 0, total = 0;
    std::int64_t held = 0, conflicts_open = 0;
    std::string last; // the outcome of the last count, rendered
};
Intent countScreen(const ScreenContext& cx, const CountView& v);

inline constexpr std::size_t kCommentsPerPage = 50;
struct ResultsScreenView {
    const ResultsView* results = nullptr;
    std::size_t unit = 0, subject = 0, comment_page = 0;
    std::vector<std::string> stale; // why the results no longer describe the store (empty: current)
};
Intent resultsScreen(const ScreenContext& cx, const ResultsScreenView& v);

struct PublishView {
    bool has_results = false, busy = false;
    std::vector<std::pair<std::string, std::string>> units; // id, name
    std::vector<std::vector<std::string>> unit_problems;    // per unit: compositionProblems
    std::vector<std::string> stale; // why the results no longer describe the store
    std::vector<std::pair<std::string, bool>> verify_lines; // rendered, ok
};
Intent publishScreen(const ScreenContext& cx, const PublishView& v);

// --- widgets shared by the screens (desktop sizes; each records its target by key)
namespace w {
bool button(std::string_view key, const std::string& label, bool enabled = true,
            ImVec2 size = ImVec2(0, 0), ui::Tone tone = ui::Tone::Normal);
// A labelled one-line field; true when Enter was pressed in it.
bool field(std::string_view key, const std::string& label, std::string* value, float width,
           bool secret = false);
bool check(std::string_view key, const std::string& label, bool* value);
void heading(const ScreenContext& cx, const std::string& text);
void progress(std::size_t done, std::size_t total, ImVec2 size);
ImU32 okColor();
} // namespace w

} // namespace pingyi::console
