// SPDX-License-Identifier: Apache-2.0
// The pure half of `pgvigil check --exact`: which relations the table.bloat / index.bloat
// findings name (by oid, from the snapshot's bloat inputs), and the findings amended with what
// pgstattuple measured: the measured share as the value, the severity classified again with the
// same thresholds, the estimate kept in the evidence. The measuring is collect/exact_bloat.h.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "analysis/thresholds.h"
#include "model/exact_bloat.h"
#include "model/finding.h"
#include "model/snapshot.h"

namespace pgvigil::daemon {

// The oids of the relations the bloat findings name, in the order of the findings, each once.
std::vector<std::uint32_t> FlaggedBloatOids(std::span<const model::Finding> findings,
                                            const model::Snapshot& snapshot);

// Amends every bloat finding with its relation's figure in `measured` (a skipped one gets an
// evidence line saying why, and keeps the estimate). `unmeasured`, when not empty, is added as
// an evidence line to every bloat finding instead (pgstattuple missing, the query failed).
void AmendBloatFindings(std::vector<model::Finding>& findings, const model::Snapshot& snapshot,
                        std::span<const model::ExactBloat> measured,
                        const analysis::Thresholds& thresholds, const std::string& unmeasured = "");

}  // namespace pgvigil::daemon
