// The history as column arrays, for a pandas DataFrame built column by column (never row by
// row): numeric columns are numpy arrays, names are categorical codes (int32, -1 = none) with
// their categories (the history's interned names), optional integers carry a mask, and the
// few structured fields (vector clocks, timeline lists, extension objects) are object columns.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <map>
#include <string_view>

#include "bindings.hpp"

namespace imsim::bindings {

namespace {

using history::Event;
using history::History;

// A categorical column: codes into `categories` (-1: the event has no such field).
struct Categorical {
  py::array_t<std::int32_t> codes;
  std::vector<std::string> categories;

  Categorical(std::size_t n, std::vector<std::string> cats)
      : codes(py::ssize_t(n)), categories(std::move(cats)) {
    std::fill(codes.mutable_data(), codes.mutable_data() + n, -1);
  }
  void set(std::size_t row, std::uint32_t code) { codes.mutable_data()[row] = std::int32_t(code); }
  py::tuple to_python() const { return py::make_tuple(codes, categories); }
};

// An optional integer column: values with a mask (true = missing), as pandas' IntegerArray.
struct MaskedInt {
  py::array_t<std::int64_t> values;
  py::array_t<bool> mask;

  explicit MaskedInt(std::size_t n) : values(py::ssize_t(n)), mask(py::ssize_t(n)) {
    std::fill(values.mutable_data(), values.mutable_data() + n, 0);
    std::fill(mask.mutable_data(), mask.mutable_data() + n, true);
  }
  void set(std::size_t row, std::int64_t value) {
    values.mutable_data()[row] = value;
    mask.mutable_data()[row] = false;
  }
  py::tuple to_python() const { return py::make_tuple(values, mask); }
};

py::dict clock_dict(const History& h, const history::VectorClock& clock) {
  py::dict d;
  for (const history::ClockEntry& e : clock) d[py::str(h.name(e.device))] = e.count;
  return d;
}

struct Columns {
  const History& h;
  std::size_t n;
  py::array_t<std::int64_t> t{py::ssize_t(n)};
  py::array_t<std::int64_t> line{py::ssize_t(n)};
  std::map<std::string, std::uint32_t> type_codes;
  Categorical type{n, {}};
  Categorical device{n, h.header.device_names};
  Categorical user{n, h.header.user_names};
  Categorical conv{n, conv_names(h)};
  Categorical msg{n, h.msg_names};
  Categorical at{n, {"bottom", "top"}};
  Categorical phase{n, {"safety", "liveness"}};
  MaskedInt conv_seq{n};
  MaskedInt first_conv_seq{n};
  MaskedInt quiesced{n};  // 0/1; pandas makes it a nullable boolean
  py::list vc{py::ssize_t(n)}, gvc{py::ssize_t(n)}, msgs{py::ssize_t(n)}, json{py::ssize_t(n)};

  static std::vector<std::string> conv_names(const History& h) {
    std::vector<std::string> names;
    for (const history::Conversation& c : h.header.conversations) names.push_back(c.name);
    return names;
  }

  Columns(const History& history, std::size_t rows) : h(history), n(rows) {
    for (std::size_t i = 0; i < n; i++) {
      vc[i] = py::none();
      gvc[i] = py::none();
      msgs[i] = py::none();
      json[i] = py::none();
    }
  }

  void set_device(std::size_t row, history::DeviceId d) {
    device.set(row, d.value);
    user.set(row, h.header.device_user[d.value].value);
  }

  void set_type(std::size_t row, std::string_view name) {
    auto [it, added] = type_codes.try_emplace(std::string(name), type.categories.size());
    if (added) type.categories.emplace_back(name);
    type.set(row, it->second);
  }

  void add(std::size_t row, const Event& e);
  py::dict to_python() const;
};

void Columns::add(std::size_t row, const Event& e) {
  t.mutable_data()[row] = e.t_ns;
  line.mutable_data()[row] = e.line;
  set_type(row, history::event_type_name(e));
  std::visit(
      [&](const auto& b) {
        using B = std::decay_t<decltype(b)>;
        if constexpr (requires { b.device; }) set_device(row, b.device);
        if constexpr (requires { b.conv; }) conv.set(row, b.conv.value);
        if constexpr (requires { b.msg; }) msg.set(row, b.msg.value);
        if constexpr (std::is_same_v<B, history::Send>) {
          vc[row] = clock_dict(h, b.vc);
          if (b.gvc) gvc[row] = clock_dict(h, *b.gvc);
        } else if constexpr (std::is_same_v<B, history::Ack>) {
          conv_seq.set(row, std::int64_t(b.conv_seq));
        } else if constexpr (std::is_same_v<B, history::Display>) {
          at.set(row, b.at == history::DisplayAt::top ? 1 : 0);
          if (b.conv_seq) conv_seq.set(row, std::int64_t(*b.conv_seq));
        } else if constexpr (std::is_same_v<B, history::Phase>) {
          phase.set(row, b.phase == history::PhaseKind::liveness ? 1 : 0);
        } else if constexpr (std::is_same_v<B, history::Timeline>) {
          py::list names;
          for (history::MsgId m : b.msgs) names.append(h.name(m));
          msgs[row] = names;
          first_conv_seq.set(row, std::int64_t(b.first_conv_seq));
        } else if constexpr (std::is_same_v<B, history::End>) {
          quiesced.set(row, b.quiesced ? 1 : 0);
        } else if constexpr (std::is_same_v<B, history::Extension>) {
          json[row] = b.json;
        }
      },
      e.body);
}

py::dict Columns::to_python() const {
  py::dict d;
  d["t"] = t;
  d["line"] = line;
  d["type"] = type.to_python();
  d["device"] = device.to_python();
  d["user"] = user.to_python();
  d["conv"] = conv.to_python();
  d["msg"] = msg.to_python();
  d["conv_seq"] = conv_seq.to_python();
  d["at"] = at.to_python();
  d["phase"] = phase.to_python();
  d["quiesced"] = quiesced.to_python();
  d["vc"] = vc;
  d["gvc"] = gvc;
  d["msgs"] = msgs;
  d["first_conv_seq"] = first_conv_seq.to_python();
  d["json"] = json;
  return d;
}

}  // namespace

py::dict history_columns(const History& history) {
  Columns columns(history, history.events.size());
  for (std::size_t i = 0; i < history.events.size(); i++) columns.add(i, history.events[i]);
  return columns.to_python();
}

nlohmann::json history_header(const History& h) {
  nlohmann::json devices = nlohmann::json::object();
  for (std::size_t d = 0; d < h.device_count(); d++) {
    devices[h.header.device_names[d]] = h.header.user_names[h.header.device_user[d].value];
  }
  nlohmann::json conversations = nlohmann::json::object();
  for (const history::Conversation& c : h.header.conversations) {
    nlohmann::json members = nlohmann::json::array();
    for (history::UserId u : c.members) members.push_back(h.name(u));
    nlohmann::json conv = {{"members", members}};
    if (c.kind != history::ConvKind::unspecified) conv["kind"] = history::conv_kind_name(c.kind);
    conversations[c.name] = conv;
  }
  nlohmann::json header = {{"type", "header"},
                           {"format", history::format_name},
                           {"version", h.header.version},
                           {"devices", devices},
                           {"conversations", conversations}};
  if (h.header.scenario) header["scenario"] = *h.header.scenario;
  if (h.header.seed) header["seed"] = *h.header.seed;
  return header;
}

}  // namespace imsim::bindings
