// SPDX-License-Identifier: Apache-2.0
// Every built-in check, one line each. Adding a check: its file pair under checks/, its
// thresholds in default_thresholds.cc, unit tests on both sides of each threshold, a scenario.
#include "analysis/check.h"
#include "analysis/checks/archiver_failing_check.h"
#include "analysis/checks/backup_stale_check.h"
#include "analysis/checks/bloat_check.h"
#include "analysis/checks/cache_hit_ratio_check.h"
#include "analysis/checks/checkpoint_too_frequent_check.h"
#include "analysis/checks/connection_by_application_check.h"
#include "analysis/checks/connection_idle_in_transaction_check.h"
#include "analysis/checks/connection_utilization_check.h"
#include "analysis/checks/index_duplicate_check.h"
#include "analysis/checks/index_invalid_check.h"
#include "analysis/checks/index_redundant_check.h"
#include "analysis/checks/index_unused_check.h"
#include "analysis/checks/locks_blocking_check.h"
#include "analysis/checks/locks_deadlocks_check.h"
#include "analysis/checks/pooler_check.h"
#include "analysis/checks/query_advice_check.h"
#include "analysis/checks/query_error_rate_check.h"
#include "analysis/checks/query_long_running_check.h"
#include "analysis/checks/query_regression_check.h"
#include "analysis/checks/query_slow_statement_check.h"
#include "analysis/checks/replication_lag_check.h"
#include "analysis/checks/replication_slots_check.h"
#include "analysis/checks/sequence_exhaustion_check.h"
#include "analysis/checks/settings_check.h"
#include "analysis/checks/storage_size_limit_check.h"
#include "analysis/checks/table_analyze_overdue_check.h"
#include "analysis/checks/table_seq_scan_heavy_check.h"
#include "analysis/checks/table_vacuum_overdue_check.h"
#include "analysis/checks/target_latency_check.h"
#include "analysis/checks/tempfiles_spill_check.h"
#include "analysis/checks/wraparound_age_check.h"
#include "analysis/checks/wraparound_xmin_horizon_check.h"

namespace pgvigil::analysis {

namespace {

// One instance of every built-in check, shared by the lists below.
struct Checks {
  const ConnectionUtilizationCheck connection_utilization;
  const LocksBlockingCheck locks_blocking;
  const TargetLatencyCheck target_latency;
  const ConnectionIdleInTransactionCheck connection_idle_in_transaction;
  const ConnectionByApplicationCheck connection_by_application;
  const QueryLongRunningCheck query_long_running;
  const QuerySlowStatementCheck query_slow_statement;
  const QueryRegressionCheck query_regression;
  const QueryErrorRateCheck query_error_rate;
  const LocksDeadlocksCheck locks_deadlocks;
  const CacheHitRatioCheck cache_hit_ratio;
  const CheckpointTooFrequentCheck checkpoint_too_frequent;
  const TempfilesSpillCheck tempfiles_spill;
  const PoolerCheck pooler;
  const TableVacuumOverdueCheck table_vacuum_overdue;
  const TableAnalyzeOverdueCheck table_analyze_overdue;
  const WraparoundAgeCheck wraparound_age;
  const WraparoundXminHorizonCheck wraparound_xmin_horizon;
  const StorageSizeLimitCheck storage_size_limit;
  const IndexUnusedCheck index_unused;
  const SequenceExhaustionCheck sequence_exhaustion;
  const IndexDuplicateCheck index_duplicate;
  const IndexRedundantCheck index_redundant;
  const ReplicationLagCheck replication_lag;
  const ReplicationSlotsCheck replication_slots;
  const IndexInvalidCheck index_invalid;
  const TableSeqScanHeavyCheck table_seq_scan_heavy;
  const ArchiverFailingCheck archiver_failing;
  const BackupStaleCheck backup_stale;
  const SettingsCheck settings;
  const BloatCheck bloat;
  const QueryAdviceCheck query_advice;
};

const Checks& Instances() {
  static const Checks checks;
  return checks;
}

}  // namespace

std::span<const Check* const> BuiltinChecks() {
  const Checks& c = Instances();
  static const Check* const kAll[] = {
      &c.connection_utilization,
      &c.locks_blocking,
      &c.target_latency,
      &c.connection_idle_in_transaction,
      &c.connection_by_application,
      &c.query_long_running,
      &c.query_slow_statement,
      &c.query_regression,
      &c.query_error_rate,
      &c.locks_deadlocks,
      &c.cache_hit_ratio,
      &c.checkpoint_too_frequent,
      &c.tempfiles_spill,
      &c.pooler,
      &c.table_vacuum_overdue,
      &c.table_analyze_overdue,
      &c.wraparound_age,
      &c.wraparound_xmin_horizon,
      &c.storage_size_limit,
      &c.index_unused,
      &c.sequence_exhaustion,
      &c.index_duplicate,
      &c.index_redundant,
      &c.replication_lag,
      &c.replication_slots,
      &c.index_invalid,
      &c.table_seq_scan_heavy,
      &c.archiver_failing,
      &c.backup_stale,
      &c.settings,
      &c.bloat,
      &c.query_advice,
  };
  return kAll;
}

std::span<const Check* const> FastTierChecks() {
  const Checks& c = Instances();
  // Every check that reads a fast-tier part (activity, lock waits, replication, slots,
  // PgBouncer, the connect round trip) and nothing of `previous` or the history.
  static const Check* const kFast[] = {
      &c.connection_utilization,
      &c.locks_blocking,
      &c.target_latency,
      &c.connection_idle_in_transaction,
      &c.connection_by_application,
      &c.query_long_running,
      &c.pooler,
      &c.wraparound_age,
      &c.wraparound_xmin_horizon,
      &c.replication_lag,
      &c.replication_slots,
      &c.index_invalid,
  };
  return kFast;
}

}  // namespace pgvigil::analysis
