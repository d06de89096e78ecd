// SPDX-License-Identifier: Apache-2.0
// Test support for integration tests against the sandbox PostgreSQL that the CTest fixture
// "pg" starts (scripts/pg-sandbox.sh). Test code only: it uses libpq directly to create real
// conditions (dead tuples, held locks, idle transactions) as the superuser, while the code
// under test collects as the pg_monitor-only role.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

struct pg_conn;

namespace pgvigil::testing {

// The sandbox's DIR/env, located through $PGVIGIL_SANDBOX_ENV (set by the CTest fixture).
struct SandboxEnv {
  std::string dir;
  int port = 0;
  int major = 0;
  std::string monitor_dsn;  // pgvigil_monitor: pg_monitor only, password auth over TCP
  std::string nopriv_dsn;   // pgvigil_nopriv: no pg_monitor
  std::string admin_dsn;    // superuser over the unix socket
  std::string pgbouncer_dsn;        // empty unless a PgBouncer was started in the sandbox
  std::string pgbouncer_admin_dsn;  // ditto
  std::string Get(const std::string& key) const;
  std::vector<std::pair<std::string, std::string>> all;
};

// Loads the environment; aborts the test binary with a clear message when it is missing.
const SandboxEnv& Sandbox();
// Re-reads DIR/env (after a helper script appended to it).
SandboxEnv ReloadSandbox();

// A blocking libpq connection for setting up conditions. Each method fails the current test
// (ADD_FAILURE) on an error and returns what it can.
class TestConnection {
 public:
  explicit TestConnection(const std::string& dsn);
  ~TestConnection();
  TestConnection(const TestConnection&) = delete;
  TestConnection& operator=(const TestConnection&) = delete;

  bool ok() const;
  int backend_pid() const;
  // Runs `sql` (may hold several statements) and returns the first column of the first row
  // of the last result, or "" (NULL or no rows).
  std::string Exec(const std::string& sql);
  // Like Exec but returns the error message instead of failing the test ("" on success).
  std::string ExecExpectError(const std::string& sql);
  // Sends `sql` without waiting for it: for a statement that blocks or sleeps. The connection
  // is busy until it finishes; the destructor cancels it.
  void Send(const std::string& sql);
  // Cancels what Send started and drains its results.
  void Cancel();

 private:
  pg_conn* conn_ = nullptr;
  bool busy_ = false;
};

// Polls `condition` every 100 ms until it holds or `timeout` passes; returns the last result.
// For statistics that reach the views asynchronously (PostgreSQL < 15 sends them by UDP).
bool Eventually(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::milliseconds(10000));

// A unique lower-case name for this test's objects: "<prefix>_<pid>_<n>", at most 40 bytes.
std::string UniqueName(const std::string& prefix);

// The path of the pgvigil binary ($PGVIGIL_BINARY, set by CMake).
std::string PgvigilBinary();
// The source tree ($PGVIGIL_SOURCE_DIR, set by CMake): for scripts/.
std::string SourceDir();

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs argv (no shell) and captures stdout and stderr; kills it after `timeout`.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(60000));

}  // namespace pgvigil::testing
