// SPDX-License-Identifier: Apache-2.0
#include "daemon/collect_once.h"

#include "daemon/target_collector.h"

namespace pgvigil::daemon {

common::Result<model::Snapshot> CollectOnce(const CollectOnceOptions& options) {
  return TargetCollector(options).Collect();
}

}  // namespace pgvigil::daemon
