// SPDX-License-Identifier: Apache-2.0
// The inputs of the statistical bloat estimate (collect/sql/bloat_inputs.sql), one row per user
// table and per btree index of the collected database: pages and tuples as of the last
// VACUUM/ANALYZE, fillfactor, and the width of an average tuple computed from pg_stats as
// check_postgres, pgwatch and ioguix's bloat queries do. analysis/ turns them into expected
// pages and a wasted share. Only relations of at least 1 MiB whose every column has visible
// statistics are listed (pg_stats hides the columns a role may not SELECT; the collector's
// outcome note counts the relations left out for that).
#pragma once

#include <cstdint>
#include <string>

namespace pgvigil::model {

struct BloatInputs {
  std::string datname;
  std::uint32_t relid = 0;       // the table
  std::uint32_t indexrelid = 0;  // the btree index; 0 for the table's own row
  std::string schemaname;
  std::string relname;
  std::string indexrelname;  // empty for a table row
  double reltuples = 0;      // pg_class, as of the last VACUUM/ANALYZE
  std::int64_t relpages = 0;
  int fillfactor = 100;  // reloptions; else 100 for a table, 90 for a btree index
  // Bytes of the tuple header with its null bitmap (heap: 23 + bitmap, btree: 8 + 4), and
  // Σ (1 − null_frac) × avg_width over the columns (every index column, INCLUDE ones too).
  int header_width = 0;
  double data_width = 0;
  // MAXALIGN(header) + MAXALIGN(data): the bytes an average tuple takes on a page, without its
  // 4-byte line pointer.
  double tuple_width = 0;
  int columns = 0;  // columns counted (all with visible statistics, or the row is left out)

  bool is_index() const { return indexrelid != 0; }
};

}  // namespace pgvigil::model
