// SPDX-License-Identifier: Apache-2.0
#include "http/json_api.h"
#include "model/health_report.h"

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

class FakeState final : public StateSource {
 public:
  std::vector<std::shared_ptr<const model::TargetState>> targets;
  std::vector<std::shared_ptr<const model::TargetState>> Targets() const override {
    return targets;
  }
  std::shared_ptr<const model::TargetState> Target(std::string_view name) const override {
    for (const auto& t : targets) {
      if (t->name == name) return t;
    }
    return nullptr;
  }
};

std::shared_ptr<const model::TargetState> Healthy(std::string name) {
  auto s = std::make_shared<model::TargetState>();
  s->name = std::move(name);
  s->reachability = model::Reachability::kUp;
  auto report = std::make_shared<model::HealthReport>();
  report->status = model::HealthStatus::kHealthy;
  model::Finding f;
  f.id = "index.unused";
  f.severity = model::Severity::kWarning;
  f.object = "app.public.orders_idx";
  report->findings.push_back(f);
  s->report = report;
  auto snap = std::make_shared<model::Snapshot>();
  model::Backend b;
  b.backend_type = "client backend";
  b.state = "idle in transaction";
  b.xact_age_seconds = 42;
  snap->activity.push_back(b);
  s->current = snap;
  return s;
}

class JsonApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_.targets = {Healthy("a")};
    context_.state = &state_;
    context_.clock = &clock_;
    context_.collect_now = [this](std::string_view name) {
      collected_.emplace_back(name);
      return name == "a";
    };
    ASSERT_TRUE(AddApiRoutes(router_, context_).ok());
  }

  Response Call(const std::string& method, const std::string& path, const std::string& query = "") {
    const RouteMatch m = router_.Match(method, path);
    if (m.kind != RouteMatch::Kind::kFound) return NotFoundResponse(path);
    Request r;
    r.method = method;
    r.path = path;
    r.params = m.params;
    auto parsed = ParseQuery(query);
    if (parsed.has_value()) r.query = *parsed;
    return m.route->handler(r);
  }

  static nlohmann::json Body(const Response& r) { return nlohmann::json::parse(r.Body()); }

  FakeState state_;
  FixedClock clock_;
  ApiContext context_;
  Router router_;
  std::vector<std::string> collected_;
};

TEST_F(JsonApiTest, HealthOfTheOnlyTargetNeedsNoTargetParameter) {
  const Response r = Call("GET", "/api/v1/health");
  ASSERT_EQ(r.status, 200) << r.Body();
  EXPECT_EQ(Body(r)["name"], "a");
  EXPECT_EQ(Body(r)["status"], "healthy");
  EXPECT_EQ(Body(r)["connections"]["idle in transaction"], 1);
}

TEST_F(JsonApiTest, SeveralTargetsWithoutOneNamedListEveryTarget) {
  state_.targets.push_back(Healthy("b"));
  const Response r = Call("GET", "/api/v1/health", "type=indexes");
  ASSERT_EQ(r.status, 200);
  ASSERT_EQ(Body(r)["targets"].size(), 2u);
  EXPECT_EQ(Body(r)["targets"][1]["findings"][0]["id"], "index.unused");
  EXPECT_EQ(Call("GET", "/api/v1/health/database").status, 400);  // which one?
}

// Health bodies are rendered once per state: a request after a state change must see the new
// state, never the body cached for the old one; views are cached apart.
TEST_F(JsonApiTest, HealthBodyFollowsEveryStateChangeDespiteTheCache) {
  const Response first = Call("GET", "/api/v1/health");
  // The same rendering, shared with the cache rather than copied into each response.
  ASSERT_NE(first.shared_body, nullptr);
  EXPECT_EQ(Call("GET", "/api/v1/health").shared_body, first.shared_body);
  EXPECT_EQ(Body(first)["status"], "healthy");

  auto next = std::make_shared<model::TargetState>(*state_.targets[0]);
  next->sequence += 1;
  next->reachability = model::Reachability::kUnreachable;
  state_.targets[0] = next;
  const Response second = Call("GET", "/api/v1/health");
  EXPECT_EQ(Body(second)["status"], "unreachable") << second.Body();
  EXPECT_NE(second.Body(), first.Body());

  const Response indexes = Call("GET", "/api/v1/health", "type=indexes");
  EXPECT_EQ(Body(indexes)["findings"][0]["id"], "index.unused");
  EXPECT_NE(indexes.Body(), second.Body());
  // The list of several targets is built from the same renderings, byte for byte as before.
  state_.targets.push_back(Healthy("b"));
  const Response both = Call("GET", "/api/v1/health");
  nlohmann::json expected = {
      {"targets", {Body(second), Body(Call("GET", "/api/v1/health", "target=b"))}}};
  EXPECT_EQ(both.Body(), expected.dump());
}

TEST_F(JsonApiTest, BadParametersAre400AndUnknownTargets404) {
  const Response bad = Call("GET", "/api/v1/health", "type=everything");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(Body(bad)["error"]["code"], "bad_request");
  EXPECT_NE(Body(bad)["error"]["message"].get<std::string>().find("overview"), std::string::npos);
  EXPECT_EQ(Call("GET", "/api/v1/health", "target=zz").status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/findings", "severity=loud").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/findings", "target=zz").status, 404);
}

TEST_F(JsonApiTest, FindingsFilterBySeverityAndId) {
  EXPECT_EQ(Body(Call("GET", "/api/v1/findings", "severity=warning"))["count"], 1);
  EXPECT_EQ(Body(Call("GET", "/api/v1/findings", "severity=critical"))["count"], 0);
  EXPECT_EQ(Body(Call("GET", "/api/v1/findings", "id=index"))["count"], 1);
  EXPECT_EQ(Body(Call("GET", "/api/v1/findings", "id=table"))["count"], 0);
}

TEST_F(JsonApiTest, DatabaseHealthIs503WhenUnreachable) {
  EXPECT_EQ(Call("GET", "/api/v1/health/database").status, 200);
  auto down = std::make_shared<model::TargetState>(*state_.targets[0]);
  down->reachability = model::Reachability::kUnreachable;
  state_.targets[0] = down;
  const Response r = Call("GET", "/api/health/database");  // the seed-era alias
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(Body(r)["status"], "unreachable");
}

TEST_F(JsonApiTest, HistoryWithoutAStoreIs503) {
  EXPECT_EQ(Call("GET", "/api/v1/history", "metric=x").status, 503);
}

TEST_F(JsonApiTest, CollectNowReachesTheMonitorOr404) {
  EXPECT_EQ(Call("POST", "/api/v1/targets/a/collect").status, 202);
  EXPECT_EQ(Call("POST", "/api/v1/targets/zz/collect").status, 404);
  EXPECT_EQ(collected_, (std::vector<std::string>{"a", "zz"}));
  EXPECT_EQ(router_.Match("POST", "/api/v1/targets/a/collect").route->min_role, Role::kOperator);
}

TEST(ParseTimeParameter, ReadsAbsoluteRelativeAndEpochTimes) {
  const common::Timestamp now(std::chrono::seconds(1'800'000'000));
  EXPECT_EQ(*ParseTimeParameter("now", now), now);
  EXPECT_EQ(*ParseTimeParameter("now-1h", now), now - std::chrono::hours(1));
  EXPECT_EQ(*ParseTimeParameter("-5min", now), now - std::chrono::minutes(5));
  EXPECT_EQ(*ParseTimeParameter("1800000000", now), now);
  EXPECT_EQ(*ParseTimeParameter("2027-01-15T08:00:00Z", now), now);
  EXPECT_FALSE(ParseTimeParameter("yesterday", now).has_value());
  EXPECT_FALSE(ParseTimeParameter("now-soon", now).has_value());
}

}  // namespace
}  // namespace pgvigil::http
