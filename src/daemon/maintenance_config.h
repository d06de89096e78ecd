// SPDX-License-Identifier: Apache-2.0
// The maintenance: section of the settings as the maintenance stages' options: the policy
// (windows parsed with maintenance::ParseWindow — config/ keeps them as strings), the service's
// targets with their maintenance DSNs, and the automatic policy's options. `serve
// --check-config` and the start-up report the same errors.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "config/settings.h"
#include "daemon/maintenance_service.h"
#include "maintenance/auto_policy.h"
#include "maintenance/policy.h"

namespace pgvigil::daemon {

// kInvalidArgument naming the file, line and window when a window does not parse.
common::Result<maintenance::MaintenancePolicy> MaintenancePolicyFor(const config::Settings& s);
// The errors of the maintenance: section ("file:line: …"), empty when it is usable.
std::vector<std::string> MaintenanceConfigErrors(const config::Settings& s);
// Each target's maintenance DSN (its maintenance_dsn, else its dsn, marked so).
MaintenanceServiceOptions MaintenanceServiceOptionsFor(const config::Settings& s,
                                                       maintenance::MaintenancePolicy policy);
maintenance::AutoPolicyOptions AutoPolicyOptionsFor(const config::Settings& s);
// Everything above in one string, to tell a reload that changes it (the service is built once,
// at start). Holds DSNs: compare it, never log it.
std::string MaintenanceSignature(const config::Settings& s);

}  // namespace pgvigil::daemon
