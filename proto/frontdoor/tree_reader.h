// Reads a parsed document tree (JSON from a request, YAML from a policy file)
// into a protobuf message through reflection, following protobuf's JSON
// mapping: proto or lowerCamel field names, enums by name, 64-bit integers as
// numbers or strings, Timestamp as RFC 3339, null as "not given". Unlike
// protobuf's own JSON parser it does not stop at the first problem: it
// collects every field at fault, named by its path (children[0].nhs_number),
// which is what the API's problem+json answers and the rule checker need.
//
// The tree is reached through a small adapter type `Node` (see
// adapters/json/json_reader.cc and rules/yaml_node.h) that provides:
//   bool IsNull() const; bool IsObject() const; bool IsArray() const;
//   std::optional<std::string> AsString() const;    // scalars only
//   std::optional<bool> AsBool() const;
//   std::optional<int64_t> AsInt() const;
//   std::optional<uint64_t> AsUint() const;
//   std::optional<double> AsDouble() const;
//   void ForEachMember(F f) const;   // f(std::string_view key, const Node&)
//   void ForEachElement(F f) const;  // f(size_t index, const Node&)
//   int Line() const;                // 1-based source line, 0 when unknown
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "frontdoor/proto_time.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"

namespace frontdoor {

// One field at fault: `field` is its path in the document, `line` its line in
// the source when the source has lines (0 otherwise).
struct FieldError {
  std::string field;
  std::string message;
  int line = 0;

  friend bool operator==(const FieldError&, const FieldError&) = default;
};

// The values an enum accepts, for error messages: "PORTAL, PHONE, EMAIL".
std::string AcceptedEnumNames(const google::protobuf::EnumDescriptor& type);

template <typename Node>
class TreeReader {
 public:
  using Message = google::protobuf::Message;
  using FieldDescriptor = google::protobuf::FieldDescriptor;

  // Errors are appended to *errors, which must outlive the reader.
  explicit TreeReader(std::vector<FieldError>* errors) : errors_(*errors) {}

  // Merges `node` into *message. `path` prefixes every error's field name.
  void ReadMessage(const Node& node, Message* message, const std::string& path = "") {
    const auto* descriptor = message->GetDescriptor();
    if (descriptor->full_name() == "google.protobuf.Timestamp") {
      ReadTimestamp(node, message, path);
      return;
    }
    if (!node.IsObject()) {
      Fail(path, "must be an object", node);
      return;
    }
    // Each oneof given so far, with the member that claimed it (which may
    // have failed to parse, so reflection cannot be asked).
    std::vector<std::pair<const google::protobuf::OneofDescriptor*, const FieldDescriptor*>>
        oneofs_seen;
    node.ForEachMember([&](std::string_view key, const Node& value) {
      std::string key_string(key);
      const FieldDescriptor* field = descriptor->FindFieldByName(key_string);
      if (field == nullptr) field = descriptor->FindFieldByCamelcaseName(key_string);
      std::string field_path = Join(path, key);
      if (field == nullptr) {
        Fail(field_path, "is not a field of this object", value);
        return;
      }
      if (value.IsNull()) return;
      if (const auto* oneof = field->real_containing_oneof()) {
        for (const auto& [seen, member] : oneofs_seen) {
          if (seen == oneof) {
            Fail(field_path, "cannot be given together with " + member->name(), value);
            return;
          }
        }
        oneofs_seen.emplace_back(oneof, field);
      }
      ReadField(value, message, field, field_path);
    });
  }

 private:
  static std::string Join(const std::string& path, std::string_view key) {
    if (path.empty()) return std::string(key);
    std::string out = path;
    out += '.';
    out += key;
    return out;
  }

  void Fail(const std::string& field, std::string message, const Node& node) {
    errors_.push_back(FieldError{field, std::move(message), node.Line()});
  }

  void ReadField(const Node& value, Message* message, const FieldDescriptor* field,
                 const std::string& path) {
    if (field->is_map()) {
      ReadMap(value, message, field, path);
    } else if (field->is_repeated()) {
      if (!value.IsArray()) {
        Fail(path, "must be a list", value);
        return;
      }
      value.ForEachElement([&](size_t index, const Node& element) {
        std::string element_path = path + "[" + std::to_string(index) + "]";
        if (element.IsNull()) {
          Fail(element_path, "must not be null", element);
          return;
        }
        ReadValue(element, message, field, element_path, /*repeated=*/true);
      });
    } else {
      ReadValue(value, message, field, path, /*repeated=*/false);
    }
  }

  void ReadMap(const Node& value, Message* message, const FieldDescriptor* field,
               const std::string& path) {
    if (!value.IsObject()) {
      Fail(path, "must be an object", value);
      return;
    }
    const auto* entry_type = field->message_type();
    const FieldDescriptor* key_field = entry_type->map_key();
    const FieldDescriptor* value_field = entry_type->map_value();
    if (key_field->cpp_type() != FieldDescriptor::CPPTYPE_STRING) {
      Fail(path, "maps with non-string keys are not supported", value);
      return;
    }
    value.ForEachMember([&](std::string_view key, const Node& item) {
      Message* entry = message->GetReflection()->AddMessage(message, field);
      entry->GetReflection()->SetString(entry, key_field, std::string(key));
      ReadValue(item, entry, value_field, Join(path, key), /*repeated=*/false);
    });
  }

  void ReadValue(const Node& value, Message* message, const FieldDescriptor* field,
                 const std::string& path, bool repeated) {
    const auto* reflection = message->GetReflection();
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_MESSAGE: {
        Message* child = repeated ? reflection->AddMessage(message, field)
                                  : reflection->MutableMessage(message, field);
        ReadMessage(value, child, path);
        return;
      }
      case FieldDescriptor::CPPTYPE_STRING: {
        std::optional<std::string> s = value.AsString();
        if (!s) return Fail(path, "must be a string", value);
        if (field->type() == FieldDescriptor::TYPE_BYTES) {
          return Fail(path, "bytes fields are not accepted", value);
        }
        repeated ? reflection->AddString(message, field, std::move(*s))
                 : reflection->SetString(message, field, std::move(*s));
        return;
      }
      case FieldDescriptor::CPPTYPE_BOOL: {
        std::optional<bool> b = value.AsBool();
        if (!b) return Fail(path, "must be true or false", value);
        repeated ? reflection->AddBool(message, field, *b)
                 : reflection->SetBool(message, field, *b);
        return;
      }
      case FieldDescriptor::CPPTYPE_ENUM: {
        std::optional<std::string> name = value.AsString();
        const auto* type = field->enum_type();
        const google::protobuf::EnumValueDescriptor* v =
            name ? type->FindValueByName(*name) : nullptr;
        if (v == nullptr) {
          std::string got = name ? "\"" + *name + "\"" : std::string("this value");
          return Fail(path, got + " is not one of " + AcceptedEnumNames(*type), value);
        }
        repeated ? reflection->AddEnumValue(message, field, v->number())
                 : reflection->SetEnumValue(message, field, v->number());
        return;
      }
      case FieldDescriptor::CPPTYPE_INT32:
      case FieldDescriptor::CPPTYPE_INT64: {
        std::optional<int64_t> n = value.AsInt();
        bool is32 = field->cpp_type() == FieldDescriptor::CPPTYPE_INT32;
        if (!n || (is32 && (*n < std::numeric_limits<int32_t>::min() ||
                            *n > std::numeric_limits<int32_t>::max()))) {
          return Fail(path, "must be a whole number", value);
        }
        if (is32) {
          repeated ? reflection->AddInt32(message, field, static_cast<int32_t>(*n))
                   : reflection->SetInt32(message, field, static_cast<int32_t>(*n));
        } else {
          repeated ? reflection->AddInt64(message, field, *n)
                   : reflection->SetInt64(message, field, *n);
        }
        return;
      }
      case FieldDescriptor::CPPTYPE_UINT32:
      case FieldDescriptor::CPPTYPE_UINT64: {
        std::optional<uint64_t> n = value.AsUint();
        bool is32 = field->cpp_type() == FieldDescriptor::CPPTYPE_UINT32;
        if (!n || (is32 && *n > std::numeric_limits<uint32_t>::max())) {
          return Fail(path, "must be a whole number, not negative", value);
        }
        if (is32) {
          repeated ? reflection->AddUInt32(message, field, static_cast<uint32_t>(*n))
                   : reflection->SetUInt32(message, field, static_cast<uint32_t>(*n));
        } else {
          repeated ? reflection->AddUInt64(message, field, *n)
                   : reflection->SetUInt64(message, field, *n);
        }
        return;
      }
      case FieldDescriptor::CPPTYPE_DOUBLE:
      case FieldDescriptor::CPPTYPE_FLOAT: {
        std::optional<double> d = value.AsDouble();
        if (!d || !std::isfinite(*d)) return Fail(path, "must be a number", value);
        if (field->cpp_type() == FieldDescriptor::CPPTYPE_DOUBLE) {
          repeated ? reflection->AddDouble(message, field, *d)
                   : reflection->SetDouble(message, field, *d);
        } else {
          repeated ? reflection->AddFloat(message, field, static_cast<float>(*d))
                   : reflection->SetFloat(message, field, static_cast<float>(*d));
        }
        return;
      }
    }
  }

  void ReadTimestamp(const Node& node, Message* message, const std::string& path) {
    std::optional<std::string> text = node.AsString();
    if (!text) return Fail(path, "must be an RFC 3339 date and time string", node);
    absl::StatusOr<TimePoint> t = ParseRfc3339(*text);
    if (!t.ok()) return Fail(path, std::string(t.status().message()), node);
    message->CopyFrom(ToProto(*t));
  }

  std::vector<FieldError>& errors_;
};

}  // namespace frontdoor
