#pragma once
// Rendering a Report: JSON (machine-readable, stable keys, see docs/checkers.md) and human
// text (one line per witness).
#include <nlohmann/json.hpp>
#include <string>

#include "imsim/properties/check.hpp"

namespace imsim::properties {

nlohmann::json to_json(const Report& report);
nlohmann::json to_json(const Witness& witness);
std::string to_text(const Report& report);

}  // namespace imsim::properties
