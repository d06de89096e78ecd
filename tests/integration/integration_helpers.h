// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the integration tests: collect a snapshot from the sandbox as the
// pg_monitor-only role, and find things in it.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/collect_once.h"
#include "model/snapshot.h"
#include "support/pg_sandbox.h"

namespace pgvigil::testing {

// Makes the table and index counters of `c`'s backend reach the statistics views. 15+: ask it
// to flush at its next idle moment. Before 15 a backend sends them to the stats collector only
// when a transaction ends at least PGSTAT_STAT_INTERVAL (500 ms) after its previous report,
// never while it sits idle: so wait that long and end one more transaction. Either way the
// views may lag a moment behind: read them with Eventually().
inline void FlushStats(TestConnection& c) {
  if (Sandbox().major >= 15) {
    c.Exec("SELECT pg_stat_force_next_flush()");
    return;
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(600));
  c.Exec("SELECT 1");
}

inline model::Snapshot CollectTiers(const std::vector<collect::Tier>& tiers,
                                    const std::string& dsn = Sandbox().monitor_dsn) {
  daemon::CollectOnceOptions options;
  options.dsn = dsn;
  options.tiers = tiers;
  auto snapshot = daemon::CollectOnce(options);
  if (!snapshot.has_value()) {
    ADD_FAILURE() << "collection failed: " << snapshot.error().ToString();
    return {};
  }
  return std::move(snapshot).value();
}

// Like CollectTiers, with every option of the caller's (an empty dsn means the monitoring role's).
inline model::Snapshot CollectWith(daemon::CollectOnceOptions options) {
  if (options.dsn.empty()) options.dsn = Sandbox().monitor_dsn;
  auto snapshot = daemon::CollectOnce(options);
  if (!snapshot.has_value()) {
    ADD_FAILURE() << "collection failed: " << snapshot.error().ToString();
    return {};
  }
  return std::move(snapshot).value();
}

inline model::Snapshot CollectAll(const std::string& dsn = Sandbox().monitor_dsn) {
  return CollectTiers({collect::Tier::kFast, collect::Tier::kStandard, collect::Tier::kSlow}, dsn);
}

inline const model::CollectorOutcome& OutcomeOf(const model::Snapshot& s, const std::string& name) {
  static const model::CollectorOutcome kMissing{"(missing)", "", model::CollectorStatus::kError,
                                                "", "no outcome recorded", "", 0, 0};
  const model::CollectorOutcome* o = s.FindOutcome(name);
  return o != nullptr ? *o : kMissing;
}

inline const model::Backend* FindBackend(const model::Snapshot& s, int pid) {
  auto it = std::find_if(s.activity.begin(), s.activity.end(),
                         [&](const model::Backend& b) { return b.pid == pid; });
  return it == s.activity.end() ? nullptr : &*it;
}

inline const model::LockWait* FindLockWait(const model::Snapshot& s, int pid) {
  auto it = std::find_if(s.lock_waits.begin(), s.lock_waits.end(),
                         [&](const model::LockWait& w) { return w.pid == pid; });
  return it == s.lock_waits.end() ? nullptr : &*it;
}

template <typename T>
const T* FindByName(const std::vector<T>& items, const std::string& relname) {
  auto it = std::find_if(items.begin(), items.end(), [&](const T& t) { return t.relname == relname; });
  return it == items.end() ? nullptr : &*it;
}
template <typename T>
const T* FindByName(const model::SharedVector<T>& items, const std::string& relname) {
  return FindByName(items.get(), relname);
}

// Runs `cleanup` when the scope ends, also when an ASSERT_* returned early: for server-wide
// state a test must not leave behind (prepared transactions, slots, settings, daemons).
class ScopeExit {
 public:
  explicit ScopeExit(std::function<void()> cleanup) : cleanup_(std::move(cleanup)) {}
  ~ScopeExit() {
    if (cleanup_) cleanup_();
  }
  ScopeExit(const ScopeExit&) = delete;
  ScopeExit& operator=(const ScopeExit&) = delete;

 private:
  std::function<void()> cleanup_;
};

}  // namespace pgvigil::testing
