// What the engine's unit tests share: the shipped default policy with its
// calendar, fixed instants and a synthetic contact; temporary folders and
// the source tree come from tests/support.
#pragma once

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "engine/active_policy.h"
#include "frontdoor/proto_time.h"
#include "frontdoor/v1/contact.pb.h"
#include "tests/support/source_tree.h"
#include "tests/support/temp_dir.h"

namespace frontdoor::testing {

// Tuesday 24 November 2026, 10:00 in London (GMT): office hours.
inline const TimePoint kTuesday10am{Millis(1795514400000)};
// Saturday 28 November 2026, 02:00 in London: out of hours.
inline const TimePoint kSaturday2am{Millis(1795831200000)};

inline ActivePolicy DefaultPolicy() {
  auto active = LoadActivePolicy(DefaultPolicyPath(), BankHolidaysPath());
  EXPECT_TRUE(active.ok()) << active.status();
  return *active;
}

inline v1::ContactSubmission SchoolContact() {
  v1::ContactSubmission s;
  s.set_external_ref("SCH-1");
  s.set_channel(v1::Channel::PORTAL);
  s.set_source(v1::Source::SCHOOLS);
  s.mutable_referrer()->set_name("Ada Teacher");
  s.mutable_referrer()->set_organisation("Example Primary");
  s.mutable_referrer()->set_email("dsl@school.example.org");
  s.mutable_consent()->set_status(v1::ConsentStatus::GIVEN);
  v1::Child* child = s.add_children();
  child->set_given_name("Sam");
  child->set_family_name("Example");
  child->set_date_of_birth("2018-03-02");
  s.add_concerns(v1::Concern::SCHOOL_ATTENDANCE);
  s.set_immediate_risk(false);
  s.set_narrative("SYNTHETIC-NARRATIVE: attendance has fallen to 80% this term.");
  return s;
}

}  // namespace frontdoor::testing
