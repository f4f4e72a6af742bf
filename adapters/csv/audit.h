// The read audit as CSV, for a subject access request or an investigation:
// a row a recorded read, ids only (the log holds no names of children).
#pragma once

#include <string>

namespace frontdoor {
namespace v1 {
class AuditRecordList;
}  // namespace v1

namespace csv {

// "seq,at,actor_kind,actor_id,actor_name,role,organisation,peer,what,method,
// path,contact_ids,child_ids,about_actor", then one row a read; `at` is
// RFC 3339 (UTC), several ids are separated by spaces.
std::string WriteAuditRecords(const v1::AuditRecordList& list);

}  // namespace csv
}  // namespace frontdoor
