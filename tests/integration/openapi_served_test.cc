// GET /v1/openapi.json through the real server: open to anyone, JSON, and
// exactly docs/openapi.json as the repository holds it (the document's own
// checks are tests/adapters/openapi_test.cc and tests/openapi).
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/integration/server_harness.h"

namespace frontdoor::testing {
namespace {

TEST(OpenApiServed, TheDocumentIsServedWithoutAToken) {
  TempDir dir("openapi");
  auto server = ServerProcess::Start({WriteConfig(dir.path()), dir.path() / "data"});
  ASSERT_TRUE(server);
  HttpClient client(server->port());
  Reply r = client.Get("/v1/openapi.json", "");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/json");
  std::ifstream in(std::string(FRONTDOOR_SOURCE_DIR) + "/docs/openapi.json", std::ios::binary);
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_TRUE(r.body == file.str()) << "the served document is not docs/openapi.json";
  ASSERT_TRUE(r.json.is_object());
  EXPECT_EQ(r.at("openapi"), "3.1.0");
  EXPECT_TRUE(r.at("paths").as_object().contains("/v1/openapi.json"));
  // A token does no harm, and another method is refused as elsewhere.
  EXPECT_EQ(client.Get("/v1/openapi.json", kPartnerToken).status, 200);
  EXPECT_EQ(client.Post("/v1/openapi.json", kAdminToken, "{}").status, 405);
}

}  // namespace
}  // namespace frontdoor::testing
