// SPDX-License-Identifier: Apache-2.0
// sequence.exhaustion: the share of a sequence's range already used. The range ends at the
// smaller of the sequence's MAXVALUE and the maximum of the column it feeds (a bigint sequence
// behind an integer column fails at 2^31 - 1); decreasing sequences mirror it at the minimum.
// A CYCLE sequence wraps instead of failing: info only. Sequences the monitoring role may not
// read give one info finding per database with the GRANT that fixes it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/check.h"

namespace pgvigil::analysis {

class SequenceExhaustionCheck final : public Check {
 public:
  std::vector<std::string_view> ids() const override { return {"sequence.exhaustion"}; }
  void Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const override;
};

// Splits a name qualified as quote_ident writes it ("s"."t"."c", s.t.c) into its unquoted
// parts; empty when it is malformed (an unterminated quote).
std::optional<std::vector<std::string>> SplitQualifiedName(std::string_view qualified);

}  // namespace pgvigil::analysis
