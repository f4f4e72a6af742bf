// The words and census codes attached to the front door's code lists (see
// codes.proto). Every lookup is a read of the compiled schema: cheap,
// thread-safe, and never out of step with the enums.
#pragma once

#include <string>
#include <string_view>

#include "frontdoor/v1/codes.pb.h"

namespace frontdoor {

// The value's name as on the wire, e.g. "HEALTH_GP"; "" if out of range.
std::string_view CodeName(const google::protobuf::EnumDescriptor& type, int value);
// The value's (label) option, e.g. "a GP"; the name when there is none.
std::string_view CodeLabel(const google::protobuf::EnumDescriptor& type, int value);
// The value's (census) option, e.g. "3A"; "" when there is none.
std::string_view CensusCode(const google::protobuf::EnumDescriptor& type, int value);

// The value's (annex_a) option, e.g. "q) 6: Police"; "" when there is none.
std::string_view AnnexACode(const google::protobuf::EnumDescriptor& type, int value);

template <typename E>
std::string_view NameOf(E value) {
  return CodeName(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}
template <typename E>
std::string_view LabelOf(E value) {
  return CodeLabel(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}
template <typename E>
std::string_view AnnexAOf(E value) {
  return AnnexACode(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}
template <typename E>
std::string_view CensusOf(E value) {
  return CensusCode(*google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}

}  // namespace frontdoor
