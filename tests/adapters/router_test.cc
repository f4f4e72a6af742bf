// The route table and the query string: patterns match whole paths and
// hand back their parameters, a known path with another method lists the
// methods it takes, and the worklist's parameters are read into the
// engine's query with every problem named.
#include "adapters/http/router.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/http/query_params.h"
#include "boost/url/parse.hpp"

namespace frontdoor {
namespace {

namespace http = boost::beast::http;
using ::testing::ElementsAre;
using ::testing::Field;
using ::testing::UnorderedElementsAre;

TEST(RouterTest, PatternsMatchWholePathsAndTakeTheirParameters) {
  std::vector<std::string> params;
  EXPECT_TRUE(
      Router::Matches("/v1/contacts/{id}/events", {"v1", "contacts", "FD-1", "events"}, &params));
  EXPECT_THAT(params, ElementsAre("FD-1"));
  EXPECT_FALSE(Router::Matches("/v1/contacts/{id}", {"v1", "contacts"}, &params));
  EXPECT_FALSE(Router::Matches("/v1/contacts/{id}", {"v1", "contacts", ""}, &params));
  EXPECT_FALSE(Router::Matches("/v1/contacts", {"v1", "contacts", "FD-1"}, &params));
}

TEST(RouterTest, FindsTheRouteOrTheMethodsThePathTakes) {
  Router router(ApiRoutes());
  Router::Match get = router.Find(http::verb::get, {"v1", "contacts", "FD-7"});
  ASSERT_NE(get.route, nullptr);
  EXPECT_EQ(get.route->pattern, "/v1/contacts/{id}");
  EXPECT_EQ(get.route->roles, roles::kPartner | roles::kTriage | roles::kManager);
  EXPECT_THAT(get.params, ElementsAre("FD-7"));

  Router::Match patch = router.Find(http::verb::patch, {"v1", "open-cases", "C-1"});
  EXPECT_EQ(patch.route, nullptr);
  EXPECT_EQ(patch.allow, "PUT, DELETE");

  Router::Match none = router.Find(http::verb::get, {"v1", "nothing"});
  EXPECT_EQ(none.route, nullptr);
  EXPECT_EQ(none.allow, "");
}

TEST(QueryParamsTest, WorklistQueryReadsEveryFilter) {
  auto url = boost::urls::parse_origin_form(
      "/v1/worklist?queue=mash&limit=5&source=POLICE&rag=RED&page_token=1:1000:FD-00000002");
  ASSERT_TRUE(url);
  std::vector<FieldError> errors;
  std::string queue;
  WorklistQuery q = ReadWorklistQuery(url->params(), &queue, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(queue, "mash");
  EXPECT_EQ(q.queue, Queue::kMash);
  EXPECT_EQ(q.limit, 5u);
  EXPECT_EQ(q.source, v1::Source::POLICE);
  EXPECT_EQ(q.rag, v1::Rag::RED);
  ASSERT_TRUE(q.after.has_value());
  EXPECT_EQ(q.after->contact_id, "FD-00000002");
  EXPECT_EQ(q.after->rank, 1);
}

TEST(QueryParamsTest, WorklistQueryNamesEveryBadParameter) {
  auto url = boost::urls::parse_origin_form(
      "/v1/worklist?queue=other&limit=0&source=NOPE&rag=PURPLE&page_token=x");
  ASSERT_TRUE(url);
  std::vector<FieldError> errors;
  std::string queue;
  ReadWorklistQuery(url->params(), &queue, errors);
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  EXPECT_THAT(fields, UnorderedElementsAre("queue", "limit", "source", "rag", "page_token"));
}

TEST(QueryParamsTest, DateRangeNeedsBothEndsInOrder) {
  std::vector<FieldError> errors;
  auto ok = boost::urls::parse_origin_form("/x?from=2026-11-01&to=2026-11-30");
  EXPECT_TRUE(ReadDateRange(ok->params(), errors).has_value());
  EXPECT_TRUE(errors.empty());
  auto reversed = boost::urls::parse_origin_form("/x?from=2026-11-30&to=2026-11-01");
  EXPECT_FALSE(ReadDateRange(reversed->params(), errors).has_value());
  EXPECT_THAT(errors, ElementsAre(Field(&FieldError::field, "to")));
}

}  // namespace
}  // namespace frontdoor
