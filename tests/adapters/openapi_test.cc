// The OpenAPI document (docs/openapi.json) against the server it describes:
// every method and path the server answers is documented and every
// documented one is answered, with the same roles (`x-roles`); every 4xx is
// an application/problem+json problem; every schema that names a protobuf
// message (`x-proto`) has exactly that message's JSON field names, lists
// where the message has repeated fields, and every enum schema
// (`x-proto-enum`) exactly the enum's codes; and the binary serves the file
// byte for byte. Each failure names everything missing on either side.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "adapters/http/auth.h"
#include "adapters/http/openapi_document.h"
#include "adapters/http/router.h"
#include "boost/json.hpp"
#include "frontdoor/v1/api.pb.h"
#include "frontdoor/v1/audit.pb.h"
#include "frontdoor/v1/delivery.pb.h"
#include "frontdoor/v1/reports.pb.h"
#include "google/protobuf/descriptor.h"

namespace frontdoor {
namespace {

namespace http = boost::beast::http;
namespace json = boost::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

const std::string kPath = std::string(FRONTDOOR_SOURCE_DIR) + "/docs/openapi.json";

class OpenApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    text_ = ReadFile(kPath);
    ASSERT_FALSE(text_.empty()) << kPath;
    boost::system::error_code ec;
    doc_ = json::parse(text_, ec);
    ASSERT_FALSE(ec) << kPath << ": " << ec.message();
    ASSERT_TRUE(doc_.is_object());
  }

  const json::object& Paths() const { return doc_.at("paths").as_object(); }

  // Follows a local "$ref" ("#/components/responses/NotFound").
  const json::value& Resolve(const json::value& node) const {
    const json::value* at = &node;
    while (at->is_object() && at->as_object().contains("$ref")) {
      std::string ref(at->as_object().at("$ref").as_string());
      if (ref.rfind("#", 0) != 0) break;
      at = &doc_.at_pointer(ref.substr(1));
    }
    return *at;
  }

  std::string text_;
  json::value doc_;
};

std::string Key(http::verb method, std::string_view pattern) {
  std::string m(http::to_string(method));
  for (char& c : m) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return m + " " + std::string(pattern);
}

const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch", "head", "options"};

std::set<std::string> RoleNames(RoleMask mask) {
  std::set<std::string> names;
  for (Role r : {Role::kPartner, Role::kTriage, Role::kManager, Role::kAdmin, Role::kCaseSystem}) {
    if ((mask & Bit(r)) != 0) names.insert(std::string(RoleName(r)));
  }
  return names;
}

std::string Join(const std::set<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += "\n  " + item;
  return out.empty() ? " (none)" : out;
}

TEST_F(OpenApiTest, EveryRouteTheServerAnswersIsDocumented) {
  std::set<std::string> missing;
  for (const ServedRoute& route : ServedRoutes()) {
    std::string method = Key(route.method, "");
    method.pop_back();
    const json::value* item = Paths().if_contains(route.pattern);
    if (item == nullptr || !item->as_object().contains(method)) {
      missing.insert(Key(route.method, route.pattern));
    }
  }
  EXPECT_TRUE(missing.empty()) << "served but not in docs/openapi.json:" << Join(missing);
}

TEST_F(OpenApiTest, EveryDocumentedRouteIsServed) {
  std::set<std::string> served;
  for (const ServedRoute& route : ServedRoutes()) served.insert(Key(route.method, route.pattern));
  std::set<std::string> missing;
  for (const auto& [path, item] : Paths()) {
    for (const auto& [method, op] : item.as_object()) {
      if (!kMethods.contains(std::string(method))) continue;
      std::string key = std::string(method) + " " + std::string(path);
      if (!served.contains(key)) missing.insert(key);
    }
  }
  EXPECT_TRUE(missing.empty()) << "in docs/openapi.json but not served (ServedRoutes()):"
                               << Join(missing);
}

TEST_F(OpenApiTest, RolesAreTheRouteTables) {
  for (const ServedRoute& route : ServedRoutes()) {
    std::string method = Key(route.method, "");
    method.pop_back();
    const json::value* item = Paths().if_contains(route.pattern);
    if (item == nullptr || !item->as_object().contains(method)) continue;  // reported above
    const json::object& op = item->as_object().at(method).as_object();
    std::string where = Key(route.method, route.pattern);
    ASSERT_TRUE(op.contains("x-roles")) << where << " has no x-roles";
    std::set<std::string> documented;
    for (const json::value& role : op.at("x-roles").as_array()) {
      documented.insert(std::string(role.as_string()));
    }
    EXPECT_EQ(documented, RoleNames(route.roles)) << where;
    ASSERT_TRUE(op.contains("security")) << where << " has no security";
    const json::array& security = op.at("security").as_array();
    if (route.roles == roles::kPublic && !op.contains("x-loopback-public")) {
      EXPECT_TRUE(security.empty()) << where << " is open to anyone: security must be []";
    } else {
      EXPECT_FALSE(security.empty()) << where << " needs a token: say which in security";
    }
  }
}

TEST_F(OpenApiTest, Every4xxIsAProblem) {
  std::set<std::string> wrong;
  size_t seen = 0;
  for (const auto& [path, item] : Paths()) {
    for (const auto& [method, op] : item.as_object()) {
      if (!kMethods.contains(std::string(method))) continue;
      for (const auto& [status, response] : op.at("responses").as_object()) {
        if (status.empty() || status[0] != '4') continue;
        ++seen;
        const json::value& r = Resolve(response);
        const json::object* content = r.as_object().if_contains("content")
                                          ? &r.as_object().at("content").as_object()
                                          : nullptr;
        if (content == nullptr || !content->contains("application/problem+json")) {
          wrong.insert(std::string(method) + " " + std::string(path) + " " + std::string(status));
        }
      }
    }
  }
  EXPECT_GT(seen, 0u);
  EXPECT_TRUE(wrong.empty()) << "4xx answers without application/problem+json:" << Join(wrong);
}

// Links each proto file's descriptors into this binary (a static library
// contributes only what is referenced), so the generated pool has them all.
void LinkDescriptors() {
  (void)v1::EventList::descriptor();
  (void)v1::AuditRecordList::descriptor();
  (void)v1::DeliveryList::descriptor();
  (void)v1::AnnexAContact::descriptor();
}

TEST_F(OpenApiTest, SchemasAreTheProtos) {
  LinkDescriptors();
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  const json::object& schemas = doc_.at_pointer("/components/schemas").as_object();
  size_t messages = 0;
  size_t enums = 0;
  for (const auto& [name, node] : schemas) {
    const json::object& schema = node.as_object();
    if (const json::value* proto = schema.if_contains("x-proto")) {
      ++messages;
      std::string full(proto->as_string());
      const auto* message = pool->FindMessageTypeByName(full);
      ASSERT_NE(message, nullptr) << name << ": x-proto " << full << " is no message";
      ASSERT_TRUE(schema.contains("properties")) << name;
      const json::object& properties = schema.at("properties").as_object();
      std::set<std::string> in_proto, in_schema, lists;
      for (int i = 0; i < message->field_count(); ++i) {
        const auto* field = message->field(i);
        // The wire names (adapters/json writes proto field names).
        in_proto.insert(field->name());
        if (field->is_repeated() && !field->is_map()) lists.insert(field->name());
      }
      for (const auto& [property, unused] : properties) in_schema.insert(std::string(property));
      std::set<std::string> only_proto, only_schema;
      std::set_difference(in_proto.begin(), in_proto.end(), in_schema.begin(), in_schema.end(),
                          std::inserter(only_proto, only_proto.end()));
      std::set_difference(in_schema.begin(), in_schema.end(), in_proto.begin(), in_proto.end(),
                          std::inserter(only_schema, only_schema.end()));
      EXPECT_TRUE(only_proto.empty() && only_schema.empty())
          << "schema " << name << " against " << full << ": in the proto only:" << Join(only_proto)
          << "\nin the schema only:" << Join(only_schema);
      for (const auto& [property, value] : properties) {
        if (!in_proto.contains(std::string(property))) continue;
        const json::value* type = value.as_object().if_contains("type");
        bool array = type != nullptr && type->is_string() && type->as_string() == "array";
        EXPECT_EQ(array, lists.contains(std::string(property)))
            << name << "." << property << ": a list in the proto must be an array here, and only"
            << " a list";
      }
    }
    if (const json::value* proto = schema.if_contains("x-proto-enum")) {
      ++enums;
      std::string full(proto->as_string());
      const auto* e = pool->FindEnumTypeByName(full);
      ASSERT_NE(e, nullptr) << name << ": x-proto-enum " << full << " is no enum";
      std::set<std::string> codes, documented;
      // The zero value is "not given" and never written.
      for (int i = 0; i < e->value_count(); ++i) {
        if (e->value(i)->number() != 0) codes.insert(e->value(i)->name());
      }
      for (const json::value& v : schema.at("enum").as_array()) {
        documented.insert(std::string(v.as_string()));
      }
      EXPECT_EQ(documented, codes) << "enum schema " << name << " against " << full;
    }
  }
  // The issue's own: the delivery and letter bodies are among them.
  for (const char* name : {"DeliveryList", "SubscriptionList", "LetterDeliveryList",
                           "LetterDelivery", "LetterPostedRequest"}) {
    EXPECT_TRUE(schemas.contains(name)) << name;
  }
  EXPECT_GT(messages, 30u);
  EXPECT_GT(enums, 10u);
}

TEST_F(OpenApiTest, TheServerServesTheFileByteForByte) {
  EXPECT_TRUE(OpenApiDocument() == text_)
      << "the built-in document differs from docs/openapi.json: rebuild";
}

}  // namespace
}  // namespace frontdoor
