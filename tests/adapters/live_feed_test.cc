// The live feed's memory for streams that resume: a Last-Event-ID of this
// run gets exactly the kept messages after it; one older than what is kept,
// newer than any given, of another run or not an id at all gets one reset
// carrying the latest id; a feed that has published nothing resumes its own
// "<run>-0" quietly.
#include "adapters/http/live_feed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "boost/asio/io_context.hpp"
#include "frontdoor/v1/store.pb.h"

namespace frontdoor {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class LiveFeedTest : public ::testing::Test {
 protected:
  // One committed batch that changed contact FD-0000000<n>.
  void PublishContact(int n) {
    auto record = std::make_shared<v1::ContactRecord>();
    record->mutable_contact()->set_id("FD-0000000" + std::to_string(n));
    std::vector<v1::Event> events;
    std::vector<std::shared_ptr<const v1::ContactRecord>> contacts = {record};
    feed_.Publish(CommitNotice{.outbox_seq = 0, .events = events, .contacts = contacts});
  }
  // What a new stream starts with.
  std::string Resume(const std::string& last_event_id) {
    auto sub = feed_.Subscribe(ioc_.get_executor(), last_event_id);
    std::string out;
    sub->TakeQueued(out);
    feed_.Unsubscribe(sub);
    return out;
  }
  // This run's tag, from the first message's id.
  std::string Run() {
    std::string all = Resume("none-0");
    size_t at = all.find("id: ");
    return all.substr(at + 4, all.find('-', at) - at - 4);
  }

  boost::asio::io_context ioc_;
  LiveFeed feed_{/*max_queued=*/100, /*kept=*/3};
};

TEST_F(LiveFeedTest, ResumesWithWhatCameAfterTheIdWhileItIsKept) {
  for (int n = 1; n <= 5; ++n) PublishContact(n);
  const std::string run = Run();
  ASSERT_EQ(run.size(), 8u);
  // Kept: 3, 4, 5. After 2 (the one before the oldest kept): all three.
  std::string after2 = Resume(run + "-2");
  EXPECT_THAT(after2,
              HasSubstr("id: " + run + "-3\nevent: contact\ndata: {\"id\":\"FD-00000003\""));
  EXPECT_THAT(after2, HasSubstr("id: " + run + "-5\n"));
  EXPECT_THAT(after2, Not(HasSubstr("FD-00000002")));
  EXPECT_THAT(after2, Not(HasSubstr("event: reset")));
  EXPECT_LT(after2.find("FD-00000003"), after2.find("FD-00000005"));
  EXPECT_EQ(Resume(run + "-5"), "");  // nothing missed
}

TEST_F(LiveFeedTest, AnIdItCannotResumeFromGetsOneResetWithTheLatestId) {
  for (int n = 1; n <= 5; ++n) PublishContact(n);
  const std::string run = Run();
  const std::string reset = "id: " + run + "-5\nevent: reset\ndata: {\"reason\":";
  for (const std::string& id : {run + "-1", run + "-6", std::string("0000000g-4"), run + "-x",
                                run + "-", std::string("4")}) {
    std::string out = Resume(id);
    EXPECT_THAT(out, ::testing::StartsWith(reset)) << id;
    EXPECT_THAT(out, Not(HasSubstr("event: contact"))) << id;
  }
  // Without Last-Event-ID: only what happens next.
  EXPECT_EQ(Resume(""), "");
}

TEST_F(LiveFeedTest, NothingPublishedYet) {
  // Its own "<run>-0" is where everything starts: nothing missed.
  std::string out = Resume("none-0");
  ASSERT_THAT(out, HasSubstr("event: reset"));
  size_t at = out.find("id: ") + 4;
  std::string zero = out.substr(at, out.find('\n', at) - at);
  EXPECT_THAT(zero, ::testing::EndsWith("-0"));
  EXPECT_EQ(Resume(zero), "");
  PublishContact(1);
  EXPECT_THAT(Resume(zero), HasSubstr("FD-00000001"));
}

}  // namespace
}  // namespace frontdoor
