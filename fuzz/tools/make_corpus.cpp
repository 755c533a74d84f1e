// imsim_fuzz_corpus <dir>: writes the seed corpus of every fuzz target into <dir>/<target>/
// (existing files are kept: libFuzzer adds what it finds to the same directories).
//   scenario_loader  every library scenario, the CLI test inputs (tests/scenarios/data), and
//                    fuzz/seeds/scenario_loader
//   failure_file     the failure file (replay.json) of a run of a few small library scenarios,
//                    tests/scenarios/data/hostile-replay.json, fuzz/seeds/failure_file
//   history_reader   the history of those runs when under kHistoryBytesMax, the checker
//                    fixtures (tests/properties/fixtures), fuzz/seeds/history_reader
//   frame_decoder    every frame type encoded by the codec: default fields, and fields filled
//                    with small valid values (strings, vectors of two, every enum value)
// Deterministic: the same tree gives the same files.
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "archive.hpp"
#include "imsim/engine/codec.hpp"
#include "imsim/scenarios/failure_file.hpp"
#include "imsim/scenarios/run.hpp"
#include "imsim/scenarios/scenario.hpp"

namespace fs = std::filesystem;
using namespace imsim;

namespace {

// Bigger inputs slow every libFuzzer iteration; the shapes they show are in the small ones too.
constexpr std::uintmax_t kHistoryBytesMax = 32 * 1024;
// The library scenarios run for histories and failure files: the ones whose history is small
// (8-20 KB) and whose run is quick under ASan; together they show every event type, anomalies
// (the mutants) and faults. The scenario texts of all the others are in scenario_loader's corpus.
const std::set<std::string> kRun = {"ack-lost-retry",
                                    "offline-backlog-crash-before-ack",
                                    "mutants-checkpoint_before_apply",
                                    "mutants-checkpoint_from_push",
                                    "mutants-cursor_from_client_id",
                                    "mutants-no_server_dedup",
                                    "mutants-resume_counter_reset",
                                    "mutants-short_page_is_end",
                                    "mutants-ttl_gap_ignored",
                                    "mutants-volatile_seq_allocator"};

int written = 0;

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) {
    std::cerr << "imsim_fuzz_corpus: cannot write " << path << '\n';
    std::exit(2);
  }
  written++;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<fs::path> files_in(const fs::path& dir, const std::string& extension, bool recursive) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  if (recursive) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
      if (e.is_regular_file() && (extension.empty() || e.path().extension() == extension)) {
        out.push_back(e.path());
      }
    }
  } else {
    for (const auto& e : fs::directory_iterator(dir)) {
      if (e.is_regular_file() && (extension.empty() || e.path().extension() == extension)) {
        out.push_back(e.path());
      }
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// "mutants/explore/x.json" under the library -> "mutants-explore-x.json".
std::string flat_name(const fs::path& path, const fs::path& root) {
  std::string name = fs::relative(path, root).generic_string();
  for (char& c : name) {
    if (c == '/') c = '-';
  }
  return name;
}

void copy_all(const std::vector<fs::path>& files, const fs::path& root, const fs::path& out,
              const std::string& prefix) {
  for (const auto& f : files) write_file(out / (prefix + flat_name(f, root)), read_file(f));
}

// Fills a wire type with small valid values; `variant` shifts them so two fills differ.
class Filler {
 public:
  explicit Filler(int variant) : variant_(variant) {}

  template <typename... Ts>
  void operator()(Ts&... fields) {
    (field(fields), ...);
  }

  template <typename T>
  void field(T& v) {
    namespace wire = engine::wire;
    next_++;
    if constexpr (std::is_same_v<T, bool>) {
      v = (next_ + variant_) % 2 == 0;
    } else if constexpr (std::is_enum_v<T>) {
      const int lo = wire::enum_min(T{});
      const int hi = wire::enum_max(T{});
      v = static_cast<T>(lo + (next_ + variant_) % (hi - lo + 1));
    } else if constexpr (std::is_integral_v<T>) {
      v = static_cast<T>(next_ * (variant_ + 1));
    } else if constexpr (wire::is_strong_id<T>::value) {
      v.value = static_cast<typename T::rep_type>(next_ + variant_);
    } else if constexpr (std::is_same_v<T, std::string>) {
      v = fmt::format("m{}-{}", variant_, next_);
    } else if constexpr (wire::is_vector<T>::value) {
      v.resize(2);
      for (auto& e : v) field(e);
    } else {
      wire::visit(*this, v);
    }
  }

 private:
  int variant_;
  int next_ = 0;
};

template <std::size_t... I>
void write_frames(const fs::path& out, std::index_sequence<I...>) {
  const auto one = [&](auto index) {
    constexpr std::size_t i = decltype(index)::value;
    engine::Frame plain{std::in_place_index<i>};
    const std::string type = engine::to_string(engine::type_of(plain));
    const auto save = [&](const engine::Frame& frame, const std::string& suffix) {
      const engine::Bytes bytes = engine::encode(frame);
      write_file(out / fmt::format("{:02}-{}-{}.bin", i + 1, type, suffix),
                 std::string(bytes.begin(), bytes.end()));
    };
    save(plain, "default");
    for (int variant = 1; variant <= 2; variant++) {
      engine::Frame filled{std::in_place_index<i>};
      Filler filler(variant);
      filler.field(std::get<i>(filled));
      save(filled, fmt::format("filled{}", variant));
    }
  };
  (one(std::integral_constant<std::size_t, I>{}), ...);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: imsim_fuzz_corpus <dir>  (writes <dir>/<target>/ seed files)\n";
    return 2;
  }
  const fs::path dir = argv[1];
  const fs::path src = IMSIM_SOURCE_DIR;
  const fs::path library = src / "scenarios" / "library";
  for (const char* t : {"scenario_loader", "failure_file", "history_reader", "frame_decoder"}) {
    fs::create_directories(dir / t);
    copy_all(files_in(src / "fuzz" / "seeds" / t, "", false), src / "fuzz" / "seeds" / t, dir / t,
             "seed-");
  }

  const std::vector<fs::path> scenarios = files_in(library, ".json", true);
  copy_all(scenarios, library, dir / "scenario_loader", "library-");
  copy_all(files_in(src / "tests" / "scenarios" / "data", ".json", false),
           src / "tests" / "scenarios" / "data", dir / "scenario_loader", "cli-data-");
  write_file(dir / "failure_file" / "cli-data-hostile-replay.json",
             read_file(src / "tests" / "scenarios" / "data" / "hostile-replay.json"));
  copy_all(files_in(src / "tests" / "properties" / "fixtures", ".jsonl", false),
           src / "tests" / "properties" / "fixtures", dir / "history_reader", "fixture-");

  const fs::path runs = dir / ".runs";
  for (const fs::path& path : scenarios) {
    const std::string name =
        flat_name(path, library).substr(0, flat_name(path, library).size() - 5);
    if (!kRun.contains(name)) continue;
    auto loaded = scenarios::load_scenario_file(path);
    if (!loaded.ok()) {
      std::cerr << "imsim_fuzz_corpus: " << loaded.status().message() << '\n';
      return 2;
    }
    scenarios::RunSettings settings;
    settings.out_dir = runs / name;
    const scenarios::RunOutcome outcome = scenarios::run_scenario(loaded.value(), settings);
    if (!outcome.error.empty()) {
      std::cerr << "imsim_fuzz_corpus: " << name << ": " << outcome.error << '\n';
      return 2;
    }
    write_file(dir / "failure_file" / (name + ".json"), read_file(runs / name / "replay.json"));
    const fs::path history = runs / name / "history.jsonl";
    if (fs::file_size(history) <= kHistoryBytesMax) {
      write_file(dir / "history_reader" / (name + ".jsonl"), read_file(history));
    }
  }
  fs::remove_all(runs);

  write_frames(dir / "frame_decoder",
               std::make_index_sequence<std::variant_size_v<engine::Frame>>{});
  std::cout << fmt::format("imsim_fuzz_corpus: {} seed files under {}\n", written, dir.string());
  return 0;
}
