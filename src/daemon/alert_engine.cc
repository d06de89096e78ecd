// SPDX-License-Identifier: Apache-2.0
#include "daemon/alert_engine.h"

#include <boost/asio/post.hpp>

#include <algorithm>

#include <fmt/format.h>

#include "alerts/notification_builder.h"
#include "alerts/notifiers/alertmanager_notifier.h"
#include "alerts/notifiers/curl_client.h"
#include "alerts/notifiers/email_notifier.h"
#include "alerts/notifiers/notification_json.h"
#include "alerts/notifiers/slack_notifier.h"
#include "alerts/notifiers/webhook_notifier.h"
#include "common/log.h"
#include "model/health_report.h"

namespace pgvigil::daemon {
namespace {

model::Severity SeverityFromName(std::string_view s) {
  if (s == "info") return model::Severity::kInfo;
  if (s == "critical") return model::Severity::kCritical;
  return model::Severity::kWarning;
}

alerts::Rule RuleFrom(const config::AlertRuleConfig& c) {
  alerts::Rule r;
  r.check_pattern = c.check_pattern;
  r.target_pattern = c.target_pattern;
  r.object_pattern = c.object_pattern;
  r.enabled = c.enabled;
  if (c.min_severity.has_value()) r.min_severity = SeverityFromName(*c.min_severity);
  r.for_duration = c.for_duration;
  r.resolve_after = c.resolve_after;
  r.renotify_interval = c.renotify_interval;
  return r;
}

// The store's outbox as the delivery worker sees it.
class StoreOutbox final : public alerts::OutboxQueue {
 public:
  StoreOutbox(store::AlertStore& store, const common::Clock& clock)
      : store_(store), clock_(clock) {}

  common::Result<std::vector<alerts::OutboxItem>> Due(common::Timestamp now, int limit) override {
    PGV_ASSIGN_OR_RETURN(std::vector<store::OutboxRow> rows, store_.DueOutbox(now, limit));
    std::vector<alerts::OutboxItem> items;
    items.reserve(rows.size());
    for (store::OutboxRow& r : rows) {
      alerts::OutboxItem i;
      i.id = r.id;
      i.alert_id = r.alert_id;
      i.channel = std::move(r.channel);
      i.dedup_key = std::move(r.dedup_key);
      i.payload_json = std::move(r.payload_json);
      i.created_at = r.created_at;
      i.next_attempt_at = r.next_attempt_at;
      i.attempts = r.attempts;
      i.last_error = std::move(r.last_error);
      i.delivered_at = r.delivered_at;
      i.expires_at = r.expires_at;
      items.push_back(std::move(i));
    }
    return items;
  }
  common::Status MarkDelivered(std::int64_t id, int attempts, common::Timestamp at) override {
    return store_.MarkDelivered(id, attempts, at);
  }
  common::Status MarkFailed(std::int64_t id, int attempts, common::Timestamp next_attempt_at,
                            const std::string& error) override {
    return store_.MarkFailed(id, attempts, next_attempt_at, error);
  }
  common::Status MarkExpired(std::int64_t id, int attempts, const std::string& error) override {
    return store_.MarkExpired(id, attempts, error, clock_.Now());
  }

 private:
  store::AlertStore& store_;
  const common::Clock& clock_;
};

// A problem with a channel's address that will make every delivery fail; "" when none is seen.
std::string ChannelProblem(const config::ChannelConfig& c) {
  if (c.type == "email") {
    if (!c.smtp.url.starts_with("smtp://") && !c.smtp.url.starts_with("smtps://")) {
      return "smtp.url must start with smtp:// or smtps://";
    }
    if (c.smtp.to.empty()) return "smtp.to names no recipient";
    return "";
  }
  if (!c.url.starts_with("http://") && !c.url.starts_with("https://")) {
    return "the url must start with http:// or https://";
  }
  return "";
}

}  // namespace

AlertEngineOptions AlertEngineOptionsFor(const config::Settings& settings) {
  AlertEngineOptions o;
  alerts::RuleSettings defaults;
  const alerts::Rule d = RuleFrom(settings.alerts.defaults);
  if (d.enabled.has_value()) defaults.enabled = *d.enabled;
  if (d.min_severity.has_value()) defaults.min_severity = *d.min_severity;
  if (d.for_duration.has_value()) defaults.for_duration = *d.for_duration;
  if (d.resolve_after.has_value()) defaults.resolve_after = *d.resolve_after;
  if (d.renotify_interval.has_value()) defaults.renotify_interval = *d.renotify_interval;
  std::vector<alerts::Rule> rules;
  for (const config::AlertRuleConfig& r : settings.alerts.rules) rules.push_back(RuleFrom(r));
  o.rules = alerts::RuleSet(std::move(rules), defaults);
  for (const config::RouteConfig& r : settings.channels.routes) {
    alerts::Route route;
    route.severity_min = SeverityFromName(r.severity_min);
    route.targets = r.targets;
    route.labels = r.labels;
    route.channels = r.channels;
    o.routes.push_back(std::move(route));
  }
  o.channels = settings.channels.channels;
  o.store_path = settings.store_path;
  for (const config::TargetSetting& t : settings.targets) {
    std::map<std::string, std::string> labels = t.labels;
    if (!t.region.empty()) labels.emplace("region", t.region);
    o.target_labels[t.name] = std::move(labels);
  }
  return o;
}

std::unique_ptr<alerts::Notifier> MakeNotifier(const config::ChannelConfig& c) {
  if (c.type == "webhook") {
    return std::make_unique<alerts::WebhookNotifier>(
        alerts::WebhookOptions{c.name, c.url, c.hmac_secret, {}});
  }
  if (c.type == "slack") {
    return std::make_unique<alerts::SlackNotifier>(alerts::SlackOptions{c.name, c.url, {}});
  }
  if (c.type == "alertmanager") {
    return std::make_unique<alerts::AlertmanagerNotifier>(
        alerts::AlertmanagerOptions{c.name, c.url, {}});
  }
  if (c.type == "email") {
    alerts::EmailOptions e;
    e.name = c.name;
    e.url = c.smtp.url;
    e.from = c.smtp.from;
    e.to = c.smtp.to;
    e.username = c.smtp.username;
    e.password = c.smtp.password;
    e.require_starttls = c.smtp.starttls && c.smtp.url.starts_with("smtp://");
    return std::make_unique<alerts::EmailNotifier>(std::move(e));
  }
  return nullptr;
}

std::string DescribeChannel(const config::ChannelConfig& c) {
  const std::string& url = c.type == "email" ? c.smtp.url : c.url;
  return fmt::format("{} ({} → {})", c.name, c.type, alerts::RedactUrl(url));
}

common::Status SendTestToChannel(const config::ChannelConfig& channel, const common::Clock& clock) {
  auto notifier = MakeNotifier(channel);
  if (notifier == nullptr) {
    return common::InvalidArgumentError(
        fmt::format("channel {}: unknown type '{}'", channel.name, channel.type));
  }
  if (const std::string problem = ChannelProblem(channel); !problem.empty()) {
    return common::InvalidArgumentError(problem);
  }
  return alerts::SendTestNotification(*notifier, clock.Now());
}

AlertEngine::AlertEngine(AlertEngineOptions options, const common::Clock& clock,
                         boost::asio::any_io_executor loop, boost::asio::any_io_executor writer,
                         EventSink* events)
    : options_(std::move(options)),
      clock_(clock),
      loop_(std::move(loop)),
      writer_(std::move(writer)),
      events_(events),
      evaluator_(options_.rules, clock),
      worker_(clock, alerts::RetryPolicy{}) {}

common::Result<std::unique_ptr<AlertEngine>> AlertEngine::Start(AlertEngineOptions options,
                                                                const common::Clock& clock,
                                                                boost::asio::any_io_executor loop,
                                                                boost::asio::any_io_executor writer,
                                                                EventSink* events) {
  auto store = store::SqliteAlertStore::Open(options.store_path, clock);
  if (!store.has_value()) {
    return store.error().WithContext("cannot open the alert store " + options.store_path);
  }
  std::unique_ptr<AlertEngine> engine(
      new AlertEngine(std::move(options), clock, std::move(loop), std::move(writer), events));
  engine->store_ = std::move(store).value();
  PGV_ASSIGN_OR_RETURN(model::PersistedAlertState state, engine->store_->LoadState(clock.Now()));
  common::Log(common::LogLevel::kInfo, "alerts",
              "restored {} open alert(s), {} pending condition(s), {} silence(s)",
              state.open_alerts.size(), state.pending.size(), state.silences.size());
  engine->evaluator_.Restore(state);

  for (const config::ChannelConfig& c : engine->options_.channels) {
    auto notifier = MakeNotifier(c);
    if (notifier == nullptr) {
      common::Log(common::LogLevel::kError, "alerts", "channel {}: unknown type '{}'; skipped",
                  c.name, c.type);
      continue;
    }
    if (const std::string problem = ChannelProblem(c); !problem.empty()) {
      common::Log(common::LogLevel::kError, "alerts",
                  "channel {}: {}; its notifications will fail until it is fixed",
                  DescribeChannel(c), problem);
    } else {
      common::Log(common::LogLevel::kInfo, "alerts", "channel {}", DescribeChannel(c));
    }
    engine->worker_.AddNotifier(std::move(notifier));
  }
  if (!engine->options_.channels.empty() && engine->options_.routes.empty()) {
    common::Log(common::LogLevel::kWarn, "alerts",
                "{} channel(s) but no route: alerts are kept but not sent",
                engine->options_.channels.size());
  }
  engine->delivery_thread_ = std::thread([e = engine.get()] { e->DeliveryLoop(); });
  return engine;
}

AlertEngine::~AlertEngine() { Stop(); }

void AlertEngine::Stop() {
  {
    std::lock_guard lock(wake_mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (delivery_thread_.joinable()) delivery_thread_.join();
}

const std::map<std::string, std::string>& AlertEngine::LabelsOf(const std::string& target) const {
  static const std::map<std::string, std::string> kNone;
  const auto it = options_.target_labels.find(target);
  return it == options_.target_labels.end() ? kNone : it->second;
}

void AlertEngine::OnReport(const std::string& target,
                           std::shared_ptr<const model::HealthReport> report, bool collection_ok) {
  if (report == nullptr) return;
  boost::asio::post(writer_, [this, target, report = std::move(report), collection_ok] {
    std::lock_guard lock(mu_);
    const model::AlertChanges changes = evaluator_.Evaluate(target, *report, collection_ok);
    if (changes.empty()) return;
    const common::Status s = CommitLocked(changes);
    if (!s.ok()) {
      common::Log(common::LogLevel::kError, "alerts", "cannot commit the alerts of {}: {}", target,
                  s.message());
    }
  });
}

common::Status AlertEngine::CommitLocked(const model::AlertChanges& changes) {
  const common::Timestamp now = clock_.Now();
  std::vector<store::OutboxRow> outbox;
  for (const model::AlertNotification& t : changes.notifications) {
    const auto& labels = LabelsOf(t.alert.target);
    auto notification = alerts::BuildNotification(t, labels, options_.external_url);
    if (!notification.has_value()) continue;
    const std::string payload = alerts::NotificationToJson(*notification);
    for (const std::string& channel :
         alerts::RouteChannels(options_.routes, t.alert.severity, t.alert.target, labels)) {
      if (worker_.FindNotifier(channel) == nullptr) continue;
      store::OutboxRow row;
      row.alert_id = t.alert.id;
      row.channel = channel;
      row.dedup_key = notification->dedup_key;
      row.payload_json = payload;
      row.created_at = now;
      row.next_attempt_at = now;
      row.expires_at = now + options_.outbox_ttl;
      outbox.push_back(std::move(row));
    }
  }
  PGV_RETURN_IF_ERROR(store_->Commit(changes, outbox));
  for (const model::AlertEvent& e : changes.events) {
    common::Log(common::LogLevel::kInfo, "alerts", "alert {} {} by {}", e.alert_id,
                model::AlertEventKindName(e.kind), e.actor);
  }
  if (!outbox.empty()) {
    {
      std::lock_guard lock(wake_mu_);
      wake_requested_ = true;
    }
    wake_.notify_all();
  }
  if (events_ != nullptr && !changes.alerts.empty()) {
    std::vector<std::pair<std::string, std::string>> announcements;
    for (const model::Alert& a : changes.alerts) {
      announcements.emplace_back(a.target, http::AlertJson(a));
    }
    boost::asio::post(loop_, [events = events_, announcements = std::move(announcements)] {
      for (const auto& [target, json] : announcements) events->Publish("alert", json, target);
    });
  }
  return common::Status::Ok();
}

common::Result<std::vector<model::Alert>> AlertEngine::ListAlerts(const store::AlertFilter& f) {
  return store_->ListAlerts(f);
}

common::Result<model::Alert> AlertEngine::Act(const http::AlertActionRequest& request) {
  std::lock_guard lock(mu_);
  common::Result<model::AlertChanges> changes = common::InternalError("no action");
  switch (request.action) {
    case http::AlertAction::kAcknowledge:
      changes = evaluator_.Acknowledge(request.alert_id, request.actor, request.note);
      break;
    case http::AlertAction::kResolve:
      changes = evaluator_.Resolve(request.alert_id, request.actor, request.note);
      break;
    case http::AlertAction::kSilence:
      changes = evaluator_.SilenceAlert(request.alert_id, request.until.value_or(clock_.Now()),
                                        request.actor, request.note);
      break;
  }
  if (!changes.has_value()) {
    // The evaluator knows only open alerts: a resolved one exists but cannot change.
    if (changes.error().code() == common::StatusCode::kNotFound) {
      auto stored = store_->GetAlert(request.alert_id);
      if (stored.has_value()) {
        return common::InvalidArgumentError(fmt::format("alert {} is {}: it cannot be changed",
                                                        request.alert_id,
                                                        model::AlertStateName(stored->state)));
      }
    }
    return changes.error();
  }
  PGV_RETURN_IF_ERROR(CommitLocked(*changes));
  return store_->GetAlert(request.alert_id);
}

std::vector<http::ExtraFamily> AlertEngine::Metrics() const {
  std::map<std::pair<std::string, std::string>, double> counts;
  for (const char* state : {"firing", "acknowledged"}) {
    for (const char* severity : {"warning", "critical"}) counts[{state, severity}] = 0;
  }
  {
    std::lock_guard lock(mu_);
    for (const model::Alert& a : evaluator_.OpenAlerts()) {
      counts[{std::string(model::AlertStateName(a.state)),
              std::string(model::SeverityName(a.severity))}] += 1;
    }
  }
  http::ExtraFamily alerts_family;
  alerts_family.name = "pgvigil_alerts";
  alerts_family.type = http::MetricType::kGauge;
  alerts_family.help = "Open alerts by state and severity.";
  for (const auto& [key, n] : counts) {
    alerts_family.samples.push_back({{{"state", key.first}, {"severity", key.second}}, n});
  }
  http::ExtraFamily notifications;
  notifications.name = "pgvigil_notifications_total";
  notifications.type = http::MetricType::kCounter;
  notifications.help = "Notification delivery attempts by channel and result.";
  const auto counters = worker_.Counters();
  for (const config::ChannelConfig& c : options_.channels) {
    const auto it = counters.find(c.name);
    const alerts::ChannelCounters n = it == counters.end() ? alerts::ChannelCounters{} : it->second;
    const std::pair<const char*, std::int64_t> results[] = {
        {"delivered", n.delivered}, {"failed", n.failed}, {"expired", n.expired}};
    for (const auto& [result, value] : results) {
      notifications.samples.push_back(
          {{{"channel", c.name}, {"result", result}}, static_cast<double>(value)});
    }
  }
  return {std::move(alerts_family), std::move(notifications)};
}

void AlertEngine::DeliveryLoop() {
  StoreOutbox queue(*store_, clock_);
  auto next_resend = std::chrono::steady_clock::now() + options_.alertmanager_resend;
  while (true) {
    {
      std::unique_lock lock(wake_mu_);
      wake_.wait_for(lock, options_.delivery_interval,
                     [this] { return stopping_ || wake_requested_; });
      if (stopping_) return;
      wake_requested_ = false;
    }
    auto attempted = worker_.RunOnce(queue);
    if (!attempted.has_value()) {
      common::Log(common::LogLevel::kWarn, "alerts", "cannot read the outbox: {}",
                  attempted.error().message());
    }
    if (std::chrono::steady_clock::now() >= next_resend) {
      next_resend = std::chrono::steady_clock::now() + options_.alertmanager_resend;
      ResendToAlertmanager();
    }
  }
}

void AlertEngine::ResendToAlertmanager() {
  std::vector<model::Alert> open;
  {
    std::lock_guard lock(mu_);
    open = evaluator_.OpenAlerts();
  }
  if (open.empty()) return;
  for (const config::ChannelConfig& c : options_.channels) {
    if (c.type != "alertmanager") continue;
    auto* am = dynamic_cast<alerts::AlertmanagerNotifier*>(worker_.FindNotifier(c.name));
    if (am == nullptr) continue;
    // The alerts its routes send it (acknowledged ones still fire for Alertmanager).
    std::vector<model::Notification> firing;
    for (const model::Alert& a : open) {
      const auto& labels = LabelsOf(a.target);
      const auto channels = alerts::RouteChannels(options_.routes, a.severity, a.target, labels);
      if (std::find(channels.begin(), channels.end(), c.name) == channels.end()) continue;
      firing.push_back(alerts::FiringNotification(a, labels, options_.external_url));
    }
    if (firing.empty()) continue;
    const common::Status s = am->SendAll(firing);
    if (!s.ok()) {
      common::Log(common::LogLevel::kWarn, "alerts",
                  "channel {}: re-sending {} firing alert(s) failed: {}", c.name, firing.size(),
                  s.message());
    }
  }
}

}  // namespace pgvigil::daemon
