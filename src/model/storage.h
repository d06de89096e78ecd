// SPDX-License-Identifier: Apache-2.0
// Sizes measured with PostgreSQL's size functions: every database, and the largest relations
// of the collected database (chosen by pg_class.relpages, so the size functions run on a
// bounded number of relations, never on the whole catalogue).
#pragma once

#include <cstdint>
#include <string>

namespace pgvigil::model {

struct DatabaseSize {
  std::string datname;
  std::int64_t size_bytes = 0;
};

struct RelationSize {
  std::string datname;
  std::uint32_t relid = 0;
  std::string schemaname;
  std::string relname;
  std::string relkind;
  std::int64_t total_bytes = 0;  // pg_total_relation_size: heap + indexes + TOAST
  std::int64_t table_bytes = 0;  // pg_table_size: heap + TOAST + FSM/VM
  std::int64_t indexes_bytes = 0;
};

// A relation a collector left alone because waiting for it could block the application:
// somebody holds or waits for a lock that the collector's own would queue behind (ACCESS
// EXCLUSIVE on a table, its index or TOAST table for size functions and pg_get_indexdef; any
// lock above ROW EXCLUSIVE on a sequence for reading its last value).
struct SkippedRelation {
  std::string datname;
  std::uint32_t relid = 0;
  std::string schemaname;
  std::string relname;
  std::string collector;
  // "AccessExclusiveLock held by pid 123", "AccessExclusiveLock on app.t_pkey requested by
  // pid 456", "ShareRowExclusiveLock held by a prepared transaction"
  std::string reason;
};

}  // namespace pgvigil::model
