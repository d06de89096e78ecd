// SPDX-License-Identifier: Apache-2.0
#include "analysis/checks/locks_blocking_check.h"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "analysis/snapshot_helpers.h"

namespace pgvigil::analysis {

std::vector<int> RootBlockers(const std::vector<model::LockWait>& waits, int pid) {
  std::map<int, const model::LockWait*> by_pid;
  for (const model::LockWait& w : waits) by_pid[w.pid] = &w;
  std::set<int> roots;
  std::set<int> seen;
  std::vector<int> stack = {pid};
  while (!stack.empty()) {
    const int p = stack.back();
    stack.pop_back();
    if (!seen.insert(p).second) continue;
    auto it = by_pid.find(p);
    if (it == by_pid.end() || it->second->blocking_pids.empty()) {
      if (p != pid) roots.insert(p);
      continue;
    }
    for (int blocker : it->second->blocking_pids) stack.push_back(blocker);
  }
  return {roots.begin(), roots.end()};
}

void LocksBlockingCheck::Evaluate(const CheckInput& input, std::vector<model::Finding>& out) const {
  const model::Snapshot& s = input.current;
  std::map<int, const model::Backend*> backends;
  for (const model::Backend& b : s.activity) backends[b.pid] = &b;
  for (const model::LockWait& w : s.lock_waits) {
    if (!w.wait_seconds || w.blocking_pids.empty()) continue;
    const std::string object = fmt::format("pid {}", w.pid);
    const auto verdict = input.thresholds.Classify("locks.blocking", *w.wait_seconds, s.target, object);
    if (verdict.severity == model::Severity::kOk) continue;
    const std::vector<int> roots = RootBlockers(s.lock_waits, w.pid);
    model::Finding f;
    f.id = "locks.blocking";
    f.severity = verdict.severity;
    f.object = object;
    f.value = *w.wait_seconds;
    f.threshold = verdict.threshold;
    f.unit = "seconds";
    const std::string what = w.relation.empty() ? w.locktype : w.relation;
    f.message = fmt::format("pid {} has waited {} for {} on {}, blocked by {}", w.pid,
                            FormatDuration(*w.wait_seconds), w.mode, what,
                            fmt::join(w.blocking_pids, ", "));
    f.evidence.push_back(fmt::format("pg_blocking_pids({}) = {{{}}}", w.pid, fmt::join(w.blocking_pids, ",")));
    for (int root : roots) {
      auto b = backends.find(root);
      if (b == backends.end()) {
        f.evidence.push_back(fmt::format("root blocker pid {} (a prepared transaction or gone)", root));
        continue;
      }
      const model::Backend& r = *b->second;
      f.evidence.push_back(fmt::format(
          "root blocker pid {}: {} {} as {}, state {}{}, last query: {}", root, r.application_name,
          r.client_addr, r.usename, r.state,
          r.xact_age_seconds ? ", transaction open for " + FormatDuration(*r.xact_age_seconds) : "",
          r.query.substr(0, 200)));
    }
    if (!roots.empty()) {
      f.recommendation = model::Recommendation{
          fmt::format("SELECT pg_cancel_backend({0}); -- then, if it stays: SELECT pg_terminate_backend({0});",
                      roots.front()),
          "The root blocker holds the lock the chain waits for; an idle-in-transaction root is an "
          "application that forgot to commit. Cancel its statement, or end its session, after "
          "checking what it is doing."};
    }
    out.push_back(std::move(f));
  }
}

}  // namespace pgvigil::analysis
