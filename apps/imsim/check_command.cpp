// imsim check: the checkers over any history file (properties::check_file), verdicts and
// metrics. Exit 0 valid, 1 anomalies, 2 malformed history (the error names the line) or bad
// option.
#include <fmt/format.h>

#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "imsim/properties/check.hpp"
#include "imsim/properties/report.hpp"
#include "imsim/properties/story.hpp"
#include "imsim/scenarios/run.hpp"

namespace imsim::cli {

// Stories printed (results in --json have them all).
constexpr std::size_t kCheckStoriesMax = 5;

int check_command(const CheckArgs& args) {
  if (base::Status status = unknown_checker(args.checkers); !status.ok()) {
    return fail(status.message());
  }
  properties::CheckOptions options;
  options.checkers = args.checkers;
  // "-" is the standard input (a history piped from another system's recorder).
  const bool from_stdin = args.history_file == "-";
  if (!from_stdin) {
    if (base::Status status = check_input_file(args.history_file, InputKind::kHistory);
        !status.ok()) {
      return fail(status);
    }
  }
  const properties::CheckedStories checked =
      from_stdin ? properties::check_stream_with_stories(std::cin, options)
                 : properties::check_file_with_stories(args.history_file, options);
  const properties::CheckOutcome& outcome = checked.outcome;
  static_assert(properties::exit_ok == scenarios::kExitValid);
  static_assert(properties::exit_anomaly == scenarios::kExitAnomalies);
  static_assert(properties::exit_malformed == scenarios::kExitError);
  if (!outcome.status.ok()) {
    const std::string& message = outcome.status.message();
    if (args.json) {
      std::cout << nlohmann::json{{"file", args.history_file},
                                  {"exit_code", outcome.exit_code},
                                  {"error", message}}
                       .dump(2)
                << '\n';
    }
    fmt::print(stderr, "imsim: error: {}: malformed history: {}\n", args.history_file, message);
    return outcome.exit_code;
  }
  if (args.json) {
    nlohmann::json out = properties::to_json(*outcome.report);
    out["stories"] = properties::to_json(checked.stories);
    out["file"] = args.history_file;
    out["exit_code"] = outcome.exit_code;
    std::cout << out.dump(2) << '\n';
  } else {
    fmt::print("history     {}\n", from_stdin ? "(standard input)" : args.history_file);
    std::cout << properties::to_text(*outcome.report);
    std::cout << properties::to_text(checked.stories, kCheckStoriesMax);
    fmt::print("verdict     {}  (exit {})\n", outcome.report->ok() ? "VALID" : "ANOMALIES FOUND",
               outcome.exit_code);
  }
  return outcome.exit_code;
}

}  // namespace imsim::cli
