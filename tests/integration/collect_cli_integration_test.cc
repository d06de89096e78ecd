// SPDX-License-Identifier: Apache-2.0
// `pgvigil collect` as a process, against the sandbox and against bad targets: every failure
// is one clear line, a non-zero exit when nothing was collected, and never a password.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "integration/integration_helpers.h"

namespace pgvigil::testing {
namespace {

const char* const kSecrets[] = {"monitor-secret", "nopriv-secret", "admin-secret", "wrong-pw-77"};

void ExpectNoSecret(const CommandResult& r) {
  for (const char* secret : kSecrets) {
    EXPECT_EQ(r.out.find(secret), std::string::npos) << "secret in stdout: " << secret;
    EXPECT_EQ(r.err.find(secret), std::string::npos) << "secret in stderr: " << secret;
  }
}

int CountLines(const std::string& text) {
  return static_cast<int>(std::count(text.begin(), text.end(), '\n'));
}

CommandResult Collect(const std::string& dsn, std::vector<std::string> extra = {}) {
  std::vector<std::string> argv = {PgvigilBinary(), "collect", dsn};
  argv.insert(argv.end(), extra.begin(), extra.end());
  return RunCommand(argv);
}

// A loopback port on which nothing listens: bound once by us, then released.
int ClosedPort() {
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

TEST(CollectCli, PrintsASnapshotWithEveryTierAsJson) {
  const CommandResult r = Collect(Sandbox().monitor_dsn);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_EQ(json["server"]["current_user"], "pgvigil_monitor");
  EXPECT_TRUE(json["server"]["has_pg_monitor"].get<bool>());
  EXPECT_FALSE(json["server"]["is_superuser"].get<bool>());
  EXPECT_EQ(json["tiers"].size(), 3u);
  for (const auto& o : json["outcomes"]) {
    EXPECT_EQ(o["status"], "ok") << o.dump();
  }
  EXPECT_FALSE(json["activity"].empty());
  ExpectNoSecret(r);
}

TEST(CollectCli, RefusedPortIsOneLineAndExitsNonZero) {
  const CommandResult r =
      Collect("host=127.0.0.1 port=" + std::to_string(ClosedPort()) +
              " user=pgvigil_monitor password=monitor-secret dbname=pgvigil_test");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("Connection refused"), std::string::npos) << r.err;
  ExpectNoSecret(r);
}

TEST(CollectCli, UnresolvableHostIsOneLine) {
  const CommandResult r =
      Collect("postgresql://pgvigil_monitor:monitor-secret@no-such-host.invalid:5432/db");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("no-such-host.invalid"), std::string::npos) << r.err;
  ExpectNoSecret(r);
}

// A peer that accepts TCP connections and never answers (a hung server, a half-open
// connection): the connect deadline ends it.
TEST(CollectCli, SilentServerTimesOutWithinTheConnectDeadline) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(fd, 8), 0);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const auto start = std::chrono::steady_clock::now();
  const CommandResult r = Collect("host=127.0.0.1 port=" + std::to_string(ntohs(addr.sin_port)) +
                                      " user=u password=wrong-pw-77 dbname=d",
                                  {"--connect-timeout-ms", "1000"});
  const auto took = std::chrono::steady_clock::now() - start;
  close(fd);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("timeout"), std::string::npos) << r.err;
  EXPECT_LT(took, std::chrono::seconds(5));
  ExpectNoSecret(r);
}

TEST(CollectCli, WrongPasswordSaysSoWithoutThePassword) {
  const CommandResult r =
      Collect("postgresql://pgvigil_monitor:wrong-pw-77@127.0.0.1:" +
              std::to_string(Sandbox().port) + "/pgvigil_test?password=wrong-pw-77");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("password authentication failed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("permission_denied"), std::string::npos) << r.err;
  ExpectNoSecret(r);
}

TEST(CollectCli, MissingDatabaseSaysSo) {
  const CommandResult r = Collect("host=127.0.0.1 port=" + std::to_string(Sandbox().port) +
                                  " user=pgvigil_monitor password=monitor-secret dbname=no_such_db");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no_such_db"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;
  ExpectNoSecret(r);
}

TEST(CollectCli, MalformedDsnIsAnInvalidArgument) {
  const CommandResult r = Collect("host=127.0.0.1 password='unterminated-wrong-pw-77");
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("invalid connection string"), std::string::npos) << r.err;
  ExpectNoSecret(r);
}

TEST(CollectCli, RoleWithoutPgMonitorGetsAPartialSnapshotAndAHint) {
  const CommandResult r = Collect(Sandbox().nopriv_dsn);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  EXPECT_FALSE(json["server"]["has_pg_monitor"].get<bool>());
  // The admin's own session is running elsewhere in the cluster at any time during the tests;
  // at least the background workers' rows are always there.
  EXPECT_FALSE(json["activity"].empty());
  EXPECT_NE(r.err.find("pg_monitor"), std::string::npos) << r.err;
  ExpectNoSecret(r);
}

TEST(CollectCli, MissingPgStatStatementsSkipsOnlyThatCollector) {
  TestConnection admin(Sandbox().admin_dsn);
  const std::string db = UniqueName("noext");
  admin.Exec("DROP DATABASE IF EXISTS " + db);
  admin.Exec("CREATE DATABASE " + db);
  const CommandResult r = Collect("host=127.0.0.1 port=" + std::to_string(Sandbox().port) +
                                  " user=pgvigil_monitor password=monitor-secret dbname=" + db);
  admin.Exec("DROP DATABASE " + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto json = nlohmann::json::parse(r.out);
  int ok = 0;
  for (const auto& o : json["outcomes"]) {
    if (o["collector"] == "stat_statements") {
      EXPECT_EQ(o["status"], "skipped");
      EXPECT_NE(o["message"].get<std::string>().find("CREATE EXTENSION pg_stat_statements"),
                std::string::npos)
          << o.dump();
    } else if (o["status"] == "ok") {
      ++ok;
    }
  }
  EXPECT_GE(ok, 5);
  EXPECT_NE(r.err.find("stat_statements: skipped"), std::string::npos) << r.err;
  ExpectNoSecret(r);
}

}  // namespace
}  // namespace pgvigil::testing
