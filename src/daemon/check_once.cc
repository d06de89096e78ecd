// SPDX-License-Identifier: Apache-2.0
#include "daemon/check_once.h"

#include <thread>

#include "analysis/analyzer.h"
#include "daemon/target_collector.h"

namespace pgvigil::daemon {

common::Result<CheckOnceResult> CheckOnce(const CheckOnceOptions& options) {
  TargetCollector collector(options.collect);
  CheckOnceResult result;
  PGV_ASSIGN_OR_RETURN(result.first, collector.Collect());
  std::this_thread::sleep_for(options.interval);
  PGV_ASSIGN_OR_RETURN(result.second, collector.Collect());
  const analysis::History no_history;
  const analysis::CheckInput input{result.second, &result.first, no_history, options.thresholds};
  result.report = analysis::Analyze(input);
  return result;
}

}  // namespace pgvigil::daemon
