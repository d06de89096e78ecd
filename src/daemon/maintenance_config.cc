// SPDX-License-Identifier: Apache-2.0
#include "daemon/maintenance_config.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace pgvigil::daemon {

common::Result<maintenance::MaintenancePolicy> MaintenancePolicyFor(const config::Settings& s) {
  maintenance::MaintenancePolicy policy;
  for (const std::string& text : s.maintenance_windows) {
    auto window = maintenance::ParseWindow(text);
    if (!window.has_value()) {
      return common::InvalidArgumentError(
          fmt::format("{}:{}: maintenance.windows: '{}': {}", s.maintenance_windows_where.file,
                      s.maintenance_windows_where.line, text, window.error().message()));
    }
    policy.windows.push_back(*window);
  }
  policy.lock_timeout = s.maintenance_lock_timeout;
  policy.lock_attempts = static_cast<int>(std::max<std::int64_t>(1, s.maintenance_lock_attempts));
  policy.lock_retry_delay = s.maintenance_lock_retry_delay;
  policy.statement_timeout = s.maintenance_statement_timeout;
  policy.trusted_owners = s.maintenance_trusted_owners;
  policy.protected_roles = s.maintenance_protected_roles;
  policy.protected_applications = s.maintenance_protected_applications;
  policy.cancel_grace = s.maintenance_cancel_grace;
  return policy;
}

std::vector<std::string> MaintenanceConfigErrors(const config::Settings& s) {
  std::vector<std::string> errors;
  for (const std::string& text : s.maintenance_windows) {
    auto window = maintenance::ParseWindow(text);
    if (!window.has_value()) {
      errors.push_back(
          fmt::format("{}:{}: maintenance.windows: '{}': {}", s.maintenance_windows_where.file,
                      s.maintenance_windows_where.line, text, window.error().message()));
    }
  }
  if (s.maintenance_max_concurrent < 1 || s.maintenance_max_concurrent > 16) {
    errors.push_back(fmt::format("maintenance.max_concurrent: {} is not between 1 and 16",
                                 s.maintenance_max_concurrent));
  }
  if (s.maintenance_lock_attempts < 1) {
    errors.push_back("maintenance.lock_attempts: must be at least 1");
  }
  if (s.maintenance_auto_enabled && s.maintenance_windows.empty()) {
    errors.push_back(
        "maintenance.auto.enabled: the automatic policy runs only inside maintenance.windows, "
        "and none is configured");
  }
  return errors;
}

MaintenanceServiceOptions MaintenanceServiceOptionsFor(const config::Settings& s,
                                                       maintenance::MaintenancePolicy policy) {
  MaintenanceServiceOptions options;
  options.policy = std::move(policy);
  options.max_concurrent = static_cast<int>(s.maintenance_max_concurrent);
  for (const config::TargetSetting& t : s.targets) {
    MaintenanceTarget target;
    target.name = t.name;
    target.uses_monitoring_dsn = t.maintenance_dsn.empty();
    target.dsn = target.uses_monitoring_dsn ? t.dsn : t.maintenance_dsn;
    options.targets.push_back(std::move(target));
  }
  return options;
}

maintenance::AutoPolicyOptions AutoPolicyOptionsFor(const config::Settings& s) {
  maintenance::AutoPolicyOptions options;
  options.enabled = s.maintenance_auto_enabled;
  options.reindex_bloat_threshold_ratio = s.maintenance_auto_reindex_bloat;
  options.max_operations_per_run = static_cast<int>(s.maintenance_auto_max_per_run);
  return options;
}

std::string MaintenanceSignature(const config::Settings& s) {
  std::string sig = fmt::format(
      "{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|{}|", fmt::join(s.maintenance_windows, ","),
      s.maintenance_lock_timeout.count(), s.maintenance_lock_attempts,
      s.maintenance_lock_retry_delay.count(), s.maintenance_statement_timeout.count(),
      s.maintenance_cancel_grace.count(), s.maintenance_max_concurrent, s.maintenance_auto_enabled,
      s.maintenance_auto_interval.count(), s.maintenance_auto_max_per_run,
      s.maintenance_auto_reindex_bloat, fmt::join(s.maintenance_trusted_owners, ","),
      fmt::join(s.maintenance_protected_roles, ","),
      fmt::join(s.maintenance_protected_applications, ","));
  for (const config::TargetSetting& t : s.targets) {
    sig += t.name + "=" + (t.maintenance_dsn.empty() ? t.dsn : t.maintenance_dsn) + "|";
  }
  return sig;
}

}  // namespace pgvigil::daemon
