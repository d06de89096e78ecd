// SPDX-License-Identifier: Apache-2.0
#include "daemon/app.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/clock.h"
#include "common/log.h"
#include "config/settings_file.h"
#include "daemon/alert_engine.h"
#include "daemon/allocator.h"
#include "daemon/auto_maintenance.h"
#include "daemon/maintenance_config.h"
#include "daemon/maintenance_service.h"
#include "daemon/sample_processor.h"
#include "daemon/state_cache.h"
#include "daemon/target_monitor.h"
#include "daemon/thresholds_config.h"
#include "http/alert_api.h"
#include "http/dashboard_routes.h"
#include "http/event_stream.h"
#include "http/json_api.h"
#include "http/maintenance_api.h"
#include "http/prometheus_exposition.h"
#include "http/router.h"
#include "http/server.h"
#include "maintenance/operation_runner.h"
#include "maintenance/recovery.h"
#include "model/health_report.h"
#include "pg/dsn.h"
#include "store/maintenance_store.h"
#include "store/sqlite_history_store.h"

namespace pgvigil::daemon {
namespace {

using boost::asio::use_awaitable;

constexpr auto kCompactEvery = std::chrono::minutes(15);
// A piece of the /metrics body, rendered when the previous one has been sent: few pieces per
// scrape (≈ 50 on the large benchmark database's 13 MiB), each small against the whole.
constexpr std::size_t kMetricsPieceBytes = 256 * 1024;

// Thresholds from the file's section plus each target's storage_limit (a per-target rule of
// storage.size_limit.limit_bytes).
common::Result<analysis::Thresholds> ThresholdsFor(const config::Settings& settings) {
  config::ThresholdsFile file = settings.thresholds;
  for (const config::TargetSetting& t : settings.targets) {
    if (!t.storage_limit_bytes.has_value()) continue;
    config::ThresholdRule rule;
    rule.key = "storage.size_limit.limit_bytes";
    rule.target_pattern = t.name;
    rule.warning = common::Quantity{*t.storage_limit_bytes, common::QuantityKind::kBytes};
    rule.where = t.where;
    file.rules.push_back(std::move(rule));
  }
  return BuildThresholds(file);
}

MonitorOptions MonitorOptionsFor(const config::Settings& s, const config::TargetSetting& t) {
  MonitorOptions o;
  o.name = t.name;
  o.dsn = t.dsn;
  o.pgbouncer_dsn = t.pgbouncer_dsn;
  o.databases = t.databases;
  o.include_patterns = t.include_patterns;
  o.exclude_patterns = t.exclude_patterns;
  o.fast_interval = s.fast_interval;
  o.standard_interval = s.standard_interval;
  o.slow_interval = s.slow_interval;
  o.jitter_ratio = s.jitter_ratio;
  o.max_backoff = s.max_backoff;
  o.backoff_connection_utilization = s.backoff_connection_utilization;
  o.session.connect_timeout = s.connect_timeout;
  o.session.statement_timeout = s.statement_timeout;
  o.session.lock_timeout = s.lock_timeout;
  o.collector.statement_text_limit = static_cast<int>(s.statement_text_limit);
  o.collector.largest_relations_limit = static_cast<int>(s.largest_relations_limit);
  return o;
}

bool SameMonitor(const MonitorOptions& a, const MonitorOptions& b) {
  return a.name == b.name && a.dsn == b.dsn && a.pgbouncer_dsn == b.pgbouncer_dsn &&
         a.databases == b.databases && a.include_patterns == b.include_patterns &&
         a.exclude_patterns == b.exclude_patterns && a.fast_interval == b.fast_interval &&
         a.standard_interval == b.standard_interval && a.slow_interval == b.slow_interval &&
         a.jitter_ratio == b.jitter_ratio && a.max_backoff == b.max_backoff &&
         a.backoff_connection_utilization == b.backoff_connection_utilization &&
         a.session.connect_timeout == b.session.connect_timeout &&
         a.session.statement_timeout == b.session.statement_timeout &&
         a.session.lock_timeout == b.session.lock_timeout &&
         a.collector.statement_text_limit == b.collector.statement_text_limit &&
         a.collector.largest_relations_limit == b.collector.largest_relations_limit;
}

model::TargetState InitialState(const config::Settings& s, const config::TargetSetting& t) {
  model::TargetState state;
  state.name = t.name;
  state.region = t.region;
  state.labels = t.labels;
  state.databases = t.databases;
  const std::pair<const char*, std::chrono::milliseconds> tiers[] = {
      {"fast", s.fast_interval}, {"standard", s.standard_interval}, {"slow", s.slow_interval}};
  for (const auto& [name, interval] : tiers) {
    model::TierState tier;
    tier.tier = name;
    tier.interval_seconds = std::chrono::duration<double>(interval).count();
    state.tiers.push_back(std::move(tier));
  }
  return state;
}

http::AuthOptions AuthFor(const config::Settings& s) {
  http::AuthOptions auth;
  for (const config::TokenSetting& t : s.tokens) {
    http::Role role = t.role == config::Role::kAdmin      ? http::Role::kAdmin
                      : t.role == config::Role::kOperator ? http::Role::kOperator
                                                          : http::Role::kViewer;
    auth.tokens.push_back({t.name, t.secret, role});
  }
  auth.public_healthz = s.public_healthz;
  auth.public_metrics = s.public_metrics;
  return auth;
}

class EventStreamSink final : public EventSink {
 public:
  explicit EventStreamSink(http::EventStream& stream) : stream_(stream) {}
  void Publish(std::string event, std::string json_data, std::string target) override {
    stream_.Publish(std::move(event), std::move(json_data), std::move(target));
  }

 private:
  http::EventStream& stream_;
};

// What of the alerts: section the running engine was built with, to tell a reload that changes
// it (the engine is built once, at start).
std::string AlertsSignature(const config::Settings& s) {
  std::string sig;
  const auto duration = [](const auto& d) {
    return d.has_value() ? std::to_string(d->count()) : std::string("-");
  };
  const config::AlertRuleConfig& d = s.alerts.defaults;
  sig += fmt::format("d:{},{},{},{}|", d.min_severity.value_or("-"), duration(d.for_duration),
                     duration(d.resolve_after), duration(d.renotify_interval));
  for (const config::AlertRuleConfig& r : s.alerts.rules) {
    sig += fmt::format("r:{},{},{},{},{},{},{},{}|", r.check_pattern, r.target_pattern,
                       r.object_pattern, r.enabled.has_value() ? int(*r.enabled) : -1,
                       r.min_severity.value_or("-"), duration(r.for_duration),
                       duration(r.resolve_after), duration(r.renotify_interval));
  }
  for (const config::ChannelConfig& c : s.channels.channels) {
    sig += fmt::format("c:{},{},{},{},{}|", c.name, c.type, c.url, c.hmac_secret, c.smtp.url);
  }
  for (const config::RouteConfig& r : s.channels.routes) {
    sig += fmt::format("o:{},{},{}|", r.severity_min, fmt::join(r.targets, ","),
                       fmt::join(r.channels, ","));
  }
  return sig;
}

std::int64_t FileSize(const std::string& path) {
  std::error_code ec;
  std::int64_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    const auto size = std::filesystem::file_size(path + suffix, ec);
    if (!ec) total += static_cast<std::int64_t>(size);
  }
  return total;
}

}  // namespace

class App::Impl {
 public:
  Impl(config::Settings settings, std::string config_path)
      : settings_(std::move(settings)), config_path_(std::move(config_path)) {}

  common::Status Run();

 private:
  struct Running {
    std::unique_ptr<TargetMonitor> monitor;
    std::shared_ptr<bool> finished = std::make_shared<bool>(false);
  };

  void StartMonitor(const MonitorOptions& options);
  boost::asio::awaitable<void> Reload();
  boost::asio::awaitable<void> HandleSignals();
  boost::asio::awaitable<void> CompactPeriodically();
  void Stop();
  http::Response Metrics();

  config::Settings settings_;
  std::string config_path_;
  const common::Clock& clock_ = common::SystemClock::Instance();
  common::Timestamp started_at_ = clock_.Now();

  boost::asio::io_context io_{1};
  boost::asio::thread_pool workers_{1};
  boost::asio::thread_pool writer_{1};
  std::unique_ptr<store::SqliteHistoryStore> store_;
  StateCache cache_;
  std::unique_ptr<http::EventStream> events_;
  std::unique_ptr<EventStreamSink> event_sink_;
  std::unique_ptr<SampleProcessor> processor_;
  std::unique_ptr<AlertEngine> alerts_;
  // Maintenance and recovery (docs/maintenance.md): the audit store, the runners, the service
  // and the automatic policy. The service's threads end before the store closes.
  maintenance::MaintenancePolicy maintenance_policy_;
  std::unique_ptr<store::SqliteMaintenanceStore> maintenance_store_;
  std::unique_ptr<maintenance::OperationRunner> operation_runner_;
  std::unique_ptr<maintenance::RecoveryRunner> recovery_runner_;
  std::unique_ptr<MaintenanceService> maintenance_;
  std::unique_ptr<AutoMaintenance> auto_maintenance_;
  std::unique_ptr<http::Server> server_;
  std::map<std::string, Running> monitors_;
  std::unique_ptr<boost::asio::signal_set> signals_;
  boost::asio::steady_timer compact_timer_{io_};
  http::ApiContext api_;
  bool stopping_ = false;
  // /metrics self-figures (the loop thread only).
  std::uint64_t scrapes_ = 0;
  std::optional<double> last_scrape_seconds_;
};

void App::Impl::StartMonitor(const MonitorOptions& options) {
  Running running;
  running.monitor = std::make_unique<TargetMonitor>(io_.get_executor(), options, *processor_);
  TargetMonitor* monitor = running.monitor.get();
  std::shared_ptr<bool> finished = running.finished;
  boost::asio::co_spawn(
      io_,
      [monitor, finished]() -> boost::asio::awaitable<void> {
        co_await monitor->Run();
        *finished = true;
      },
      [name = options.name](std::exception_ptr e) {
        if (e == nullptr) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& ex) {
          // A bug: a monitor must turn every failure into a Status. Log it loudly.
          common::Log(common::LogLevel::kError, "daemon", "monitor of {} ended: {}", name,
                      ex.what());
        }
      });
  monitors_[options.name] = std::move(running);
}

http::Response App::Impl::Metrics() {
  const auto started = std::chrono::steady_clock::now();
  http::SelfMetrics self;
  self.process_start_time_seconds =
      std::chrono::duration<double>(started_at_.time_since_epoch()).count();
  if (store_ != nullptr) self.store_size_bytes = FileSize(settings_.store_path);
  self.scrapes_total = scrapes_;
  self.last_scrape_duration_seconds = last_scrape_seconds_;
  if (server_ != nullptr) {
    const http::ServerStats stats = server_->Stats();
    self.sse_clients = static_cast<std::int64_t>(stats.sse_clients);
    static constexpr const char* kClasses[] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
    for (const http::RouteStats& r : stats.routes) {
      for (size_t i = 0; i < r.responses_by_class.size(); ++i) {
        if (r.responses_by_class[i] == 0) continue;
        self.http_requests_total.push_back(
            {{{"code", kClasses[i]}, {"method", r.method}, {"route", r.route}},
             static_cast<double>(r.responses_by_class[i])});
      }
    }
  }
  if (alerts_ != nullptr) {
    for (http::ExtraFamily& f : alerts_->Metrics()) self.extra.push_back(std::move(f));
  }
  if (maintenance_ != nullptr) {
    for (http::ExtraFamily& f : maintenance_->Metrics()) self.extra.push_back(std::move(f));
  }
  http::ExpositionOptions options;
  options.max_statements = static_cast<std::size_t>(settings_.metrics_statements_top_n);
  // Rendered while it is sent, a piece at a time: whole, the body was 13 MiB on the large
  // benchmark database, and one that coincided with the slow tier's parse set the daemon's
  // peak memory (docs/benchmarks.md). The scrape's duration is the time spent rendering.
  return http::Response::Pulled(
      std::string(http::kExpositionContentType),
      [this,
       render =
           std::make_shared<http::ExpositionRender>(cache_.Targets(), std::move(self), options),
       spent = std::chrono::steady_clock::now() - started](std::string& piece) mutable {
        const auto piece_started = std::chrono::steady_clock::now();
        const bool more = render->Next(piece, kMetricsPieceBytes);
        spent += std::chrono::steady_clock::now() - piece_started;
        if (!more) {
          ++scrapes_;
          last_scrape_seconds_ = std::chrono::duration<double>(spent).count();
        }
        return more;
      });
}

common::Status App::Impl::Run() {
  TuneAllocator();
  PGV_ASSIGN_OR_RETURN(analysis::Thresholds thresholds, ThresholdsFor(settings_));

  // The store: its directory is created; a file that cannot be opened stops the start.
  store::SqliteStoreOptions store_options;
  store_options.raw_retention = settings_.retention_raw;
  store_options.five_minute_retention = settings_.retention_five_minute;
  store_options.hourly_retention = settings_.retention_hourly;
  store_options.statement_interval = settings_.statement_sample_interval;
  if (const auto dir = std::filesystem::path(settings_.store_path).parent_path(); !dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return common::UnavailableError(
          fmt::format("cannot create the store's directory {}: {}", dir.string(), ec.message()));
    }
  }
  auto opened = store::SqliteHistoryStore::Open(settings_.store_path, store_options);
  if (!opened.has_value()) {
    return opened.error().WithContext("cannot open the store " + settings_.store_path);
  }
  store_ = std::move(opened).value();

  std::vector<model::TargetState> initial;
  for (const config::TargetSetting& t : settings_.targets)
    initial.push_back(InitialState(settings_, t));
  cache_.Configure(std::move(initial));

  events_ = std::make_unique<http::EventStream>(io_);
  event_sink_ = std::make_unique<EventStreamSink>(*events_);
  ProcessorOptions processor_options;
  processor_options.history_window = settings_.history_window;
  processor_options.history_max_samples =
      static_cast<int>(std::clamp<std::int64_t>(settings_.history_max_samples, 0, 1'000'000));
  processor_ = std::make_unique<SampleProcessor>(io_.get_executor(), workers_.get_executor(),
                                                 writer_.get_executor(), cache_, store_.get(),
                                                 event_sink_.get(), processor_options);
  processor_->SetThresholds(std::make_shared<const analysis::Thresholds>(std::move(thresholds)));

  // Alerts: evaluated after each report, committed on the writer, delivered by their own thread.
  auto engine = AlertEngine::Start(AlertEngineOptionsFor(settings_), clock_, io_.get_executor(),
                                   writer_.get_executor(), event_sink_.get());
  if (!engine.has_value()) return engine.error();
  alerts_ = std::move(engine).value();
  processor_->SetReportHook(
      [engine = alerts_.get()](
          const std::string& target, std::shared_ptr<const model::HealthReport> report,
          bool collection_ok) { engine->OnReport(target, std::move(report), collection_ok); });

  // Maintenance: operations a crash left unfinished become "unknown" before anything runs.
  PGV_ASSIGN_OR_RETURN(maintenance_policy_, MaintenancePolicyFor(settings_));
  auto maintenance_store = store::SqliteMaintenanceStore::Open(settings_.store_path, clock_);
  if (!maintenance_store.has_value()) {
    return maintenance_store.error().WithContext("cannot open the maintenance audit store");
  }
  maintenance_store_ = std::move(maintenance_store).value();
  operation_runner_ = maintenance::MakeOperationRunner(clock_);
  recovery_runner_ = maintenance::MakeRecoveryRunner(clock_);
  maintenance_ = std::make_unique<MaintenanceService>(
      MaintenanceServiceOptionsFor(settings_, maintenance_policy_), *maintenance_store_, cache_,
      *operation_runner_, *recovery_runner_, clock_, event_sink_.get());
  PGV_ASSIGN_OR_RETURN(const auto reconciled, maintenance_->Start());
  if (!reconciled.empty()) {
    common::Log(common::LogLevel::kWarn, "maintenance",
                "{} operation(s) left unfinished by the last run are now 'unknown'",
                reconciled.size());
  }
  auto_maintenance_ = std::make_unique<AutoMaintenance>(
      io_.get_executor(), AutoPolicyOptionsFor(settings_), maintenance_policy_,
      settings_.maintenance_auto_interval, cache_, *maintenance_, clock_);

  api_.state = &cache_;
  api_.history = store_.get();
  api_.events = events_.get();
  api_.clock = &clock_;
  api_.started_at = started_at_;
  api_.version = PGVIGIL_VERSION;
  // Called on the loop (HTTP handlers run there), like the monitors.
  api_.collect_now = [this](std::string_view name) {
    const auto it = monitors_.find(std::string(name));
    if (it == monitors_.end()) return false;
    it->second.monitor->CollectNow();
    return true;
  };
  http::Router router;
  PGV_RETURN_IF_ERROR(http::AddApiRoutes(router, api_));
  PGV_RETURN_IF_ERROR(http::AddAlertRoutes(router, *alerts_, clock_));
  PGV_RETURN_IF_ERROR(http::AddDashboardRoutes(router, http::DashboardAssets()));
  PGV_RETURN_IF_ERROR(http::AddMaintenanceRoutes(router, *maintenance_));
  PGV_RETURN_IF_ERROR(router.Add("GET", "/metrics", http::Role::kViewer,
                                 [this](const http::Request&) { return Metrics(); }));

  http::ServerOptions server_options;
  server_options.listen = settings_.listen;
  server_options.max_body_bytes = static_cast<std::size_t>(settings_.http_max_body_bytes);
  server_options.max_connections = static_cast<std::size_t>(settings_.http_max_connections);
  server_options.max_sse_clients = static_cast<std::size_t>(settings_.http_max_sse_clients);
  server_options.read_timeout = settings_.http_read_timeout;
  server_options.auth = AuthFor(settings_);
  server_ = std::make_unique<http::Server>(io_, server_options, std::move(router));
  PGV_RETURN_IF_ERROR(server_->Start());
  const auto endpoint = server_->local_endpoint();
  common::Log(common::LogLevel::kInfo, "daemon",
              "pgvigil {} serving http://{}:{}/ ({} target(s), store {})", PGVIGIL_VERSION,
              endpoint.address().to_string(), endpoint.port(), settings_.targets.size(),
              settings_.store_path);

  for (const config::TargetSetting& t : settings_.targets) {
    common::Log(common::LogLevel::kInfo, "daemon", "target {}: {}", t.name, pg::DescribeDsn(t.dsn));
    StartMonitor(MonitorOptionsFor(settings_, t));
  }
  signals_ = std::make_unique<boost::asio::signal_set>(io_, SIGTERM, SIGINT, SIGHUP);
  boost::asio::co_spawn(io_, HandleSignals(), boost::asio::detached);
  boost::asio::co_spawn(io_, CompactPeriodically(), boost::asio::detached);
  if (settings_.maintenance_auto_enabled) {
    boost::asio::co_spawn(io_, auto_maintenance_->Run(), boost::asio::detached);
  }

  io_.run();

  // The loop has ended: every monitor finished its collection. Queued analysis and store writes
  // complete before the store closes.
  workers_.join();
  writer_.join();
  // Queued operations end cancelled, running ones are cancelled on the server and recorded.
  maintenance_->Stop();
  auto_maintenance_.reset();
  maintenance_.reset();
  maintenance_store_.reset();
  alerts_->Stop();
  alerts_.reset();
  server_.reset();
  events_.reset();
  store_.reset();
  common::Log(common::LogLevel::kInfo, "daemon", "stopped");
  return common::Status::Ok();
}

boost::asio::awaitable<void> App::Impl::HandleSignals() {
  while (!stopping_) {
    boost::system::error_code ec;
    const int signal =
        co_await signals_->async_wait(boost::asio::redirect_error(use_awaitable, ec));
    if (ec) co_return;
    if (signal == SIGHUP) {
      co_await Reload();
      continue;
    }
    common::Log(common::LogLevel::kInfo, "daemon", "signal {}: stopping", signal);
    Stop();
  }
}

void App::Impl::Stop() {
  stopping_ = true;
  for (auto& [name, running] : monitors_) running.monitor->Stop();
  compact_timer_.cancel();
  if (auto_maintenance_ != nullptr) auto_maintenance_->Stop();
  if (server_ != nullptr) server_->Stop();
  if (signals_ != nullptr) signals_->cancel();
}

boost::asio::awaitable<void> App::Impl::CompactPeriodically() {
  while (!stopping_) {
    compact_timer_.expires_after(kCompactEvery);
    boost::system::error_code ec;
    co_await compact_timer_.async_wait(boost::asio::redirect_error(use_awaitable, ec));
    if (stopping_) co_return;
    boost::asio::post(writer_, [store = store_.get(), now = clock_.Now()] {
      auto stats = store->Compact(now);
      if (!stats.has_value()) {
        common::Log(common::LogLevel::kWarn, "store", "compaction failed: {}",
                    stats.error().message());
      }
    });
  }
}

boost::asio::awaitable<void> App::Impl::Reload() {
  config::SettingsFile file = config::ReadSettingsFile(config_path_);
  if (!file.errors.empty()) {
    for (const std::string& e : file.errors) {
      common::Log(common::LogLevel::kError, "config", "{}", e);
    }
    common::Log(common::LogLevel::kError, "config",
                "reload of {} refused: {} error(s); the running configuration stays", config_path_,
                file.errors.size());
    co_return;
  }
  auto thresholds = ThresholdsFor(file.settings);
  if (!thresholds.has_value()) {
    common::Log(common::LogLevel::kError, "config", "reload refused: {}",
                thresholds.error().message());
    co_return;
  }
  config::Settings next = std::move(file.settings);
  // What the running listener and store were built with cannot change under them.
  const auto keep = [&](auto& field, const auto& running, std::string_view key) {
    if (field != running) {
      common::Log(common::LogLevel::kWarn, "config", "{} changed: takes effect after a restart",
                  key);
      field = running;
    }
  };
  keep(next.listen, settings_.listen, "listen");
  keep(next.store_path, settings_.store_path, "store.path");
  keep(next.http_max_body_bytes, settings_.http_max_body_bytes, "http.max_body");
  keep(next.http_max_connections, settings_.http_max_connections, "http.max_connections");
  keep(next.http_max_sse_clients, settings_.http_max_sse_clients, "http.max_sse_clients");
  keep(next.http_read_timeout, settings_.http_read_timeout, "http.read_timeout");
  if (next.tokens.size() != settings_.tokens.size() ||
      !std::equal(next.tokens.begin(), next.tokens.end(), settings_.tokens.begin(),
                  [](const auto& a, const auto& b) {
                    return a.name == b.name && a.secret == b.secret && a.role == b.role;
                  })) {
    common::Log(common::LogLevel::kWarn, "config",
                "auth.tokens changed: takes effect after a restart");
    next.tokens = settings_.tokens;
  }
  if (AlertsSignature(next) != AlertsSignature(settings_)) {
    common::Log(common::LogLevel::kWarn, "config",
                "alerts (rules, channels or routes) changed: takes effect after a restart");
  }
  if (MaintenanceSignature(next) != MaintenanceSignature(settings_)) {
    common::Log(common::LogLevel::kWarn, "config",
                "maintenance (settings, targets or their maintenance DSNs) changed: takes effect "
                "after a restart");
  }
  processor_->SetThresholds(std::make_shared<const analysis::Thresholds>(std::move(*thresholds)));

  std::vector<model::TargetState> states;
  for (const config::TargetSetting& t : next.targets) states.push_back(InitialState(next, t));
  cache_.Configure(std::move(states));

  // Monitors: keep those whose options did not change; stop the others, and start the new
  // ones once the old one of the same name has finished (never two on one target).
  std::map<std::string, MonitorOptions> wanted;
  for (const config::TargetSetting& t : next.targets) wanted[t.name] = MonitorOptionsFor(next, t);
  std::vector<std::shared_ptr<bool>> stopping;
  for (auto it = monitors_.begin(); it != monitors_.end();) {
    const auto w = wanted.find(it->first);
    if (w != wanted.end() && SameMonitor(w->second, it->second.monitor->options())) {
      wanted.erase(w);
      ++it;
      continue;
    }
    it->second.monitor->Stop();
    stopping.push_back(it->second.finished);
    // The monitor object must outlive its coroutine: hand it to a waiter that drops it later.
    auto monitor = std::shared_ptr<TargetMonitor>(std::move(it->second.monitor));
    auto finished = it->second.finished;
    boost::asio::co_spawn(
        io_,
        [monitor, finished, this]() -> boost::asio::awaitable<void> {
          boost::asio::steady_timer t(io_);
          while (!*finished) {
            t.expires_after(std::chrono::milliseconds(50));
            co_await t.async_wait(use_awaitable);
          }
        },
        boost::asio::detached);
    it = monitors_.erase(it);
  }
  boost::asio::steady_timer wait(io_);
  for (const auto& f : stopping) {
    while (!*f) {
      wait.expires_after(std::chrono::milliseconds(50));
      co_await wait.async_wait(use_awaitable);
    }
  }
  settings_ = std::move(next);
  for (const auto& [name, options] : wanted) StartMonitor(options);
  common::Log(common::LogLevel::kInfo, "config", "reloaded {}: {} target(s)", config_path_,
              settings_.targets.size());
}

App::App(config::Settings settings, std::string config_path)
    : impl_(std::make_unique<Impl>(std::move(settings), std::move(config_path))) {}
App::~App() = default;
common::Status App::Run() { return impl_->Run(); }

}  // namespace pgvigil::daemon
