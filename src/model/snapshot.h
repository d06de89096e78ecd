// SPDX-License-Identifier: Apache-2.0
// A Snapshot is everything one collection read from one server: cluster-wide views once, and
// per-database views for each database collected (rows carry their datname). Each part is
// filled by one collector; a part whose collector failed or was skipped stays empty and its
// CollectorOutcome says why. A finished snapshot is immutable and shared as
// std::shared_ptr<const Snapshot>.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "model/activity.h"
#include "model/background_stats.h"
#include "model/bloat_inputs.h"
#include "model/collector_outcome.h"
#include "model/database_stats.h"
#include "model/index_stats.h"
#include "model/lock_wait.h"
#include "model/pgbouncer_stats.h"
#include "model/replication.h"
#include "model/sequence_stats.h"
#include "model/server_info.h"
#include "model/setting.h"
#include "model/shared_vector.h"
#include "model/statement_stats.h"
#include "model/storage.h"
#include "model/table_stats.h"
#include "model/tier_times.h"
#include "model/wraparound.h"

namespace pgvigil::model {

struct Snapshot {
  std::string target;                // the configured name, or a description of the DSN
  common::Timestamp collected_at{};  // when collection started (client clock)
  double duration_seconds = 0;       // wall time of the whole collection
  std::vector<std::string> tiers;    // which tiers this snapshot holds
  TierTimes tier_times;              // when each tier's parts were read, in a composed snapshot
  ServerInfo server;
  std::vector<CollectorOutcome> outcomes;

  // fast tier
  std::vector<Backend> activity;
  std::vector<LockWait> lock_waits;
  std::vector<ReplicationConnection> replication;
  std::optional<WalReceiver> wal_receiver;
  std::vector<ReplicationSlot> replication_slots;
  std::vector<PgBouncerPool> pgbouncer_pools;
  std::vector<PgBouncerStats> pgbouncer_stats;

  // standard tier. The standard and slow parts are SharedVectors: a snapshot composed from the
  // tiers' samples shares them with the samples instead of copying (shared_vector.h).
  SharedVector<DatabaseStats> databases;
  SharedVector<StatementStats> statements;
  std::optional<StatementsInfo> statements_info;
  std::optional<CheckpointerStats> checkpointer;
  std::optional<WalStats> wal;
  std::optional<ArchiverStats> archiver;
  SharedVector<DatabaseAge> database_ages;
  SharedVector<PreparedTransaction> prepared_transactions;
  SharedVector<Setting> settings;

  // slow tier
  SharedVector<TableStats> tables;
  SharedVector<IndexStats> indexes;
  SharedVector<SequenceStats> sequences;
  SharedVector<DatabaseSize> database_sizes;
  SharedVector<RelationSize> largest_relations;
  SharedVector<SkippedRelation> skipped_relations;
  SharedVector<BloatInputs> bloat_inputs;

  const CollectorOutcome* FindOutcome(std::string_view collector) const {
    for (const CollectorOutcome& o : outcomes) {
      if (o.collector == collector) return &o;
    }
    return nullptr;
  }
};

// When `tier`'s parts of `s` were collected: its tier time when set, else `collected_at` (a
// snapshot collected in one go). Rates and ages of a tier's counters use this, never
// `collected_at` directly.
inline common::Timestamp CollectedAt(const Snapshot& s, std::string_view tier) {
  const std::optional<common::Timestamp>* at = s.tier_times.Find(tier);
  return at != nullptr && at->has_value() ? **at : s.collected_at;
}

}  // namespace pgvigil::model
