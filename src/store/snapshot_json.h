// SPDX-License-Identifier: Apache-2.0
// The JSON form of a Snapshot: what `pgvigil collect` prints, what the store keeps and what
// the API serves. Field names are the model's (PostgreSQL's column names). Thread-safe.
#pragma once

#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "model/snapshot.h"

namespace pgvigil::store {

nlohmann::json SnapshotToJson(const model::Snapshot& snapshot);

// Only the named parts ("tables", "activity", …, the Snapshot's field names), each under its
// own key: what the API's health views serve without serialising the whole snapshot. Unknown
// names are left out.
nlohmann::json SnapshotPartsToJson(const model::Snapshot& snapshot,
                                   std::initializer_list<std::string_view> parts);

// kInvalidArgument with the parser's reason when `json` is not a snapshot.
common::Result<model::Snapshot> SnapshotFromJson(const nlohmann::json& json);

}  // namespace pgvigil::store

namespace pgvigil::store {

// Writes the same JSON as SnapshotToJson(snapshot).dump(indent), one part at a time, so that
// a large snapshot (thousands of tables, indexes and statements) never exists as one DOM.
// indent < 0 writes one line.
void WriteSnapshotJson(const model::Snapshot& snapshot, std::ostream& out, int indent);

}  // namespace pgvigil::store
