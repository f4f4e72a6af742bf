// A spool folder that cannot be written, on a real server with a real
// folder: contacts are still taken in and acknowledged (the writer never
// waits for the spool), their letters wait in the store's outbox, GET
// /readyz stays 200 and names the spool as failing with the cause, the
// metrics say so (frontdoor_sink_failing, the last failure's time, the
// backlog), and once the folder can be written again every letter arrives
// without a restart. The tests run as root, whom permissions do not stop:
// the faults are ones that stop root too, a folder under a regular file
// (ENOTDIR) and, where the machine lets the test mount, a read-only file
// system (EROFS).
#include <sys/mount.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;

// Polls `done` (every 20 ms, at most `limit`): the spool's retries run on
// the real clock, after a backoff of 0.1 s doubling up to 30 s.
bool Eventually(const std::function<bool()>& done,
                std::chrono::seconds limit = std::chrono::seconds(60)) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// The value of the series `name{sink="spool"}` in GET /metrics; -1 if absent.
double SpoolMetric(HttpClient& client, const std::string& name) {
  const std::string body = client.Get("/metrics", "").body;
  const std::string series = name + "{sink=\"spool\"} ";
  size_t at = body.find("\n" + series);
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + 1 + series.size()));
}

// "ok", or "failing: <cause>", as GET /readyz says of the spool.
std::string SpoolReadiness(HttpClient& client) {
  // Past the start-up recovery first (a loaded machine can take a moment).
  Reply ready = client.Get("/readyz", "");
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (ready.status == 503 && ready.body.find("recovering") != std::string::npos &&
         std::chrono::steady_clock::now() < give_up) {
    std::this_thread::yield();
    ready = client.Get("/readyz", "");
  }
  if (ready.status != 200 || !ready.json.is_object()) return "status " + std::to_string(ready.status);
  const auto* deliveries = ready.json.as_object().if_contains("deliveries");
  if (deliveries == nullptr) return "no deliveries";
  return std::string(deliveries->as_object().at("spool").as_string());
}

class SpoolFaultsTest : public ::testing::Test {
 protected:
  // Starts the server with its spool at `spool`.
  void StartWithSpool(const std::filesystem::path& spool) {
    spool_ = spool;
    server_ = ServerProcess::Start(
        {WriteConfig(dir_.path(), "spool_dir: " + spool.string() + "\n"), dir_.path() / "data"});
    ASSERT_TRUE(server_);
    client_ = std::make_unique<HttpClient>(server_->port());
  }

  // Posts `n` contacts, each answered 201 while the spool fails; their ids.
  std::vector<std::string> Intake(int n, int first_variant) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      Reply created = client_->Post("/v1/contacts", kPartnerToken, ContactJson(first_variant + i));
      EXPECT_EQ(created.status, 201) << created.body;
      if (created.status == 201) ids.push_back(created.str("id"));
    }
    return ids;
  }

  // The contacts whose acknowledgement is in the spool's letters folder.
  std::set<std::string> Acknowledged() {
    std::set<std::string> out;
    if (!std::filesystem::is_directory(spool_ / "letters")) return out;
    for (const auto& f : ReadJsonFiles(spool_ / "letters")) {
      if (f.as_object().at("letterkind").as_string() == "ACKNOWLEDGEMENT") {
        out.insert(std::string(f.as_object().at("subject").as_string()));
      }
    }
    return out;
  }

  // Waits for the spool to deliver again, then for its backlog to drain,
  // and checks that every contact in `ids` has its acknowledgement.
  void ExpectRecoveredWithEveryLetter(const std::vector<std::string>& ids) {
    EXPECT_TRUE(Eventually([&] { return SpoolReadiness(*client_) == "ok"; }))
        << SpoolReadiness(*client_) << "\n"
        << server_->Logs();
    EXPECT_TRUE(Eventually([&] { return SpoolMetric(*client_, "frontdoor_outbox_backlog") == 0; }));
    EXPECT_EQ(SpoolMetric(*client_, "frontdoor_sink_failing"), 0);
    const std::set<std::string> acknowledged = Acknowledged();
    for (const std::string& id : ids) EXPECT_TRUE(acknowledged.contains(id)) << id;
    EXPECT_THAT(server_->Logs(), HasSubstr("spool delivers again"));
  }

  TempDir dir_{"spool-faults"};
  std::filesystem::path spool_;
  std::unique_ptr<ServerProcess> server_;
  std::unique_ptr<HttpClient> client_;
};

TEST_F(SpoolFaultsTest, ASpoolThatCannotBeMadeAtTheStartDoesNotStopIntake) {
  const auto blocker = dir_.path() / "plain-file";
  std::ofstream(blocker) << "a file where the spool's parent folder should be\n";
  StartWithSpool(blocker / "spool");

  // Opening the spool failed before the server listened: it says so at once.
  EXPECT_EQ(SpoolReadiness(*client_), "failing: Not a directory");
  EXPECT_EQ(SpoolMetric(*client_, "frontdoor_sink_failing"), 1);
  const double failed_at =
      SpoolMetric(*client_, "frontdoor_sink_last_failure_timestamp_seconds");
  EXPECT_GT(failed_at, 1.7e9);  // Unix seconds on the real clock (after 2023)

  const std::vector<std::string> ids = Intake(20, 100);
  ASSERT_EQ(ids.size(), 20u);
  // Each contact is stored with its letter; the letters wait in the outbox.
  EXPECT_GE(SpoolMetric(*client_, "frontdoor_outbox_backlog"), 20);
  Reply letters = client_->Get("/v1/contacts/" + ids[0] + "/letters", kTriageToken);
  EXPECT_EQ(letters.status, 200);
  EXPECT_EQ(SpoolReadiness(*client_), "failing: Not a directory");
  EXPECT_GT(SpoolMetric(*client_, "frontdoor_outbox_failures_total"), 0);
  // /readyz has no token: it shows the cause, never paths or ids.
  EXPECT_THAT(client_->Get("/readyz", "").body, ::testing::Not(HasSubstr(dir_.path().string())));

  // The operator moves the file away; the spool is made at the next retry.
  std::filesystem::remove(blocker);
  ExpectRecoveredWithEveryLetter(ids);
  EXPECT_GE(SpoolMetric(*client_, "frontdoor_sink_last_failure_timestamp_seconds"), failed_at);
  EXPECT_EQ(server_->Terminate(), 0);
}

TEST_F(SpoolFaultsTest, ASpoolFolderReplacedByAFileWhileServingRecovers) {
  StartWithSpool(dir_.path() / "spool");
  const std::vector<std::string> before = Intake(1, 200);
  ASSERT_TRUE(Eventually([&] { return Acknowledged().size() == 1; }));
  EXPECT_EQ(SpoolReadiness(*client_), "ok");

  std::filesystem::remove_all(spool_ / "letters");
  std::ofstream(spool_ / "letters") << "not a folder\n";
  std::vector<std::string> ids = Intake(10, 210);
  ASSERT_EQ(ids.size(), 10u);
  EXPECT_TRUE(Eventually([&] { return SpoolReadiness(*client_) == "failing: Not a directory"; }))
      << SpoolReadiness(*client_);
  EXPECT_EQ(SpoolMetric(*client_, "frontdoor_sink_failing"), 1);
  ids.push_back(Intake(1, 230).at(0));

  std::filesystem::remove(spool_ / "letters");
  ExpectRecoveredWithEveryLetter(ids);
  EXPECT_EQ(server_->Terminate(), 0);
}

// A tmpfs mounted on the spool folder and remounted read-only under the
// running server, as a disk that fails is remounted by the kernel.
class ReadOnlySpool {
 public:
  explicit ReadOnlySpool(std::filesystem::path dir) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    mounted_ = ::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=8m") == 0;
    if (!mounted_) error_ = std::strerror(errno);
  }
  ~ReadOnlySpool() {
    if (mounted_ && ::umount(dir_.c_str()) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  bool Remount(bool read_only) {
    unsigned long flags = MS_REMOUNT | MS_NOSUID | MS_NODEV | (read_only ? MS_RDONLY : 0);
    return ::mount("tmpfs", dir_.c_str(), "tmpfs", flags, "size=8m") == 0;
  }

 private:
  std::filesystem::path dir_;
  bool mounted_ = false;
  std::string error_;
};

TEST_F(SpoolFaultsTest, ASpoolRemountedReadOnlyWhileServingRecovers) {
  ReadOnlySpool disk(dir_.path() / "spool");
  if (!disk.mounted()) GTEST_SKIP() << "cannot mount a tmpfs here: " << disk.error();
  StartWithSpool(dir_.path() / "spool");
  Intake(1, 300);
  ASSERT_TRUE(Eventually([&] { return Acknowledged().size() == 1; }));

  ASSERT_TRUE(disk.Remount(true)) << std::strerror(errno);
  std::vector<std::string> ids = Intake(10, 310);
  ASSERT_EQ(ids.size(), 10u);
  EXPECT_TRUE(
      Eventually([&] { return SpoolReadiness(*client_) == "failing: Read-only file system"; }))
      << SpoolReadiness(*client_);
  EXPECT_EQ(SpoolMetric(*client_, "frontdoor_sink_failing"), 1);
  EXPECT_EQ(client_->Get("/readyz", "").status, 200);

  ASSERT_TRUE(disk.Remount(false)) << std::strerror(errno);
  ExpectRecoveredWithEveryLetter(ids);
  EXPECT_EQ(server_->Terminate(), 0);
}

}  // namespace
}  // namespace frontdoor::testing
