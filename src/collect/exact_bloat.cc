// SPDX-License-Identifier: Apache-2.0
#include "collect/exact_bloat.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

#include "collect/row_reader.h"
#include "pg/quote.h"

namespace pgvigil::collect {

common::Result<pg::Query> PlanExactBloat(const pg::ServerInfo& server, const QueryCatalog& catalog,
                                         std::span<const std::uint32_t> oids) {
  if (oids.empty()) return common::InvalidArgumentError("exact_bloat: no relations to measure");
  const pg::Extension* ext = server.FindExtension("pgstattuple");
  if (ext == nullptr) {
    return common::UnsupportedError(
        fmt::format("pgstattuple is not installed in database {} (CREATE EXTENSION pgstattuple)",
                    server.current_database));
  }
  PGV_ASSIGN_OR_RETURN(std::string_view sql, catalog.Find("exact_bloat", server.major()));
  // Integers only: the list is built from oids, never from text.
  std::string list;
  for (std::uint32_t oid : oids) {
    if (!list.empty()) list += ", ";
    list += std::to_string(oid);
  }
  return pg::Query{
      "exact_bloat",
      SubstitutePlaceholders(sql, {{"oids", list}, {"schema", pg::QuoteIdentifier(ext->schema)}})};
}

common::Result<std::vector<model::ExactBloat>> ParseExactBloat(const pg::ResultSet& rows,
                                                               int block_size) {
  using OptD = std::optional<double>;
  using OptI = std::optional<std::int64_t>;
  std::vector<model::ExactBloat> out;
  RowReader r(rows, "exact_bloat");
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::ExactBloat e;
    e.oid = r.Get<std::uint32_t>("oid");
    e.relkind = r.Get<std::string>("relkind");
    e.skipped = r.Get<std::string>("skipped");
    const OptD free_percent = r.Get<OptD>("approx_free_percent");
    const OptD dead_percent = r.Get<OptD>("dead_tuple_percent");
    const OptI table_len = r.Get<OptI>("table_len");
    const OptI index_size = r.Get<OptI>("index_size");
    const OptI leaf_pages = r.Get<OptI>("leaf_pages");
    const OptI empty_pages = r.Get<OptI>("empty_pages");
    const OptI deleted_pages = r.Get<OptI>("deleted_pages");
    const OptD density = r.Get<OptD>("avg_leaf_density");
    e.fillfactor = r.Get<double>("index_fillfactor");
    if (e.skipped.empty() && free_percent && dead_percent) {
      e.method = "pgstattuple_approx";
      e.free_percent = *free_percent;
      e.dead_percent = *dead_percent;
      e.pages = block_size > 0 ? table_len.value_or(0) / block_size : 0;
      e.wasted_ratio = std::clamp((*free_percent + *dead_percent) / 100, 0.0, 1.0);
    } else if (e.skipped.empty() && index_size && leaf_pages) {
      // As the estimate counts it: the share of the index's pages that hold nothing live. Leaf
      // pages below the fillfactor a fresh build packs to waste (1 − density / fillfactor) of
      // themselves; deleted and empty pages waste all of theirs.
      e.method = "pgstatindex";
      e.avg_leaf_density = density.value_or(0);
      e.pages = block_size > 0 ? *index_size / block_size : 0;
      e.free_pages = empty_pages.value_or(0) + deleted_pages.value_or(0);
      const double leaf_waste =
          e.fillfactor > 0 ? std::max(0.0, 1 - e.avg_leaf_density / e.fillfactor) : 0;
      const double wasted =
          static_cast<double>(*leaf_pages) * leaf_waste + static_cast<double>(e.free_pages);
      e.wasted_ratio =
          e.pages > 0 ? std::clamp(wasted / static_cast<double>(e.pages), 0.0, 1.0) : 0;
    } else if (e.skipped.empty()) {
      e.skipped = "pgstattuple returned no figures";
    }
    out.push_back(std::move(e));
  }
  PGV_RETURN_IF_ERROR(r.status());
  return out;
}

}  // namespace pgvigil::collect
