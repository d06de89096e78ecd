// SPDX-License-Identifier: Apache-2.0
// SampleProcessor is where a target's samples become state: it composes the tiers, runs the
// analysis on the worker pool (never on the event loop), publishes the new TargetState to the
// cache, announces it on the SSE stream, and queues what must be kept for the store's single
// writer. A collection that failed marks the target unreachable but keeps its last good
// snapshot. Per-target state is touched only by that target's monitor, one sample at a time.
#pragma once

#include <utility>  // before Boost: its awaitable.hpp uses std::exchange without including it

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "analysis/check.h"
#include "analysis/thresholds.h"
#include "daemon/state_cache.h"
#include "daemon/target_monitor.h"
#include "daemon/tier_samples.h"
#include "model/health_report.h"
#include "store/history_store.h"

namespace pgvigil::daemon {

// Where announcements go (the SSE hub); called on the event loop.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Publish(std::string event, std::string json_data, std::string target) = 0;
};

struct ProcessorOptions {
  std::chrono::milliseconds history_window{std::chrono::hours(24 * 7)};
  // Per part (statements; indexes and sizes), spread over the window (LoadHistory): the
  // history's memory no longer grows with the window's length.
  int history_max_samples = 24;
};

class SampleProcessor final : public SampleSink {
 public:
  // `store` may be null (no history). `writer` runs store writes one at a time, in order.
  SampleProcessor(boost::asio::any_io_executor loop, boost::asio::any_io_executor workers,
                  boost::asio::any_io_executor writer, StateCache& cache,
                  store::HistoryStore* store, EventSink* events, ProcessorOptions options);

  boost::asio::awaitable<void> OnSample(const std::string& target, Sample sample) override;
  // Forgets the previous samples of `tiers` (TierSamples::ForgetPrevious).
  void OnCollecting(const std::string& target, const std::vector<collect::Tier>& tiers) override;

  // Thresholds for the next analyses (config reload). Thread-safe.
  void SetThresholds(std::shared_ptr<const analysis::Thresholds> thresholds);

  // Called on the loop with each new report: after an analysis (collection_ok) and after a
  // failed collection (the unreachable report, collection_ok false). Set before the monitors
  // start; the daemon's alert engine.
  using ReportHook =
      std::function<void(const std::string& target,
                         std::shared_ptr<const model::HealthReport> report, bool collection_ok)>;
  void SetReportHook(ReportHook hook) { report_hook_ = std::move(hook); }

 private:
  struct PerTarget {
    TierSamples samples;
    std::vector<model::Snapshot> history;  // from the store, refreshed with each slow sample
    bool history_loaded = false;
    // What the checks derive from `history` alone (statement baselines), new with each load.
    std::shared_ptr<analysis::HistoryMemo> history_memo;
    std::string last_status;  // for status-change events
    // The last full analysis' result, which a fast-only tick builds on.
    std::shared_ptr<const model::HealthReport> last_report;
  };

  boost::asio::awaitable<void> OnCollected(const std::string& target, const Sample& sample,
                                           PerTarget& mine);
  boost::asio::awaitable<void> OnFailed(const std::string& target, const Sample& sample);
  void Announce(const model::TargetState& state, PerTarget& mine);
  std::shared_ptr<const analysis::Thresholds> thresholds() const;

  boost::asio::any_io_executor loop_;
  boost::asio::any_io_executor workers_;
  boost::asio::any_io_executor writer_;
  StateCache& cache_;
  store::HistoryStore* store_;
  EventSink* events_;
  ProcessorOptions options_;
  std::map<std::string, std::unique_ptr<PerTarget>> targets_;  // touched on the loop only
  mutable std::mutex thresholds_mu_;
  std::shared_ptr<const analysis::Thresholds> thresholds_;  // PGV_GUARDED_BY(thresholds_mu_)
  ReportHook report_hook_;
};

}  // namespace pgvigil::daemon
