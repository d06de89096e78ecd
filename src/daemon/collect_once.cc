// SPDX-License-Identifier: Apache-2.0
#include "daemon/collect_once.h"

#include <algorithm>

#include "collect/collection.h"
#include "common/clock.h"
#include "pg/dsn.h"
#include "pg/libpq_session.h"

namespace pgvigil::daemon {
namespace {

double Seconds(std::chrono::microseconds d) { return std::chrono::duration<double>(d).count(); }

pg::SessionOptions SessionOptionsFor(const CollectOnceOptions& o, const std::string& dsn,
                                     pg::SessionKind kind) {
  pg::SessionOptions s;
  s.dsn = dsn;
  s.kind = kind;
  s.connect_timeout = o.connect_timeout;
  s.statement_timeout = o.statement_timeout;
  s.lock_timeout = o.lock_timeout;
  return s;
}

}  // namespace

common::Result<model::Snapshot> CollectOnce(const CollectOnceOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  model::Snapshot snapshot;
  snapshot.target = pg::DescribeDsn(options.dsn);
  snapshot.collected_at = common::SystemClock::Instance().Now();
  for (collect::Tier t : options.tiers) snapshot.tiers.emplace_back(collect::TierName(t));

  auto session =
      pg::LibpqSession::Connect(SessionOptionsFor(options, options.dsn, pg::SessionKind::kMonitoring));
  if (!session.has_value()) {
    return session.error().WithContext("cannot connect to " + snapshot.target);
  }
  snapshot.server = collect::ToModelServerInfo((*session)->server_info());
  snapshot.server.connect_seconds = Seconds((*session)->connect_duration());
  snapshot.server.round_trip_seconds = Seconds((*session)->setup_round_trip());

  collect::RunCollectors(**session, collect::BuiltinCollectors(), options.tiers, options.collector,
                         collect::QueryCatalog::Builtin(), snapshot);

  const bool wants_fast = std::find(options.tiers.begin(), options.tiers.end(),
                                    collect::Tier::kFast) != options.tiers.end();
  if (!options.pgbouncer_dsn.empty() && wants_fast) {
    auto admin = pg::LibpqSession::Connect(
        SessionOptionsFor(options, options.pgbouncer_dsn, pg::SessionKind::kPgBouncerAdmin));
    if (admin.has_value()) {
      collect::CollectPgBouncer(**admin, snapshot);
    } else {
      model::CollectorOutcome o;
      o.collector = "pgbouncer";
      o.tier = "fast";
      o.status = model::CollectorStatus::kError;
      o.error_code = std::string(common::StatusCodeName(admin.error().code()));
      o.message = "cannot connect to the PgBouncer admin console at " +
                  pg::DescribeDsn(options.pgbouncer_dsn) + ": " + admin.error().message();
      snapshot.outcomes.push_back(std::move(o));
    }
  }
  snapshot.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return snapshot;
}

}  // namespace pgvigil::daemon
