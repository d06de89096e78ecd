// SPDX-License-Identifier: Apache-2.0
#include "http/dashboard_routes.h"

#include <gtest/gtest.h>

#include <string>

namespace pgvigil::http {
namespace {

constexpr DashboardAsset kAssets[] = {
    {"index.html", "\"i1\"", "<!doctype html>", "GZ-INDEX"},
    {"app.js", "\"a1\"", "export {};", "GZ-APP"},
};

Response Get(const Router& router, std::string path,
             std::vector<std::pair<std::string, std::string>> headers = {}) {
  const RouteMatch match = router.Match("GET", path);
  if (match.kind != RouteMatch::Kind::kFound) return NotFoundResponse(path);
  Request request;
  request.method = "GET";
  request.path = path;
  request.route = match.route->pattern;
  request.params = match.params;
  request.headers = std::move(headers);
  return match.route->handler(request);
}

std::string HeaderOf(const Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "";
}

TEST(DashboardRoutes, ServesIndexAndAssetsWithTypesAndCsp) {
  Router router;
  ASSERT_TRUE(AddDashboardRoutes(router, kAssets).ok());
  const Response index = Get(router, "/");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.body, "<!doctype html>");
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(HeaderOf(index, "Content-Security-Policy"), kDashboardCsp);
  EXPECT_EQ(HeaderOf(index, "ETag"), "\"i1\"");
  const Response app = Get(router, "/assets/app.js");
  EXPECT_EQ(app.status, 200);
  EXPECT_EQ(app.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(HeaderOf(app, "Content-Encoding"), "");
}

TEST(DashboardRoutes, GzipOnlyWhenAccepted) {
  Router router;
  ASSERT_TRUE(AddDashboardRoutes(router, kAssets).ok());
  const Response gz = Get(router, "/assets/app.js", {{"accept-encoding", "gzip, deflate, br"}});
  EXPECT_EQ(gz.body, "GZ-APP");
  EXPECT_EQ(HeaderOf(gz, "Content-Encoding"), "gzip");
  const Response refused = Get(router, "/assets/app.js", {{"accept-encoding", "gzip;q=0, br"}});
  EXPECT_EQ(refused.body, "export {};");
}

TEST(DashboardRoutes, NotModifiedOnMatchingEtag) {
  Router router;
  ASSERT_TRUE(AddDashboardRoutes(router, kAssets).ok());
  const Response r = Get(router, "/assets/app.js", {{"if-none-match", "\"a1\""}});
  EXPECT_EQ(r.status, 304);
  EXPECT_TRUE(r.body.empty());
  // The gzip representation has its own ETag; the plain one's does not validate it.
  const Response gz =
      Get(router, "/assets/app.js", {{"if-none-match", "\"a1\""}, {"accept-encoding", "gzip"}});
  EXPECT_EQ(gz.status, 200);
  EXPECT_EQ(HeaderOf(gz, "ETag"), "\"a1-gz\"");
  const Response gz304 =
      Get(router, "/assets/app.js", {{"if-none-match", "\"a1-gz\""}, {"accept-encoding", "gzip"}});
  EXPECT_EQ(gz304.status, 304);
}

TEST(DashboardRoutes, UnknownNamesAndTraversalAre404) {
  Router router;
  ASSERT_TRUE(AddDashboardRoutes(router, kAssets).ok());
  EXPECT_EQ(Get(router, "/assets/missing.js").status, 404);
  EXPECT_EQ(Get(router, "/assets/../app.js").status, 404);
  EXPECT_EQ(Get(router, "/assets/x/app.js").status, 404);
  EXPECT_EQ(Get(router, "/assets/%2e%2e%2fapp.js").status, 404);
  EXPECT_EQ(Get(router, "/assets/index.html").status, 404);  // only as "/"
}

TEST(DashboardRoutes, WhoamiNamesTheTokenAndRole) {
  Router router;
  ASSERT_TRUE(AddDashboardRoutes(router, kAssets).ok());
  const RouteMatch match = router.Match("GET", "/api/v1/whoami");
  ASSERT_EQ(match.kind, RouteMatch::Kind::kFound);
  Request request;
  request.principal = {"ops", Role::kOperator};
  EXPECT_EQ(match.route->handler(request).body, R"({"name":"ops","role":"operator"})");
}

TEST(AcceptsGzip, ReadsCodingsAndQualities) {
  EXPECT_TRUE(AcceptsGzip("gzip"));
  EXPECT_TRUE(AcceptsGzip("br, GZIP;q=0.5"));
  EXPECT_TRUE(AcceptsGzip("*"));
  EXPECT_FALSE(AcceptsGzip("br, deflate"));
  EXPECT_FALSE(AcceptsGzip("gzip;q=0"));
  EXPECT_FALSE(AcceptsGzip(""));
}

}  // namespace
}  // namespace pgvigil::http
