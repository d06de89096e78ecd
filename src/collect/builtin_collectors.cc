// SPDX-License-Identifier: Apache-2.0
// Every built-in collector, one line each. Adding a collector: its SQL in sql/, its pair of
// files, its model part, a unit test, an integration case, a line in docs/metrics.md.
#include "collect/archiver_collector.h"
#include "collect/bloat_inputs_collector.h"
#include "collect/checkpointer_collector.h"
#include "collect/collector.h"
#include "collect/locks_collector.h"
#include "collect/replication_collector.h"
#include "collect/sequences_collector.h"
#include "collect/settings_collector.h"
#include "collect/stat_activity_collector.h"
#include "collect/stat_database_collector.h"
#include "collect/stat_statements_collector.h"
#include "collect/stat_user_indexes_collector.h"
#include "collect/stat_user_tables_collector.h"
#include "collect/storage_collector.h"
#include "collect/wal_collector.h"
#include "collect/wraparound_collector.h"

namespace pgvigil::collect {

std::span<const Collector* const> BuiltinCollectors() {
  // fast tier
  static const StatActivityCollector stat_activity;
  static const LocksCollector locks;
  static const ReplicationCollector replication;
  // standard tier
  static const StatDatabaseCollector stat_database;
  static const StatStatementsCollector stat_statements;
  static const WraparoundCollector wraparound;
  static const CheckpointerCollector checkpointer;
  static const WalCollector wal;
  static const ArchiverCollector archiver;
  static const SettingsCollector settings;
  // slow tier
  static const StatUserTablesCollector stat_user_tables;
  static const StatUserIndexesCollector stat_user_indexes;
  static const StorageCollector storage;
  static const SequencesCollector sequences;
  static const BloatInputsCollector bloat_inputs;

  static const Collector* const kAll[] = {
      &stat_activity,
      &locks,
      &replication,
      &stat_database,
      &stat_statements,
      &wraparound,
      &checkpointer,
      &wal,
      &archiver,
      &settings,
      &stat_user_tables,
      &stat_user_indexes,
      &storage,
      &sequences,
      &bloat_inputs,
  };
  return kAll;
}

}  // namespace pgvigil::collect
