// SPDX-License-Identifier: Apache-2.0
// SqliteHistoryStore is the embedded HistoryStore: one SQLite file in WAL mode, its schema
// brought up to date by the built-in migrations on Open (migrations.h, docs/store.md).
//
// Thread safety: every method is safe to call from any thread. Writes (AppendPoints,
// RecordSnapshot, RecordFindings, Compact) go through one write connection under a mutex, so
// concurrent writers queue; the daemon calls them from one writer thread. Reads (QuerySeries,
// ListMetrics, LoadHistory, FindingEpisodes) each borrow a connection from a small pool of
// read connections and never take the write mutex: WAL lets them read the last committed state
// while the writer works.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "store/history_store.h"
#include "store/sqlite_db.h"

namespace pgvigil::store {

struct SqliteStoreOptions {
  using Duration = std::chrono::microseconds;
  // Retention: raw points, 5-minute and hourly roll-ups; stored samples (statements, tables,
  // indexes, database sizes); episodes of findings, counted from when they closed.
  Duration raw_retention = std::chrono::hours(48);
  Duration five_minute_retention = std::chrono::hours(24 * 30);
  Duration hourly_retention = std::chrono::hours(24 * 365);
  Duration sample_retention = std::chrono::hours(24 * 30);
  Duration episode_retention = std::chrono::hours(24 * 365);
  // pg_stat_statements samples: at most one per target per interval, of the top N entries by
  // total_exec_time (plus, up to 2 N, the entries kept in the previous sample, so a statement
  // near the cut does not drop in and out of the history).
  Duration statement_interval = std::chrono::minutes(5);
  int statement_top_n = 200;
  // Compact's bounds per transaction: rows deleted, samples deleted (with their statements,
  // tables and indexes), and the time span of one series rolled up.
  int delete_batch_rows = 5000;
  int delete_batch_samples = 20;
  Duration rollup_window = std::chrono::hours(6);
  int read_connections = 4;  // idle read connections kept for reuse
  std::chrono::milliseconds busy_timeout{5000};
  // "now" for choosing a query's resolution (how old its start is) and for migrations'
  // applied_at. Not owned; must outlive the store.
  const common::Clock* clock = &common::SystemClock::Instance();
};

// The source QuerySeries reads for a range starting at `from` with buckets of `step`: the
// coarsest resolution not coarser than the step, coarser still when `from` is older than the
// finer one's retention (relative to `now`).
Resolution ChooseResolution(common::Timestamp from, std::chrono::microseconds step,
                            common::Timestamp now, const SqliteStoreOptions& options);

class SqliteHistoryStore final : public HistoryStore {
 public:
  // Opens or creates the store at `path` and applies pending migrations. Errors: kUnavailable
  // when the file cannot be opened, kInternal when an applied migration was edited,
  // kInvalidArgument when the file's schema is newer than this binary.
  static common::Result<std::unique_ptr<SqliteHistoryStore>> Open(
      const std::string& path, const SqliteStoreOptions& options = {});

  ~SqliteHistoryStore() override;

  common::Status AppendPoints(std::span<const model::MetricPoint> points) override;
  common::Status RecordSnapshot(const model::Snapshot& snapshot) override;
  common::Status RecordFindings(std::string_view target, common::Timestamp at,
                                const model::FindingList& findings) override;
  common::Result<SeriesResult> QuerySeries(const SeriesQuery& query) override;
  common::Result<std::vector<MetricInfo>> ListMetrics(std::string_view target) override;
  common::Result<std::vector<model::Snapshot>> LoadHistory(std::string_view target,
                                                           common::Timestamp since,
                                                           int max_samples) override;
  common::Result<std::vector<FindingEpisode>> FindingEpisodes(std::string_view target,
                                                              common::Timestamp from,
                                                              common::Timestamp to) override;
  common::Result<CompactStats> Compact(common::Timestamp now) override;

  // Rows the write connection inserted, updated or deleted since the store opened.
  std::int64_t WriterChangesForTest();

 private:
  class Reader;
  // (userid, dbid, queryid, toplevel as -1/0/1)
  using StatementKey = std::tuple<std::uint32_t, std::uint32_t, std::int64_t, int>;

  SqliteHistoryStore(std::string path, SqliteStoreOptions options, SqliteDb writer);

  common::Result<Reader> AcquireReader();
  void ReturnReader(std::unique_ptr<SqliteDb> db);

  // Writer-side helpers; call with write_mu_ held.
  common::Result<std::int64_t> TargetId(std::string_view name);
  common::Result<std::int64_t> SeriesId(std::int64_t target_id, const std::string& metric,
                                        const std::string& labels);
  common::Status WriteSnapshot(const model::Snapshot& s, std::int64_t target_id,
                               bool with_statements, bool with_slow);
  common::Status RollUp(Resolution into, common::Timestamp now, CompactStats& stats);

  // An open finding episode as its row holds it, so RecordFindings writes only what changed.
  struct OpenEpisode {
    std::int64_t id = 0;
    int worst_severity = 0;
    int last_severity = 0;
    std::optional<double> last_value;
    std::string unit;
    std::string message;
  };
  using EpisodeKey = std::pair<std::string, std::string>;  // (finding id, object)
  struct OpenEpisodes {
    std::optional<std::int64_t> recorded_at;  // targets.findings_recorded_at
    std::map<EpisodeKey, OpenEpisode> by_key;
  };
  // The open episodes of `target_id`, read from the file on first use (and after any failed
  // write, which drops them all).
  common::Result<OpenEpisodes*> LoadOpenEpisodes(std::int64_t target_id);
  common::Status DeleteOld(common::Timestamp now, CompactStats& stats);

  const std::string path_;
  const SqliteStoreOptions options_;

  std::mutex write_mu_;
  SqliteDb writer_;                                              // guarded by write_mu_
  std::map<std::string, std::int64_t, std::less<>> target_ids_;  // guarded by write_mu_
  std::map<std::tuple<std::int64_t, std::string, std::string>, std::int64_t>
      series_ids_;                                                      // guarded by write_mu_
  std::map<std::int64_t, common::Timestamp> last_statement_sample_;     // guarded by write_mu_
  std::map<std::int64_t, std::set<StatementKey>> last_statement_keys_;  // guarded by write_mu_
  // A copy of the committed open episodes by target id, never ahead of the file: changed only
  // after a commit, cleared on any failed write.
  std::map<std::int64_t, OpenEpisodes> open_episodes_;  // guarded by write_mu_

  std::mutex read_mu_;
  std::vector<std::unique_ptr<SqliteDb>> idle_readers_;  // guarded by read_mu_
};

}  // namespace pgvigil::store
