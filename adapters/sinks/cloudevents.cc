// Rendering of the outbox's events as CloudEvents JSON: the envelope is a
// message (proto/frontdoor/v1/delivery.proto) written by json::Write.
#include "adapters/sinks/cloudevents.h"

#include "adapters/json/json.h"
#include "frontdoor/v1/delivery.pb.h"

namespace frontdoor {

std::string CloudEventType(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kContactReceived:
      return "org.frontdoor.contact.acknowledged";
    case v1::Event::kDecisionRecorded:
      return "org.frontdoor.contact.decided";
    case v1::Event::kCheckRequested:
      return "org.frontdoor.check.requested";
    case v1::Event::kLetterIssued:
      return "org.frontdoor.letter.issued";
    case v1::Event::kTimescaleBreached:
      return "org.frontdoor.timescale.breached";
    case v1::Event::kEdtAlert:
      return "org.frontdoor.edt.alert";
    case v1::Event::kContactClosed:
      return "org.frontdoor.contact.closed";
    case v1::Event::kCheckOverdue:
      return "org.frontdoor.check.overdue";
    default:
      return "org.frontdoor.event";
  }
}

const std::vector<std::string>& CloudEventTypes() {
  static const std::vector<std::string> kTypes = {
      "org.frontdoor.contact.acknowledged", "org.frontdoor.contact.decided",
      "org.frontdoor.check.requested",      "org.frontdoor.check.overdue",
      "org.frontdoor.letter.issued",        "org.frontdoor.timescale.breached",
      "org.frontdoor.edt.alert",            "org.frontdoor.contact.closed"};
  return kTypes;
}

namespace {

// The attributes both envelopes share.
template <typename Envelope>
void FillEnvelope(const v1::Event& e, Envelope& ce) {
  ce.set_specversion("1.0");
  ce.set_id(e.id());
  ce.set_source("/frontdoor/contacts/" + e.contact_id());
  ce.set_type(CloudEventType(e));
  ce.set_subject(e.contact_id());
  *ce.mutable_time() = e.at();
  ce.set_datacontenttype("application/json");
  ce.set_contactid(e.contact_id());
}

// The event's data: ids, codes and times.
v1::EventData DataOf(const v1::Event& e) {
  v1::EventData data;
  data.set_contact_id(e.contact_id());
  switch (e.body_case()) {
    case v1::Event::kTimescaleBreached:
      data.set_timescale(e.timescale_breached().name());
      *data.mutable_due_at() = e.timescale_breached().due_at();
      *data.mutable_raised_at() = e.at();
      break;
    case v1::Event::kEdtAlert:
      data.set_reason(e.edt_alert().reason());
      data.set_rule_id(e.edt_alert().rule_id());
      data.set_rag(e.edt_alert().rag());
      break;
    case v1::Event::kContactClosed:
      // The closing reason is staff's free text and stays inside.
      data.set_outcome(e.contact_closed().outcome());
      break;
    case v1::Event::kContactReceived: {
      const v1::ContactSubmission& submission = e.contact_received().submission();
      data.set_source(submission.source());
      *data.mutable_received_at() = e.contact_received().received_at();
      data.set_immediate_risk(submission.immediate_risk());
      break;
    }
    case v1::Event::kDecisionRecorded:
      // The decision's reason is staff's free text and stays inside.
      data.set_route(e.decision_recorded().decision().route());
      data.set_rag(e.decision_recorded().decision().rag());
      break;
    case v1::Event::kCheckRequested:
      data.set_agency(e.check_requested().agency());
      *data.mutable_due_at() = e.check_requested().due_at();
      break;
    case v1::Event::kCheckOverdue:
      // The chaser: which agency, which contact (the subject), when it was
      // due. The agency reads the children's details from /v1/checks.
      data.set_agency(e.check_overdue().agency());
      *data.mutable_due_at() = e.check_overdue().due_at();
      break;
    default:
      break;
  }
  return data;
}

}  // namespace

std::string ToCloudEventJson(const v1::Event& e) {
  if (e.has_letter_issued()) {
    // A letter's data is the letter itself, its rendered text included.
    v1::LetterCloudEvent ce;
    FillEnvelope(e, ce);
    ce.set_letterkind(e.letter_issued().letter().kind());
    *ce.mutable_data() = e.letter_issued().letter();
    return json::Write(ce);
  }
  v1::CloudEvent ce;
  FillEnvelope(e, ce);
  *ce.mutable_data() = DataOf(e);
  return json::Write(ce);
}

}  // namespace frontdoor
