// SPDX-License-Identifier: Apache-2.0
#include "store/maintenance_store.h"

#include <gtest/gtest.h>

#include "store/operation_json.h"
#include "store/store_test_support.h"

namespace pgvigil::store {
namespace {

using model::OperationState;
using testing::At;
using testing::TempDir;

model::MaintenanceOperation Vacuum(std::string target, std::string object, double t) {
  model::MaintenanceOperation op;
  op.target = std::move(target);
  op.database = "app";
  op.kind = model::OperationKind::kVacuum;
  op.object = std::move(object);
  op.options.analyze = true;
  op.options.index_cleanup = model::IndexCleanup::kOff;
  op.sql = "VACUUM (ANALYZE, INDEX_CLEANUP OFF) \"public\".\"orders\"";
  op.guards = {{"object_exists", model::GuardOutcome::kPass, "public.orders (oid 16384)"},
               {"trusted_owner", model::GuardOutcome::kWarn, "owner bob is not trusted"}};
  op.state = OperationState::kQueued;
  op.initiator = "ops-token";
  op.initiator_role = "operator";
  op.created_at = At(t);
  op.before.size_bytes = 8192;
  op.before.dead_tuples = 500;
  return op;
}

TEST(SqliteMaintenanceStore, InsertAssignsIdsAndGetReadsEveryField) {
  TempDir dir;
  auto store = SqliteMaintenanceStore::Open(dir.File("h.db"));
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  auto id1 = (*store)->Insert(Vacuum("db1", "public.orders", 1000));
  auto id2 = (*store)->Insert(Vacuum("db1", "public.items", 1001));
  ASSERT_TRUE(id1.has_value() && id2.has_value());
  EXPECT_GT(*id2, *id1);

  auto op = (*store)->Get(*id1);
  ASSERT_TRUE(op.has_value()) << op.error().ToString();
  EXPECT_EQ(op->id, *id1);
  EXPECT_EQ(op->object, "public.orders");
  EXPECT_EQ(op->state, OperationState::kQueued);
  EXPECT_TRUE(op->options.analyze);
  EXPECT_EQ(op->options.index_cleanup, model::IndexCleanup::kOff);
  ASSERT_EQ(op->guards.size(), 2u);
  EXPECT_EQ(op->guards[1].outcome, model::GuardOutcome::kWarn);
  EXPECT_EQ(op->guards[1].detail, "owner bob is not trusted");
  EXPECT_EQ(op->before.dead_tuples, 500);
  EXPECT_FALSE(op->before.live_tuples.has_value());
  EXPECT_FALSE(op->started_at.has_value());
  EXPECT_EQ(op->created_at, At(1000));

  auto missing = (*store)->Get(999);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), common::StatusCode::kNotFound);
}

TEST(SqliteMaintenanceStore, UpdateRecordsTheOutcomeAndSurvivesReopening) {
  TempDir dir;
  const std::string path = dir.File("h.db");
  std::int64_t id = 0;
  {
    auto store = SqliteMaintenanceStore::Open(path);
    ASSERT_TRUE(store.has_value());
    model::MaintenanceOperation op = Vacuum("db1", "public.orders", 1000);
    auto inserted = (*store)->Insert(op);
    ASSERT_TRUE(inserted.has_value());
    id = *inserted;
    op.id = id;
    op.state = OperationState::kFailed;
    op.started_at = At(1001);
    op.finished_at = At(1003.5);
    op.lock_attempts = 5;
    op.sqlstate = "55P03";
    op.message = "could not obtain lock";
    op.after.dead_tuples = 0;
    ASSERT_TRUE((*store)->Update(op).ok());

    model::MaintenanceOperation ghost = op;
    ghost.id = 12345;
    const common::Status missing = (*store)->Update(ghost);
    EXPECT_EQ(missing.code(), common::StatusCode::kNotFound);
  }
  auto store = SqliteMaintenanceStore::Open(path);
  ASSERT_TRUE(store.has_value());
  auto op = (*store)->Get(id);
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->state, OperationState::kFailed);
  EXPECT_EQ(op->sqlstate, "55P03");
  EXPECT_EQ(op->lock_attempts, 5);
  EXPECT_EQ(op->after.dead_tuples, 0);
  const nlohmann::json j = OperationToJson(*op);
  EXPECT_DOUBLE_EQ(j["duration_s"].get<double>(), 2.5);
  EXPECT_EQ(j["state"], "failed");
  EXPECT_EQ(j["options"]["index_cleanup"], "off");
  EXPECT_TRUE(j["progress"].is_null());
}

// Recovery sends pid and backend_start as bind parameters: the audit keeps the statements as
// sent and their parameters line by line, and both come back from the store and in the OP.
TEST(SqliteMaintenanceStore, KeepsTheBindParametersOfEachStatement) {
  TempDir dir;
  auto store = SqliteMaintenanceStore::Open(dir.File("h.db"));
  ASSERT_TRUE(store.has_value());
  model::MaintenanceOperation op;
  op.target = "demo";
  op.kind = model::OperationKind::kRecovery;
  op.state = OperationState::kPlanned;
  op.created_at = At(1000);
  op.sql =
      "select /* pgvigil */ … where a.pid = $1 and a.backend_start = $2::timestamptz;\n"
      "select /* pgvigil */ … where a.pid = $1 and a.backend_start = $2::timestamptz;";
  op.sql_params = {{"4242", "2026-11-22T07:03:36.123456Z"},
                   {"4343", "x'; select pg_terminate_backend(1); --"}};
  auto id = (*store)->Insert(op);
  ASSERT_TRUE(id.has_value()) << id.error().ToString();
  auto back = (*store)->Get(*id);
  ASSERT_TRUE(back.has_value()) << back.error().ToString();
  EXPECT_EQ(back->sql, op.sql);
  EXPECT_EQ(back->sql_params, op.sql_params);
  const nlohmann::json j = OperationToJson(*back);
  ASSERT_EQ(j["sql_params"].size(), 2u);
  EXPECT_EQ(j["sql_params"][1][1], "x'; select pg_terminate_backend(1); --");

  op.id = *id;
  op.sql_params.pop_back();
  ASSERT_TRUE((*store)->Update(op).ok());
  back = (*store)->Get(*id);
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->sql_params.size(), 1u);
}

TEST(SqliteMaintenanceStore, ListsHistoryAndRunningNewestFirstByTarget) {
  TempDir dir;
  auto store = SqliteMaintenanceStore::Open(dir.File("h.db"));
  ASSERT_TRUE(store.has_value());
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 4; ++i) {
    model::MaintenanceOperation op =
        Vacuum(i == 3 ? "db2" : "db1", "public.t" + std::to_string(i), 1000 + i);
    op.state = i == 0   ? OperationState::kCompleted
               : i == 1 ? OperationState::kRunning
                        : OperationState::kPlanned;
    auto id = (*store)->Insert(op);
    ASSERT_TRUE(id.has_value());
    ids.push_back(*id);
  }
  auto all = (*store)->List({});
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(all->front().id, ids[3]);
  EXPECT_EQ(all->back().id, ids[0]);

  auto db1 = (*store)->List({OperationFilter::Type::kHistory, "db1", 2});
  ASSERT_TRUE(db1.has_value());
  ASSERT_EQ(db1->size(), 2u);
  EXPECT_EQ((*db1)[0].id, ids[2]);
  EXPECT_EQ((*db1)[1].id, ids[1]);

  auto running = (*store)->List({OperationFilter::Type::kRunning, std::nullopt, 100});
  ASSERT_TRUE(running.has_value());
  ASSERT_EQ(running->size(), 1u);
  EXPECT_EQ(running->front().id, ids[1]);
}

TEST(SqliteMaintenanceStore, ReconcileTurnsUnfinishedIntoUnknownAfterACrash) {
  TempDir dir;
  const std::string path = dir.File("h.db");
  std::int64_t queued = 0, running = 0, done = 0;
  {
    auto store = SqliteMaintenanceStore::Open(path);
    ASSERT_TRUE(store.has_value());
    model::MaintenanceOperation op = Vacuum("db1", "public.a", 1000);
    queued = *(*store)->Insert(op);
    op.state = OperationState::kRunning;
    op.started_at = At(1001);
    op.progress = model::OperationProgress{"scanning heap", 42.0};
    running = *(*store)->Insert(op);
    op.state = OperationState::kCompleted;
    op.finished_at = At(1002);
    op.progress.reset();
    done = *(*store)->Insert(op);
    // The process "dies" here: nothing records the outcome of the first two.
  }
  auto store = SqliteMaintenanceStore::Open(path);
  ASSERT_TRUE(store.has_value());
  auto reconciled = (*store)->ReconcileUnfinished(At(2000));
  ASSERT_TRUE(reconciled.has_value()) << reconciled.error().ToString();
  ASSERT_EQ(reconciled->size(), 2u);
  EXPECT_EQ((*reconciled)[0].id, queued);
  EXPECT_EQ((*reconciled)[1].id, running);
  for (const auto& op : *reconciled) {
    EXPECT_EQ(op.state, OperationState::kUnknown);
    EXPECT_EQ(op.finished_at, At(2000));
    EXPECT_FALSE(op.progress.has_value());
    EXPECT_NE(op.message.find("stopped between"), std::string::npos);
  }
  auto still_done = (*store)->Get(done);
  ASSERT_TRUE(still_done.has_value());
  EXPECT_EQ(still_done->state, OperationState::kCompleted);
  auto again = (*store)->ReconcileUnfinished(At(3000));
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->empty());
}

TEST(OperationJson, RecoveryBackendsAndProgressRoundTrip) {
  model::RecoveryBackend b;
  b.pid = 4242;
  b.backend_start = "2026-11-22 10:00:00.123456+00";
  b.usename = "app";
  b.state = "idle in transaction";
  b.age_seconds = 75.5;
  b.action = "terminate";
  b.outcome = "terminated";
  auto back = BackendsFromJson(BackendsToJson({b}));
  ASSERT_TRUE(back.has_value());
  ASSERT_EQ(back->size(), 1u);
  EXPECT_EQ((*back)[0].pid, 4242);
  EXPECT_EQ((*back)[0].backend_start, b.backend_start);
  EXPECT_DOUBLE_EQ((*back)[0].age_seconds, 75.5);
  EXPECT_EQ((*back)[0].outcome, "terminated");

  auto progress = ProgressFromJson(ProgressToJson(model::OperationProgress{"vacuuming", 12.5}));
  ASSERT_TRUE(progress.has_value() && progress->has_value());
  EXPECT_EQ((*progress)->phase, "vacuuming");
  EXPECT_EQ((*progress)->percent, 12.5);

  auto bad = GuardsFromJson(nlohmann::json::array({{{"outcome", "pass"}}}));
  EXPECT_FALSE(bad.has_value());
}

}  // namespace
}  // namespace pgvigil::store
