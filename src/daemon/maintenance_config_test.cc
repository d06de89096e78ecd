// SPDX-License-Identifier: Apache-2.0
#include "daemon/maintenance_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <future>

#include "config/settings_file.h"
#include "daemon/auto_maintenance.h"
#include "daemon/state_cache.h"
#include "model/health_report.h"

namespace pgvigil::daemon {
namespace {

using ::testing::HasSubstr;

config::Settings Read(const std::string& text) {
  config::SettingsFile f = config::ReadSettingsText(text, "pgvigil.yaml");
  EXPECT_TRUE(f.errors.empty()) << f.errors.front();
  return f.settings;
}

TEST(MaintenanceConfig, WindowsBecomeThePolicyAndABadOneIsNamedWithItsLine) {
  const config::Settings good = Read(R"(
maintenance:
  windows: ["daily 01:00-05:00", "sat,sun 22:00-02:00"]
  lock_timeout: 250ms
  trusted_owners: [app]
targets:
  - { name: a, dsn: "host=db dbname=app", maintenance_dsn: "host=db dbname=app user=m" }
  - { name: b, dsn: "host=db2 dbname=app" }
)");
  auto policy = MaintenancePolicyFor(good);
  ASSERT_TRUE(policy.has_value()) << policy.error().ToString();
  ASSERT_EQ(policy->windows.size(), 2u);
  EXPECT_EQ(policy->windows[0].start_minute, 60);
  EXPECT_EQ(policy->lock_timeout, std::chrono::milliseconds(250));
  EXPECT_EQ(policy->trusted_owners, std::vector<std::string>{"app"});
  EXPECT_TRUE(MaintenanceConfigErrors(good).empty());

  const MaintenanceServiceOptions options = MaintenanceServiceOptionsFor(good, *policy);
  ASSERT_EQ(options.targets.size(), 2u);
  EXPECT_EQ(options.targets[0].dsn, "host=db dbname=app user=m");
  EXPECT_FALSE(options.targets[0].uses_monitoring_dsn);
  EXPECT_EQ(options.targets[1].dsn, "host=db2 dbname=app");
  EXPECT_TRUE(options.targets[1].uses_monitoring_dsn);
  EXPECT_EQ(options.max_concurrent, 1);

  const config::Settings bad = Read(R"(
maintenance:
  max_concurrent: 0
  windows: ["daily 01:00-05:00", "someday 25:00-02:00"]
  auto: { enabled: true }
)");
  auto refused = MaintenancePolicyFor(bad);
  ASSERT_FALSE(refused.has_value());
  EXPECT_THAT(refused.error().message(), HasSubstr("pgvigil.yaml:4: maintenance.windows"));
  EXPECT_THAT(refused.error().message(), HasSubstr("someday"));
  const auto errors = MaintenanceConfigErrors(bad);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_THAT(errors[0], HasSubstr("pgvigil.yaml:4"));
  EXPECT_THAT(errors[1], HasSubstr("max_concurrent"));

  const config::Settings auto_without_window = Read("maintenance: { auto: { enabled: true } }\n");
  ASSERT_EQ(MaintenanceConfigErrors(auto_without_window).size(), 1u);
  EXPECT_THAT(MaintenanceConfigErrors(auto_without_window)[0], HasSubstr("no"));
}

// Records the requests; answers nothing (the policy does not wait for them).
class RecordingService final : public http::MaintenanceService {
 public:
  void Submit(model::MaintenanceRequest request, OperationsDone done) override {
    requests.push_back(std::move(request));
    done(std::vector<model::MaintenanceOperation>{});
  }
  void SubmitRecovery(http::RecoveryApiRequest, OperationDone) override {}
  common::Result<model::MaintenanceOperation> Refuse(const model::MaintenanceRequest&,
                                                     const std::string&) override {
    return common::InternalError("unused");
  }
  common::Result<std::vector<model::MaintenanceOperation>> List(
      const store::OperationFilter&) override {
    return std::vector<model::MaintenanceOperation>{};
  }
  common::Result<model::MaintenanceOperation> Get(std::int64_t) override {
    return common::NotFoundError("unused");
  }
  common::Result<model::MaintenanceOperation> Cancel(std::int64_t, const std::string&) override {
    return common::NotFoundError("unused");
  }
  std::vector<model::MaintenanceRequest> requests;
};

class ClockAt final : public common::Clock {
 public:
  explicit ClockAt(double seconds) : now_(common::TimestampFromEpochSeconds(seconds)) {}
  common::Timestamp Now() const override { return now_; }
  std::chrono::steady_clock::time_point SteadyNow() const override { return {}; }

 private:
  common::Timestamp now_;
};

TEST(AutoMaintenance, SubmitsThePolicysRequestsOnlyInsideAWindowWithInitiatorPolicy) {
  StateCache cache;
  model::TargetState demo;
  demo.name = "demo";
  cache.Configure({demo});
  auto report = std::make_shared<model::HealthReport>();
  model::Finding f;
  f.id = "table.vacuum_overdue";
  f.severity = model::Severity::kCritical;
  f.object = "app.public.orders";
  report->findings.push_back(f);
  cache.Update("demo", [&](model::TargetState& s) { s.report = report; });

  maintenance::MaintenancePolicy policy;
  policy.windows.push_back(*maintenance::ParseWindow("daily 01:00-05:00"));
  maintenance::AutoPolicyOptions options;
  options.enabled = true;
  boost::asio::io_context io;
  RecordingService service;

  // 1970-01-01 00:30 UTC: outside the window.
  ClockAt outside(30 * 60);
  AutoMaintenance before(io.get_executor(), options, policy, std::chrono::minutes(1), cache,
                         service, outside);
  EXPECT_TRUE(before.RunOnce().empty());
  EXPECT_TRUE(service.requests.empty());

  // 02:00 UTC: inside.
  ClockAt inside(2 * 3600);
  AutoMaintenance during(io.get_executor(), options, policy, std::chrono::minutes(1), cache,
                         service, inside);
  const auto submitted = during.RunOnce();
  ASSERT_EQ(submitted.size(), 1u);
  ASSERT_EQ(service.requests.size(), 1u);
  EXPECT_EQ(service.requests[0].target, "demo");
  EXPECT_EQ(service.requests[0].object, "orders");
  EXPECT_EQ(service.requests[0].kind, model::OperationKind::kVacuum);
  EXPECT_EQ(service.requests[0].initiator, "policy");
  EXPECT_FALSE(service.requests[0].options.full);

  options.enabled = false;
  AutoMaintenance off(io.get_executor(), options, policy, std::chrono::minutes(1), cache, service,
                      inside);
  EXPECT_TRUE(off.RunOnce().empty());
}

// The daemon hands the policy the target's latest snapshot, so a finding on a table in a schema
// whose name holds a dot names that table (split at the first two dots, it named "eu.orders" in
// schema "sales").
TEST(AutoMaintenance, ResolvesFindingObjectsAgainstTheLatestSnapshot) {
  StateCache cache;
  model::TargetState demo;
  demo.name = "demo";
  cache.Configure({demo});
  auto report = std::make_shared<model::HealthReport>();
  model::Finding f;
  f.id = "table.vacuum_overdue";
  f.severity = model::Severity::kCritical;
  f.object = "app.sales.eu.orders";
  report->findings.push_back(f);
  auto snapshot = std::make_shared<model::Snapshot>();
  model::TableStats t;
  t.datname = "app";
  t.schemaname = "sales.eu";
  t.relname = "orders";
  snapshot->tables = {t};
  cache.Update("demo", [&](model::TargetState& s) {
    s.report = report;
    s.current = snapshot;
  });

  maintenance::MaintenancePolicy policy;
  policy.windows.push_back(*maintenance::ParseWindow("daily 01:00-05:00"));
  maintenance::AutoPolicyOptions options;
  options.enabled = true;
  boost::asio::io_context io;
  RecordingService service;
  ClockAt inside(2 * 3600);
  AutoMaintenance auto_maintenance(io.get_executor(), options, policy, std::chrono::minutes(1),
                                   cache, service, inside);
  ASSERT_EQ(auto_maintenance.RunOnce().size(), 1u);
  ASSERT_EQ(service.requests.size(), 1u);
  EXPECT_EQ(service.requests[0].database, "app");
  EXPECT_EQ(service.requests[0].schema, "sales.eu");
  EXPECT_EQ(service.requests[0].object, "orders");
}

}  // namespace
}  // namespace pgvigil::daemon
