// Result<T>: the one error-carrying return type of Pingyi. Marked [[nodiscard]]: a
// verifier's failure must never be ignored. The error kind tells the caller what to do.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace pingyi {

// What the caller should do next. Keep the switch statements exhaustive (-Wswitch-enum).
enum class ErrorKind {
    Invalid,  // the input is wrong: fix it and try again; nothing was changed
    NotFound, // a named thing does not exist
    Conflict, // the operation clashes with stored state (token already used, ...)
    Forged,   // a signature or hash does not verify: refuse, never retry
    Auth,     // wrong passphrase or PIN
    Busy,     // transient: retry later with backoff
    Io,       // the file system or database failed (full disk, permissions)
    Internal, // a bug; report it
};

// An error: a catalog message id plus its arguments, rendered in the user's language by
// describe() (core/catalog.hpp). Never holds ballot plaintext or a token.
struct Error {
    ErrorKind kind = ErrorKind::Internal;
    std::string id;                // catalog id, e.g. "campaign.unknown_unit"
    std::vector<std::string> args; // substituted for {0}, {1}, ... in the message

    static Error make(ErrorKind k, std::string msg_id, std::vector<std::string> a = {}) {
        return Error{k, std::move(msg_id), std::move(a)};
    }
};

template <class T> class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & {
        assert(ok());
        return std::get<0>(v_);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(v_);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(v_));
    }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const {
        assert(!ok());
        return std::get<1>(v_);
    }

  private:
    std::variant<T, Error> v_;
};

struct Unit {};

// Result<void> equivalent.
class [[nodiscard]] Status {
  public:
    Status() = default;
    Status(Error e) : e_(std::move(e)) {}
    static Status success() { return Status(); }
    bool ok() const { return !e_.has_value(); }
    explicit operator bool() const { return ok(); }
    const Error& error() const {
        assert(!ok());
        return *e_;
    }

  private:
    std::optional<Error> e_;
};

// Propagate an error from an expression returning Result/Status.
#define PY_TRY(expr)                                                                               \
    do {                                                                                           \
        auto&& py_try_r_ = (expr);                                                                 \
        if (!py_try_r_.ok()) return py_try_r_.error();                                             \
    } while (0)

} // namespace pingyi
