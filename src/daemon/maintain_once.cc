// SPDX-License-Identifier: Apache-2.0
#include "daemon/maintain_once.h"

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "pg/dsn.h"

namespace pgvigil::daemon {
namespace {

nlohmann::ordered_json Figures(const model::RelationFigures& f) {
  auto value = [](const std::optional<std::int64_t>& v) {
    return v.has_value() ? nlohmann::ordered_json(*v) : nlohmann::ordered_json(nullptr);
  };
  return {{"size_bytes", value(f.size_bytes)},
          {"dead_tuples", value(f.dead_tuples)},
          {"live_tuples", value(f.live_tuples)}};
}

nlohmann::ordered_json Time(const std::optional<common::Timestamp>& t) {
  return t.has_value() ? nlohmann::ordered_json(common::FormatTimestamp(*t))
                       : nlohmann::ordered_json(nullptr);
}

std::string_view IndexCleanupName(model::IndexCleanup c) {
  switch (c) {
    case model::IndexCleanup::kAuto:
      return "auto";
    case model::IndexCleanup::kOn:
      return "on";
    case model::IndexCleanup::kOff:
      return "off";
  }
  return "auto";
}

}  // namespace

common::Result<model::MaintenanceOperation> MaintainOnce(const MaintainOnceOptions& options) {
  std::string dsn = options.dsn;
  if (!options.database.empty()) {
    auto for_database = pg::DsnForDatabase(dsn, options.database);
    if (!for_database.has_value()) return for_database.error();
    dsn = *for_database;
  }
  const common::Clock& clock = common::SystemClock::Instance();
  auto runner = maintenance::MakeOperationRunner(clock);
  maintenance::PlanContext context;
  context.dsn = dsn;
  context.policy = &options.policy;
  context.now = clock.Now();
  model::MaintenanceRequest request = options.request;
  if (request.initiator.empty()) request.initiator = "cli";
  if (request.initiator_role.empty()) request.initiator_role = "cli";
  if (request.database.empty()) request.database = options.database;
  model::MaintenanceOperation op = runner->Plan(request, context);
  if (request.dry_run || op.state != model::OperationState::kPlanned) return op;
  maintenance::ExecutionObserver observer;
  observer.on_progress = options.on_progress;
  static const maintenance::CancelFlag kNeverCancelled;
  return runner->Execute(std::move(op), context, observer,
                         options.cancel != nullptr ? *options.cancel : kNeverCancelled);
}

std::string MaintenanceOperationJson(const model::MaintenanceOperation& op) {
  nlohmann::ordered_json guards = nlohmann::ordered_json::array();
  for (const model::GuardVerdict& g : op.guards) {
    guards.push_back({{"guard", g.guard},
                      {"outcome", std::string(model::GuardOutcomeName(g.outcome))},
                      {"detail", g.detail}});
  }
  nlohmann::ordered_json duration = nullptr;
  if (op.started_at.has_value() && op.finished_at.has_value()) {
    duration = std::chrono::duration<double>(*op.finished_at - *op.started_at).count();
  }
  nlohmann::ordered_json progress = nullptr;
  if (op.progress.has_value()) {
    progress = {
        {"phase", op.progress->phase},
        {"percent", op.progress->percent.has_value() ? nlohmann::ordered_json(*op.progress->percent)
                                                     : nlohmann::ordered_json(nullptr)}};
  }
  const nlohmann::ordered_json j = {
      {"id", op.id},
      {"target", op.target},
      {"database", op.database},
      {"operation", std::string(model::OperationKindName(op.kind))},
      {"object", op.object},
      {"options",
       {{"full", op.options.full},
        {"freeze", op.options.freeze},
        {"analyze", op.options.analyze},
        {"verbose", op.options.verbose},
        {"index_cleanup", std::string(IndexCleanupName(op.options.index_cleanup))},
        {"concurrently", op.options.concurrently}}},
      {"sql", op.sql},
      {"guards", guards},
      {"state", std::string(model::OperationStateName(op.state))},
      {"initiator", op.initiator},
      {"initiator_role", op.initiator_role},
      {"forced", op.forced},
      {"reason", op.reason},
      {"created_at", common::FormatTimestamp(op.created_at)},
      {"started_at", Time(op.started_at)},
      {"finished_at", Time(op.finished_at)},
      {"duration_s", duration},
      {"before", Figures(op.before)},
      {"after", Figures(op.after)},
      {"lock_attempts", op.lock_attempts},
      {"sqlstate", op.sqlstate},
      {"message", op.message},
      {"progress", progress},
      {"backends", nlohmann::ordered_json::array()}};
  // Names come from the catalogue and may hold any bytes: replace invalid UTF-8 rather than
  // throw.
  return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace pgvigil::daemon
