// SPDX-License-Identifier: Apache-2.0
// Checks a maintenance request before anything touches the server: names that PostgreSQL would
// silently truncate or cannot store, options that make no sense for the operation, a force
// without a reason. Pure functions, thread-safe.
#pragma once

#include <string_view>

#include "common/status.h"
#include "model/maintenance.h"

namespace pgvigil::maintenance {

// PostgreSQL's NAMEDATALEN - 1: a longer identifier is truncated to this many bytes, and the
// truncated name could be ANOTHER relation's, so a longer name is refused, never cut.
inline constexpr size_t kMaxIdentifierBytes = 63;

// A name as the catalogue stores it: non-empty, at most 63 bytes, no NUL. `what` is "table",
// "schema", … for the message. Any other byte is allowed: the name is compared with the
// catalogue as a bind parameter and quoted on output, so `a"; DROP TABLE x; --` is a name.
common::Status ValidateName(std::string_view what, std::string_view name);

// The whole request, for the operations of this engine (not kRecovery): the object name (the
// schema when given), options that apply to the kind, and a reason with force.
// kInvalidArgument with the reason in words.
common::Status ValidateRequest(const model::MaintenanceRequest& request);

// True for operations that hold a lock blocking the application for their whole run: VACUUM
// FULL (ACCESS EXCLUSIVE) and REINDEX without CONCURRENTLY (SHARE: writes wait).
bool IsBlocking(model::OperationKind kind, const model::MaintenanceOptions& options);

}  // namespace pgvigil::maintenance
