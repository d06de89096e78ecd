// SPDX-License-Identifier: Apache-2.0
#include "collect/stat_user_indexes_collector.h"

#include <set>

#include "collect/row_reader.h"
#include "collect/storage_collector.h"

namespace pgvigil::collect {

common::Status StatUserIndexesCollector::Parse(const CollectContext& /*context*/,
                                               std::span<const pg::QueryOutcome> results,
                                               model::Snapshot& snapshot,
                                               std::string& /*note*/) const {
  using I = std::int64_t;
  using OptI = std::optional<std::int64_t>;
  using Texts = std::vector<std::string>;
  RowReader r(results[0].rows, "stat_user_indexes");
  snapshot.indexes.reserve(snapshot.indexes.size() + static_cast<size_t>(r.row_count()));
  std::set<std::uint32_t> skipped_tables;
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    // The table is locked: the deparsed parts were not read, so neither is the index.
    if (const auto granted = r.Get<std::optional<bool>>("lock_granted")) {
      const auto relid = r.Get<std::uint32_t>("relid");
      if (!skipped_tables.insert(relid).second) continue;
      model::SkippedRelation skipped;
      skipped.datname = r.Get<std::string>("datname");
      skipped.relid = relid;
      skipped.schemaname = r.Get<std::string>("schemaname");
      skipped.relname = r.Get<std::string>("relname");
      skipped.collector = std::string(name());
      skipped.reason = LockSkipReason("AccessExclusiveLock", "",
                                      r.Get<std::optional<int>>("lock_pid"), *granted);
      snapshot.skipped_relations.push_back(std::move(skipped));
      continue;
    }
    model::IndexStats x;
    x.datname = r.Get<std::string>("datname");
    x.relid = r.Get<std::uint32_t>("relid");
    x.indexrelid = r.Get<std::uint32_t>("indexrelid");
    x.schemaname = r.Get<std::string>("schemaname");
    x.relname = r.Get<std::string>("relname");
    x.indexrelname = r.Get<std::string>("indexrelname");
    x.idx_scan = r.Get<I>("idx_scan");
    x.idx_tup_read = r.Get<I>("idx_tup_read");
    x.idx_tup_fetch = r.Get<I>("idx_tup_fetch");
    x.last_idx_scan = r.Get<std::optional<common::Timestamp>>("last_idx_scan");
    x.idx_blks_read = r.Get<OptI>("idx_blks_read");
    x.idx_blks_hit = r.Get<OptI>("idx_blks_hit");
    x.reltuples = r.Get<double>("reltuples");
    x.relpages = r.Get<I>("relpages");
    x.estimated_size_bytes = r.Get<I>("estimated_size_bytes");
    x.access_method = r.Get<std::string>("access_method");
    x.indisunique = r.Get<bool>("indisunique");
    x.indisprimary = r.Get<bool>("indisprimary");
    x.indisexclusion = r.Get<bool>("indisexclusion");
    x.indimmediate = r.Get<bool>("indimmediate");
    x.indisvalid = r.Get<bool>("indisvalid");
    x.indisready = r.Get<bool>("indisready");
    x.indislive = r.Get<bool>("indislive");
    x.indnkeyatts = r.Get<int>("indnkeyatts");
    x.key_columns = r.Get<Texts>("key_columns");
    x.opclasses = r.Get<Texts>("opclasses");
    x.collations = r.Get<Texts>("collations");
    x.indoption = r.Get<std::vector<int>>("indoption");
    x.predicate = r.Get<std::string>("predicate");
    x.constraint_name = r.Get<std::string>("constraint_name");
    x.constraint_type = r.Get<std::string>("constraint_type");
    snapshot.indexes.push_back(std::move(x));
  }
  return r.status();
}

}  // namespace pgvigil::collect
