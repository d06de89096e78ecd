// SPDX-License-Identifier: Apache-2.0
// AlertEngine wires alerts into the daemon. It owns the RuleEvaluator, the AlertStore (the
// history store's SQLite file) and the DeliveryWorker with one Notifier per configured channel.
//
//  - OnReport (called on the loop after each analysis, and after each failed collection with
//    collection_ok=false) posts the evaluation to the writer thread; there the transitions and
//    their outbox rows (one per channel each route picks) are committed in one durable
//    transaction, then announced on the SSE stream (event "alert") from the loop.
//  - A delivery thread runs DeliveryWorker::RunOnce when woken by a commit and at least every
//    250 ms, and re-sends the firing alerts to every Alertmanager channel every 60 s.
//  - Operators' actions (http::AlertService::Act) run the evaluator and commit on the caller's
//    thread (the loop): they are rare and small.
// State (open alerts, pending `for` timers, acks, silences) is restored from the store on Start.
// The evaluator is guarded by one mutex; channels never stop the daemon: a bad one is logged.
#pragma once

#include <utility>  // before Boost: its awaitable.hpp uses std::exchange without including it

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "alerts/delivery.h"
#include "alerts/route.h"
#include "alerts/rule_evaluator.h"
#include "config/settings.h"
#include "daemon/sample_processor.h"
#include "http/alert_api.h"
#include "http/prometheus_exposition.h"
#include "model/health_report.h"
#include "store/alert_store.h"

namespace pgvigil::daemon {

struct AlertEngineOptions {
  alerts::RuleSet rules;
  std::vector<alerts::Route> routes;
  std::vector<config::ChannelConfig> channels;
  std::string store_path;
  std::string external_url;  // for links in notifications; "" leaves them out
  std::map<std::string, std::map<std::string, std::string>> target_labels;  // by target
  std::chrono::milliseconds delivery_interval{250};
  std::chrono::seconds alertmanager_resend{60};
  std::chrono::hours outbox_ttl{24};  // a notification not delivered by then is given up
};

// The rules, routes and channels of the settings, as AlertEngineOptions (store_path set too).
AlertEngineOptions AlertEngineOptionsFor(const config::Settings& settings);

// One Notifier for a configured channel.
std::unique_ptr<alerts::Notifier> MakeNotifier(const config::ChannelConfig& channel);
// "hook (webhook → http://127.0.0.1:9000)": the channel without its secrets.
std::string DescribeChannel(const config::ChannelConfig& channel);
// Sends a test notification (kind "test") straight through the channel, for
// `pgvigil alerts test CHANNEL`; the Status says what went wrong (no secrets).
common::Status SendTestToChannel(const config::ChannelConfig& channel, const common::Clock& clock);

class AlertEngine final : public http::AlertService {
 public:
  // Opens the store, restores the state and starts the delivery thread. `events` may be null.
  // `loop` runs SSE announcements; `writer` runs evaluations and their commits.
  static common::Result<std::unique_ptr<AlertEngine>> Start(AlertEngineOptions options,
                                                            const common::Clock& clock,
                                                            boost::asio::any_io_executor loop,
                                                            boost::asio::any_io_executor writer,
                                                            EventSink* events);
  ~AlertEngine() override;

  // Thread-safe; the work is posted to the writer.
  void OnReport(const std::string& target, std::shared_ptr<const model::HealthReport> report,
                bool collection_ok);

  common::Result<std::vector<model::Alert>> ListAlerts(const store::AlertFilter& f) override;
  common::Result<model::Alert> Act(const http::AlertActionRequest& request) override;

  // pgvigil_alerts{state,severity} and pgvigil_notifications_total{channel,result}.
  std::vector<http::ExtraFamily> Metrics() const;

  // Stops the delivery thread (idempotent); queued writer work must have finished.
  void Stop();

 private:
  AlertEngine(AlertEngineOptions options, const common::Clock& clock,
              boost::asio::any_io_executor loop, boost::asio::any_io_executor writer,
              EventSink* events);
  // Commits `changes` with their outbox rows and announces them. mu_ must be held.
  common::Status CommitLocked(const model::AlertChanges& changes);
  void DeliveryLoop();
  void ResendToAlertmanager();
  const std::map<std::string, std::string>& LabelsOf(const std::string& target) const;

  AlertEngineOptions options_;
  const common::Clock& clock_;
  boost::asio::any_io_executor loop_;
  boost::asio::any_io_executor writer_;
  EventSink* events_;
  std::unique_ptr<store::SqliteAlertStore> store_;

  mutable std::mutex mu_;
  alerts::RuleEvaluator evaluator_;  // guarded by mu_

  alerts::DeliveryWorker worker_;  // the delivery thread only (Counters: any thread)
  std::thread delivery_thread_;
  std::mutex wake_mu_;
  std::condition_variable wake_;
  bool wake_requested_ = false;  // guarded by wake_mu_
  bool stopping_ = false;        // guarded by wake_mu_
};

}  // namespace pgvigil::daemon
