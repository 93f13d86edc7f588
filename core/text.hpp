// Text helpers: UTF-8 checks and lengths, identifiers, and decoding of files that Excel
// writes in China (UTF-8, UTF-8 with BOM, or GBK/GB18030).
#pragma once

#include "core/result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pingyi {

bool isValidUtf8(std::string_view s);
std::size_t utf8Length(std::string_view s); // code points; assumes valid UTF-8
std::string trim(std::string_view s);
// Letters, digits, '-', '_', '.'; starts with a letter or digit; at most 64 bytes.
bool isIdentifier(std::string_view s);
// Contains a C0 control character other than tab/newline, or DEL: what ballots of every
// version already refuse (the count keeps this check; see unsafeCommentChar for the rest).
bool hasControlChars(std::string_view s);

// Comments are clean text: what a representative wrote is shown to staff and printed as-is, so
// it must not hold characters that cannot be seen or that change how the text around them is
// shown. unsafeCommentChar() finds the first such character:
// - C0 controls except tab and newline, DEL, and the C1 controls U+0080-009F;
// - bidirectional controls: the embeddings and overrides U+202A-202E (U+202E shows the text
//   after it reversed), the isolates U+2066-2069, the marks U+200E/200F and U+061C;
// - other invisible format characters (general category Cf, and the default-ignorable
//   characters that fonts draw as nothing): U+00AD soft hyphen, U+034F, U+0600-0605, U+06DD,
//   U+070F, U+0890-0891, U+08E2, the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), U+17B4-17B5,
//   U+180B-180F, the zero-width characters U+200B-200D, U+2028/2029 (line and paragraph
//   separators: a comment's line break is U+000A), U+2060-206F, the variation selectors
//   U+FE00-FE0F and the whole of plane 14 (tags U+E0000-E007F and variation selectors
//   U+E0100-E01EF), U+FEFF, U+FFF0-FFFB, and the few Cf characters of the supplementary planes
//   (U+110BD, U+110CD, U+13430-1343F, U+1BCA0-1BCA3, U+1D173-1D17A);
// - noncharacters (U+FDD0-FDEF and the last two of every plane), and private use (U+E000-F8FF,
//   planes 15 and 16): meaningless in an exchange, and drawn differently on every machine;
// - planes 4 to 13, where nothing is assigned.
// Other code points not yet assigned inside the assigned planes pass: telling them apart needs the
// Unicode tables of one version (a kiosk with an older table would refuse what the collector's
// accepts), and they cannot hide or reorder text: a font without them draws a visible box.
// Emoji sequences that need U+200D or a variation selector are refused with them; the kiosk's
// fonts draw no emoji. Ordinary Chinese and English punctuation, spaces (U+3000 too) and
// newlines pass.
struct UnsafeChar {
    std::uint32_t code_point = 0;
    std::size_t position = 0; // in characters (code points), the first being 1
};
bool isUnsafeCommentCodePoint(std::uint32_t cp);
// The first unsafe character of valid UTF-8 text, or nullopt. (Invalid UTF-8 is the caller's
// check, isValidUtf8; here a byte that starts no valid sequence counts as one character.)
std::optional<UnsafeChar> unsafeCommentChar(std::string_view utf8);
// "U+202E": how messages name a code point (4 to 6 hex digits).
std::string codePointName(std::uint32_t cp);
// The text with every unsafe character written as visible ASCII: "\u202E" (four hex digits) or
// "\U000E0041" (eight), and every byte of invalid UTF-8 as "\xFF". Everything else is copied, so
// clean text is unchanged and a second pass changes nothing. For reports of comments that older
// ballots carry: they are counted, and the characters are shown rather than obeyed.
std::string escapeUnsafeChars(std::string_view text);

enum class TextEncoding { Utf8, Utf8Bom, Gb18030 };

struct DecodedText {
    std::string utf8;
    TextEncoding encoding = TextEncoding::Utf8;
};

// Detects the encoding (BOM, then valid UTF-8, then GB18030, a superset of GBK) and returns
// UTF-8 text. Error text.undecodable names the source and the byte offset that fails.
Result<DecodedText> decodeText(std::string_view bytes, const std::string& source_name);

} // namespace pingyi
