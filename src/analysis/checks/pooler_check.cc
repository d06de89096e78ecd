// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/pooler_check.h"

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

std::vector<std::string> PoolEvidence(const model::PgBouncerPool& p) {
  return {
      fmt::format("clients: {} active, {} waiting", p.cl_active, p.cl_waiting),
      fmt::format("servers: {} active, {} idle, {} used, {} tested, {} logging in", p.sv_active,
                  p.sv_idle, p.sv_used, p.sv_tested, p.sv_login),
      fmt::format("oldest waiting client: {}", FormatDuration(p.maxwait_seconds)),
      fmt::format("pool_mode {}", p.pool_mode.empty() ? "unknown" : p.pool_mode),
  };
}

std::string Why(const model::PgBouncerPool& p) {
  const bool all_busy = p.sv_idle == 0 && p.sv_used == 0 && p.sv_active > 0;
  std::string why =
      all_busy
          ? "Every server connection of the pool is busy, so clients queue. "
          : "Clients queue although the pool is not fully busy: servers may be logging in slowly "
            "or the pool has reached max_db_connections / max_user_connections. ";
  why +=
      "Either the server connections are held too long (long transactions, "
      "idle in transaction in session mode: see query.long_running and "
      "connection.idle_in_transaction), or the pool is too small for the load: raise "
      "default_pool_size (or pool_size for this database) in pgbouncer.ini and RELOAD, if "
      "PostgreSQL has connections to spare (connection.utilization).";
  if (p.pool_mode == "session") {
    why +=
        " In session mode a client holds its server for its whole session; transaction "
        "mode serves many more clients per server when the application allows it.";
  }
  return why;
}

}  // namespace

void PoolerCheck::Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const model::CollectorOutcome* outcome = s.FindOutcome("pgbouncer");
  if (outcome == nullptr || outcome->status != model::CollectorStatus::kOk) return;
  for (const model::PgBouncerPool& p : s.pgbouncer_pools) {
    if (p.database == "pgbouncer") continue;  // the admin console's own pseudo-pool
    const std::string object = fmt::format("pool {}/{}", p.database, p.user);
    const auto waiting = input.thresholds.Classify(
        "pooler.clients_waiting", static_cast<double>(p.cl_waiting), s.target, object);
    if (waiting.severity != model::Severity::kOk) {
      model::Finding f;
      f.id = "pooler.clients_waiting";
      f.severity = waiting.severity;
      f.object = object;
      f.value = static_cast<double>(p.cl_waiting);
      f.threshold = waiting.threshold;
      f.unit = "count";
      f.message = fmt::format(
          "{} client{} of PgBouncer pool {} (user {}) wait for a server connection; {} "
          "servers are active",
          p.cl_waiting, p.cl_waiting == 1 ? "" : "s", p.database, p.user, p.sv_active);
      f.evidence = PoolEvidence(p);
      f.recommendation = model::Recommendation{"", Why(p)};
      out.push_back(std::move(f));
    }
    const auto wait =
        input.thresholds.Classify("pooler.max_wait", p.maxwait_seconds, s.target, object);
    if (wait.severity != model::Severity::kOk) {
      model::Finding f;
      f.id = "pooler.max_wait";
      f.severity = wait.severity;
      f.object = object;
      f.value = p.maxwait_seconds;
      f.threshold = wait.threshold;
      f.unit = "seconds";
      f.message = fmt::format(
          "the oldest waiting client of PgBouncer pool {} (user {}) has waited {} for a server "
          "connection ({} waiting)",
          p.database, p.user, FormatDuration(p.maxwait_seconds), p.cl_waiting);
      f.evidence = PoolEvidence(p);
      f.recommendation = model::Recommendation{"", Why(p)};
      out.push_back(std::move(f));
    }
  }
}

}  // namespace pgvigil::analysis
