#pragma once
// The lines of a history, one at a time, without copying the file: a text already in memory is
// split in place; a stream is read in chunks into one buffer that is reused for every line (it
// grows only to hold the longest line). Lines are split at '\n' like std::getline: a last line
// without '\n' still counts, a final '\n' does not start an empty line.
#include <cstddef>
#include <istream>
#include <string_view>
#include <vector>

namespace imsim::history::detail {

class LineSource {
 public:
  explicit LineSource(std::string_view text);
  explicit LineSource(std::istream& in);

  // The next line, without its '\n'; valid until the next call. False at the end of input.
  bool next(std::string_view& line);
  // The stream reported a read error (not just its end).
  bool read_failed() const { return read_failed_; }

 private:
  // Reads more of the stream after the unconsumed bytes; false once nothing more comes.
  bool refill();

  // A first chunk this size reads most histories' lines many at a time; a longer line doubles it.
  static constexpr std::size_t chunk_bytes = std::size_t{1} << 20;

  std::istream* in_ = nullptr;   // null when the whole text is in memory
  std::vector<char> buffer_;     // stream mode only
  const char* begin_ = nullptr;  // the unconsumed bytes: [begin_, end_)
  const char* end_ = nullptr;
  bool eof_ = false;
  bool read_failed_ = false;
};

}  // namespace imsim::history::detail
