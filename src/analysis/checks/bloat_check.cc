// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/bloat_check.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {
namespace {

// Page layout constants of PostgreSQL (64-bit builds: MAXALIGN 8).
constexpr double kPageHeader = 24;              // SizeOfPageHeaderData
constexpr double kLinePointer = 4;              // sizeof(ItemIdData)
constexpr double kBtreeOpaque = 16;             // sizeof(BTPageOpaqueData), at the end of each page
constexpr double kHeapTupleHeader = 24;         // MAXALIGN(SizeofHeapTupleHeader)
constexpr double kBtreeNonLeafFillfactor = 70;  // BTREE_NONLEAF_FILLFACTOR

}  // namespace

std::optional<BloatEstimate> EstimateBloat(const model::BloatInputs& in, int block_size) {
  if (in.relpages <= 0 || in.tuple_width <= 0 || block_size <= 0 || in.reltuples < 0) {
    return std::nullopt;
  }
  const double bs = block_size;
  const double item = in.tuple_width + kLinePointer;
  const double fillfactor = std::clamp(in.fillfactor, 10, 100);
  BloatEstimate e;
  if (!in.is_index()) {
    // A heap page takes new tuples while more than (100 − fillfactor) % of it stays free.
    const double usable = bs - kPageHeader - bs * (100 - fillfactor) / 100;
    const double max_per_page = std::floor((bs - kPageHeader) / (kHeapTupleHeader + kLinePointer));
    e.tuples_per_page = std::clamp(std::floor(usable / item), 1.0, max_per_page);
    e.expected_pages = std::ceil(in.reltuples / e.tuples_per_page);
  } else {
    // A btree: one metapage, leaf pages filled to fillfactor (CREATE INDEX and rightmost
    // splits), and one level of internal pages filled to 70 % (more levels are negligible).
    const double leaf_usable = bs - kPageHeader - kBtreeOpaque - bs * (100 - fillfactor) / 100;
    const double inner_usable =
        bs - kPageHeader - kBtreeOpaque - bs * (100 - kBtreeNonLeafFillfactor) / 100;
    e.tuples_per_page = std::max(1.0, std::floor(leaf_usable / item));
    const double leaves = std::ceil(in.reltuples / e.tuples_per_page);
    const double inner_per_page = std::max(2.0, std::floor(inner_usable / item));
    const double inner = leaves > 1 ? std::ceil(leaves / inner_per_page) : 0;
    e.expected_pages = 1 + leaves + inner;
  }
  const double pages = static_cast<double>(in.relpages);
  e.wasted_pages = std::max(0.0, pages - e.expected_pages);
  e.wasted_ratio = e.wasted_pages / pages;
  e.wasted_bytes = e.wasted_pages * bs;
  return e;
}

void BloatCheck::Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  if (!Collected(s, "bloat_inputs")) return;
  const int bs = s.server.block_size;
  for (const model::BloatInputs& b : s.bloat_inputs) {
    const auto e = EstimateBloat(b, bs);
    if (!e) continue;
    const bool index = b.is_index();
    const std::string id = index ? "index.bloat" : "table.bloat";
    const std::string& name = index ? b.indexrelname : b.relname;
    const std::string object = RelationObject(b.datname, b.schemaname, name);
    const double min_bytes = input.thresholds.Param(id + ".min_bytes", s.target, object);
    if (e->wasted_bytes < min_bytes) continue;
    const auto verdict = input.thresholds.Classify(id, e->wasted_ratio, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    const double size = static_cast<double>(b.relpages) * bs;

    model::Finding f;
    f.id = id;
    f.severity = verdict.severity;
    f.object = object;
    f.value = e->wasted_ratio;
    f.threshold = verdict.threshold;
    f.unit = "ratio";
    f.message = fmt::format(
        "{} {} is an estimated {} bloated: about {} of its {} hold no live {} "
        "(statistical estimate)",
        index ? "index" : "table", name, FormatPercent(e->wasted_ratio),
        FormatBytes(e->wasted_bytes), FormatBytes(size), index ? "entries" : "rows");
    f.evidence = {
        fmt::format("an estimate from pg_class and pg_stats, not a measurement: relpages {} "
                    "({}), reltuples {} as of the last VACUUM or ANALYZE",
                    b.relpages, FormatBytes(size), FormatCount(b.reltuples)),
        fmt::format("average {}: header {} bytes + data {:.1f} bytes (Σ (1 − null_frac) × "
                    "avg_width over {} columns) = {:.0f} bytes aligned, + a 4-byte line pointer",
                    index ? "index entry" : "row", b.header_width, b.data_width, b.columns,
                    b.tuple_width),
        fmt::format("fillfactor {} → {:.0f} {} per {}page → {:.0f} pages expected, {:.0f} "
                    "wasted ({})",
                    b.fillfactor, e->tuples_per_page, index ? "entries" : "rows",
                    index ? "leaf " : "", e->expected_pages, e->wasted_pages,
                    FormatBytes(e->wasted_bytes)),
    };
    if (index) {
      f.evidence.push_back(
          fmt::format("of table {}.{}; btree deduplication (PostgreSQL 13+) can make an index "
                      "smaller than estimated, which understates its bloat, never overstates it",
                      b.schemaname, b.relname));
      f.recommendation = model::Recommendation{
          fmt::format("REINDEX INDEX CONCURRENTLY {};", QuoteQualified(b.schemaname, name)),
          "Rebuilds the index compactly without blocking reads or writes of the table (it needs "
          "room for a second copy while it runs). For an exact figure first: SELECT * FROM "
          "pgstatindex(…) (reads the whole index). Bloat that returns quickly points at the "
          "workload: updates of indexed columns, or deletes in key ranges that never refill."};
    } else {
      const bool severe = verdict.severity == model::Severity::kCritical;
      f.recommendation = model::Recommendation{
          fmt::format("VACUUM (ANALYZE) {};", QuoteQualified(b.schemaname, name)),
          severe
              ? "VACUUM makes the space reusable by new rows (the table stops growing) but gives "
                "little back to the file system. To shrink the table, rewrite it: pg_repack does "
                "it online with brief locks; VACUUM FULL takes an ACCESS EXCLUSIVE lock for the "
                "whole rewrite (every read and write waits) and needs room for a copy, so only "
                "in a maintenance window. For an exact figure first: SELECT * FROM "
                "pgstattuple(…) (reads the whole table)."
              : "VACUUM turns the dead rows into free space that new rows reuse, so the table "
                "stops growing; it does not take locks that block the application. A rewrite "
                "(pg_repack online, or VACUUM FULL, which blocks every read and write while it "
                "runs) is only worth it when the space must go back to the file system. For an "
                "exact figure first: SELECT * FROM pgstattuple(…) (reads the whole table)."};
    }
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
