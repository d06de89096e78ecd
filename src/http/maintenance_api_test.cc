// SPDX-License-Identifier: Apache-2.0
#include "http/maintenance_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace pgvigil::http {
namespace {

using model::OperationState;
using ::testing::HasSubstr;

// A scripted service: target "demo" exists; table "locked" is refused; everything else is
// planned (dry run) or queued. Records what the routes asked.
class FakeService final : public MaintenanceService {
 public:
  void Submit(model::MaintenanceRequest request, OperationsDone done) override {
    submitted.push_back(request);
    if (request.target != "demo") return done(common::NotFoundError("no target 'x'"));
    model::MaintenanceOperation op;
    op.id = 11;
    op.target = request.target;
    op.kind = request.kind;
    op.object = "public." + request.object;
    op.initiator = request.initiator;
    op.initiator_role = request.initiator_role;
    op.forced = request.force;
    op.reason = request.reason;
    if (request.object == "locked") {
      op.state = OperationState::kRefused;
      op.message = "no_conflict_server: autovacuum runs on it";
    } else {
      op.state = request.dry_run ? OperationState::kPlanned : OperationState::kQueued;
    }
    // Answer from another thread's point of view: the route must not care.
    done(std::vector<model::MaintenanceOperation>{op});
  }
  void SubmitRecovery(RecoveryApiRequest request, OperationDone done) override {
    recoveries.push_back(request);
    model::MaintenanceOperation op;
    op.id = 12;
    op.kind = model::OperationKind::kRecovery;
    op.state = request.dry_run ? OperationState::kPlanned : OperationState::kQueued;
    model::RecoveryBackend b;
    b.pid = 77;
    b.backend_start = "t";
    b.action = "cancel";
    op.backends.push_back(b);
    done(op);
  }
  common::Result<model::MaintenanceOperation> Refuse(const model::MaintenanceRequest& request,
                                                     const std::string& why) override {
    refused.push_back(why);
    model::MaintenanceOperation op;
    op.id = 13;
    op.kind = request.kind;
    op.state = OperationState::kRefused;
    op.initiator = request.initiator;
    op.guards.push_back({"privilege", model::GuardOutcome::kRefuse, why});
    op.message = why;
    return op;
  }
  common::Result<std::vector<model::MaintenanceOperation>> List(
      const store::OperationFilter& filter) override {
    last_filter = filter;
    model::MaintenanceOperation op;
    op.id = 5;
    return std::vector<model::MaintenanceOperation>{op};
  }
  common::Result<model::MaintenanceOperation> Get(std::int64_t id) override {
    if (id != 5)
      return common::NotFoundError("no maintenance operation with id " + std::to_string(id));
    model::MaintenanceOperation op;
    op.id = 5;
    op.state = OperationState::kCompleted;
    return op;
  }
  common::Result<model::MaintenanceOperation> Cancel(std::int64_t id,
                                                     const std::string& by) override {
    cancelled_by = by;
    if (id == 6) return common::InvalidArgumentError("operation 6 is completed");
    if (id != 5) return common::NotFoundError("no operation");
    model::MaintenanceOperation op;
    op.id = 5;
    op.state = OperationState::kCancelled;
    return op;
  }

  std::vector<model::MaintenanceRequest> submitted;
  std::vector<RecoveryApiRequest> recoveries;
  std::vector<std::string> refused;
  store::OperationFilter last_filter;
  std::string cancelled_by;
};

class MaintenanceApiTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(AddMaintenanceRoutes(router_, service_).ok()); }

  // Calls the route as the server would, resolving a deferred answer.
  Response Call(const std::string& method, const std::string& path, const std::string& body = "",
                Role role = Role::kOperator, const std::string& query = "") {
    const RouteMatch m = router_.Match(method, path);
    if (m.kind != RouteMatch::Kind::kFound) return NotFoundResponse(path);
    Request r;
    r.method = method;
    r.path = path;
    r.params = m.params;
    auto parsed = ParseQuery(query);
    if (parsed.has_value()) r.query = *parsed;
    r.body = body;
    r.principal = {role == Role::kAdmin ? "boss" : "ops-token", role};
    min_role = m.route->min_role;
    Response response = m.route->handler(r);
    if (response.deferred) {
      std::optional<Response> answer;
      response.deferred([&](Response late) { answer = std::move(late); });
      EXPECT_TRUE(answer.has_value());
      return answer.value_or(Response{});
    }
    return response;
  }
  static nlohmann::json Json(const Response& r) { return nlohmann::json::parse(r.body); }

  FakeService service_;
  Router router_;
  Role min_role = Role::kViewer;
};

TEST_F(MaintenanceApiTest, OperatorVacuumIsQueuedWith202AndTheInitiator) {
  const Response r = Call("POST", "/api/v1/maintenance",
                          R"({"target":"demo","operation":"vacuum","table":"orders",
                              "options":{"analyze":true}})");
  ASSERT_EQ(r.status, 202) << r.body;
  EXPECT_EQ(min_role, Role::kOperator);
  const auto j = Json(r);
  ASSERT_EQ(j["operations"].size(), 1u);
  EXPECT_EQ(j["operations"][0]["state"], "queued");
  EXPECT_EQ(j["operations"][0]["initiator"], "ops-token");
  EXPECT_EQ(j["operations"][0]["initiator_role"], "operator");
  EXPECT_EQ(j["operations"][0]["object"], "public.orders");
  ASSERT_EQ(service_.submitted.size(), 1u);
  EXPECT_TRUE(service_.submitted[0].options.analyze);
}

TEST_F(MaintenanceApiTest, DryRunIs200AndAllRefusedIs409WithTheReason) {
  const Response dry =
      Call("POST", "/api/v1/maintenance",
           R"({"target":"demo","operation":"analyze","table":"t","dry_run":true})");
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(Json(dry)["operations"][0]["state"], "planned");
  const Response refused_dry =
      Call("POST", "/api/v1/maintenance",
           R"({"target":"demo","operation":"analyze","table":"locked","dry_run":true})");
  EXPECT_EQ(refused_dry.status, 200);  // a dry run reports refusals as its result
  const Response refused = Call("POST", "/api/v1/maintenance",
                                R"({"target":"demo","operation":"analyze","table":"locked"})");
  ASSERT_EQ(refused.status, 409) << refused.body;
  const auto j = Json(refused);
  EXPECT_EQ(j["error"]["code"], "conflict");
  EXPECT_THAT(j["error"]["message"].get<std::string>(), HasSubstr("autovacuum"));
  EXPECT_EQ(j["operations"][0]["state"], "refused");
}

TEST_F(MaintenanceApiTest, MalformedBodiesAre400AndNothingIsSubmitted) {
  for (
      const std::string body :
      {R"({"target":"demo","operation":"vacuum","table":"t","bogus":true})",
       R"({"target":"demo","operation":"vacuum","table":"t","options":{"index_cleanup":"on; DROP TABLE x"}})",
       R"({"target":"demo","operation":"vacuum","table":"t","force":true})", "{"}) {
    const Response r = Call("POST", "/api/v1/maintenance", body, Role::kAdmin);
    EXPECT_EQ(r.status, 400) << body;
    EXPECT_EQ(Json(r)["error"]["code"], "bad_request") << body;
  }
  EXPECT_TRUE(service_.submitted.empty());
  EXPECT_TRUE(service_.refused.empty());
}

TEST_F(MaintenanceApiTest, UnknownTargetIs404) {
  const Response r =
      Call("POST", "/api/v1/maintenance", R"({"target":"x","operation":"analyze","table":"t"})");
  EXPECT_EQ(r.status, 404);
}

TEST_F(MaintenanceApiTest, BlockingOperationsAndForceNeedAdminAndTheRefusalIsAudited) {
  const Response full = Call("POST", "/api/v1/maintenance",
                             R"({"target":"demo","operation":"vacuum","table":"t",
                                 "options":{"full":true}})");
  ASSERT_EQ(full.status, 403) << full.body;
  EXPECT_THAT(Json(full)["error"]["message"].get<std::string>(), HasSubstr("admin"));
  EXPECT_EQ(Json(full)["operations"][0]["state"], "refused");
  EXPECT_EQ(Json(full)["operations"][0]["guards"][0]["guard"], "privilege");
  const Response reindex = Call("POST", "/api/v1/maintenance",
                                R"({"target":"demo","operation":"reindex_table","table":"t",
                                    "options":{"concurrently":false}})");
  EXPECT_EQ(reindex.status, 403);
  const Response forced = Call("POST", "/api/v1/maintenance",
                               R"({"target":"demo","operation":"analyze","table":"t",
                                   "force":true,"reason":"night"})");
  EXPECT_EQ(forced.status, 403);
  EXPECT_EQ(service_.refused.size(), 3u);
  EXPECT_TRUE(service_.submitted.empty());

  const Response admin = Call("POST", "/api/v1/maintenance",
                              R"({"target":"demo","operation":"vacuum","table":"t",
                                  "options":{"full":true},"force":true,"reason":"incident 7"})",
                              Role::kAdmin);
  ASSERT_EQ(admin.status, 202) << admin.body;
  EXPECT_EQ(Json(admin)["operations"][0]["forced"], true);
  EXPECT_EQ(Json(admin)["operations"][0]["reason"], "incident 7");
  EXPECT_EQ(Json(admin)["operations"][0]["initiator_role"], "admin");
}

TEST_F(MaintenanceApiTest, SeedAliasesReachTheSameService) {
  const Response seed = Call("POST", "/api/database/maintenance",
                             R"({"target":"demo","operationType":"reindex","indexName":"i"})");
  ASSERT_EQ(seed.status, 202) << seed.body;
  EXPECT_EQ(service_.submitted.back().kind, model::OperationKind::kReindexIndex);
  const Response seed_blocking =
      Call("POST", "/api/database/maintenance",
           R"({"target":"demo","operationType":"reindex","indexName":"i","concurrent":false})");
  EXPECT_EQ(seed_blocking.status, 403);
  const Response optimize = Call("POST", "/api/database/optimize",
                                 R"({"target":"demo","action":"vacuum_analyze","table_name":"t"})");
  ASSERT_EQ(optimize.status, 202) << optimize.body;
  EXPECT_TRUE(service_.submitted.back().options.analyze);
  const Response bad = Call("POST", "/api/database/optimize", R"({"action":"x","table_name":"t"})");
  EXPECT_EQ(bad.status, 400);
  const Response list = Call("GET", "/api/database/maintenance");
  EXPECT_EQ(list.status, 200);
  EXPECT_EQ(min_role, Role::kViewer);
}

TEST_F(MaintenanceApiTest, ListGetAndCancel) {
  const Response list =
      Call("GET", "/api/v1/maintenance", "", Role::kViewer, "type=running&limit=5&target=demo");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(service_.last_filter.type, store::OperationFilter::Type::kRunning);
  EXPECT_EQ(service_.last_filter.limit, 5);
  EXPECT_EQ(service_.last_filter.target, "demo");
  EXPECT_EQ(Json(list)["operations"][0]["id"], 5);
  EXPECT_EQ(Call("GET", "/api/v1/maintenance", "", Role::kViewer, "type=all").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/maintenance", "", Role::kViewer, "limit=0").status, 400);
  EXPECT_EQ(Call("GET", "/api/v1/maintenance", "", Role::kViewer, "limit=5x").status, 400);

  const Response one = Call("GET", "/api/v1/maintenance/5", "", Role::kViewer);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(Json(one)["state"], "completed");
  EXPECT_EQ(Call("GET", "/api/v1/maintenance/9", "", Role::kViewer).status, 404);
  EXPECT_EQ(Call("GET", "/api/v1/maintenance/abc", "", Role::kViewer).status, 404);

  const Response cancel = Call("POST", "/api/v1/maintenance/5/cancel");
  ASSERT_EQ(cancel.status, 200);
  EXPECT_EQ(min_role, Role::kOperator);
  EXPECT_EQ(Json(cancel)["state"], "cancelled");
  EXPECT_EQ(service_.cancelled_by, "ops-token");
  EXPECT_EQ(Call("POST", "/api/v1/maintenance/6/cancel").status, 409);
  EXPECT_EQ(Call("POST", "/api/v1/maintenance/7/cancel").status, 404);
}

TEST_F(MaintenanceApiTest, RecoveryDryRunForOperatorsExecutionForAdmins) {
  const Response dry =
      Call("POST", "/api/v1/recovery", R"({"target":"demo","cancel_running_longer_than_s":30})");
  ASSERT_EQ(dry.status, 200) << dry.body;
  EXPECT_EQ(Json(dry)["operation"], "recovery");
  EXPECT_EQ(Json(dry)["backends"][0]["pid"], 77);
  const Response run_as_operator =
      Call("POST", "/api/v1/recovery",
           R"({"target":"demo","cancel_running_longer_than_s":30,"dry_run":false})");
  ASSERT_EQ(run_as_operator.status, 403);
  EXPECT_EQ(Json(run_as_operator)["state"], "refused");
  EXPECT_EQ(service_.recoveries.size(), 1u);
  const Response run_as_admin =
      Call("POST", "/api/v1/recovery",
           R"({"target":"demo","cancel_running_longer_than_s":30,"dry_run":false})", Role::kAdmin);
  EXPECT_EQ(run_as_admin.status, 202);
  EXPECT_EQ(Call("POST", "/api/v1/recovery", R"({"target":"demo"})").status, 400);
}

}  // namespace
}  // namespace pgvigil::http
