// SPDX-License-Identifier: Apache-2.0
// Routes decide which channels receive a notification: by severity (at least severity_min), by
// target (globs over its name) and by the target's labels (each must be equal). The daemon fills
// them from config::RouteConfig (alerts/ knows nothing of config/). Pure.
#pragma once

#include <map>
#include <span>
#include <string>
#include <vector>

#include "model/finding.h"

namespace pgvigil::alerts {

struct Route {
  model::Severity severity_min = model::Severity::kWarning;
  std::vector<std::string> targets;           // globs; empty: every target
  std::map<std::string, std::string> labels;  // every one must equal the target's label
  std::vector<std::string> channels;
};

// The channels of every route matching, each once, in the order routes name them. A resolved
// notification is routed by the severity the alert had.
std::vector<std::string> RouteChannels(std::span<const Route> routes, model::Severity severity,
                                       const std::string& target,
                                       const std::map<std::string, std::string>& labels);

}  // namespace pgvigil::alerts
