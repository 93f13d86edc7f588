#include "app/ui/ui.hpp"

#include "core/text.hpp"

#include <algorithm>
#include <filesystem>
#include <set>

namespace pingyi::ui {

namespace {

// Decodes UTF-8 code points in the Basic Multilingual Plane (ImWchar is 16 bits).
void addCodePoints(std::set<ImWchar>& out, std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        auto b = static_cast<unsigned char>(s[i]);
        std::uint32_t cp = 0;
        std::size_t n = 1;
        if (b < 0x80) {
            cp = b;
        } else if ((b & 0xE0) == 0xC0) {
            cp = b & 0x1Fu;
            n = 2;
        } else if ((b & 0xF0) == 0xE0) {
            cp = b & 0x0Fu;
            n = 3;
        } else {
            n = (b & 0xF8) == 0xF0 ? 4 : 1;
            i += n;
            continue; // outside the BMP, or not UTF-8
        }
        if (i + n > s.size()) break;
        for (std::size_t k = 1; k < n; ++k)
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
        if (cp >= 0x20) out.insert(static_cast<ImWchar>(cp));
        i += n;
    }
}

std::vector<ImWchar> toRanges(const std::set<ImWchar>& cps) {
    std::vector<ImWchar> r;
    for (auto it = cps.begin(); it != cps.end();) {
        ImWchar first = *it, last = *it;
        ++it;
        while (it != cps.end() && *it == last + 1)
            last = *it++;
        r.push_back(first);
        r.push_back(last);
    }
    r.push_back(0);
    return r;
}

std::vector<Target> g_targets;
float g_drawn_border = 0; // applyTouchTheme: frames drawn square, borders as four rectangles

ImU32 toneColor(Tone t, bool text) {
    switch (t) {
    case Tone::Primary:
        return text ? IM_COL32(255, 255, 255, 255) : IM_COL32(0, 98, 45, 255);
    case Tone::Selected:
        return text ? IM_COL32(255, 255, 255, 255) : IM_COL32(0, 55, 140, 255);
    case Tone::Danger:
        return text ? IM_COL32(255, 255, 255, 255) : IM_COL32(160, 0, 0, 255);
    case Tone::Quiet:
        return text ? IM_COL32(0, 0, 0, 255) : IM_COL32(255, 255, 255, 255);
    case Tone::Normal:
        return text ? IM_COL32(0, 0, 0, 255) : IM_COL32(232, 232, 232, 255);
    }
    return IM_COL32(0, 0, 0, 255);
}

void addBasics(std::set<ImWchar>& cps) {
    for (ImWchar ch = 0x20; ch < 0x7F; ++ch)
        cps.insert(ch);
    for (unsigned ch : {0x00B7u, 0x2014u, 0x2018u, 0x2019u, 0x201Cu, 0x201Du, 0x2026u, 0x00D7u,
                        0x2713u, 0x3001u, 0x3002u, 0xFF08u, 0xFF09u, 0xFF0Cu, 0xFF1Au, 0xFF1Bu})
        cps.insert(static_cast<ImWchar>(ch));
}

} // namespace

std::vector<ImWchar> titleRanges(const Campaign& c) {
    std::set<ImWchar> cps;
    addBasics(cps);
    for (const auto& e : catalogEntries())
        if (std::string_view(e.id).rfind("kiosk.", 0) == 0) {
            addCodePoints(cps, e.zh);
            addCodePoints(cps, e.en);
        }
    addCodePoints(cps, c.name);
    for (auto& u : c.units)
        addCodePoints(cps, u.name);
    for (auto& s : c.subjects)
        addCodePoints(cps, s.name);
    return toRanges(cps);
}

std::vector<ImWchar> glyphRanges(const Campaign& c, bool all_hanzi) {
    std::set<ImWchar> cps;
    addBasics(cps);
    // GB2312 rows 1-3: punctuation, numbers and full-width forms.
    {
        std::string gb;
        for (int hi = 0xA1; hi <= 0xA3; ++hi)
            for (int lo = 0xA1; lo <= 0xFE; ++lo) {
                gb.push_back(static_cast<char>(hi));
                gb.push_back(static_cast<char>(lo));
            }
        std::set<ImWchar> symbols;
        if (auto text = decodeText(gb, "GB2312")) addCodePoints(symbols, text->utf8);
        for (ImWchar ch : symbols)
            if (ch < 0xE000 || ch > 0xF8FF)
                cps.insert(ch); // unassigned cells decode to private use
    }
    for (const auto& e : catalogEntries()) {
        addCodePoints(cps, e.zh);
        addCodePoints(cps, e.en);
    }
    addCodePoints(cps, c.name);
    for (auto& l : c.scale.levels)
        addCodePoints(cps, l.name);
    addCodePoints(cps, c.scale.unknown_name);
    for (auto& q : c.questionnaires)
        for (auto& i : q.items) {
            addCodePoints(cps, i.name);
            addCodePoints(cps, i.description);
        }
    for (auto& g : c.groups) {
        addCodePoints(cps, g.name);
        for (auto& cat : g.categories)
            addCodePoints(cps, cat.name);
    }
    for (auto& u : c.units)
        addCodePoints(cps, u.name);
    for (auto& s : c.subjects) {
        addCodePoints(cps, s.name);
        addCodePoints(cps, s.position);
        addCodePoints(cps, s.report);
        addCodePoints(cps, s.commitments);
    }
    if (all_hanzi) {
        // GB2312 level 1 and 2 hanzi: rows 0xB0-0xF7, cells 0xA1-0xFE (row 0xD7 ends at 0xF9).
        std::string gb;
        for (int hi = 0xB0; hi <= 0xF7; ++hi)
            for (int lo = 0xA1; lo <= 0xFE; ++lo) {
                if (hi == 0xD7 && lo > 0xF9) continue;
                gb.push_back(static_cast<char>(hi));
                gb.push_back(static_cast<char>(lo));
            }
        auto text = decodeText(gb, "GB2312");
        if (text) addCodePoints(cps, text->utf8);
    }
    return toRanges(cps);
}

namespace {
ImFont* addFont(ImFontAtlas& atlas, const std::string& file, bool chinese, float px,
                const ImWchar* ranges) {
    ImFontConfig cfg;
    cfg.OversampleH = 1; // CJK at these sizes needs no oversampling; it would triple memory
    cfg.OversampleV = 1;
    cfg.PixelSnapH = true;
    if (chinese) return atlas.AddFontFromFileTTF(file.c_str(), px, &cfg, ranges);
    cfg.SizePixels = px;
    return atlas.AddFontDefault(&cfg);
}

std::size_t countGlyphs(const std::vector<ImWchar>& ranges) {
    std::size_t n = 0;
    for (std::size_t i = 0; i + 1 < ranges.size(); i += 2)
        n += static_cast<std::size_t>(ranges[i + 1] - ranges[i] + 1);
    return n;
}
} // namespace

float inputFontPx(int text_percent) {
    // At most the 100 % size: every hanzi at 140 % would cost twice the texture memory for
    // text only the writer reads.
    return std::min(kBodyPx * static_cast<float>(text_percent) / 100.0f, kBodyPx);
}

Fonts buildFonts(const FontOptions& opt, const std::vector<ImWchar>& ui_ranges,
                 const std::vector<ImWchar>& input_ranges,
                 const std::vector<ImWchar>* title_ranges) {
    ImGuiIO& io = ImGui::GetIO();
    io.Fonts->Clear();
    io.Fonts->TexDesiredWidth = 4096;
    io.Fonts->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight; // OpenGL 3 has any size
    Fonts f;
    float scale = static_cast<float>(opt.text_percent) / 100.0f;
    float body = kBodyPx * scale;
    std::error_code ec;
    f.chinese = std::filesystem::exists(opt.file, ec);
    auto add = [&](float px, const ImWchar* ranges) -> ImFont* {
        return addFont(*io.Fonts, opt.file, f.chinese, px, ranges);
    };
    static const ImWchar kCodeRanges[] = {0x20, 0x7E, 0};
    f.body = add(body, ui_ranges.data());
    f.title = add(body * 1.45f, title_ranges && title_ranges->size() > 1 ? title_ranges->data()
                                                                         : ui_ranges.data());
    f.code = add(body * 2.6f, kCodeRanges);
    if (input_ranges.size() > 1) {
        f.input = add(inputFontPx(opt.text_percent), input_ranges.data());
        f.glyphs = countGlyphs(input_ranges);
    } else {
        f.input = f.body;
    }
    io.Fonts->Build();
    io.FontDefault = f.body;
    return f;
}

ImFont* buildInputFont(ImFontAtlas& atlas, const FontOptions& opt,
                       const std::vector<ImWchar>& ranges, std::size_t* glyphs) {
    atlas.Clear();
    atlas.Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight;
    atlas.TexDesiredWidth = 4096;
    std::error_code ec;
    bool chinese = std::filesystem::exists(opt.file, ec);
    ImFont* font = addFont(atlas, opt.file, chinese, inputFontPx(opt.text_percent),
                           ranges.size() > 1 ? ranges.data() : nullptr);
    atlas.Build();
    if (glyphs) *glyphs = countGlyphs(ranges);
    return font;
}

void applyTouchTheme() {
    applyTheme();
    ImGuiStyle& s = ImGui::GetStyle();
    g_drawn_border = s.FrameBorderSize;
    s.FrameBorderSize = 0;
    s.FrameRounding = 0;
}

void itemBorder() {
    if (g_drawn_border <= 0) return;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    const float t = g_drawn_border;
    ImU32 col = ImGui::GetColorU32(ImGuiCol_Border);
    dl->AddRectFilled(a, ImVec2(b.x, a.y + t), col);
    dl->AddRectFilled(ImVec2(a.x, b.y - t), b, col);
    dl->AddRectFilled(ImVec2(a.x, a.y + t), ImVec2(a.x + t, b.y - t), col);
    dl->AddRectFilled(ImVec2(b.x - t, a.y + t), ImVec2(b.x, b.y - t), col);
}

void applyTheme() {
    g_drawn_border = 0;
    ImGuiStyle& s = ImGui::GetStyle();
    s = ImGuiStyle();
    ImGui::StyleColorsLight(&s);
    s.WindowPadding = ImVec2(24, 20);
    s.FramePadding = ImVec2(14, 10);
    s.ItemSpacing = ImVec2(14, 14);
    s.ScrollbarSize = 28;
    s.GrabMinSize = 40;
    s.FrameBorderSize = 2;
    s.WindowBorderSize = 0;
    s.FrameRounding = 6;
    s.ScrollbarRounding = 6;
    s.TouchExtraPadding = ImVec2(2, 2);

    ImVec4* c = s.Colors;
    c[ImGuiCol_Text] = ImVec4(0, 0, 0, 1);
    c[ImGuiCol_TextDisabled] = ImVec4(0.35f, 0.35f, 0.35f, 1);
    c[ImGuiCol_WindowBg] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_ChildBg] = ImVec4(1, 1, 1, 0); // drawn on the white screen: nothing to fill
    c[ImGuiCol_Border] = ImVec4(0, 0, 0, 1);
    c[ImGuiCol_FrameBg] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_FrameBgActive] = ImVec4(0.95f, 0.97f, 1, 1);
    c[ImGuiCol_FrameBgHovered] = ImVec4(1, 1, 1, 1);
    c[ImGuiCol_ScrollbarBg] = ImVec4(0.92f, 0.92f, 0.92f, 1);
    c[ImGuiCol_ScrollbarGrab] = ImVec4(0.35f, 0.35f, 0.35f, 1);
    c[ImGuiCol_Separator] = ImVec4(0, 0, 0, 1);
}

const std::vector<Target>& targets() {
    return g_targets;
}

void beginFrame() {
    g_targets.clear();
}

void recordItem(std::string key) {
    // Only the part a finger can reach: what is visible inside the window's clip rectangle.
    if (!ImGui::IsItemVisible()) return;
    ImDrawList* dl = ImGui::GetWindowDrawList();
    ImVec2 cmin = dl->GetClipRectMin(), cmax = dl->GetClipRectMax();
    ImVec2 a = ImGui::GetItemRectMin(), b = ImGui::GetItemRectMax();
    ImVec2 lo(std::max(a.x, cmin.x), std::max(a.y, cmin.y));
    ImVec2 hi(std::min(b.x, cmax.x), std::min(b.y, cmax.y));
    if (hi.x <= lo.x || hi.y <= lo.y) return;
    bool clipped = lo.x != a.x || lo.y != a.y || hi.x != b.x || hi.y != b.y;
    g_targets.push_back({std::move(key), lo, hi, clipped});
}

bool button(std::string_view key, const std::string& label, ImVec2 size, Tone tone, bool enabled) {
    size.x = std::max(size.x, kMinTouch);
    size.y = std::max(size.y, kMinTouch);
    ImU32 bg = toneColor(tone, false);
    ImGui::PushStyleColor(ImGuiCol_Button, bg);
    ImGui::PushStyleColor(ImGuiCol_ButtonHovered, bg); // touch: no hover state
    ImGui::PushStyleColor(ImGuiCol_ButtonActive, IM_COL32(255, 200, 0, 255));
    ImGui::PushStyleColor(ImGuiCol_Text, toneColor(tone, true));
    if (!enabled) ImGui::BeginDisabled();
    std::string id = label + "##" + std::string(key);
    bool pressed = ImGui::Button(id.c_str(), size);
    itemBorder();
    if (!enabled) ImGui::EndDisabled();
    ImGui::PopStyleColor(4);
    if (enabled) recordItem(std::string(key));
    return pressed && enabled;
}

void touchScroll() {
    // ImGui 1.86 scrolls with a wheel or the scrollbar only; a finger drags the content.
    ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsWindowHovered(ImGuiHoveredFlags_AllowWhenBlockedByActiveItem) &&
        ImGui::IsMouseDragging(ImGuiMouseButton_Left, 12.0f))
        ImGui::SetScrollY(ImGui::GetScrollY() - io.MouseDelta.y);
}

void beginScreen(const char* id) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->Pos);
    ImGui::SetNextWindowSize(vp->Size);
    // No background: the window clears to the theme's white already, and on a software
    // renderer (llvmpipe) every full-screen layer is a million blended, textured pixels.
    ImGui::Begin(id, nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                     ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                     ImGuiWindowFlags_NoBackground);
}

void endScreen() {
    ImGui::End();
}

void wrapped(ImFont* f, const std::string& s, ImU32 color) {
    if (f) ImGui::PushFont(f);
    if (color) ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(s.c_str(), s.c_str() + s.size());
    ImGui::PopTextWrapPos();
    if (color) ImGui::PopStyleColor();
    if (f) ImGui::PopFont();
}

void centred(ImFont* f, const std::string& s, ImU32 color) {
    if (f) ImGui::PushFont(f);
    float w = ImGui::CalcTextSize(s.c_str(), s.c_str() + s.size()).x;
    float avail = ImGui::GetContentRegionAvail().x;
    if (w < avail) ImGui::SetCursorPosX(ImGui::GetCursorPosX() + (avail - w) / 2);
    if (color) ImGui::PushStyleColor(ImGuiCol_Text, color);
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(s.c_str(), s.c_str() + s.size());
    ImGui::PopTextWrapPos();
    if (color) ImGui::PopStyleColor();
    if (f) ImGui::PopFont();
}

ImU32 errorColor() {
    return IM_COL32(170, 0, 0, 255);
}
ImU32 mutedColor() {
    return IM_COL32(70, 70, 70, 255);
}

} // namespace pingyi::ui
