// SPDX-License-Identifier: Apache-2.0
// Finds the relation a request names, on the server, by EXACT name: pg_class / pg_namespace
// compared with bind parameters (never SQL text parsing such as to_regclass, which would read
// `MiXeD` as mixed and `a.b` as a qualified name). Not thread-safe (uses the caller's session).
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"
#include "model/maintenance.h"
#include "pg/session.h"

namespace pgvigil::maintenance {

// The one relation of the request's name (and schema, when given) that fits its kind: a table
// (or matview, partitioned table) for vacuum / analyze / reindex_table, an index for
// reindex_index. kNotFound when there is none; kInvalidArgument when the name is ambiguous
// (the message lists the schemas); kUnavailable etc. when the server could not be asked.
common::Result<model::ResolvedRelation> ResolveRelation(pg::Session& session,
                                                        const model::MaintenanceRequest& request);

// Checks that `relation.oid` still bears the resolved schema and name (not dropped or renamed
// since planning). kNotFound with the reason when not.
common::Status RecheckRelation(pg::Session& session, const model::ResolvedRelation& relation);

// "schema.name" for messages and the operation's `object` (exact names, unquoted).
std::string DisplayName(const model::ResolvedRelation& relation);

}  // namespace pgvigil::maintenance
