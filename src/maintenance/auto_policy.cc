// SPDX-License-Identifier: Apache-2.0
#include "maintenance/auto_policy.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>
#include <tuple>
#include <utility>

#include "model/finding_object.h"

namespace pgvigil::maintenance {
namespace {

// Where a kind sorts among requests of the same severity: the VACUUM that also analyzes first.
int KindRank(model::OperationKind kind) {
  switch (kind) {
    case model::OperationKind::kVacuum:
      return 0;
    case model::OperationKind::kAnalyze:
      return 1;
    default:
      return 2;
  }
}

struct Candidate {
  model::MaintenanceRequest request;
  model::Severity severity = model::Severity::kInfo;
  double value = 0;
};

std::optional<Candidate> CandidateFor(const model::Finding& f, const AutoPolicyInput& input,
                                      const AutoPolicyOptions& options) {
  if (f.insufficient_data || f.severity < options.min_severity) return std::nullopt;
  model::MaintenanceRequest r;
  if (f.id == "table.vacuum_overdue") {
    r.kind = model::OperationKind::kVacuum;
    r.options.analyze = true;
  } else if (f.id == "table.analyze_overdue") {
    r.kind = model::OperationKind::kAnalyze;
  } else if (f.id == "index.bloat") {
    if (!f.value.has_value() || *f.value < options.reindex_bloat_threshold_ratio) {
      return std::nullopt;
    }
    if (auto size = input.index_size_bytes.find(f.object);
        size != input.index_size_bytes.end() && options.reindex_bloat_threshold_bytes > 0 &&
        *f.value * static_cast<double>(size->second) <
            static_cast<double>(options.reindex_bloat_threshold_bytes)) {
      return std::nullopt;
    }
    r.kind = model::OperationKind::kReindexIndex;
    r.options.concurrently = true;
  } else {
    return std::nullopt;
  }
  const std::optional<model::FindingRelation> relation =
      model::FindRelationByObject(f.object, input.snapshot);
  if (!relation.has_value()) return std::nullopt;
  r.target = input.target.empty() ? f.target : input.target;
  r.database = relation->database;
  r.schema = relation->schema;
  r.object = r.kind == model::OperationKind::kReindexIndex ? relation->name : relation->table;
  r.initiator = "policy";
  r.initiator_role = "policy";
  r.reason = fmt::format("policy: {} ({})", f.id, model::SeverityName(f.severity));
  return Candidate{std::move(r), f.severity, f.value.value_or(0)};
}

}  // namespace

std::vector<model::MaintenanceRequest> PlanAutomaticMaintenance(const AutoPolicyInput& input,
                                                                const AutoPolicyOptions& options) {
  if (!options.enabled || !input.inside_window || options.max_operations_per_run <= 0) return {};
  std::vector<Candidate> candidates;
  for (const model::Finding& f : input.findings) {
    if (std::optional<Candidate> c = CandidateFor(f, input, options)) {
      candidates.push_back(std::move(*c));
    }
  }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    const auto key = [](const Candidate& c) {
      return std::make_tuple(-static_cast<int>(c.severity), KindRank(c.request.kind), -c.value,
                             c.request.database, c.request.schema, c.request.object);
    };
    return key(a) < key(b);
  });

  // One request per relation: a VACUUM (ANALYZE) makes an ANALYZE of the same table redundant
  // whichever comes first in the order; the same request twice (two findings) is one.
  using Key = std::tuple<std::string, std::string, std::string>;
  const auto key_of = [](const model::MaintenanceRequest& r) {
    return Key{r.database, r.schema, r.object};
  };
  std::set<Key> vacuumed;
  for (const Candidate& c : candidates) {
    if (c.request.kind == model::OperationKind::kVacuum) vacuumed.insert(key_of(c.request));
  }
  std::set<std::pair<int, Key>> taken;
  std::vector<model::MaintenanceRequest> out;
  for (Candidate& c : candidates) {
    const Key key = key_of(c.request);
    if (c.request.kind == model::OperationKind::kAnalyze && vacuumed.contains(key)) continue;
    if (!taken.emplace(static_cast<int>(c.request.kind), key).second) continue;
    out.push_back(std::move(c.request));
    if (static_cast<int>(out.size()) >= options.max_operations_per_run) break;
  }
  return out;
}

}  // namespace pgvigil::maintenance
