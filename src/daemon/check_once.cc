// SPDX-License-Identifier: Apache-2.0
#include "daemon/check_once.h"

#include <algorithm>
#include <thread>

#include "analysis/analyzer.h"
#include "analysis/checks/query_advice_check.h"
#include "analysis/checks/table_seq_scan_heavy_check.h"
#include "analysis/health_score.h"
#include "collect/exact_bloat.h"
#include "daemon/exact_bloat.h"
#include "daemon/generic_plans.h"
#include "daemon/index_verification.h"
#include "daemon/target_collector.h"
#include "model/health_report.h"

namespace pgvigil::daemon {
namespace {

// --exact: measures the flagged relations on the collector's session and amends their findings.
void MeasureFlaggedBloat(TargetCollector& collector, const CheckOnceOptions& options,
                         const model::Snapshot& snapshot, std::vector<model::Finding>& findings) {
  const std::vector<std::uint32_t> oids = FlaggedBloatOids(findings, snapshot);
  if (oids.empty()) return;
  std::vector<model::ExactBloat> measured;
  std::string unmeasured;
  const pg::ServerInfo* server = collector.server_info();
  if (server == nullptr) return;
  auto query = collect::PlanExactBloat(*server, collect::QueryCatalog::Builtin(), oids);
  if (!query.has_value()) {
    unmeasured = query.error().message();
  } else {
    auto outcomes = collector.RunQueries({&*query, 1});
    if (!outcomes.has_value()) {
      unmeasured = outcomes.error().message();
    } else if (outcomes->empty() || !outcomes->front().status.ok()) {
      unmeasured =
          "pgstattuple failed: " +
          (outcomes->empty() ? std::string("no result") : outcomes->front().status.message());
    } else {
      auto parsed = collect::ParseExactBloat(outcomes->front().rows, server->block_size);
      if (parsed.has_value()) {
        measured = std::move(parsed).value();
      } else {
        unmeasured = parsed.error().message();
      }
    }
  }
  AmendBloatFindings(findings, snapshot, measured, options.thresholds, unmeasured);
}

ExplainOptions Explain(const CheckOnceOptions& options) {
  ExplainOptions e;
  e.session_statement_timeout = options.collect.statement_timeout;
  e.statement_timeout = std::min(e.statement_timeout, options.collect.statement_timeout);
  return e;
}

// --verify-indexes: hypopg and EXPLAIN on the collector's session for table.seq_scan_heavy's
// candidates.
void VerifyCandidates(TargetCollector& collector, const CheckOnceOptions& options,
                      const analysis::CheckInput& input, std::vector<model::Finding>& findings) {
  const std::vector<model::IndexCandidate> candidates = analysis::SeqScanIndexCandidates(input);
  if (candidates.empty()) return;
  IndexVerificationOptions v;
  v.explain = Explain(options);
  auto verified = VerifyIndexCandidates(collector, candidates, v);
  AmendSeqScanFindings(findings, candidates,
                       verified.has_value() ? *verified : std::vector<model::IndexVerification>{},
                       verified.has_value() ? "" : verified.error().message());
}

// --explain: query.advice from the generic plans of its statements.
void AdviseFromPlans(TargetCollector& collector, const CheckOnceOptions& options,
                     const analysis::CheckInput& input, std::vector<model::Finding>& findings) {
  const std::vector<analysis::StatementToExplain> statements = analysis::StatementsToExplain(input);
  if (statements.empty()) return;
  auto plans = ReadGenericPlans(collector, statements, Explain(options));
  analysis::AddPlanAdvice(findings, input,
                          plans.has_value() ? *plans : std::vector<model::QueryPlan>{},
                          plans.has_value() ? "" : plans.error().message());
}

}  // namespace

common::Result<CheckOnceResult> CheckOnce(const CheckOnceOptions& options) {
  TargetCollector collector(options.collect);
  CheckOnceResult result;
  PGV_ASSIGN_OR_RETURN(result.first, collector.Collect());
  std::this_thread::sleep_for(options.interval);
  PGV_ASSIGN_OR_RETURN(result.second, collector.Collect());
  const analysis::History no_history;
  const analysis::CheckInput input{result.second, &result.first, no_history, options.thresholds};
  result.report = analysis::Analyze(input);
  if (options.exact || options.verify_indexes || options.explain) {
    // The optional measurements amend findings: on copies, scored again at the end.
    std::vector<model::Finding> findings = result.report.findings.Copy();
    if (options.exact) MeasureFlaggedBloat(collector, options, result.second, findings);
    if (options.verify_indexes) VerifyCandidates(collector, options, input, findings);
    if (options.explain) AdviseFromPlans(collector, options, input, findings);
    result.report = analysis::ScoreFindings(result.report.target, std::move(findings));
  }
  return result;
}

}  // namespace pgvigil::daemon
