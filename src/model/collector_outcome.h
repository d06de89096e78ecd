// SPDX-License-Identifier: Apache-2.0
// What happened to one collector in one collection: ok, error (with SQLSTATE) or skipped
// (with the reason: a missing extension, a standby, a missing privilege). A failing collector
// never stops the others; its outcome is part of the snapshot.
#pragma once

#include <string>
#include <vector>

namespace pgvigil::model {

enum class CollectorStatus { kOk, kError, kSkipped };

struct CollectorOutcome {
  std::string collector;  // "stat_activity"
  std::string tier;       // "fast" | "standard" | "slow"
  CollectorStatus status = CollectorStatus::kOk;
  std::string error_code;  // common::StatusCodeName for errors: "permission_denied"
  std::string message;     // one line; why it failed or was skipped; warnings when ok
  std::string sqlstate;
  double duration_seconds = 0;  // its share of the tier's round trip (see pg::QueryOutcome)
  int rows = 0;                 // rows read from the server
};

}  // namespace pgvigil::model
