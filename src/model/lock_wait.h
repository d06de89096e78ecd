// SPDX-License-Identifier: Apache-2.0
// A backend waiting for a heavyweight lock, with the pids that block it (pg_blocking_pids).
// Together with the backends of pg_stat_activity this is the whole blocking tree: roots are
// blockers that wait for nothing themselves.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgvigil::model {

struct LockWait {
  int pid = 0;
  std::vector<int> blocking_pids;
  std::string locktype;   // "relation", "transactionid", "tuple", …
  std::string mode;       // the requested mode: "AccessExclusiveLock"
  // Schema-qualified name (quoted where needed) when the lock is on a relation, a page or a
  // tuple; the OID as text for a relation of another database than the one connected to.
  std::string relation;
  std::string datname;
  // Since when it waits: pg_locks.waitstart on 14+, else its last state change (in practice
  // the start of the waiting statement).
  std::optional<double> wait_seconds;
  bool is_wait_start_exact = false;  // true when wait_seconds comes from pg_locks.waitstart
};

}  // namespace pgvigil::model
