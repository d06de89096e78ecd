// SPDX-License-Identifier: Apache-2.0
// `pgvigil check --verify-indexes`: the missing-index candidates of table.seq_scan_heavy
// (analysis::SeqScanIndexCandidates) tried on the server with hypopg. For each, on the
// monitoring session: the generic plan of its statement (daemon/generic_plans.h), a
// hypothetical index (hypopg_create_index: backend memory only, no catalog write, fine in a
// read-only transaction and for a non-superuser), the plan again, then hypopg_reset(). The
// finding then says the estimated cost before → after and whether the planner used the index.
// EXPLAIN needs SELECT on the table: without it the candidate is "not verified" with the grant
// to make. The daemon can call the same step each cycle. Not thread-safe (one session).
#pragma once

#include <span>
#include <string>
#include <vector>

#include "daemon/generic_plans.h"
#include "daemon/target_collector.h"
#include "model/finding.h"
#include "model/index_candidate.h"

namespace pgvigil::daemon {

struct IndexVerificationOptions {
  ExplainOptions explain;  // statement_timeout per EXPLAIN, the session's to put back
  std::size_t max_candidates = 3;
};

// One verification per candidate, in order: verified, or skipped with the reason (hypopg not
// installed, another database than the session's, beyond max_candidates, not a plain SELECT,
// EXPLAIN failed). The error only when the session could not run anything.
common::Result<std::vector<model::IndexVerification>> VerifyIndexCandidates(
    TargetCollector& collector, std::span<const model::IndexCandidate> candidates,
    const IndexVerificationOptions& options);

// Amends each table.seq_scan_heavy finding whose object has a candidate with what its
// verification found: an evidence line, the message, and (verified and used) the CREATE INDEX
// CONCURRENTLY statement as the recommendation. `unverified`, when not empty, is said instead
// on every finding with a candidate (the step could not run).
void AmendSeqScanFindings(std::vector<model::Finding>& findings,
                          std::span<const model::IndexCandidate> candidates,
                          std::span<const model::IndexVerification> verifications,
                          const std::string& unverified = "");

}  // namespace pgvigil::daemon
