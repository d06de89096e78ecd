// SPDX-License-Identifier: Apache-2.0
#include "daemon/target_collector.h"

#include <algorithm>

#include "collect/collection.h"
#include "common/clock.h"
#include "pg/dsn.h"

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

void CollectPgBouncerInto(const CollectOnceOptions& options, model::Snapshot& snapshot) {
  auto admin = pg::LibpqSession::Connect(
      SessionOptionsFor(options, options.pgbouncer_dsn, pg::SessionKind::kPgBouncerAdmin));
  if (admin.has_value()) {
    collect::CollectPgBouncer(**admin, snapshot);
    return;
  }
  model::CollectorOutcome o;
  o.collector = "pgbouncer";
  o.tier = "fast";
  o.status = model::CollectorStatus::kError;
  o.error_code = std::string(common::StatusCodeName(admin.error().code()));
  o.message = "cannot connect to the PgBouncer admin console at " +
              pg::DescribeDsn(options.pgbouncer_dsn) + ": " + admin.error().message();
  snapshot.outcomes.push_back(std::move(o));
}

}  // namespace

TargetCollector::TargetCollector(CollectOnceOptions options)
    : options_(std::move(options)), description_(pg::DescribeDsn(options_.dsn)) {}

common::Status TargetCollector::EnsureConnected() {
  if (session_ != nullptr && session_->is_connected()) return common::Status::Ok();
  session_.reset();
  auto session = pg::LibpqSession::Connect(
      SessionOptionsFor(options_, options_.dsn, pg::SessionKind::kMonitoring));
  if (!session.has_value()) return session.error().WithContext("cannot connect to " + description_);
  session_ = std::move(session).value();
  return common::Status::Ok();
}

common::Result<model::Snapshot> TargetCollector::Collect() {
  const auto started = std::chrono::steady_clock::now();
  model::Snapshot snapshot;
  snapshot.target = options_.target.empty() ? description_ : options_.target;
  snapshot.collected_at = common::SystemClock::Instance().Now();
  for (collect::Tier t : options_.tiers) snapshot.tiers.emplace_back(collect::TierName(t));

  PGV_RETURN_IF_ERROR(EnsureConnected());
  snapshot.server = collect::ToModelServerInfo(session_->server_info());
  snapshot.server.connect_seconds = Seconds(session_->connect_duration());
  snapshot.server.round_trip_seconds = Seconds(session_->setup_round_trip());

  collect::RunCollectors(*session_, collect::BuiltinCollectors(), options_.tiers,
                         options_.collector, collect::QueryCatalog::Builtin(), snapshot);

  const bool wants_fast = std::find(options_.tiers.begin(), options_.tiers.end(),
                                    collect::Tier::kFast) != options_.tiers.end();
  if (!options_.pgbouncer_dsn.empty() && wants_fast) CollectPgBouncerInto(options_, snapshot);
  snapshot.duration_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return snapshot;
}

common::Result<std::vector<pg::QueryOutcome>> TargetCollector::RunQueries(
    std::span<const pg::Query> queries) {
  PGV_RETURN_IF_ERROR(EnsureConnected());
  return session_->RunPipeline(queries);
}

}  // namespace pgvigil::daemon
