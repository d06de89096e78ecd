// SPDX-License-Identifier: Apache-2.0
#include "daemon/exact_bloat.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::daemon {
namespace {

bool IsBloatFinding(const model::Finding& f) {
  return f.id == "table.bloat" || f.id == "index.bloat";
}

// The bloat inputs behind each bloat finding's object.
std::map<std::string, const model::BloatInputs*, std::less<>> InputsByObject(
    const model::Snapshot& s) {
  std::map<std::string, const model::BloatInputs*, std::less<>> out;
  for (const model::BloatInputs& b : s.bloat_inputs) {
    const bool index = b.is_index();
    const std::string key =
        std::string(index ? "index.bloat " : "table.bloat ") +
        analysis::RelationObject(b.datname, b.schemaname, index ? b.indexrelname : b.relname);
    out.emplace(key, &b);
  }
  return out;
}

const model::BloatInputs* Find(
    const std::map<std::string, const model::BloatInputs*, std::less<>>& m,
    const model::Finding& f) {
  auto it = m.find(f.id + " " + f.object);
  return it == m.end() ? nullptr : it->second;
}

std::string Percent(double ratio) { return fmt::format("{:.1f} %", ratio * 100); }

}  // namespace

std::vector<std::uint32_t> FlaggedBloatOids(std::span<const model::Finding> findings,
                                            const model::Snapshot& snapshot) {
  const auto inputs = InputsByObject(snapshot);
  std::vector<std::uint32_t> oids;
  for (const model::Finding& f : findings) {
    if (!IsBloatFinding(f)) continue;
    const model::BloatInputs* b = Find(inputs, f);
    if (b == nullptr) continue;
    const std::uint32_t oid = b->is_index() ? b->indexrelid : b->relid;
    if (std::find(oids.begin(), oids.end(), oid) == oids.end()) oids.push_back(oid);
  }
  return oids;
}

void AmendBloatFindings(std::vector<model::Finding>& findings, const model::Snapshot& snapshot,
                        std::span<const model::ExactBloat> measured,
                        const analysis::Thresholds& thresholds, const std::string& unmeasured) {
  const auto inputs = InputsByObject(snapshot);
  for (model::Finding& f : findings) {
    if (!IsBloatFinding(f)) continue;
    if (!unmeasured.empty()) {
      f.evidence.push_back("--exact: " + unmeasured);
      continue;
    }
    const model::BloatInputs* b = Find(inputs, f);
    const bool index = f.id == "index.bloat";
    const std::uint32_t oid = b == nullptr ? 0 : index ? b->indexrelid : b->relid;
    auto m = std::find_if(measured.begin(), measured.end(),
                          [&](const model::ExactBloat& e) { return oid != 0 && e.oid == oid; });
    if (m == measured.end()) {
      f.evidence.push_back("--exact: not measured (the relation no longer exists)");
      continue;
    }
    if (!m->measured()) {
      f.evidence.push_back("--exact: not measured: " + m->skipped);
      continue;
    }
    const double estimate = f.value.value_or(0);
    if (m->method == "pgstatindex") {
      f.evidence.push_back(fmt::format(
          "measured by pgstatindex: {} wasted (estimate was {}): average leaf density {:.1f} % "
          "against fillfactor {:.0f}, {} deleted or empty of {} pages",
          Percent(m->wasted_ratio), Percent(estimate), m->avg_leaf_density, m->fillfactor,
          m->free_pages, m->pages));
    } else {
      f.evidence.push_back(fmt::format(
          "measured by {}: {} free or dead (estimate was {}): {:.1f} % free space, {:.1f} % "
          "dead rows",
          m->method, Percent(m->wasted_ratio), Percent(estimate), m->free_percent,
          m->dead_percent));
    }
    f.value = m->wasted_ratio;
    const auto verdict = thresholds.Classify(f.id, m->wasted_ratio, snapshot.target, f.object);
    f.severity = verdict.severity;
    f.threshold = verdict.threshold;
    const std::string name = b == nullptr ? f.object : index ? b->indexrelname : b->relname;
    f.message = fmt::format("{} {} is {} bloated, measured by {} (the statistical estimate was {})",
                            index ? "index" : "table", name, Percent(m->wasted_ratio), m->method,
                            Percent(estimate));
  }
}

}  // namespace pgvigil::daemon
