// SPDX-License-Identifier: Apache-2.0
// wraparound.xid_age and wraparound.multixact_age: per database, the age of datfrozenxid and of
// datminmxid, with the oldest tables of the collected database as evidence and as the target of
// the recommended VACUUM (FREEZE). PostgreSQL stops assigning new ids (every write fails) when
// an age comes within three million of 2^31; anti-wraparound autovacuum should have started
// long before, at autovacuum_freeze_max_age (autovacuum_multixact_freeze_max_age).
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class WraparoundAgeCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override {
    return {"wraparound.xid_age", "wraparound.multixact_age"};
  }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
