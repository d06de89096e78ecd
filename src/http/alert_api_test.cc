// SPDX-License-Identifier: Apache-2.0
#include "http/alert_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pgvigil::http {
namespace {

class FixedClock final : public common::Clock {
 public:
  common::Timestamp Now() const override {
    return common::Timestamp(std::chrono::seconds(1'800'000'000));
  }
  std::chrono::steady_clock::time_point SteadyNow() const override { return {}; }
};

// Records what the routes ask; alert 7 exists and is firing, alert 8 is resolved.
class FakeService final : public AlertService {
 public:
  common::Result<std::vector<model::Alert>> ListAlerts(const store::AlertFilter& f) override {
    last_filter = f;
    model::Alert a;
    a.id = 7;
    a.target = "main";
    a.check_id = "locks.blocking";
    a.object = "pid 42";
    a.severity = model::Severity::kCritical;
    return std::vector<model::Alert>{a};
  }
  common::Result<model::Alert> Act(const AlertActionRequest& request) override {
    last = request;
    if (request.alert_id == 8) return common::InvalidArgumentError("alert 8 is resolved");
    if (request.alert_id != 7) return common::NotFoundError("no alert 99");
    model::Alert a;
    a.id = 7;
    a.state = model::AlertState::kAcknowledged;
    a.acked_by = request.actor;
    return a;
  }
  store::AlertFilter last_filter;
  AlertActionRequest last;
};

class AlertApiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(AddAlertRoutes(router_, service_, clock_).ok()); }

  Response Call(const std::string& method, const std::string& path, const std::string& query,
                const std::string& body = "") {
    const RouteMatch m = router_.Match(method, path);
    if (m.kind != RouteMatch::Kind::kFound) return NotFoundResponse(path);
    Request r;
    r.method = method;
    r.path = path;
    r.params = m.params;
    auto parsed = ParseQuery(query);
    if (parsed.has_value()) r.query = *parsed;
    r.body = body;
    r.principal = {"alice", Role::kOperator};
    EXPECT_EQ(m.route->min_role, method == "GET" ? Role::kViewer : Role::kOperator);
    return m.route->handler(r);
  }

  FakeService service_;
  FixedClock clock_;
  Router router_;
};

TEST_F(AlertApiTest, ListPassesTheFiltersAndShowsTheAlert) {
  const Response r = Call("GET", "/api/v1/alerts", "state=firing&severity=critical&target=main");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(service_.last_filter.state, model::AlertState::kFiring);
  EXPECT_EQ(service_.last_filter.severity, model::Severity::kCritical);
  EXPECT_EQ(service_.last_filter.target, "main");
  const auto body = nlohmann::json::parse(r.body);
  ASSERT_EQ(body["alerts"].size(), 1u);
  EXPECT_EQ(body["alerts"][0]["check_id"], "locks.blocking");
  EXPECT_EQ(body["alerts"][0]["severity"], "critical");
  EXPECT_EQ(body["alerts"][0]["state"], "firing");
}

TEST_F(AlertApiTest, ABadFilterIs400) {
  EXPECT_EQ(Call("GET", "/api/v1/alerts", "state=open").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/alerts", "severity=loud").status, 400);
}

TEST_F(AlertApiTest, AcknowledgeNamesThePrincipalAsActor) {
  const Response r =
      Call("PATCH", "/api/v1/alerts/7", "", R"({"action":"acknowledge","note":"on it"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(service_.last.alert_id, 7);
  EXPECT_EQ(service_.last.action, AlertAction::kAcknowledge);
  EXPECT_EQ(service_.last.note, "on it");
  EXPECT_EQ(service_.last.actor, "alice");
  EXPECT_EQ(nlohmann::json::parse(r.body)["acked_by"], "alice");
}

TEST_F(AlertApiTest, ErrorsAre404Or400WithTheReason) {
  EXPECT_EQ(Call("PATCH", "/api/v1/alerts/99", "", R"({"action":"resolve"})").status, 404);
  EXPECT_EQ(Call("PATCH", "/api/v1/alerts/abc", "", R"({"action":"resolve"})").status, 404);
  const Response bad = Call("PATCH", "/api/v1/alerts/7", "", R"({"action":"snooze"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("snooze"), std::string::npos) << bad.body;
  EXPECT_EQ(Call("PATCH", "/api/v1/alerts/7", "", "{not json").status, 400);
  EXPECT_EQ(Call("PATCH", "/api/v1/alerts/7", "", R"({"note":"x"})").status, 400);
  EXPECT_EQ(Call("PATCH", "/api/v1/alerts/7", "", R"({"action":"silence"})").status, 400);
  const Response resolved = Call("PATCH", "/api/v1/alerts/8", "", R"({"action":"resolve"})");
  EXPECT_EQ(resolved.status, 400);
  EXPECT_NE(resolved.body.find("resolved"), std::string::npos);
}

TEST_F(AlertApiTest, SilenceTakesARelativeUntil) {
  const Response r =
      Call("PATCH", "/api/v1/alerts/7", "", R"({"action":"silence","until":"now+1h"})");
  ASSERT_EQ(r.status, 200) << r.body;
  ASSERT_TRUE(service_.last.until.has_value());
  EXPECT_EQ(*service_.last.until, clock_.Now() + std::chrono::hours(1));
}

TEST_F(AlertApiTest, SeedEraAliasTakesTheIdFromTheBody) {
  const Response r =
      Call("PATCH", "/api/database/alerts", "", R"({"alertId":"7","action":"acknowledge"})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(service_.last.alert_id, 7);
  EXPECT_EQ(Call("PATCH", "/api/database/alerts", "", R"({"action":"resolve"})").status, 400);
  EXPECT_EQ(Call("GET", "/api/database/alerts", "").status, 200);
}

}  // namespace
}  // namespace pgvigil::http
