// SPDX-License-Identifier: Apache-2.0
// connection.idle_in_transaction: a session sitting idle inside an open transaction. Judged by
// the age of the transaction (xact_start), not the time since its last statement: the
// transaction is what holds locks and the xmin horizon, and an application that sends a
// statement now and then keeps both for as long as it stays open.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class ConnectionIdleInTransactionCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"connection.idle_in_transaction"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
