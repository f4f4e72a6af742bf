// MASH checks as the policy sets them (Policy.checks): which partner
// agencies are asked about a contact entering MASH, and the timescale each
// check is due by for the MASH RAG rating. Shared by the engine, which asks,
// and by policy loading, which checks that every check fits inside its MASH
// timescale. Pure.
#pragma once

#include <vector>

#include "frontdoor/v1/codes.pb.h"
#include "frontdoor/v1/policy.pb.h"
#include "google/protobuf/repeated_field.h"

namespace frontdoor::rules {

// The agencies asked when `agencies` is empty.
inline constexpr v1::Source::Code kDefaultCheckAgencies[] = {
    v1::Source::POLICE, v1::Source::HEALTH_GP, v1::Source::SCHOOLS};

// The agencies asked about a contact raising `concerns`: the policy's
// `agencies` (or the defaults), then those of each `by_concern` entry one of
// whose concerns is raised, in the order written, each agency once.
std::vector<v1::Source::Code> CheckAgencies(const v1::ChecksPolicy& checks,
                                            const google::protobuf::RepeatedField<int>& concerns);

// The timescale a check is due by, counted from entering MASH, for `rag`:
// due_red, due_amber or due_green when given, else `due`. Null when neither
// is given: the check is then due when the MASH work itself is.
const v1::TimescaleSpec* CheckDueSpec(const v1::ChecksPolicy& checks, v1::Rag::Code rag);

// Whether an agency (a referral source code) is one MASH can ask: not a
// private individual, an anonymous or an unknown source.
bool IsCheckAgency(v1::Source::Code agency);

}  // namespace frontdoor::rules
