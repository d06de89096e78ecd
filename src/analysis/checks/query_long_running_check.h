// SPDX-License-Identifier: Apache-2.0
// query.long_running: client statements running longer than the threshold. Walsenders
// (streaming runs forever), autovacuum (long runs on big tables are normal; wraparound.* and
// table.vacuum_overdue judge vacuum), parallel workers (their leader is reported) and other
// background processes are not client statements and are left out, as are pgvigil's own.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class QueryLongRunningCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"query.long_running"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
