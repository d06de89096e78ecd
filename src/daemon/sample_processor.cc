// SPDX-License-Identifier: Apache-2.0
#include "daemon/sample_processor.h"

#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>

#include "analysis/analyzer.h"
#include "analysis/metric_series.h"
#include "analysis/statement_baselines.h"
#include "analysis/unreachable.h"
#include "common/log.h"
#include "daemon/allocator.h"
#include "http/state_json.h"
#include "model/health_report.h"

namespace pgvigil::daemon {
namespace {

using boost::asio::use_awaitable;

model::TierState* FindTier(model::TargetState& state, std::string_view tier) {
  for (model::TierState& t : state.tiers) {
    if (t.tier == tier) return &t;
  }
  return nullptr;
}

// The tiers' backoff as of this attempt: set for those in `sample.backoff`, cleared for the rest.
void SetBackoff(model::TargetState& state, const Sample& sample) {
  const auto steady_now = std::chrono::steady_clock::now();
  const common::Timestamp now = common::SystemClock::Instance().Now();
  for (model::TierState& t : state.tiers) {
    t.backoff_until.reset();
    t.backoff_reason.clear();
    for (const Sample::Backoff& b : sample.backoff) {
      if (collect::TierName(b.tier) != t.tier) continue;
      t.backoff_until =
          now + std::chrono::duration_cast<std::chrono::microseconds>(b.until - steady_now);
      t.backoff_reason = b.reason;
    }
  }
}

void LogStoreError(const common::Status& s, std::string_view what) {
  if (!s.ok()) common::Log(common::LogLevel::kWarn, "store", "{}: {}", what, s.message());
}

}  // namespace

SampleProcessor::SampleProcessor(boost::asio::any_io_executor loop,
                                 boost::asio::any_io_executor workers,
                                 boost::asio::any_io_executor writer, StateCache& cache,
                                 store::HistoryStore* store, EventSink* events,
                                 ProcessorOptions options)
    : loop_(loop),
      workers_(workers),
      writer_(writer),
      cache_(cache),
      store_(store),
      events_(events),
      options_(options),
      thresholds_(std::make_shared<const analysis::Thresholds>()) {}

void SampleProcessor::SetThresholds(std::shared_ptr<const analysis::Thresholds> thresholds) {
  std::lock_guard lock(thresholds_mu_);
  thresholds_ = std::move(thresholds);
}

std::shared_ptr<const analysis::Thresholds> SampleProcessor::thresholds() const {
  std::lock_guard lock(thresholds_mu_);
  return thresholds_;
}

boost::asio::awaitable<void> SampleProcessor::OnSample(const std::string& target, Sample sample) {
  auto& slot = targets_[target];
  if (slot == nullptr) slot = std::make_unique<PerTarget>();
  if (sample.snapshot == nullptr) {
    co_await OnFailed(target, sample);
  } else {
    co_await OnCollected(target, sample, *slot);
  }
}

void SampleProcessor::OnCollecting(const std::string& target,
                                   const std::vector<collect::Tier>& tiers) {
  const auto it = targets_.find(target);
  if (it == targets_.end() || it->second == nullptr) return;
  for (collect::Tier t : tiers) {
    it->second->samples.ForgetPrevious(std::string(collect::TierName(t)));
  }
}

boost::asio::awaitable<void> SampleProcessor::OnCollected(const std::string& target,
                                                          const Sample& sample, PerTarget& mine) {
  const std::shared_ptr<const model::Snapshot> snapshot = sample.snapshot;
  const bool has_slow = std::find(sample.tiers.begin(), sample.tiers.end(), collect::Tier::kSlow) !=
                        sample.tiers.end();
  const bool has_standard = std::find(sample.tiers.begin(), sample.tiers.end(),
                                      collect::Tier::kStandard) != sample.tiers.end();
  auto thresholds = this->thresholds();

  // Composition and analysis are CPU work: off the event loop.
  co_await boost::asio::post(workers_, use_awaitable);
  if (store_ != nullptr && (has_slow || !mine.history_loaded)) {
    const auto since =
        snapshot->collected_at -
        std::chrono::duration_cast<std::chrono::microseconds>(options_.history_window);
    // The old history goes first: holding both at once doubled the peak, which the allocator
    // keeps as RSS. Until the load returns nothing else reads it (this target's samples are
    // processed one at a time).
    mine.history.clear();
    mine.history.shrink_to_fit();
    auto history = store_->LoadHistory(target, since, options_.history_max_samples);
    if (history.has_value()) {
      mine.history = std::move(*history);
      mine.history_loaded = true;
      // A new history: what the checks derived from the old one is gone with it.
      mine.history_memo = std::make_shared<analysis::HistoryMemo>();
    } else {
      LogStoreError(history.error(), "loading history of " + target);
    }
  }
  // A restarted server starts its counters again: rates across the restart mean nothing.
  if (const auto fast = mine.samples.Latest("fast");
      fast != nullptr &&
      fast->server.postmaster_start_time != snapshot->server.postmaster_start_time) {
    mine.samples.Clear();
    mine.last_report.reset();
  }
  mine.samples.Add(snapshot);
  std::shared_ptr<const model::Snapshot> current = mine.samples.ComposeCurrent();
  analysis::History history;
  history.memo = mine.history_memo;
  for (const model::Snapshot& h : mine.history) {
    if (h.collected_at < current->collected_at) history.snapshots.push_back(&h);
  }
  std::shared_ptr<const model::HealthReport> report;
  std::vector<model::MetricPoint> points;
  if (!has_slow && !has_standard && mine.last_report != nullptr) {
    // A fast-only tick (most ticks): only the fast parts changed, so only the checks that read
    // them run again; the other findings stand until their tier is read again. This is most of
    // the daemon's CPU on a large database (statement deltas and index comparisons every
    // second otherwise; docs/benchmarks.md).
    report = std::make_shared<const model::HealthReport>(analysis::Reanalyze(
        {*current, nullptr, history, *thresholds}, analysis::FastTierChecks(), *mine.last_report));
  } else {
    const std::shared_ptr<const model::Snapshot> previous = mine.samples.ComposePrevious();
    report = std::make_shared<const model::HealthReport>(
        analysis::Analyze({*current, previous.get(), history, *thresholds}));
    if (has_standard) points = analysis::DeriveMetricPoints(*current, previous.get());
  }
  mine.last_report = report;
  // The previous standard or slow sample (forgotten before this collection) and its composition
  // are gone now: give their pages back.
  if (has_standard || has_slow) ReleaseFreeMemory();
  co_await boost::asio::post(loop_, use_awaitable);

  const common::Timestamp now = snapshot->collected_at;
  auto state = cache_.Update(target, [&](model::TargetState& s) {
    s.reachability = model::Reachability::kUp;
    s.last_error.clear();
    s.unreachable_since.reset();
    s.last_success = now;
    s.current = current;
    s.report = report;
    for (collect::Tier t : sample.tiers) {
      model::TierState* tier = FindTier(s, collect::TierName(t));
      if (tier == nullptr) continue;
      tier->last_attempt = now;
      tier->last_success = now;
      tier->last_duration_seconds = snapshot->duration_seconds;
      ++tier->collections_total;
      tier->consecutive_failures = 0;
      tier->last_error.clear();
    }
    SetBackoff(s, sample);
  });
  if (state == nullptr) co_return;  // removed by a reload meanwhile
  Announce(*state, mine);
  if (report_hook_) report_hook_(target, report, true);

  if (store_ != nullptr) {
    boost::asio::post(
        writer_, [store = store_, snapshot, report, points = std::move(points), target, now] {
          if (!points.empty()) LogStoreError(store->AppendPoints(points), "writing metric points");
          LogStoreError(store->RecordSnapshot(*snapshot), "writing samples");
          LogStoreError(store->RecordFindings(target, now, report->findings), "writing findings");
        });
  }
}

boost::asio::awaitable<void> SampleProcessor::OnFailed(const std::string& target,
                                                       const Sample& sample) {
  const common::Timestamp now = common::SystemClock::Instance().Now();
  auto state = cache_.Update(target, [&](model::TargetState& s) {
    if (s.reachability != model::Reachability::kUnreachable) s.unreachable_since = now;
    s.reachability = model::Reachability::kUnreachable;
    s.last_error = sample.status.message();
    s.report = std::make_shared<const model::HealthReport>(
        analysis::UnreachableReport(target, s.last_error, *s.unreachable_since, now));
    for (collect::Tier t : sample.tiers) {
      model::TierState* tier = FindTier(s, collect::TierName(t));
      if (tier == nullptr) continue;
      tier->last_attempt = now;
      ++tier->collections_total;
      ++tier->failures_total;
      ++tier->consecutive_failures;
      tier->last_error = sample.status.message();
    }
    SetBackoff(s, sample);
  });
  if (state == nullptr) co_return;
  auto& mine = *targets_[target];
  if (mine.last_status != "unreachable") {
    common::Log(common::LogLevel::kWarn, "daemon", "target {} unreachable: {}", target,
                state->last_error);
  }
  Announce(*state, mine);
  if (report_hook_) report_hook_(target, state->report, false);
  co_return;
}

void SampleProcessor::Announce(const model::TargetState& state, PerTarget& mine) {
  const std::string status(http::TargetStatusName(state));
  if (status != mine.last_status) {
    if (mine.last_status == "unreachable") {
      common::Log(common::LogLevel::kInfo, "daemon", "target {} reachable again", state.name);
    }
    if (events_ != nullptr) events_->Publish("status", http::StatusEventJson(state), state.name);
    mine.last_status = status;
  }
  if (events_ != nullptr) events_->Publish("sample", http::SampleEventJson(state), state.name);
}

}  // namespace pgvigil::daemon
