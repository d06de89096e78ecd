// SPDX-License-Identifier: Apache-2.0
// replication.slot_inactive and replication.slot_retained_wal. A slot keeps every WAL segment
// its consumer has not confirmed (and its xmin, see wraparound.xmin_horizon) until the disk is
// full, unless max_slot_wal_keep_size caps it.
//  - slot_inactive: a permanent slot nobody uses: a warning from any retained amount (it only
//    grows), critical by the bytes it retains.
//  - slot_retained_wal: any slot, by the bytes it retains; wal_status 'unreserved' (its WAL is
//    about to be removed) is at least a warning and 'lost' (removed: the consumer cannot resume)
//    critical.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class ReplicationSlotsCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override {
    return {"replication.slot_inactive", "replication.slot_retained_wal"};
  }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
