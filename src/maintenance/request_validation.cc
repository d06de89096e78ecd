// SPDX-License-Identifier: Apache-2.0
#include "maintenance/request_validation.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace pgvigil::maintenance {
namespace {

using common::Status;
using model::OperationKind;

bool IsBlank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

bool IsReindex(OperationKind kind) {
  return kind == OperationKind::kReindexIndex || kind == OperationKind::kReindexTable;
}

}  // namespace

Status ValidateName(std::string_view what, std::string_view name) {
  if (name.empty()) return common::InvalidArgumentError(std::string(what) + " name is empty");
  if (name.find('\0') != std::string_view::npos) {
    return common::InvalidArgumentError(std::string(what) + " name contains a NUL byte");
  }
  if (name.size() > kMaxIdentifierBytes) {
    return common::InvalidArgumentError(
        std::string(what) + " name is " + std::to_string(name.size()) + " bytes long; " +
        "PostgreSQL names have at most 63 bytes (a longer one would be truncated and could name " +
        "another relation)");
  }
  return Status::Ok();
}

Status ValidateRequest(const model::MaintenanceRequest& request) {
  const OperationKind kind = request.kind;
  if (kind == OperationKind::kRecovery) {
    return common::InvalidArgumentError("recovery is not a maintenance operation on a relation");
  }
  if (Status s =
          ValidateName(kind == OperationKind::kReindexIndex ? "index" : "table", request.object);
      !s.ok()) {
    return s;
  }
  if (!request.schema.empty()) {
    if (Status s = ValidateName("schema", request.schema); !s.ok()) return s;
  }
  const model::MaintenanceOptions& o = request.options;
  const std::string name(model::OperationKindName(kind));
  if (kind != OperationKind::kVacuum) {
    if (o.full) return common::InvalidArgumentError("full applies to vacuum only, not " + name);
    if (o.freeze) return common::InvalidArgumentError("freeze applies to vacuum only, not " + name);
    if (o.analyze) {
      return common::InvalidArgumentError("analyze applies to vacuum only, not " + name);
    }
    if (o.index_cleanup != model::IndexCleanup::kAuto) {
      return common::InvalidArgumentError("index_cleanup applies to vacuum only, not " + name);
    }
  }
  // concurrently defaults to true for every kind, so only turning it off says something; it
  // is a word about REINDEX and meaningless elsewhere.
  if (!IsReindex(kind) && !o.concurrently) {
    return common::InvalidArgumentError("concurrently applies to reindex only, not " + name);
  }
  if (request.force && IsBlank(request.reason)) {
    return common::InvalidArgumentError("force needs a reason (it is audited)");
  }
  if (request.reason.find('\0') != std::string::npos) {
    return common::InvalidArgumentError("reason contains a NUL byte");
  }
  return Status::Ok();
}

bool IsBlocking(model::OperationKind kind, const model::MaintenanceOptions& options) {
  if (kind == OperationKind::kVacuum) return options.full;
  if (IsReindex(kind)) return !options.concurrently;
  return false;
}

}  // namespace pgvigil::maintenance
