// SPDX-License-Identifier: Apache-2.0
// A MetricPoint is one value of one time series at one moment: what analysis derives from
// snapshots (analysis/metric_series.h) and the store keeps as history. Plain data.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"

namespace pgvigil::model {

// Label pairs sorted by key, each key once: {{"datname", "app"}, {"state", "idle"}}.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

struct MetricPoint {
  std::string target;  // the monitored server
  std::string metric;  // "pgvigil_database_xact_per_second"
  MetricLabels labels;
  common::Timestamp timestamp{};
  double value = 0;
};

}  // namespace pgvigil::model
