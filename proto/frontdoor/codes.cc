// Lookups of enum value options through protobuf's descriptors.
#include "frontdoor/codes.h"

namespace frontdoor {

namespace {
const google::protobuf::EnumValueDescriptor* Find(const google::protobuf::EnumDescriptor& type,
                                                  int value) {
  return type.FindValueByNumber(value);
}
}  // namespace

std::string_view CodeName(const google::protobuf::EnumDescriptor& type, int value) {
  const auto* v = Find(type, value);
  return v ? std::string_view(v->name()) : std::string_view();
}

std::string_view CodeLabel(const google::protobuf::EnumDescriptor& type, int value) {
  const auto* v = Find(type, value);
  if (!v) return {};
  const std::string& label = v->options().GetExtension(v1::label);
  return label.empty() ? std::string_view(v->name()) : std::string_view(label);
}

std::string_view CensusCode(const google::protobuf::EnumDescriptor& type, int value) {
  const auto* v = Find(type, value);
  return v ? std::string_view(v->options().GetExtension(v1::census)) : std::string_view();
}

std::string_view AnnexACode(const google::protobuf::EnumDescriptor& type, int value) {
  const auto* v = Find(type, value);
  return v ? std::string_view(v->options().GetExtension(v1::annex_a)) : std::string_view();
}

}  // namespace frontdoor

#include "frontdoor/tree_reader.h"

namespace frontdoor {

std::string AcceptedEnumNames(const google::protobuf::EnumDescriptor& type) {
  std::string out;
  for (int i = 0; i < type.value_count(); ++i) {
    const std::string& name = type.value(i)->name();
    if (name.ends_with("_UNSPECIFIED")) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

}  // namespace frontdoor
