// SPDX-License-Identifier: Apache-2.0
// A real streaming standby (scripts/pg-sandbox.sh standby): maintenance is refused there by the
// not_standby guard, when planning and when executing a plan made on the primary.
#include <unistd.h>

#include "maintenance/maintenance_support.h"

namespace pgvigil::testing {
namespace {

using model::GuardOutcome;
using model::OperationKind;
using model::OperationState;

std::string EnvValue(const std::string& env_text, const std::string& key) {
  const std::string prefix = "export " + key + "='";
  const size_t at = env_text.find(prefix);
  if (at == std::string::npos) return "";
  const size_t start = at + prefix.size();
  return env_text.substr(start, env_text.find('\'', start) - start);
}

TEST(MaintenanceStandby, IsRefusedOnAStreamingStandby) {
  const std::string t = UniqueName("mt_standby");
  TestConnection primary(Sandbox().admin_dsn);
  primary.Exec("CREATE TABLE " + t + " (id int)");
  ScopeExit drop([&] { primary.Exec("DROP TABLE IF EXISTS " + t); });

  // Short: the unix socket path must fit in sun_path.
  const std::string dir = "/tmp/pgv-standby-" + std::to_string(::getpid());
  const std::string script = SourceDir() + "/scripts/pg-sandbox.sh";
  ScopeExit stop([&] { RunCommand({script, "stop", dir, "--purge"}); });
  const CommandResult started = RunCommand({script, "standby", Sandbox().dir, dir});
  ASSERT_EQ(started.exit_code, 0) << started.err;
  const std::string standby_dsn = EnvValue(started.out, "PGVIGIL_TEST_ADMIN_DSN");
  ASSERT_FALSE(standby_dsn.empty()) << started.out;

  TestConnection standby(standby_dsn);
  EXPECT_EQ(standby.Exec("SELECT pg_is_in_recovery()::text"), "true");
  ASSERT_TRUE(Eventually([&] {
    return standby.Exec("SELECT count(*) FROM pg_class WHERE relname = '" + t + "'") == "1";
  })) << "the table never reached the standby";

  const auto policy = ShortLockPolicy();
  auto runner = maintenance::MakeOperationRunner(common::SystemClock::Instance());
  auto on_standby =
      runner->Plan(RequestFor(OperationKind::kVacuum, t), ContextFor(policy, standby_dsn));
  EXPECT_EQ(on_standby.state, OperationState::kRefused) << Describe(on_standby);
  const model::GuardVerdict* g = FindGuard(on_standby, "not_standby");
  ASSERT_NE(g, nullptr) << Describe(on_standby);
  EXPECT_EQ(g->outcome, GuardOutcome::kRefuse);

  // A plan made on the primary, executed against the standby: refused before any SQL.
  auto on_primary = runner->Plan(RequestFor(OperationKind::kAnalyze, t), ContextFor(policy));
  ASSERT_EQ(on_primary.state, OperationState::kPlanned) << Describe(on_primary);
  maintenance::CancelFlag cancel;
  auto executed = runner->Execute(on_primary, ContextFor(policy, standby_dsn), {}, cancel);
  EXPECT_EQ(executed.state, OperationState::kRefused) << Describe(executed);
  EXPECT_NE(executed.message.find("not_standby"), std::string::npos) << executed.message;
}

}  // namespace
}  // namespace pgvigil::testing
