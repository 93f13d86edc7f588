#include "app/kiosk/screens/screens.hpp"

namespace pingyi::kiosk {

const std::string& pick(Lang lang, const std::string& zh, const std::string& en) {
    return (lang == Lang::En && !en.empty()) ? en : zh;
}

std::string text(const ScreenContext& cx, const Message& m) {
    return m.empty() ? std::string() : tr(cx.lang, m.id, m.args);
}

} // namespace pingyi::kiosk
