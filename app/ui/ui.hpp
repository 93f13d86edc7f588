// The kiosk's look and its few widgets: fonts (glyphs built from the strings shown), the high
// contrast theme, and touch buttons that record where they are (so tests and the screenshot
// tour can press them by name, and check their size). Needs a current ImGui context.
#pragma once

#include "core/campaign.hpp"
#include "core/catalog.hpp"

#include <imgui.h>

#include <string>
#include <string_view>
#include <vector>

namespace pingyi::ui {

inline constexpr float kMinTouch = 56.0f; // px: the smallest touch target, at 1280x800
inline constexpr float kBodyPx = 28.0f;   // body text at 100 %

struct FontOptions {
    std::string file = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
    int text_percent = 100; // the administrator's text size
    bool all_hanzi = true;  // every GB2312 hanzi in the comment font (people type comments)
};

struct Fonts {
    ImFont* body = nullptr;  // everything the screens say, at the chosen size
    ImFont* title = nullptr; // headings
    ImFont* code = nullptr;  // the receipt code and the token being typed (ASCII only)
    ImFont* input = nullptr; // comments: ASCII, punctuation and every GB2312 hanzi
    bool chinese = false;    // false: the font file was missing, only ASCII renders
    std::size_t glyphs = 0;  // code points in the comment font's ranges
};

// The code points the screens can show: the catalog (both languages), the campaign's texts,
// ASCII and CJK punctuation; with all_hanzi, also every hanzi of GB2312 (6763).
std::vector<ImWchar> glyphRanges(const Campaign& c, bool all_hanzi);

// The code points of the headings only (the title font): ASCII, CJK punctuation, the kiosk's
// own catalog entries (both languages), and the campaign's, units' and subjects' names.
std::vector<ImWchar> titleRanges(const Campaign& c);

// Clears io.Fonts and adds the kiosk's fonts. The caller (re)creates the GPU texture.
// `ranges` must live as long as the atlas. With empty `input_ranges`, no comment font is built
// (f.input is the body font) and the caller may build it later with buildInputFont. With
// `title_ranges`, the title font has only those (fewer glyphs to rasterise at the larger
// size); else the title font has `ui_ranges`.
Fonts buildFonts(const FontOptions& opt, const std::vector<ImWchar>& ui_ranges,
                 const std::vector<ImWchar>& input_ranges,
                 const std::vector<ImWchar>* title_ranges = nullptr);

// The comment font alone, into its own atlas (so its own texture). With every GB2312 hanzi it
// is the slow and large part of the fonts, so it can be built after the first frame. Clears
// `atlas` first; `ranges` must live as long as the atlas. Its size is the body size at
// text_percent, at most the 100 % size. Returns the font (ImGui's default font, ASCII only,
// when the font file is missing); `glyphs` receives the code points in its ranges.
ImFont* buildInputFont(ImFontAtlas& atlas, const FontOptions& opt,
                       const std::vector<ImWchar>& ranges, std::size_t* glyphs = nullptr);
// The pixel size buildInputFont uses for `text_percent`.
float inputFontPx(int text_percent);

// Black on white, strong borders, large paddings.
void applyTheme();
// The same for touch screens drawn by a software renderer: square frames whose borders are
// drawn as four rectangles by button() and itemBorder() (ImGui's own 2 px rounded outlines
// cost llvmpipe about half of a frame). Widgets other than button() call itemBorder() after
// themselves.
void applyTouchTheme();
// Draws the border of the last item (with applyTouchTheme; else nothing: ImGui draws it).
void itemBorder();

// --- touch targets
struct Target {
    std::string key;
    ImVec2 min, max;      // the visible part
    bool clipped = false; // partly hidden by its scrolling region
};
// The targets drawn in the current frame (cleared by beginFrame()).
const std::vector<Target>& targets();
void beginFrame();
// Records the last ImGui item as a target (text fields, which are not buttons).
void recordItem(std::string key);

enum class Tone { Normal, Primary, Selected, Danger, Quiet };

// A button at least kMinTouch high and wide, recorded under `key`. Returns true when pressed.
bool button(std::string_view key, const std::string& label, ImVec2 size, Tone tone = Tone::Normal,
            bool enabled = true);

// Call inside a scrolling child: a finger dragging over it scrolls it.
void touchScroll();

// Begins the full-screen window every screen draws in (no decoration, no move, no title).
void beginScreen(const char* id);
void endScreen();

// Text helpers: wrapped text in a font, centred text.
void wrapped(ImFont* f, const std::string& s, ImU32 color = 0);
void centred(ImFont* f, const std::string& s, ImU32 color = 0);
ImU32 errorColor();
ImU32 mutedColor();

} // namespace pingyi::ui
