// SPDX-License-Identifier: Apache-2.0
#include "store/operation_json.h"

#include <chrono>

#include <fmt/format.h>

namespace pgvigil::store {
namespace {

using nlohmann::json;

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

json OptionalInt(const std::optional<std::int64_t>& v) {
  return v.has_value() ? json(*v) : json(nullptr);
}

json OptionalTime(const std::optional<common::Timestamp>& t) {
  return t.has_value() ? json(common::FormatTimestamp(*t)) : json(nullptr);
}

// Reads the stored JSON back; a malformed column is an internal error naming the field.
template <typename Fn>
auto Guarded(std::string_view what, Fn&& fn) -> common::Result<decltype(fn())> {
  try {
    return fn();
  } catch (const json::exception& e) {
    return common::InternalError(fmt::format("stored {} is malformed: {}", what, e.what()));
  }
}

std::optional<std::int64_t> OptionalIntFrom(const json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return it->get<std::int64_t>();
}

}  // namespace

json OptionsToJson(const model::MaintenanceOptions& o) {
  return {{"full", o.full},
          {"freeze", o.freeze},
          {"analyze", o.analyze},
          {"verbose", o.verbose},
          {"index_cleanup", std::string(IndexCleanupName(o.index_cleanup))},
          {"concurrently", o.concurrently}};
}

common::Result<model::MaintenanceOptions> OptionsFromJson(const json& j) {
  return Guarded("options", [&] {
    model::MaintenanceOptions o;
    o.full = j.value("full", false);
    o.freeze = j.value("freeze", false);
    o.analyze = j.value("analyze", false);
    o.verbose = j.value("verbose", false);
    const std::string cleanup = j.value("index_cleanup", std::string("auto"));
    o.index_cleanup = cleanup == "on"    ? model::IndexCleanup::kOn
                      : cleanup == "off" ? model::IndexCleanup::kOff
                                         : model::IndexCleanup::kAuto;
    o.concurrently = j.value("concurrently", true);
    return o;
  });
}

json GuardsToJson(const std::vector<model::GuardVerdict>& guards) {
  json out = json::array();
  for (const model::GuardVerdict& g : guards) {
    out.push_back({{"guard", g.guard},
                   {"outcome", std::string(model::GuardOutcomeName(g.outcome))},
                   {"detail", g.detail}});
  }
  return out;
}

common::Result<std::vector<model::GuardVerdict>> GuardsFromJson(const json& j) {
  return Guarded("guards", [&] {
    std::vector<model::GuardVerdict> out;
    for (const json& g : j) {
      model::GuardVerdict v;
      v.guard = g.at("guard").get<std::string>();
      const std::string outcome = g.at("outcome").get<std::string>();
      v.outcome = outcome == "pass"   ? model::GuardOutcome::kPass
                  : outcome == "warn" ? model::GuardOutcome::kWarn
                                      : model::GuardOutcome::kRefuse;
      v.detail = g.value("detail", std::string());
      out.push_back(std::move(v));
    }
    return out;
  });
}

json FiguresToJson(const model::RelationFigures& f) {
  return {{"size_bytes", OptionalInt(f.size_bytes)},
          {"dead_tuples", OptionalInt(f.dead_tuples)},
          {"live_tuples", OptionalInt(f.live_tuples)}};
}

common::Result<model::RelationFigures> FiguresFromJson(const json& j) {
  return Guarded("figures", [&] {
    model::RelationFigures f;
    f.size_bytes = OptionalIntFrom(j, "size_bytes");
    f.dead_tuples = OptionalIntFrom(j, "dead_tuples");
    f.live_tuples = OptionalIntFrom(j, "live_tuples");
    return f;
  });
}

json ProgressToJson(const std::optional<model::OperationProgress>& p) {
  if (!p.has_value()) return nullptr;
  return {{"phase", p->phase},
          {"percent", p->percent.has_value() ? json(*p->percent) : json(nullptr)}};
}

common::Result<std::optional<model::OperationProgress>> ProgressFromJson(const json& j) {
  return Guarded("progress", [&]() -> std::optional<model::OperationProgress> {
    if (j.is_null()) return std::nullopt;
    model::OperationProgress p;
    p.phase = j.value("phase", std::string());
    if (const auto it = j.find("percent"); it != j.end() && !it->is_null()) {
      p.percent = it->get<double>();
    }
    return p;
  });
}

json SqlParamsToJson(const std::vector<std::vector<std::string>>& params) {
  json out = json::array();
  for (const std::vector<std::string>& line : params) out.push_back(line);
  return out;
}

common::Result<std::vector<std::vector<std::string>>> SqlParamsFromJson(const json& j) {
  return Guarded("sql_params", [&] { return j.get<std::vector<std::vector<std::string>>>(); });
}

json BackendsToJson(const std::vector<model::RecoveryBackend>& backends) {
  json out = json::array();
  for (const model::RecoveryBackend& b : backends) {
    out.push_back({{"pid", b.pid},
                   {"backend_start", b.backend_start},
                   {"datname", b.datname},
                   {"usename", b.usename},
                   {"application_name", b.application_name},
                   {"state", b.state},
                   {"age_seconds", b.age_seconds},
                   {"query", b.query},
                   {"action", b.action},
                   {"outcome", b.outcome}});
  }
  return out;
}

common::Result<std::vector<model::RecoveryBackend>> BackendsFromJson(const json& j) {
  return Guarded("backends", [&] {
    std::vector<model::RecoveryBackend> out;
    for (const json& b : j) {
      model::RecoveryBackend r;
      r.pid = b.at("pid").get<int>();
      r.backend_start = b.value("backend_start", std::string());
      r.datname = b.value("datname", std::string());
      r.usename = b.value("usename", std::string());
      r.application_name = b.value("application_name", std::string());
      r.state = b.value("state", std::string());
      r.age_seconds = b.value("age_seconds", 0.0);
      r.query = b.value("query", std::string());
      r.action = b.value("action", std::string());
      r.outcome = b.value("outcome", std::string());
      out.push_back(std::move(r));
    }
    return out;
  });
}

json OperationToJson(const model::MaintenanceOperation& op) {
  json duration = nullptr;
  if (op.started_at.has_value() && op.finished_at.has_value()) {
    duration = std::chrono::duration<double>(*op.finished_at - *op.started_at).count();
  }
  return {{"id", op.id},
          {"target", op.target},
          {"database", op.database},
          {"operation", std::string(model::OperationKindName(op.kind))},
          {"object", op.object},
          {"options", OptionsToJson(op.options)},
          {"sql", op.sql},
          {"sql_params", SqlParamsToJson(op.sql_params)},
          {"guards", GuardsToJson(op.guards)},
          {"state", std::string(model::OperationStateName(op.state))},
          {"initiator", op.initiator},
          {"initiator_role", op.initiator_role},
          {"forced", op.forced},
          {"reason", op.reason},
          {"created_at", common::FormatTimestamp(op.created_at)},
          {"started_at", OptionalTime(op.started_at)},
          {"finished_at", OptionalTime(op.finished_at)},
          {"duration_s", std::move(duration)},
          {"before", FiguresToJson(op.before)},
          {"after", FiguresToJson(op.after)},
          {"lock_attempts", op.lock_attempts},
          {"sqlstate", op.sqlstate},
          {"message", op.message},
          {"progress", ProgressToJson(op.progress)},
          {"backends", BackendsToJson(op.backends)}};
}

std::string OperationJsonText(const model::MaintenanceOperation& op) {
  return OperationToJson(op).dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace pgvigil::store
