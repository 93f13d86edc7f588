// The kiosk's platform layer: an SDL2 window with an OpenGL 3 context, the ImGui SDL2 and
// OpenGL3 backends, the system's text input (IME), and screenshots. Only main.cpp uses it.
#pragma once

#include <SDL.h>
#include <imgui.h>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace pingyi::ui {

struct WindowOptions {
    int width = 1280, height = 800;
    bool fullscreen = true;
    // Wait for the display's refresh on swap. Auto: yes on a GPU, no on a software renderer
    // (llvmpipe under Xvfb), where there is no refresh to wait for and a swap would only block.
    enum class VSync { Auto, On, Off } vsync = VSync::Auto;
    // Font textures with one byte a pixel (needs OpenGL 3.3); false: RGBA32 (comparisons).
    bool one_channel_fonts = true;
};

class Window {
  public:
    // Opens the window and the ImGui backends (needs a current ImGui context). On failure,
    // `error` says why (SDL's message).
    bool open(const WindowOptions& opt, std::string& error);
    ~Window();

    // Waits for an event for at most `timeout` (nullopt: until one comes). Returns true if
    // anything arrived; every event is passed to ImGui, SDL_QUIT sets quitRequested().
    bool wait(std::optional<std::chrono::milliseconds> timeout);
    bool quitRequested() {
        bool q = quit_;
        quit_ = false;
        return q;
    }
    // Backend new-frame calls (before the Driver's input and ImGui::NewFrame).
    void newFrame();
    // Renders ImGui's draw data into the back buffer; swap() shows it.
    void present();
    void swap();
    // After the atlas was rebuilt: uploads it and frees the CPU copy.
    void uploadFonts();
    // Uploads any font atlas (a second atlas holds fonts built later) as a one-channel texture
    // (GL_R8, swizzled to white with alpha: a quarter of the RGBA32 texture the backend makes),
    // sets its texture id and frees its CPU copies. Replaces the atlas's earlier texture.
    void uploadAtlas(ImFontAtlas& atlas);
    // Forgets (and deletes) the texture of an atlas about to be destroyed.
    void dropAtlas(ImFontAtlas& atlas);
    // The OpenGL renderer's name (GL_RENDERER), and whether it is a software one.
    const std::string& renderer() const { return renderer_; }
    bool softwareRenderer() const;
    int swapInterval() const { return swap_interval_; }
    // Starts or stops the system text input (IME) as ImGui wants it.
    void syncTextInput();
    // Saves the last rendered frame (the back buffer, before present) as PNG.
    bool savePng(const std::string& path);
    // Waits until the GPU finished (benchmarks).
    void finish();

  private:
    bool handle(const SDL_Event& e);
    SDL_Window* window_ = nullptr;
    SDL_GLContext gl_ = nullptr;
    bool backends_ = false;
    bool quit_ = false;
    bool text_input_ = false;
    bool swizzle_ = false; // GL 3.3 texture swizzle: one-channel font textures
    int swap_interval_ = 1;
    std::string renderer_;
    std::vector<std::pair<ImFontAtlas*, unsigned>> textures_;
};

} // namespace pingyi::ui
