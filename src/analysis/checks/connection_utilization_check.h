// SPDX-License-Identifier: Apache-2.0
// connection.utilization: client backends against the connections clients may use
// (max_connections − superuser_reserved_connections − reserved_connections).
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class ConnectionUtilizationCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"connection.utilization"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
