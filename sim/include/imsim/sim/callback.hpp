#pragma once
// Callback: a move-only `void()` callable with small-buffer storage. Captures up to
// capture_size_max bytes (and alignment up to 8) live inline, so scheduling an event allocates
// nothing; larger or throwing-move captures are boxed on the heap (allowed, just not free).
#include <cstddef>
#include <cstring>
#include <imsim/base/assert.hpp>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

namespace imsim::sim {

class Callback {
 public:
  static constexpr std::size_t capture_size_max = 48;
  static constexpr std::size_t capture_align_max = 8;

  constexpr Callback() = default;

  template <class F>
  requires(!std::is_same_v<std::decay_t<F>, Callback> && std::is_invocable_r_v<void, F&>)
      Callback(F&& f) {  // NOLINT: implicit by design, lambdas convert at the call site.
    emplace(std::forward<F>(f));
  }

  Callback(Callback&& other) noexcept { take(other); }
  Callback& operator=(Callback&& other) noexcept {
    if (this != &other) {
      reset();
      take(other);
    }
    return *this;
  }
  Callback(const Callback&) = delete;
  Callback& operator=(const Callback&) = delete;
  ~Callback() { reset(); }

  // Stores `f`, replacing nothing: the callback must be empty.
  template <class F>
  void emplace(F&& f) {
    IMSIM_ASSERT(ops_ == nullptr);
    using Fn = std::decay_t<F>;
    if constexpr (fits_inline<Fn>()) {
      ::new (static_cast<void*>(storage_)) Fn(std::forward<F>(f));
      ops_ = &inline_ops<Fn>;
    } else {
      using Box = std::unique_ptr<Fn>;
      ::new (static_cast<void*>(storage_)) Box(new Fn(std::forward<F>(f)));
      ops_ = &boxed_ops<Fn>;
    }
  }

  explicit operator bool() const { return ops_ != nullptr; }

  void operator()() {
    IMSIM_ASSERT(ops_ != nullptr);
    ops_->invoke(storage_);
  }

  void reset() {
    if (ops_ == nullptr) return;
    if (ops_->destroy != nullptr) ops_->destroy(storage_);
    ops_ = nullptr;
  }

  template <class Fn>
  static constexpr bool fits_inline() {
    return sizeof(Fn) <= capture_size_max && alignof(Fn) <= capture_align_max &&
           std::is_nothrow_move_constructible_v<Fn>;
  }

 private:
  struct Ops {
    void (*invoke)(void* self);
    void (*relocate)(void* dst, void* src);  // nullptr: the bytes may be copied
    void (*destroy)(void* self);             // nullptr: nothing to destroy
  };

  template <class Fn>
  static constexpr Ops inline_ops = {
      [](void* self) { (*static_cast<Fn*>(self))(); },
      std::is_trivially_copyable_v<Fn> ? nullptr
                                       : +[](void* dst, void* src) {
                                           ::new (dst) Fn(std::move(*static_cast<Fn*>(src)));
                                           static_cast<Fn*>(src)->~Fn();
                                         },
      std::is_trivially_destructible_v<Fn> ? nullptr
                                           : +[](void* self) { static_cast<Fn*>(self)->~Fn(); },
  };

  template <class Fn>
  static constexpr Ops boxed_ops = {
      [](void* self) { (**static_cast<std::unique_ptr<Fn>*>(self))(); },
      nullptr,  // a unique_ptr's bytes relocate trivially
      [](void* self) {
        using Box = std::unique_ptr<Fn>;
        static_cast<Box*>(self)->~Box();
      },
  };

  void take(Callback& other) {
    if (other.ops_ == nullptr) return;
    if (other.ops_->relocate == nullptr) {
      std::memcpy(storage_, other.storage_, capture_size_max);
    } else {
      other.ops_->relocate(storage_, other.storage_);
    }
    ops_ = other.ops_;
    other.ops_ = nullptr;
  }

  alignas(capture_align_max) unsigned char storage_[capture_size_max];
  const Ops* ops_ = nullptr;
};

}  // namespace imsim::sim
