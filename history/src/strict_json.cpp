// A DOM-building SAX handler that rejects duplicate keys and deep nesting and knows the JSON path
// it is at, so a failure can say where.
#include "imsim/history/strict_json.hpp"

#include <vector>

#include "imsim/base/assert.hpp"

namespace imsim::history {
namespace {

using json = nlohmann::json;

// "[json.exception.parse_error.101] parse error at ..." -> "parse error at ...": the id helps
// nobody.
std::string without_exception_id(std::string what) {
  if (auto pos = what.find("] "); pos != std::string::npos) what.erase(0, pos + 2);
  return what;
}

class StrictDomBuilder final : public nlohmann::json_sax<json> {
 public:
  StrictDomBuilder(json& root, StrictJsonError& error, std::size_t depth_max)
      : root_(root), error_(error), depth_max_(depth_max) {}

  bool null() override { return value(nullptr); }
  bool boolean(bool v) override { return value(v); }
  bool number_integer(number_integer_t v) override { return value(v); }
  bool number_unsigned(number_unsigned_t v) override { return value(v); }
  bool number_float(number_float_t v, const string_t&) override { return value(v); }
  bool string(string_t& v) override { return value(std::move(v)); }
  bool binary(binary_t&) override { return failed("binary values are not JSON"); }
  bool start_object(std::size_t) override { return open(json::value_t::object); }
  bool start_array(std::size_t) override { return open(json::value_t::array); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }

  bool key(string_t& k) override {
    IMSIM_ASSERT(!stack_.empty());
    Level& level = stack_.back();
    IMSIM_ASSERT(level.container->is_object());
    auto [it, inserted] = level.container->get_ref<json::object_t&>().try_emplace(k, nullptr);
    level.key = k;  // before failing too: the error's path names the repeated key
    if (!inserted) return failed("duplicate key \"" + k + "\" in one object");
    pending_ = &it->second;
    return true;
  }

  bool parse_error(std::size_t, const std::string&,
                   const nlohmann::detail::exception& ex) override {
    return failed("not valid JSON: " + without_exception_id(ex.what()));
  }

 private:
  struct Level {
    json* container;
    std::string key;  // objects: the key being read ("" before the first)
  };

  template <class T>
  bool value(T&& v) {
    json* slot = place();
    if (slot == nullptr) return failed("not valid JSON: more than one value");
    *slot = json(std::forward<T>(v));
    return true;
  }

  bool open(json::value_t type) {
    if (stack_.size() >= depth_max_) {
      return failed("JSON nested too deeply (more than " + std::to_string(depth_max_) + " levels)");
    }
    json* slot = place();
    if (slot == nullptr) return failed("not valid JSON: more than one value");
    *slot = json(type);
    stack_.push_back(Level{slot, {}});
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
    json& parent = *stack_.back().container;
    if (parent.is_array()) {
      parent.get_ref<json::array_t&>().emplace_back();
      return &parent.get_ref<json::array_t&>().back();
    }
    IMSIM_ASSERT(pending_ != nullptr);
    json* slot = pending_;
    pending_ = nullptr;
    return slot;
  }

  // The path of the value being read: `a.b[2].c`, in the scenario loader's notation.
  std::string path() const {
    std::string out;
    for (const Level& level : stack_) {
      if (level.container->is_array()) {
        const std::size_t size = level.container->size();
        if (size > 0) out += "[" + std::to_string(size - 1) + "]";
      } else if (!level.key.empty()) {
        if (!out.empty()) out += '.';
        out += level.key;
      }
    }
    return out;
  }

  bool failed(std::string message) {
    if (error_.message.empty()) error_ = StrictJsonError{path(), std::move(message)};
    return false;
  }

  json& root_;
  StrictJsonError& error_;
  std::size_t depth_max_;
  std::vector<Level> stack_;
  json* pending_ = nullptr;
  bool root_done_ = false;
};

// A NUL byte is never valid in JSON text, but nlohmann's lexer takes it as the end of input and
// would accept `{}\0garbage`.
bool find_nul(std::string_view text, StrictJsonError& error) {
  const std::size_t at = text.find('\0');
  if (at == std::string_view::npos) return false;
  std::size_t line = 1;
  std::size_t line_start = 0;
  for (std::size_t i = 0; i < at; i++) {
    if (text[i] == '\n') {
      line++;
      line_start = i + 1;
    }
  }
  error = StrictJsonError{"", "not valid JSON: a NUL byte at line " + std::to_string(line) +
                                  ", column " + std::to_string(at - line_start + 1)};
  return true;
}

}  // namespace

bool parse_strict_json(std::string_view text, json& out, StrictJsonError& error,
                       std::size_t depth_max) {
  IMSIM_ASSERT(depth_max > 0);
  out = json();
  error = StrictJsonError{};
  if (find_nul(text, error)) return false;
  StrictDomBuilder builder(out, error, depth_max);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &builder, json::input_format_t::json,
                         /*strict=*/true, /*ignore_comments=*/false);
  } catch (const std::exception& ex) {
    // The handler returns false instead of throwing; anything else nlohmann throws is still bad
    // input, never a crash.
    if (error.message.empty()) error.message = "not valid JSON: " + without_exception_id(ex.what());
    ok = false;
  }
  if (!ok) {
    if (error.message.empty()) error.message = "not valid JSON";
    out = json();
    return false;
  }
  IMSIM_ASSERT(error.message.empty());
  return true;
}

}  // namespace imsim::history
