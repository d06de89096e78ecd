// SPDX-License-Identifier: Apache-2.0
// A TargetMonitor watches one target from the daemon's event loop: it keeps one monitoring
// session per watched database, decides which tiers are due, collects all due tiers in one
// round trip per database, and hands each sample (or the reason it could not collect) to a
// SampleSink. Everything it waits for is a co_await with a deadline, so a target that is down,
// slow or half-open delays only itself.
//
// Scheduling: each tier has its own next-due time; the tiers due at a tick are collected
// together. After a failure the monitor backs off exponentially (capped, jittered); when the
// server's client backends near its usable connections (max_connections less the reserved
// slots) it slows its fast tier fivefold and opens no new session.
// Not thread-safe: runs on one executor; Stop() may be called from that executor only.
#pragma once

#include <utility>  // before Boost: its awaitable.hpp uses std::exchange without including it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "collect/collector.h"
#include "common/status.h"
#include "model/snapshot.h"
#include "pg/async_session.h"
#include "pg/session_options.h"

namespace pgvigil::daemon {

struct MonitorOptions {
  std::string name;
  std::string dsn;
  std::string pgbouncer_dsn;  // PgBouncer's admin console; empty = none
  // Other databases of the same server: an explicit list, or patterns matched against the
  // databases the server reports (pg_stat_database); templates are never watched.
  std::vector<std::string> databases;
  std::vector<std::string> include_patterns;
  std::vector<std::string> exclude_patterns;

  std::chrono::milliseconds fast_interval{1000};
  std::chrono::milliseconds standard_interval{15000};
  std::chrono::milliseconds slow_interval{300000};
  double jitter_ratio = 0.1;
  std::chrono::milliseconds max_backoff{300000};
  double backoff_connection_utilization = 0.95;

  pg::SessionOptions session;  // dsn and kind are set per session
  collect::CollectorOptions collector;
};

// One collection's result for the sink.
struct Sample {
  std::vector<collect::Tier> tiers;
  std::shared_ptr<const model::Snapshot> snapshot;  // null when nothing could be collected
  common::Status status;  // why no snapshot (cannot connect); ok otherwise
  std::chrono::steady_clock::time_point started;
  // Tiers that now wait longer than their interval (after failures, or slowed because the
  // server is near its connection limit): until when and why. Empty on the normal schedule.
  struct Backoff {
    collect::Tier tier;
    std::chrono::steady_clock::time_point until;
    std::string reason;
  };
  std::vector<Backoff> backoff;
};

class SampleSink {
 public:
  virtual ~SampleSink() = default;
  // Called on the monitor's executor after every attempt, one at a time per target. May hop to
  // other executors (analysis, store) before it completes; the monitor waits for it.
  virtual boost::asio::awaitable<void> OnSample(const std::string& target, Sample sample) = 0;
  // Called on the monitor's executor before each collection of `tiers`; its OnSample follows.
  // The sink may let go of what that sample will replace, so that the two are not held at
  // once while the collection builds its own.
  virtual void OnCollecting(const std::string& /*target*/,
                            const std::vector<collect::Tier>& /*tiers*/) {}
};

class TargetMonitor {
 public:
  TargetMonitor(boost::asio::any_io_executor executor, MonitorOptions options, SampleSink& sink);
  ~TargetMonitor();

  // Runs until Stop(). Spawn it with co_spawn on the monitor's executor.
  boost::asio::awaitable<void> Run();
  // Makes every tier due now (an operator asked for fresh figures). Requests closer together
  // than the fast interval collapse into one: a button pressed in a loop cannot load the server.
  void CollectNow();
  // Ends Run() after the collection in flight (which is bounded by its own deadlines).
  void Stop();

  const MonitorOptions& options() const { return options_; }

 private:
  struct DatabaseSession;

  // The tiers due at `now`, and the time the next tier falls due.
  std::vector<collect::Tier> DueTiers(std::chrono::steady_clock::time_point now) const;
  std::chrono::steady_clock::time_point NextDue() const;
  boost::asio::awaitable<Sample> Collect(std::vector<collect::Tier> tiers);
  boost::asio::awaitable<common::Status> EnsureSession(DatabaseSession& db);
  boost::asio::awaitable<void> CollectPgBouncer(model::Snapshot& snapshot);
  // Adjusts the extra databases to those the server reports (when patterns are configured).
  void DiscoverDatabases(const model::Snapshot& sample);
  // Sets the tiers' next due times; records in `sample` the tiers that wait longer than usual.
  void Reschedule(const std::vector<collect::Tier>& collected, Sample& sample,
                  std::chrono::steady_clock::time_point now);
  std::chrono::milliseconds Jittered(std::chrono::milliseconds d);
  std::chrono::milliseconds Interval(collect::Tier t) const;

  boost::asio::any_io_executor executor_;
  MonitorOptions options_;
  SampleSink& sink_;
  boost::asio::steady_timer timer_;
  bool stopping_ = false;
  std::unique_ptr<DatabaseSession> main_;
  std::map<std::string, std::unique_ptr<DatabaseSession>> extra_;  // by datname
  std::unique_ptr<pg::AsyncSession> pgbouncer_;
  std::map<collect::Tier, std::chrono::steady_clock::time_point> next_due_;
  int consecutive_failures_ = 0;
  bool server_busy_ = false;       // backends near the usable connections at the last fast sample
  double usable_connections_ = 0;  // from the last sample with settings; 0 = not known yet
  std::chrono::steady_clock::time_point last_forced_{};
  std::mt19937_64 random_;
};

}  // namespace pgvigil::daemon
