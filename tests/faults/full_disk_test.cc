// The real server on a real full disk (issue 11): its data folder is a
// 96 MB tmpfs (the suite runs as root, as CI does), 32 MiB of it the
// store's reserve. Contacts are posted until the disk fills; the refused
// one answers 503 with Retry-After and acknowledges nothing, /readyz says
// writes are refused, and people can still read (the released reserve
// takes their audit rows); once the tmpfs is grown the server takes
// contacts again by itself, and after a restart every acknowledged contact
// is there.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/mount.h>

#include <string>
#include <vector>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

using ::testing::HasSubstr;

// A contact whose narrative is near the 20,000-character limit, so the
// disk fills in a few thousand contacts.
std::string BigContact(int variant) {
  std::string body = ContactJson(variant);
  const std::string tail = "This text is made up for tests.";
  std::string filler;
  while (filler.size() < 18'000) filler += " Synthetic filler text, not about anyone.";
  body.replace(body.find(tail), tail.size(), tail + filler);
  return body;
}

class FullDiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(disk_);
    ASSERT_EQ(::mount("tmpfs", disk_.c_str(), "tmpfs", 0, "size=96m"), 0)
        << "this test mounts a 96 MB tmpfs and needs root (CI runs the suite as root): "
        << std::strerror(errno);
    mounted_ = true;
  }
  void TearDown() override {
    server_.reset();
    if (mounted_) ::umount2(disk_.c_str(), MNT_DETACH);
  }
  void Start() {
    // The data folder is the mount point; the server's log sits beside it.
    server_ = ServerProcess::Start({WriteConfig(dir_.path()), disk_});
    ASSERT_NE(server_, nullptr);
  }

  TempDir dir_;
  std::filesystem::path disk_ = dir_.path() / "disk";
  bool mounted_ = false;
  std::unique_ptr<ServerProcess> server_;
};

TEST_F(FullDiskTest, AFullDiskRefusesContactsWith503AndTheServerRecoversByItself) {
  ASSERT_NO_FATAL_FAILURE(Start());
  HttpClient client(server_->port());
  std::vector<std::string> acknowledged;
  Reply refused;
  for (int n = 0; n < 20'000; ++n) {
    Reply reply = client.Post("/v1/contacts", kPartnerToken, BigContact(n));
    if (reply.status != 201) {
      refused = reply;
      break;
    }
    acknowledged.push_back(reply.str("id"));
  }
  std::printf("%zu contacts acknowledged before the disk was full\n", acknowledged.size());
  ASSERT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(refused.headers["retry-after"], "1");
  ASSERT_FALSE(acknowledged.empty());

  Reply ready = client.Get("/readyz", "");
  EXPECT_EQ(ready.status, 503) << ready.body;
  EXPECT_THAT(ready.body, HasSubstr("writes-refused"));
  EXPECT_EQ(client.Get("/healthz", "").status, 200);
  // Reads keep working.
  EXPECT_EQ(client.Get("/v1/contacts/" + acknowledged.back(), kTriageToken).status, 200);
  EXPECT_EQ(client.Get("/v1/worklist", kTriageToken).status, 200);

  // Space comes back: no restart, the next probe or contact resumes writes.
  ASSERT_EQ(::mount("tmpfs", disk_.c_str(), "tmpfs", MS_REMOUNT, "size=512m"), 0);
  EXPECT_EQ(client.Get("/readyz", "").status, 200);
  Reply after = client.Post("/v1/contacts", kPartnerToken, BigContact(99'999));
  ASSERT_EQ(after.status, 201) << after.body;
  acknowledged.push_back(after.str("id"));
  // No id handed out twice.
  EXPECT_EQ(std::count(acknowledged.begin(), acknowledged.end(), after.str("id")), 1);

  EXPECT_EQ(server_->Terminate(), 0);
  ASSERT_NO_FATAL_FAILURE(Start());
  HttpClient again(server_->port());
  for (const std::string& id : acknowledged) {
    ASSERT_EQ(again.Get("/v1/contacts/" + id, kTriageToken).status, 200) << id;
  }
}

}  // namespace
}  // namespace frontdoor::testing
