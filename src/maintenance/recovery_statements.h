// SPDX-License-Identifier: Apache-2.0
// The SQL of recovery (sql/recovery_*.sql) and the statements that signal one backend: run with
// the pid and backend_start as bind parameters ($1, $2), so nothing a client sent can reach the
// SQL as text. The operation's audit shows them as sent: the text with $1, $2 in `sql`, the
// values in `sql_params`. Pure functions, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "pg/session.h"

namespace pgvigil::maintenance {

enum class RecoverySignal {
  kCancel,          // sql/recovery_cancel.sql
  kCancelIfActive,  // sql/recovery_cancel_if_active.sql (the first step of a terminate)
  kTerminate,       // sql/recovery_terminate.sql
};

// sql/recovery_activity.sql as stored.
std::string_view RecoveryActivitySql();

// The statement that sends `signal` to `pid` only if that process started at `backend_start`,
// on one line without the file's comments, with $1 = pid and $2 = backend_start: what the
// runner sends, and what the operation's sql and sql_params record.
pg::Query RecoverySignalQuery(RecoverySignal signal, int pid, std::string_view backend_start);

}  // namespace pgvigil::maintenance
