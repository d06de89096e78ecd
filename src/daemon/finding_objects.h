// SPDX-License-Identifier: Apache-2.0
// Expands a maintenance request that names a finding ("every table with table.vacuum_overdue")
// into one request per object that finding names in the target's latest analysis. A finding's
// object is "datname.schema.relation" (analysis::RelationObject, unquoted); it is matched
// against the tables and indexes of the latest snapshot, so names holding dots resolve to the
// exact relation; an object the snapshot does not list is split at its first two dots. Pure.
#pragma once

#include <vector>

#include "common/result.h"
#include "model/maintenance.h"
#include "model/target_state.h"

namespace pgvigil::daemon {

// `request.finding` must be set. Each result has database, schema and object (table, or index
// for reindex_index) set and finding cleared; the request's database, when set, keeps only
// objects of that database. kNotFound when the latest analysis has no such object (or no
// analysis yet).
common::Result<std::vector<model::MaintenanceRequest>> ExpandFinding(
    const model::MaintenanceRequest& request, const model::TargetState& state);

}  // namespace pgvigil::daemon
