// SPDX-License-Identifier: Apache-2.0
// AutoMaintenance runs the automatic maintenance policy (issue 6 §5; off by default): every
// maintenance.auto.interval, inside a maintenance window, it turns each target's latest
// findings into requests (maintenance::PlanAutomaticMaintenance, pure) and submits them to the
// maintenance service with initiator "policy", so they pass the same guards, audit and bounded
// concurrency as an operator's. Loop-thread only: Submit only posts to the service's planner.
#pragma once

#include <utility>  // before Boost: its awaitable.hpp uses std::exchange without including it

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <vector>

#include "common/clock.h"
#include "http/maintenance_api.h"
#include "http/state_source.h"
#include "maintenance/auto_policy.h"
#include "maintenance/policy.h"

namespace pgvigil::daemon {

class AutoMaintenance {
 public:
  // Nothing is owned; all must outlive this object.
  AutoMaintenance(boost::asio::any_io_executor loop, maintenance::AutoPolicyOptions options,
                  const maintenance::MaintenancePolicy& policy, std::chrono::milliseconds interval,
                  const http::StateSource& state, http::MaintenanceService& service,
                  const common::Clock& clock);

  // Runs a pass every interval until Stop.
  boost::asio::awaitable<void> Run();
  void Stop();
  // One pass: the requests submitted (none outside a window or when disabled).
  std::vector<model::MaintenanceRequest> RunOnce();

 private:
  maintenance::AutoPolicyOptions options_;
  const maintenance::MaintenancePolicy& policy_;
  std::chrono::milliseconds interval_;
  const http::StateSource& state_;
  http::MaintenanceService& service_;
  const common::Clock& clock_;
  boost::asio::steady_timer timer_;
  bool stopping_ = false;
};

}  // namespace pgvigil::daemon
