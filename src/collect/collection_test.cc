// SPDX-License-Identifier: Apache-2.0
#include "collect/collection.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "support/fake_session.h"

namespace pgvigil::collect {
namespace {

using testing::FakeSession;

// A collector that plans one query named after itself (or refuses with `refusal`) and records
// each row's first value as a database size, so that a test can see what was parsed.
class FakeCollector final : public Collector {
 public:
  FakeCollector(std::string name, Tier tier, Scope scope, common::Status refusal = {})
      : name_(std::move(name)), tier_(tier), scope_(scope), refusal_(std::move(refusal)) {}

  std::string_view name() const override { return name_; }
  Tier tier() const override { return tier_; }
  Scope scope() const override { return scope_; }
  common::Result<std::vector<pg::Query>> Plan(const CollectContext& /*context*/) const override {
    if (!refusal_.ok()) return refusal_;
    return std::vector<pg::Query>{{name_, "select /* pgvigil */ '" + name_ + "'"}};
  }
  common::Status Parse(const CollectContext& /*context*/, std::span<const pg::QueryOutcome> results,
                       model::Snapshot& snapshot, std::string& /*note*/) const override {
    for (int r = 0; r < results[0].rows.row_count(); ++r) {
      snapshot.database_sizes.push_back({std::string(results[0].rows.Value(r, 0)), 0});
    }
    return common::Status::Ok();
  }

 private:
  std::string name_;
  Tier tier_;
  Scope scope_;
  common::Status refusal_;
};

std::vector<std::string> QueryNames(const CollectionPlan& plan) {
  std::vector<std::string> names;
  for (const pg::Query& q : plan.queries) names.push_back(q.name);
  return names;
}

std::vector<std::string> OutcomeNames(const model::Snapshot& s) {
  std::vector<std::string> names;
  for (const model::CollectorOutcome& o : s.outcomes) names.push_back(o.collector);
  return names;
}

constexpr Tier kAllTiers[] = {Tier::kFast, Tier::kStandard, Tier::kSlow};

TEST(PlanCollection, DatabaseOnlyLeavesTheClusterWideCollectorsOut) {
  const FakeCollector activity("activity", Tier::kFast, Scope::kCluster);
  const FakeCollector tables("tables", Tier::kSlow, Scope::kDatabase);
  const FakeCollector settings("settings", Tier::kStandard, Scope::kCluster);
  const FakeCollector sequences("sequences", Tier::kSlow, Scope::kDatabase);
  const Collector* const collectors[] = {&activity, &tables, &settings, &sequences};
  const pg::ServerInfo server = FakeSession().server_info();

  const CollectionPlan main =
      PlanCollection(server, collectors, kAllTiers, ScopeFilter::kClusterAndDatabase,
                     CollectorOptions{}, QueryCatalog::Builtin());
  EXPECT_EQ(QueryNames(main),
            (std::vector<std::string>{"activity", "tables", "settings", "sequences"}));

  const CollectionPlan extra =
      PlanCollection(server, collectors, kAllTiers, ScopeFilter::kDatabaseOnly, CollectorOptions{},
                     QueryCatalog::Builtin());
  EXPECT_EQ(QueryNames(extra), (std::vector<std::string>{"tables", "sequences"}));
  ASSERT_EQ(extra.entries.size(), 2u);
  EXPECT_EQ(extra.entries[1].collector, &sequences);
  EXPECT_EQ(extra.entries[1].first_query, 1u);
  EXPECT_EQ(extra.entries[1].query_count, 1u);

  // Tiers still apply within the scope.
  const Tier slow[] = {Tier::kStandard};
  EXPECT_TRUE(PlanCollection(server, collectors, slow, ScopeFilter::kDatabaseOnly,
                             CollectorOptions{}, QueryCatalog::Builtin())
                  .queries.empty());
}

TEST(PlanCollection, ARefusedCollectorSendsNothingAndIsRecordedAsSkipped) {
  const FakeCollector missing("missing", Tier::kFast, Scope::kCluster,
                              common::UnsupportedError("extension not installed"));
  const FakeCollector present("present", Tier::kFast, Scope::kCluster);
  const Collector* const collectors[] = {&missing, &present};
  FakeSession session;
  session.AddResult("present", {"v"}, {{"p1"}, {"p2"}});

  const CollectionPlan plan =
      PlanCollection(session.server_info(), collectors, kAllTiers, ScopeFilter::kClusterAndDatabase,
                     CollectorOptions{}, QueryCatalog::Builtin());
  EXPECT_EQ(QueryNames(plan), (std::vector<std::string>{"present"}));
  model::Snapshot snapshot;
  ParseCollection(plan, session.RunPipeline(plan.queries), session.server_info(),
                  CollectorOptions{}, QueryCatalog::Builtin(), snapshot);
  ASSERT_EQ(OutcomeNames(snapshot), (std::vector<std::string>{"missing", "present"}));
  EXPECT_EQ(snapshot.outcomes[0].status, model::CollectorStatus::kSkipped);
  EXPECT_EQ(snapshot.outcomes[0].message, "extension not installed");
  EXPECT_EQ(snapshot.outcomes[1].status, model::CollectorStatus::kOk);
  EXPECT_EQ(snapshot.outcomes[1].rows, 2);
  ASSERT_EQ(snapshot.database_sizes.size(), 2u);
  EXPECT_EQ(snapshot.database_sizes[1].datname, "p2");
}

TEST(ParseCollection, ResultsMissingAtTheEndFailTheirCollectorOnly) {
  const FakeCollector first("first", Tier::kFast, Scope::kCluster);
  const FakeCollector second("second", Tier::kFast, Scope::kCluster);
  const Collector* const collectors[] = {&first, &second};
  FakeSession session;
  session.AddResult("first", {"v"}, {{"f"}});
  const CollectionPlan plan =
      PlanCollection(session.server_info(), collectors, kAllTiers, ScopeFilter::kClusterAndDatabase,
                     CollectorOptions{}, QueryCatalog::Builtin());
  std::vector<pg::QueryOutcome> results = session.RunPipeline(plan.queries);
  results.pop_back();
  model::Snapshot snapshot;
  ParseCollection(plan, std::move(results), session.server_info(), CollectorOptions{},
                  QueryCatalog::Builtin(), snapshot);
  ASSERT_EQ(snapshot.outcomes.size(), 2u);
  EXPECT_EQ(snapshot.outcomes[0].status, model::CollectorStatus::kOk);
  EXPECT_EQ(snapshot.outcomes[1].status, model::CollectorStatus::kError);
  EXPECT_EQ(snapshot.outcomes[1].error_code, "internal");
}

TEST(CollectionParser, ParsesEachCollectorAsSoonAsItsLastResultArrives) {
  const FakeCollector first("first", Tier::kFast, Scope::kCluster);
  const FakeCollector refused("refused", Tier::kFast, Scope::kCluster,
                              common::UnsupportedError("extension not installed"));
  const FakeCollector last("last", Tier::kSlow, Scope::kDatabase);
  const Collector* const collectors[] = {&first, &refused, &last};
  FakeSession session;
  session.AddResult("first", {"v"}, {{"f1"}, {"f2"}});
  session.AddResult("last", {"v"}, {{"l1"}});
  const CollectionPlan plan =
      PlanCollection(session.server_info(), collectors, kAllTiers, ScopeFilter::kClusterAndDatabase,
                     CollectorOptions{}, QueryCatalog::Builtin());
  std::vector<pg::QueryOutcome> results = session.RunPipeline(plan.queries);
  ASSERT_EQ(results.size(), 2u);

  model::Snapshot snapshot;
  CollectionParser parser(plan, session.server_info(), CollectorOptions{}, QueryCatalog::Builtin(),
                          snapshot);
  parser.Add(0, results[0]);
  // The first collector is parsed before the second result exists, and the refused one
  // after it is recorded in its place; the rows were taken, the status left.
  EXPECT_EQ(OutcomeNames(snapshot), (std::vector<std::string>{"first", "refused"}));
  EXPECT_EQ(snapshot.outcomes[0].rows, 2);
  EXPECT_EQ(snapshot.database_sizes.size(), 2u);
  EXPECT_EQ(results[0].rows.row_count(), 0);
  EXPECT_TRUE(results[0].status.ok());

  parser.Add(1, results[1]);
  parser.Finish();
  EXPECT_EQ(OutcomeNames(snapshot), (std::vector<std::string>{"first", "refused", "last"}));
  ASSERT_EQ(snapshot.database_sizes.size(), 3u);
  EXPECT_EQ(snapshot.database_sizes[2].datname, "l1");
}

TEST(CollectionParser, AnOutcomeOutOfOrderIsIgnoredAndItsCollectorFailsAtFinish) {
  const FakeCollector first("first", Tier::kFast, Scope::kCluster);
  const FakeCollector second("second", Tier::kFast, Scope::kCluster);
  const Collector* const collectors[] = {&first, &second};
  FakeSession session;
  session.AddResult("first", {"v"}, {{"f"}});
  session.AddResult("second", {"v"}, {{"s"}});
  const CollectionPlan plan =
      PlanCollection(session.server_info(), collectors, kAllTiers, ScopeFilter::kClusterAndDatabase,
                     CollectorOptions{}, QueryCatalog::Builtin());
  std::vector<pg::QueryOutcome> results = session.RunPipeline(plan.queries);

  model::Snapshot snapshot;
  CollectionParser parser(plan, session.server_info(), CollectorOptions{}, QueryCatalog::Builtin(),
                          snapshot);
  parser.Add(1, results[1]);  // the first never came
  EXPECT_TRUE(snapshot.outcomes.empty());
  parser.Finish();
  ASSERT_EQ(snapshot.outcomes.size(), 2u);
  EXPECT_EQ(snapshot.outcomes[0].error_code, "internal");
  EXPECT_EQ(snapshot.outcomes[1].error_code, "internal");
  EXPECT_TRUE(snapshot.database_sizes.empty());
}

TEST(RunCollectors, IsPlanThenParseOverOnePipeline) {
  const FakeCollector a("a", Tier::kFast, Scope::kCluster);
  const FakeCollector b("b", Tier::kSlow, Scope::kDatabase);
  const FakeCollector c("c", Tier::kFast, Scope::kDatabase,
                        common::PermissionDeniedError("no pg_read_all_stats"));
  const Collector* const collectors[] = {&a, &b, &c};
  FakeSession session;
  session.AddResult("a", {"v"}, {{"a1"}});
  session.AddError("b", common::TimeoutError("canceling statement due to statement timeout"));

  model::Snapshot composed;
  RunCollectors(session, collectors, kAllTiers, CollectorOptions{}, QueryCatalog::Builtin(),
                composed);
  ASSERT_EQ(session.pipelines().size(), 1u);  // one round trip

  model::Snapshot split;
  const CollectionPlan plan =
      PlanCollection(session.server_info(), collectors, kAllTiers, ScopeFilter::kClusterAndDatabase,
                     CollectorOptions{}, QueryCatalog::Builtin());
  ParseCollection(plan, session.RunPipeline(plan.queries), session.server_info(),
                  CollectorOptions{}, QueryCatalog::Builtin(), split);

  ASSERT_EQ(OutcomeNames(composed), (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_EQ(OutcomeNames(split), OutcomeNames(composed));
  for (size_t i = 0; i < composed.outcomes.size(); ++i) {
    EXPECT_EQ(split.outcomes[i].status, composed.outcomes[i].status) << i;
    EXPECT_EQ(split.outcomes[i].error_code, composed.outcomes[i].error_code) << i;
    EXPECT_EQ(split.outcomes[i].message, composed.outcomes[i].message) << i;
  }
  EXPECT_EQ(composed.outcomes[1].error_code, "timeout");
  EXPECT_EQ(composed.outcomes[2].status, model::CollectorStatus::kSkipped);
  ASSERT_EQ(split.database_sizes.size(), 1u);
  EXPECT_EQ(split.database_sizes[0].datname, "a1");
}

TEST(BuiltinCollectors, OnlyPerDatabaseViewsHaveDatabaseScope) {
  std::vector<std::string> database_scoped;
  for (const Collector* c : BuiltinCollectors()) {
    if (c->scope() == Scope::kDatabase) database_scoped.emplace_back(c->name());
  }
  std::sort(database_scoped.begin(), database_scoped.end());
  EXPECT_EQ(database_scoped, (std::vector<std::string>{"bloat_inputs", "sequences",
                                                       "stat_user_indexes", "stat_user_tables"}));
}

}  // namespace
}  // namespace pgvigil::collect
