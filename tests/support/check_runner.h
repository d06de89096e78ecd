// SPDX-License-Identifier: Apache-2.0
// Runs one analysis check on hand-built snapshots, for unit tests of checks.
//
//   model::Snapshot now = …, before = …;
//   auto findings = testing::EvaluateCheck(MyCheck(), now, &before);
#pragma once

#include <vector>

#include "analysis/check.h"

namespace pgvigil::testing {

inline std::vector<model::Finding> EvaluateCheck(const analysis::Check& check,
                                                 const model::Snapshot& current,
                                                 const model::Snapshot* previous = nullptr,
                                                 const analysis::Thresholds& thresholds = {},
                                                 const analysis::History& history = {}) {
  const analysis::CheckInput input{current, previous, history, thresholds};
  std::vector<model::Finding> out;
  check.Evaluate(input, out);
  return out;
}

// An outcome entry saying `collector` succeeded, for checks that only judge collected parts.
inline model::CollectorOutcome OkOutcome(std::string collector) {
  model::CollectorOutcome o;
  o.collector = std::move(collector);
  return o;
}

}  // namespace pgvigil::testing
