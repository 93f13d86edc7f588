// The screenshot tour: walks every screen of the console against a `pingyi demo` folder (a
// copy: it creates a collector store inside it), clicking the real targets, and saves a PNG of
// each screen through the hooks. The passphrase of the demo keys comes from PINGYI_PASSPHRASE.
#pragma once

#include "app/console/driver.hpp"

#include <functional>

namespace pingyi::console {

struct TourHooks {
    std::function<void()> frame;                  // draws and shows one frame
    std::function<bool(const std::string&)> shot; // draws one frame and saves it as PNG
};

// Returns 0, or 3 if a step did not find what it expected (named on stderr).
int screenshotTour(Console& console, Driver& driver, const TourHooks& hooks, const fs::path& demo,
                   const fs::path& out_dir);

} // namespace pingyi::console
