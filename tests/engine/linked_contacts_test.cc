// Who the child is, and the contacts about them still open, on the
// Processor and a real RocksDB: an NHS number alone never joins two children
// whose dates of birth differ (the contact carries an IdentityReview and is
// not closed for the other child's open case), a new contact about a child
// with an open contact is linked to it in the same batch, and a decision on
// one is recorded on the other.
#include <future>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/processor.h"
#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using testing::DefaultPolicy;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::kTuesday10am;
using testing::SchoolContact;
using testing::TempDir;

class LinkedContactsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path() / "db");
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = std::move(*store);
    processor_ = std::make_unique<Processor>(*store_, clock_, policies_, &metrics_);
    ASSERT_TRUE(processor_->Start().ok());
  }

  CommandResult Send(Command command) {
    std::promise<CommandResult> promise;
    auto future = promise.get_future();
    EXPECT_TRUE(processor_->Submit(std::move(command),
                                   [&](CommandResult r) { promise.set_value(std::move(r)); }));
    return future.get();
  }

  static SubmitContact From(v1::ContactSubmission s, const std::string& key) {
    SubmitContact c;
    c.submission = std::move(s);
    c.actor = KeyActor(key);
    return c;
  }

  v1::Contact Submit(v1::ContactSubmission s) {
    CommandResult r = Send(From(std::move(s), "example-school"));
    EXPECT_TRUE(r.status.ok()) << r.status;
    return r.status.ok() ? r.contact->contact() : v1::Contact();
  }

  static v1::ContactSubmission About(const std::string& given, const std::string& dob,
                                     const std::string& nhs = "") {
    v1::ContactSubmission s = SchoolContact();
    s.mutable_children(0)->set_given_name(given);
    s.mutable_children(0)->set_date_of_birth(dob);
    s.mutable_children(0)->set_nhs_number(nhs);
    return s;
  }

  std::vector<v1::Event> EventsOf(const std::string& id) {
    auto events = store_->GetEvents(id);
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? *events : std::vector<v1::Event>{};
  }

  v1::Contact Stored(const std::string& id) {
    auto stored = store_->GetContact(id);
    EXPECT_TRUE(stored.ok() && stored->has_value()) << id;
    return stored.ok() && stored->has_value() ? (*stored)->contact() : v1::Contact();
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_{kTuesday10am};
  PolicySlot policies_{DefaultPolicy()};
  MetricsRegistry metrics_;
  std::unique_ptr<Processor> processor_;
};

// The scenario with a real-looking number: the case system records
// an open case for one child; a contact about another child (other name,
// other date of birth) with the same NHS number used to close at once as
// EXISTING_CASE for the first child's team.
TEST_F(LinkedContactsTest, AnNhsNumberAloneDoesNotCloseAContactForAnotherChildsCase) {
  RecordOpenCase open_case;
  open_case.case_id = "CASE-1";
  open_case.open_case.set_team("Children in Need Team 2");
  v1::Child* child = open_case.open_case.add_children();
  child->set_given_name("Morgan");
  child->set_family_name("Sample");
  child->set_date_of_birth("2013-03-03");
  child->set_nhs_number("4010232137");
  open_case.actor = KeyActor("case-system");
  ASSERT_TRUE(Send(open_case).status.ok());

  v1::Contact other = Submit(About("Riley", "2016-06-06", "4010232137"));
  EXPECT_EQ(other.state(), v1::ContactState::AWAITING_DECISION);
  EXPECT_FALSE(other.prior().has_open_case());
  EXPECT_FALSE(other.has_decision());
  ASSERT_EQ(other.identity_reviews_size(), 1);
  EXPECT_EQ(other.identity_reviews(0).child(), 0);
  EXPECT_FALSE(other.identity_reviews(0).matched_person_id().empty());
  EXPECT_NE(other.person_ids(0), other.identity_reviews(0).matched_person_id());
  EXPECT_THAT(other.linked_contacts(), IsEmpty());
  // The decision clock runs as for any contact waiting for a person.
  ASSERT_EQ(other.deadlines_size(), 1);
  EXPECT_EQ(other.deadlines(0).name(), "decision");
  // The review is on the worklist row too.
  auto row = store_->Worklist(Queue::kTriage, 10);
  ASSERT_TRUE(row.ok());
  ASSERT_EQ(row->size(), 1u);
  EXPECT_EQ(Stored((*row)[0].contact_id).identity_reviews_size(), 1);

  // The child the case is for, with the same number and date of birth, is
  // still passed to the case's team.
  v1::ContactSubmission same = About("Morgan", "2013-03-03", "4010232137");
  same.mutable_children(0)->set_family_name("Sample");
  v1::Contact theirs = Submit(same);
  EXPECT_EQ(theirs.state(), v1::ContactState::CLOSED);
  EXPECT_EQ(theirs.outcome(), v1::Outcome::EXISTING_CASE);
  EXPECT_THAT(theirs.identity_reviews(), IsEmpty());
  EXPECT_EQ(theirs.person_ids(0), other.identity_reviews(0).matched_person_id());
}

TEST_F(LinkedContactsTest, ANewContactAboutAChildWithAnOpenContactIsLinkedBothWays) {
  v1::Contact first = Submit(About("Sam", "2018-03-02"));
  EXPECT_THAT(first.linked_contacts(), IsEmpty());
  v1::Contact second = Submit(About("Sam", "2018-03-02"));
  EXPECT_THAT(second.linked_contacts(), ElementsAre(first.id()));
  // The older one hears of it in the same batch.
  EXPECT_THAT(Stored(first.id()).linked_contacts(), ElementsAre(second.id()));
  std::vector<v1::Event> events = EventsOf(first.id());
  ASSERT_FALSE(events.empty());
  const v1::Event& linked = events.back();
  ASSERT_TRUE(linked.has_contact_linked());
  EXPECT_EQ(linked.type(), v1::EventType::CONTACT_LINKED);
  EXPECT_EQ(linked.contact_linked().linked_contact_id(), second.id());
  EXPECT_EQ(linked.contact_linked().linked_route(), v1::Route::ROUTE_UNSPECIFIED);
  EXPECT_EQ(linked.caused_by().id(), "example-school");
  EXPECT_EQ(linked.at().seconds(), events.front().at().seconds());
  // Another child is not linked.
  EXPECT_THAT(Submit(About("Alex", "2017-01-01")).linked_contacts(), IsEmpty());

  // A decision on the new one leaves the older one open and says so in its
  // history.
  v1::DecisionRequest nfa;
  nfa.set_route(v1::Route::NFA);
  nfa.set_reason("Already known: the earlier contact covers this.");
  CommandResult decided = Send(RecordDecision{second.id(), nfa, KeyActor("triage-1")});
  ASSERT_TRUE(decided.status.ok()) << decided.status;
  // Below the recommendation it waits for a manager, and takes effect (and
  // tells the linked contact) once authorised.
  EXPECT_EQ(decided.contact->contact().state(), v1::ContactState::AWAITING_AUTHORISATION);
  v1::AuthorisationRequest agreed;
  agreed.set_outcome(v1::AuthorisationOutcome::AUTHORISED);
  agreed.set_note("Agreed: one contact is enough.");
  decided = Send(RecordAuthorisation{second.id(), agreed, KeyActor("manager-1")});
  ASSERT_TRUE(decided.status.ok()) << decided.status;
  EXPECT_EQ(decided.contact->contact().state(), v1::ContactState::CLOSED);
  v1::Contact older = Stored(first.id());
  EXPECT_EQ(older.state(), v1::ContactState::AWAITING_DECISION);
  const v1::Event note = EventsOf(first.id()).back();
  ASSERT_TRUE(note.has_contact_linked());
  EXPECT_EQ(note.contact_linked().linked_contact_id(), second.id());
  EXPECT_EQ(note.contact_linked().linked_route(), v1::Route::NFA);
  EXPECT_EQ(note.actor(), "manager-1");
  EXPECT_THAT(older.linked_contacts(), ElementsAre(second.id()));

  // A closed contact is not linked again: a third links to the first only.
  v1::Contact third = Submit(About("Sam", "2018-03-02"));
  EXPECT_THAT(third.linked_contacts(), ElementsAre(first.id()));
  EXPECT_THAT(Stored(first.id()).linked_contacts(), ElementsAre(second.id(), third.id()));
  EXPECT_THAT(Stored(second.id()).linked_contacts(), ElementsAre(first.id()));
  // Deciding the first (MASH) tells the third, not the closed second.
  size_t second_events = EventsOf(second.id()).size();
  v1::DecisionRequest mash;
  mash.set_route(v1::Route::MASH);
  mash.set_rag(v1::Rag::AMBER);
  mash.set_reason("Needs checks with partners.");
  ASSERT_TRUE(Send(RecordDecision{first.id(), mash, KeyActor("triage-1")}).status.ok());
  EXPECT_EQ(EventsOf(second.id()).size(), second_events);
  const v1::Event told = EventsOf(third.id()).back();
  ASSERT_TRUE(told.has_contact_linked());
  EXPECT_EQ(told.contact_linked().linked_contact_id(), first.id());
  EXPECT_EQ(told.contact_linked().linked_route(), v1::Route::MASH);
  // In MASH the first is still open: a fourth links to both.
  EXPECT_THAT(Submit(About("Sam", "2018-03-02")).linked_contacts(),
              ElementsAre(first.id(), third.id()));
}

TEST_F(LinkedContactsTest, ContactsInOneBatchAboutOneChildAreLinked) {
  std::vector<std::pair<Command, std::function<void(CommandResult)>>> commands;
  std::promise<CommandResult> a, b;
  commands.emplace_back(From(About("Sam", "2018-03-02"), "police"),
                        [&](CommandResult r) { a.set_value(std::move(r)); });
  commands.emplace_back(From(About("Sam", "2018-03-02"), "police"),
                        [&](CommandResult r) { b.set_value(std::move(r)); });
  ASSERT_TRUE(processor_->SubmitAll(std::move(commands)));
  CommandResult first = a.get_future().get(), second = b.get_future().get();
  ASSERT_TRUE(first.status.ok() && second.status.ok());
  EXPECT_THAT(second.contact->contact().linked_contacts(),
              ElementsAre(first.contact->contact().id()));
  EXPECT_THAT(Stored(first.contact->contact().id()).linked_contacts(),
              ElementsAre(second.contact->contact().id()));
  Histogram::Snapshot batches = metrics_.GetHistogram("frontdoor_batch_commands", "", {}).Read();
  EXPECT_EQ(batches.count, 1u);
}

}  // namespace
}  // namespace frontdoor
