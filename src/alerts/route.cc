// SPDX-License-Identifier: Apache-2.0
#include "alerts/route.h"

#include <algorithm>

#include "alerts/rule.h"

namespace pgvigil::alerts {

std::vector<std::string> RouteChannels(std::span<const Route> routes, model::Severity severity,
                                       const std::string& target,
                                       const std::map<std::string, std::string>& labels) {
  std::vector<std::string> out;
  for (const Route& r : routes) {
    if (severity < r.severity_min) continue;
    if (!r.targets.empty() &&
        std::none_of(r.targets.begin(), r.targets.end(),
                     [&](const std::string& glob) { return GlobMatch(glob, target); })) {
      continue;
    }
    const bool labels_match = std::all_of(r.labels.begin(), r.labels.end(), [&](const auto& kv) {
      const auto it = labels.find(kv.first);
      return it != labels.end() && it->second == kv.second;
    });
    if (!labels_match) continue;
    for (const std::string& c : r.channels) {
      if (std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
    }
  }
  return out;
}

}  // namespace pgvigil::alerts
