// SPDX-License-Identifier: Apache-2.0
// EXPLAIN (FORMAT JSON)'s text into model::PlanNode: the fields analysis judges, the rest left
// out. Here rather than in collect/ because the JSON library is not collect's (STYLE §8); analysis
// then judges the struct. Pure, thread-safe.
#pragma once

#include <string_view>

#include "common/result.h"
#include "model/query_plan.h"

namespace pgvigil::daemon {

// The top plan node of `json` ("[{\"Plan\": {…}}]"); kInvalidArgument when it is not that.
common::Result<model::PlanNode> ParsePlanJson(std::string_view json);

}  // namespace pgvigil::daemon
