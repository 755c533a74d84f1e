// LineSource: splitting in place, or chunked reads into one reused buffer.
#include "line_source.hpp"

#include <cstring>

#include "imsim/base/assert.hpp"

namespace imsim::history::detail {

LineSource::LineSource(std::string_view text)
    : begin_(text.data()), end_(text.data() + text.size()), eof_(true) {}

LineSource::LineSource(std::istream& in) : in_(&in), buffer_(chunk_bytes) {
  begin_ = buffer_.data();
  end_ = buffer_.data();
}

bool LineSource::next(std::string_view& line) {
  std::size_t scanned = 0;  // bytes of [begin_, end_) already known to hold no '\n'
  for (;;) {
    IMSIM_ASSERT(begin_ <= end_);
    const std::size_t size = static_cast<std::size_t>(end_ - begin_);
    const void* newline =
        size > scanned ? std::memchr(begin_ + scanned, '\n', size - scanned) : nullptr;
    if (newline != nullptr) {
      const char* at = static_cast<const char*>(newline);
      line = std::string_view(begin_, static_cast<std::size_t>(at - begin_));
      begin_ = at + 1;
      return true;
    }
    scanned = size;
    if (eof_ || !refill()) {
      if (begin_ == end_) return false;
      line = std::string_view(begin_, static_cast<std::size_t>(end_ - begin_));
      begin_ = end_;
      return true;
    }
  }
}

bool LineSource::refill() {
  IMSIM_ASSERT(in_ != nullptr);
  IMSIM_ASSERT(!eof_);
  // Move the partial line to the front; double the buffer when it already fills it.
  const std::size_t kept = static_cast<std::size_t>(end_ - begin_);
  if (kept > 0 && begin_ != buffer_.data()) std::memmove(buffer_.data(), begin_, kept);
  if (kept == buffer_.size()) buffer_.resize(buffer_.size() * 2);
  char* read_at = buffer_.data() + kept;
  in_->read(read_at, static_cast<std::streamsize>(buffer_.size() - kept));
  const auto got = static_cast<std::size_t>(in_->gcount());
  begin_ = buffer_.data();
  end_ = read_at + got;
  if (in_->bad()) read_failed_ = true;
  if (got == 0) eof_ = true;
  return got > 0;
}

}  // namespace imsim::history::detail
