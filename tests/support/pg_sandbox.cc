// SPDX-License-Identifier: Apache-2.0
#include "support/pg_sandbox.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

namespace pgvigil::testing {
namespace {

SandboxEnv LoadEnv() {
  const char* path = std::getenv("PGVIGIL_SANDBOX_ENV");
  if (path == nullptr) {
    std::fprintf(stderr, "PGVIGIL_SANDBOX_ENV is not set: run integration tests through ctest "
                         "(the 'pg' fixture starts the sandbox)\n");
    std::exit(2);
  }
  std::ifstream in(path);
  if (!in) {
    std::fprintf(stderr, "cannot read %s: did the pg_sandbox_start fixture run?\n", path);
    std::exit(2);
  }
  SandboxEnv env;
  std::string line;
  // Lines look like: export NAME='value' (the script writes no quotes inside values).
  while (std::getline(in, line)) {
    if (line.rfind("export ", 0) != 0) continue;
    const size_t eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string key = line.substr(7, eq - 7);
    std::string value = line.substr(eq + 1);
    if (const size_t hash = value.find("'  #"); hash != std::string::npos) value.resize(hash + 1);
    while (!value.empty() && (value.back() == ' ')) value.pop_back();
    if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
      value = value.substr(1, value.size() - 2);
    }
    env.all.emplace_back(key, value);
  }
  env.dir = env.Get("PGVIGIL_SANDBOX_DIR");
  env.port = std::atoi(env.Get("PGVIGIL_SANDBOX_PORT").c_str());
  env.major = std::atoi(env.Get("PGVIGIL_SANDBOX_MAJOR").c_str());
  env.monitor_dsn = env.Get("PGVIGIL_TEST_DSN");
  env.nopriv_dsn = env.Get("PGVIGIL_TEST_NOPRIV_DSN");
  env.admin_dsn = env.Get("PGVIGIL_TEST_ADMIN_DSN");
  env.pgbouncer_dsn = env.Get("PGVIGIL_PGBOUNCER_DSN");
  env.pgbouncer_admin_dsn = env.Get("PGVIGIL_PGBOUNCER_ADMIN_DSN");
  return env;
}

}  // namespace

std::string SandboxEnv::Get(const std::string& key) const {
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    if (it->first == key) return it->second;
  }
  return "";
}

const SandboxEnv& Sandbox() {
  static const SandboxEnv env = LoadEnv();
  return env;
}

SandboxEnv ReloadSandbox() { return LoadEnv(); }

TestConnection::TestConnection(const std::string& dsn) {
  conn_ = PQconnectdb(dsn.c_str());
  if (PQstatus(conn_) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect for test setup: " << PQerrorMessage(conn_);
  }
}

TestConnection::~TestConnection() {
  if (busy_) Cancel();
  PQfinish(conn_);
}

bool TestConnection::ok() const { return PQstatus(conn_) == CONNECTION_OK; }
int TestConnection::backend_pid() const { return PQbackendPID(conn_); }

std::string TestConnection::Exec(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  std::string out;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    ADD_FAILURE() << "setup SQL failed: " << sql << ": " << PQresultErrorMessage(r);
  } else if (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && PQnfields(r) > 0) {
    out = PQgetvalue(r, 0, 0);
  }
  PQclear(r);
  return out;
}

std::string TestConnection::ExecExpectError(const std::string& sql) {
  PGresult* r = PQexec(conn_, sql.c_str());
  const ExecStatusType st = PQresultStatus(r);
  std::string out;
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) out = PQresultErrorMessage(r);
  PQclear(r);
  return out;
}

void TestConnection::Send(const std::string& sql) {
  if (PQsendQuery(conn_, sql.c_str()) == 0) {
    ADD_FAILURE() << "cannot send: " << PQerrorMessage(conn_);
    return;
  }
  busy_ = true;
}

void TestConnection::Cancel() {
  if (!busy_) return;
  if (PGcancel* c = PQgetCancel(conn_); c != nullptr) {
    char buffer[256];
    PQcancel(c, buffer, sizeof buffer);
    PQfreeCancel(c);
  }
  while (PGresult* r = PQgetResult(conn_)) PQclear(r);
  busy_ = false;
}

bool Eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::string UniqueName(const std::string& prefix) {
  // Short enough that suffixes like "_pkey" stay within PostgreSQL's 63-byte identifiers.
  static int counter = 0;
  std::string name = prefix.substr(0, 24) + "_" + std::to_string(getpid()) + "_" +
                     std::to_string(++counter);
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) {
    return std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '_';
  });
  return name;
}

std::string PgvigilBinary() {
  const char* path = std::getenv("PGVIGIL_BINARY");
  return path != nullptr ? path : PGVIGIL_DEFAULT_BINARY;
}

std::string SourceDir() {
  const char* path = std::getenv("PGVIGIL_SOURCE_DIR");
  return path != nullptr ? path : PGVIGIL_DEFAULT_SOURCE_DIR;
}

CommandResult RunCommand(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  CommandResult result;
  int out_pipe[2];
  int err_pipe[2];
  if (pipe(out_pipe) != 0 || pipe(err_pipe) != 0) return result;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    // Only 1 and 2 may keep the pipes open: a daemon the command starts (pgbouncer -d)
    // redirects those to /dev/null, and any other copy would hold off EOF until the timeout.
    close(out_pipe[0]);
    close(err_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buffer[65536];
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, static_cast<int>(left.count())) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      const ssize_t n = read(fds[i].fd, buffer, sizeof buffer);
      if (n <= 0) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      } else {
        (i == 0 ? result.out : result.err).append(buffer, static_cast<size_t>(n));
      }
    }
  }
  for (pollfd& f : fds) {
    if (f.fd >= 0) close(f.fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace pgvigil::testing
