// SPDX-License-Identifier: Apache-2.0
#include "collect/stat_activity_collector.h"

#include <gtest/gtest.h>

#include "collect/collection.h"
#include "collect/credential_filter.h"
#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

model::Snapshot Collect(FakeSession& session) {
  model::Snapshot snapshot;
  const StatActivityCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kFast};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  return snapshot;
}

TEST(StatActivityCollector, ReadsBackendsWithAgesAndNulls) {
  FakeSession session(150004);
  session.AddResult("stat_activity",
                    {"pid", "leader_pid", "datname", "usename", "application_name", "client_addr",
                     "backend_type", "state", "wait_event_type", "wait_event",
                     "backend_age_seconds", "xact_age_seconds", "query_age_seconds",
                     "state_age_seconds", "backend_xid_age", "backend_xmin_age", "query_id",
                     "query"},
                    {{"101", std::nullopt, "app", "alice", "psql", "127.0.0.1", "client backend",
                      "idle in transaction", "Client", "ClientRead", "120.5", "60.25", "59", "58.5",
                      "3", "7", "-42", "select 1"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk) << s.outcomes[0].message;
  ASSERT_EQ(s.activity.size(), 1u);
  const model::Backend& b = s.activity[0];
  EXPECT_EQ(b.pid, 101);
  EXPECT_FALSE(b.leader_pid.has_value());
  EXPECT_EQ(b.state, "idle in transaction");
  EXPECT_DOUBLE_EQ(*b.xact_age_seconds, 60.25);
  EXPECT_EQ(*b.backend_xmin_age, 7);
  EXPECT_EQ(*b.query_id, -42);
}

TEST(StatActivityCollector, UsesTheVariantWithoutQueryIdBefore14) {
  FakeSession session(130010);
  session.AddResult("stat_activity", {"pid", "datname", "usename", "application_name", "client_addr",
                                      "backend_type", "state", "wait_event_type", "wait_event",
                                      "query"},
                    {{"7", "app", "bob", "", "", "client backend", "active", "", "", "select"}});
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(session.pipelines().size(), 1u);
  EXPECT_EQ(session.pipelines()[0][0].sql.find("query_id"), std::string::npos);
  ASSERT_EQ(s.activity.size(), 1u);
  EXPECT_FALSE(s.activity[0].query_id.has_value());
}

TEST(StatActivityCollector, NotesHiddenSessionsOfOtherRoles) {
  FakeSession session;
  session.AddResult("stat_activity", {"pid", "datname", "usename", "application_name", "client_addr",
                                      "backend_type", "state", "wait_event_type", "wait_event",
                                      "query"},
                    {{"7", "app", "bob", "", "", "client backend", "", "", "",
                      "<insufficient privilege>"}});
  const model::Snapshot s = Collect(session);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kOk);
  EXPECT_NE(s.outcomes[0].message.find("pg_monitor"), std::string::npos);
}

TEST(StatActivityCollector, AQueryErrorBecomesAnErrorOutcome) {
  FakeSession session;
  session.AddError("stat_activity",
                   common::Status(common::StatusCode::kTimeout, "canceling statement", "57014"));
  const model::Snapshot s = Collect(session);
  ASSERT_EQ(s.outcomes.size(), 1u);
  EXPECT_EQ(s.outcomes[0].status, model::CollectorStatus::kError);
  EXPECT_EQ(s.outcomes[0].sqlstate, "57014");
  EXPECT_TRUE(s.activity.empty());
}

}  // namespace
}  // namespace pgvigil::collect

namespace pgvigil::collect {
namespace {

TEST(StatActivityCollector, WithholdsARunningStatementThatCarriesAPassword) {
  testing::FakeSession session;
  session.AddResult("stat_activity", {"pid", "datname", "usename", "application_name", "client_addr",
                                      "backend_type", "state", "wait_event_type", "wait_event",
                                      "query"},
                    {{"7", "app", "admin", "psql", "", "client backend", "active", "", "",
                      "ALTER ROLE app PASSWORD 'hunter2'"}});
  model::Snapshot s;
  const StatActivityCollector collector;
  const Collector* const collectors[] = {&collector};
  const Tier tiers[] = {Tier::kFast};
  RunCollectors(session, collectors, tiers, CollectorOptions{}, QueryCatalog::Builtin(), s);
  ASSERT_EQ(s.activity.size(), 1u);
  EXPECT_EQ(s.activity[0].query, kWithheldText);
}

}  // namespace
}  // namespace pgvigil::collect
