// SPDX-License-Identifier: Apache-2.0
#include "daemon/alert_engine.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include <atomic>

#include "model/health_report.h"
#include "store/store_test_support.h"

namespace pgvigil::daemon {
namespace {

// Read by the engine's delivery thread too: atomic.
class AtomicClock final : public common::Clock {
 public:
  common::Timestamp Now() const override { return common::Timestamp(now_.load()); }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::time_point(now_.load());
  }

 private:
  std::atomic<std::chrono::microseconds> now_{std::chrono::seconds(1'800'000'000)};
};

class AlertEngineTest : public ::testing::Test {
 protected:
  AlertEngineOptions Options() {
    AlertEngineOptions o;
    alerts::RuleSettings defaults;
    defaults.for_duration = std::chrono::seconds(0);
    defaults.resolve_after = std::chrono::seconds(10);
    o.rules = alerts::RuleSet({}, defaults);
    config::ChannelConfig hook;
    hook.name = "hook";
    hook.type = "webhook";
    hook.url = "http://127.0.0.1:1/hook";  // nothing listens: deliveries fail and are retried
    o.channels = {hook};
    alerts::Route route;
    route.severity_min = model::Severity::kCritical;
    route.channels = {"hook"};
    o.routes = {route};
    o.store_path = dir_.File("pgvigil.db");
    o.target_labels["main"] = {{"env", "test"}};
    return o;
  }

  std::unique_ptr<AlertEngine> Start() {
    auto engine = AlertEngine::Start(Options(), clock_, loop_.get_executor(),
                                     writer_.get_executor(), nullptr);
    EXPECT_TRUE(engine.has_value()) << engine.error().message();
    return engine.has_value() ? std::move(engine).value() : nullptr;
  }

  // Runs what OnReport posted to the writer.
  void Report(AlertEngine& engine, std::vector<model::Finding> findings, bool ok = true) {
    auto report = std::make_shared<model::HealthReport>();
    report->findings = std::move(findings);
    engine.OnReport("main", report, ok);
    writer_.restart();
    writer_.run();
  }

  static model::Finding Lock(model::Severity severity) {
    model::Finding f;
    f.id = "locks.blocking";
    f.severity = severity;
    f.target = "main";
    f.object = "pid 42";
    f.value = 12;
    f.unit = "seconds";
    return f;
  }

  // The outbox as the store holds it (a second connection to the same file).
  std::vector<store::OutboxRow> Outbox() {
    auto store = store::SqliteAlertStore::Open(dir_.File("pgvigil.db"), clock_);
    EXPECT_TRUE(store.has_value());
    auto rows = (*store)->DueOutbox(clock_.Now() + std::chrono::hours(2), 100);
    EXPECT_TRUE(rows.has_value());
    return rows.has_value() ? *rows : std::vector<store::OutboxRow>{};
  }

  store::testing::TempDir dir_;
  AtomicClock clock_;
  boost::asio::io_context loop_;
  boost::asio::io_context writer_;
};

TEST_F(AlertEngineTest, AReportCommitsTheAlertWithOneOutboxRowPerRoutedChannel) {
  auto engine = Start();
  ASSERT_NE(engine, nullptr);
  Report(*engine, {Lock(model::Severity::kWarning)});
  auto alerts = engine->ListAlerts({});
  ASSERT_TRUE(alerts.has_value());
  ASSERT_EQ(alerts->size(), 1u);
  EXPECT_EQ((*alerts)[0].state, model::AlertState::kFiring);
  EXPECT_TRUE(Outbox().empty()) << "the only route takes critical alerts";

  Report(*engine, {Lock(model::Severity::kCritical)});  // escalation: routed
  const auto rows = Outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].channel, "hook");
  EXPECT_NE(rows[0].payload_json.find("\"escalated\""), std::string::npos) << rows[0].payload_json;
  EXPECT_NE(rows[0].payload_json.find("\"env\":\"test\""), std::string::npos);
}

TEST_F(AlertEngineTest, ActionsAndTheirErrorsSurviveARestart) {
  std::int64_t id = 0;
  {
    auto engine = Start();
    ASSERT_NE(engine, nullptr);
    Report(*engine, {Lock(model::Severity::kCritical)});
    Report(*engine, {}, /*ok=*/false);  // no data: stays firing
    auto alerts = engine->ListAlerts({});
    ASSERT_TRUE(alerts.has_value());
    ASSERT_EQ(alerts->size(), 1u);
    EXPECT_EQ((*alerts)[0].state, model::AlertState::kFiring);
    id = (*alerts)[0].id;

    http::AlertActionRequest ack{id, http::AlertAction::kAcknowledge, "looking", {}, "ops"};
    auto acked = engine->Act(ack);
    ASSERT_TRUE(acked.has_value()) << acked.error().message();
    EXPECT_EQ(acked->state, model::AlertState::kAcknowledged);
    EXPECT_EQ(acked->acked_by, "ops");
    auto missing = engine->Act({999, http::AlertAction::kResolve, "", {}, "ops"});
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code(), common::StatusCode::kNotFound);

    bool counted = false;
    for (const http::ExtraFamily& f : engine->Metrics()) {
      if (f.name != "pgvigil_alerts") continue;
      for (const auto& s : f.samples) {
        if (s.labels == std::vector<std::pair<std::string, std::string>>{
                            {"state", "acknowledged"}, {"severity", "critical"}}) {
          counted = s.value == 1;
        }
      }
    }
    EXPECT_TRUE(counted);
  }
  auto engine = Start();  // restored from the store
  ASSERT_NE(engine, nullptr);
  auto again = engine->Act({id, http::AlertAction::kAcknowledge, "", {}, "ops"});
  ASSERT_FALSE(again.has_value()) << "the ack was not restored";
  EXPECT_EQ(again.error().code(), common::StatusCode::kInvalidArgument);

  auto resolved = engine->Act({id, http::AlertAction::kResolve, "fixed", {}, "ops"});
  ASSERT_TRUE(resolved.has_value()) << resolved.error().message();
  EXPECT_EQ(resolved->state, model::AlertState::kResolved);
  auto twice = engine->Act({id, http::AlertAction::kResolve, "", {}, "ops"});
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code(), common::StatusCode::kInvalidArgument);
  EXPECT_NE(twice.error().message().find("resolved"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::daemon
