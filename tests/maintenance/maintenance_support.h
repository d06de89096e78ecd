// SPDX-License-Identifier: Apache-2.0
// Shared by the maintenance integration tests: a runner, a policy with short lock steps, and
// requests against the sandbox as its superuser (the tables belong to it).
#pragma once

#include <chrono>
#include <string>

#include "common/clock.h"
#include "integration/integration_helpers.h"
#include "maintenance/operation_runner.h"
#include "maintenance/policy.h"
#include "model/maintenance.h"
#include "pg/quote.h"

namespace pgvigil::testing {

inline maintenance::MaintenancePolicy ShortLockPolicy() {
  maintenance::MaintenancePolicy p;
  p.lock_timeout = std::chrono::milliseconds(200);
  p.lock_attempts = 3;
  p.lock_retry_delay = std::chrono::milliseconds(300);
  return p;
}

inline maintenance::PlanContext ContextFor(const maintenance::MaintenancePolicy& policy,
                                           const std::string& dsn = Sandbox().admin_dsn) {
  maintenance::PlanContext c;
  c.dsn = dsn;
  c.policy = &policy;
  c.now = common::SystemClock::Instance().Now();
  return c;
}

inline model::MaintenanceRequest RequestFor(model::OperationKind kind, const std::string& object,
                                            const std::string& schema = "public") {
  model::MaintenanceRequest r;
  r.kind = kind;
  r.object = object;
  r.schema = schema;
  r.initiator = "test";
  r.initiator_role = "cli";
  return r;
}

inline const model::GuardVerdict* FindGuard(const model::MaintenanceOperation& op,
                                            const std::string& guard) {
  for (const model::GuardVerdict& g : op.guards) {
    if (g.guard == guard) return &g;
  }
  return nullptr;
}

inline std::string Describe(const model::MaintenanceOperation& op) {
  std::string out = std::string(model::OperationStateName(op.state)) + " sql=" + op.sql +
                    " message=" + op.message + " sqlstate=" + op.sqlstate;
  for (const model::GuardVerdict& g : op.guards) {
    out +=
        "\n  " + g.guard + " " + std::string(model::GuardOutcomeName(g.outcome)) + ": " + g.detail;
  }
  return out;
}

}  // namespace pgvigil::testing
