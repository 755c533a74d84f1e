#pragma once
// Errors as values at the module boundaries (as LevelDB's include/leveldb/status.h): a Status is
// ok or an error code with a message; a Result<T> is a T or an error Status. Used where failure
// is expected (bad input files, unreadable paths, limits); broken invariants are IMSIM_ASSERTs.
//
// The message is what the user sees, as is: it carries its own location (a JSON path such as
// "x.json: faults[0].at_s: ...", or a history line "line 3: ...") and no code prefix, so the
// CLI prints it byte for byte after "imsim: error: ".
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "imsim/base/assert.hpp"

namespace imsim::base {

// Few and meaningful: a caller may branch on them (exit codes, Python exception types).
enum class StatusCode : std::uint8_t {
  ok,
  invalid_input,   // the input breaks a rule of its format (scenario, history, failure file, flag)
  io_error,        // a file could not be opened, read or written
  limit_exceeded,  // the input is well-formed but beyond a named limit (size, lines, memory)
  not_found,       // no such file or library entry
};

inline constexpr std::string_view status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::ok:
      return "ok";
    case StatusCode::invalid_input:
      return "invalid_input";
    case StatusCode::io_error:
      return "io_error";
    case StatusCode::limit_exceeded:
      return "limit_exceeded";
    case StatusCode::not_found:
      return "not_found";
  }
  return "unknown";
}

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok

  static Status invalid_input(std::string message) {
    return {StatusCode::invalid_input, std::move(message)};
  }
  static Status io_error(std::string message) { return {StatusCode::io_error, std::move(message)}; }
  static Status limit_exceeded(std::string message) {
    return {StatusCode::limit_exceeded, std::move(message)};
  }
  static Status not_found(std::string message) {
    return {StatusCode::not_found, std::move(message)};
  }

  bool ok() const { return code_ == StatusCode::ok; }
  StatusCode code() const { return code_; }
  // "" iff ok(); otherwise the whole user-visible text.
  const std::string& message() const { return message_; }

  // The same error with `prefix` + ": " in front of its message (a file name as its origin).
  // Only for errors.
  Status prefixed(std::string_view prefix) const {
    IMSIM_ASSERT_MSG(!ok(), "prefixing an ok Status");
    return {code_, std::string(prefix) + ": " + message_};
  }

  friend bool operator==(const Status&, const Status&) = default;

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {
    // An error always says what went wrong; ok is only ever the default Status.
    IMSIM_ASSERT(code_ != StatusCode::ok);
    IMSIM_ASSERT_MSG(!message_.empty(), "an error Status needs a message");
  }

  StatusCode code_ = StatusCode::ok;
  std::string message_;
};

// A value, or the error Status that prevented it. value() of an error Result is a bug of the
// caller (it did not look at ok()): an IMSIM_ASSERT failure naming the error, never a silent
// default value.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}      // NOLINT: implicit
  Result(Status error) : state_(std::in_place_index<1>, std::move(error)) {  // NOLINT: implicit
    IMSIM_ASSERT_MSG(!std::get<1>(state_).ok(), "a Result built from an ok Status has no value");
  }

  bool ok() const { return state_.index() == 0; }
  // The error; an ok Status when there is a value.
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(state_);
  }

  const T& value() const& {
    check_value();
    return std::get<0>(state_);
  }
  T& value() & {
    check_value();
    return std::get<0>(state_);
  }
  T&& value() && {
    check_value();
    return std::get<0>(std::move(state_));
  }

 private:
  void check_value() const {
    if (!ok()) {
      assert_fail("result.ok()", __FILE__, __LINE__,
                  ("value() of an error Result: " + std::get<1>(state_).message()).c_str());
    }
  }

  std::variant<T, Status> state_;
};

}  // namespace imsim::base
