// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/connection_by_application_check.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

struct AppConnections {
  int total = 0;
  int idle = 0;
  int active = 0;
  int idle_in_transaction = 0;  // including "(aborted)"
  int other = 0;                // fastpath, disabled, or not visible to the monitoring role
  double longest_idle_seconds = 0;
  std::set<std::string> users;
  std::set<std::string> databases;
};

std::string Sample(const std::set<std::string>& names) {
  std::vector<std::string> first(names.begin(), names.end());
  const size_t n = first.size();
  if (n > 3) first.resize(3);
  return fmt::format("{}{}", fmt::join(first, ", "),
                     n > 3 ? fmt::format(" and {} more", n - 3) : "");
}

}  // namespace

void ConnectionByApplicationCheck::Evaluate(const CheckInput& input,
                                            std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  const model::CollectorOutcome* outcome = s.FindOutcome("stat_activity");
  const auto usable_connections = UsableConnections(s);
  if (outcome == nullptr || outcome->status != model::CollectorStatus::kOk || !usable_connections) {
    return;
  }
  const double usable = *usable_connections;
  // For the evidence: UsableConnections read max_connections, so it is there.
  const double max_connections = SettingNumber(s, "max_connections").value_or(usable);
  const double reserved = max_connections - usable;

  std::map<std::string, AppConnections> apps;
  for (const model::Backend& b : s.activity) {
    // Only client backends count against max_connections, as in connection.utilization.
    if (b.backend_type != "client backend" || b.application_name == "pgvigil") continue;
    AppConnections& a = apps[b.application_name];
    ++a.total;
    if (b.state == "idle") {
      ++a.idle;
      a.longest_idle_seconds = std::max(a.longest_idle_seconds, b.state_age_seconds.value_or(0));
    } else if (b.state == "active") {
      ++a.active;
    } else if (b.state.starts_with("idle in transaction")) {
      ++a.idle_in_transaction;
    } else {
      ++a.other;
    }
    a.users.insert(b.usename);
    a.databases.insert(b.datname);
  }

  for (const auto& [name, a] : apps) {
    const std::string object =
        name.empty() ? std::string("application (none)") : "application " + name;
    const double min_connections =
        input.thresholds.Param("connection.by_application.min_connections", s.target, object);
    if (a.total < min_connections) continue;
    // Sessions doing nothing: idle, or idle inside a transaction.
    const double idle_share = static_cast<double>(a.idle + a.idle_in_transaction) / a.total;
    if (idle_share <
        input.thresholds.Param("connection.by_application.min_idle_share", s.target, object)) {
      continue;  // busy connections are load, not a leak (connection.utilization covers load)
    }
    const double share = a.total / usable;
    const auto verdict =
        input.thresholds.Classify("connection.by_application", share, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    const std::string shown = name.empty() ? "sessions without application_name" : name;
    model::Finding f;
    f.id = "connection.by_application";
    f.severity = verdict.severity;
    f.object = object;
    f.value = share;
    f.threshold = verdict.threshold;
    f.unit = "ratio";
    f.message = fmt::format(
        "{} holds {} of {} usable connections ({}), {} of them idle: likely a connection leak "
        "or an oversized pool",
        shown, a.total, usable, FormatPercent(share), a.idle + a.idle_in_transaction);
    f.evidence = {
        fmt::format("{} connections: {} idle, {} active, {} idle in transaction, {} other", a.total,
                    a.idle, a.active, a.idle_in_transaction, a.other),
        fmt::format("usable connections: {} (max_connections {} − reserved {})", usable,
                    max_connections, reserved),
        fmt::format("longest idle: {}", FormatDuration(a.longest_idle_seconds)),
        fmt::format("as {} on {}", Sample(a.users), Sample(a.databases)),
    };
    f.recommendation = model::Recommendation{
        fmt::format("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE "
                    "application_name = {} AND state = 'idle' AND state_change < now() - "
                    "interval '10 minutes';",
                    QuoteStringLiteral(name)),
        "Connections that sit idle still take a slot of max_connections and memory on the "
        "server. Lower the application's pool size or its idle timeout, make sure it returns "
        "connections it borrows, or put PgBouncer in front of it. Ending the sessions idle for "
        "more than 10 minutes frees slots now, but a leaking pool will open them again."};
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
