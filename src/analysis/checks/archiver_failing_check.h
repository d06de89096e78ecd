// SPDX-License-Identifier: Apache-2.0
// archiver.failing: WAL archiving failing while archive_mode is on. Critical while the last
// failure is newer than the last success (the archiver retries the same segment, so it is stuck
// and WAL piles up in pg_wal); a warning when failures happened in the interval but it has
// archived since. Failures in the interval come from the failed_count delta between two
// samples of the same server life (no restart, no statistics reset).
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class ArchiverFailingCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"archiver.failing"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

// Whether this server runs the archiver: archive_mode "always", or "on" on a primary. Empty
// when the settings were not collected.
std::optional<bool> ArchiverRuns(const model::Snapshot& s);

}  // namespace pgvigil::analysis
