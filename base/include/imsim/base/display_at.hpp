#pragma once
// Where a device shows a message in a conversation view: one enum for the engine's Displayed
// observation and the history's display event (the recorder passes it through unchanged).
// Nothing serialises its numeric value: the history format writes "bottom" / "top".
#include <cstdint>

namespace imsim::base {

// 0 is no value, so a zeroed field is caught as invalid rather than read as bottom.
enum class DisplayAt : std::uint8_t {
  bottom = 1,  // appended below everything shown (a new message, or paging forward)
  top = 2,     // prepended above everything shown (history paged backwards, roaming)
};

}  // namespace imsim::base
