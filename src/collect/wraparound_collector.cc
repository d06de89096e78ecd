// SPDX-License-Identifier: Apache-2.0
#include "collect/wraparound_collector.h"

#include "collect/row_reader.h"

namespace pgvigil::collect {

common::Status WraparoundCollector::Parse(const CollectContext& /*context*/,
                                          std::span<const pg::QueryOutcome> results,
                                          model::Snapshot& snapshot, std::string& /*note*/) const {
  RowReader ages(results[0].rows, "database_ages");
  for (int i = 0; i < ages.row_count(); ++i) {
    ages.Seek(i);
    model::DatabaseAge d;
    d.datname = ages.Get<std::string>("datname");
    d.datfrozenxid_age = ages.Get<std::int64_t>("datfrozenxid_age");
    d.datminmxid_age = ages.Get<std::int64_t>("datminmxid_age");
    d.datallowconn = ages.Get<bool>("datallowconn");
    snapshot.database_ages.push_back(std::move(d));
  }
  PGV_RETURN_IF_ERROR(ages.status());

  RowReader prepared(results[1].rows, "prepared_xacts");
  for (int i = 0; i < prepared.row_count(); ++i) {
    prepared.Seek(i);
    model::PreparedTransaction p;
    p.gid = prepared.Get<std::string>("gid");
    p.owner = prepared.Get<std::string>("owner");
    p.datname = prepared.Get<std::string>("datname");
    p.prepared_age_seconds = prepared.Get<double>("prepared_age_seconds");
    p.xid_age = prepared.Get<std::int64_t>("xid_age");
    snapshot.prepared_transactions.push_back(std::move(p));
  }
  return prepared.status();
}

}  // namespace pgvigil::collect
