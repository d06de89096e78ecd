// SPDX-License-Identifier: Apache-2.0
// backup.stale: with archive_mode on, the age of the last successfully archived WAL segment:
// point-in-time recovery cannot go past it. pgvigil sees the WAL archive, not base backups.
// When no completed segment is waiting (the current WAL position is still in the segment after
// the last archived one) the server is merely quiet: that is said as info, with the advice to
// set archive_timeout, instead of a warning.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class BackupStaleCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"backup.stale"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

// The WAL position (as bytes) where the segment named `walfile` ("000000010000000A000000FF")
// ends, for segments of `segment_bytes`; empty for a name that is not a WAL segment (a
// .history or .backup file).
std::optional<double> SegmentEndBytes(std::string_view walfile, double segment_bytes);

}  // namespace pgvigil::analysis
