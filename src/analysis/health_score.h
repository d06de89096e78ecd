// SPDX-License-Identifier: Apache-2.0
// The health verdict over a set of findings: status, a 0–100 score and the reasons in words.
// Deterministic; the formula is in analysis/README.md. Pure, thread-safe.
#pragma once

#include <vector>

#include "model/finding.h"
#include "model/health_report.h"

namespace pgvigil::analysis {

model::HealthReport ScoreFindings(std::string target, std::vector<model::Finding> findings);

// ScoreFindings for findings already in SortFindings' order (Reanalyze keeps that order while
// it merges): the same report without sorting again.
model::HealthReport ScoreSortedFindings(std::string target, model::FindingList findings);

// Sorts findings most severe first, then by id and object (a stable order for reports).
void SortFindings(std::vector<model::Finding>& findings);

// SortFindings' order: whether `a` comes before `b`.
bool FindingBefore(const model::Finding& a, const model::Finding& b);

// The names live with the enums in model/finding.h.
using model::HealthStatusName;
using model::SeverityName;

}  // namespace pgvigil::analysis
