#include "app/console/tour.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <thread>

namespace pingyi::console {

int screenshotTour(Console& console, Driver& driver, const TourHooks& hooks, const fs::path& demo,
                   const fs::path& out_dir) {
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    int failures = 0, shot_no = 0;
    const char* env = std::getenv("PINGYI_PASSPHRASE");
    std::string passphrase = env ? env : "demo-passphrase";
    auto settle = [&]() {
        do
            hooks.frame();
        while (driver.busy());
        hooks.frame();
    };
    auto idle = [&]() {
        while (console.busy()) {
            console.waitForJob();
            settle();
        }
        settle();
    };
    auto shot = [&](const std::string& name) {
        settle();
        char file[96];
        std::snprintf(file, sizeof file, "%02d-%s.png", ++shot_no, name.c_str());
        if (!hooks.shot((out_dir / file).string())) {
            std::cerr << "tour: screenshot failed: " << file << "\n";
            ++failures;
        }
    };
    auto click = [&](const std::string& key) {
        if (!driver.click(key)) {
            settle();
            if (!driver.click(key)) {
                std::cerr << "tour: no target " << key << "\n";
                ++failures;
                return;
            }
        }
        settle();
    };
    auto waitLive = [&]() {
        if (!console.poller()) return;
        console.poller()->refreshNow();
        auto g = console.poller()->generation();
        for (int i = 0; i < 200 && console.poller()->generation() == g; ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        settle();
    };
    Buffers& b = console.buffers();

    settle();
    shot("store-empty");
    b.store_dir = (demo / "collector-console").string();
    b.package = (demo / "campaign" / "package.pyp").string();
    b.collector_pub = (demo / "keys" / "collector.pub").string();
    b.organiser_pub = (demo / "keys" / "organiser.pub").string();
    settle();
    shot("store-create");
    click("create");
    idle();
    click("tab.store");
    shot("store-open");

    click("tab.import");
    b.folder = (demo / "bundles").string();
    click("scan");
    shot("import-folder");
    click("import_all");
    idle();
    shot("import-report");
    // The organiser's token additions and one bundle again, as if dropped on the window.
    console.dropFiles({(demo / "campaign" / "additions" / "0001.pya").string(),
                       (demo / "bundles" / "tablet-02.pyb").string(),
                       (demo / "bundles" / "tablet-01.pyb").string()});
    idle();
    shot("import-dropped");

    click("tab.live");
    waitLive();
    shot("live");
    b.reason = "经核实，该代表先在平板01投票，平板02上为重复投票";
    settle();
    click("resolve.0.0");
    idle();
    waitLive();
    shot("live-resolved");
    // The sync service in the console, on a free loopback port.
    b.listen = "127.0.0.1:0";
    b.collector_key = (demo / "keys" / "collector.key").string();
    b.serve_pass = passphrase;
    settle();
    click("start_server");
    idle();
    shot("live-serving");
    click("stop_server");
    idle();

    click("tab.count");
    b.collector_key = (demo / "keys" / "collector.key").string();
    b.count_pass = passphrase;
    settle();
    shot("count-passphrase");
    click("count");
    hooks.frame();
    shot("count-progress");
    idle();
    shot("count-done");

    click("show_results");
    shot("results");
    if (auto r = console.results(); r && !r->units.empty() && r->units[0].subjects.size() > 2)
        click("subject." + r->units[0].subjects[2].id);
    shot("results-subject");
    if (auto r = console.results(); r && r->units.size() > 1) click("unit." + r->units[1].id);
    shot("results-unit2");

    click("tab.publish");
    click("export");
    idle();
    b.head_key = (demo / "keys" / "unit-head-U1.key").string();
    b.head_pass = passphrase;
    settle();
    shot("publish");
    click("sign");
    idle();
    b.verify_package = (demo / "campaign" / "package.pyp").string();
    b.verify_head_pub = (demo / "keys" / "unit-head-U1.pub").string();
    if (auto r = console.results(); r && r->receipts > 0) {
        // A receipt from the published list.
        std::ifstream in(fs::path(b.export_dir) / "receipts.txt");
        std::getline(in, b.verify_receipt);
    }
    settle();
    click("verify");
    idle();
    shot("publish-verified");

    click("lang.en");
    click("tab.results");
    shot("results-en");
    click("tab.live");
    shot("live-en");
    click("tab.import");
    shot("import-en");
    click("lang.zh");
    settle();
    return failures == 0 ? 0 : 3;
}

} // namespace pingyi::console
