#pragma once
// One interface to a line's values, whether they were read by the fast FlatLine or by the strict
// DOM parser: the reader's rules are written once, against this, so both paths decide and word
// every error the same way.
//
// Both views answer as nlohmann::json would: an object's members come in key order, every
// integer is `integer`, a non-negative one also `unsigned_integer`.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "flat_line.hpp"
#include "imsim/base/assert.hpp"
#include "name_index.hpp"

namespace imsim::history::detail {

class JsonView {
 public:
  explicit JsonView(const nlohmann::json& value) : value_(&value) {}

  bool is_string() const { return value_->is_string(); }
  bool is_integer() const { return value_->is_number_integer(); }
  bool is_unsigned() const { return value_->is_number_unsigned(); }
  bool is_boolean() const { return value_->is_boolean(); }
  bool is_object() const { return value_->is_object(); }
  bool is_array() const { return value_->is_array(); }
  std::size_t size() const { return value_->size(); }

  std::string_view string() const { return value_->get_ref<const std::string&>(); }
  std::uint64_t unsigned_value() const { return value_->get<std::uint64_t>(); }
  bool boolean() const { return value_->get<bool>(); }

  std::optional<JsonView> find(std::string_view key) const {
    auto it = value_->find(key);
    if (it == value_->end()) return std::nullopt;
    return JsonView(*it);
  }
  template <class Fn>
  void for_each_member(Fn&& fn) const {
    for (const auto& [key, value] : value_->items()) fn(std::string_view(key), JsonView(value));
  }
  template <class Fn>
  void for_each_element(Fn&& fn) const {
    for (const nlohmann::json& value : *value_) fn(JsonView(value));
  }

 private:
  const nlohmann::json* value_;
};

class FlatView {
 public:
  // The root object of `line`.
  explicit FlatView(const FlatLine& line) : line_(&line), value_(nullptr) {}

  bool is_string() const { return kind() == FlatValue::Kind::string; }
  bool is_integer() const { return kind() == FlatValue::Kind::number; }
  bool is_unsigned() const { return kind() == FlatValue::Kind::number; }
  bool is_boolean() const { return kind() == FlatValue::Kind::boolean; }
  bool is_object() const { return kind() == FlatValue::Kind::object; }
  bool is_array() const { return kind() == FlatValue::Kind::array; }
  std::size_t size() const { return value_ == nullptr ? line_->root().size() : value_->count; }

  std::string_view string() const { return value_->string; }
  std::uint64_t unsigned_value() const { return value_->number; }
  bool boolean() const { return value_->boolean; }

  std::optional<FlatView> find(std::string_view key) const {
    IMSIM_ASSERT(is_object());
    for (const FlatMember& member : members()) {
      if (NameIndex::same_bytes(member.key, key)) return FlatView(*line_, member.value);
    }
    return std::nullopt;
  }
  template <class Fn>
  void for_each_member(Fn&& fn) const {
    IMSIM_ASSERT(is_object());
    IMSIM_ASSERT(value_ != nullptr);  // the root's members are in file order, not key order
    for (const FlatMember& member : members()) fn(member.key, FlatView(*line_, member.value));
  }
  template <class Fn>
  void for_each_element(Fn&& fn) const {
    IMSIM_ASSERT(is_array());
    for (const FlatMember& member : members()) fn(FlatView(*line_, member.value));
  }

 private:
  FlatView(const FlatLine& line, const FlatValue& value) : line_(&line), value_(&value) {}

  FlatValue::Kind kind() const {
    return value_ == nullptr ? FlatValue::Kind::object : value_->kind;
  }
  std::span<const FlatMember> members() const {
    return value_ == nullptr ? line_->root() : line_->children(*value_);
  }

  const FlatLine* line_;
  const FlatValue* value_;  // null: the root object
};

}  // namespace imsim::history::detail
