// Finding children again across contacts, on a real store: by NHS number,
// by name and date of birth with the postcode breaking ties, never across a
// different NHS number; and what was known of them in the 12 months before.
#include "engine/people.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using ::testing::ElementsAre;
using testing::kTuesday10am;
using testing::TempDir;

v1::Child Child(const std::string& given, const std::string& family, const std::string& dob,
                const std::string& nhs = "", const std::string& postcode = "") {
  v1::Child c;
  c.set_given_name(given);
  c.set_family_name(family);
  if (!dob.empty()) c.set_date_of_birth(dob);
  c.set_nhs_number(nhs);
  c.set_postcode(postcode);
  return c;
}

google::protobuf::RepeatedPtrField<v1::Child> Children(std::initializer_list<v1::Child> list) {
  google::protobuf::RepeatedPtrField<v1::Child> out;
  for (const auto& c : list) *out.Add() = c;
  return out;
}

class PeopleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = Store::Open(dir_.path() / "db");
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
  }

  // Resolves in a book of its own and commits, as one batch would.
  std::vector<std::string> Commit(std::initializer_list<v1::Child> children,
                                  const std::string& contact_id = "",
                                  TimePoint received = kTuesday10am) {
    PeopleBook book(*store_, &counter_);
    auto ids = book.Resolve(Children(children));
    EXPECT_TRUE(ids.ok()) << ids.status();
    if (!contact_id.empty()) {
      EXPECT_TRUE(book.AddContact(*ids, contact_id, received).ok());
    }
    auto batch = store_->NewBatch();
    book.Stage(batch);
    EXPECT_TRUE(store_->Commit(batch).ok());
    return *ids;
  }

  TempDir dir_;
  std::unique_ptr<Store> store_;
  uint64_t counter_ = 0;
};

TEST(ChildKeys, NormaliseNamesNhsAndPostcode) {
  ChildKeys keys = KeysOf(Child("Mary-Jane", "O'Brien", "2018-03-02", "943 476 5919", "ch41 5lh"));
  EXPECT_EQ(keys.nhs, "9434765919");
  EXPECT_EQ(keys.name_key, "obrien|maryjane|2018-03-02");
  EXPECT_EQ(keys.postcode, "CH415LH");
  EXPECT_EQ(KeysOf(Child("Sam", "Example", "")).name_key, "");
}

TEST_F(PeopleTest, SameChildFoundByNameAndDateOfBirthOrNhsNumber) {
  auto first = Commit({Child("Sam", "Example", "2018-03-02")});
  auto again = Commit({Child("SAM", "example", "2018-03-02")});
  EXPECT_EQ(again, first);
  // An NHS number given later attaches to the same person...
  EXPECT_EQ(Commit({Child("Sam", "Example", "2018-03-02", "9434765919")}), first);
  // ...and then finds them under another spelling.
  EXPECT_EQ(Commit({Child("Samuel", "Exampel", "2018-03-02", "9434765919")}), first);
  // A different date of birth is someone else.
  EXPECT_NE(Commit({Child("Sam", "Example", "2019-03-02")}), first);
}

TEST_F(PeopleTest, DifferentNhsNumbersAreDifferentChildren) {
  auto a = Commit({Child("Alex", "Sample", "2017-01-01", "9434765919")});
  auto b = Commit({Child("Alex", "Sample", "2017-01-01", "4010232137")});
  EXPECT_NE(a, b);
}

TEST_F(PeopleTest, PostcodeBreaksATie) {
  // Two children with one name and date of birth, told apart by NHS number.
  auto north = Commit({Child("Jo", "Placeholder", "2016-05-05", "9434765919", "CH41 5LH")});
  auto south = Commit({Child("Jo", "Placeholder", "2016-05-05", "4010232137", "L1 8JQ")});
  ASSERT_NE(north, south);
  EXPECT_EQ(Commit({Child("Jo", "Placeholder", "2016-05-05", "", "L18JQ")}), south);
  EXPECT_EQ(Commit({Child("Jo", "Placeholder", "2016-05-05", "", "CH415LH")}), north);
}

TEST_F(PeopleTest, ChildrenInOneBatchFindEachOther) {
  PeopleBook book(*store_, &counter_);
  auto ids = book.Resolve(
      Children({Child("Riley", "Test", "2015-02-02"), Child("Riley", "Test", "2015-02-02")}));
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ((*ids)[0], (*ids)[1]);
}

TEST_F(PeopleTest, PriorCountsTheTwelveMonthsBefore) {
  using std::chrono::hours;
  const TimePoint now = kTuesday10am;
  auto child = Child("Casey", "Example", "2014-04-04");
  Commit({child}, "FD-1", now - hours(24 * 400));  // over a year ago
  Commit({child}, "FD-2", now - hours(24 * 300));
  auto ids = Commit({child}, "FD-3", now - hours(24));
  PeopleBook book(*store_, &counter_);
  ASSERT_TRUE(book.AddReferral(ids, "FD-2", now - hours(24 * 299)).ok());
  auto prior = book.PriorOf(ids, now);
  ASSERT_TRUE(prior.ok());
  EXPECT_EQ(prior->contacts_12m(), 2);
  EXPECT_EQ(prior->referrals_12m(), 1);
  EXPECT_FALSE(prior->has_open_case());
  // Seen from 350 days ago: only the contact 400 days ago came before.
  EXPECT_EQ(book.PriorOf(ids, now - hours(24 * 350))->contacts_12m(), 1);
  EXPECT_EQ(book.PriorOf(ids, now - hours(24 * 350))->referrals_12m(), 0);
}

TEST_F(PeopleTest, OpenCasesOpenAndClose) {
  auto ids = Commit({Child("Morgan", "Sample", "2013-03-03")});
  {
    PeopleBook book(*store_, &counter_);
    v1::OpenCase open_case;
    open_case.set_case_id("CASE-1");
    open_case.set_team("Children in Need Team 2");
    *open_case.add_children() = Child("Morgan", "Sample", "2013-03-03");
    ASSERT_TRUE(book.PutOpenCase(open_case).ok());
    auto prior = book.PriorOf(ids, kTuesday10am);
    EXPECT_EQ(prior->open_case().case_id(), "CASE-1");
    EXPECT_EQ(prior->open_case().team(), "Children in Need Team 2");
    auto batch = store_->NewBatch();
    book.Stage(batch);
    ASSERT_TRUE(store_->Commit(batch).ok());
  }
  PeopleBook book(*store_, &counter_);
  EXPECT_TRUE(book.PriorOf(ids, kTuesday10am)->has_open_case());
  ASSERT_TRUE(book.CloseOpenCase("CASE-1").ok());
  EXPECT_FALSE(book.PriorOf(ids, kTuesday10am)->has_open_case());
  EXPECT_TRUE(absl::IsNotFound(book.CloseOpenCase("CASE-404")));
}

// Issue 9: one NHS number given for two children born on different days.
// The number alone never joins them: the second child is someone new (or
// whoever their name and date of birth find), and a review says so.
TEST_F(PeopleTest, AnNhsNumberAloneNeverJoinsDifferentDatesOfBirth) {
  auto first = Commit({Child("Morgan", "Sample", "2013-03-03", "4010232137", "CH41 5LH")});
  PeopleBook book(*store_, &counter_);
  std::vector<v1::IdentityReview> reviews;
  auto other =
      book.Resolve(Children({Child("Riley", "Other", "2016-06-06", "4010232137")}), &reviews);
  ASSERT_TRUE(other.ok());
  ASSERT_EQ(other->size(), 1u);
  EXPECT_NE((*other)[0], first[0]);
  ASSERT_EQ(reviews.size(), 1u);
  EXPECT_EQ(reviews[0].child(), 0);
  EXPECT_EQ(reviews[0].matched_person_id(), first[0]);
  EXPECT_THAT(reviews[0].reason(), ::testing::HasSubstr("different date of birth"));
  auto batch = store_->NewBatch();
  book.Stage(batch);
  ASSERT_TRUE(store_->Commit(batch).ok());
  // The number still finds the child it was first given for...
  EXPECT_EQ(Commit({Child("Morgan", "Sample", "2013-03-03", "4010232137")}), first);
  // ...and the second child is found again by name and date of birth,
  // still with a review.
  PeopleBook again(*store_, &counter_);
  reviews.clear();
  auto found =
      again.Resolve(Children({Child("Riley", "Other", "2016-06-06", "4010232137")}), &reviews);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, *other);
  EXPECT_EQ(reviews.size(), 1u);
  // A child given without a date of birth is still found by the number.
  reviews.clear();
  v1::Child unknown_birth;
  unknown_birth.set_given_name("Morgan");
  unknown_birth.set_nhs_number("4010232137");
  auto by_number = again.Resolve(Children({unknown_birth}), &reviews);
  EXPECT_EQ(*by_number, first);
  EXPECT_TRUE(reviews.empty());
}

TEST_F(PeopleTest, AnOpenCaseForAnotherChildWithTheNumberDoesNotApply) {
  PeopleBook book(*store_, &counter_);
  v1::OpenCase open_case;
  open_case.set_case_id("CASE-7");
  open_case.set_team("Children in Need Team 2");
  *open_case.add_children() = Child("Morgan", "Sample", "2013-03-03", "4010232137");
  ASSERT_TRUE(book.PutOpenCase(open_case).ok());
  auto batch = store_->NewBatch();
  book.Stage(batch);
  ASSERT_TRUE(store_->Commit(batch).ok());
  auto other = Commit({Child("Riley", "Other", "2016-06-06", "4010232137")});
  PeopleBook reader(*store_, &counter_);
  EXPECT_FALSE(reader.PriorOf(other, kTuesday10am)->has_open_case());
}

TEST_F(PeopleTest, AnOpenCaseRecordedLaterForAnotherChildWithTheNumberDoesNotApply) {
  auto earlier = Commit({Child("Riley", "Other", "2016-06-06", "4010232137")});
  PeopleBook book(*store_, &counter_);
  v1::OpenCase open_case;
  open_case.set_case_id("CASE-8");
  open_case.set_team("Children in Need Team 2");
  *open_case.add_children() = Child("Morgan", "Sample", "2013-03-03", "4010232137");
  ASSERT_TRUE(book.PutOpenCase(open_case).ok());
  EXPECT_FALSE(book.PriorOf(earlier, kTuesday10am)->has_open_case());
  auto batch = store_->NewBatch();
  book.Stage(batch);
  ASSERT_TRUE(store_->Commit(batch).ok());
  // The case's child is found again by name and date of birth.
  auto theirs = Commit({Child("Morgan", "Sample", "2013-03-03", "4010232137")});
  EXPECT_NE(theirs, earlier);
  PeopleBook reader(*store_, &counter_);
  EXPECT_EQ(reader.PriorOf(theirs, kTuesday10am)->open_case().case_id(), "CASE-8");
  EXPECT_FALSE(reader.PriorOf(earlier, kTuesday10am)->has_open_case());
}

TEST(ChildKeys, PlaceholderNhsNumbersAreNoKey) {
  EXPECT_EQ(KeysOf(Child("Sam", "Example", "2018-03-02", "0000000000")).nhs, "");
  EXPECT_EQ(KeysOf(Child("Sam", "Example", "2018-03-02", "9990000018")).nhs, "");
}

TEST_F(PeopleTest, ReadOnlyBooksMakeNoOne) {
  PeopleBook book(*store_, nullptr);
  auto ids = book.Resolve(Children({Child("Nobody", "Known", "2012-12-12")}));
  ASSERT_TRUE(ids.ok());
  EXPECT_THAT(*ids, ElementsAre(""));
  EXPECT_EQ(book.PriorOf(*ids, kTuesday10am)->contacts_12m(), 0);
}

}  // namespace
}  // namespace frontdoor
