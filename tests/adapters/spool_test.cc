// The spool folder as a Sink: a page of outbox entries becomes one
// CloudEvents file per event, letters apart from the rest, named by the
// event's stable id, with no temporary file left behind; delivering the same
// page again rewrites the same files. Files left longer than the retention
// are deleted, at most once an hour, by the business clock.
#include "adapters/sinks/spool.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/sinks/cloudevents.h"
#include "tests/support/temp_dir.h"

namespace frontdoor {
namespace {

std::string Read(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Names(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Spool, APageBecomesOneFilePerEventNamedByItsStableId) {
  testing::TempDir scratch;
  const auto& dir = scratch.path();
  Spool spool(dir / "spool");
  EXPECT_EQ(spool.name(), "spool");
  ASSERT_TRUE(spool.Open().ok());

  std::vector<v1::OutboxEntry> page(2);
  page[0].set_seq(1);
  page[0].mutable_event()->set_id("FD-00000001-3");
  page[0].mutable_event()->set_contact_id("FD-00000001");
  page[0].mutable_event()->mutable_letter_issued()->mutable_letter()->set_kind(
      v1::LetterKind::ACKNOWLEDGEMENT);
  page[1].set_seq(2);
  page[1].mutable_event()->set_id("FD-00000002-4");
  page[1].mutable_event()->set_contact_id("FD-00000002");
  page[1].mutable_event()->mutable_timescale_breached()->set_name("decision");
  ASSERT_TRUE(spool.Deliver(page).ok());
  // At least once: the same page again is the same files.
  ASSERT_TRUE(spool.Deliver(page).ok());

  EXPECT_THAT(Names(dir / "spool" / "letters"), ::testing::ElementsAre("FD-00000001-3.json"));
  EXPECT_THAT(Names(dir / "spool" / "events"), ::testing::ElementsAre("FD-00000002-4.json"));
  EXPECT_EQ(Read(dir / "spool" / "letters" / "FD-00000001-3.json"),
            ToCloudEventJson(page[0].event()));
  EXPECT_EQ(Read(dir / "spool" / "events" / "FD-00000002-4.json"),
            ToCloudEventJson(page[1].event()));
}

TEST(Spool, TakesWhatItHasAlwaysHeldAndLeavesTheRestToOtherSinks) {
  Spool spool("unused");
  v1::Event letter;
  letter.mutable_letter_issued()->mutable_letter()->set_email("dsl@school.example.org");
  EXPECT_TRUE(spool.Wants(letter));
  letter.mutable_letter_issued()->mutable_letter()->set_undeliverable(true);
  EXPECT_FALSE(spool.Wants(letter));
  v1::Event breach;
  breach.mutable_timescale_breached()->set_name("decision");
  EXPECT_TRUE(spool.Wants(breach));
  v1::Event received;
  received.mutable_contact_received();
  EXPECT_FALSE(spool.Wants(received));
  v1::Event decided;
  decided.mutable_decision_recorded();
  EXPECT_FALSE(spool.Wants(decided));
}

// Faults that stop root too (the tests run as root): a regular file where a
// folder should be. The error ends with the cause as errno names it, which
// GET /readyz shows; once the file is gone the folders are made again.
TEST(Spool, AFolderThatCannotBeMadeFailsWithItsCauseAndIsMadeOnceItCan) {
  testing::TempDir scratch;
  const auto& dir = scratch.path();
  std::ofstream(dir / "plain-file") << "x";
  Spool spool(dir / "plain-file" / "spool");
  absl::Status opened = spool.Open();
  EXPECT_TRUE(absl::IsUnavailable(opened)) << opened;
  EXPECT_THAT(std::string(opened.message()), ::testing::EndsWith(": Not a directory"));

  std::vector<v1::OutboxEntry> page(1);
  page[0].set_seq(1);
  page[0].mutable_event()->set_id("FD-00000001-3");
  page[0].mutable_event()->mutable_letter_issued()->mutable_letter()->set_kind(
      v1::LetterKind::ACKNOWLEDGEMENT);
  absl::Status failed = spool.Deliver(page);
  EXPECT_TRUE(absl::IsUnavailable(failed)) << failed;
  EXPECT_THAT(std::string(failed.message()), ::testing::EndsWith(": Not a directory"));

  std::filesystem::remove(dir / "plain-file");
  ASSERT_TRUE(spool.Deliver(page).ok());
  EXPECT_THAT(Names(dir / "plain-file" / "spool" / "letters"),
              ::testing::ElementsAre("FD-00000001-3.json"));

  // The letters folder replaced by a file under a running spool.
  std::filesystem::remove_all(dir / "plain-file" / "spool" / "letters");
  std::ofstream(dir / "plain-file" / "spool" / "letters") << "x";
  failed = spool.Deliver(page);
  EXPECT_TRUE(absl::IsUnavailable(failed)) << failed;
  std::filesystem::remove(dir / "plain-file" / "spool" / "letters");
  EXPECT_TRUE(spool.Deliver(page).ok());
}

// Sets a file's modification time to `at`.
void Touch(const std::filesystem::path& path, TimePoint at) {
  const auto since_epoch = at.time_since_epoch();
  struct timespec times[2];
  times[0].tv_sec = times[1].tv_sec =
      std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
  times[0].tv_nsec = times[1].tv_nsec = 0;
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0) << path;
}

void WriteText(const std::filesystem::path& path) { std::ofstream(path) << "{}"; }

TEST(SpoolRetention, FilesOlderThanTheRetentionAreDeletedAndNothingElse) {
  testing::TempDir scratch;
  const auto dir = scratch.path() / "spool";
  std::filesystem::create_directories(dir / "letters");
  std::filesystem::create_directories(dir / "events");
  const TimePoint now{std::chrono::seconds(1'795'514'400)};  // 2026-11-24T10:00:00Z
  const Millis days30{30LL * 86'400'000};
  WriteText(dir / "letters" / "old.json");
  Touch(dir / "letters" / "old.json", now - days30);
  WriteText(dir / "letters" / "young.json");
  Touch(dir / "letters" / "young.json", now - days30 + std::chrono::seconds(1));
  WriteText(dir / "events" / "old.json");
  Touch(dir / "events" / "old.json", now - 2 * days30);
  WriteText(dir / "events" / "left-by-a-crash.json.tmp");
  Touch(dir / "events" / "left-by-a-crash.json.tmp", now - 2 * days30);
  // Not the spool's: a folder, and a file beside the two folders.
  std::filesystem::create_directories(dir / "events" / "collector-state");
  Touch(dir / "events" / "collector-state", now - 2 * days30);
  WriteText(dir / "README");
  Touch(dir / "README", now - 2 * days30);

  auto removed = PruneSpool(dir, now, days30);
  ASSERT_TRUE(removed.ok()) << removed.status();
  EXPECT_EQ(*removed, 3u);
  EXPECT_THAT(Names(dir / "letters"), ::testing::ElementsAre("young.json"));
  EXPECT_THAT(Names(dir / "events"), ::testing::ElementsAre("collector-state"));
  EXPECT_TRUE(std::filesystem::exists(dir / "README"));
  // Zero keeps everything.
  EXPECT_EQ(*PruneSpool(dir, now + 100 * days30, Millis(0)), 0u);
  EXPECT_THAT(Names(dir / "letters"), ::testing::ElementsAre("young.json"));
}

TEST(SpoolRetention, TheSpoolPrunesBeforeAPageAtMostOncePerIntervalByTheBusinessClock) {
  testing::TempDir scratch;
  const auto dir = scratch.path() / "spool";
  ManualClock clock(TimePoint{std::chrono::seconds(1'795'514'400)});
  MetricsRegistry metrics;
  Counter& removed = metrics.GetCounter("frontdoor_retention_removed_total", "", "what=\"spool\"");
  const Millis days30{30LL * 86'400'000};
  Spool spool(dir, SpoolRetention{.keep = days30, .clock = &clock, .removed = &removed});
  ASSERT_TRUE(spool.Open().ok());
  std::vector<v1::OutboxEntry> page(1);
  page[0].set_seq(1);
  page[0].mutable_event()->set_id("FD-00000001-3");
  page[0].mutable_event()->set_contact_id("FD-00000001");
  page[0].mutable_event()->mutable_timescale_breached()->set_name("decision");
  ASSERT_TRUE(spool.Deliver(page).ok());
  Touch(dir / "events" / "FD-00000001-3.json", clock.Now());

  // 30 days on, the next page first deletes the old file, then is written.
  clock.Set(clock.Now() + days30);
  page[0].mutable_event()->set_id("FD-00000002-3");
  ASSERT_TRUE(spool.Deliver(page).ok());
  Touch(dir / "events" / "FD-00000002-3.json", clock.Now());
  EXPECT_THAT(Names(dir / "events"), ::testing::ElementsAre("FD-00000002-3.json"));
  EXPECT_EQ(removed.value(), 1u);

  // Within the hour it does not look again, however old the files.
  Touch(dir / "events" / "FD-00000002-3.json", clock.Now() - 2 * days30);
  clock.Set(clock.Now() + std::chrono::minutes(59));
  page[0].mutable_event()->set_id("FD-00000003-3");
  ASSERT_TRUE(spool.Deliver(page).ok());
  Touch(dir / "events" / "FD-00000003-3.json", clock.Now());
  EXPECT_EQ(Names(dir / "events").size(), 2u);
  clock.Set(clock.Now() + std::chrono::minutes(1));
  page[0].mutable_event()->set_id("FD-00000004-3");
  ASSERT_TRUE(spool.Deliver(page).ok());
  // The one made old is gone; the one written 1 minute ago is young.
  EXPECT_THAT(Names(dir / "events"),
              ::testing::ElementsAre("FD-00000003-3.json", "FD-00000004-3.json"));
  EXPECT_EQ(removed.value(), 2u);
}

}  // namespace
}  // namespace frontdoor
