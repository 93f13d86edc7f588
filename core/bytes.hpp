// Byte buffers and the little-endian binary codec used by every Pingyi format
// (docs/formats.md). Reader never reads past its end: every getter reports truncation.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pingyi {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
using Hash32 = std::array<std::uint8_t, 32>;

inline ByteView view(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline ByteView view(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string toHex(ByteView b);
// Returns false on odd length or a non-hex character.
bool fromHex(std::string_view hex, Bytes& out);
bool fromHex32(std::string_view hex, Hash32& out);

class Writer {
  public:
    void u8(std::uint8_t v) { buf_.push_back(v); }
    void u16(std::uint16_t v);
    void u32(std::uint32_t v);
    void u64(std::uint64_t v);
    void raw(ByteView b) { buf_.insert(buf_.end(), b.begin(), b.end()); }
    void blob32(ByteView b);        // u32 length, then the bytes
    void str16(std::string_view s); // u16 length, then UTF-8 bytes
    void reserve(std::size_t n) { buf_.reserve(n); }
    const Bytes& bytes() const { return buf_; }
    Bytes take() { return std::move(buf_); }
    std::size_t size() const { return buf_.size(); }

  private:
    Bytes buf_;
};

// Reads a buffer front to back. After the first failure every getter fails too, so a
// parser can read a whole record and check ok() once.
class Reader {
  public:
    explicit Reader(ByteView b) : b_(b) {}
    bool u8(std::uint8_t& v);
    bool u16(std::uint16_t& v);
    bool u32(std::uint32_t& v);
    bool u64(std::uint64_t& v);
    bool raw(std::size_t n, ByteView& out);
    bool fixed(std::span<std::uint8_t> out);
    bool blob32(ByteView& out, std::size_t max_len);
    bool str16(std::string& out);
    std::size_t offset() const { return pos_; }
    std::size_t remaining() const { return b_.size() - pos_; }
    bool atEnd() const { return pos_ == b_.size(); }
    bool ok() const { return ok_; }

  private:
    bool need(std::size_t n);
    ByteView b_;
    std::size_t pos_ = 0;
    bool ok_ = true;
};

} // namespace pingyi
