// SPDX-License-Identifier: Apache-2.0
#include "collect/stat_activity_collector.h"

#include "collect/credential_filter.h"
#include "collect/row_reader.h"

namespace pgvigil::collect {

common::Status StatActivityCollector::Parse(const CollectContext& /*context*/,
                                            std::span<const pg::QueryOutcome> results,
                                            model::Snapshot& snapshot, std::string& note) const {
  RowReader r(results[0].rows, "stat_activity");
  int hidden_queries = 0;
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::Backend b;
    b.pid = r.Get<int>("pid");
    b.leader_pid = r.Get<std::optional<int>>("leader_pid");
    b.datname = r.Get<std::string>("datname");
    b.usename = r.Get<std::string>("usename");
    b.application_name = r.Get<std::string>("application_name");
    b.client_addr = r.Get<std::string>("client_addr");
    b.backend_type = r.Get<std::string>("backend_type");
    b.state = r.Get<std::string>("state");
    b.wait_event_type = r.Get<std::string>("wait_event_type");
    b.wait_event = r.Get<std::string>("wait_event");
    b.backend_age_seconds = r.Get<std::optional<double>>("backend_age_seconds");
    b.xact_age_seconds = r.Get<std::optional<double>>("xact_age_seconds");
    b.query_age_seconds = r.Get<std::optional<double>>("query_age_seconds");
    b.state_age_seconds = r.Get<std::optional<double>>("state_age_seconds");
    b.backend_xid_age = r.Get<std::optional<std::int64_t>>("backend_xid_age");
    b.backend_xmin_age = r.Get<std::optional<std::int64_t>>("backend_xmin_age");
    b.query_id = r.Get<std::optional<std::int64_t>>("query_id");
    // A running ALTER ROLE … PASSWORD shows its literal here, as in pg_stat_statements.
    b.query = WithholdCredentials(r.Get<std::string>("query"));
    // Without pg_read_all_stats, other roles' sessions show this instead of their query.
    if (b.query == "<insufficient privilege>") ++hidden_queries;
    snapshot.activity.push_back(std::move(b));
  }
  if (hidden_queries > 0) {
    note = std::to_string(hidden_queries) +
           " sessions of other roles are hidden: grant pg_monitor (or pg_read_all_stats) to the "
           "monitoring role";
  }
  return r.status();
}

}  // namespace pgvigil::collect
