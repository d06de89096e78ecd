// SPDX-License-Identifier: Apache-2.0
// A measured bloat figure of one relation (`pgvigil check --exact`): pgstattuple_approx's free
// and dead space of a table, or pgstatindex's leaf density of a btree index turned into the
// same "wasted share" the statistical estimate gives. Plain data.
#pragma once

#include <cstdint>
#include <string>

namespace pgvigil::model {

struct ExactBloat {
  std::uint32_t oid = 0;
  std::string relkind;      // pg_class.relkind: "r", "m", "i"
  double wasted_ratio = 0;  // 0–1; meaningless when skipped
  std::string method;       // "pgstattuple_approx" or "pgstatindex"; empty when skipped
  std::string skipped;      // why it was not measured, in words; empty when measured
  // Tables: approx_free_percent and dead_tuple_percent. Indexes: avg_leaf_density against the
  // fillfactor, and the deleted and empty pages, for the evidence line.
  double free_percent = 0;
  double dead_percent = 0;
  double avg_leaf_density = 0;
  double fillfactor = 0;
  std::int64_t pages = 0;
  std::int64_t free_pages = 0;  // deleted + empty btree pages

  bool measured() const { return skipped.empty(); }
};

}  // namespace pgvigil::model
