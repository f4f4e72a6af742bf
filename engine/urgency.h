// How urgent a contact is, for the worklists: a child at immediate risk
// first, then the RAG rating it carries now (red, amber, green, none), and
// inside each rank the soonest deadline (the worklist index orders by rank,
// then due time). The rank is part of the worklist key (engine/store.h), so
// whatever changes what it reads (the RAG, by a re-rating) must move the
// contact's worklist entry in the same batch. Pure functions of the contact.
#pragma once

#include <cstdint>
#include <optional>

#include "frontdoor/v1/contact.pb.h"

namespace frontdoor {

// The ranks, most urgent first.
inline constexpr int kRankImmediateRisk = 0;
inline constexpr int kRankRed = 1;
inline constexpr int kRankAmber = 2;
inline constexpr int kRankGreen = 3;
inline constexpr int kRankUnrated = 4;

// The rank every worklist entry of this RAG has, unless immediate risk puts
// it first; nullopt for a RAG that has no rank of its own (unrated).
std::optional<int> RankOfRag(v1::Rag::Code rag);

// 0 (a child at immediate risk) to 4 (no RAG rating), from the contact's
// immediate_risk and its current RAG (queries.h CurrentRag).
int WorklistRank(const v1::Contact& contact);

// The rank and why, in words: "Immediate risk of significant harm",
// "Red rating", "Amber rating"; why is empty for green and unrated work.
v1::Urgency UrgencyOf(const v1::Contact& contact);

}  // namespace frontdoor
