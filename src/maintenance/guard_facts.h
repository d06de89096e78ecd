// SPDX-License-Identifier: Apache-2.0
// Reads off the server what the guards judge (guards.h) and the before / after figures, in one
// pipelined round trip each. Not thread-safe (uses the caller's session).
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "maintenance/guards.h"
#include "model/maintenance.h"
#include "pg/session.h"

namespace pgvigil::maintenance {

// pgvigil's advisory lock on a table: a bigint key whose high half is this class ("PGVL") and
// whose low half is the table's oid, so it collides with no other pgvigil lock and shows in
// pg_locks as classid = kAdvisoryLockClass, objid = the oid.
inline constexpr std::uint32_t kAdvisoryLockClass = 0x5047564C;
inline std::int64_t AdvisoryLockKey(std::uint32_t table_oid) {
  return (static_cast<std::int64_t>(kAdvisoryLockClass) << 32) | table_oid;
}

// Fills advisory_lock_pid, server_conflicts, invalid_indexes and has_privilege of `facts`
// for facts.relation (which must be set), and `before` with the relation's figures. The
// first failing query's status is returned; the facts read so far stay filled in.
common::Status ReadServerFacts(pg::Session& session, model::OperationKind kind, GuardFacts& facts,
                               model::RelationFigures& before);

// Progress rows of other backends on the table (the conflict re-check at execution).
common::Result<std::vector<ServerConflict>> ReadServerConflicts(pg::Session& session,
                                                                std::uint32_t table_oid);

common::Result<model::RelationFigures> ReadFigures(pg::Session& session,
                                                   const model::ResolvedRelation& relation);

// Qualified names of the table's invalid indexes.
common::Result<std::vector<std::string>> ReadInvalidIndexes(pg::Session& session,
                                                            std::uint32_t table_oid);

}  // namespace pgvigil::maintenance
