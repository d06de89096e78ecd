// SPDX-License-Identifier: Apache-2.0
// The service with scripted runners: test doubles of pgvigil's own runner interfaces (the real
// runners are tested on PostgreSQL in maintenance/ and end to end in tests/e2e/).
#include "daemon/maintenance_service.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <future>
#include <map>
#include <set>
#include <thread>

#include <nlohmann/json.hpp>

#include "daemon/state_cache.h"
#include "model/health_report.h"

namespace pgvigil::daemon {
namespace {

using namespace std::chrono_literals;
using model::OperationState;

// Table oids by name; Plan refuses when pgvigil is busy on the table (as the real guard does).
// Execute waits while `hold` is set (so tests can see an operation running), reports progress,
// and honours the cancel flag.
class ScriptedRunner final : public maintenance::OperationRunner {
 public:
  model::MaintenanceOperation Plan(const model::MaintenanceRequest& request,
                                   const maintenance::PlanContext& context) override {
    ++plans;
    last_dsn = context.dsn;
    model::MaintenanceOperation op;
    op.database = request.database;
    op.kind = request.kind;
    op.object = (request.schema.empty() ? "public" : request.schema) + "." + request.object;
    op.options = request.options;
    op.sql = "VACUUM " + op.object;
    op.initiator = request.initiator;
    op.initiator_role = request.initiator_role;
    op.created_at = context.now;
    op.before.dead_tuples = 100;
    const std::uint32_t oid = request.object == "missing" ? 0 : 16000 + request.object.size();
    if (oid == 0) {
      op.state = OperationState::kRefused;
      op.guards.push_back({"object_exists", model::GuardOutcome::kRefuse, "no such table"});
      op.message = "object_exists: no such table";
      return op;
    }
    if (context.busy_in_pgvigil && context.busy_in_pgvigil(oid)) {
      op.state = OperationState::kRefused;
      op.guards.push_back({"no_conflict_pgvigil", model::GuardOutcome::kRefuse, "busy"});
      op.message = "no_conflict_pgvigil: pgvigil already runs an operation on " + op.object;
      return op;
    }
    op.guards.push_back({"object_exists", model::GuardOutcome::kPass, "found"});
    op.state = OperationState::kPlanned;
    return op;
  }
  model::MaintenanceOperation Execute(model::MaintenanceOperation planned,
                                      const maintenance::PlanContext&,
                                      const maintenance::ExecutionObserver& observer,
                                      const maintenance::CancelFlag& cancel) override {
    EXPECT_EQ(planned.state, OperationState::kPlanned);
    executed.push_back(planned.object);
    planned.state = OperationState::kRunning;
    planned.started_at = common::TimestampFromEpochSeconds(1000);
    observer.on_started(planned);
    planned.progress = model::OperationProgress{"scanning heap", 50.0};
    observer.on_progress(planned);
    while (hold.load() && !cancel.requested()) std::this_thread::sleep_for(2ms);
    planned.progress.reset();
    planned.finished_at = common::TimestampFromEpochSeconds(1002);
    if (cancel.requested()) {
      planned.state = OperationState::kCancelled;
      return planned;
    }
    planned.state = OperationState::kCompleted;
    planned.lock_attempts = 1;
    planned.after.dead_tuples = 0;
    return planned;
  }

  std::atomic<int> plans{0};
  std::atomic<bool> hold{false};
  std::vector<std::string> executed;  // read after the operation finished
  std::string last_dsn;
};

class ScriptedRecovery final : public maintenance::RecoveryRunner {
 public:
  model::MaintenanceOperation Plan(const maintenance::RecoveryRequest& request,
                                   const maintenance::PlanContext& context) override {
    model::MaintenanceOperation op;
    op.kind = model::OperationKind::kRecovery;
    op.created_at = context.now;
    op.initiator = request.initiator;
    op.initiator_role = request.initiator_role;
    model::RecoveryBackend b;
    b.pid = 4242;
    b.backend_start = "2026-11-22 10:00:00+00";
    b.action = "cancel";
    op.backends.push_back(b);
    op.state = OperationState::kPlanned;
    return op;
  }
  model::MaintenanceOperation Execute(model::MaintenanceOperation planned,
                                      const maintenance::PlanContext&) override {
    ++executions;
    for (auto& b : planned.backends) b.outcome = "cancelled";
    planned.state = OperationState::kCompleted;
    return planned;
  }
  std::atomic<int> executions{0};
};

class RecordingSink final : public EventSink {
 public:
  void Publish(std::string event, std::string json_data, std::string target) override {
    std::lock_guard lock(mu);
    events.push_back({std::move(event), std::move(json_data), std::move(target)});
  }
  std::vector<std::string> StatesOf(std::int64_t id) {
    std::lock_guard lock(mu);
    std::vector<std::string> out;
    for (const auto& e : events) {
      const auto j = nlohmann::json::parse(e.data);
      EXPECT_EQ(e.name, "operation");
      if (j["id"] == id) {
        out.push_back(j["state"].get<std::string>() + (j["progress"].is_null() ? "" : "+"));
      }
    }
    return out;
  }
  struct Event {
    std::string name, data, target;
  };
  std::mutex mu;
  std::vector<Event> events;
};

class FixedClock final : public common::Clock {
 public:
  common::Timestamp Now() const override { return common::TimestampFromEpochSeconds(5000); }
  std::chrono::steady_clock::time_point SteadyNow() const override {
    return std::chrono::steady_clock::now();
  }
};

template <typename Pred>
bool Eventually(Pred pred) {
  for (int i = 0; i < 1000; ++i) {
    if (pred()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return pred();
}

class MaintenanceServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           (std::string("pgvigil_maint_") + info->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = store::SqliteMaintenanceStore::Open((dir_ / "h.db").string());
    ASSERT_TRUE(store.has_value()) << store.error().ToString();
    store_ = std::move(store).value();
    model::TargetState demo;
    demo.name = "demo";
    cache_.Configure({demo});
  }
  void TearDown() override {
    service_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void StartService(int max_concurrent = 1, bool with_maintenance_dsn = true) {
    MaintenanceServiceOptions options;
    options.max_concurrent = max_concurrent;
    options.targets.push_back(
        {"demo",
         with_maintenance_dsn ? "host=db dbname=app user=maint" : "host=db dbname=app user=monitor",
         !with_maintenance_dsn});
    service_ = std::make_unique<MaintenanceService>(options, *store_, cache_, runner_, recovery_,
                                                    clock_, &sink_);
    auto reconciled = service_->Start();
    ASSERT_TRUE(reconciled.has_value());
    reconciled_ = *reconciled;
  }
  std::vector<model::MaintenanceOperation> SubmitAndWait(model::MaintenanceRequest request) {
    std::promise<common::Result<std::vector<model::MaintenanceOperation>>> answer;
    service_->Submit(std::move(request), [&](auto result) { answer.set_value(std::move(result)); });
    auto future = answer.get_future();
    EXPECT_EQ(future.wait_for(5s), std::future_status::ready);
    auto result = future.get();
    EXPECT_TRUE(result.has_value()) << result.error().ToString();
    return result.has_value() ? *result : std::vector<model::MaintenanceOperation>{};
  }
  static model::MaintenanceRequest Vacuum(std::string table) {
    model::MaintenanceRequest r;
    r.target = "demo";
    r.kind = model::OperationKind::kVacuum;
    r.object = std::move(table);
    r.initiator = "ops-token";
    r.initiator_role = "operator";
    return r;
  }
  OperationState StoredState(std::int64_t id) {
    auto op = store_->Get(id);
    EXPECT_TRUE(op.has_value());
    return op.has_value() ? op->state : OperationState::kUnknown;
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteMaintenanceStore> store_;
  StateCache cache_;
  ScriptedRunner runner_;
  ScriptedRecovery recovery_;
  RecordingSink sink_;
  FixedClock clock_;
  std::unique_ptr<MaintenanceService> service_;
  std::vector<model::MaintenanceOperation> reconciled_;
};

TEST_F(MaintenanceServiceTest, AQueuedVacuumRunsAndEveryStateIsRecordedAndPublished) {
  StartService();
  const auto ops = SubmitAndWait(Vacuum("orders"));
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].state, OperationState::kQueued);
  EXPECT_EQ(ops[0].target, "demo");
  EXPECT_EQ(ops[0].initiator, "ops-token");
  EXPECT_GT(ops[0].id, 0);
  const std::int64_t id = ops[0].id;
  ASSERT_TRUE(Eventually([&] { return StoredState(id) == OperationState::kCompleted; }));
  auto stored = store_->Get(id);
  EXPECT_EQ(stored->before.dead_tuples, 100);
  EXPECT_EQ(stored->after.dead_tuples, 0);
  EXPECT_TRUE(stored->finished_at.has_value());
  const std::vector<std::string> expected = {"queued", "running", "running+", "completed"};
  EXPECT_TRUE(Eventually([&] { return sink_.StatesOf(id) == expected; }));
  EXPECT_EQ(sink_.StatesOf(id), expected);
  EXPECT_TRUE(Eventually([&] { return service_->ActiveCount() == 0; }));
  EXPECT_EQ(runner_.last_dsn, "dbname='app' host='db' user='maint'");
  const auto families = service_->Metrics();
  ASSERT_EQ(families.size(), 2u);
  EXPECT_EQ(families[0].name, "pgvigil_maintenance_operations");
  ASSERT_EQ(families[1].samples.size(), 1u);
  const auto& labels = families[1].samples[0].labels;
  EXPECT_EQ(labels, (std::vector<std::pair<std::string, std::string>>{{"operation", "vacuum"},
                                                                      {"state", "completed"}}));
  EXPECT_EQ(families[1].samples[0].value, 1);
  // The DSN's database is named in the audit.
  EXPECT_EQ(store_->Get(id)->database, "app");
}

TEST_F(MaintenanceServiceTest, ADryRunIsRecordedButNeverExecuted) {
  StartService();
  auto request = Vacuum("orders");
  request.dry_run = true;
  const auto ops = SubmitAndWait(request);
  ASSERT_EQ(ops.size(), 1u);
  EXPECT_EQ(ops[0].state, OperationState::kPlanned);
  EXPECT_EQ(StoredState(ops[0].id), OperationState::kPlanned);
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(runner_.executed.empty());
  auto refused = SubmitAndWait(Vacuum("missing"));
  EXPECT_EQ(refused[0].state, OperationState::kRefused);
  EXPECT_EQ(StoredState(refused[0].id), OperationState::kRefused);  // refusals are audit too
}

TEST_F(MaintenanceServiceTest, ASecondOperationOnABusyTableIsRefusedAndQueuedOnesCanBeCancelled) {
  runner_.hold = true;
  StartService(/*max_concurrent=*/1);
  const auto first = SubmitAndWait(Vacuum("orders"));
  const std::int64_t running = first[0].id;
  ASSERT_TRUE(Eventually([&] { return StoredState(running) == OperationState::kRunning; }));
  // Same table: pgvigil's own registry refuses it.
  const auto second = SubmitAndWait(Vacuum("orders"));
  EXPECT_EQ(second[0].state, OperationState::kRefused);
  EXPECT_NE(second[0].message.find("no_conflict_pgvigil"), std::string::npos);
  // Another table waits for the single slot; cancelled while queued it never runs.
  const auto third = SubmitAndWait(Vacuum("items"));
  ASSERT_EQ(third[0].state, OperationState::kQueued);
  auto cancelled = service_->Cancel(third[0].id, "alice");
  ASSERT_TRUE(cancelled.has_value());
  EXPECT_EQ(cancelled->state, OperationState::kCancelled);
  EXPECT_NE(cancelled->message.find("alice"), std::string::npos);
  // The running one is cancelled through its flag.
  auto cancel_running = service_->Cancel(running, "bob");
  ASSERT_TRUE(cancel_running.has_value());
  EXPECT_EQ(cancel_running->state, OperationState::kRunning);
  ASSERT_TRUE(Eventually([&] { return StoredState(running) == OperationState::kCancelled; }));
  EXPECT_NE(store_->Get(running)->message.find("bob"), std::string::npos);
  ASSERT_TRUE(Eventually([&] { return service_->ActiveCount() == 0; }));
  EXPECT_EQ(runner_.executed, std::vector<std::string>{"public.orders"});
  // Finished: nothing to cancel; unknown id: not found.
  auto again = service_->Cancel(running, "bob");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code(), common::StatusCode::kInvalidArgument);
  EXPECT_EQ(service_->Cancel(999, "bob").error().code(), common::StatusCode::kNotFound);
}

TEST_F(MaintenanceServiceTest, AFindingExpandsIntoOneOperationPerObject) {
  auto snapshot = std::make_shared<model::Snapshot>();
  model::TableStats t1;
  t1.datname = "app";
  t1.schemaname = "public";
  t1.relname = "orders";
  model::TableStats t2 = t1;
  t2.relname = "odd.name";  // a dot inside the name still resolves exactly
  snapshot->tables = {t1, t2};
  auto report = std::make_shared<model::HealthReport>();
  for (const char* object : {"app.public.orders", "app.public.odd.name"}) {
    model::Finding f;
    f.id = "table.vacuum_overdue";
    f.object = object;
    report->findings.push_back(f);
  }
  model::Finding other;
  other.id = "table.analyze_overdue";
  other.object = "app.public.items";
  report->findings.push_back(other);
  cache_.Update("demo", [&](model::TargetState& s) {
    s.current = snapshot;
    s.report = report;
  });
  StartService();
  auto request = Vacuum("");
  request.finding = "table.vacuum_overdue";
  request.dry_run = true;
  const auto ops = SubmitAndWait(request);
  ASSERT_EQ(ops.size(), 2u);
  EXPECT_EQ(ops[0].object, "public.orders");
  EXPECT_EQ(ops[1].object, "public.odd.name");
  EXPECT_EQ(ops[0].database, "app");
  EXPECT_EQ(runner_.last_dsn.find("dbname"), runner_.last_dsn.rfind("dbname"));
  EXPECT_NE(runner_.last_dsn.find("app"), std::string::npos);

  request.finding = "table.bloat";
  std::promise<common::Result<std::vector<model::MaintenanceOperation>>> answer;
  service_->Submit(request, [&](auto r) { answer.set_value(std::move(r)); });
  auto none = answer.get_future().get();
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code(), common::StatusCode::kNotFound);
}

TEST_F(MaintenanceServiceTest, UnfinishedOperationsOfACrashAreReconciledAtStart) {
  model::MaintenanceOperation left;
  left.target = "demo";
  left.object = "public.orders";
  left.state = OperationState::kRunning;
  left.created_at = common::TimestampFromEpochSeconds(100);
  const std::int64_t id = *store_->Insert(left);
  StartService();
  ASSERT_EQ(reconciled_.size(), 1u);
  EXPECT_EQ(reconciled_[0].id, id);
  EXPECT_EQ(StoredState(id), OperationState::kUnknown);
  EXPECT_EQ(sink_.StatesOf(id), std::vector<std::string>{"unknown"});
}

TEST_F(MaintenanceServiceTest, RefusalsByRoleAreAuditedAndTheMonitoringDsnIsAWarning) {
  StartService(1, /*with_maintenance_dsn=*/false);
  auto request = Vacuum("orders");
  request.options.full = true;
  auto refused = service_->Refuse(request, "VACUUM FULL needs the admin role");
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(StoredState(refused->id), OperationState::kRefused);
  EXPECT_EQ(refused->guards[0].guard, "privilege");
  EXPECT_TRUE(store_->Get(refused->id)->options.full);

  request.options.full = false;
  request.dry_run = true;
  const auto ops = SubmitAndWait(request);
  ASSERT_EQ(ops.size(), 1u);
  const auto& guards = ops[0].guards;
  const bool warned = std::any_of(guards.begin(), guards.end(), [](const auto& g) {
    return g.guard == "privilege" && g.outcome == model::GuardOutcome::kWarn &&
           g.detail.find("no maintenance_dsn") != std::string::npos;
  });
  EXPECT_TRUE(warned);
  EXPECT_EQ(runner_.last_dsn.find("password"), std::string::npos);
}

TEST_F(MaintenanceServiceTest, RecoveryDryRunAndExecutionAreAudited) {
  StartService();
  http::RecoveryApiRequest request;
  request.target = "demo";
  request.cancel_running_longer_than_s = 30;
  request.initiator = "boss";
  request.initiator_role = "admin";
  std::promise<common::Result<model::MaintenanceOperation>> dry;
  service_->SubmitRecovery(request, [&](auto r) { dry.set_value(std::move(r)); });
  auto planned = dry.get_future().get();
  ASSERT_TRUE(planned.has_value());
  EXPECT_EQ(planned->state, OperationState::kPlanned);
  EXPECT_EQ(StoredState(planned->id), OperationState::kPlanned);

  request.dry_run = false;
  std::promise<common::Result<model::MaintenanceOperation>> run;
  service_->SubmitRecovery(request, [&](auto r) { run.set_value(std::move(r)); });
  auto queued = run.get_future().get();
  ASSERT_TRUE(queued.has_value());
  EXPECT_EQ(queued->state, OperationState::kQueued);
  ASSERT_TRUE(Eventually([&] { return StoredState(queued->id) == OperationState::kCompleted; }));
  EXPECT_EQ(store_->Get(queued->id)->backends[0].outcome, "cancelled");
  EXPECT_EQ(recovery_.executions.load(), 1);
  const std::vector<std::string> expected = {"queued", "running", "completed"};
  EXPECT_TRUE(Eventually([&] { return sink_.StatesOf(queued->id) == expected; }));
}

TEST_F(MaintenanceServiceTest, UnknownTargetIsNotFoundAndStopCancelsWhatIsQueued) {
  runner_.hold = true;
  StartService();
  std::promise<common::Result<std::vector<model::MaintenanceOperation>>> answer;
  auto request = Vacuum("orders");
  request.target = "nope";
  service_->Submit(request, [&](auto r) { answer.set_value(std::move(r)); });
  auto missing = answer.get_future().get();
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), common::StatusCode::kNotFound);

  const auto running = SubmitAndWait(Vacuum("orders"));
  const auto queued = SubmitAndWait(Vacuum("items"));
  ASSERT_TRUE(Eventually([&] { return StoredState(running[0].id) == OperationState::kRunning; }));
  service_->Stop();
  EXPECT_EQ(StoredState(running[0].id), OperationState::kCancelled);
  EXPECT_EQ(StoredState(queued[0].id), OperationState::kCancelled);
  EXPECT_NE(store_->Get(queued[0].id)->message.find("the daemon stopping"), std::string::npos);
}

}  // namespace
}  // namespace pgvigil::daemon
