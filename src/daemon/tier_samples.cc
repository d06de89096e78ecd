// SPDX-License-Identifier: Apache-2.0
#include "daemon/tier_samples.h"

#include <array>

namespace pgvigil::daemon {
namespace {

constexpr std::array<const char*, 3> kTiers = {"fast", "standard", "slow"};

bool Holds(const model::Snapshot& s, const std::string& tier) {
  for (const std::string& t : s.tiers) {
    if (t == tier) return true;
  }
  return false;
}

std::shared_ptr<model::Snapshot> Compose(
    const std::map<std::string, std::shared_ptr<const model::Snapshot>>& by_tier) {
  if (by_tier.empty()) return nullptr;
  auto out = std::make_shared<model::Snapshot>();
  // The server and identity come from the newest sample of any tier.
  const model::Snapshot* newest = nullptr;
  for (const auto& [tier, sample] : by_tier) {
    if (newest == nullptr || sample->collected_at > newest->collected_at) newest = sample.get();
  }
  out->target = newest->target;
  out->collected_at = newest->collected_at;
  out->duration_seconds = newest->duration_seconds;
  out->server = newest->server;
  for (const char* tier : kTiers) {
    const auto it = by_tier.find(tier);
    if (it == by_tier.end()) continue;
    out->tiers.emplace_back(tier);
    CopyTierParts(*it->second, tier, *out);
  }
  return out;
}

}  // namespace

void CopyTierParts(const model::Snapshot& from, const std::string& tier, model::Snapshot& into) {
  for (const model::CollectorOutcome& o : from.outcomes) {
    if (o.tier == tier) into.outcomes.push_back(o);
  }
  *into.tier_times.Find(tier) = model::CollectedAt(from, tier);
  if (tier == "fast") {
    into.activity = from.activity;
    into.lock_waits = from.lock_waits;
    into.replication = from.replication;
    into.wal_receiver = from.wal_receiver;
    into.replication_slots = from.replication_slots;
    into.pgbouncer_pools = from.pgbouncer_pools;
    into.pgbouncer_stats = from.pgbouncer_stats;
  } else if (tier == "standard") {
    into.databases = from.databases;
    into.statements = from.statements;
    into.statements_info = from.statements_info;
    into.checkpointer = from.checkpointer;
    into.wal = from.wal;
    into.archiver = from.archiver;
    into.database_ages = from.database_ages;
    into.prepared_transactions = from.prepared_transactions;
    into.settings = from.settings;
  } else if (tier == "slow") {
    into.tables = from.tables;
    into.indexes = from.indexes;
    into.sequences = from.sequences;
    into.database_sizes = from.database_sizes;
    into.largest_relations = from.largest_relations;
    into.skipped_relations = from.skipped_relations;
    into.bloat_inputs = from.bloat_inputs;
  }
}

void TierSamples::Add(std::shared_ptr<const model::Snapshot> sample) {
  for (const char* tier : kTiers) {
    if (!Holds(*sample, tier)) continue;
    auto it = latest_.find(tier);
    if (it != latest_.end()) previous_[tier] = it->second;
    latest_[tier] = sample;
  }
}

std::shared_ptr<model::Snapshot> TierSamples::ComposeCurrent() const { return Compose(latest_); }
std::shared_ptr<model::Snapshot> TierSamples::ComposePrevious() const { return Compose(previous_); }

std::shared_ptr<const model::Snapshot> TierSamples::Latest(const std::string& tier) const {
  const auto it = latest_.find(tier);
  return it == latest_.end() ? nullptr : it->second;
}

}  // namespace pgvigil::daemon
