// SPDX-License-Identifier: Apache-2.0
// The safety guards of a maintenance operation (docs/maintenance.md, "Guards"), as a pure
// function of facts read off the server: the runner gathers GuardFacts (guard_facts.h), this
// file judges them, so every verdict is tested with data. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "model/maintenance.h"

namespace pgvigil::maintenance {

// A progress row of another backend on the same table.
struct ServerConflict {
  int pid = 0;
  std::string command;  // "VACUUM", "autovacuum", "ANALYZE", "CREATE INDEX", "CLUSTER", …
  std::string phase;
};

struct GuardFacts {
  // valid_name: ValidateRequest's verdict (empty = valid).
  std::string invalid_request;
  // object_exists: set when the relation was resolved; otherwise why not (missing, ambiguous
  // with the schemas listed, wrong kind). Facts below are only read for a resolved relation.
  std::optional<model::ResolvedRelation> relation;
  std::string resolution_problem;
  // Unset when the server was not asked (a guard before it refused): the guard is then left out.
  std::optional<bool> is_in_recovery;
  bool busy_in_pgvigil = false;          // this process runs an operation on the table
  std::optional<int> advisory_lock_pid;  // another session holds pgvigil's lock on the table
  std::vector<ServerConflict> server_conflicts;
  bool is_blocking = false;  // IsBlocking(kind, options)
  bool inside_window = false;
  bool forced = false;
  std::string reason;
  std::vector<std::string> invalid_indexes;  // qualified names, of the table
  std::string role;                          // current_user of the maintenance session
  bool is_superuser = false;
  std::vector<std::string> trusted_owners;
  std::optional<bool> has_privilege;  // MAINTAIN (17+) or ownership (older)
  int server_major = 0;
};

// One verdict per guard, in a stable order: valid_name, object_exists, not_standby,
// no_conflict_pgvigil, no_conflict_server, maintenance_window, privilege, invalid_index,
// superuser_role, trusted_owner. Once valid_name or object_exists refuses, the others are not
// judged (there is no relation to judge them on).
std::vector<model::GuardVerdict> EvaluateGuards(const GuardFacts& facts);

// True when any verdict refuses.
bool AnyRefusal(const std::vector<model::GuardVerdict>& verdicts);
// "guard: detail; guard: detail" of the refusing verdicts, for the operation's message.
std::string RefusalMessage(const std::vector<model::GuardVerdict>& verdicts);

}  // namespace pgvigil::maintenance
