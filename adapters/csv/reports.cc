// Laying out the indicators and Annex A rows as CSV.
#include "adapters/csv/reports.h"

#include <string_view>

#include "absl/strings/str_format.h"
#include "adapters/csv/csv.h"
#include "calendar/date_words.h"
#include "frontdoor/codes.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/v1/api.pb.h"
#include "frontdoor/v1/reports.pb.h"

namespace frontdoor::csv {

namespace {

std::string Number(double v) { return absl::StrFormat("%.4g", v); }

// An ISO date (YYYY-MM-DD) as Annex A writes dates; empty stays empty.
std::string DayMonthYear(std::string_view iso) {
  auto day = ParseIsoDate(iso);
  if (!day) return std::string(iso);
  return FormatDayMonthYear(*day);
}

// Text from outside (a person's display name from the identity provider)
// that a spreadsheet would take for a formula gets a leading apostrophe.
std::string Text(std::string_view text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    std::string out(1, '\'');
    out.append(text);
    return out;
  }
  return std::string(text);
}

}  // namespace

std::string WriteIndicators(const v1::Indicators& in) {
  std::string out = "indicator,period,dimension,value\n";
  const std::string range = in.from() + ".." + in.to();
  auto row = [&out](std::string_view indicator, std::string_view period, std::string_view dimension,
                    const std::string& value) {
    AppendRecord(out, {indicator, period, dimension, value});
  };
  auto count = [](int64_t n) { return std::to_string(n); };
  row("contacts_received", range, "", count(in.contacts_received()));
  for (const auto& s : in.by_source()) {
    row("contacts_by_source", range, NameOf(s.source()), count(s.count()));
  }
  for (const auto& d : in.by_day()) {
    row("contacts_by_day", d.date(), "", count(d.total()));
    for (const auto& s : d.by_source()) {
      row("contacts_by_day_and_source", d.date(), NameOf(s.source()), count(s.count()));
    }
  }
  for (const auto& w : in.by_week()) {
    const std::string& p = w.week_start();
    row("week_contacts", p, "", count(w.contacts()));
    row("week_decided_in_time_share", p, "", Number(w.decided_in_time_share()));
    row("week_mash_in_time_share", p, "", Number(w.mash_in_time_share()));
    row("week_referrals", p, "", count(w.referrals()));
    row("week_re_referral_rate", p, "", Number(w.re_referral_rate()));
    row("week_median_hours_to_decision", p, "", Number(w.median_hours_to_decision()));
    row("week_p90_hours_to_decision", p, "", Number(w.p90_hours_to_decision()));
    row("week_breaches", p, "", count(w.breaches()));
  }
  row("decided_within_timescale_share", range, "", Number(in.decided_within_timescale().share()));
  row("mash_within_timescale_share", range, "", Number(in.mash_within_timescale().share()));
  for (const auto& o : in.outcomes()) {
    row("outcomes", range, NameOf(o.outcome()), count(o.count()));
  }
  row("referrals", range, "", count(in.referrals()));
  row("conversion_to_referral", range, "", Number(in.conversion_to_referral()));
  row("re_referrals_12m", range, "", count(in.re_referrals_12m()));
  row("re_referral_rate", range, "", Number(in.re_referral_rate()));
  row("median_hours_to_decision", range, "", Number(in.time_to_decision_hours().median()));
  row("p90_hours_to_decision", range, "", Number(in.time_to_decision_hours().p90()));
  row("breaches_raised", range, "", count(in.breaches_raised()));
  row("consent", range, "GIVEN", count(in.consent().given()));
  row("consent", range, "REFUSED", count(in.consent().refused()));
  row("consent", range, "NOT_SOUGHT", count(in.consent().not_sought()));
  // One worker's rows share the dimension: their id (a key's name or a
  // person's subject).
  for (const auto& w : in.decisions_by_worker()) {
    const std::string id = Text(w.actor().id());
    row("worker_name", range, id, Text(w.actor().name()));
    row("worker_role", range, id, w.actor().role());
    row("worker_decisions", range, id, count(w.decisions()));
    row("worker_decisions_in_time", range, id, count(w.in_time()));
    row("worker_decisions_in_time_share", range, id, Number(w.in_time_share()));
  }
  return out;
}

std::string WriteAnnexAContacts(const std::vector<v1::AnnexAContact>& rows) {
  std::string out =
      "Child Unique ID,Gender,Ethnicity,Date of Birth,Age of Child (Years),Date of Contact,"
      "Contact Source\n";
  for (const v1::AnnexAContact& r : rows) {
    AppendRecord(out, {r.child_id(), AnnexAOf(r.sex()), "s) NOBT", DayMonthYear(r.date_of_birth()),
                       r.has_age_years() ? std::to_string(r.age_years()) : "",
                       DayMonthYear(r.date_of_contact()), AnnexAOf(r.source())});
  }
  return out;
}

}  // namespace frontdoor::csv
