// The engine's read-only queries against a real store: what a partner may
// see, the worklist filtered and paged, dry runs with and without the
// children's history, the explanation of a stored contact, and the RAG a
// contact carries now.
#include "engine/queries.h"

#include <future>
#include <set>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/processor.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using testing::DefaultPolicy;
using ::testing::ElementsAre;
using ::testing::Field;
using testing::kTuesday10am;
using testing::SchoolContact;
using testing::TempDir;

class QueriesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    processor_ = std::make_unique<Processor>(*store_, clock_, policies_, &metrics_);
    ASSERT_TRUE(processor_->Start().ok());
  }
  void TearDown() override { processor_->Stop(); }

  CommandResult Run(Command command) {
    auto promise = std::make_shared<std::promise<CommandResult>>();
    auto future = promise->get_future();
    EXPECT_TRUE(processor_->Submit(
        std::move(command), [promise](CommandResult r) { promise->set_value(std::move(r)); }));
    return future.get();
  }

  // Stores a contact from `source` about a child called `given_name`.
  std::string Submit(v1::Source::Code source, const std::string& given_name = "Sam",
                     const std::string& actor = "example-school") {
    v1::ContactSubmission s = SchoolContact();
    s.set_source(source);
    s.mutable_children(0)->set_given_name(given_name);
    CommandResult r = Run(SubmitContact{s, KeyActor(actor), "", ""});
    EXPECT_TRUE(r.status.ok()) << r.status;
    return r.status.ok() ? r.contact->contact().id() : "";
  }

  void SendToMash(const std::string& id, v1::Rag::Code rag) {
    v1::DecisionRequest d;
    d.set_route(v1::Route::MASH);
    d.set_rag(rag);
    d.set_reason("SYNTHETIC: needs the MASH");
    CommandResult r = Run(RecordDecision{id, d, KeyActor("ifd-triage")});
    ASSERT_TRUE(r.status.ok()) << r.status;
  }

  static std::vector<std::string> Ids(const v1::Worklist& list) {
    std::vector<std::string> ids;
    for (const auto& c : list.contacts()) ids.push_back(c.id());
    return ids;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_{kTuesday10am};
  PolicySlot policies_{DefaultPolicy()};
  MetricsRegistry metrics_;
  std::unique_ptr<Processor> processor_;
};

TEST(CurrentRagTest, IsTheMashsWhileInTheMashAndTheRecommendationsBefore) {
  v1::Contact c;
  c.set_state(v1::ContactState::AWAITING_DECISION);
  c.mutable_recommendation()->set_rag(v1::Rag::GREEN);
  c.mutable_mash()->set_rag(v1::Rag::RED);
  EXPECT_EQ(CurrentRag(c), v1::Rag::GREEN);
  c.set_state(v1::ContactState::IN_MASH);
  EXPECT_EQ(CurrentRag(c), v1::Rag::RED);
}

TEST(PartnerViewTest, KeepsProgressAndDropsTheFrontDoorsWorking) {
  v1::Contact c;
  c.set_id("FD-00000001");
  c.set_state(v1::ContactState::CLOSED);
  c.set_outcome(v1::Outcome::NFA);
  c.set_external_ref("SCH-1");
  c.set_source(v1::Source::SCHOOLS);
  c.set_narrative("SYNTHETIC-NARRATIVE");
  c.set_submitted_by("example-school");
  c.mutable_recommendation()->set_rag(v1::Rag::RED);
  c.mutable_prior()->set_contacts_12m(3);
  c.add_children()->set_given_name("Sam");
  c.add_deadlines()->set_name("decision");
  v1::Contact view = PartnerView(c);
  EXPECT_EQ(view.id(), "FD-00000001");
  EXPECT_EQ(view.state(), v1::ContactState::CLOSED);
  EXPECT_EQ(view.outcome(), v1::Outcome::NFA);
  EXPECT_EQ(view.external_ref(), "SCH-1");
  EXPECT_EQ(view.deadlines_size(), 1);
  EXPECT_TRUE(view.narrative().empty());
  EXPECT_TRUE(view.submitted_by().empty());
  EXPECT_FALSE(view.has_recommendation());
  EXPECT_FALSE(view.has_prior());
  EXPECT_EQ(view.children_size(), 0);
  // Stored before organisations were recorded: the submitting key only.
  EXPECT_TRUE(PartnerMaySee(c, "example-school", "example-school"));
  EXPECT_FALSE(PartnerMaySee(c, "another-school", "example-school"));
}

TEST(PartnerMaySeeTest, AnyKeyOfTheSubmittingOrganisation) {
  v1::Contact c;
  c.set_submitted_by("police-key-2026");
  c.set_submitted_by_organisation("merseyside-police");
  EXPECT_TRUE(PartnerMaySee(c, "police-key-2026", "merseyside-police"));
  EXPECT_TRUE(PartnerMaySee(c, "police-key-2027", "merseyside-police"));
  EXPECT_FALSE(PartnerMaySee(c, "police-key-2026", "cheshire-police"));
  EXPECT_FALSE(PartnerMaySee(c, "example-school", "example-school"));
}

TEST(WorklistPageTokenTest, RoundTripsAndRefusesOthers) {
  Store::WorklistEntry entry{"FD-00000007", kTuesday10am, kRankAmber};
  auto back = ParseWorklistPageToken(WorklistPageToken(entry));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->contact_id, "FD-00000007");
  EXPECT_EQ(back->due_at, kTuesday10am);
  EXPECT_EQ(back->rank, kRankAmber);
  EXPECT_FALSE(ParseWorklistPageToken("no-colon").has_value());
  EXPECT_FALSE(ParseWorklistPageToken("12x:FD-1").has_value());
  EXPECT_FALSE(ParseWorklistPageToken(":FD-1").has_value());
  EXPECT_FALSE(ParseWorklistPageToken("-5:FD-1").has_value());
  EXPECT_FALSE(ParseWorklistPageToken("1:-5:FD-1").has_value());
  EXPECT_FALSE(ParseWorklistPageToken("256:5:FD-1").has_value());
  // A token from before ranks (<due>:<id>) is not one this server gives.
  EXPECT_FALSE(ParseWorklistPageToken("1795514400000:FD-1").has_value());
}

TEST(UrgencyTest, ImmediateRiskThenRedAmberGreenAndNone) {
  v1::Contact c;
  c.set_state(v1::ContactState::AWAITING_DECISION);
  EXPECT_EQ(WorklistRank(c), kRankUnrated);
  EXPECT_EQ(UrgencyOf(c).why(), "");
  c.mutable_recommendation()->set_rag(v1::Rag::GREEN);
  EXPECT_EQ(WorklistRank(c), kRankGreen);
  EXPECT_EQ(UrgencyOf(c).why(), "");
  c.mutable_recommendation()->set_rag(v1::Rag::AMBER);
  EXPECT_EQ(UrgencyOf(c).rank(), kRankAmber);
  EXPECT_EQ(UrgencyOf(c).why(), "Amber rating");
  // In the MASH the MASH's RAG counts.
  c.set_state(v1::ContactState::IN_MASH);
  c.mutable_mash()->set_rag(v1::Rag::RED);
  EXPECT_EQ(UrgencyOf(c).rank(), kRankRed);
  EXPECT_EQ(UrgencyOf(c).why(), "Red rating");
  c.set_immediate_risk(true);
  EXPECT_EQ(UrgencyOf(c).rank(), kRankImmediateRisk);
  EXPECT_EQ(UrgencyOf(c).why(), "Immediate risk of significant harm");
}

TEST_F(QueriesTest, WorklistFiltersBySourceAndPagesOnAFullPage) {
  std::string a = Submit(v1::Source::SCHOOLS, "Ann");
  Submit(v1::Source::POLICE, "Ben");
  std::string c = Submit(v1::Source::SCHOOLS, "Cat");
  Submit(v1::Source::POLICE, "Dan");
  std::string e = Submit(v1::Source::SCHOOLS, "Eve");

  WorklistQuery query;
  query.limit = 2;
  query.source = v1::Source::SCHOOLS;
  auto first = ReadWorklist(*store_, query);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(Ids(*first), ElementsAre(a, c));
  ASSERT_FALSE(first->next_page_token().empty());
  // Rows leave their long texts behind.
  EXPECT_TRUE(first->contacts(0).narrative().empty());

  query.after = ParseWorklistPageToken(first->next_page_token());
  ASSERT_TRUE(query.after.has_value());
  auto second = ReadWorklist(*store_, query);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_THAT(Ids(*second), ElementsAre(e));
  EXPECT_TRUE(second->next_page_token().empty());
}

TEST_F(QueriesTest, WorklistFiltersTheMashQueueByItsCurrentRag) {
  std::string red = Submit(v1::Source::SCHOOLS, "Ann");
  std::string amber = Submit(v1::Source::SCHOOLS, "Ben");
  std::string waiting = Submit(v1::Source::SCHOOLS, "Cat");
  SendToMash(red, v1::Rag::RED);
  SendToMash(amber, v1::Rag::AMBER);

  WorklistQuery query;
  query.queue = Queue::kMash;
  query.rag = v1::Rag::RED;
  auto reds = ReadWorklist(*store_, query);
  ASSERT_TRUE(reds.ok()) << reds.status();
  EXPECT_THAT(Ids(*reds), ElementsAre(red));
  query.rag = std::nullopt;
  EXPECT_THAT(Ids(*ReadWorklist(*store_, query)), ElementsAre(red, amber));
  WorklistQuery triage;
  EXPECT_THAT(Ids(*ReadWorklist(*store_, triage)), ElementsAre(waiting));
}

// The RAG filter seeks by the key's rank instead of loading every contact:
// on a mix of ranks, sources, immediate risk and both queues, every filter
// and page size gives exactly the rows a full scan filtered row by row does,
// with the sources remembered (WorklistSources) or not.
TEST_F(QueriesTest, WorklistFiltersGiveTheRowsOfAFullScan) {
  const v1::Concern::Code concerns[] = {v1::Concern::SCHOOL_ATTENDANCE, v1::Concern::NEGLECT,
                                        v1::Concern::GANGS, v1::Concern::SEXUAL_ABUSE};
  const v1::Rag::Code mash_rags[] = {v1::Rag::RED, v1::Rag::AMBER, v1::Rag::GREEN};
  for (int i = 0; i < 36; ++i) {
    v1::ContactSubmission s = SchoolContact();
    s.set_source(i % 3 == 0 ? v1::Source::POLICE : v1::Source::SCHOOLS);
    s.mutable_children(0)->set_given_name("Child" + std::to_string(i));
    s.clear_concerns();
    s.add_concerns(concerns[i % 4]);
    s.set_immediate_risk(i % 7 == 0);
    clock_.Set(kTuesday10am + std::chrono::minutes(i));
    CommandResult r = Run(SubmitContact{s, KeyActor("example-school"), "", ""});
    ASSERT_TRUE(r.status.ok()) << r.status;
    if (i % 2 == 0) SendToMash(r.contact->contact().id(), mash_rags[(i / 2) % 3]);
  }
  const std::optional<v1::Rag::Code> rags[] = {std::nullopt, v1::Rag::RED, v1::Rag::AMBER,
                                               v1::Rag::GREEN};
  const std::optional<v1::Source::Code> sources[] = {std::nullopt, v1::Source::SCHOOLS,
                                                     v1::Source::POLICE, v1::Source::HEALTH_GP};
  // Rows of other sources are skipped by what this remembers once seen.
  WorklistSources sources_known;
  for (Queue queue : {Queue::kTriage, Queue::kMash}) {
    WorklistQuery everything;
    everything.queue = queue;
    everything.limit = 1000;
    auto all = ReadWorklist(*store_, everything);
    ASSERT_TRUE(all.ok()) << all.status();
    ASSERT_GT(all->contacts_size(), 10);
    for (const auto& rag : rags) {
      for (const auto& source : sources) {
        std::vector<std::string> expected;
        for (const v1::Contact& c : all->contacts()) {
          if (rag && CurrentRag(c) != *rag) continue;
          if (source && c.source() != *source) continue;
          expected.push_back(c.id());
        }
        const std::initializer_list<WorklistSources*> knowns = {nullptr, &sources_known};
        for (size_t limit : {1, 2, 5, 100})
          for (WorklistSources* known : knowns) {
            WorklistQuery query;
            query.sources = known;
            query.queue = queue;
            query.limit = limit;
            query.rag = rag;
            query.source = source;
            std::vector<std::string> got;
            for (int pages = 0; pages < 100; ++pages) {
              auto page = ReadWorklist(*store_, query);
              ASSERT_TRUE(page.ok()) << page.status();
              for (const auto& c : page->contacts()) got.push_back(c.id());
              if (page->next_page_token().empty()) break;
              query.after = ParseWorklistPageToken(page->next_page_token());
              ASSERT_TRUE(query.after.has_value());
            }
            EXPECT_EQ(got, expected)
                << "queue " << static_cast<int>(queue) << " rag " << (rag ? *rag : 0) << " source "
                << (source ? *source : 0) << " limit " << limit << (known ? " with sources" : "");
          }
      }
    }
  }
}

// Immediate risk first even when its deadline is later, then red, amber,
// green and unrated; each row says why.
TEST_F(QueriesTest, TheTriageWorklistIsMostUrgentFirst) {
  auto submit = [this](const std::string& name, v1::Concern::Code concern, bool risk) {
    v1::ContactSubmission s = SchoolContact();
    s.mutable_children(0)->set_given_name(name);
    s.clear_concerns();
    s.add_concerns(concern);
    s.set_immediate_risk(risk);
    CommandResult r = Run(SubmitContact{s, KeyActor("example-school"), "", ""});
    EXPECT_TRUE(r.status.ok()) << r.status;
    return r.status.ok() ? r.contact->contact().id() : "";
  };
  std::string unrated = submit("Uma", v1::Concern::SCHOOL_ATTENDANCE, false);
  std::string green = submit("Gil", v1::Concern::NEGLECT, false);
  clock_.Set(kTuesday10am + std::chrono::hours(1));
  std::string amber = submit("Abe", v1::Concern::GANGS, false);
  std::string red = submit("Rex", v1::Concern::SEXUAL_ABUSE, false);
  // 09:30 tomorrow: due at 11:30, after the others' 10:00 and 11:00.
  clock_.Set(kTuesday10am + std::chrono::hours(23) + std::chrono::minutes(30));
  std::string risk = submit("Ria", v1::Concern::NEGLECT, true);
  auto list = ReadWorklist(*store_, WorklistQuery{});
  ASSERT_TRUE(list.ok()) << list.status();
  EXPECT_THAT(Ids(*list), ElementsAre(risk, red, amber, green, unrated));
  ASSERT_EQ(list->contacts_size(), 5);
  EXPECT_EQ(list->contacts(0).urgency().rank(), 0);
  EXPECT_EQ(list->contacts(0).urgency().why(), "Immediate risk of significant harm");
  EXPECT_EQ(list->contacts(1).urgency().why(), "Red rating");
  EXPECT_EQ(list->contacts(2).urgency().why(), "Amber rating");
  EXPECT_EQ(list->contacts(4).urgency().rank(), kRankUnrated);
  EXPECT_EQ(list->contacts(4).urgency().why(), "");
  // Paging one row at a time gives the same order.
  WorklistQuery one;
  one.limit = 1;
  std::vector<std::string> paged;
  for (int i = 0; i < 6; ++i) {
    auto page = ReadWorklist(*store_, one);
    ASSERT_TRUE(page.ok());
    for (const auto& c : page->contacts()) paged.push_back(c.id());
    if (page->next_page_token().empty()) break;
    one.after = ParseWorklistPageToken(page->next_page_token());
    ASSERT_TRUE(one.after.has_value());
  }
  EXPECT_THAT(paged, ElementsAre(risk, red, amber, green, unrated));
}

TEST_F(QueriesTest, DryRunRefusesAnInvalidFormNamingTheField) {
  v1::ContactSubmission s = SchoolContact();
  s.clear_channel();
  auto run = EvaluateDryRun(*store_, policies_.Get(), s, kTuesday10am, DryRunAudience::kStaff);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_THAT(run->errors, ElementsAre(Field(&FieldError::field, "channel")));
  EXPECT_FALSE(run->evaluation.has_recommendation());
}

TEST_F(QueriesTest, DryRunShowsStaffTheHistoryAndPartnersOnlyTheirForm) {
  Submit(v1::Source::SCHOOLS, "Sam");
  Submit(v1::Source::SCHOOLS, "Sam");
  v1::ContactSubmission s = SchoolContact();
  auto staff = EvaluateDryRun(*store_, policies_.Get(), s, kTuesday10am, DryRunAudience::kStaff);
  ASSERT_TRUE(staff.ok()) << staff.status();
  EXPECT_TRUE(staff->errors.empty());
  EXPECT_EQ(staff->evaluation.prior().contacts_12m(), 2);
  EXPECT_TRUE(staff->evaluation.has_recommendation());
  EXPECT_GT(staff->evaluation.explanation().rules_size(), 0);
  EXPECT_FALSE(staff->evaluation.out_of_hours());

  auto partner =
      EvaluateDryRun(*store_, policies_.Get(), s, kTuesday10am, DryRunAudience::kPartner);
  ASSERT_TRUE(partner.ok()) << partner.status();
  EXPECT_FALSE(partner->evaluation.has_prior());
  EXPECT_TRUE(partner->evaluation.has_recommendation());
  // A dry run stores nothing and makes no one new.
  EXPECT_EQ(store_->Worklist(Queue::kTriage, 100)->size(), 2u);
}

TEST_F(QueriesTest, DryRunOutOfHoursFollowsReceivedAt) {
  v1::ContactSubmission s = SchoolContact();
  *s.mutable_received_at() = ToProto(testing::kSaturday2am);
  clock_.Set(testing::kSaturday2am + std::chrono::hours(1));
  auto run = EvaluateDryRun(*store_, policies_.Get(), s, clock_.Now(), DryRunAudience::kPartner);
  ASSERT_TRUE(run.ok()) << run.status();
  EXPECT_TRUE(run->evaluation.out_of_hours());
}

TEST_F(QueriesTest, ExplainsAStoredContactWithThePolicyThatDecided) {
  std::string id = Submit(v1::Source::SCHOOLS);
  auto record = store_->GetContact(id);
  ASSERT_TRUE(record.ok() && record->has_value());
  PolicyLibrary library(*store_, policies_);
  auto explanation =
      ExplainContact(*store_, library, *policies_.Get().calendar, (*record)->contact());
  ASSERT_TRUE(explanation.ok()) << explanation.status();
  EXPECT_GT(explanation->rules_size(), 0);

  v1::Contact unknown = (*record)->contact();
  unknown.set_id("FD-99999999");
  EXPECT_TRUE(absl::IsDataLoss(
      ExplainContact(*store_, library, *policies_.Get().calendar, unknown).status()));
}

}  // namespace
}  // namespace frontdoor
