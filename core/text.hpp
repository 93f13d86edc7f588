// Text helpers: UTF-8 checks and lengths, identifiers, and decoding of files that Excel
// writes in China (UTF-8, UTF-8 with BOM, or GBK/GB18030).
#pragma once

#include "core/result.hpp"

#include <string>
#include <string_view>

namespace pingyi {

bool isValidUtf8(std::string_view s);
std::size_t utf8Length(std::string_view s); // code points; assumes valid UTF-8
std::string trim(std::string_view s);
// Letters, digits, '-', '_', '.'; starts with a letter or digit; at most 64 bytes.
bool isIdentifier(std::string_view s);
// Contains a control character other than tab/newline (rejected in comments).
bool hasControlChars(std::string_view s);

enum class TextEncoding { Utf8, Utf8Bom, Gb18030 };

struct DecodedText {
    std::string utf8;
    TextEncoding encoding = TextEncoding::Utf8;
};

// Detects the encoding (BOM, then valid UTF-8, then GB18030, a superset of GBK) and returns
// UTF-8 text. Error text.undecodable names the source and the byte offset that fails.
Result<DecodedText> decodeText(std::string_view bytes, const std::string& source_name);

} // namespace pingyi
