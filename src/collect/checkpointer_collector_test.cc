// SPDX-License-Identifier: Apache-2.0
#include "collect/checkpointer_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const CheckpointerCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kStandard};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

const std::string& OnlySql(const FakeSession& session) {
  EXPECT_EQ(session.pipelines().size(), 1u);
  EXPECT_EQ(session.pipelines()[0].size(), 1u);
  return session.pipelines()[0][0].sql;
}

TEST(CheckpointerCollector, ReadsPgStatBgwriterUpTo16) {
  FakeSession session(160004);
  session.AddResult("checkpointer",
                    {"checkpoints_timed", "checkpoints_req", "checkpoint_write_time",
                     "checkpoint_sync_time", "buffers_checkpoint", "buffers_clean",
                     "maxwritten_clean", "buffers_alloc", "buffers_backend",
                     "buffers_backend_fsync", "checkpointer_stats_reset", "bgwriter_stats_reset"},
                    {{"100", "7", "5000.5", "20.25", "4000", "300", "2", "90000", "1200", "0",
                      "1700000000", "1700000000"}});
  const model::Snapshot s = Collect(session);
  const std::string& sql = OnlySql(session);
  EXPECT_NE(sql.find("pg_catalog.pg_stat_bgwriter"), std::string::npos);
  EXPECT_EQ(sql.find("pg_stat_checkpointer"), std::string::npos);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_TRUE(s.checkpointer.has_value());
  const model::CheckpointerStats& c = *s.checkpointer;
  EXPECT_EQ(c.checkpoints_timed, 100);
  EXPECT_EQ(c.checkpoints_req, 7);
  EXPECT_DOUBLE_EQ(c.checkpoint_write_time, 5000.5);
  EXPECT_EQ(c.buffers_checkpoint, 4000);
  EXPECT_EQ(c.buffers_alloc, 90000);
  EXPECT_EQ(c.buffers_backend, 1200);
  EXPECT_EQ(c.buffers_backend_fsync, 0);
  EXPECT_FALSE(c.restartpoints_timed.has_value());
  EXPECT_FALSE(c.checkpoints_done.has_value());
  EXPECT_EQ(c.checkpointer_stats_reset, c.bgwriter_stats_reset);
}

TEST(CheckpointerCollector, JoinsPgStatCheckpointerAndBgwriterFrom17) {
  FakeSession session(170002);
  session.AddResult(
      "checkpointer",
      {"checkpoints_timed", "checkpoints_req", "checkpoint_write_time", "checkpoint_sync_time",
       "buffers_checkpoint", "buffers_clean", "maxwritten_clean", "buffers_alloc",
       "restartpoints_timed", "restartpoints_req", "restartpoints_done", "checkpointer_stats_reset",
       "bgwriter_stats_reset"},
      {{"100", "7", "5000.5", "20.25", "4000", "300", "2", "90000", "0", "0", "0", "1700000000",
        std::nullopt}});
  const model::Snapshot s = Collect(session);
  const std::string& sql = OnlySql(session);
  EXPECT_NE(sql.find("c.num_timed as checkpoints_timed"), std::string::npos);
  EXPECT_NE(sql.find("c.num_requested as checkpoints_req"), std::string::npos);
  EXPECT_NE(sql.find("c.buffers_written as buffers_checkpoint"), std::string::npos);
  EXPECT_NE(sql.find("cross join pg_catalog.pg_stat_bgwriter b"), std::string::npos);
  EXPECT_EQ(sql.find("buffers_backend"), std::string::npos);
  EXPECT_EQ(sql.find("num_done"), std::string::npos);  // 18+
  ASSERT_TRUE(s.checkpointer.has_value());
  const model::CheckpointerStats& c = *s.checkpointer;
  EXPECT_EQ(c.checkpoints_timed, 100);
  EXPECT_FALSE(c.buffers_backend.has_value());
  EXPECT_FALSE(c.buffers_backend_fsync.has_value());
  EXPECT_EQ(c.restartpoints_done, 0);
  EXPECT_TRUE(c.checkpointer_stats_reset.has_value());
  EXPECT_FALSE(c.bgwriter_stats_reset.has_value());
}

TEST(CheckpointerCollector, ReadsNumDoneFrom18) {
  FakeSession session(180001);
  session.AddResult(
      "checkpointer",
      {"checkpoints_timed", "checkpoints_req", "checkpoints_done", "checkpoint_write_time",
       "checkpoint_sync_time", "buffers_checkpoint", "buffers_clean", "maxwritten_clean",
       "buffers_alloc", "restartpoints_timed", "restartpoints_req", "restartpoints_done",
       "checkpointer_stats_reset", "bgwriter_stats_reset"},
      {{"100", "7", "40", "1", "1", "1", "1", "1", "1", "0", "0", "0", std::nullopt,
        std::nullopt}});
  const model::Snapshot s = Collect(session);
  EXPECT_NE(OnlySql(session).find("c.num_done as checkpoints_done"), std::string::npos);
  ASSERT_TRUE(s.checkpointer.has_value());
  EXPECT_EQ(s.checkpointer->checkpoints_done, 40);
}

TEST(CheckpointerCollector, AnEmptyResultIsAnError) {
  FakeSession session(150004);
  session.AddResult("checkpointer", {"checkpoints_timed"}, {});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kError);
  EXPECT_FALSE(s.checkpointer.has_value());
}

}  // namespace
}  // namespace pgvigil::collect
