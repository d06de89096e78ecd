// SPDX-License-Identifier: Apache-2.0
#include "http/router.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pgvigil::http {
namespace {

Handler Named(std::string name) {
  return [name](const Request&) { return Response::Json("\"" + name + "\""); };
}

Router MakeRouter() {
  Router router;
  EXPECT_TRUE(router.Add("GET", "/api/v1/alerts", Role::kViewer, Named("list")).ok());
  EXPECT_TRUE(router.Add("GET", "/api/v1/alerts/{id}", Role::kViewer, Named("one")).ok());
  EXPECT_TRUE(router.Add("PATCH", "/api/v1/alerts/{id}", Role::kOperator, Named("patch")).ok());
  EXPECT_TRUE(router.Add("GET", "/api/v1/alerts/summary", Role::kViewer, Named("summary")).ok());
  EXPECT_TRUE(router.Add("GET", "/assets/{path...}", Role::kViewer, Named("asset")).ok());
  return router;
}

TEST(Router, MatchesLiteralRoutes) {
  const Router router = MakeRouter();
  const RouteMatch m = router.Match("GET", "/api/v1/alerts");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route->pattern, "/api/v1/alerts");
  EXPECT_TRUE(m.params.empty());
}

TEST(Router, ExtractsDecodedParameters) {
  const Router router = MakeRouter();
  const RouteMatch m = router.Match("PATCH", "/api/v1/alerts/a%2Fb%20c");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route->min_role, Role::kOperator);
  EXPECT_EQ(m.params.at("id"), "a/b c");
}

TEST(Router, PrefersALiteralSegmentOverAParameter) {
  const Router router = MakeRouter();
  EXPECT_EQ(router.Match("GET", "/api/v1/alerts/summary").route->pattern, "/api/v1/alerts/summary");
  EXPECT_EQ(router.Match("GET", "/api/v1/alerts/17").route->pattern, "/api/v1/alerts/{id}");
}

TEST(Router, RestParameterTakesTheRemainingPath) {
  const Router router = MakeRouter();
  const RouteMatch m = router.Match("GET", "/assets/js/app.js");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.params.at("path"), "js/app.js");
}

TEST(Router, HeadUsesTheGetRoute) {
  const Router router = MakeRouter();
  const RouteMatch m = router.Match("HEAD", "/api/v1/alerts/3");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kFound);
  EXPECT_EQ(m.route->method, "GET");
}

TEST(Router, UnknownPathIsNotFound) {
  const Router router = MakeRouter();
  EXPECT_EQ(router.Match("GET", "/api/v1/nope").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router.Match("GET", "/api/v1/alerts/").kind, RouteMatch::Kind::kNotFound);
  EXPECT_EQ(router.Match("GET", "/api/v1/alerts/1/2").kind, RouteMatch::Kind::kNotFound);
}

TEST(Router, WrongMethodListsTheAllowedOnes) {
  const Router router = MakeRouter();
  const RouteMatch m = router.Match("DELETE", "/api/v1/alerts/3");
  ASSERT_EQ(m.kind, RouteMatch::Kind::kMethodNotAllowed);
  EXPECT_EQ(m.allow, "GET, HEAD, PATCH");
}

TEST(Router, RejectsMalformedAndDuplicatePatterns) {
  Router router;
  EXPECT_FALSE(router.Add("GET", "api", Role::kViewer, Named("x")).ok());
  EXPECT_FALSE(router.Add("GET", "/a/{}", Role::kViewer, Named("x")).ok());
  EXPECT_FALSE(router.Add("GET", "/a/x{id}", Role::kViewer, Named("x")).ok());
  EXPECT_FALSE(router.Add("GET", "/a/{rest...}/b", Role::kViewer, Named("x")).ok());
  EXPECT_TRUE(router.Add("get", "/a/{id}", Role::kViewer, Named("x")).ok());
  EXPECT_EQ(router.routes().back().method, "GET");
  EXPECT_EQ(router.Add("GET", "/a/{id}", Role::kViewer, Named("y")).code(),
            common::StatusCode::kInvalidArgument);
}

TEST(ErrorResponses, UseTheJsonErrorShape) {
  const Response not_found = NotFoundResponse("/x");
  EXPECT_EQ(not_found.status, 404);
  EXPECT_EQ(nlohmann::json::parse(not_found.body)["error"]["code"], "not_found");
  const Response wrong = MethodNotAllowedResponse("PUT", "GET, HEAD");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(nlohmann::json::parse(wrong.body)["error"]["code"], "method_not_allowed");
  ASSERT_EQ(wrong.headers.size(), 1u);
  EXPECT_EQ(wrong.headers[0], (std::pair<std::string, std::string>("Allow", "GET, HEAD")));
}

TEST(Request, LooksUpHeadersCaseInsensitivelyAndQueryValuesInOrder) {
  Request r;
  r.headers = {{"content-type", "application/json"}};
  r.query = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  EXPECT_EQ(r.Header("Content-Type"), "application/json");
  EXPECT_FALSE(r.Header("accept").has_value());
  EXPECT_EQ(r.Query("a"), "1");
  EXPECT_EQ(r.QueryAll("a"), (std::vector<std::string_view>{"1", "3"}));
  EXPECT_FALSE(r.Query("c").has_value());
}

}  // namespace
}  // namespace pgvigil::http
