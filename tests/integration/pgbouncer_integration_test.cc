// SPDX-License-Identifier: Apache-2.0
// PgBouncer's admin console, read as pgvigil_monitor (a stats_user): a real pool with more
// clients than servers, and an admin DSN where nothing listens.
//
// Only one test here starts a PgBouncer (scripts/pgbouncer-sandbox.sh, one per sandbox):
// CTest runs each test as its own process, possibly in parallel, so two tests starting and
// stopping it would fight over it.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "integration/integration_helpers.h"

namespace pgvigil::testing {
namespace {

using collect::Tier;

std::string BouncerScript() { return SourceDir() + "/scripts/pgbouncer-sandbox.sh"; }

// A loopback port on which nothing listens: bound once by us, then released.
int UnusedLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

const model::PgBouncerPool* FindPool(const model::Snapshot& s, const std::string& database,
                                     const std::string& user) {
  auto it = std::find_if(
      s.pgbouncer_pools.begin(), s.pgbouncer_pools.end(),
      [&](const model::PgBouncerPool& p) { return p.database == database && p.user == user; });
  return it == s.pgbouncer_pools.end() ? nullptr : &*it;
}

TEST(PgBouncerIntegration, SeesClientsQueueingForAFullPool) {
  // Declared before the PgBouncer guard, so destroyed after PgBouncer stopped: stopping it
  // closes their sockets, and their statements (queued ones too, which a cancel request
  // does not reach) end at once instead of running to completion.
  std::vector<std::unique_ptr<TestConnection>> clients;

  const CommandResult started =
      RunCommand({BouncerScript(), "start", Sandbox().dir, "--pool-size", "2"});
  ScopeExit stop([&] {
    const CommandResult r = RunCommand({BouncerScript(), "stop", Sandbox().dir});
    EXPECT_EQ(r.exit_code, 0) << r.err;
  });
  ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
  const SandboxEnv env = ReloadSandbox();
  ASSERT_FALSE(env.pgbouncer_dsn.empty()) << "no PGVIGIL_PGBOUNCER_DSN in " << env.dir << "/env";
  ASSERT_FALSE(env.pgbouncer_admin_dsn.empty());

  // Five clients, two servers: two statements run, three wait for a server.
  constexpr int kClients = 5;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<TestConnection>(env.pgbouncer_dsn));
    ASSERT_TRUE(clients.back()->ok());
  }
  for (auto& c : clients) c->Send("SELECT pg_sleep(3)");

  daemon::CollectOnceOptions options;
  options.pgbouncer_dsn = env.pgbouncer_admin_dsn;
  options.tiers = {Tier::kFast};
  model::Snapshot s;
  const model::PgBouncerPool* pool = nullptr;
  // Bounded by the statements: after 3 s the first two finish and the queue moves on.
  ASSERT_TRUE(Eventually(
      [&] {
        s = CollectWith(options);
        pool = FindPool(s, "pgvigil_test", "pgvigil_monitor");
        return pool != nullptr && pool->cl_active == 2 && pool->cl_waiting == 3;
      },
      std::chrono::milliseconds(2500)))
      << (pool == nullptr ? std::string("no pool pgvigil_test/pgvigil_monitor")
                          : "cl_active " + std::to_string(pool->cl_active) + ", cl_waiting " +
                                std::to_string(pool->cl_waiting));
  const model::CollectorOutcome& outcome = OutcomeOf(s, "pgbouncer");
  EXPECT_EQ(outcome.status, model::CollectorStatus::kOk) << outcome.message;
  EXPECT_EQ(outcome.tier, "fast");
  EXPECT_GT(outcome.rows, 0);
  EXPECT_EQ(pool->sv_active, 2);
  EXPECT_GT(pool->maxwait_seconds, 0.0);  // the oldest waiting client has waited a while
  EXPECT_LT(pool->maxwait_seconds, 10.0);
  EXPECT_EQ(pool->pool_mode, "session");
  // SHOW STATS: one row per database, the pooled one included.
  EXPECT_TRUE(
      std::any_of(s.pgbouncer_stats.begin(), s.pgbouncer_stats.end(),
                  [](const model::PgBouncerStats& st) { return st.database == "pgvigil_test"; }));
  for (const auto& o : s.outcomes) {
    EXPECT_EQ(o.status, model::CollectorStatus::kOk) << o.collector << ": " << o.message;
  }
}

TEST(PgBouncerIntegration, AnUnreachableAdminConsoleFailsOnlyThePgBouncerCollector) {
  // No PgBouncer needed: nothing listens on this port.
  daemon::CollectOnceOptions options;
  options.pgbouncer_dsn = "host=127.0.0.1 port=" + std::to_string(UnusedLoopbackPort()) +
                          " dbname=pgbouncer user=pgvigil_monitor password=monitor-secret";
  options.tiers = {Tier::kFast};
  options.connect_timeout = std::chrono::milliseconds(2000);
  const model::Snapshot s = CollectWith(options);
  const model::CollectorOutcome& outcome = OutcomeOf(s, "pgbouncer");
  EXPECT_EQ(outcome.status, model::CollectorStatus::kError);
  EXPECT_NE(outcome.message.find("PgBouncer admin console"), std::string::npos) << outcome.message;
  EXPECT_EQ(outcome.message.find("monitor-secret"), std::string::npos) << outcome.message;
  EXPECT_TRUE(s.pgbouncer_pools.empty());
  EXPECT_TRUE(s.pgbouncer_stats.empty());
  int others = 0;
  for (const auto& o : s.outcomes) {
    if (o.collector == "pgbouncer") continue;
    ++others;
    EXPECT_EQ(o.status, model::CollectorStatus::kOk) << o.collector << ": " << o.message;
  }
  EXPECT_GT(others, 0);
  EXPECT_FALSE(s.activity.empty());
}

}  // namespace
}  // namespace pgvigil::testing
