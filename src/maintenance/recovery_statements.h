// SPDX-License-Identifier: Apache-2.0
// The SQL of recovery (sql/recovery_*.sql), embedded at build time, and the statements that
// signal one backend, composed from it: the pid is printed as an integer and backend_start
// goes in as a pg::QuoteLiteral, so nothing a client sent can reach the SQL as text.
// Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace pgvigil::maintenance {

enum class RecoverySignal {
  kCancel,          // sql/recovery_cancel.sql
  kCancelIfActive,  // sql/recovery_cancel_if_active.sql (the first step of a terminate)
  kTerminate,       // sql/recovery_terminate.sql
};

// sql/recovery_activity.sql as stored.
std::string_view RecoveryActivitySql();

// The statement that sends `signal` to `pid` only if that process started at `backend_start`,
// on one line without the file's comments: what the runner runs and what op.sql shows.
std::string RecoverySignalSql(RecoverySignal signal, int pid, std::string_view backend_start);

}  // namespace pgvigil::maintenance
