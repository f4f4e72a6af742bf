// The urgency rank of a contact and its reason in words.
#include "engine/urgency.h"

#include "engine/queries.h"

namespace frontdoor {

std::optional<int> RankOfRag(v1::Rag::Code rag) {
  switch (rag) {
    case v1::Rag::RED:
      return kRankRed;
    case v1::Rag::AMBER:
      return kRankAmber;
    case v1::Rag::GREEN:
      return kRankGreen;
    default:
      return std::nullopt;
  }
}

int WorklistRank(const v1::Contact& contact) {
  if (contact.immediate_risk()) return kRankImmediateRisk;
  return RankOfRag(CurrentRag(contact)).value_or(kRankUnrated);
}

v1::Urgency UrgencyOf(const v1::Contact& contact) {
  v1::Urgency urgency;
  const int rank = WorklistRank(contact);
  urgency.set_rank(rank);
  switch (rank) {
    case kRankImmediateRisk:
      urgency.set_why("Immediate risk of significant harm");
      break;
    case kRankRed:
      urgency.set_why("Red rating");
      break;
    case kRankAmber:
      urgency.set_why("Amber rating");
      break;
    default:
      break;
  }
  return urgency;
}

}  // namespace frontdoor
