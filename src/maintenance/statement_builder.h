// SPDX-License-Identifier: Apache-2.0
// The exact maintenance statement for a relation resolved on the server. The only place that
// composes maintenance SQL: names are always those the server returned, quoted by
// pg::QuoteQualifiedName; options come from a fixed set of words. Pure, thread-safe.
#pragma once

#include <string>

#include "model/maintenance.h"

namespace pgvigil::maintenance {

// VACUUM (FULL, FREEZE, VERBOSE, ANALYZE, INDEX_CLEANUP ON) "s"."t"   (no list when no option)
// ANALYZE (VERBOSE) "s"."t"
// REINDEX (VERBOSE) INDEX CONCURRENTLY "s"."i"      (the form every supported major, 13+, reads)
// REINDEX TABLE "s"."t"
// `server_major` selects version-specific forms: INDEX_CLEANUP AUTO (14+) is never written (it
// is the default), so the statement is the same on 13 to 18.
std::string BuildStatement(model::OperationKind kind, const model::ResolvedRelation& relation,
                           const model::MaintenanceOptions& options, int server_major);

}  // namespace pgvigil::maintenance
