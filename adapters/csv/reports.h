// The report downloads as CSV: the front door's indicators, one number a
// row, and Ofsted's Annex A List 1 (contacts) with its column headings and
// codes. The engine computes both (engine/reports.h); this only lays them out.
#pragma once

#include <string>
#include <vector>

namespace frontdoor {
namespace v1 {
class AnnexAContact;
class Indicators;
}  // namespace v1

namespace csv {

// "indicator,period,dimension,value", then one row a number: totals over the
// range (period "FROM..TO"), then by day and by week (period the day, or the
// Monday the week starts), then each worker's decisions (dimension the
// worker's id, with their name and role as rows of their own). Shares and
// hours have 4 significant figures.
std::string WriteIndicators(const v1::Indicators& indicators);

// Ofsted's columns, a row a child: dates written DD/MM/YYYY, gender and
// contact source as Annex A codes, ethnicity "s) NOBT" (not yet obtained:
// the front door does not ask).
std::string WriteAnnexAContacts(const std::vector<v1::AnnexAContact>& rows);

}  // namespace csv
}  // namespace frontdoor
