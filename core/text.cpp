#include "core/text.hpp"

#include <iconv.h>

#include <cerrno>
#include <cstdio>

namespace pingyi {

namespace {
// One UTF-8 sequence at s[i]: its length, or 0 if none starts there (overlong, surrogate, beyond
// U+10FFFF, truncated).
std::size_t decodeOne(std::string_view s, std::size_t i, std::uint32_t& cp) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t len;
    if (c < 0x80) {
        cp = c;
        return 1;
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
        return 0;
    }
    if (i + len > s.size()) return 0;
    for (std::size_t k = 1; k < len; ++k) {
        auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

// Invisible format characters outside the blocks handled by rule (text.hpp lists them).
constexpr std::uint32_t kFormatRanges[][2] = {
    {0x00AD, 0x00AD},   {0x034F, 0x034F},   {0x0600, 0x0605},   {0x061C, 0x061C},
    {0x06DD, 0x06DD},   {0x070F, 0x070F},   {0x0890, 0x0891},   {0x08E2, 0x08E2},
    {0x115F, 0x1160},   {0x17B4, 0x17B5},   {0x180B, 0x180F},   {0x200B, 0x200F},
    {0x2028, 0x202E},   {0x2060, 0x206F},   {0x3164, 0x3164},   {0xFE00, 0xFE0F},
    {0xFEFF, 0xFEFF},   {0xFFA0, 0xFFA0},   {0xFFF0, 0xFFFB},   {0x110BD, 0x110BD},
    {0x110CD, 0x110CD}, {0x13430, 0x1343F}, {0x1BCA0, 0x1BCA3}, {0x1D173, 0x1D17A},
};
} // namespace

bool isValidUtf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        std::uint32_t cp = 0;
        std::size_t len = decodeOne(s, i, cp);
        if (len == 0) return false;
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

bool isUnsafeCommentCodePoint(std::uint32_t c) {
    if (c == '\t' || c == '\n') return false;
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return true; // C0, DEL, C1
    if (c < 0xAD) return false;                            // the common case: ASCII, Latin-1
    if ((c & 0xFFFE) == 0xFFFE || (c >= 0xFDD0 && c <= 0xFDEF)) return true; // noncharacters
    if ((c >= 0xE000 && c <= 0xF8FF) || c >= 0xF0000) return true;           // private use
    if (c >= 0x40000 && c <= 0xEFFFF) return true; // planes 4-13 (unassigned) and 14 (tags, VS)
    for (auto& r : kFormatRanges)
        if (c >= r[0] && c <= r[1]) return true;
    return false;
}

std::optional<UnsafeChar> unsafeCommentChar(std::string_view s) {
    std::size_t position = 0;
    for (std::size_t i = 0; i < s.size();) {
        ++position;
        std::uint32_t cp = 0;
        std::size_t len = decodeOne(s, i, cp);
        if (len == 0) return UnsafeChar{static_cast<unsigned char>(s[i]), position};
        if (isUnsafeCommentCodePoint(cp)) return UnsafeChar{cp, position};
        i += len;
    }
    return std::nullopt;
}

std::string codePointName(std::uint32_t cp) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(cp));
    return buf;
}

std::string escapeUnsafeChars(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size();) {
        std::uint32_t cp = 0;
        std::size_t len = decodeOne(s, i, cp);
        char buf[16];
        if (len == 0) {
            std::snprintf(buf, sizeof buf, "\\x%02X", static_cast<unsigned char>(s[i]));
            out += buf;
            ++i;
            continue;
        }
        if (isUnsafeCommentCodePoint(cp)) {
            std::snprintf(buf, sizeof buf, cp <= 0xFFFF ? "\\u%04X" : "\\U%08X",
                          static_cast<unsigned>(cp));
            out += buf;
        } else {
            out.append(s.substr(i, len));
        }
        i += len;
    }
    return out;
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
