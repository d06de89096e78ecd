// SPDX-License-Identifier: Apache-2.0
#include "maintenance/guards.h"

#include <algorithm>

#include "pg/quote.h"

namespace pgvigil::maintenance {
namespace {

using model::GuardOutcome;
using model::GuardVerdict;

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

std::vector<GuardVerdict> EvaluateGuards(const GuardFacts& f) {
  std::vector<GuardVerdict> v;
  if (!f.invalid_request.empty()) {
    v.push_back({"valid_name", GuardOutcome::kRefuse, f.invalid_request});
    return v;
  }
  v.push_back({"valid_name", GuardOutcome::kPass, "names and options are well-formed"});
  if (!f.relation.has_value()) {
    v.push_back({"object_exists", GuardOutcome::kRefuse, f.resolution_problem});
    return v;
  }
  const model::ResolvedRelation& r = *f.relation;
  const std::string table = pg::QuoteQualifiedName(r.table_schema, r.table_name);
  v.push_back({"object_exists", GuardOutcome::kPass,
               pg::QuoteQualifiedName(r.schema, r.name) + " (oid " + std::to_string(r.oid) + ")"});

  if (f.is_in_recovery.has_value()) {
    v.push_back(*f.is_in_recovery
                    ? GuardVerdict{"not_standby", GuardOutcome::kRefuse,
                                   "the server is a standby (pg_is_in_recovery): maintenance "
                                   "runs on the primary"}
                    : GuardVerdict{"not_standby", GuardOutcome::kPass, "the server is a primary"});
  }

  if (f.busy_in_pgvigil) {
    v.push_back({"no_conflict_pgvigil", GuardOutcome::kRefuse,
                 "pgvigil already runs an operation on " + table});
  } else if (f.advisory_lock_pid.has_value()) {
    v.push_back({"no_conflict_pgvigil", GuardOutcome::kRefuse,
                 "another pgvigil (backend pid " + std::to_string(*f.advisory_lock_pid) +
                     ") runs an operation on " + table});
  } else {
    v.push_back({"no_conflict_pgvigil", GuardOutcome::kPass, "no pgvigil operation on " + table});
  }

  if (!f.server_conflicts.empty()) {
    std::vector<std::string> running;
    for (const ServerConflict& c : f.server_conflicts) {
      running.push_back(c.command + " (pid " + std::to_string(c.pid) +
                        (c.phase.empty() ? "" : ", " + c.phase) + ")");
    }
    v.push_back({"no_conflict_server", GuardOutcome::kRefuse,
                 "already running on " + table + ": " + Join(running)});
  } else {
    v.push_back({"no_conflict_server", GuardOutcome::kPass,
                 "no vacuum, analyze, index build or cluster in progress on " + table});
  }

  if (!f.is_blocking) {
    v.push_back({"maintenance_window", GuardOutcome::kPass, "not a blocking operation"});
  } else if (f.inside_window) {
    v.push_back({"maintenance_window", GuardOutcome::kPass, "inside a maintenance window"});
  } else if (f.forced) {
    v.push_back({"maintenance_window", GuardOutcome::kWarn,
                 "blocking operation outside the maintenance window, forced: " + f.reason});
  } else {
    v.push_back({"maintenance_window", GuardOutcome::kRefuse,
                 "blocking operation (VACUUM FULL or REINDEX without CONCURRENTLY) outside the "
                 "maintenance window; needs force with a reason"});
  }

  if (f.has_privilege.has_value()) {
    const std::string how = f.server_major >= 17 ? "the MAINTAIN privilege (pg_maintain)"
                                                 : "ownership of the table (or superuser)";
    v.push_back(
        *f.has_privilege
            ? GuardVerdict{"privilege", GuardOutcome::kPass, "role " + f.role + " has " + how}
            : GuardVerdict{"privilege", GuardOutcome::kRefuse,
                           "role " + f.role + " lacks " + how + " on " + table});
  }

  if (!f.invalid_indexes.empty()) {
    v.push_back({"invalid_index", GuardOutcome::kWarn,
                 "invalid index(es) left on " + table +
                     " (an interrupted CREATE INDEX / REINDEX "
                     "CONCURRENTLY?), not dropped: " +
                     Join(f.invalid_indexes)});
  } else {
    v.push_back({"invalid_index", GuardOutcome::kPass, "no invalid index on " + table});
  }

  v.push_back(f.is_superuser
                  ? GuardVerdict{"superuser_role", GuardOutcome::kWarn,
                                 "the maintenance role " + f.role +
                                     " is a superuser; a role with pg_maintain (17+) or the "
                                     "table's owner is enough"}
                  : GuardVerdict{"superuser_role", GuardOutcome::kPass,
                                 "the maintenance role " + f.role + " is not a superuser"});

  if (f.trusted_owners.empty()) {
    v.push_back({"trusted_owner", GuardOutcome::kPass, "no trusted owner list configured"});
  } else if (std::find(f.trusted_owners.begin(), f.trusted_owners.end(), r.owner) !=
             f.trusted_owners.end()) {
    v.push_back({"trusted_owner", GuardOutcome::kPass, "owner " + r.owner + " is trusted"});
  } else {
    // A table's owner can attach code (triggers on the index expressions, functions in
    // them) that runs with the maintaining role's rights.
    v.push_back({"trusted_owner", GuardOutcome::kWarn,
                 "owner " + r.owner + " of " + table + " is not in the trusted owners list"});
  }
  return v;
}

bool AnyRefusal(const std::vector<GuardVerdict>& verdicts) {
  return std::any_of(verdicts.begin(), verdicts.end(),
                     [](const GuardVerdict& g) { return g.outcome == GuardOutcome::kRefuse; });
}

std::string RefusalMessage(const std::vector<GuardVerdict>& verdicts) {
  std::string out;
  for (const GuardVerdict& g : verdicts) {
    if (g.outcome != GuardOutcome::kRefuse) continue;
    out += (out.empty() ? "" : "; ") + g.guard + ": " + g.detail;
  }
  return out;
}

}  // namespace pgvigil::maintenance
