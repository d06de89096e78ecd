// SPDX-License-Identifier: Apache-2.0
// The JSON form of a Snapshot: what `pgvigil collect` prints, what the store keeps and what
// the API serves. Field names are the model's (PostgreSQL's column names). Thread-safe.
#pragma once

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "model/snapshot.h"

namespace pgvigil::store {

nlohmann::json SnapshotToJson(const model::Snapshot& snapshot);

// kInvalidArgument with the parser's reason when `json` is not a snapshot.
common::Result<model::Snapshot> SnapshotFromJson(const nlohmann::json& json);

}  // namespace pgvigil::store

namespace pgvigil::store {

// Writes the same JSON as SnapshotToJson(snapshot).dump(indent), one part at a time, so that
// a large snapshot (thousands of tables, indexes and statements) never exists as one DOM.
// indent < 0 writes one line.
void WriteSnapshotJson(const model::Snapshot& snapshot, std::ostream& out, int indent);

}  // namespace pgvigil::store
