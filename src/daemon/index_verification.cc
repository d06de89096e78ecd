// SPDX-License-Identifier: Apache-2.0
#include "daemon/index_verification.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>

#include "analysis/plan_advice.h"
#include "analysis/snapshot_helpers.h"
#include "collect/explain.h"

namespace pgvigil::daemon {
namespace {

// One candidate's place in the pipeline.
struct Slots {
  std::size_t index = 0;  // into candidates
  PlanSlot before;
  std::size_t create = 0;
  PlanSlot after;
};

std::string Columns(const model::IndexCandidate& c) {
  return fmt::format("{}", fmt::join(c.columns, ", "));
}

}  // namespace

common::Result<std::vector<model::IndexVerification>> VerifyIndexCandidates(
    TargetCollector& collector, std::span<const model::IndexCandidate> candidates,
    const IndexVerificationOptions& options) {
  std::vector<model::IndexVerification> out;
  for (const model::IndexCandidate& c : candidates) {
    model::IndexVerification v;
    v.object = c.object;
    out.push_back(std::move(v));
  }
  if (candidates.empty()) return out;
  const pg::ServerInfo* server = collector.server_info();
  if (server == nullptr) return common::UnavailableError("not connected");
  const collect::QueryCatalog& catalog = collect::QueryCatalog::Builtin();

  std::vector<pg::Query> pipeline;
  std::vector<Slots> slots;
  PGV_ASSIGN_OR_RETURN(pg::Query set, collect::PlanExplainSettings(
                                          *server, catalog, options.explain.statement_timeout,
                                          /*restore=*/false));
  pipeline.push_back(std::move(set));
  std::size_t tried = 0;
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    const model::IndexCandidate& c = candidates[i];
    model::IndexVerification& v = out[i];
    if (c.datname != server->current_database) {
      v.skipped = fmt::format(
          "the statement runs in database {}, and pgvigil is connected to {} (check that "
          "database to verify it)",
          c.datname, server->current_database);
      continue;
    }
    if (tried >= options.max_candidates) {
      v.skipped = fmt::format("only the first {} candidates are verified", options.max_candidates);
      continue;
    }
    auto create =
        collect::PlanHypopgCreateIndex(*server, catalog, c.schemaname, c.relname, c.columns);
    if (!create.has_value()) {
      v.skipped = create.error().message();
      continue;
    }
    ++tried;
    Slots s;
    s.index = i;
    const std::string name = fmt::format("pgvigil_verify_{}", tried);
    auto before = AppendGenericExplain(pipeline, *server, name + "_before", c.query, c.parameters);
    if (!before.has_value()) {
      v.skipped = before.error().message();
      continue;
    }
    s.before = *before;
    s.create = pipeline.size();
    pipeline.push_back(std::move(create).value());
    auto after = AppendGenericExplain(pipeline, *server, name + "_after", c.query, c.parameters);
    PGV_ASSIGN_OR_RETURN(pg::Query reset, collect::PlanHypopgReset(*server, catalog));
    pipeline.push_back(std::move(reset));  // after the index, whatever else happened
    if (!after.has_value()) {              // cannot be: the same text was planned just before
      v.skipped = after.error().message();
      continue;
    }
    s.after = *after;
    slots.push_back(s);
  }
  if (slots.empty()) return out;
  PGV_ASSIGN_OR_RETURN(
      pg::Query restore,
      collect::PlanExplainSettings(*server, catalog, options.explain.session_statement_timeout,
                                   /*restore=*/true));
  pipeline.push_back(std::move(restore));
  PGV_ASSIGN_OR_RETURN(std::vector<pg::QueryOutcome> outcomes, collector.RunQueries(pipeline));

  for (const Slots& s : slots) {
    model::IndexVerification& v = out[s.index];
    auto before = PlanFromSlot(outcomes, s.before, *server);
    if (!before.has_value()) {
      v.skipped = "EXPLAIN failed: " + before.error().message();
      continue;
    }
    if (s.create >= outcomes.size() || !outcomes[s.create].status.ok()) {
      v.skipped = "hypopg_create_index failed: " + (s.create < outcomes.size()
                                                        ? outcomes[s.create].status.message()
                                                        : std::string("no answer"));
      continue;
    }
    auto name = collect::HypopgIndexName(outcomes[s.create].rows);
    auto after = PlanFromSlot(outcomes, s.after, *server);
    if (!name.has_value() || !after.has_value()) {
      v.skipped = !name.has_value()
                      ? name.error().message()
                      : "EXPLAIN with the hypothetical index failed: " + after.error().message();
      continue;
    }
    v.index_name = *name;
    v.cost_before = before->total_cost;
    v.cost_after = after->total_cost;
    v.uses_index = analysis::PlanUsesIndex(*after, v.index_name);
  }
  return out;
}

void AmendSeqScanFindings(std::vector<model::Finding>& findings,
                          std::span<const model::IndexCandidate> candidates,
                          std::span<const model::IndexVerification> verifications,
                          const std::string& unverified) {
  for (model::Finding& f : findings) {
    if (f.id != "table.seq_scan_heavy") continue;
    auto c = std::find_if(candidates.begin(), candidates.end(),
                          [&](const model::IndexCandidate& x) { return x.object == f.object; });
    if (c == candidates.end()) continue;
    const std::string index = fmt::format("{} ({})", c->relname, Columns(*c));
    if (!unverified.empty()) {
      f.evidence.push_back("--verify-indexes: " + unverified);
      continue;
    }
    auto v = std::find_if(verifications.begin(), verifications.end(),
                          [&](const model::IndexVerification& x) { return x.object == f.object; });
    if (v == verifications.end()) continue;
    if (!v->verified()) {
      f.evidence.push_back(
          fmt::format("hypopg: candidate index on {} not verified: {}", index, v->skipped));
      continue;
    }
    const std::string costs =
        fmt::format("estimated cost {:.2f} → {:.2f}", v->cost_before, v->cost_after);
    if (!v->uses_index) {
      f.evidence.push_back(fmt::format(
          "hypopg: not verified: the planner would not use a hypothetical index on {} for "
          "queryid {} ({} in its generic plan)",
          index, c->queryid, costs));
      f.message += fmt::format("; candidate index ({}) not verified: the planner would not use it",
                               Columns(*c));
      continue;
    }
    f.evidence.push_back(fmt::format(
        "hypopg: the planner uses a hypothetical index on {} for queryid {}: {} (generic plan, "
        "before → after)",
        index, c->queryid, costs));
    f.message += fmt::format("; hypopg-verified candidate index ({}): {} for queryid {}",
                             Columns(*c), costs, c->queryid);
    std::string quoted;
    for (const std::string& col : c->columns) {
      if (!quoted.empty()) quoted += ", ";
      quoted += analysis::QuoteIdent(col);
    }
    f.recommendation = model::Recommendation{
        fmt::format("CREATE INDEX CONCURRENTLY ON {} ({});",
                    analysis::QuoteQualified(c->schemaname, c->relname), quoted),
        fmt::format("With a hypothetical index on {} the planner's estimated cost of queryid {} "
                    "goes from {:.2f} to {:.2f}. A generic plan assumes typical parameter "
                    "values: confirm with EXPLAIN (ANALYZE, BUFFERS) on real ones, and weigh the "
                    "index's cost on writes, before building it.",
                    index, c->queryid, v->cost_before, v->cost_after)};
  }
}

}  // namespace pgvigil::daemon
