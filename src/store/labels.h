// SPDX-License-Identifier: Apache-2.0
// The canonical text of a label set, the key of a series in the store: "datname=app,state=idle"
// (sorted by key; '\', ',' and '=' inside a key or value escaped with '\'). Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "model/metric_point.h"

namespace pgvigil::store {

// Sorts by key (the last of repeated keys wins) and escapes.
std::string CanonicalLabels(model::MetricLabels labels);

// The inverse of CanonicalLabels; kInvalidArgument on a malformed text.
common::Result<model::MetricLabels> ParseLabels(std::string_view text);

// Whether every pair of `filter` is in `labels` (an empty filter matches everything).
bool LabelsMatch(const model::MetricLabels& labels, const model::MetricLabels& filter);

}  // namespace pgvigil::store
