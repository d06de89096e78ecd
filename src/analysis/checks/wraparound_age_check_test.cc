// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/wraparound_age_check.h"

#include <gtest/gtest.h>

#include "support/check_runner.h"

namespace pgvigil::analysis {
namespace {

model::Setting Setting(std::string name, std::string value) {
  model::Setting s;
  s.name = std::move(name);
  s.setting = std::move(value);
  return s;
}

model::TableStats Table(std::string name, std::int64_t xid_age, std::int64_t mxid_age = 0) {
  model::TableStats t;
  t.datname = "app";
  t.schemaname = "public";
  t.relname = std::move(name);
  t.relkind = "r";
  t.relfrozenxid_age = xid_age;
  t.relminmxid_age = mxid_age;
  return t;
}

model::Snapshot Server(std::int64_t xid_age, std::int64_t mxid_age = 1000) {
  model::Snapshot s;
  s.target = "prod";
  s.outcomes = {testing::OkOutcome("wraparound"), testing::OkOutcome("stat_user_tables"),
                testing::OkOutcome("settings")};
  s.settings = {Setting("autovacuum_freeze_max_age", "200000000"),
                Setting("autovacuum_multixact_freeze_max_age", "400000000")};
  model::DatabaseAge d;
  d.datname = "app";
  d.datfrozenxid_age = xid_age;
  d.datminmxid_age = mxid_age;
  s.database_ages = {d};
  s.tables = {Table("small", 1000), Table("orders", xid_age), Table("events", xid_age - 5),
              Table("users", xid_age - 10), Table("audit", xid_age - 20)};
  return s;
}

std::vector<model::Finding> Evaluate(const model::Snapshot& s, const Thresholds& t = {}) {
  return testing::EvaluateCheck(WraparoundAgeCheck(), s, nullptr, t);
}

TEST(WraparoundAgeCheck, WarnsFromOneBillionAndIsCriticalFromOneAndAHalf) {
  EXPECT_TRUE(Evaluate(Server(999999999)).empty());
  auto findings = Evaluate(Server(1000000000));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "wraparound.xid_age");
  EXPECT_EQ(findings[0].object, "app");
  EXPECT_EQ(findings[0].severity, model::Severity::kWarning);
  EXPECT_EQ(findings[0].unit, "transactions");
  EXPECT_EQ(*findings[0].threshold, 1e9);
  EXPECT_EQ(Evaluate(Server(1499999999)).at(0).severity, model::Severity::kWarning);
  EXPECT_EQ(Evaluate(Server(1500000000)).at(0).severity, model::Severity::kCritical);
}

TEST(WraparoundAgeCheck, SaysThatAntiWraparoundAutovacuumShouldBeRunning) {
  const auto findings = Evaluate(Server(1200000000));
  ASSERT_EQ(findings.size(), 1u);
  const std::string& m = findings[0].message;
  EXPECT_NE(m.find("1.2 billion transaction ids"), std::string::npos) << m;
  EXPECT_NE(m.find("past autovacuum_freeze_max_age (200 million)"), std::string::npos) << m;
  EXPECT_NE(m.find("anti-wraparound autovacuum should already be running"), std::string::npos);
}

TEST(WraparoundAgeCheck, NamesTheThreeOldestTablesAndFreezesThem) {
  const auto findings = Evaluate(Server(1200000000));
  ASSERT_EQ(findings.size(), 1u);
  const model::Finding& f = findings[0];
  std::string evidence;
  for (const auto& e : f.evidence) evidence += e + "\n";
  EXPECT_NE(evidence.find("age(relfrozenxid) = 1200000000 on app.public.orders"), std::string::npos)
      << evidence;
  EXPECT_NE(evidence.find("app.public.users"), std::string::npos);
  EXPECT_EQ(evidence.find("app.public.audit"), std::string::npos) << "only the three oldest";
  ASSERT_TRUE(f.recommendation.has_value());
  EXPECT_EQ(f.recommendation->sql,
            "VACUUM (FREEZE, VERBOSE) \"public\".\"orders\"; "
            "VACUUM (FREEZE, VERBOSE) \"public\".\"events\"; "
            "VACUUM (FREEZE, VERBOSE) \"public\".\"users\";");
}

TEST(WraparoundAgeCheck, ShowsARunningAntiWraparoundAutovacuum) {
  model::Snapshot s = Server(1200000000);
  s.outcomes.push_back(testing::OkOutcome("stat_activity"));
  model::Backend b;
  b.pid = 77;
  b.datname = "app";
  b.backend_type = "autovacuum worker";
  b.xact_age_seconds = 600;
  b.query = "autovacuum: VACUUM public.orders (to prevent wraparound)";
  s.activity = {b};
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  bool seen = false;
  for (const auto& e : findings[0].evidence) seen |= e.find("pid 77 running for 10 min") == 0;
  EXPECT_TRUE(seen);
}

TEST(WraparoundAgeCheck, FreezesTheWholeDatabaseWhenNoUserTableExplainsItsAge) {
  model::Snapshot s = Server(1200000000);
  s.database_ages[0].datname = "other";  // not the collected database: no tables known
  s.database_ages[0].datallowconn = false;
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql, "VACUUM (FREEZE, VERBOSE);");
  EXPECT_NE(findings[0].recommendation->why.find("connected to database other"), std::string::npos);
  EXPECT_NE(findings[0].recommendation->why.find("ALTER DATABASE \"other\" WITH ALLOW_CONNECTIONS"),
            std::string::npos);
}

TEST(WraparoundAgeCheck, JudgesMultixactAgesApart) {
  auto findings = Evaluate(Server(1000, 1600000000));
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].id, "wraparound.multixact_age");
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
  EXPECT_NE(findings[0].message.find("mxid_age(datminmxid) is 1.6 billion multixact ids"),
            std::string::npos)
      << findings[0].message;
}

TEST(WraparoundAgeCheck, SaysNothingWhenTheAgesWereNotCollected) {
  model::Snapshot s = Server(1900000000);
  s.outcomes[0].status = model::CollectorStatus::kError;
  EXPECT_TRUE(Evaluate(s).empty());
}

TEST(WraparoundAgeCheck, APerDatabaseOverrideChangesTheLevels) {
  const Thresholds t({{"wraparound.xid_age", "*", "app", {5e8, 8e8}}});
  const auto findings = Evaluate(Server(900000000), t);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].severity, model::Severity::kCritical);
}

TEST(WraparoundAgeCheck, QuotesAHostileTableName) {
  model::Snapshot s = Server(1200000000);
  s.tables = {Table("we\"ird", 1200000000)};
  s.tables[0].schemaname = "My Schema";
  const auto findings = Evaluate(s);
  ASSERT_EQ(findings.size(), 1u);
  EXPECT_EQ(findings[0].recommendation->sql,
            "VACUUM (FREEZE, VERBOSE) \"My Schema\".\"we\"\"ird\";");
}

}  // namespace
}  // namespace pgvigil::analysis
