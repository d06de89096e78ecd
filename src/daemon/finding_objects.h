// SPDX-License-Identifier: Apache-2.0
// Expands a maintenance request that names a finding ("every table with table.vacuum_overdue")
// into one request per object that finding names in the target's latest analysis. Objects are
// resolved against the latest snapshot by model::FindRelationByObject (exact names, so names
// holding dots resolve to the right relation), as the automatic policy does. Pure.
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
