// SPDX-License-Identifier: Apache-2.0
// Every built-in check, one line each. Adding a check: its file pair under checks/, its
// thresholds in default_thresholds.cc, unit tests on both sides of each threshold, a scenario.
#include "analysis/check.h"
#include "analysis/checks/connection_utilization_check.h"
#include "analysis/checks/locks_blocking_check.h"
#include "analysis/checks/target_latency_check.h"
#include "analysis/checks/connection_idle_in_transaction_check.h"
#include "analysis/checks/connection_by_application_check.h"
#include "analysis/checks/query_long_running_check.h"
#include "analysis/checks/query_slow_statement_check.h"
#include "analysis/checks/query_regression_check.h"
#include "analysis/checks/query_error_rate_check.h"
#include "analysis/checks/locks_deadlocks_check.h"
#include "analysis/checks/cache_hit_ratio_check.h"
#include "analysis/checks/checkpoint_too_frequent_check.h"
#include "analysis/checks/tempfiles_spill_check.h"
#include "analysis/checks/pooler_check.h"
#include "analysis/checks/table_vacuum_overdue_check.h"
#include "analysis/checks/table_analyze_overdue_check.h"
#include "analysis/checks/wraparound_age_check.h"
#include "analysis/checks/wraparound_xmin_horizon_check.h"
#include "analysis/checks/storage_size_limit_check.h"
#include "analysis/checks/index_unused_check.h"
#include "analysis/checks/sequence_exhaustion_check.h"
#include "analysis/checks/index_duplicate_check.h"
#include "analysis/checks/index_redundant_check.h"
#include "analysis/checks/replication_lag_check.h"
#include "analysis/checks/replication_slots_check.h"
#include "analysis/checks/index_invalid_check.h"
#include "analysis/checks/table_seq_scan_heavy_check.h"
#include "analysis/checks/archiver_failing_check.h"
#include "analysis/checks/backup_stale_check.h"
#include "analysis/checks/settings_check.h"
#include "analysis/checks/bloat_check.h"
#include "analysis/checks/query_advice_check.h"

namespace pgvigil::analysis {

std::span<const Check* const> BuiltinChecks() {
  static const ConnectionUtilizationCheck connection_utilization;
  static const LocksBlockingCheck locks_blocking;
  static const TargetLatencyCheck target_latency;
  static const ConnectionIdleInTransactionCheck connection_idle_in_transaction;
  static const ConnectionByApplicationCheck connection_by_application;
  static const QueryLongRunningCheck query_long_running;
  static const QuerySlowStatementCheck query_slow_statement;
  static const QueryRegressionCheck query_regression;
  static const QueryErrorRateCheck query_error_rate;
  static const LocksDeadlocksCheck locks_deadlocks;
  static const CacheHitRatioCheck cache_hit_ratio;
  static const CheckpointTooFrequentCheck checkpoint_too_frequent;
  static const TempfilesSpillCheck tempfiles_spill;
  static const PoolerCheck pooler;
  static const TableVacuumOverdueCheck table_vacuum_overdue;
  static const TableAnalyzeOverdueCheck table_analyze_overdue;
  static const WraparoundAgeCheck wraparound_age;
  static const WraparoundXminHorizonCheck wraparound_xmin_horizon;
  static const StorageSizeLimitCheck storage_size_limit;
  static const IndexUnusedCheck index_unused;
  static const SequenceExhaustionCheck sequence_exhaustion;
  static const IndexDuplicateCheck index_duplicate;
  static const IndexRedundantCheck index_redundant;
  static const ReplicationLagCheck replication_lag;
  static const ReplicationSlotsCheck replication_slots;
  static const IndexInvalidCheck index_invalid;
  static const TableSeqScanHeavyCheck table_seq_scan_heavy;
  static const ArchiverFailingCheck archiver_failing;
  static const BackupStaleCheck backup_stale;
  static const SettingsCheck settings;
  static const BloatCheck bloat;
  static const QueryAdviceCheck query_advice;

  static const Check* const kAll[] = {
      &connection_utilization,
      &locks_blocking,
      &target_latency,
      &connection_idle_in_transaction,
      &connection_by_application,
      &query_long_running,
      &query_slow_statement,
      &query_regression,
      &query_error_rate,
      &locks_deadlocks,
      &cache_hit_ratio,
      &checkpoint_too_frequent,
      &tempfiles_spill,
      &pooler,
      &table_vacuum_overdue,
      &table_analyze_overdue,
      &wraparound_age,
      &wraparound_xmin_horizon,
      &storage_size_limit,
      &index_unused,
      &sequence_exhaustion,
      &index_duplicate,
      &index_redundant,
      &replication_lag,
      &replication_slots,
      &index_invalid,
      &table_seq_scan_heavy,
      &archiver_failing,
      &backup_stale,
      &settings,
      &bloat,
      &query_advice,
  };
  return kAll;
}

}  // namespace pgvigil::analysis
