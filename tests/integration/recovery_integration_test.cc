// SPDX-License-Identifier: Apache-2.0
// Recovery actions (issue 6 §4) against real backends: sessions in known states in a database of
// the test's own (so the tests running beside it are never selected), a recovery role with
// pg_monitor + pg_signal_backend as a maintenance role would have, and the checks made from the
// clients' side: the cancelled statement gets 57014, terminated sessions are gone, protected
// ones answer as before.
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "common/clock.h"
#include "integration/integration_helpers.h"
#include "maintenance/recovery.h"

namespace pgvigil::testing {
namespace {

using maintenance::RecoveryRequest;
using model::MaintenanceOperation;
using model::OperationState;
using model::RecoveryBackend;

// A client whose statement is sent without waiting, with the SQLSTATE it ends with read back
// from the client's side (TestConnection only cancels and drains).
class Sleeper {
 public:
  explicit Sleeper(const std::string& dsn) : conn_(PQconnectdb(dsn.c_str())) {
    EXPECT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  }
  Sleeper(const std::string& dsn, const std::string& sql) : Sleeper(dsn) { Send(sql); }
  ~Sleeper() { PQfinish(conn_); }
  Sleeper(const Sleeper&) = delete;
  Sleeper& operator=(const Sleeper&) = delete;

  int backend_pid() const { return PQbackendPID(conn_); }
  void Send(const std::string& sql) {
    EXPECT_EQ(PQsendQuery(conn_, sql.c_str()), 1) << PQerrorMessage(conn_);
  }
  // Waits for the statement's end: its SQLSTATE, "" when it succeeded.
  std::string WaitForSqlState() {
    std::string state;
    while (PGresult* r = PQgetResult(conn_)) {
      if (const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE); s != nullptr) state = s;
      PQclear(r);
    }
    return state;
  }

 private:
  PGconn* conn_;
};

class RecoveryIntegration : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = UniqueName("recovery");
    client_ = db_ + "_client";
    runner_ = db_ + "_runner";
    TestConnection admin(Sandbox().admin_dsn);
    admin.Exec("CREATE DATABASE " + db_);
    admin.Exec("CREATE ROLE " + client_ + " LOGIN PASSWORD 'client-secret'");
    admin.Exec("CREATE ROLE " + runner_ + " LOGIN PASSWORD 'runner-secret'");
    admin.Exec("GRANT pg_monitor, pg_signal_backend TO " + runner_);
    policy_.protected_applications = {"billing-*"};
    policy_.cancel_grace = std::chrono::milliseconds(300);
    context_.dsn = TcpDsn(runner_, "runner-secret");
    context_.policy = &policy_;
  }

  void TearDown() override {
    TestConnection admin(Sandbox().admin_dsn);
    admin.Exec("DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)");
    admin.Exec("DROP ROLE IF EXISTS " + client_);
    admin.Exec("DROP ROLE IF EXISTS " + runner_);
  }

  std::string TcpDsn(const std::string& user, const std::string& password) const {
    return "host=127.0.0.1 port=" + std::to_string(Sandbox().port) + " dbname=" + db_ +
           " user=" + user + " password=" + password;
  }
  std::string ClientDsn() const { return TcpDsn(client_, "client-secret"); }
  // The superuser, over the socket; the later dbname wins over the one in admin_dsn.
  std::string SuperuserDsn() const { return Sandbox().admin_dsn + " dbname=" + db_; }

  RecoveryRequest Request(double seconds) const {
    RecoveryRequest r;
    r.target = "sandbox";
    r.database = db_;
    r.cancel_running_longer_than_s = seconds;
    r.terminate_idle_longer_than_s = seconds;
    r.terminate_idle_in_transaction_longer_than_s = seconds;
    r.initiator = "integration-test";
    r.initiator_role = "admin";
    return r;
  }

  // backend_start as pg_stat_activity has it now ("" when the pid is gone).
  std::string BackendStart(int pid) {
    TestConnection admin(Sandbox().admin_dsn);
    return admin.Exec("SELECT backend_start::text FROM pg_stat_activity WHERE pid = " +
                      std::to_string(pid));
  }

  // How many statements pg_stat_statements recorded in this test's database whose text
  // contains `needle`.
  int StatementsMentioning(const std::string& needle) {
    TestConnection admin(Sandbox().admin_dsn);
    return std::stoi(
        admin.Exec("SELECT count(*) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid "
                   "WHERE d.datname = '" +
                   db_ + "' AND strpos(s.query, '" + needle + "') > 0"));
  }

  std::string db_, client_, runner_;
  maintenance::MaintenancePolicy policy_;
  maintenance::PlanContext context_;
  std::unique_ptr<maintenance::RecoveryRunner> runner_impl_ =
      maintenance::MakeRecoveryRunner(common::SystemClock::Instance());
};

std::map<int, const RecoveryBackend*> ByPid(const MaintenanceOperation& op) {
  std::map<int, const RecoveryBackend*> out;
  for (const RecoveryBackend& b : op.backends) out[b.pid] = &b;
  return out;
}

std::string AllGuards(const MaintenanceOperation& op) {
  std::string out;
  for (const auto& g : op.guards) {
    out += g.guard + " " + std::string(model::GuardOutcomeName(g.outcome)) + ": " + g.detail + "\n";
  }
  return out;
}

TEST_F(RecoveryIntegration, DryRunListsExactlyTheExpectedBackendsAndExecutingHitsOnlyThem) {
  TestConnection idle(ClientDsn());
  idle.Exec("SELECT 1 /* it-recovery-idle */");
  TestConnection idle_tx(ClientDsn());
  idle_tx.Exec("BEGIN; SELECT 1 /* it-recovery-idle-tx */");
  Sleeper sleeper(ClientDsn(), "SELECT pg_sleep(20) /* it-recovery-sleep */");
  TestConnection protected_app(ClientDsn());
  protected_app.Exec("SET application_name = 'billing-batch'");
  TestConnection own(ClientDsn());
  own.Exec("SET application_name = 'pgvigil-daemon'");
  TestConnection superuser(SuperuserDsn());
  superuser.Exec("BEGIN; SELECT 1");  // idle in transaction, as a superuser
  TestConnection young(ClientDsn());
  std::this_thread::sleep_for(std::chrono::milliseconds(1600));
  young.Exec("SELECT 1");  // idle, but for less than the threshold

  const MaintenanceOperation planned = runner_impl_->Plan(Request(1.0), context_);
  ASSERT_EQ(planned.state, OperationState::kPlanned) << planned.message;
  EXPECT_EQ(planned.kind, model::OperationKind::kRecovery);
  EXPECT_EQ(planned.initiator, "integration-test");
  const auto by_pid = ByPid(planned);
  EXPECT_EQ(by_pid.size(), 3U) << planned.sql;
  ASSERT_TRUE(by_pid.contains(sleeper.backend_pid()));
  ASSERT_TRUE(by_pid.contains(idle.backend_pid()));
  ASSERT_TRUE(by_pid.contains(idle_tx.backend_pid()));
  const RecoveryBackend& s = *by_pid.at(sleeper.backend_pid());
  EXPECT_EQ(s.action, "cancel");
  EXPECT_EQ(s.state, "active");
  EXPECT_EQ(s.usename, client_);
  EXPECT_EQ(s.datname, db_);
  EXPECT_GE(s.age_seconds, 1.0);
  EXPECT_NE(s.query.find("it-recovery-sleep"), std::string::npos);
  EXPECT_EQ(s.backend_start.size(), 27U) << s.backend_start;  // 2026-11-22T07:03:36.123456Z
  EXPECT_EQ(by_pid.at(idle.backend_pid())->action, "terminate");
  EXPECT_EQ(by_pid.at(idle_tx.backend_pid())->action, "terminate");
  EXPECT_EQ(by_pid.at(idle_tx.backend_pid())->state, "idle in transaction");
  // Every protected backend the thresholds matched is named with its reason.
  const std::string guards = AllGuards(planned);
  for (const auto& [pid, why] :
       {std::pair{protected_app.backend_pid(), std::string("protected_applications 'billing-*'")},
        std::pair{own.backend_pid(), std::string("pgvigil's own session")},
        std::pair{superuser.backend_pid(), std::string("superuser")}}) {
    EXPECT_NE(guards.find("pid " + std::to_string(pid) + " "), std::string::npos) << guards;
    EXPECT_NE(guards.find(why), std::string::npos) << guards;
  }
  // The SQL that would run, as it would be sent: one cancel, and cancel-if-active + terminate
  // for each idle one, each line with $1 = pid and $2 = backend_start in sql_params.
  EXPECT_NE(planned.sql.find("pg_cancel_backend(a.pid) from pg_catalog.pg_stat_activity a "
                             "where a.pid = $1 and a.backend_start = $2::timestamptz"),
            std::string::npos)
      << planned.sql;
  EXPECT_EQ(planned.sql.find(s.backend_start), std::string::npos) << planned.sql;
  EXPECT_EQ(std::count(planned.sql.begin(), planned.sql.end(), '\n'), 4) << planned.sql;
  ASSERT_EQ(planned.sql_params.size(), 5U);
  EXPECT_EQ(planned.sql_params[0],
            (std::vector<std::string>{std::to_string(sleeper.backend_pid()), s.backend_start}));
  EXPECT_EQ(planned.sql_params[4].size(), 2U);

  // The dry run read pg_stat_activity (recorded) and signalled nothing (not recorded).
  EXPECT_GE(StatementsMentioning("pg_backend_pid()"), 1);
  EXPECT_EQ(StatementsMentioning("pg_cancel_backend"), 0);
  EXPECT_EQ(StatementsMentioning("pg_terminate_backend"), 0);

  const MaintenanceOperation done = runner_impl_->Execute(planned, context_);
  EXPECT_EQ(done.state, OperationState::kCompleted) << done.message;
  ASSERT_TRUE(done.started_at.has_value());
  ASSERT_TRUE(done.finished_at.has_value());
  const auto outcomes = ByPid(done);
  EXPECT_EQ(outcomes.at(sleeper.backend_pid())->outcome, "cancelled");
  EXPECT_EQ(outcomes.at(idle.backend_pid())->outcome, "terminated");
  EXPECT_EQ(outcomes.at(idle_tx.backend_pid())->outcome, "terminated");
  EXPECT_GE(StatementsMentioning("pg_cancel_backend"), 1);

  // From the clients' side.
  EXPECT_EQ(sleeper.WaitForSqlState(), "57014");  // query_canceled
  for (int pid : {idle.backend_pid(), idle_tx.backend_pid()}) {
    EXPECT_TRUE(Eventually([&] { return BackendStart(pid).empty(); })) << pid << " still there";
  }
  EXPECT_FALSE(idle.ExecExpectError("SELECT 1").empty());
  EXPECT_EQ(protected_app.Exec("SELECT 'alive'"), "alive");
  EXPECT_EQ(own.Exec("SELECT 'alive'"), "alive");
  EXPECT_EQ(superuser.Exec("SELECT 'alive'"), "alive");  // still inside its transaction
  EXPECT_EQ(young.Exec("SELECT 'alive'"), "alive");
}

TEST_F(RecoveryIntegration, ActsOnlyOnTheProcessTheDryRunShowed) {
  TestConnection reused(ClientDsn());
  reused.Exec("SELECT 1");
  TestConnection confirmed(ClientDsn());
  confirmed.Exec("SELECT 1");
  TestConnection not_confirmed(ClientDsn());
  not_confirmed.Exec("SELECT 1");
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));

  // Confirming: `reused` with a backend_start that is not its own (as if its pid had been
  // reused since the dry run), `confirmed` with its own.
  const MaintenanceOperation dry = runner_impl_->Plan(Request(1.0), context_);
  ASSERT_EQ(dry.state, OperationState::kPlanned) << dry.message;
  const auto dry_pids = ByPid(dry);
  ASSERT_TRUE(dry_pids.contains(confirmed.backend_pid()));
  RecoveryRequest request = Request(1.0);
  request.dry_run = false;
  RecoveryBackend wrong;
  wrong.pid = reused.backend_pid();
  wrong.backend_start = "2000-01-01T00:00:00.000000Z";
  request.confirm.push_back(wrong);
  RecoveryBackend right;
  right.pid = confirmed.backend_pid();
  right.backend_start = dry_pids.at(confirmed.backend_pid())->backend_start;
  request.confirm.push_back(right);

  const MaintenanceOperation planned = runner_impl_->Plan(request, context_);
  ASSERT_EQ(planned.state, OperationState::kPlanned) << planned.message;
  EXPECT_EQ(planned.backends.size(), 2U);  // not_confirmed is not considered
  EXPECT_NE(AllGuards(planned).find("backend_unchanged warn: pid " +
                                    std::to_string(reused.backend_pid())),
            std::string::npos)
      << AllGuards(planned);
  const MaintenanceOperation done = runner_impl_->Execute(planned, context_);
  EXPECT_EQ(done.state, OperationState::kCompleted) << done.message;
  const auto outcomes = ByPid(done);
  EXPECT_EQ(outcomes.at(reused.backend_pid())->outcome, "changed");
  EXPECT_EQ(outcomes.at(confirmed.backend_pid())->outcome, "terminated");
  EXPECT_EQ(reused.Exec("SELECT 'alive'"), "alive");
  EXPECT_EQ(not_confirmed.Exec("SELECT 'alive'"), "alive");

  // The execution-time check on its own: the process changed between the dry run and now.
  MaintenanceOperation stale = runner_impl_->Plan(Request(0.001), context_);
  ASSERT_EQ(stale.state, OperationState::kPlanned) << stale.message;
  ASSERT_FALSE(stale.backends.empty());
  for (RecoveryBackend& b : stale.backends) b.backend_start = "2000-01-01T00:00:00.000000Z";
  const MaintenanceOperation after = runner_impl_->Execute(stale, context_);
  EXPECT_EQ(after.state, OperationState::kCompleted) << after.message;
  const auto after_pids = ByPid(after);
  for (int pid : {reused.backend_pid(), not_confirmed.backend_pid()}) {
    ASSERT_TRUE(after_pids.contains(pid)) << pid;
    EXPECT_EQ(after_pids.at(pid)->outcome, "changed") << pid;
  }
  for (const RecoveryBackend& b : after.backends) {
    EXPECT_TRUE(b.outcome == "changed" || b.outcome == "gone") << b.pid << ": " << b.outcome;
  }
  EXPECT_EQ(reused.Exec("SELECT 'alive'"), "alive");
  EXPECT_EQ(not_confirmed.Exec("SELECT 'alive'"), "alive");
}

TEST_F(RecoveryIntegration, TerminatingAnActiveSessionCancelsItsStatementFirst) {
  // Two sessions that were idle in transaction at the dry run and run a statement by the time
  // of execution: each is cancelled, then terminated after the grace — waited once for both.
  policy_.cancel_grace = std::chrono::milliseconds(1000);
  Sleeper first(ClientDsn(), "BEGIN; SELECT 1");
  Sleeper second(ClientDsn(), "BEGIN; SELECT 1");
  ASSERT_EQ(first.WaitForSqlState(), "");
  ASSERT_EQ(second.WaitForSqlState(), "");
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  RecoveryRequest request;
  request.database = db_;
  request.terminate_idle_in_transaction_longer_than_s = 1.0;
  const MaintenanceOperation planned = runner_impl_->Plan(request, context_);
  ASSERT_EQ(planned.state, OperationState::kPlanned) << planned.message;
  ASSERT_EQ(planned.backends.size(), 2U);
  EXPECT_EQ(planned.backends[0].action, "terminate");
  EXPECT_EQ(planned.backends[1].action, "terminate");
  first.Send("SELECT pg_sleep(20)");
  second.Send("SELECT pg_sleep(20)");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto started = std::chrono::steady_clock::now();
  const MaintenanceOperation done = runner_impl_->Execute(planned, context_);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, policy_.cancel_grace);
  EXPECT_LT(took, 2 * policy_.cancel_grace - std::chrono::milliseconds(100));
  EXPECT_EQ(done.state, OperationState::kCompleted) << done.message;
  for (const RecoveryBackend& b : done.backends) EXPECT_EQ(b.outcome, "terminated") << b.pid;
  // The statements ended by the cancel (57014), not by the termination (57P01).
  EXPECT_EQ(first.WaitForSqlState(), "57014");
  EXPECT_EQ(second.WaitForSqlState(), "57014");
  for (const RecoveryBackend& b : planned.backends) {
    EXPECT_TRUE(Eventually([&] { return BackendStart(b.pid).empty(); })) << b.pid;
  }
}

TEST_F(RecoveryIntegration, WithoutPgSignalBackendTheExecutionFailsAndSaysWhy) {
  TestConnection idle(ClientDsn());
  idle.Exec("SELECT 1");
  {
    TestConnection admin(Sandbox().admin_dsn);
    admin.Exec("REVOKE pg_signal_backend FROM " + runner_);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  RecoveryRequest request;
  request.database = db_;
  request.terminate_idle_longer_than_s = 1.0;
  const MaintenanceOperation planned = runner_impl_->Plan(request, context_);
  ASSERT_EQ(planned.state, OperationState::kPlanned) << planned.message;
  ASSERT_EQ(planned.backends.size(), 1U);
  const MaintenanceOperation done = runner_impl_->Execute(planned, context_);
  EXPECT_EQ(done.state, OperationState::kFailed);
  EXPECT_EQ(done.sqlstate, "42501");  // insufficient_privilege
  EXPECT_TRUE(done.backends[0].outcome.starts_with("failed: ")) << done.backends[0].outcome;
  EXPECT_NE(done.message.find("pid " + std::to_string(idle.backend_pid())), std::string::npos)
      << done.message;
  EXPECT_EQ(idle.Exec("SELECT 'alive'"), "alive");
}

TEST_F(RecoveryIntegration, AClusterWideDryRunNeverListsBackgroundProcessesOrSuperusers) {
  // The other tests' sessions come and go; what must hold is that no background process
  // (checkpointer, walwriter, autovacuum, walsenders, …) and no superuser session is listed,
  // however low the thresholds. A dry run signals nothing, so it is safe cluster-wide.
  TestConnection superuser(SuperuserDsn());
  superuser.Exec("SELECT 1");
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  RecoveryRequest request = Request(0.001);
  request.database.clear();
  const MaintenanceOperation planned = runner_impl_->Plan(request, context_);
  ASSERT_EQ(planned.state, OperationState::kPlanned) << planned.message;
  TestConnection admin(Sandbox().admin_dsn);
  const std::string untouchable = admin.Exec(
      "SELECT string_agg(a.pid::text, ',') FROM pg_stat_activity a "
      "LEFT JOIN pg_roles r ON r.oid = a.usesysid "
      "WHERE a.backend_type <> 'client backend' OR r.rolsuper");
  std::set<int> pids;
  for (std::size_t at = 0; at < untouchable.size();) {
    const std::size_t comma = std::min(untouchable.find(',', at), untouchable.size());
    pids.insert(std::stoi(untouchable.substr(at, comma - at)));
    at = comma + 1;
  }
  ASSERT_TRUE(pids.contains(superuser.backend_pid()));
  ASSERT_GE(pids.size(), 3U);  // at least the checkpointer and walwriter beside the superusers
  for (const RecoveryBackend& b : planned.backends) {
    EXPECT_FALSE(pids.contains(b.pid)) << b.pid << " " << b.application_name << " listed";
  }
  EXPECT_NE(AllGuards(planned).find("pid " + std::to_string(superuser.backend_pid()) + " "),
            std::string::npos)
      << AllGuards(planned);
}

}  // namespace
}  // namespace pgvigil::testing
