// SPDX-License-Identifier: Apache-2.0
// One collection of one target, start to finish: connect, run the chosen tiers' collectors in
// one round trip, read PgBouncer when a pooler DSN is given, and return the snapshot. The
// one-shot commands (`pgvigil collect`, later `check`) use it; the daemon's scheduler keeps
// sessions open instead.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "collect/collector.h"
#include "common/result.h"
#include "model/snapshot.h"

namespace pgvigil::daemon {

struct CollectOnceOptions {
  std::string target;  // the name snapshots and findings carry; empty: a description of the DSN
  std::string dsn;
  std::string pgbouncer_dsn;  // PgBouncer's admin console; empty = none
  std::vector<collect::Tier> tiers = {collect::Tier::kFast, collect::Tier::kStandard,
                                      collect::Tier::kSlow};
  collect::CollectorOptions collector;
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds statement_timeout{5000};
  std::chrono::milliseconds lock_timeout{200};
};

// The snapshot, or the reason no connection could be made (one line, password redacted).
// A snapshot is returned even when every collector failed: its outcomes say why.
common::Result<model::Snapshot> CollectOnce(const CollectOnceOptions& options);

}  // namespace pgvigil::daemon
