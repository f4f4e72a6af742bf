// The checks on what referrers and staff send: each rule can fail, and each
// failure names its field as the API's problem+json does.
#include "engine/contact_validation.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "engine/contact_machine.h"
#include "engine/processor.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::IsEmpty;
using ::testing::UnorderedElementsAre;

using std::chrono::day;
using std::chrono::month;
using std::chrono::year;

constexpr std::chrono::year_month_day kToday{year(2026), month(11), day(24)};
const TimePoint kNow = std::chrono::sys_days(kToday) + std::chrono::hours(10);

v1::ContactSubmission Valid() {
  v1::ContactSubmission s;
  s.set_channel(v1::Channel::PORTAL);
  s.set_source(v1::Source::SCHOOLS);
  s.mutable_referrer()->set_name("Ada Teacher");
  s.mutable_referrer()->set_email("dsl@school.example.org");
  s.mutable_consent()->set_status(v1::ConsentStatus::GIVEN);
  v1::Child* child = s.add_children();
  child->set_given_name("Sam");
  child->set_family_name("Example");
  child->set_date_of_birth("2018-03-02");
  child->set_nhs_number("943 476 5919");
  child->set_postcode("CH41 5LH");
  s.add_concerns(v1::Concern::NEGLECT);
  s.set_immediate_risk(false);
  return s;
}

std::vector<std::string> Fields(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.field);
  return out;
}

TEST(ValidateSubmission, AcceptsAWellFormedContact) {
  EXPECT_THAT(ValidateSubmission(Valid(), kNow, kToday), IsEmpty());
}

// Unanswered is not "no": a contact must say either way.
TEST(ValidateSubmission, ImmediateRiskMustBeAnswered) {
  auto s = Valid();
  s.clear_immediate_risk();
  auto errors = ValidateSubmission(s, kNow, kToday);
  ASSERT_THAT(Fields(errors), ElementsAre("immediate_risk"));
  EXPECT_THAT(errors[0].message,
              ::testing::HasSubstr("say whether any child is at immediate risk"));
  s.set_immediate_risk(false);
  EXPECT_THAT(ValidateSubmission(s, kNow, kToday), IsEmpty());
  s.set_immediate_risk(true);
  EXPECT_THAT(ValidateSubmission(s, kNow, kToday), IsEmpty());
}

// The form's live helper asks about a form still being filled in.
TEST(ValidateSubmission, ADryRunMayLeaveImmediateRiskUnanswered) {
  auto s = Valid();
  s.clear_immediate_risk();
  EXPECT_THAT(ValidateSubmission(s, kNow, kToday, SubmissionUse::kDryRun), IsEmpty());
  s.clear_concerns();
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday, SubmissionUse::kDryRun)),
              ElementsAre("concerns"));
}

TEST(ValidateSubmission, ConsentIsRequired) {
  auto s = Valid();
  s.clear_consent();
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)), ElementsAre("consent"));
}

TEST(ValidateSubmission, ReasonIsRequiredUnlessConsentIsGiven) {
  for (auto status : {v1::ConsentStatus::REFUSED, v1::ConsentStatus::NOT_SOUGHT}) {
    auto s = Valid();
    s.mutable_consent()->set_status(status);
    EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)), ElementsAre("consent.reason"));
    s.mutable_consent()->set_reason("Parent could not be reached; risk to the child.");
    EXPECT_THAT(ValidateSubmission(s, kNow, kToday), IsEmpty());
  }
}

TEST(ValidateSubmission, ConsentStatusIsRequired) {
  auto s = Valid();
  s.mutable_consent()->clear_status();
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)), ElementsAre("consent.status"));
}

TEST(ValidateSubmission, NhsNumberMustPassModulus11) {
  auto s = Valid();
  s.mutable_children(0)->set_nhs_number("9434765918");
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)), ElementsAre("children[0].nhs_number"));
}

// Numbers that pass the check digit but are never given to a child: filled
// in when the number was not known, or NHS England's test range. Accepted,
// they would join unrelated children into one.
TEST(ValidateSubmission, PlaceholderNhsNumbersAreRefusedInWords) {
  for (const char* placeholder : {"0000000000", "1111111111", "999 999 9999", "5555555555",
                                  "0123456789", "9876543210", "9990000018"}) {
    ASSERT_TRUE(IsValidNhsNumber(placeholder)) << placeholder << " passes the check digit";
    auto s = Valid();
    s.mutable_children(0)->set_nhs_number(placeholder);
    auto errors = ValidateSubmission(s, kNow, kToday);
    ASSERT_THAT(Fields(errors), ElementsAre("children[0].nhs_number")) << placeholder;
    EXPECT_THAT(errors[0].message, ::testing::StartsWith("is not a real NHS number: "));
    EXPECT_THAT(errors[0].message, ::testing::HasSubstr("Leave it out if you do not know"));
  }
  EXPECT_THAT(NhsPlaceholder("0000000000"), ::testing::HasSubstr("every digit is the same"));
  EXPECT_THAT(NhsPlaceholder("9990000018"), ::testing::HasSubstr("for testing"));
  // Real-looking numbers stay valid.
  EXPECT_EQ(NhsPlaceholder("943 476 5919"), "");
  EXPECT_EQ(NhsPlaceholder("4010232137"), "");
}

TEST(ValidateOpenCase, PlaceholderNhsNumbersAreRefused) {
  v1::OpenCaseRequest o;
  o.set_team("Team A");
  o.add_children()->set_nhs_number("0000000000");
  auto errors = ValidateOpenCase("CASE-1", o, kToday);
  ASSERT_THAT(Fields(errors), ElementsAre("children[0].nhs_number"));
  EXPECT_THAT(errors[0].message, ::testing::HasSubstr("every digit is the same"));
}

TEST(ValidateSubmission, DateOfBirthNotInTheFuture) {
  auto s = Valid();
  s.mutable_children(0)->set_date_of_birth("2026-11-25");
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)),
              ElementsAre("children[0].date_of_birth"));
  s.mutable_children(0)->set_date_of_birth("2026-11-24");
  EXPECT_THAT(ValidateSubmission(s, kNow, kToday), IsEmpty());
}

// Regression: the limit was 26 x 366 days while the message said 25 years.
// A young person of 25 (a care leaver) is accepted; at 26 the message says so.
TEST(ValidateSubmission, YoungPeopleUpTo25) {
  auto s = Valid();
  s.mutable_children(0)->set_date_of_birth("2000-11-25");  // 25 on 24 Nov 2026
  EXPECT_THAT(ValidateSubmission(s, kNow, kToday), IsEmpty());
  s.mutable_children(0)->set_date_of_birth("2000-11-24");  // 26 that day
  auto errors = ValidateSubmission(s, kNow, kToday);
  ASSERT_THAT(Fields(errors), ElementsAre("children[0].date_of_birth"));
  EXPECT_THAT(errors[0].message, ::testing::HasSubstr("up to 25"));
}

TEST(ValidateSubmission, DateOfBirthMustBeARealDate) {
  auto s = Valid();
  s.mutable_children(0)->set_date_of_birth("2023-02-29");
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)),
              ElementsAre("children[0].date_of_birth"));
}

TEST(ValidateSubmission, UnbornChildNeedsNoName) {
  auto s = Valid();
  v1::Child* unborn = s.add_children();
  unborn->set_expected_date_of_birth("2027-03-01");
  EXPECT_THAT(ValidateSubmission(s, kNow, kToday), IsEmpty());
  unborn->set_expected_date_of_birth("2028-03-01");
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)),
              ElementsAre("children[1].expected_date_of_birth"));
}

TEST(ValidateSubmission, ChildrenFromOneToTwenty) {
  auto s = Valid();
  s.clear_children();
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)), ElementsAre("children"));
  for (int i = 0; i < 21; ++i) *s.add_children() = Valid().children(0);
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)), ElementsAre("children"));
}

TEST(ValidateSubmission, AtLeastOneConcern) {
  auto s = Valid();
  s.clear_concerns();
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)), ElementsAre("concerns"));
}

TEST(ValidateSubmission, ChannelAndSourceRequired) {
  auto s = Valid();
  s.clear_channel();
  s.clear_source();
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)),
              UnorderedElementsAre("channel", "source"));
}

TEST(ValidateSubmission, ReferrerRequiredUnlessAnonymous) {
  auto s = Valid();
  s.clear_referrer();
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)), ElementsAre("referrer"));
  s.set_source(v1::Source::ANONYMOUS);
  EXPECT_THAT(ValidateSubmission(s, kNow, kToday), IsEmpty());
}

TEST(ValidateSubmission, ReceivedAtNotInTheFuture) {
  auto s = Valid();
  *s.mutable_received_at() = ToProto(kNow + std::chrono::hours(1));
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)), ElementsAre("received_at"));
  *s.mutable_received_at() = ToProto(kNow - std::chrono::hours(30));
  EXPECT_THAT(ValidateSubmission(s, kNow, kToday), IsEmpty());
}

TEST(ValidateSubmission, LengthsAreCountedInCharacters) {
  auto s = Valid();
  std::string narrative;
  for (int i = 0; i < 20'000; ++i) narrative += "\xc3\xa9";  // é, two bytes
  s.set_narrative(narrative);
  EXPECT_THAT(ValidateSubmission(s, kNow, kToday), IsEmpty());
  s.set_narrative(narrative + "x");
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)), ElementsAre("narrative"));
  s.clear_narrative();
  s.set_external_ref(std::string(129, 'r'));
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)), ElementsAre("external_ref"));
}

TEST(ValidateSubmission, ReportsEveryFieldAtFault) {
  auto s = Valid();
  s.mutable_children(0)->set_postcode("NOT A POSTCODE");
  s.mutable_children(0)->set_nhs_number("123");
  s.mutable_referrer()->set_email("not-an-email");
  s.clear_concerns();
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)),
              UnorderedElementsAre("children[0].postcode", "children[0].nhs_number",
                                   "referrer.email", "concerns"));
}

TEST(NhsNumber, Modulus11) {
  EXPECT_TRUE(IsValidNhsNumber("9434765919"));
  EXPECT_TRUE(IsValidNhsNumber("401 023 2137"));
  EXPECT_FALSE(IsValidNhsNumber("4010232138"));
  EXPECT_FALSE(IsValidNhsNumber("943476591"));
  EXPECT_FALSE(IsValidNhsNumber("94347659190"));
  EXPECT_FALSE(IsValidNhsNumber("94347A5919"));
  // Check digit 10 is never valid.
  EXPECT_FALSE(IsValidNhsNumber("0000000060"));
}

TEST(Postcode, UkFormats) {
  for (const char* ok : {"CH41 5LH", "ch415lh", "M1 1AE", "B33 8TH", "CR2 6XH", "DN55 1PT",
                         "W1A 0AX", "EC1A 1BB", "GIR 0AA"}) {
    EXPECT_TRUE(IsValidUkPostcode(ok)) << ok;
  }
  for (const char* bad : {"", "CH41", "12345", "CH41 5CH", "CH41 LH5", "ABCDE 1AA"}) {
    EXPECT_FALSE(IsValidUkPostcode(bad)) << bad;
  }
}

TEST(ValidateDecision, RouteAndReasonRequiredRagOnlyForMash) {
  v1::DecisionRequest d;
  EXPECT_THAT(Fields(ValidateDecision(d)), UnorderedElementsAre("route", "reason"));
  d.set_route(v1::Route::EARLY_HELP);
  d.set_reason("Needs support with routines.");
  EXPECT_THAT(ValidateDecision(d), IsEmpty());
  d.set_rag(v1::Rag::RED);
  EXPECT_THAT(Fields(ValidateDecision(d)), ElementsAre("rag"));
  d.set_route(v1::Route::MASH);
  EXPECT_THAT(ValidateDecision(d), IsEmpty());
}

TEST(ValidateMashOutcome, OutcomeAndReasonRequired) {
  v1::MashOutcomeRequest o;
  EXPECT_THAT(Fields(ValidateMashOutcome(o)), UnorderedElementsAre("outcome", "reason"));
  o.set_outcome(v1::MashOutcome::SOCIAL_CARE_ASSESSMENT);
  o.set_reason("Threshold for s17 assessment met.");
  EXPECT_THAT(ValidateMashOutcome(o), IsEmpty());
}

// The engine checks a submission itself, whoever hands it over: Decide and
// the Processor refuse one that fails ValidateSubmission, naming the field.
TEST(EngineValidatesTest, DecideRefusesAnInvalidSubmissionNamingTheField) {
  ActivePolicy active = testing::DefaultPolicy();
  DecideInputs in;
  in.now = testing::kTuesday10am;
  in.policy = active.policy.get();
  in.calendar = active.calendar.get();
  in.new_contact_id = "FD-00000001";
  v1::ContactSubmission s = testing::SchoolContact();
  s.mutable_children(0)->set_nhs_number("123");
  auto events = Decide(nullptr, SubmitContact{s, KeyActor("example-school"), "", ""}, in);
  ASSERT_TRUE(absl::IsInvalidArgument(events.status())) << events.status();
  EXPECT_THAT(std::string(events.status().message()),
              ::testing::HasSubstr("children[0].nhs_number"));

  auto valid = Decide(
      nullptr, SubmitContact{testing::SchoolContact(), KeyActor("example-school"), "", ""}, in);
  EXPECT_TRUE(valid.ok()) << valid.status();

  v1::ContactSubmission unanswered = testing::SchoolContact();
  unanswered.clear_immediate_risk();
  auto refused = Decide(nullptr, SubmitContact{unanswered, KeyActor("example-school"), "", ""}, in);
  ASSERT_TRUE(absl::IsInvalidArgument(refused.status())) << refused.status();
  EXPECT_THAT(std::string(refused.status().message()), ::testing::HasSubstr("immediate_risk"));
}

TEST(EngineValidatesTest, ProcessorRefusesAnInvalidSubmissionAndStoresNothing) {
  testing::TempDir dir;
  auto store = Store::Open(dir.path() / "db");
  ASSERT_TRUE(store.ok()) << store.status();
  ManualClock clock(testing::kTuesday10am);
  PolicySlot policies(testing::DefaultPolicy());
  Processor processor(**store, clock, policies, nullptr);
  ASSERT_TRUE(processor.Start().ok());
  v1::ContactSubmission s = testing::SchoolContact();
  s.clear_channel();
  auto promise = std::make_shared<std::promise<CommandResult>>();
  auto answer = promise->get_future();
  ASSERT_TRUE(processor.Submit(SubmitContact{s, KeyActor("example-school"), "", ""},
                               [promise](CommandResult r) { promise->set_value(std::move(r)); }));
  CommandResult r = answer.get();
  processor.Stop();
  ASSERT_TRUE(absl::IsInvalidArgument(r.status)) << r.status;
  EXPECT_THAT(std::string(r.status.message()), ::testing::HasSubstr("channel"));
  EXPECT_TRUE((*store)->Worklist(Queue::kTriage, 10)->empty());
}

TEST(DescribeErrorsTest, JoinsFieldsAndMessages) {
  EXPECT_EQ(DescribeErrors({{"channel", "is required", 0}, {"", "something else", 0}}),
            "channel is required; something else");
}

// Issue 11: names of only no-break spaces, U+3000, zero-width characters
// or punctuation counted as names, and NUL was accepted inside them.
TEST(ValidateSubmission, ANameNeedsALetter) {
  for (const char* not_a_name : {"\u00a0\u00a0", "\u3000", "\u200b\u200c\u200d", "\u2060",
                                 "\ufeff", "...", "?", "-", "\u2014", "\u00bf!", "\U0001F600"}) {
    auto s = Valid();
    s.mutable_children(0)->set_given_name(not_a_name);
    s.mutable_referrer()->set_name(not_a_name);
    auto errors = ValidateSubmission(s, kNow, kToday);
    EXPECT_THAT(Fields(errors), UnorderedElementsAre("children[0].given_name", "referrer.name"))
        << not_a_name;
  }
  // Only invisible characters on both: no name at all.
  auto s = Valid();
  s.mutable_children(0)->set_given_name("\u00a0");
  s.mutable_children(0)->set_family_name("\u3000\u200b");
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)),
              ElementsAre("children[0].family_name"));
  for (const char* name : {"Ōkawa", "李", "O'Brien", "Anne-Marie", "Zoë", "Ngũgĩ", "Мария",
                           "محمد", "x"}) {
    auto ok = Valid();
    ok.mutable_children(0)->set_given_name(name);
    EXPECT_THAT(ValidateSubmission(ok, kNow, kToday), IsEmpty()) << name;
  }
}

TEST(ValidateSubmission, ControlCharactersAreRefused) {
  auto s = Valid();
  s.mutable_children(0)->set_given_name(std::string("Sa\0m", 4));
  s.mutable_children(0)->set_family_name("Ex\nample");
  s.mutable_referrer()->set_organisation("School\t");
  s.set_narrative(std::string("fine\nand\ttabbed\r\n but \x07"));
  s.set_what_would_help("line one\nline two");
  EXPECT_THAT(Fields(ValidateSubmission(s, kNow, kToday)),
              ElementsAre("referrer.organisation", "children[0].given_name",
                          "children[0].family_name", "narrative"));
}

TEST(Names, HasLetterAndControlCharacters) {
  EXPECT_TRUE(HasLetter("a"));
  EXPECT_TRUE(HasLetter(" . é"));
  EXPECT_FALSE(HasLetter(""));
  EXPECT_FALSE(HasLetter("123 .,;"));
  EXPECT_FALSE(HasLetter("\xff\xfe"));  // not UTF-8
  EXPECT_FALSE(HasLetter("\u0301"));    // a combining accent alone
  EXPECT_TRUE(HasControlCharacter(std::string("a\0", 2), true));
  EXPECT_TRUE(HasControlCharacter("a\u0085", true));
  EXPECT_FALSE(HasControlCharacter("a\tb\r\n", true));
  EXPECT_TRUE(HasControlCharacter("a\tb", false));
}

// Issue 11: ".." was a case id, and a case with 30,000 children was
// accepted.
TEST(ValidateOpenCase, DotIdsAndHugeCasesAreRefused) {
  v1::OpenCaseRequest c;
  c.set_team("CP Team");
  v1::Child* child = c.add_children();
  child->set_nhs_number("943 476 5919");
  EXPECT_THAT(ValidateOpenCase("CASE-1.2", c, kToday), IsEmpty());
  for (const char* id : {".", "..", "-x", "_1", ".hidden"}) {
    EXPECT_THAT(Fields(ValidateOpenCase(id, c, kToday)), ElementsAre("case_id")) << id;
  }
  while (static_cast<size_t>(c.children_size()) < kMaxOpenCaseChildren) *c.add_children() = *child;
  EXPECT_THAT(ValidateOpenCase("CASE-1", c, kToday), IsEmpty());
  for (int i = 0; i < 30'000; ++i) *c.add_children() = *child;
  auto errors = ValidateOpenCase("CASE-1", c, kToday);
  EXPECT_THAT(Fields(errors), ElementsAre("children"));
  // A name given in an open case must be a name too.
  v1::OpenCaseRequest named;
  named.set_team("CP Team");
  named.add_children()->set_given_name("\u00a0?");
  named.mutable_children(0)->set_nhs_number("943 476 5919");
  EXPECT_THAT(Fields(ValidateOpenCase("CASE-2", named, kToday)),
              ElementsAre("children[0].given_name"));
}

TEST(DescribeErrorsTest, StopsAfterTheFirstFew) {
  std::vector<FieldError> errors(kMaxDescribedErrors + 5, FieldError{"channel", "is required", 0});
  std::string text = DescribeErrors(errors);
  EXPECT_THAT(text, ::testing::EndsWith("; and 5 more"));
}

}  // namespace
}  // namespace frontdoor
