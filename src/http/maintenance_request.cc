// SPDX-License-Identifier: Apache-2.0
#include "http/maintenance_request.h"

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace pgvigil::http {
namespace {

using model::OperationKind;
using nlohmann::json;

common::Status Bad(std::string message) { return common::InvalidArgumentError(std::move(message)); }

common::Result<json> ParseObject(std::string_view body) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::exception& e) {
    return Bad(fmt::format("the body is not JSON: {}", e.what()));
  }
  if (!j.is_object()) return Bad("the body must be a JSON object");
  return j;
}

// Every key of `j` must be in `allowed`; `what` names the object in the message.
common::Status OnlyKnownFields(const json& j, std::initializer_list<std::string_view> allowed,
                               std::string_view what) {
  for (const auto& [key, value] : j.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      return Bad(fmt::format("unknown field '{}' in {} (expected {})", key.substr(0, kMaxNameBytes),
                             what, list));
    }
  }
  return common::Status::Ok();
}

const json* Find(const json& j, std::string_view key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  return &*it;
}

common::Status ReadBool(const json& j, std::string_view key, bool& out) {
  const json* v = Find(j, key);
  if (v == nullptr) return common::Status::Ok();
  if (!v->is_boolean()) return Bad(fmt::format("'{}' must be true or false", key));
  out = v->get<bool>();
  return common::Status::Ok();
}

// A plain string field (target, database, reason): any text up to `max_bytes`, no NUL.
common::Status ReadText(const json& j, std::string_view key, std::size_t max_bytes,
                        std::string& out) {
  const json* v = Find(j, key);
  if (v == nullptr) return common::Status::Ok();
  if (!v->is_string()) return Bad(fmt::format("'{}' must be a string", key));
  const std::string& s = v->get_ref<const std::string&>();
  if (s.size() > max_bytes) {
    return Bad(fmt::format("'{}' is longer than {} bytes", key, max_bytes));
  }
  if (s.find('\0') != std::string::npos) return Bad(fmt::format("'{}' contains a NUL byte", key));
  out = s;
  return common::Status::Ok();
}

// An exact relation name: a JSON string of 1 … 63 bytes without NUL. Quotes, semicolons and
// keywords are allowed: it is a name to look up, never SQL.
common::Status ReadName(const json& j, std::string_view key, std::string& out) {
  const json* v = Find(j, key);
  if (v == nullptr) return common::Status::Ok();
  if (!v->is_string()) return Bad(fmt::format("'{}' must be a string (an exact name)", key));
  const std::string& s = v->get_ref<const std::string&>();
  if (s.empty()) return Bad(fmt::format("'{}' must not be empty", key));
  if (s.size() > kMaxNameBytes) {
    return Bad(fmt::format("'{}' is longer than {} bytes: PostgreSQL has no such name", key,
                           kMaxNameBytes));
  }
  if (s.find('\0') != std::string::npos) return Bad(fmt::format("'{}' contains a NUL byte", key));
  out = s;
  return common::Status::Ok();
}

common::Status ReadSeconds(const json& j, std::string_view key, std::optional<double>& out) {
  const json* v = Find(j, key);
  if (v == nullptr) return common::Status::Ok();
  if (!v->is_number()) return Bad(fmt::format("'{}' must be a number of seconds", key));
  const double d = v->get<double>();
  if (!std::isfinite(d) || d < 0 || d > kMaxRecoverySeconds) {
    return Bad(fmt::format("'{}' must be between 0 and {} seconds", key, kMaxRecoverySeconds));
  }
  out = d;
  return common::Status::Ok();
}

common::Status ReadOptions(const json& j, OperationKind kind, model::MaintenanceOptions& out) {
  const json* v = Find(j, "options");
  if (v == nullptr) return common::Status::Ok();
  if (!v->is_object()) return Bad("'options' must be an object");
  PGV_RETURN_IF_ERROR(OnlyKnownFields(
      *v, {"full", "freeze", "analyze", "verbose", "index_cleanup", "concurrently"}, "options"));
  const auto applies = [&](std::string_view option) {
    switch (kind) {
      case OperationKind::kVacuum:
        return option != "concurrently";
      case OperationKind::kAnalyze:
        return option == "verbose";
      case OperationKind::kReindexIndex:
      case OperationKind::kReindexTable:
        return option == "verbose" || option == "concurrently";
      case OperationKind::kRecovery:
        return false;
    }
    return false;
  };
  for (const auto& [key, value] : v->items()) {
    if (!applies(key)) {
      return Bad(
          fmt::format("option '{}' does not apply to {}", key, model::OperationKindName(kind)));
    }
  }
  PGV_RETURN_IF_ERROR(ReadBool(*v, "full", out.full).WithContext("options"));
  PGV_RETURN_IF_ERROR(ReadBool(*v, "freeze", out.freeze).WithContext("options"));
  PGV_RETURN_IF_ERROR(ReadBool(*v, "analyze", out.analyze).WithContext("options"));
  PGV_RETURN_IF_ERROR(ReadBool(*v, "verbose", out.verbose).WithContext("options"));
  PGV_RETURN_IF_ERROR(ReadBool(*v, "concurrently", out.concurrently).WithContext("options"));
  if (const json* c = Find(*v, "index_cleanup"); c != nullptr) {
    const std::string word = c->is_string() ? c->get<std::string>() : std::string();
    if (word == "auto") {
      out.index_cleanup = model::IndexCleanup::kAuto;
    } else if (word == "on") {
      out.index_cleanup = model::IndexCleanup::kOn;
    } else if (word == "off") {
      out.index_cleanup = model::IndexCleanup::kOff;
    } else {
      return Bad("options: 'index_cleanup' must be \"auto\", \"on\" or \"off\"");
    }
  }
  return common::Status::Ok();
}

// What every form of the request must satisfy once read.
common::Status CheckRequest(const model::MaintenanceRequest& r) {
  const int objects = (!r.object.empty() ? 1 : 0) + (!r.finding.empty() ? 1 : 0);
  if (objects != 1) {
    return Bad(r.kind == OperationKind::kReindexIndex ? "give exactly one of 'index' or 'finding'"
                                                      : "give exactly one of 'table' or 'finding'");
  }
  if (!r.finding.empty() && !LooksLikeCheckId(r.finding)) {
    return Bad("'finding' must be a check id such as \"table.vacuum_overdue\"");
  }
  if (r.force && r.reason.empty()) {
    return Bad("'force' needs a 'reason' (it is kept in the audit trail)");
  }
  return common::Status::Ok();
}

}  // namespace

bool LooksLikeCheckId(std::string_view text) {
  if (text.empty() || text.size() > 100) return false;
  int words = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t dot = std::min(text.find('.', start), text.size());
    const std::string_view word = text.substr(start, dot - start);
    if (word.empty() || !(word[0] >= 'a' && word[0] <= 'z')) return false;
    for (char c : word) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    }
    ++words;
    start = dot + 1;
  }
  return words >= 2;
}

bool IsBlocking(const model::MaintenanceRequest& r) {
  switch (r.kind) {
    case OperationKind::kVacuum:
      return r.options.full;
    case OperationKind::kReindexIndex:
    case OperationKind::kReindexTable:
      return !r.options.concurrently;
    default:
      return false;
  }
}

common::Result<model::MaintenanceRequest> ParseMaintenanceBody(std::string_view body) {
  PGV_ASSIGN_OR_RETURN(const json j, ParseObject(body));
  PGV_RETURN_IF_ERROR(OnlyKnownFields(j,
                                      {"target", "database", "operation", "schema", "table",
                                       "index", "finding", "options", "dry_run", "force", "reason"},
                                      "the request"));
  model::MaintenanceRequest r;
  const json* op = Find(j, "operation");
  if (op == nullptr || !op->is_string()) {
    return Bad("'operation' is required: vacuum, analyze, reindex_index or reindex_table");
  }
  const auto kind = model::ParseOperationKind(op->get<std::string>());
  if (!kind.has_value() || *kind == OperationKind::kRecovery) {
    return Bad(
        "'operation' must be vacuum, analyze, reindex_index or reindex_table "
        "(recovery has its own route, /api/v1/recovery)");
  }
  r.kind = *kind;
  PGV_RETURN_IF_ERROR(ReadText(j, "target", kMaxNameBytes, r.target));
  PGV_RETURN_IF_ERROR(ReadName(j, "database", r.database));
  PGV_RETURN_IF_ERROR(ReadName(j, "schema", r.schema));
  std::string table;
  std::string index;
  PGV_RETURN_IF_ERROR(ReadName(j, "table", table));
  PGV_RETURN_IF_ERROR(ReadName(j, "index", index));
  if (r.kind == OperationKind::kReindexIndex && !table.empty()) {
    return Bad("reindex_index takes 'index', not 'table'");
  }
  if (r.kind != OperationKind::kReindexIndex && !index.empty()) {
    return Bad(fmt::format("{} takes 'table', not 'index'", model::OperationKindName(r.kind)));
  }
  r.object = r.kind == OperationKind::kReindexIndex ? index : table;
  if (const json* f = Find(j, "finding"); f != nullptr) {
    if (!f->is_string()) return Bad("'finding' must be a string (a check id)");
    r.finding = f->get<std::string>();
  }
  PGV_RETURN_IF_ERROR(ReadOptions(j, r.kind, r.options));
  PGV_RETURN_IF_ERROR(ReadBool(j, "dry_run", r.dry_run));
  PGV_RETURN_IF_ERROR(ReadBool(j, "force", r.force));
  PGV_RETURN_IF_ERROR(ReadText(j, "reason", kMaxReasonBytes, r.reason));
  PGV_RETURN_IF_ERROR(CheckRequest(r));
  return r;
}

common::Result<model::MaintenanceRequest> ParseSeedMaintenanceBody(std::string_view body) {
  PGV_ASSIGN_OR_RETURN(const json j, ParseObject(body));
  PGV_RETURN_IF_ERROR(OnlyKnownFields(
      j,
      {"target", "database", "operationType", "tableName", "indexName", "schemaName", "concurrent",
       "verbose", "analyze", "full", "dryRun", "force", "reason"},
      "the request"));
  model::MaintenanceRequest r;
  const json* op = Find(j, "operationType");
  const std::string type = op != nullptr && op->is_string() ? op->get<std::string>() : "";
  std::string table;
  std::string index;
  PGV_RETURN_IF_ERROR(ReadName(j, "tableName", table));
  PGV_RETURN_IF_ERROR(ReadName(j, "indexName", index));
  if (type == "vacuum") {
    r.kind = OperationKind::kVacuum;
  } else if (type == "analyze") {
    r.kind = OperationKind::kAnalyze;
  } else if (type == "reindex") {
    r.kind = index.empty() ? OperationKind::kReindexTable : OperationKind::kReindexIndex;
  } else {
    return Bad("'operationType' is required: vacuum, analyze or reindex");
  }
  if (!index.empty() && r.kind != OperationKind::kReindexIndex) {
    return Bad(fmt::format("'indexName' applies to reindex only, not {}", type));
  }
  if (!index.empty() && !table.empty()) return Bad("give 'tableName' or 'indexName', not both");
  r.object = index.empty() ? table : index;
  PGV_RETURN_IF_ERROR(ReadText(j, "target", kMaxNameBytes, r.target));
  PGV_RETURN_IF_ERROR(ReadName(j, "database", r.database));
  PGV_RETURN_IF_ERROR(ReadName(j, "schemaName", r.schema));
  bool analyze = false;
  bool full = false;
  PGV_RETURN_IF_ERROR(ReadBool(j, "concurrent", r.options.concurrently));
  PGV_RETURN_IF_ERROR(ReadBool(j, "verbose", r.options.verbose));
  PGV_RETURN_IF_ERROR(ReadBool(j, "analyze", analyze));
  PGV_RETURN_IF_ERROR(ReadBool(j, "full", full));
  if ((analyze || full) && r.kind != OperationKind::kVacuum) {
    return Bad("'analyze' and 'full' apply to vacuum only");
  }
  if (Find(j, "concurrent") != nullptr && r.kind != OperationKind::kReindexIndex &&
      r.kind != OperationKind::kReindexTable) {
    return Bad("'concurrent' applies to reindex only");
  }
  r.options.analyze = analyze;
  r.options.full = full;
  PGV_RETURN_IF_ERROR(ReadBool(j, "dryRun", r.dry_run));
  PGV_RETURN_IF_ERROR(ReadBool(j, "force", r.force));
  PGV_RETURN_IF_ERROR(ReadText(j, "reason", kMaxReasonBytes, r.reason));
  if (r.object.empty()) return Bad("'tableName' (or 'indexName' for reindex) is required");
  PGV_RETURN_IF_ERROR(CheckRequest(r));
  return r;
}

common::Result<model::MaintenanceRequest> ParseOptimizeBody(std::string_view body) {
  PGV_ASSIGN_OR_RETURN(const json j, ParseObject(body));
  PGV_RETURN_IF_ERROR(OnlyKnownFields(
      j, {"target", "database", "action", "table_name", "schema_name", "dry_run"}, "the request"));
  model::MaintenanceRequest r;
  const json* action = Find(j, "action");
  const std::string a = action != nullptr && action->is_string() ? action->get<std::string>() : "";
  if (a == "analyze_table" || a == "update_statistics") {
    r.kind = OperationKind::kAnalyze;
  } else if (a == "reindex_table") {
    r.kind = OperationKind::kReindexTable;
  } else if (a == "vacuum_analyze") {
    r.kind = OperationKind::kVacuum;
    r.options.analyze = true;
  } else {
    return Bad(
        "'action' is required: analyze_table, reindex_table, vacuum_analyze or "
        "update_statistics");
  }
  PGV_RETURN_IF_ERROR(ReadText(j, "target", kMaxNameBytes, r.target));
  PGV_RETURN_IF_ERROR(ReadName(j, "database", r.database));
  PGV_RETURN_IF_ERROR(ReadName(j, "schema_name", r.schema));
  PGV_RETURN_IF_ERROR(ReadName(j, "table_name", r.object));
  PGV_RETURN_IF_ERROR(ReadBool(j, "dry_run", r.dry_run));
  if (r.object.empty()) return Bad("'table_name' is required");
  PGV_RETURN_IF_ERROR(CheckRequest(r));
  return r;
}

common::Result<RecoveryApiRequest> ParseRecoveryBody(std::string_view body) {
  PGV_ASSIGN_OR_RETURN(const json j, ParseObject(body));
  PGV_RETURN_IF_ERROR(OnlyKnownFields(
      j,
      {"target", "database", "cancel_running_longer_than_s", "terminate_idle_longer_than_s",
       "terminate_idle_in_transaction_longer_than_s", "dry_run", "confirm"},
      "the request"));
  RecoveryApiRequest r;
  PGV_RETURN_IF_ERROR(ReadText(j, "target", kMaxNameBytes, r.target));
  PGV_RETURN_IF_ERROR(ReadName(j, "database", r.database));
  PGV_RETURN_IF_ERROR(
      ReadSeconds(j, "cancel_running_longer_than_s", r.cancel_running_longer_than_s));
  PGV_RETURN_IF_ERROR(
      ReadSeconds(j, "terminate_idle_longer_than_s", r.terminate_idle_longer_than_s));
  PGV_RETURN_IF_ERROR(ReadSeconds(j, "terminate_idle_in_transaction_longer_than_s",
                                  r.terminate_idle_in_transaction_longer_than_s));
  if (!r.cancel_running_longer_than_s && !r.terminate_idle_longer_than_s &&
      !r.terminate_idle_in_transaction_longer_than_s) {
    return Bad(
        "give at least one of cancel_running_longer_than_s, "
        "terminate_idle_longer_than_s, terminate_idle_in_transaction_longer_than_s");
  }
  PGV_RETURN_IF_ERROR(ReadBool(j, "dry_run", r.dry_run));
  if (const json* confirm = Find(j, "confirm"); confirm != nullptr) {
    if (!confirm->is_array()) return Bad("'confirm' must be a list of {pid, backend_start}");
    if (confirm->size() > 10000) return Bad("'confirm' lists more than 10000 backends");
    for (const json& item : *confirm) {
      if (!item.is_object()) return Bad("'confirm' must be a list of {pid, backend_start}");
      PGV_RETURN_IF_ERROR(OnlyKnownFields(item, {"pid", "backend_start"}, "a confirm entry"));
      const json* pid = Find(item, "pid");
      if (pid == nullptr || !pid->is_number_integer() || pid->get<std::int64_t>() < 1 ||
          pid->get<std::int64_t>() > std::numeric_limits<int>::max()) {
        return Bad("confirm: 'pid' must be a positive integer");
      }
      model::RecoveryBackend b;
      b.pid = pid->get<int>();
      PGV_RETURN_IF_ERROR(
          ReadText(item, "backend_start", 64, b.backend_start).WithContext("confirm"));
      if (b.backend_start.empty()) return Bad("confirm: 'backend_start' is required");
      r.confirm.push_back(std::move(b));
    }
    if (r.dry_run && !r.confirm.empty()) {
      return Bad("'confirm' lists backends to act on: it needs \"dry_run\": false");
    }
  }
  return r;
}

}  // namespace pgvigil::http
