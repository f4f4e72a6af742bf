// The letter book on a real RocksDB in a temp folder: states after each
// attempt, the post list oldest first with page tokens, marking posted (and
// the 409 cases), letters not recorded yet shown from the history, and
// many threads settling and posting at once.
#include "engine/letters.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/engine/engine_fixtures.h"

namespace frontdoor {
namespace {

using ::testing::ElementsAre;
using testing::kTuesday10am;
using testing::TempDir;
using State = v1::LetterDeliveryState;

v1::Letter MakeLetter(const std::string& contact, int seq, TimePoint issued, bool email = true) {
  v1::Letter l;
  l.set_id(contact + "-" + std::to_string(seq));
  l.set_contact_id(contact);
  l.set_kind(v1::LetterKind::ACKNOWLEDGEMENT);
  *l.mutable_issued_at() = ToProto(issued);
  l.set_subject("Your contact " + contact);
  l.set_body("Dear referrer,\n\nThank you.");
  if (email) l.set_email("referrer@school.example");
  return l;
}

LetterBook::Outcome Outcome(State::Code state, std::string channel, uint32_t attempts = 1) {
  return {.state = state, .channel = std::move(channel), .attempts = attempts, .last_error = "",
          .reference = ""};
}

std::vector<std::string> Ids(const v1::LetterDeliveryList& list) {
  std::vector<std::string> out;
  for (const auto& l : list.letters()) out.push_back(l.letter_id());
  return out;
}

class LetterBookTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = Store::Open(dir_.path() / "db");
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(*opened);
    book_ = std::make_unique<LetterBook>(*store_);
  }
  TempDir dir_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<LetterBook> book_;
};

TEST_F(LetterBookTest, KeepsEachAttemptsOutcome) {
  const auto h = std::chrono::hours(1);
  v1::Letter letter = MakeLetter("FD-1", 2, kTuesday10am);
  auto queued = book_->Settle(letter, {.state = State::QUEUED, .channel = "smtp", .attempts = 1,
                                       .last_error = "smtp 451", .reference = ""},
                              kTuesday10am + h);
  ASSERT_TRUE(queued.ok()) << queued.status();
  EXPECT_EQ(queued->state(), State::QUEUED);
  EXPECT_EQ(queued->last_error(), "smtp 451");
  auto sent = book_->Settle(letter, {.state = State::SENT, .channel = "smtp", .attempts = 2,
                                     .last_error = "", .reference = "<FD-1-2@council.example>"},
                            kTuesday10am + 2 * h);
  ASSERT_TRUE(sent.ok());
  auto got = book_->Get("FD-1-2");
  ASSERT_TRUE(got.ok() && got->has_value());
  EXPECT_EQ((*got)->state(), State::SENT);
  EXPECT_EQ((*got)->attempts(), 2u);
  EXPECT_EQ((*got)->reference(), "<FD-1-2@council.example>");
  EXPECT_EQ((*got)->letter().body(), letter.body());
  EXPECT_EQ(FromProto((*got)->updated_at()), kTuesday10am + 2 * h);
  // Sent letters are not on the post list.
  auto to_post = book_->ToPost(10, "");
  ASSERT_TRUE(to_post.ok());
  EXPECT_EQ(to_post->letters_size(), 0);
}

TEST_F(LetterBookTest, PostListIsOldestFirstAndPages) {
  const auto m = std::chrono::minutes(1);
  // Issued out of id order: the list follows issued_at.
  ASSERT_TRUE(book_->Settle(MakeLetter("FD-3", 2, kTuesday10am + 3 * m, false),
                            Outcome(State::TO_POST, "post", 0), kTuesday10am).ok());
  ASSERT_TRUE(book_->Settle(MakeLetter("FD-1", 2, kTuesday10am + 1 * m),
                            Outcome(State::FAILED, "smtp"), kTuesday10am).ok());
  ASSERT_TRUE(book_->Settle(MakeLetter("FD-2", 2, kTuesday10am + 2 * m, false),
                            Outcome(State::TO_POST, "post", 0), kTuesday10am).ok());
  ASSERT_TRUE(book_->Settle(MakeLetter("FD-4", 2, kTuesday10am),
                            Outcome(State::SENT, "smtp"), kTuesday10am).ok());
  auto first = book_->ToPost(2, "");
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_THAT(Ids(*first), ElementsAre("FD-1-2", "FD-2-2"));
  ASSERT_FALSE(first->next_page_token().empty());
  auto second = book_->ToPost(2, first->next_page_token());
  ASSERT_TRUE(second.ok());
  EXPECT_THAT(Ids(*second), ElementsAre("FD-3-2"));
  EXPECT_TRUE(second->next_page_token().empty());
  EXPECT_EQ(book_->ToPost(2, "nonsense").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(LetterBookTest, PostingTakesALetterOffThePostListOnce) {
  v1::Letter letter = MakeLetter("FD-1", 2, kTuesday10am, false);
  ASSERT_TRUE(book_->Settle(letter, Outcome(State::TO_POST, "post", 0), kTuesday10am).ok());
  v1::Actor sam;
  sam.set_id("sam-jones");
  sam.set_role("triage");
  auto posted = book_->MarkPosted("FD-1-2", sam, "second class", kTuesday10am + std::chrono::hours(2));
  ASSERT_TRUE(posted.ok()) << posted.status();
  EXPECT_EQ(posted->state(), State::POSTED);
  EXPECT_EQ(posted->posted_by().id(), "sam-jones");
  EXPECT_EQ(posted->posted_note(), "second class");
  EXPECT_EQ(posted->channel(), "post");
  EXPECT_EQ(book_->ToPost(10, "")->letters_size(), 0);
  // Twice: 409 (FailedPrecondition); unknown: 404.
  EXPECT_EQ(book_->MarkPosted("FD-1-2", sam, "", kTuesday10am).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(book_->MarkPosted("FD-9-2", sam, "", kTuesday10am).status().code(),
            absl::StatusCode::kNotFound);
  // A later attempt's outcome does not undo the posting.
  ASSERT_TRUE(book_->Settle(letter, Outcome(State::TO_POST, "post", 0), kTuesday10am).ok());
  EXPECT_EQ((*book_->Get("FD-1-2"))->state(), State::POSTED);
  EXPECT_EQ(book_->ToPost(10, "")->letters_size(), 0);
}

TEST_F(LetterBookTest, SentLettersCannotBeMarkedPosted) {
  ASSERT_TRUE(book_->Settle(MakeLetter("FD-1", 2, kTuesday10am), Outcome(State::SENT, "smtp"),
                            kTuesday10am).ok());
  EXPECT_EQ(book_->MarkPosted("FD-1-2", v1::Actor(), "", kTuesday10am).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(LetterBookTest, ShowsLettersNotRecordedYetFromTheHistory) {
  // Two letters in the contact's history; only the first has been attempted.
  auto batch = store_->NewBatch();
  for (int seq : {2, 5}) {
    v1::Event e;
    e.set_contact_id("FD-7");
    e.set_seq(static_cast<uint32_t>(seq));
    *e.mutable_letter_issued()->mutable_letter() =
        MakeLetter("FD-7", seq, kTuesday10am + std::chrono::hours(seq), seq == 2);
    batch.PutEvent(e);
  }
  ASSERT_TRUE(store_->Commit(batch).ok());
  ASSERT_TRUE(book_->Settle(MakeLetter("FD-7", 2, kTuesday10am + std::chrono::hours(2)),
                            Outcome(State::SENT, "smtp"), kTuesday10am).ok());
  auto list = book_->OfContact("FD-7");
  ASSERT_TRUE(list.ok()) << list.status();
  ASSERT_THAT(Ids(*list), ElementsAre("FD-7-2", "FD-7-5"));
  EXPECT_EQ(list->letters(0).state(), State::SENT);
  EXPECT_EQ(list->letters(1).state(), State::TO_POST);  // no email address
  EXPECT_EQ(list->letters(1).letter().subject(), "Your contact FD-7");
  auto one = book_->Get("FD-7-5");
  ASSERT_TRUE(one.ok() && one->has_value());
  EXPECT_EQ((*one)->state(), State::TO_POST);
  EXPECT_FALSE(book_->Get("FD-7-9")->has_value());
  // It can be posted before the email queue has looked at it.
  EXPECT_TRUE(book_->MarkPosted("FD-7-5", v1::Actor(), "", kTuesday10am).ok());
}

TEST_F(LetterBookTest, SurvivesReopening) {
  ASSERT_TRUE(book_->Settle(MakeLetter("FD-1", 2, kTuesday10am, false),
                            Outcome(State::TO_POST, "post", 0), kTuesday10am).ok());
  book_.reset();
  store_.reset();
  auto reopened = Store::Open(dir_.path() / "db");
  ASSERT_TRUE(reopened.ok());
  LetterBook book(**reopened);
  EXPECT_THAT(Ids(*book.ToPost(10, "")), ElementsAre("FD-1-2"));
}

TEST_F(LetterBookTest, ManyThreadsKeepThePostListConsistent) {
  constexpr int kLetters = 40;
  for (int i = 0; i < kLetters; ++i) {
    ASSERT_TRUE(book_->Settle(MakeLetter("FD-" + std::to_string(i), 2, kTuesday10am, false),
                              Outcome(State::TO_POST, "post", 0), kTuesday10am).ok());
  }
  // Two people post every letter at once while the channel settles them again:
  // each letter is posted exactly once and leaves the list.
  std::atomic<int> posted{0};
  auto poster = [&] {
    for (int i = 0; i < kLetters; ++i) {
      if (book_->MarkPosted("FD-" + std::to_string(i) + "-2", v1::Actor(), "", kTuesday10am).ok()) {
        ++posted;
      }
    }
  };
  auto settler = [&] {
    for (int i = 0; i < kLetters; ++i) {
      (void)book_->Settle(MakeLetter("FD-" + std::to_string(i), 2, kTuesday10am, false),
                          Outcome(State::TO_POST, "post", 0), kTuesday10am);
    }
  };
  std::thread a(poster), b(poster), c(settler);
  a.join();
  b.join();
  c.join();
  EXPECT_EQ(posted.load(), kLetters);
  EXPECT_EQ(book_->ToPost(100, "")->letters_size(), 0);
}

}  // namespace
}  // namespace frontdoor
