#include "core/text.hpp"

#include <iconv.h>

#include <cerrno>

namespace pingyi {

bool isValidUtf8(std::string_view s) {
    std::size_t i = 0, n = s.size();
    while (i < n) {
        auto c = static_cast<unsigned char>(s[i]);
        std::size_t len;
        std::uint32_t cp;
        if (c < 0x80) {
            ++i;
            continue;
        } else if ((c & 0xE0) == 0xC0) {
            len = 2;
            cp = c & 0x1F;
        } else if ((c & 0xF0) == 0xE0) {
            len = 3;
            cp = c & 0x0F;
        } else if ((c & 0xF8) == 0xF0) {
            len = 4;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (i + len > n) return false;
        for (std::size_t k = 1; k < len; ++k) {
            auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80) return false;
            cp = (cp << 6) | (cc & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

std::size_t utf8Length(std::string_view s) {
    std::size_t n = 0;
    for (char c : s)
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
    return n;
}

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (b < e && space(s[b]))
        ++b;
    while (e > b && space(s[e - 1]))
        --e;
    // Also strip the ideographic space U+3000 that Chinese input methods produce.
    std::string r(s.substr(b, e - b));
    const std::string ideo = "\xE3\x80\x80";
    while (r.size() >= 3 && r.compare(0, 3, ideo) == 0)
        r.erase(0, 3);
    while (r.size() >= 3 && r.compare(r.size() - 3, 3, ideo) == 0)
        r.erase(r.size() - 3);
    return r;
}

bool isIdentifier(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    auto alnum = [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    };
    if (!alnum(s[0])) return false;
    for (char c : s)
        if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
    return true;
}

bool hasControlChars(std::string_view s) {
    for (char c : s) {
        auto u = static_cast<unsigned char>(c);
        if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7F) return true;
    }
    return false;
}

Result<DecodedText> decodeText(std::string_view bytes, const std::string& source_name) {
    DecodedText out;
    if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") {
        out.utf8 = std::string(bytes.substr(3));
        out.encoding = TextEncoding::Utf8Bom;
        if (!isValidUtf8(out.utf8))
            return Error::make(ErrorKind::Invalid, "text.bad_utf8", {source_name});
        return out;
    }
    if (isValidUtf8(bytes)) {
        out.utf8 = std::string(bytes);
        return out;
    }
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == reinterpret_cast<iconv_t>(-1))
        return Error::make(ErrorKind::Internal, "text.no_iconv", {"GB18030"});
    std::string in(bytes);
    std::string result(in.size() * 2 + 16, '\0');
    char* inp = in.data();
    std::size_t inleft = in.size();
    char* outp = result.data();
    std::size_t outleft = result.size();
    std::size_t rc = iconv(cd, &inp, &inleft, &outp, &outleft);
    int err = errno;
    iconv_close(cd);
    if (rc == static_cast<std::size_t>(-1)) {
        (void)err;
        return Error::make(ErrorKind::Invalid, "text.undecodable",
                           {source_name, std::to_string(in.size() - inleft)});
    }
    result.resize(result.size() - outleft);
    out.utf8 = std::move(result);
    out.encoding = TextEncoding::Gb18030;
    return out;
}

} // namespace pingyi
