// SPDX-License-Identifier: Apache-2.0
// config::Settings: everything `pgvigil serve` reads from its YAML file, as plain values.
// Scalar settings are rows of one table (settings_table.cc: key, kind, default, reloadable,
// help) from which parsing, validation and docs/configuration.md are derived; the structured
// sections (targets, auth.tokens, thresholds) have their own readers. config/ knows nothing of
// the stages: daemon/ turns Settings into each stage's Options.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/alerts_file.h"
#include "config/channels_file.h"
#include "config/thresholds_file.h"

namespace pgvigil::config {

enum class Role { kViewer, kOperator, kAdmin };
std::string_view RoleName(Role role);

struct TokenSetting {
  std::string name;
  std::string secret;  // resolved from `token`, `token_env` or `token_file`; never logged
  Role role = Role::kViewer;
  Located where;
};

struct TargetSetting {
  std::string name;
  std::string dsn;  // with the password from password_env / password_file appended
  std::string region;
  std::map<std::string, std::string> labels;
  // Which databases of the server to watch besides the DSN's own: an explicit list, or (with
  // `databases: {include: [...], exclude: [...]}`) every non-template database matching.
  std::vector<std::string> databases;
  std::vector<std::string> include_patterns;  // globs; empty with an empty list = DSN's only
  std::vector<std::string> exclude_patterns;
  std::string pgbouncer_dsn;
  std::optional<double> storage_limit_bytes;
  // Maintenance and recovery (docs/maintenance.md) connect with this DSN (its password from
  // maintenance_password / _env / _file appended); empty: the target's dsn, which the daemon
  // says in a log line and a guard warning. Secret: never logged.
  std::string maintenance_dsn;
  Located where;
};

struct Settings {
  // Scalars (settings_table.cc has the defaults and the help text of each).
  std::string listen;
  std::string store_path;
  std::chrono::milliseconds retention_raw{};
  std::chrono::milliseconds retention_five_minute{};
  std::chrono::milliseconds retention_hourly{};
  std::chrono::milliseconds statement_sample_interval{};
  std::chrono::milliseconds fast_interval{};
  std::chrono::milliseconds standard_interval{};
  std::chrono::milliseconds slow_interval{};
  double jitter_ratio = 0;
  std::chrono::milliseconds max_backoff{};
  double backoff_connection_utilization = 0;
  std::chrono::milliseconds connect_timeout{};
  std::chrono::milliseconds statement_timeout{};
  std::chrono::milliseconds lock_timeout{};
  std::int64_t statement_text_limit = 0;
  std::int64_t largest_relations_limit = 0;
  std::int64_t http_max_body_bytes = 0;
  std::int64_t http_max_connections = 0;
  std::int64_t http_max_sse_clients = 0;
  std::chrono::milliseconds http_read_timeout{};
  bool public_healthz = true;
  bool public_metrics = false;
  std::int64_t metrics_statements_top_n = 0;
  std::chrono::milliseconds history_window{};
  std::int64_t history_max_samples = 0;
  std::string log_level;
  std::string log_format;
  // maintenance: (docs/maintenance.md); the lists below are kept as written: the daemon parses
  // the windows (maintenance::ParseWindow) and reports a bad one at start-up / --check-config.
  std::chrono::milliseconds maintenance_lock_timeout{};
  std::int64_t maintenance_lock_attempts = 0;
  std::chrono::milliseconds maintenance_lock_retry_delay{};
  std::chrono::milliseconds maintenance_statement_timeout{};
  std::chrono::milliseconds maintenance_cancel_grace{};
  std::int64_t maintenance_max_concurrent = 0;
  bool maintenance_auto_enabled = false;
  std::chrono::milliseconds maintenance_auto_interval{};
  std::int64_t maintenance_auto_max_per_run = 0;
  double maintenance_auto_reindex_bloat = 0;
  std::vector<std::string> maintenance_windows;  // "daily 01:00-05:00", "sat,sun 00:00-06:00"
  std::vector<std::string> maintenance_trusted_owners;
  std::vector<std::string> maintenance_protected_roles;
  std::vector<std::string> maintenance_protected_applications;
  Located maintenance_windows_where;  // for the daemon's error about a bad window

  // Structured sections.
  std::vector<TokenSetting> tokens;
  std::vector<TargetSetting> targets;
  ThresholdsFile thresholds;  // the thresholds: section, read by config/thresholds_file.cc
  AlertsFile alerts;          // alerts: rules (config/alerts_file.cc)
  ChannelsFile channels;      // alerts: channels and routes (config/channels_file.cc)
};

}  // namespace pgvigil::config
