// CSV as the front door reads and writes it (RFC 4180, "\n" between records,
// bytes passed through untouched, so UTF-8 text stays as it is): the writer
// behind the report downloads and the reader behind `open-cases load`, side
// by side so that what one writes the other reads back.
#pragma once

#include <initializer_list>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace frontdoor::csv {

// One field: as it is, or in double quotes (with each quote doubled) when it
// holds a comma, a quote or a line break.
std::string Field(std::string_view value);

// Appends one record to `out`: the fields, each through Field, joined by
// commas and ended by "\n".
void AppendRecord(std::string& out, std::initializer_list<std::string_view> fields);

// Reads records one at a time from a stream it borrows (which must outlive
// it). A quoted field may hold commas, doubled quotes and line breaks, so a
// record may take several lines; a "\r" outside quotes is dropped, so files
// with "\r\n" line ends read the same. Not thread-safe.
class Reader {
 public:
  explicit Reader(std::istream& in) : in_(in) {}

  // The next record's fields into *fields; false at the end of the input.
  // An empty line reads as one empty field.
  bool Next(std::vector<std::string>* fields);

  // The line (from 1) on which the next record starts.
  int line() const { return line_; }

 private:
  std::istream& in_;
  int line_ = 1;
};

}  // namespace frontdoor::csv
