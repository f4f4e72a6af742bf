// Rendering of the outbox's events as CloudEvents JSON.
#include "adapters/sinks/cloudevents.h"

#include "adapters/json/json.h"
#include "frontdoor/codes.h"

namespace frontdoor {

std::string CloudEventType(const v1::Event& e) {
  switch (e.body_case()) {
    case v1::Event::kLetterIssued: return "org.frontdoor.letter.issued";
    case v1::Event::kTimescaleBreached: return "org.frontdoor.timescale.breached";
    case v1::Event::kEdtAlert: return "org.frontdoor.edt.alert";
    case v1::Event::kContactClosed: return "org.frontdoor.contact.closed";
    default: return "org.frontdoor.event";
  }
}

namespace {

// The event's data: ids, codes and times; a letter's own text.
std::string DataOf(const v1::Event& e) {
  std::string out = "{\"contact_id\":";
  json::AppendQuoted(e.contact_id(), out);
  switch (e.body_case()) {
    case v1::Event::kLetterIssued:
      return json::Write(e.letter_issued().letter());
    case v1::Event::kTimescaleBreached:
      out += ",\"timescale\":";
      json::AppendQuoted(e.timescale_breached().name(), out);
      out += ",\"due_at\":";
      json::AppendMessage(e.timescale_breached().due_at(), out);
      out += ",\"raised_at\":";
      json::AppendMessage(e.at(), out);
      break;
    case v1::Event::kEdtAlert:
      out += ",\"reason\":";
      json::AppendQuoted(e.edt_alert().reason(), out);
      out += ",\"rule_id\":";
      json::AppendQuoted(e.edt_alert().rule_id(), out);
      out += ",\"rag\":";
      json::AppendQuoted(NameOf(e.edt_alert().rag()), out);
      break;
    case v1::Event::kContactClosed:
      // The closing reason is staff's free text and stays inside.
      out += ",\"outcome\":";
      json::AppendQuoted(NameOf(e.contact_closed().outcome()), out);
      break;
    default:
      break;
  }
  out += '}';
  return out;
}

}  // namespace

std::string ToCloudEventJson(const v1::Event& e) {
  std::string out = "{\"specversion\":\"1.0\",\"id\":";
  json::AppendQuoted(e.id(), out);
  out += ",\"source\":";
  json::AppendQuoted("/frontdoor/contacts/" + e.contact_id(), out);
  out += ",\"type\":";
  json::AppendQuoted(CloudEventType(e), out);
  out += ",\"subject\":";
  json::AppendQuoted(e.contact_id(), out);
  out += ",\"time\":";
  json::AppendMessage(e.at(), out);
  out += ",\"datacontenttype\":\"application/json\"";
  // Extension attributes, so that receivers can route without parsing data.
  out += ",\"contactid\":";
  json::AppendQuoted(e.contact_id(), out);
  if (e.has_letter_issued()) {
    out += ",\"letterkind\":";
    json::AppendQuoted(NameOf(e.letter_issued().letter().kind()), out);
  }
  out += ",\"data\":";
  out += DataOf(e);
  out += '}';
  return out;
}

}  // namespace frontdoor
