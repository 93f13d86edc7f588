#include "app/ui/window.hpp"

#include <backends/imgui_impl_opengl3.h>
#include <backends/imgui_impl_sdl.h>
#include <imgui.h>

#include <SDL_opengl.h>
#include <stb_image_write.h>

#include <cstdio>
#include <vector>

#ifndef GL_TEXTURE_SWIZZLE_RGBA
#define GL_TEXTURE_SWIZZLE_RGBA 0x8E46
#endif
#ifndef GL_R8
#define GL_R8 0x8229
#endif
#ifndef GL_RED
#define GL_RED 0x1903
#endif

namespace pingyi::ui {

namespace {
void setImeRect(int x, int y) {
    SDL_Rect r{x, y, 1, 32};
    SDL_SetTextInputRect(&r); // where the input method shows its candidates
}
} // namespace

bool Window::open(const WindowOptions& opt, std::string& error) {
    SDL_SetHint(SDL_HINT_IME_SHOW_UI, "1");
    SDL_SetHint(SDL_HINT_VIDEO_X11_NET_WM_BYPASS_COMPOSITOR, "0");
    if (SDL_Init(SDL_INIT_VIDEO | SDL_INIT_TIMER) != 0) {
        error = SDL_GetError();
        return false;
    }
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_FLAGS, 0);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, SDL_GL_CONTEXT_PROFILE_CORE);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MAJOR_VERSION, 3);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_MINOR_VERSION, 0);
    SDL_GL_SetAttribute(SDL_GL_CONTEXT_PROFILE_MASK, 0);
    SDL_GL_SetAttribute(SDL_GL_DOUBLEBUFFER, 1);
    Uint32 flags = SDL_WINDOW_OPENGL | SDL_WINDOW_ALLOW_HIGHDPI;
    if (opt.fullscreen) flags |= SDL_WINDOW_FULLSCREEN_DESKTOP;
    window_ = SDL_CreateWindow("评议", SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, opt.width,
                               opt.height, flags);
    if (!window_) {
        error = SDL_GetError();
        return false;
    }
    gl_ = SDL_GL_CreateContext(window_);
    if (!gl_) {
        error = SDL_GetError();
        return false;
    }
    SDL_GL_MakeCurrent(window_, gl_);
    if (auto* r = reinterpret_cast<const char*>(glGetString(GL_RENDERER))) renderer_ = r;
    int major = 0, minor = 0;
    if (auto* v = reinterpret_cast<const char*>(glGetString(GL_VERSION)))
        std::sscanf(v, "%d.%d", &major, &minor);
    swizzle_ = opt.one_channel_fonts && (major > 3 || (major == 3 && minor >= 3));
    bool vsync = opt.vsync == WindowOptions::VSync::On ||
                 (opt.vsync == WindowOptions::VSync::Auto && !softwareRenderer());
    swap_interval_ = vsync ? 1 : 0;
    SDL_GL_SetSwapInterval(swap_interval_);
    SDL_StopTextInput(); // SDL starts it by default; the kiosk starts it only in a text box
    ImGui_ImplSDL2_InitForOpenGL(window_, gl_);
    ImGui_ImplOpenGL3_Init("#version 130");
    ImGui::GetIO().ImeSetInputScreenPosFn = setImeRect;
    backends_ = true;
    // The backend would make its RGBA font texture at the first NewFrame; make its objects
    // now, from the still empty atlas, and drop that texture: uploadAtlas makes the real one.
    ImGui_ImplOpenGL3_CreateDeviceObjects();
    ImGui_ImplOpenGL3_DestroyFontsTexture();
    return true;
}

bool Window::softwareRenderer() const {
    for (const char* s : {"llvmpipe", "softpipe", "SWR", "Software Rasterizer"})
        if (renderer_.find(s) != std::string::npos) return true;
    return false;
}

Window::~Window() {
    for (auto& [atlas, tex] : textures_)
        glDeleteTextures(1, &tex);
    if (backends_) {
        ImGui_ImplOpenGL3_Shutdown();
        ImGui_ImplSDL2_Shutdown();
    }
    if (gl_) SDL_GL_DeleteContext(gl_);
    if (window_) SDL_DestroyWindow(window_);
    SDL_Quit();
}

bool Window::handle(const SDL_Event& e) {
    if (e.type == SDL_QUIT) {
        quit_ = true;
        return true;
    }
    ImGui_ImplSDL2_ProcessEvent(&e);
    // Motion without a pressed finger or button changes nothing on a touch screen.
    if (e.type == SDL_MOUSEMOTION && e.motion.state == 0) return false;
    return true;
}

bool Window::wait(std::optional<std::chrono::milliseconds> timeout) {
    SDL_Event e;
    bool any = false;
    int got = 0;
    if (!timeout)
        got = SDL_WaitEvent(&e);
    else
        got =
            SDL_WaitEventTimeout(&e, static_cast<int>(std::max<std::int64_t>(timeout->count(), 0)));
    if (got) any = handle(e) || any;
    while (SDL_PollEvent(&e))
        any = handle(e) || any;
    return any;
}

void Window::newFrame() {
    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplSDL2_NewFrame();
}

void Window::present() {
    ImGuiIO& io = ImGui::GetIO();
    glViewport(0, 0, static_cast<int>(io.DisplaySize.x), static_cast<int>(io.DisplaySize.y));
    glClearColor(1, 1, 1, 1);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

void Window::swap() {
    SDL_GL_SwapWindow(window_);
}

void Window::uploadFonts() {
    uploadAtlas(*ImGui::GetIO().Fonts);
}

void Window::dropAtlas(ImFontAtlas& atlas) {
    for (auto it = textures_.begin(); it != textures_.end(); ++it)
        if (it->first == &atlas) {
            glDeleteTextures(1, &it->second);
            textures_.erase(it);
            break;
        }
    atlas.SetTexID(nullptr);
}

void Window::uploadAtlas(ImFontAtlas& atlas) {
    dropAtlas(atlas);
    unsigned char* px = nullptr;
    int w = 0, h = 0;
    GLuint tex = 0;
    glGenTextures(1, &tex);
    glBindTexture(GL_TEXTURE_2D, tex);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glPixelStorei(GL_UNPACK_ROW_LENGTH, 0);
    if (swizzle_) {
        // One byte a pixel; the shader samples (1, 1, 1, alpha) as from the RGBA32 texture.
        atlas.GetTexDataAsAlpha8(&px, &w, &h);
        const GLint swizzle[4] = {GL_ONE, GL_ONE, GL_ONE, GL_RED};
        glTexParameteriv(GL_TEXTURE_2D, GL_TEXTURE_SWIZZLE_RGBA, swizzle);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_R8, w, h, 0, GL_RED, GL_UNSIGNED_BYTE, px);
    } else {
        atlas.GetTexDataAsRGBA32(&px, &w, &h);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, px);
    }
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    textures_.emplace_back(&atlas, tex);
    atlas.SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::intptr_t>(tex)));
    // The GPU has its copy: the CPU's can go.
    atlas.ClearTexData();
}

void Window::syncTextInput() {
    bool want = ImGui::GetIO().WantTextInput;
    if (want && !text_input_) SDL_StartTextInput();
    if (!want && text_input_) SDL_StopTextInput();
    text_input_ = want;
}

bool Window::savePng(const std::string& path) {
    int w = 0, h = 0;
    SDL_GL_GetDrawableSize(window_, &w, &h);
    std::vector<unsigned char> px(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 3);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadBuffer(GL_BACK);
    glReadPixels(0, 0, w, h, GL_RGB, GL_UNSIGNED_BYTE, px.data());
    stbi_flip_vertically_on_write(1);
    return stbi_write_png(path.c_str(), w, h, 3, px.data(), w * 3) != 0;
}

void Window::finish() {
    glFinish();
}

} // namespace pingyi::ui
