#include "platform/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

namespace pingyi {

Result<Bytes> readFile(const fs::path& path, std::size_t max_bytes) {
    std::error_code ec;
    if (!fs::exists(path, ec) || fs::is_directory(path, ec))
        return Error::make(ErrorKind::NotFound, "file.not_found", {path.string()});
    auto size = fs::file_size(path, ec);
    if (ec) return Error::make(ErrorKind::Io, "file.read_failed", {path.string(), ec.message()});
    if (size > max_bytes)
        return Error::make(ErrorKind::Invalid, "file.too_large",
                           {path.string(), std::to_string(max_bytes)});
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return Error::make(ErrorKind::Io, "file.read_failed",
                           {path.string(), std::strerror(errno)});
    Bytes b(size);
    in.read(reinterpret_cast<char*>(b.data()), static_cast<std::streamsize>(size));
    if (static_cast<std::size_t>(in.gcount()) != size)
        return Error::make(ErrorKind::Io, "file.read_failed", {path.string(), "short read"});
    return b;
}

Result<std::string> readTextFile(const fs::path& path, std::size_t max_bytes) {
    auto b = readFile(path, max_bytes);
    if (!b) return b.error();
    return std::string(b->begin(), b->end());
}

Status writeFileAtomic(const fs::path& path, ByteView bytes, bool private_mode) {
    const ByteView parts[] = {bytes};
    return writeFileAtomic(path, std::span<const ByteView>(parts), private_mode);
}

Status writeFileAtomic(const fs::path& path, std::span<const ByteView> parts, bool private_mode) {
    fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    std::string tmpl = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
    int fd = mkstemp(tmpl.data());
    auto fail = [&](int err) {
        if (fd >= 0) ::close(fd);
        ::unlink(tmpl.c_str());
        return Error::make(ErrorKind::Io, "file.write_failed", {path.string(), std::strerror(err)});
    };
    if (fd < 0) {
        int err = errno;
        return Error::make(ErrorKind::Io, "file.write_failed", {path.string(), std::strerror(err)});
    }
    if (::fchmod(fd, private_mode ? 0600 : 0644) != 0) return fail(errno);
    for (ByteView bytes : parts) {
        std::size_t off = 0;
        while (off < bytes.size()) {
            ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
            if (n < 0) {
                if (errno == EINTR) continue;
                return fail(errno);
            }
            off += static_cast<std::size_t>(n);
        }
    }
    if (::fsync(fd) != 0) return fail(errno);
    if (::close(fd) != 0) {
        fd = -1;
        return fail(errno);
    }
    fd = -1;
    if (::rename(tmpl.c_str(), path.c_str()) != 0) return fail(errno);
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

Status writeFileAtomic(const fs::path& path, std::string_view text, bool private_mode) {
    return writeFileAtomic(path, view(text), private_mode);
}

Status shredFile(const fs::path& path) {
    auto fail = [&](int err) {
        return Error::make(ErrorKind::Io, "file.shred_failed", {path.string(), std::strerror(err)});
    };
    int fd = ::open(path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT)
            return Error::make(ErrorKind::NotFound, "file.not_found", {path.string()});
        return fail(errno);
    }
    struct stat st {};
    int stat_err = ::fstat(fd, &st) != 0 ? errno : S_ISREG(st.st_mode) ? 0 : EINVAL;
    if (stat_err != 0) {
        ::close(fd);
        return fail(stat_err);
    }
    static const char zeros[4096] = {};
    auto left = static_cast<std::size_t>(st.st_size);
    while (left > 0) {
        ssize_t n = ::write(fd, zeros, std::min(left, sizeof zeros));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            int err = n < 0 ? errno : EIO;
            ::close(fd);
            return fail(err);
        }
        left -= static_cast<std::size_t>(n);
    }
    if (::fsync(fd) != 0) {
        int err = errno;
        ::close(fd);
        return fail(err);
    }
    if (::close(fd) != 0) return fail(errno);
    if (::unlink(path.c_str()) != 0) return fail(errno);
    fs::path dir = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return {};
}

Status ensureDirectory(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error::make(ErrorKind::Io, "file.mkdir_failed", {dir.string(), ec.message()});
    return {};
}

} // namespace pingyi
