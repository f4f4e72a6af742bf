// JSON on the wire, in protobuf's JSON mapping with proto field names, for
// every message the API reads or writes. Reading goes through Boost.JSON and
// the schema-driven TreeReader so that every field at fault is reported, not
// just the first; writing walks the message by reflection. Both are shown
// equivalent to protobuf's own JsonStringToMessage / MessageToJsonString in
// tests/adapters/json_test.cc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "frontdoor/tree_reader.h"
#include "google/protobuf/message.h"

namespace frontdoor::json {

struct ParseResult {
  // The body is not JSON at all (syntax error, bad UTF-8, too deep).
  bool malformed = false;
  // For a malformed body: where and what, e.g. "line 1, column 17: syntax error".
  std::string detail;
  // Fields that do not fit the schema: unknown, wrong type, unknown code,
  // given twice, holding control characters.
  std::vector<FieldError> errors;

  bool ok() const { return !malformed && errors.empty(); }
};

// Reads `body` into *message (which is cleared first). Also errors, named
// by their path: a key given twice in one object (never "the last one
// wins"), and control characters in any string (C0 other than tab and line
// breaks, DEL, C1).
ParseResult Parse(std::string_view body, google::protobuf::Message* message);

// The message as JSON: proto field names, enums by name, default values of
// fields without presence left out, 64-bit integers as strings, Timestamps
// as RFC 3339.
std::string Write(const google::protobuf::Message& message);
// The same, but the message's own lists are written even when empty
// ({"breaches": []}), as list responses should be; nested messages follow
// the mapping.
std::string WriteList(const google::protobuf::Message& message);
void AppendMessage(const google::protobuf::Message& message, std::string& out,
                   bool empty_lists = false);
// `text` as a JSON string literal, quotes included.
void AppendQuoted(std::string_view text, std::string& out);

}  // namespace frontdoor::json
