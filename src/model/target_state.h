// SPDX-License-Identifier: Apache-2.0
// TargetState is what the daemon knows of one monitored target at one moment: how it is
// configured (name, region, labels), whether it answers, the latest composed snapshot (fast,
// standard and slow parts from their own latest collections), the health report, and how each
// collection tier is doing. The earlier samples that rates are computed from stay with the
// daemon (TierSamples) and are not kept here: a copy here held a large catalogue's slow tier in
// memory a third time. The daemon's cache hands out immutable copies (shared_ptr<const
// TargetState>); every read path (API, /metrics, SSE, dashboard) works from them and never queries
// the monitored database.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "model/finding.h"
#include "model/health_report.h"
#include "model/snapshot.h"

namespace pgvigil::model {

enum class Reachability {
  kUnknown,      // no collection attempted yet
  kUp,           // the last connection attempt succeeded
  kUnreachable,  // the last attempt failed (refused, timed out, authentication, …)
};

// One collection tier of one target (fast ≈ 1 s, standard ≈ 15 s, slow ≈ 5 min).
struct TierState {
  std::string tier;  // "fast" | "standard" | "slow"
  double interval_seconds = 0;
  std::optional<common::Timestamp> last_attempt;
  std::optional<common::Timestamp> last_success;
  double last_duration_seconds = 0;
  std::uint64_t collections_total = 0;  // attempts since the daemon started
  std::uint64_t failures_total = 0;
  int consecutive_failures = 0;
  std::string last_error;  // one line, secrets redacted; empty after a success
  // Set while the tier waits longer than its interval: backing off after failures, or because the
  // server is near max_connections.
  std::optional<common::Timestamp> backoff_until;
  std::string backoff_reason;
};

struct TargetState {
  std::string name;
  std::string region;
  std::map<std::string, std::string> labels;
  std::vector<std::string> databases;  // the databases watched on this target

  Reachability reachability = Reachability::kUnknown;
  std::string last_error;  // why it is unreachable; one line, secrets redacted
  std::optional<common::Timestamp> last_success;
  std::optional<common::Timestamp> unreachable_since;

  std::shared_ptr<const Snapshot> current;     // null until the first successful collection
  std::shared_ptr<const HealthReport> report;  // findings and score of `current`

  std::vector<TierState> tiers;
  std::uint64_t sequence = 0;  // increases with every change of this state
};

}  // namespace pgvigil::model
