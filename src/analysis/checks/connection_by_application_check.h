// SPDX-License-Identifier: Apache-2.0
// connection.by_application: one application_name holding a large share of the connections
// clients may use, most of them idle — the shape of a pool that grows and never gives back,
// or of sessions an application forgets to close.
#pragma once

#include "analysis/check.h"

namespace pgvigil::analysis {

class ConnectionByApplicationCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"connection.by_application"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

}  // namespace pgvigil::analysis
