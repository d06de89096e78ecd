// SPDX-License-Identifier: Apache-2.0
#include "config/settings_table.h"

#include <array>
#include <cmath>

#include <fmt/format.h>

#include "common/units.h"

namespace pgvigil::config {
namespace {

using K = SettingKind;
using S = Settings;

// Defaults follow the field's practice: the fast tier at 1 s is what an on-call engineer needs
// for locks and connections; statements and databases every 15 s (a Prometheus scrape);
// tables, indexes and sizes every 5 minutes, because reading them costs the server most.
const std::array kRows = {
    SettingRow{"listen", K::kString, "127.0.0.1:8787", false,
               "address of the HTTP API, dashboard and /metrics (host:port; loopback unless "
               "tokens are configured)",
               &S::listen},
    SettingRow{"store.path", K::kString, "var/pgvigil.db", false,
               "SQLite file of the history store (created with its directory)", &S::store_path},
    SettingRow{"store.retention.raw", K::kDuration, "2d", true,
               "how long samples are kept at full resolution", &S::retention_raw},
    SettingRow{"store.retention.five_minute", K::kDuration, "30d", true,
               "how long 5-minute roll-ups are kept", &S::retention_five_minute},
    SettingRow{"store.retention.hourly", K::kDuration, "365d", true,
               "how long hourly roll-ups are kept", &S::retention_hourly},
    SettingRow{"store.statement_sample_interval", K::kDuration, "5min", true,
               "how often per-statement counters are written to history (query.regression)",
               &S::statement_sample_interval},
    SettingRow{"schedule.fast", K::kDuration, "1s", true,
               "interval of the fast tier: activity, locks, replication, PgBouncer",
               &S::fast_interval},
    SettingRow{"schedule.standard", K::kDuration, "15s", true,
               "interval of the standard tier: databases, statements, checkpointer, WAL",
               &S::standard_interval},
    SettingRow{"schedule.slow", K::kDuration, "5min", true,
               "interval of the slow tier: tables, indexes, sizes, bloat inputs, sequences",
               &S::slow_interval},
    SettingRow{"schedule.jitter", K::kRatio, "10%", true,
               "random spread of each target's first tick and of backoff waits, so targets do "
               "not collect in lockstep",
               &S::jitter_ratio},
    SettingRow{"schedule.max_backoff", K::kDuration, "5min", true,
               "longest wait between attempts on a target that keeps failing", &S::max_backoff},
    SettingRow{"schedule.backoff_connection_utilization", K::kRatio, "95%", true,
               "when the server's client backends reach this share of the usable connections "
               "(max_connections - reserved, as connection.utilization), the fast tier slows "
               "down fivefold and no new monitoring connection is opened",
               &S::backoff_connection_utilization},
    SettingRow{"collect.connect_timeout", K::kDuration, "5s", true,
               "bound on connecting (TCP, TLS, authentication)", &S::connect_timeout},
    SettingRow{"collect.statement_timeout", K::kDuration, "5s", true,
               "statement_timeout of the monitoring session", &S::statement_timeout},
    SettingRow{"collect.lock_timeout", K::kDuration, "200ms", true,
               "lock_timeout of the monitoring session: never queue behind the application",
               &S::lock_timeout},
    SettingRow{"collect.statement_text_limit", K::kCount, "50", true,
               "statement texts read for the top N statements by total and by mean time",
               &S::statement_text_limit},
    SettingRow{"collect.largest_relations_limit", K::kCount, "50", true,
               "relations whose sizes are measured, largest first", &S::largest_relations_limit},
    SettingRow{"http.max_body", K::kBytes, "64kB", false, "largest request body accepted",
               &S::http_max_body_bytes},
    SettingRow{"http.max_connections", K::kCount, "256", false,
               "concurrent HTTP connections; more are answered 503", &S::http_max_connections},
    SettingRow{"http.max_sse_clients", K::kCount, "64", false,
               "concurrent /api/v1/stream clients; more are answered 503",
               &S::http_max_sse_clients},
    SettingRow{"http.read_timeout", K::kDuration, "10s", false,
               "time a client has to send a whole request", &S::http_read_timeout},
    SettingRow{"auth.public_healthz", K::kBool, "true", true,
               "serve /healthz without a token (for load balancers and systemd checks)",
               &S::public_healthz},
    SettingRow{"auth.public_metrics", K::kBool, "false", true,
               "serve /metrics without a token (for a Prometheus without bearer auth)",
               &S::public_metrics},
    SettingRow{"metrics.statements_top_n", K::kCount, "100", true,
               "per-statement series in /metrics, by total time", &S::metrics_statements_top_n},
    SettingRow{"analysis.history_window", K::kDuration, "7d", true,
               "how much history query.regression, storage.size_limit and index.unused see",
               &S::history_window},
    SettingRow{"analysis.history_max_samples", K::kCount, "24", false,
               "samples of each kind (statements; indexes and sizes) loaded from that window, "
               "spread evenly over it, oldest and newest kept: bounds the daemon's memory",
               &S::history_max_samples},
    SettingRow{"log.level", K::kString, "info", true, "debug, info, warn or error", &S::log_level},
    SettingRow{"log.format", K::kString, "text", false,
               "text (timestamp level subsystem=… message) or json (one object a line)",
               &S::log_format},
    SettingRow{"maintenance.lock_timeout", K::kDuration, "500ms", false,
               "each try of a maintenance statement waits at most this long for its lock, so it "
               "never queues long in front of application queries",
               &S::maintenance_lock_timeout},
    SettingRow{"maintenance.lock_attempts", K::kCount, "5", false,
               "tries of a maintenance statement (lock_timeout each) before it gives up",
               &S::maintenance_lock_attempts},
    SettingRow{"maintenance.lock_retry_delay", K::kDuration, "2s", false,
               "pause between two tries of a maintenance statement",
               &S::maintenance_lock_retry_delay},
    SettingRow{"maintenance.statement_timeout", K::kDuration, "24h", false,
               "longest a maintenance statement may run", &S::maintenance_statement_timeout},
    SettingRow{"maintenance.cancel_grace", K::kDuration, "3s", false,
               "recovery: a backend still active this long after its cancel is terminated",
               &S::maintenance_cancel_grace},
    SettingRow{"maintenance.max_concurrent", K::kCount, "1", false,
               "maintenance operations running at once (the others wait queued)",
               &S::maintenance_max_concurrent},
    SettingRow{"maintenance.auto.enabled", K::kBool, "false", false,
               "run the automatic maintenance policy inside the windows",
               &S::maintenance_auto_enabled},
    SettingRow{"maintenance.auto.interval", K::kDuration, "15min", false,
               "how often the automatic policy looks at the latest findings inside a window",
               &S::maintenance_auto_interval},
    SettingRow{"maintenance.auto.max_per_run", K::kCount, "3", false,
               "operations one run of the automatic policy may queue",
               &S::maintenance_auto_max_per_run},
    SettingRow{"maintenance.auto.reindex_bloat", K::kRatio, "30%", false,
               "automatic REINDEX CONCURRENTLY of indexes whose estimated bloat exceeds this share",
               &S::maintenance_auto_reindex_bloat},
};

template <typename T>
using Field = T Settings::*;

common::Status Invalid(const SettingRow& row, std::string_view reason) {
  return common::InvalidArgumentError(fmt::format("{}: {}", row.key, reason));
}

}  // namespace

std::string_view SettingKindName(SettingKind kind) {
  switch (kind) {
    case K::kString:
      return "string";
    case K::kDuration:
      return "duration";
    case K::kBytes:
      return "size";
    case K::kCount:
      return "count";
    case K::kRatio:
      return "ratio";
    case K::kBool:
      return "bool";
  }
  return "?";
}

std::span<const SettingRow> SettingsTable() { return kRows; }

common::Status ApplySetting(const SettingRow& row, std::string_view text, Settings& settings) {
  switch (row.kind) {
    case K::kString:
      settings.*std::get<Field<std::string>>(row.field) = std::string(text);
      return common::Status::Ok();
    case K::kBool:
      if (text == "true" || text == "yes" || text == "on") {
        settings.*std::get<Field<bool>>(row.field) = true;
      } else if (text == "false" || text == "no" || text == "off") {
        settings.*std::get<Field<bool>>(row.field) = false;
      } else {
        return Invalid(row, fmt::format("'{}' is not true or false", text));
      }
      return common::Status::Ok();
    default:
      break;
  }
  auto q = common::ParseQuantity(text);
  if (!q.has_value()) return Invalid(row, q.error().message());
  const double v = q->value;
  if (v < 0 || !std::isfinite(v)) return Invalid(row, "must not be negative");
  const common::QuantityKind got = q->kind;
  switch (row.kind) {
    case K::kDuration:
      // A plain number is seconds, as everywhere in pgvigil's configuration.
      if (got != common::QuantityKind::kSeconds && got != common::QuantityKind::kNumber) {
        return Invalid(row, fmt::format("'{}' is not a duration (500ms, 5s, 5min, 2h, 7d)", text));
      }
      if (v == 0) return Invalid(row, "must be longer than zero");
      settings.*std::get<Field<std::chrono::milliseconds>>(row.field) =
          std::chrono::milliseconds(static_cast<std::int64_t>(std::llround(v * 1000)));
      return common::Status::Ok();
    case K::kBytes:
      if (got != common::QuantityKind::kBytes && got != common::QuantityKind::kNumber) {
        return Invalid(row, fmt::format("'{}' is not a size (512kB, 100MB, 1GB)", text));
      }
      settings.*std::get<Field<std::int64_t>>(row.field) = static_cast<std::int64_t>(v);
      return common::Status::Ok();
    case K::kCount:
      if (got != common::QuantityKind::kNumber || v != std::floor(v)) {
        return Invalid(row, fmt::format("'{}' is not a whole number", text));
      }
      settings.*std::get<Field<std::int64_t>>(row.field) = static_cast<std::int64_t>(v);
      return common::Status::Ok();
    case K::kRatio:
      if ((got != common::QuantityKind::kRatio && got != common::QuantityKind::kNumber) || v > 1) {
        return Invalid(row, fmt::format("'{}' is not a share (10%, or 0.1)", text));
      }
      settings.*std::get<Field<double>>(row.field) = v;
      return common::Status::Ok();
    default:
      return Invalid(row, "unknown kind");
  }
}

Settings DefaultSettings() {
  Settings settings;
  for (const SettingRow& row : kRows) {
    const common::Status s = ApplySetting(row, row.default_text, settings);
    (void)s;  // the table's own defaults; settings_table_test.cc proves each one parses
  }
  return settings;
}

std::string SettingsMarkdown() {
  std::string out = "| key | kind | default | reload | what |\n|---|---|---|---|---|\n";
  for (const SettingRow& row : kRows) {
    fmt::format_to(std::back_inserter(out), "| `{}` | {} | `{}` | {} | {} |\n", row.key,
                   SettingKindName(row.kind), row.default_text, row.reloadable ? "yes" : "no",
                   row.help);
  }
  return out;
}

}  // namespace pgvigil::config
