// SPDX-License-Identifier: Apache-2.0
// wraparound.xmin_horizon: who holds back vacuum. VACUUM cannot remove a row version that some
// snapshot may still see, nor freeze past it; the oldest xmin of the server sets that horizon.
// The holders are backends (their snapshot's xmin or their own transaction id), prepared
// transactions and replication slots (a standby's feedback xmin, a logical slot's catalog_xmin).
//
// One finding per holder above the threshold, not only the oldest: each one must be dealt with
// on its own (ending the oldest only reveals the next), and each is an object that can have its
// own override. A backend whose snapshot is old only because another holder's transaction was
// running when it took it (its xmin is no older than that transaction id) is a bystander: it
// is counted in the holder's evidence, not reported, so one forgotten transaction gives one
// finding, not one per busy backend. Autovacuum workers (whose xmin other vacuums ignore),
// parallel workers (their leader holds the snapshot) and pgvigil's own backends are left out.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class WraparoundXminHorizonCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"wraparound.xmin_horizon"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
