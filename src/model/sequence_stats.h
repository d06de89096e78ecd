// SPDX-License-Identifier: Apache-2.0
// pg_sequences with the column a sequence feeds (serial / identity), so exhaustion is judged
// against the smaller of the sequence's maximum and the column type's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace pgvigil::model {

struct SequenceStats {
  std::string datname;
  std::string schemaname;
  std::string sequencename;
  std::string data_type;  // "integer", "bigint", "smallint"
  std::int64_t min_value = 0;
  std::int64_t max_value = 0;
  std::int64_t increment_by = 1;
  bool cycle = false;
  // NULL when never called, when the monitoring role may not read it (needs SELECT or USAGE
  // on the sequence: pg_monitor alone does not give it), or when a lock was in the way (the
  // sequence is then in Snapshot::skipped_relations).
  std::optional<std::int64_t> last_value;
  bool is_readable = true;  // has_sequence_privilege(…, 'SELECT,USAGE')
  std::string owned_by;     // "schema.table.column" of a serial or identity column, else empty
  std::string column_type;  // that column's type: "integer" caps a bigint sequence at 2^31-1
};

}  // namespace pgvigil::model
