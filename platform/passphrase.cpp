#include "platform/passphrase.hpp"

#include "core/crypto.hpp"
#include "platform/files.hpp"

#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>

namespace pingyi {

namespace {
Result<std::string> promptOnce(const std::string& prompt) {
    int fd = ::open("/dev/tty", O_RDWR | O_NOCTTY);
    if (fd < 0) return Error::make(ErrorKind::Invalid, "secret.unavailable");
    (void)!::write(fd, prompt.data(), prompt.size());
    termios old{};
    bool have_term = tcgetattr(fd, &old) == 0;
    if (have_term) {
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(fd, TCSAFLUSH, &quiet);
    }
    std::string line;
    char c;
    while (::read(fd, &c, 1) == 1 && c != '\n')
        line.push_back(c);
    if (have_term) tcsetattr(fd, TCSAFLUSH, &old);
    (void)!::write(fd, "\n", 1);
    ::close(fd);
    return line;
}

void stripNewline(std::string& s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
}
} // namespace

Result<std::string> obtainSecret(const SecretSource& src) {
    std::string s;
    if (!src.file.empty()) {
        auto text = readTextFile(src.file, 4096);
        if (!text) return text.error();
        s = text->substr(0, text->find('\n'));
        wipe(*text);
        stripNewline(s);
    } else if (const char* v = src.env.empty() ? nullptr : std::getenv(src.env.c_str())) {
        s = v;
    } else {
        auto first = promptOnce(src.prompt);
        if (!first) return first.error();
        s = std::move(*first);
        if (src.confirm) {
            auto again = promptOnce(src.prompt);
            if (!again) return again.error();
            bool same = *again == s;
            wipe(*again);
            if (!same) {
                wipe(s);
                return Error::make(ErrorKind::Invalid, "secret.mismatch");
            }
        }
    }
    if (s.empty()) return Error::make(ErrorKind::Invalid, "secret.empty");
    return s;
}

} // namespace pingyi
