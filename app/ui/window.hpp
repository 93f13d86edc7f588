// The kiosk's platform layer: an SDL2 window with an OpenGL 3 context, the ImGui SDL2 and
// OpenGL3 backends, the system's text input (IME), and screenshots. Only main.cpp uses it.
#pragma once

#include <SDL.h>

#include <chrono>
#include <optional>
#include <string>

namespace pingyi::ui {

struct WindowOptions {
    int width = 1280, height = 800;
    bool fullscreen = true;
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
};

} // namespace pingyi::ui
