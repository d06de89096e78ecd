// SPDX-License-Identifier: Apache-2.0
#include "maintenance/guards.h"

#include <gtest/gtest.h>

namespace pgvigil::maintenance {
namespace {

using model::GuardOutcome;
using model::GuardVerdict;

GuardFacts Clean() {
  GuardFacts f;
  model::ResolvedRelation r;
  r.oid = r.table_oid = 16384;
  r.schema = r.table_schema = "public";
  r.name = r.table_name = "orders";
  r.owner = "app";
  f.relation = r;
  f.is_in_recovery = false;
  f.role = "maint";
  f.has_privilege = true;
  f.server_major = 16;
  return f;
}

const GuardVerdict* Find(const std::vector<GuardVerdict>& v, const std::string& guard) {
  for (const GuardVerdict& g : v) {
    if (g.guard == guard) return &g;
  }
  return nullptr;
}

GuardOutcome OutcomeOf(const GuardFacts& f, const std::string& guard) {
  const auto v = EvaluateGuards(f);
  const GuardVerdict* g = Find(v, guard);
  EXPECT_NE(g, nullptr) << guard;
  return g != nullptr ? g->outcome : GuardOutcome::kPass;
}

TEST(EvaluateGuards, ACleanCasePassesEveryGuardInOrder) {
  const auto v = EvaluateGuards(Clean());
  std::vector<std::string> names;
  for (const GuardVerdict& g : v) {
    names.push_back(g.guard);
    EXPECT_EQ(g.outcome, GuardOutcome::kPass) << g.guard << ": " << g.detail;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"valid_name", "object_exists", "not_standby",
                                             "no_conflict_pgvigil", "no_conflict_server",
                                             "maintenance_window", "privilege", "invalid_index",
                                             "superuser_role", "trusted_owner"}));
  EXPECT_FALSE(AnyRefusal(v));
}

TEST(EvaluateGuards, AnInvalidRequestStopsAtValidName) {
  GuardFacts f;
  f.invalid_request = "table name is 64 bytes long";
  const auto v = EvaluateGuards(f);
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].guard, "valid_name");
  EXPECT_EQ(v[0].outcome, GuardOutcome::kRefuse);
  EXPECT_EQ(RefusalMessage(v), "valid_name: table name is 64 bytes long");
}

TEST(EvaluateGuards, AMissingObjectStopsAtObjectExists) {
  GuardFacts f;
  f.resolution_problem = "no table named \"nope\"";
  const auto v = EvaluateGuards(f);
  ASSERT_EQ(v.size(), 2u);
  EXPECT_EQ(v[1].guard, "object_exists");
  EXPECT_EQ(v[1].outcome, GuardOutcome::kRefuse);
  EXPECT_EQ(v[1].detail, "no table named \"nope\"");
}

TEST(EvaluateGuards, RefusesOnAStandby) {
  GuardFacts f = Clean();
  f.is_in_recovery = true;
  EXPECT_EQ(OutcomeOf(f, "not_standby"), GuardOutcome::kRefuse);
}

TEST(EvaluateGuards, RefusesWhenPgvigilOrAnotherPgvigilIsBusy) {
  GuardFacts f = Clean();
  f.busy_in_pgvigil = true;
  EXPECT_EQ(OutcomeOf(f, "no_conflict_pgvigil"), GuardOutcome::kRefuse);
  f = Clean();
  f.advisory_lock_pid = 4242;
  const auto v = EvaluateGuards(f);
  EXPECT_EQ(Find(v, "no_conflict_pgvigil")->outcome, GuardOutcome::kRefuse);
  EXPECT_NE(Find(v, "no_conflict_pgvigil")->detail.find("4242"), std::string::npos);
}

TEST(EvaluateGuards, RefusesWhenTheServerRunsSomethingOnTheTable) {
  GuardFacts f = Clean();
  f.server_conflicts = {{77, "autovacuum", "scanning heap"}};
  const auto v = EvaluateGuards(f);
  const GuardVerdict* g = Find(v, "no_conflict_server");
  EXPECT_EQ(g->outcome, GuardOutcome::kRefuse);
  EXPECT_NE(g->detail.find("autovacuum (pid 77, scanning heap)"), std::string::npos) << g->detail;
}

TEST(EvaluateGuards, BlockingOperationsNeedTheWindowOrForce) {
  GuardFacts f = Clean();
  f.is_blocking = true;
  EXPECT_EQ(OutcomeOf(f, "maintenance_window"), GuardOutcome::kRefuse);
  f.inside_window = true;
  EXPECT_EQ(OutcomeOf(f, "maintenance_window"), GuardOutcome::kPass);
  f.inside_window = false;
  f.forced = true;
  f.reason = "ticket 42";
  const auto v = EvaluateGuards(f);
  EXPECT_EQ(Find(v, "maintenance_window")->outcome, GuardOutcome::kWarn);
  EXPECT_NE(Find(v, "maintenance_window")->detail.find("ticket 42"), std::string::npos);
  EXPECT_FALSE(AnyRefusal(v));
}

TEST(EvaluateGuards, RefusesWithoutThePrivilegeNamingWhatIsMissing) {
  GuardFacts f = Clean();
  f.has_privilege = false;
  f.server_major = 17;
  auto v = EvaluateGuards(f);
  EXPECT_EQ(Find(v, "privilege")->outcome, GuardOutcome::kRefuse);
  EXPECT_NE(Find(v, "privilege")->detail.find("MAINTAIN"), std::string::npos);
  f.server_major = 16;
  v = EvaluateGuards(f);
  EXPECT_NE(Find(v, "privilege")->detail.find("ownership"), std::string::npos);
}

TEST(EvaluateGuards, WarnsAboutInvalidIndexesSuperusersAndUntrustedOwners) {
  GuardFacts f = Clean();
  f.invalid_indexes = {"\"public\".\"orders_pkey_ccnew\""};
  f.is_superuser = true;
  f.trusted_owners = {"app_owner"};
  const auto v = EvaluateGuards(f);
  EXPECT_EQ(Find(v, "invalid_index")->outcome, GuardOutcome::kWarn);
  EXPECT_NE(Find(v, "invalid_index")->detail.find("orders_pkey_ccnew"), std::string::npos);
  EXPECT_EQ(Find(v, "superuser_role")->outcome, GuardOutcome::kWarn);
  EXPECT_EQ(Find(v, "trusted_owner")->outcome, GuardOutcome::kWarn);
  EXPECT_FALSE(AnyRefusal(v));  // warnings never refuse
  f.trusted_owners = {"app"};
  EXPECT_EQ(OutcomeOf(f, "trusted_owner"), GuardOutcome::kPass);
}

}  // namespace
}  // namespace pgvigil::maintenance
