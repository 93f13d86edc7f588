#include "core/bytes.hpp"

#include <cstring>

namespace pingyi {

std::string toHex(ByteView b) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    s.reserve(b.size() * 2);
    for (auto c : b) {
        s.push_back(digits[c >> 4]);
        s.push_back(digits[c & 15]);
    }
    return s;
}

static int hexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

bool fromHex(std::string_view hex, Bytes& out) {
    if (hex.size() % 2 != 0) return false;
    Bytes r(hex.size() / 2);
    for (std::size_t i = 0; i < r.size(); ++i) {
        int hi = hexValue(hex[2 * i]), lo = hexValue(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return false;
        r[i] = static_cast<std::uint8_t>(hi * 16 + lo);
    }
    out = std::move(r);
    return true;
}

bool fromHex32(std::string_view hex, Hash32& out) {
    Bytes b;
    if (hex.size() != 64 || !fromHex(hex, b)) return false;
    std::memcpy(out.data(), b.data(), 32);
    return true;
}

void Writer::u16(std::uint16_t v) {
    u8(static_cast<std::uint8_t>(v));
    u8(static_cast<std::uint8_t>(v >> 8));
}
void Writer::u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i)
        u8(static_cast<std::uint8_t>(v >> (8 * i)));
}
void Writer::u64(std::uint64_t v) {
    for (int i = 0; i < 8; ++i)
        u8(static_cast<std::uint8_t>(v >> (8 * i)));
}
void Writer::blob32(ByteView b) {
    u32(static_cast<std::uint32_t>(b.size()));
    raw(b);
}
void Writer::str16(std::string_view s) {
    u16(static_cast<std::uint16_t>(s.size()));
    raw(view(s));
}

bool Reader::need(std::size_t n) {
    if (!ok_ || b_.size() - pos_ < n) {
        ok_ = false;
        return false;
    }
    return true;
}
bool Reader::u8(std::uint8_t& v) {
    if (!need(1)) return false;
    v = b_[pos_++];
    return true;
}
bool Reader::u16(std::uint16_t& v) {
    if (!need(2)) return false;
    v = static_cast<std::uint16_t>(b_[pos_] | (b_[pos_ + 1] << 8));
    pos_ += 2;
    return true;
}
bool Reader::u32(std::uint32_t& v) {
    if (!need(4)) return false;
    v = 0;
    for (int i = 3; i >= 0; --i)
        v = (v << 8) | b_[pos_ + static_cast<std::size_t>(i)];
    pos_ += 4;
    return true;
}
bool Reader::u64(std::uint64_t& v) {
    if (!need(8)) return false;
    v = 0;
    for (int i = 7; i >= 0; --i)
        v = (v << 8) | b_[pos_ + static_cast<std::size_t>(i)];
    pos_ += 8;
    return true;
}
bool Reader::raw(std::size_t n, ByteView& out) {
    if (!need(n)) return false;
    out = b_.subspan(pos_, n);
    pos_ += n;
    return true;
}
bool Reader::fixed(std::span<std::uint8_t> out) {
    ByteView v;
    if (!raw(out.size(), v)) return false;
    std::memcpy(out.data(), v.data(), out.size());
    return true;
}
bool Reader::blob32(ByteView& out, std::size_t max_len) {
    std::uint32_t n = 0;
    if (!u32(n)) return false;
    if (n > max_len) {
        ok_ = false;
        return false;
    }
    return raw(n, out);
}
bool Reader::str16(std::string& out) {
    std::uint16_t n = 0;
    ByteView v;
    if (!u16(n) || !raw(n, v)) return false;
    out.assign(reinterpret_cast<const char*>(v.data()), v.size());
    return true;
}

} // namespace pingyi
