// Laying out audit rows as CSV.
#include "adapters/csv/audit.h"

#include "absl/strings/str_join.h"
#include "adapters/csv/csv.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/v1/audit.pb.h"

namespace frontdoor::csv {

std::string WriteAuditRecords(const v1::AuditRecordList& list) {
  std::string out =
      "seq,at,actor_kind,actor_id,actor_name,role,organisation,peer,what,method,path,"
      "contact_ids,child_ids,about_actor\n";
  for (const v1::AuditRecord& r : list.records()) {
    const v1::Actor& a = r.actor();
    AppendRecord(out, {std::to_string(r.seq()), FormatRfc3339(FromProto(r.at())),
                       v1::Actor::Kind_Name(a.kind()), a.id(), a.name(), a.role(), a.organisation(),
                       r.peer(), v1::AuditRead::Code_Name(r.what()), r.method(), r.path(),
                       absl::StrJoin(r.contact_ids(), " "), absl::StrJoin(r.child_ids(), " "),
                       r.about_actor()});
  }
  return out;
}

}  // namespace frontdoor::csv
