// SPDX-License-Identifier: Apache-2.0
#include "daemon/auto_maintenance.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "analysis/snapshot_helpers.h"
#include "common/log.h"

namespace pgvigil::daemon {

AutoMaintenance::AutoMaintenance(boost::asio::any_io_executor loop,
                                 maintenance::AutoPolicyOptions options,
                                 const maintenance::MaintenancePolicy& policy,
                                 std::chrono::milliseconds interval, const http::StateSource& state,
                                 http::MaintenanceService& service, const common::Clock& clock)
    : options_(options),
      policy_(policy),
      interval_(interval),
      state_(state),
      service_(service),
      clock_(clock),
      timer_(loop) {}

boost::asio::awaitable<void> AutoMaintenance::Run() {
  while (!stopping_) {
    timer_.expires_after(interval_);
    boost::system::error_code ec;
    co_await timer_.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ec));
    if (stopping_) co_return;
    RunOnce();
  }
}

void AutoMaintenance::Stop() {
  stopping_ = true;
  timer_.cancel();
}

std::vector<model::MaintenanceRequest> AutoMaintenance::RunOnce() {
  std::vector<model::MaintenanceRequest> submitted;
  if (!options_.enabled) return submitted;
  const bool inside = maintenance::InsideAnyWindow(policy_.windows, clock_.Now());
  if (!inside) return submitted;
  for (const auto& state : state_.Targets()) {
    if (state == nullptr || state->report == nullptr) continue;
    maintenance::AutoPolicyInput input;
    input.target = state->name;
    input.findings = state->report->findings.Copy();
    input.inside_window = inside;
    input.snapshot = state->current.get();
    if (state->current != nullptr) {
      for (const model::IndexStats& i : state->current->indexes) {
        input.index_size_bytes[analysis::RelationObject(i.datname, i.schemaname, i.indexrelname)] =
            i.estimated_size_bytes;
      }
    }
    for (model::MaintenanceRequest& r : maintenance::PlanAutomaticMaintenance(input, options_)) {
      r.target = state->name;
      r.initiator = "policy";
      r.initiator_role = "policy";
      submitted.push_back(r);
      service_.Submit(std::move(r), [target = state->name](auto result) {
        if (!result.has_value()) {
          common::Log(common::LogLevel::kWarn, "maintenance", "automatic policy on {}: {}", target,
                      result.error().message());
        }
      });
    }
  }
  return submitted;
}

}  // namespace pgvigil::daemon
