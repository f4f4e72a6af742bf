// Boost.JSON adapter for TreeReader, and a reflection-driven JSON writer.
#include "adapters/json/json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "boost/json/basic_parser_impl.hpp"
#include "boost/json/monotonic_resource.hpp"
#include "boost/json/parser.hpp"
#include "boost/json/value.hpp"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/reflection.h"
#include "google/protobuf/timestamp.pb.h"
#include "google/protobuf/util/time_util.h"

namespace frontdoor::json {

namespace {

namespace bj = boost::json;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

class JsonNode {
 public:
  explicit JsonNode(const bj::value& v) : v_(v) {}
  bool IsNull() const { return v_.is_null(); }
  bool IsObject() const { return v_.is_object(); }
  bool IsArray() const { return v_.is_array(); }
  std::optional<std::string> AsString() const {
    if (!v_.is_string()) return std::nullopt;
    return std::string(v_.get_string());
  }
  std::optional<bool> AsBool() const {
    if (!v_.is_bool()) return std::nullopt;
    return v_.get_bool();
  }
  std::optional<int64_t> AsInt() const {
    if (v_.is_int64()) return v_.get_int64();
    if (v_.is_uint64()) {
      if (v_.get_uint64() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        return std::nullopt;
      }
      return static_cast<int64_t>(v_.get_uint64());
    }
    if (v_.is_double()) {
      double d = v_.get_double();
      if (std::trunc(d) != d || std::fabs(d) > 9.2e18) return std::nullopt;
      return static_cast<int64_t>(d);
    }
    if (v_.is_string()) return FromString<int64_t>();
    return std::nullopt;
  }
  std::optional<uint64_t> AsUint() const {
    if (v_.is_uint64()) return v_.get_uint64();
    if (v_.is_int64()) {
      if (v_.get_int64() < 0) return std::nullopt;
      return static_cast<uint64_t>(v_.get_int64());
    }
    if (v_.is_double()) {
      double d = v_.get_double();
      if (std::trunc(d) != d || d < 0 || d > 1.8e19) return std::nullopt;
      return static_cast<uint64_t>(d);
    }
    if (v_.is_string()) return FromString<uint64_t>();
    return std::nullopt;
  }
  std::optional<double> AsDouble() const {
    if (v_.is_number()) return v_.to_number<double>();
    return std::nullopt;
  }
  template <typename F>
  void ForEachMember(F&& f) const {
    for (const auto& member : v_.get_object()) {
      f(std::string_view(member.key()), JsonNode(member.value()));
    }
  }
  template <typename F>
  void ForEachElement(F&& f) const {
    const auto& array = v_.get_array();
    for (size_t i = 0; i < array.size(); ++i) f(i, JsonNode(array[i]));
  }
  int Line() const { return 0; }

 private:
  template <typename T>
  std::optional<T> FromString() const {
    std::string_view s(v_.get_string());
    T out{};
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
    return out;
  }

  const bj::value& v_;
};

// A control character in valid UTF-8 (the parser has checked it): C0 other
// than tab and line breaks, DEL, and C1 (U+0080 to U+009F, UTF-8 C2 80-9F).
bool HasControlCharacter(std::string_view text) {
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) return true;
    if (c == 0xc2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) <= 0x9f) {
      return true;
    }
  }
  return false;
}

// The body once more, as tokens, for what the tree cannot show: a key given
// twice in one object (the tree keeps only the last, so `"immediate_risk":
// false ... true` would read as true) and control characters in strings.
class BodyLint {
 public:
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);

  explicit BodyLint(std::vector<FieldError>* errors) : errors_(*errors) {}

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }
  bool on_array_begin(boost::system::error_code&) {
    frames_.push_back(Frame{});
    return true;
  }
  bool on_array_end(std::size_t, boost::system::error_code&) {
    frames_.pop_back();
    ValueDone();
    return true;
  }
  bool on_object_begin(boost::system::error_code&) {
    Frame frame;
    frame.object = true;
    frames_.push_back(std::move(frame));
    return true;
  }
  bool on_object_end(std::size_t, boost::system::error_code&) {
    frames_.pop_back();
    ValueDone();
    return true;
  }
  bool on_string_part(bj::string_view s, std::size_t, boost::system::error_code&) {
    text_.append(s.data(), s.size());
    return true;
  }
  bool on_string(bj::string_view s, std::size_t, boost::system::error_code&) {
    text_.append(s.data(), s.size());
    if (HasControlCharacter(text_)) {
      Fail(Path(),
           "must not contain control characters (U+0000 to U+001F other than tab and line "
           "breaks, U+007F to U+009F)");
    }
    text_.clear();
    ValueDone();
    return true;
  }
  bool on_key_part(bj::string_view s, std::size_t, boost::system::error_code&) {
    text_.append(s.data(), s.size());
    return true;
  }
  bool on_key(bj::string_view s, std::size_t, boost::system::error_code&) {
    text_.append(s.data(), s.size());
    Frame& frame = frames_.back();
    frame.key = std::move(text_);
    text_.clear();
    if (HasControlCharacter(frame.key)) {
      Fail(Path(), "is not a field name: it holds control characters");
    } else if (!frame.keys.insert(frame.key).second) {
      Fail(Path(), "is given more than once; give each field once");
    }
    return true;
  }
  bool on_number_part(bj::string_view, boost::system::error_code&) { return true; }
  bool on_int64(int64_t, bj::string_view, boost::system::error_code&) { return ValueDone(); }
  bool on_uint64(uint64_t, bj::string_view, boost::system::error_code&) { return ValueDone(); }
  bool on_double(double, bj::string_view, boost::system::error_code&) { return ValueDone(); }
  bool on_bool(bool, boost::system::error_code&) { return ValueDone(); }
  bool on_null(boost::system::error_code&) { return ValueDone(); }
  bool on_comment_part(bj::string_view, boost::system::error_code&) { return true; }
  bool on_comment(bj::string_view, boost::system::error_code&) { return true; }

 private:
  struct Frame {
    bool object = false;
    // Arrays: the index of the element being read.
    size_t index = 0;
    // Objects: the key being read, and every key so far.
    std::string key;
    std::set<std::string, std::less<>> keys;
  };

  bool ValueDone() {
    if (!frames_.empty() && !frames_.back().object) ++frames_.back().index;
    return true;
  }
  // The JSON path of the value being read, as TreeReader names fields:
  // children[0].given_name.
  std::string Path() const {
    std::string path;
    for (const Frame& frame : frames_) {
      if (frame.object) {
        if (!path.empty()) path += '.';
        path += frame.key;
      } else {
        path += '[' + std::to_string(frame.index) + ']';
      }
    }
    return path;
  }
  void Fail(std::string field, std::string message) {
    errors_.push_back(FieldError{std::move(field), std::move(message), 0});
  }

  std::vector<FieldError>& errors_;
  std::vector<Frame> frames_;
  std::string text_;
};

std::string Position(std::string_view body, size_t offset) {
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset && i < body.size(); ++i) {
    if (body[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

void AppendDouble(double d, std::string& out) {
  if (std::isnan(d)) {
    out += "\"NaN\"";
  } else if (std::isinf(d)) {
    out += d > 0 ? "\"Infinity\"" : "\"-Infinity\"";
  } else {
    char buf[32];
    auto [p, ec] = std::to_chars(buf, buf + sizeof buf, d);
    out.append(buf, p);
  }
}

void AppendBase64(std::string_view bytes, std::string& out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out += '"';
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                 static_cast<unsigned char>(bytes[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = static_cast<unsigned char>(bytes[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = (static_cast<unsigned char>(bytes[i]) << 16) |
                 (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  out += '"';
}

void AppendValue(const Message& m, const Reflection& r, const FieldDescriptor* f, int index,
                 std::string& out) {
  const bool repeated = index >= 0;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      out += std::to_string(repeated ? r.GetRepeatedInt32(m, f, index) : r.GetInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_UINT32:
      out += std::to_string(repeated ? r.GetRepeatedUInt32(m, f, index) : r.GetUInt32(m, f));
      break;
    case FieldDescriptor::CPPTYPE_INT64:
      out += '"';
      out += std::to_string(repeated ? r.GetRepeatedInt64(m, f, index) : r.GetInt64(m, f));
      out += '"';
      break;
    case FieldDescriptor::CPPTYPE_UINT64:
      out += '"';
      out += std::to_string(repeated ? r.GetRepeatedUInt64(m, f, index) : r.GetUInt64(m, f));
      out += '"';
      break;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendDouble(repeated ? r.GetRepeatedDouble(m, f, index) : r.GetDouble(m, f), out);
      break;
    case FieldDescriptor::CPPTYPE_FLOAT:
      AppendDouble(repeated ? r.GetRepeatedFloat(m, f, index) : r.GetFloat(m, f), out);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out += (repeated ? r.GetRepeatedBool(m, f, index) : r.GetBool(m, f)) ? "true" : "false";
      break;
    case FieldDescriptor::CPPTYPE_ENUM: {
      int number = repeated ? r.GetRepeatedEnumValue(m, f, index) : r.GetEnumValue(m, f);
      const auto* v = f->enum_type()->FindValueByNumber(number);
      if (v != nullptr) {
        AppendQuoted(v->name(), out);
      } else {
        out += std::to_string(number);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s = repeated ? r.GetRepeatedStringReference(m, f, index, &scratch)
                                      : r.GetStringReference(m, f, &scratch);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        AppendBase64(s, out);
      } else {
        AppendQuoted(s, out);
      }
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      AppendMessage(repeated ? r.GetRepeatedMessage(m, f, index) : r.GetMessage(m, f), out);
      break;
  }
}

// A map entry's key as a JSON object key (always a string).
void AppendMapKey(const Message& entry, std::string& out) {
  const FieldDescriptor* key = entry.GetDescriptor()->map_key();
  const Reflection& r = *entry.GetReflection();
  switch (key->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      AppendQuoted(r.GetString(entry, key), out);
      break;
    case FieldDescriptor::CPPTYPE_BOOL:
      out += r.GetBool(entry, key) ? "\"true\"" : "\"false\"";
      break;
    default: {
      std::string number;
      AppendValue(entry, r, key, -1, number);
      if (number.front() != '"') number = '"' + number + '"';
      out += number;
    }
  }
}

}  // namespace

ParseResult Parse(std::string_view body, Message* message) {
  ParseResult result;
  message->Clear();
  unsigned char buffer[8192];
  bj::monotonic_resource resource(buffer, sizeof buffer);
  bj::parse_options options;
  options.max_depth = 32;
  bj::parser parser(bj::storage_ptr(), options);
  parser.reset(&resource);
  boost::system::error_code ec;
  size_t used = parser.write(body.data(), body.size(), ec);
  if (ec) {
    result.malformed = true;
    result.detail = "the body is not valid JSON (" + Position(body, used) + "): " + ec.message();
    return result;
  }
  bj::value root = parser.release();
  TreeReader<JsonNode> reader(&result.errors);
  reader.ReadMessage(JsonNode(root), message);
  bj::basic_parser<BodyLint> lint(options, &result.errors);
  lint.write_some(/*more=*/false, body.data(), body.size(), ec);
  return result;
}

// The length of the well-formed UTF-8 sequence starting text[i] (RFC 3629:
// no overlongs, surrogates or code points past U+10FFFF), 0 if there is none.
static size_t Utf8SequenceAt(std::string_view text, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char c = byte(0);
  size_t n = 0;
  unsigned char lo = 0x80, hi = 0xbf;
  if (c >= 0xc2 && c <= 0xdf) {
    n = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) lo = 0xa0;
    if (c == 0xed) hi = 0x9f;
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) lo = 0x90;
    if (c == 0xf4) hi = 0x8f;
  } else {
    return 0;
  }
  if (i + n > text.size()) return 0;
  if (byte(1) < lo || byte(1) > hi) return 0;
  for (size_t k = 2; k < n; ++k) {
    if (byte(k) < 0x80 || byte(k) > 0xbf) return 0;
  }
  return n;
}

void AppendQuoted(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    unsigned char c = static_cast<unsigned char>(ch);
    if (c >= 0x80) {
      // Bytes that are not UTF-8 (an id decoded from %ff%fe) would make the
      // document invalid: each becomes U+FFFD.
      const size_t n = Utf8SequenceAt(text, i);
      if (n == 0) {
        out += "\\ufffd";
      } else {
        out.append(text.substr(i, n));
        i += n - 1;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void AppendMessage(const Message& m, std::string& out, bool empty_lists) {
  const auto* descriptor = m.GetDescriptor();
  if (descriptor->full_name() == "google.protobuf.Timestamp") {
    google::protobuf::Timestamp ts;
    ts.CopyFrom(m);
    AppendQuoted(google::protobuf::util::TimeUtil::ToString(ts), out);
    return;
  }
  const Reflection& r = *m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r.ListFields(m, &fields);
  if (empty_lists) {
    for (int i = 0; i < descriptor->field_count(); ++i) {
      const FieldDescriptor* f = descriptor->field(i);
      if (f->is_repeated() && r.FieldSize(m, f) == 0) fields.push_back(f);
    }
    std::sort(fields.begin(), fields.end(), [](const FieldDescriptor* a, const FieldDescriptor* b) {
      return a->number() < b->number();
    });
  }
  out += '{';
  bool first = true;
  for (const FieldDescriptor* f : fields) {
    if (!first) out += ',';
    first = false;
    AppendQuoted(f->name(), out);
    out += ':';
    if (f->is_map()) {
      out += '{';
      for (int i = 0; i < r.FieldSize(m, f); ++i) {
        if (i > 0) out += ',';
        const Message& entry = r.GetRepeatedMessage(m, f, i);
        AppendMapKey(entry, out);
        out += ':';
        AppendValue(entry, *entry.GetReflection(), entry.GetDescriptor()->map_value(), -1, out);
      }
      out += '}';
    } else if (f->is_repeated()) {
      out += '[';
      for (int i = 0; i < r.FieldSize(m, f); ++i) {
        if (i > 0) out += ',';
        AppendValue(m, r, f, i, out);
      }
      out += ']';
    } else {
      AppendValue(m, r, f, -1, out);
    }
  }
  out += '}';
}

std::string Write(const Message& message) {
  std::string out;
  out.reserve(512);
  AppendMessage(message, out);
  return out;
}

std::string WriteList(const Message& message) {
  std::string out;
  out.reserve(512);
  AppendMessage(message, out, /*empty_lists=*/true);
  return out;
}

}  // namespace frontdoor::json
