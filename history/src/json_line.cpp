// A DOM-building SAX handler that rejects duplicate keys and deep nesting.
#include "json_line.hpp"

#include <vector>

#include "imsim/base/assert.hpp"

namespace imsim::history::detail {
namespace {

using json = nlohmann::json;

class StrictDomBuilder final : public nlohmann::json_sax<json> {
 public:
  StrictDomBuilder(json& root, std::string& error) : root_(root), error_(error) {}

  bool null() override { return value(nullptr); }
  bool boolean(bool v) override { return value(v); }
  bool number_integer(number_integer_t v) override { return value(v); }
  bool number_unsigned(number_unsigned_t v) override { return value(v); }
  bool number_float(number_float_t v, const string_t&) override { return value(v); }
  bool string(string_t& v) override { return value(std::move(v)); }
  bool binary(binary_t&) override {
    error_ = "binary values are not JSON";
    return false;
  }
  bool start_object(std::size_t) override { return open(json::value_t::object); }
  bool start_array(std::size_t) override { return open(json::value_t::array); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    IMSIM_ASSERT(!stack_.empty());
    json& object = *stack_.back();
    IMSIM_ASSERT(object.is_object());
    auto [it, inserted] = object.get_ref<json::object_t&>().try_emplace(k, nullptr);
    if (!inserted) {
      error_ = "duplicate key \"" + k + "\" in one object";
      return false;
    }
    pending_ = &it->second;
    return true;
  }

  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    std::string what = ex.what();
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix: the id helps nobody.
    if (auto pos = what.find("] "); pos != std::string::npos) what.erase(0, pos + 2);
    error_ = "not valid JSON: " + what;
    return false;
  }

 private:
  template <class T>
  bool value(T&& v) {
    json* slot = place();
    if (slot == nullptr) return false;
    *slot = json(std::forward<T>(v));
    return true;
  }

  bool open(json::value_t type) {
    if (stack_.size() >= json_depth_max) {
      error_ = "JSON nested too deeply";
      return false;
    }
    json* slot = place();
    if (slot == nullptr) return false;
    *slot = json(type);
    stack_.push_back(slot);
    return true;
  }

  bool close() {
    IMSIM_ASSERT(!stack_.empty());
    stack_.pop_back();
    return true;
  }

  // Where the next value goes: the root, the pending key of an object, or a new array slot.
  json* place() {
    if (stack_.empty()) {
      if (root_done_) return nullptr;
      root_done_ = true;
      return &root_;
    }
    json& parent = *stack_.back();
    if (parent.is_array()) {
      parent.get_ref<json::array_t&>().emplace_back();
      return &parent.get_ref<json::array_t&>().back();
    }
    IMSIM_ASSERT(pending_ != nullptr);
    json* slot = pending_;
    pending_ = nullptr;
    return slot;
  }

  json& root_;
  std::string& error_;
  std::vector<json*> stack_;
  json* pending_ = nullptr;
  bool root_done_ = false;
};

}  // namespace

bool parse_json_line(std::string_view line, json& out, std::string& error) {
  out = json();
  error.clear();
  StrictDomBuilder builder(out, error);
  bool ok = false;
  try {
    ok = json::sax_parse(line.begin(), line.end(), &builder, json::input_format_t::json,
                         /*strict=*/true, /*ignore_comments=*/false);
  } catch (const std::exception& ex) {
    error = std::string("not valid JSON: ") + ex.what();
    ok = false;
  }
  if (!ok) {
    if (error.empty()) error = "not valid JSON";
    out = json();
    return false;
  }
  if (!out.is_object()) {
    error = "a line must be one JSON object";
    return false;
  }
  return true;
}

}  // namespace imsim::history::detail
