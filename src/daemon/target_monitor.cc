// SPDX-License-Identifier: Apache-2.0
#include "daemon/target_monitor.h"

#include <utility>  // before Boost: its awaitable.hpp uses std::exchange without it

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "analysis/snapshot_helpers.h"
#include "collect/collection.h"
#include "collect/pgbouncer_collector.h"
#include "collect/query_catalog.h"
#include "common/clock.h"
#include "common/glob.h"
#include "common/log.h"
#include "pg/dsn.h"

namespace pgvigil::daemon {
namespace {

using SteadyClock = std::chrono::steady_clock;
using boost::asio::use_awaitable;
using collect::Tier;

constexpr std::array kAllTiers = {Tier::kFast, Tier::kStandard, Tier::kSlow};

bool Contains(const std::vector<Tier>& tiers, Tier t) {
  return std::find(tiers.begin(), tiers.end(), t) != tiers.end();
}

double Seconds(std::chrono::microseconds d) { return std::chrono::duration<double>(d).count(); }

// Client backends (walsenders and background workers have limits of their own) over usable
// connections; nullopt when this sample did not read pg_stat_activity.
std::optional<double> ConnectionUtilization(const model::Snapshot& s, double usable) {
  const model::CollectorOutcome* activity = s.FindOutcome("stat_activity");
  if (usable <= 0 || activity == nullptr || activity->status != model::CollectorStatus::kOk) {
    return std::nullopt;
  }
  double backends = 0;
  for (const model::Backend& b : s.activity) {
    if (b.backend_type == "client backend") ++backends;
  }
  return backends / usable;
}

}  // namespace

struct TargetMonitor::DatabaseSession {
  std::string datname;  // empty for the DSN's own database
  std::string dsn;
  std::unique_ptr<pg::AsyncSession> session;
};

TargetMonitor::TargetMonitor(boost::asio::any_io_executor executor, MonitorOptions options,
                             SampleSink& sink)
    : executor_(executor),
      options_(std::move(options)),
      sink_(sink),
      timer_(executor),
      random_(std::hash<std::string>{}(options_.name) ^
              static_cast<std::uint64_t>(SteadyClock::now().time_since_epoch().count())) {
  main_ = std::make_unique<DatabaseSession>();
  main_->dsn = options_.dsn;
  for (const std::string& db : options_.databases) {
    auto dsn = pg::DsnForDatabase(options_.dsn, db);
    if (!dsn.has_value()) continue;  // the main DSN fails the same way and is reported
    auto extra = std::make_unique<DatabaseSession>();
    extra->datname = db;
    extra->dsn = *dsn;
    extra_[db] = std::move(extra);
  }
  // The first tick of each target is spread over the jitter window, so that a daemon with many
  // targets does not open all its connections in the same millisecond.
  const auto start = SteadyClock::now() + Jittered(std::chrono::milliseconds(0)) +
                     std::chrono::milliseconds(static_cast<std::int64_t>(
                         options_.jitter_ratio * options_.fast_interval.count() *
                         std::uniform_real_distribution<double>(0, 1)(random_)));
  for (Tier t : kAllTiers) next_due_[t] = start;
}

TargetMonitor::~TargetMonitor() = default;

void TargetMonitor::Stop() {
  stopping_ = true;
  timer_.cancel();
}

void TargetMonitor::CollectNow() {
  const auto now = SteadyClock::now();
  if (now - last_forced_ < options_.fast_interval) return;
  last_forced_ = now;
  for (auto& [tier, due] : next_due_) due = std::min(due, now);
  timer_.cancel();
}

std::chrono::milliseconds TargetMonitor::Jittered(std::chrono::milliseconds d) {
  if (d.count() == 0 || options_.jitter_ratio <= 0) return d;
  std::uniform_real_distribution<double> spread(1 - options_.jitter_ratio,
                                                1 + options_.jitter_ratio);
  return std::chrono::milliseconds(static_cast<std::int64_t>(d.count() * spread(random_)));
}

std::vector<Tier> TargetMonitor::DueTiers(SteadyClock::time_point now) const {
  std::vector<Tier> due;
  for (Tier t : kAllTiers) {
    if (next_due_.at(t) <= now) due.push_back(t);
  }
  return due;
}

SteadyClock::time_point TargetMonitor::NextDue() const {
  SteadyClock::time_point next = SteadyClock::time_point::max();
  for (const auto& [tier, due] : next_due_) next = std::min(next, due);
  return next;
}

boost::asio::awaitable<void> TargetMonitor::Run() {
  while (!stopping_) {
    const auto now = SteadyClock::now();
    std::vector<Tier> due = DueTiers(now);
    if (due.empty()) {
      timer_.expires_at(NextDue());
      boost::system::error_code ec;
      co_await timer_.async_wait(boost::asio::redirect_error(use_awaitable, ec));
      continue;  // woken by the deadline or by Stop()
    }
    sink_.OnCollecting(options_.name, due);
    Sample sample = co_await Collect(due);
    Reschedule(due, sample, SteadyClock::now());
    if (sample.snapshot != nullptr) DiscoverDatabases(*sample.snapshot);
    co_await sink_.OnSample(options_.name, std::move(sample));
  }
  main_.reset();
  extra_.clear();
  pgbouncer_.reset();
}

void TargetMonitor::Reschedule(const std::vector<Tier>& collected, Sample& sample,
                               SteadyClock::time_point now) {
  if (sample.snapshot == nullptr) {
    // Nothing collected: retry every tier after a capped exponential backoff from the fast
    // interval (1 s, 2 s, 4 s, … up to max_backoff), jittered.
    ++consecutive_failures_;
    const double factor = std::pow(2.0, std::min(consecutive_failures_ - 1, 20));
    auto wait = std::min<std::chrono::milliseconds>(
        options_.max_backoff, std::chrono::milliseconds(static_cast<std::int64_t>(
                                  options_.fast_interval.count() * factor)));
    if (server_busy_) {
      // The session was lost while the server was busy, and EnsureSession refused to open
      // another. Only a session can tell whether the server is still busy, so after at least
      // the busy fast interval one attempt may reconnect the main database and look again
      // (Collect re-judges before the other databases); otherwise the monitor would stay
      // refused after the clients left.
      wait = std::max(wait, options_.fast_interval * 5);
      server_busy_ = false;
    }
    // One due time for every tier: the retry collects them all, the fast tier with them, so
    // the server's connections are judged before the other databases' sessions are reopened
    // (with a jitter each, a slow-only retry would reopen them blind).
    const auto due = now + Jittered(wait);
    for (Tier t : kAllTiers) {
      next_due_[t] = due;
      if (wait > Interval(t)) {
        sample.backoff.push_back(
            {t, due, fmt::format("backing off after {} failed attempt(s)", consecutive_failures_)});
      }
    }
    return;
  }
  consecutive_failures_ = 0;
  for (Tier t : collected) {
    std::chrono::milliseconds interval = Interval(t);
    // A server near max_connections gets a fifth of the fast tier's attention: the monitor
    // must never be the client that tips it over.
    if (t == Tier::kFast && server_busy_) interval *= 5;
    // Keep the cadence, but after a long stall start again from now rather than catching up.
    next_due_[t] = std::max(next_due_[t] + interval, now + interval / 2);
  }
  if (server_busy_) {
    sample.backoff.push_back(
        {Tier::kFast, next_due_[Tier::kFast],
         "the server's connections are near their limit: the fast tier slows down fivefold"});
  }
}

std::chrono::milliseconds TargetMonitor::Interval(Tier t) const {
  return t == Tier::kFast       ? options_.fast_interval
         : t == Tier::kStandard ? options_.standard_interval
                                : options_.slow_interval;
}

boost::asio::awaitable<common::Status> TargetMonitor::EnsureSession(DatabaseSession& db) {
  if (db.session != nullptr && db.session->is_connected()) co_return common::Status::Ok();
  db.session.reset();
  if (server_busy_) {
    co_return common::UnavailableError(
        "not opening a monitoring session: the server's connections are near max_connections");
  }
  pg::SessionOptions options = options_.session;
  options.dsn = db.dsn;
  options.kind = pg::SessionKind::kMonitoring;
  auto session = co_await pg::AsyncSession::Connect(executor_, std::move(options));
  if (!session.has_value()) {
    co_return session.error().WithContext("cannot connect to " + pg::DescribeDsn(db.dsn));
  }
  db.session = std::move(session).value();
  co_return common::Status::Ok();
}

boost::asio::awaitable<Sample> TargetMonitor::Collect(std::vector<Tier> tiers) {
  Sample result;
  result.tiers = tiers;
  result.started = SteadyClock::now();
  auto snapshot = std::make_shared<model::Snapshot>();
  snapshot->target = options_.name;
  snapshot->collected_at = common::SystemClock::Instance().Now();
  for (Tier t : tiers) snapshot->tiers.emplace_back(collect::TierName(t));

  if (common::Status s = co_await EnsureSession(*main_); !s.ok()) {
    result.status = s;
    co_return result;
  }
  pg::AsyncSession& session = *main_->session;
  snapshot->server = collect::ToModelServerInfo(session.server_info());
  snapshot->server.connect_seconds = Seconds(session.connect_duration());
  snapshot->server.round_trip_seconds = Seconds(session.setup_round_trip());

  const collect::QueryCatalog& catalog = collect::QueryCatalog::Builtin();
  {
    collect::CollectionPlan plan = collect::PlanCollection(
        session.server_info(), collect::BuiltinCollectors(), tiers,
        collect::ScopeFilter::kClusterAndDatabase, options_.collector, catalog);
    collect::CollectionParser parser(plan, session.server_info(), options_.collector, catalog,
                                     *snapshot);
    std::vector<pg::QueryOutcome> outcomes =
        co_await session.RunPipeline(plan.queries, parser.Sink());
    if (!session.is_connected()) {
      // The session died under the collection (terminated, server restart, network): what
      // came back is not a picture of the server. Report the loss; the next tick reconnects.
      std::string why = "the connection was lost during collection";
      for (const pg::QueryOutcome& o : outcomes) {
        if (!o.status.ok()) {
          why += ": " + o.status.message();
          break;
        }
      }
      result.status = common::UnavailableError(why);
      co_return result;
    }
    parser.Finish();
  }
  // Judged on every sample that read pg_stat_activity (settings come with the standard tier,
  // so the last known usable connections are kept), and before the other databases' sessions
  // are opened: a busy server gets no new session, not even in the tick that finds it busy.
  if (const auto usable = analysis::UsableConnections(*snapshot)) usable_connections_ = *usable;
  if (const auto u = ConnectionUtilization(*snapshot, usable_connections_)) {
    const bool busy = *u >= options_.backoff_connection_utilization;
    if (busy != server_busy_) {
      common::Log(common::LogLevel::kInfo, "daemon",
                  "target {}: {:.0f} % of the usable connections in use; {}", options_.name,
                  *u * 100,
                  busy ? "the fast tier slows down fivefold and no new monitoring session opens"
                       : "back to the normal schedule");
    }
    server_busy_ = busy;
  }
  // The other databases of the server: only what differs per database, on their own sessions.
  for (auto& [datname, db] : extra_) {
    if (stopping_) break;
    if (common::Status s = co_await EnsureSession(*db); !s.ok()) {
      model::CollectorOutcome o;
      o.collector = "database " + datname;
      o.tier = std::string(collect::TierName(tiers.back()));
      o.status = model::CollectorStatus::kError;
      o.error_code = std::string(common::StatusCodeName(s.code()));
      o.message = s.message();
      snapshot->outcomes.push_back(std::move(o));
      continue;
    }
    collect::CollectionPlan plan =
        collect::PlanCollection(db->session->server_info(), collect::BuiltinCollectors(), tiers,
                                collect::ScopeFilter::kDatabaseOnly, options_.collector, catalog);
    if (plan.entries.empty()) continue;
    collect::CollectionParser parser(plan, db->session->server_info(), options_.collector, catalog,
                                     *snapshot);
    if (!plan.queries.empty()) {
      co_await db->session->RunPipeline(plan.queries, parser.Sink());
    }
    parser.Finish();
  }
  if (!options_.pgbouncer_dsn.empty() && Contains(tiers, Tier::kFast)) {
    co_await CollectPgBouncer(*snapshot);
  }
  snapshot->duration_seconds =
      std::chrono::duration<double>(SteadyClock::now() - result.started).count();
  result.snapshot = std::move(snapshot);
  co_return result;
}

boost::asio::awaitable<void> TargetMonitor::CollectPgBouncer(model::Snapshot& snapshot) {
  const auto started = SteadyClock::now();
  if (pgbouncer_ == nullptr || !pgbouncer_->is_connected()) {
    pgbouncer_.reset();
    pg::SessionOptions options = options_.session;
    options.dsn = options_.pgbouncer_dsn;
    options.kind = pg::SessionKind::kPgBouncerAdmin;
    auto session = co_await pg::AsyncSession::Connect(executor_, std::move(options));
    if (!session.has_value()) {
      collect::RecordPgBouncerFailure(
          session.error().WithContext("cannot connect to the PgBouncer admin console at " +
                                      pg::DescribeDsn(options_.pgbouncer_dsn)),
          snapshot);
      co_return;
    }
    pgbouncer_ = std::move(session).value();
  }
  auto pools = co_await pgbouncer_->RunSimple("SHOW POOLS");
  common::Result<pg::ResultSet> stats = common::InternalError("not read");
  if (pools.has_value()) stats = co_await pgbouncer_->RunSimple("SHOW STATS");
  collect::ParsePgBouncer(pools, stats, SteadyClock::now() - started, snapshot);
}

void TargetMonitor::DiscoverDatabases(const model::Snapshot& sample) {
  if (options_.include_patterns.empty() || sample.databases.empty()) return;
  const std::string& own = sample.server.current_database;
  std::map<std::string, std::unique_ptr<DatabaseSession>> next;
  for (const model::DatabaseStats& d : sample.databases) {
    const std::string& name = d.datname;
    if (name.empty() || name == own || name == "template0" || name == "template1") continue;
    const bool included =
        std::any_of(options_.include_patterns.begin(), options_.include_patterns.end(),
                    [&](const std::string& p) { return common::GlobMatch(p, name); });
    const bool excluded =
        std::any_of(options_.exclude_patterns.begin(), options_.exclude_patterns.end(),
                    [&](const std::string& p) { return common::GlobMatch(p, name); });
    if (!included || excluded) continue;
    auto it = extra_.find(name);
    if (it != extra_.end()) {
      next[name] = std::move(it->second);
      continue;
    }
    auto dsn = pg::DsnForDatabase(options_.dsn, name);
    if (!dsn.has_value()) continue;
    auto db = std::make_unique<DatabaseSession>();
    db->datname = name;
    db->dsn = *dsn;
    common::Log(common::LogLevel::kInfo, "daemon", "target {}: watching database {}", options_.name,
                name);
    next[name] = std::move(db);
  }
  // A database only drops out of a standard-tier sample if it was dropped: its session goes.
  extra_ = std::move(next);
}

}  // namespace pgvigil::daemon
