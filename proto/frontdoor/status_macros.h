// RETURN_IF_ERROR and ASSIGN_OR_RETURN for absl::Status, as Abseil's own
// codebase spells them (its macros are not public in the Debian release).
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define FRONTDOOR_CONCAT_INNER(a, b) a##b
#define FRONTDOOR_CONCAT(a, b) FRONTDOOR_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                              \
  do {                                                     \
    ::absl::Status _frontdoor_status = (expr);             \
    if (!_frontdoor_status.ok()) return _frontdoor_status; \
  } while (0)

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(FRONTDOOR_CONCAT(_frontdoor_statusor_, __LINE__), lhs, expr)

#define ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                          \
  if (!statusor.ok()) return statusor.status();    \
  lhs = std::move(statusor).value()
