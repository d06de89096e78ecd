// SPDX-License-Identifier: Apache-2.0
#include "http/state_json.h"

#include <algorithm>
#include <map>

#include "model/health_report.h"
#include "store/json_types.h"
#include "store/report_json.h"
#include "store/snapshot_json.h"

namespace pgvigil::http {
namespace {

using nlohmann::json;

json Time(const std::optional<common::Timestamp>& t) {
  return t.has_value() ? json(common::FormatTimestamp(*t)) : json(nullptr);
}

std::string_view ReachabilityName(model::Reachability r) {
  switch (r) {
    case model::Reachability::kUnknown:
      return "unknown";
    case model::Reachability::kUp:
      return "up";
    case model::Reachability::kUnreachable:
      return "unreachable";
  }
  return "unknown";
}

using model::SeverityName;

// Findings whose id starts with one of `prefixes`.
json FindingsOf(const model::TargetState& s, std::initializer_list<std::string_view> prefixes) {
  json out = json::array();
  if (s.report == nullptr) return out;
  for (const model::Finding& f : s.report->findings) {
    for (std::string_view p : prefixes) {
      if (f.id.starts_with(p)) {
        out.push_back(store::FindingToJson(f));
        break;
      }
    }
  }
  return out;
}

json ConnectionsByState(const model::Snapshot& snapshot) {
  std::map<std::string, int> by_state;
  for (const model::Backend& b : snapshot.activity) {
    if (b.backend_type != "client backend") continue;
    ++by_state[b.state.empty() ? "unknown" : b.state];
  }
  json out = json::object();
  for (const auto& [state, n] : by_state) out[state] = n;
  return out;
}

std::optional<double> OldestTransactionSeconds(const model::Snapshot& snapshot) {
  std::optional<double> oldest;
  for (const model::Backend& b : snapshot.activity) {
    if (b.backend_type != "client backend" || !b.xact_age_seconds) continue;
    if (b.application_name == "pgvigil") continue;  // our own, short, sessions
    oldest = std::max(oldest.value_or(0), *b.xact_age_seconds);
  }
  return oldest;
}

std::optional<double> MaxReplayLagSeconds(const model::Snapshot& snapshot) {
  std::optional<double> lag;
  for (const model::ReplicationConnection& r : snapshot.replication) {
    if (r.replay_lag_seconds) lag = std::max(lag.value_or(0), *r.replay_lag_seconds);
  }
  return lag;
}

}  // namespace

std::optional<HealthView> ParseHealthView(std::string_view text) {
  static const std::map<std::string_view, HealthView> kViews = {
      {"full", HealthView::kFull},       {"overview", HealthView::kOverview},
      {"tables", HealthView::kTables},   {"indexes", HealthView::kIndexes},
      {"queries", HealthView::kQueries}, {"connections", HealthView::kConnections},
      {"locks", HealthView::kLocks},     {"replication", HealthView::kReplication},
      {"storage", HealthView::kStorage}};
  const auto it = kViews.find(text);
  if (it == kViews.end()) return std::nullopt;
  return it->second;
}

std::string_view TargetStatusName(const model::TargetState& s) {
  if (s.reachability == model::Reachability::kUnreachable) return "unreachable";
  if (s.report == nullptr) return "unknown";
  switch (s.report->status) {
    case model::HealthStatus::kHealthy:
      return "healthy";
    case model::HealthStatus::kDegraded:
      return "degraded";
    case model::HealthStatus::kUnhealthy:
      return "unhealthy";
  }
  return "unknown";
}

json TargetSummaryJson(const model::TargetState& s) {
  json tiers = json::array();
  for (const model::TierState& t : s.tiers) {
    tiers.push_back({{"tier", t.tier},
                     {"interval_seconds", t.interval_seconds},
                     {"last_attempt", Time(t.last_attempt)},
                     {"last_success", Time(t.last_success)},
                     {"last_duration_seconds", t.last_duration_seconds},
                     {"collections_total", t.collections_total},
                     {"failures_total", t.failures_total},
                     {"consecutive_failures", t.consecutive_failures},
                     {"last_error", t.last_error},
                     {"backoff_until", Time(t.backoff_until)},
                     {"backoff_reason", t.backoff_reason}});
  }
  std::map<std::string, int> counts = {{"critical", 0}, {"warning", 0}, {"info", 0}};
  if (s.report != nullptr) {
    for (const model::Finding& f : s.report->findings)
      ++counts[std::string(SeverityName(f.severity))];
  }
  json out = {{"name", s.name},
              {"region", s.region},
              {"labels", s.labels},
              {"databases", s.databases},
              {"status", TargetStatusName(s)},
              {"reachability", ReachabilityName(s.reachability)},
              {"last_error", s.last_error},
              {"last_success", Time(s.last_success)},
              {"unreachable_since", Time(s.unreachable_since)},
              {"score", s.report != nullptr ? json(s.report->score) : json(nullptr)},
              {"reasons", s.report != nullptr ? json(s.report->reasons) : json::array()},
              {"findings", counts},
              {"tiers", tiers},
              {"sequence", s.sequence}};
  if (s.current != nullptr) {
    out["server_version"] = s.current->server.server_version;
    out["is_in_recovery"] = s.current->server.is_in_recovery;
    out["collected_at"] = common::FormatTimestamp(s.current->collected_at);
  }
  return out;
}

json HealthJson(const model::TargetState& s, HealthView view) {
  json out = TargetSummaryJson(s);
  out["type"] = std::string([&] {
    switch (view) {
      case HealthView::kFull:
        return "full";
      case HealthView::kOverview:
        return "overview";
      case HealthView::kTables:
        return "tables";
      case HealthView::kIndexes:
        return "indexes";
      case HealthView::kQueries:
        return "queries";
      case HealthView::kConnections:
        return "connections";
      case HealthView::kLocks:
        return "locks";
      case HealthView::kReplication:
        return "replication";
      case HealthView::kStorage:
        return "storage";
    }
    return "overview";
  }());
  const model::Snapshot* snap = s.current.get();
  switch (view) {
    case HealthView::kOverview:
      if (s.report != nullptr) out["report"] = store::HealthReportToJson(*s.report);
      if (snap != nullptr) {
        out["connections"] = ConnectionsByState(*snap);
        out["lock_waits"] = snap->lock_waits.size();
        out["oldest_transaction_seconds"] = OldestTransactionSeconds(*snap);
      }
      break;
    case HealthView::kFull:
      if (s.report != nullptr) out["report"] = store::HealthReportToJson(*s.report);
      if (snap != nullptr) out["snapshot"] = store::SnapshotToJson(*snap);
      break;
    case HealthView::kTables:
      out["findings"] = FindingsOf(s, {"table.", "wraparound.", "sequence."});
      if (snap != nullptr)
        out.update(store::SnapshotPartsToJson(*snap, {"tables", "sequences", "skipped_relations"}));
      break;
    case HealthView::kIndexes:
      out["findings"] = FindingsOf(s, {"index."});
      if (snap != nullptr) out.update(store::SnapshotPartsToJson(*snap, {"indexes"}));
      break;
    case HealthView::kQueries:
      out["findings"] = FindingsOf(s, {"query."});
      if (snap != nullptr)
        out.update(store::SnapshotPartsToJson(*snap, {"statements", "statements_info"}));
      break;
    case HealthView::kConnections:
      out["findings"] = FindingsOf(s, {"connection.", "pooler."});
      if (snap != nullptr) {
        out["connections"] = ConnectionsByState(*snap);
        out.update(store::SnapshotPartsToJson(*snap, {"activity", "pgbouncer_pools"}));
      }
      break;
    case HealthView::kLocks:
      out["findings"] = FindingsOf(s, {"locks."});
      if (snap != nullptr) out.update(store::SnapshotPartsToJson(*snap, {"lock_waits"}));
      break;
    case HealthView::kReplication:
      out["findings"] = FindingsOf(s, {"replication.", "archiver.", "backup."});
      if (snap != nullptr) {
        out.update(store::SnapshotPartsToJson(
            *snap, {"replication", "wal_receiver", "replication_slots", "archiver"}));
      }
      break;
    case HealthView::kStorage:
      out["findings"] =
          FindingsOf(s, {"storage.", "table.bloat", "index.bloat", "tempfiles.", "checkpoint."});
      if (snap != nullptr) {
        out.update(store::SnapshotPartsToJson(*snap, {"database_sizes", "largest_relations"}));
      }
      break;
  }
  return out;
}

std::string StatusEventJson(const model::TargetState& s) {
  return TargetSummaryJson(s).dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string SampleEventJson(const model::TargetState& s) {
  json out = {{"target", s.name},
              {"status", TargetStatusName(s)},
              {"score", s.report != nullptr ? json(s.report->score) : json(nullptr)},
              {"sequence", s.sequence}};
  if (const model::Snapshot* snap = s.current.get(); snap != nullptr) {
    out["collected_at"] = common::FormatTimestamp(snap->collected_at);
    out["connections"] = ConnectionsByState(*snap);
    out["lock_waits"] = snap->lock_waits.size();
    out["oldest_transaction_seconds"] = OldestTransactionSeconds(*snap);
    out["replay_lag_seconds"] = MaxReplayLagSeconds(*snap);
  }
  if (s.report != nullptr) {
    std::map<std::string, int> counts;
    for (const model::Finding& f : s.report->findings)
      ++counts[std::string(SeverityName(f.severity))];
    out["findings"] = counts;
  }
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace pgvigil::http
