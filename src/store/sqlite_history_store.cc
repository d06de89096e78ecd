// SPDX-License-Identifier: Apache-2.0
#include "store/sqlite_history_store.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <vector>

#include <fmt/format.h>

#include "store/labels.h"
#include "store/migrations.h"

namespace pgvigil::store {
namespace {

using std::chrono::microseconds;

constexpr std::int64_t kFiveMinutes = 5LL * 60 * 1'000'000;
constexpr std::int64_t kHour = 60LL * 60 * 1'000'000;

std::int64_t Micros(common::Timestamp t) { return t.time_since_epoch().count(); }
common::Timestamp FromMicros(std::int64_t us) { return common::Timestamp(microseconds(us)); }

// Floor division that stays correct before the epoch.
std::int64_t FloorTo(std::int64_t t, std::int64_t width) {
  std::int64_t q = t / width;
  if (t % width != 0 && t < 0) --q;
  return q * width;
}

bool Ok(const model::Snapshot& s, std::string_view collector) {
  const model::CollectorOutcome* o = s.FindOutcome(collector);
  return o != nullptr && o->status == model::CollectorStatus::kOk;
}

bool HasTier(const model::Snapshot& s, std::string_view tier) {
  return std::find(s.tiers.begin(), s.tiers.end(), tier) != s.tiers.end();
}

// A bucket's aggregate state; a raw point is a bucket of one.
struct Partial {
  std::int64_t count = 0;
  double sum = 0;
  double min = std::numeric_limits<double>::infinity();
  double max = -std::numeric_limits<double>::infinity();
  double last = 0;
  std::int64_t last_ts = std::numeric_limits<std::int64_t>::min();

  void Merge(const Partial& p) {
    count += p.count;
    sum += p.sum;
    min = std::min(min, p.min);
    max = std::max(max, p.max);
    if (p.last_ts >= last_ts) {
      last = p.last;
      last_ts = p.last_ts;
    }
  }
  double Value(Aggregation a) const {
    switch (a) {
      case Aggregation::kAvg:
        return sum / static_cast<double>(count);
      case Aggregation::kMin:
        return min;
      case Aggregation::kMax:
        return max;
      case Aggregation::kLast:
        return last;
      case Aggregation::kSum:
        return sum;
    }
    return 0;
  }
};

// Reads (ts, Partial) rows of one series in [from, to) from a resolution's table.
class SourceReader {
 public:
  static common::Result<SourceReader> Prepare(SqliteDb& db, Resolution r) {
    const char* sql = nullptr;
    switch (r) {
      case Resolution::kRaw:
        sql =
            "SELECT ts, 1, value, value, value, value, ts FROM points_raw "
            "WHERE series_id = ?1 AND ts >= ?2 AND ts < ?3 ORDER BY ts";
        break;
      case Resolution::kFiveMinutes:
        sql =
            "SELECT bucket, count, sum, min, max, last, last_ts FROM points_5m "
            "WHERE series_id = ?1 AND bucket >= ?2 AND bucket < ?3 ORDER BY bucket";
        break;
      case Resolution::kHourly:
        sql =
            "SELECT bucket, count, sum, min, max, last, last_ts FROM points_1h "
            "WHERE series_id = ?1 AND bucket >= ?2 AND bucket < ?3 ORDER BY bucket";
        break;
    }
    PGV_ASSIGN_OR_RETURN(SqliteStatement stmt, db.Prepare(sql));
    return SourceReader(std::move(stmt));
  }

  // Calls fn(ts, partial) for each row.
  template <typename Fn>
  common::Status Read(std::int64_t series_id, std::int64_t from, std::int64_t to, Fn&& fn) {
    if (from >= to) return common::Status::Ok();
    PGV_RETURN_IF_ERROR(stmt_.BindInt64(1, series_id));
    PGV_RETURN_IF_ERROR(stmt_.BindInt64(2, from));
    PGV_RETURN_IF_ERROR(stmt_.BindInt64(3, to));
    while (true) {
      auto row = stmt_.Step();
      if (!row.has_value()) {
        (void)stmt_.Reset();
        return row.error();
      }
      if (!*row) break;
      Partial p;
      p.count = stmt_.ColumnInt64(1);
      p.sum = stmt_.ColumnDouble(2);
      p.min = stmt_.ColumnDouble(3);
      p.max = stmt_.ColumnDouble(4);
      p.last = stmt_.ColumnDouble(5);
      p.last_ts = stmt_.ColumnInt64(6);
      fn(stmt_.ColumnInt64(0), p);
    }
    return stmt_.Reset();
  }

 private:
  explicit SourceReader(SqliteStatement stmt) : stmt_(std::move(stmt)) {}
  SqliteStatement stmt_;
};

std::int64_t Width(Resolution r) {
  return r == Resolution::kHourly ? kHour : r == Resolution::kFiveMinutes ? kFiveMinutes : 1;
}

int SeverityRank(model::Severity s) { return static_cast<int>(s); }

// Orders finding episodes by (finding id, object).
int CompareKeys(std::string_view id_a, std::string_view object_a, std::string_view id_b,
                std::string_view object_b) {
  if (const int c = id_a.compare(id_b); c != 0) return c;
  return object_a.compare(object_b);
}

// A finding's value as SQLite keeps it (NaN becomes NULL), so a reloaded episode compares equal.
std::optional<double> StoredValue(std::optional<double> v) {
  if (v && std::isnan(*v)) return std::nullopt;
  return v;
}

model::Severity SeverityFromRank(std::int64_t rank) {
  switch (rank) {
    case 0:
      return model::Severity::kOk;
    case 1:
      return model::Severity::kInfo;
    case 2:
      return model::Severity::kWarning;
    default:
      return model::Severity::kCritical;
  }
}

}  // namespace

Resolution ChooseResolution(common::Timestamp from, std::chrono::microseconds step,
                            common::Timestamp now, const SqliteStoreOptions& options) {
  if (step.count() >= kHour || from < now - options.five_minute_retention) {
    return Resolution::kHourly;
  }
  if (step.count() >= kFiveMinutes || from < now - options.raw_retention) {
    return Resolution::kFiveMinutes;
  }
  return Resolution::kRaw;
}

// A read connection borrowed from the pool; returned when it goes out of scope.
class SqliteHistoryStore::Reader {
 public:
  Reader(SqliteHistoryStore* owner, std::unique_ptr<SqliteDb> db)
      : owner_(owner), db_(std::move(db)) {}
  Reader(Reader&& other) noexcept = default;
  Reader& operator=(Reader&&) = delete;
  ~Reader() {
    if (db_ != nullptr) owner_->ReturnReader(std::move(db_));
  }
  SqliteDb& db() { return *db_; }

 private:
  SqliteHistoryStore* owner_;
  std::unique_ptr<SqliteDb> db_;
};

SqliteHistoryStore::SqliteHistoryStore(std::string path, SqliteStoreOptions options,
                                       SqliteDb writer)
    : path_(std::move(path)), options_(options), writer_(std::move(writer)) {}

SqliteHistoryStore::~SqliteHistoryStore() = default;

common::Result<std::unique_ptr<SqliteHistoryStore>> SqliteHistoryStore::Open(
    const std::string& path, const SqliteStoreOptions& options) {
  SqliteOpenOptions open;
  open.busy_timeout = options.busy_timeout;
  PGV_ASSIGN_OR_RETURN(SqliteDb writer, SqliteDb::Open(path, open));
  PGV_ASSIGN_OR_RETURN(const int applied,
                       ApplyMigrations(writer, BuiltinMigrations(), options.clock->Now()));
  (void)applied;
  return std::unique_ptr<SqliteHistoryStore>(
      new SqliteHistoryStore(path, options, std::move(writer)));
}

common::Result<SqliteHistoryStore::Reader> SqliteHistoryStore::AcquireReader() {
  {
    std::lock_guard lock(read_mu_);
    if (!idle_readers_.empty()) {
      std::unique_ptr<SqliteDb> db = std::move(idle_readers_.back());
      idle_readers_.pop_back();
      return Reader(this, std::move(db));
    }
  }
  SqliteOpenOptions open;
  open.read_only = true;
  open.busy_timeout = options_.busy_timeout;
  PGV_ASSIGN_OR_RETURN(SqliteDb db, SqliteDb::Open(path_, open));
  return Reader(this, std::make_unique<SqliteDb>(std::move(db)));
}

void SqliteHistoryStore::ReturnReader(std::unique_ptr<SqliteDb> db) {
  // An idle reader keeps no page cache: readers are used now and then (a history load per slow
  // tick, API queries), and four of them holding theirs was part of the daemon's RSS.
  db->ReleaseMemory();
  std::lock_guard lock(read_mu_);
  if (static_cast<int>(idle_readers_.size()) < options_.read_connections) {
    idle_readers_.push_back(std::move(db));
  }
}

common::Result<std::int64_t> SqliteHistoryStore::TargetId(std::string_view name) {
  if (const auto it = target_ids_.find(name); it != target_ids_.end()) return it->second;
  PGV_ASSIGN_OR_RETURN(SqliteDb::Lease insert,
                       writer_.Cached("INSERT OR IGNORE INTO targets (name) VALUES (?1)"));
  PGV_RETURN_IF_ERROR(insert->BindText(1, name));
  PGV_RETURN_IF_ERROR(insert->Run());
  PGV_ASSIGN_OR_RETURN(SqliteDb::Lease select,
                       writer_.Cached("SELECT id FROM targets WHERE name = ?1"));
  PGV_RETURN_IF_ERROR(select->BindText(1, name));
  PGV_ASSIGN_OR_RETURN(const bool row, select->Step());
  if (!row) return common::InternalError(fmt::format("store: target {} not found", name));
  const std::int64_t id = select->ColumnInt64(0);
  target_ids_.emplace(std::string(name), id);
  return id;
}

common::Result<std::int64_t> SqliteHistoryStore::SeriesId(std::int64_t target_id,
                                                          const std::string& metric,
                                                          const std::string& labels) {
  auto key = std::make_tuple(target_id, metric, labels);
  if (const auto it = series_ids_.find(key); it != series_ids_.end()) return it->second;
  PGV_ASSIGN_OR_RETURN(
      SqliteDb::Lease insert,
      writer_.Cached(
          "INSERT OR IGNORE INTO series (target_id, metric, labels) VALUES (?1, ?2, ?3)"));
  PGV_RETURN_IF_ERROR(insert->BindInt64(1, target_id));
  PGV_RETURN_IF_ERROR(insert->BindText(2, metric));
  PGV_RETURN_IF_ERROR(insert->BindText(3, labels));
  PGV_RETURN_IF_ERROR(insert->Run());
  PGV_ASSIGN_OR_RETURN(
      SqliteDb::Lease select,
      writer_.Cached("SELECT id FROM series WHERE target_id = ?1 AND metric = ?2 AND labels = ?3"));
  PGV_RETURN_IF_ERROR(select->BindInt64(1, target_id));
  PGV_RETURN_IF_ERROR(select->BindText(2, metric));
  PGV_RETURN_IF_ERROR(select->BindText(3, labels));
  PGV_ASSIGN_OR_RETURN(const bool row, select->Step());
  if (!row) return common::InternalError("store: series not found after insert");
  const std::int64_t id = select->ColumnInt64(0);
  series_ids_.emplace(std::move(key), id);
  return id;
}

common::Status SqliteHistoryStore::AppendPoints(std::span<const model::MetricPoint> points) {
  if (points.empty()) return common::Status::Ok();
  std::lock_guard lock(write_mu_);
  common::Status status = [&]() -> common::Status {
    PGV_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(writer_));
    PGV_ASSIGN_OR_RETURN(SqliteDb::Lease insert,
                         writer_.Cached("INSERT OR REPLACE INTO points_raw (series_id, ts, value) "
                                        "VALUES (?1, ?2, ?3)"));
    std::string last_target;
    std::int64_t target_id = 0;
    for (const model::MetricPoint& p : points) {
      // SQLite stores NaN as NULL; a point without a number carries nothing to keep.
      if (!std::isfinite(p.value)) continue;
      if (target_id == 0 || p.target != last_target) {
        PGV_ASSIGN_OR_RETURN(target_id, TargetId(p.target));
        last_target = p.target;
      }
      PGV_ASSIGN_OR_RETURN(const std::int64_t series,
                           SeriesId(target_id, p.metric, CanonicalLabels(p.labels)));
      PGV_RETURN_IF_ERROR(insert->BindInt64(1, series));
      PGV_RETURN_IF_ERROR(insert->BindInt64(2, Micros(p.timestamp)));
      PGV_RETURN_IF_ERROR(insert->BindDouble(3, p.value));
      PGV_RETURN_IF_ERROR(insert->Run());
    }
    return tx.Commit();
  }();
  if (!status.ok()) {
    // Ids cached during a rolled-back transaction may not exist.
    target_ids_.clear();
    series_ids_.clear();
  }
  return status;
}

common::Status SqliteHistoryStore::RecordSnapshot(const model::Snapshot& s) {
  const bool slow = HasTier(s, "slow") &&
                    (Ok(s, "stat_user_tables") || Ok(s, "stat_user_indexes") || Ok(s, "storage"));
  bool statements = Ok(s, "stat_statements");
  // A fast-only collection (the daemon's every second) holds nothing kept here: no transaction.
  if (!statements && !slow) return common::Status::Ok();
  std::lock_guard lock(write_mu_);
  common::Status status = [&]() -> common::Status {
    PGV_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(writer_));
    PGV_ASSIGN_OR_RETURN(const std::int64_t target_id, TargetId(s.target));
    if (statements) {
      auto last = last_statement_sample_.find(target_id);
      if (last == last_statement_sample_.end()) {
        PGV_ASSIGN_OR_RETURN(SqliteDb::Lease q,
                             writer_.Cached("SELECT max(collected_at) FROM samples "
                                            "WHERE target_id = ?1 AND has_statements = 1"));
        PGV_RETURN_IF_ERROR(q->BindInt64(1, target_id));
        PGV_ASSIGN_OR_RETURN(const bool row, q->Step());
        if (row && !q->IsNull(0)) {
          last = last_statement_sample_.emplace(target_id, FromMicros(q->ColumnInt64(0))).first;
        }
      }
      if (last != last_statement_sample_.end() &&
          s.collected_at - last->second < options_.statement_interval &&
          s.collected_at >= last->second) {
        statements = false;
      }
    }
    if (!statements && !slow) return common::Status::Ok();
    PGV_RETURN_IF_ERROR(WriteSnapshot(s, target_id, statements, slow));
    return tx.Commit();
  }();
  if (!status.ok()) {
    target_ids_.clear();
    series_ids_.clear();
    last_statement_sample_.clear();
    last_statement_keys_.clear();
  }
  return status;
}

common::Status SqliteHistoryStore::WriteSnapshot(const model::Snapshot& s, std::int64_t target_id,
                                                 bool with_statements, bool with_slow) {
  const bool tables = with_slow && Ok(s, "stat_user_tables");
  const bool indexes = with_slow && Ok(s, "stat_user_indexes");
  const bool sizes = with_slow && Ok(s, "storage");
  PGV_ASSIGN_OR_RETURN(
      SqliteDb::Lease sample,
      writer_.Cached(
          "INSERT INTO samples (target_id, collected_at, postmaster_start_time, current_user, "
          "is_superuser, has_read_all_stats, has_statements, statements_dealloc, "
          "statements_stats_reset, has_tables, has_indexes, has_sizes) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"));
  PGV_RETURN_IF_ERROR(sample->BindInt64(1, target_id));
  PGV_RETURN_IF_ERROR(sample->BindInt64(2, Micros(s.collected_at)));
  PGV_RETURN_IF_ERROR(sample->BindInt64(3, Micros(s.server.postmaster_start_time)));
  PGV_RETURN_IF_ERROR(sample->BindText(4, s.server.current_user));
  PGV_RETURN_IF_ERROR(sample->BindInt64(5, s.server.is_superuser ? 1 : 0));
  PGV_RETURN_IF_ERROR(sample->BindInt64(6, s.server.has_read_all_stats ? 1 : 0));
  PGV_RETURN_IF_ERROR(sample->BindInt64(7, with_statements ? 1 : 0));
  if (with_statements && s.statements_info) {
    PGV_RETURN_IF_ERROR(sample->BindInt64(8, s.statements_info->dealloc));
    if (s.statements_info->stats_reset) {
      PGV_RETURN_IF_ERROR(sample->BindInt64(9, Micros(*s.statements_info->stats_reset)));
    }
  }
  PGV_RETURN_IF_ERROR(sample->BindInt64(10, tables ? 1 : 0));
  PGV_RETURN_IF_ERROR(sample->BindInt64(11, indexes ? 1 : 0));
  PGV_RETURN_IF_ERROR(sample->BindInt64(12, sizes ? 1 : 0));
  PGV_RETURN_IF_ERROR(sample->Run());
  const std::int64_t sample_id = writer_.LastInsertRowId();

  if (with_statements) {
    const auto key_of = [](const model::StatementStats& st) {
      return StatementKey{st.userid, st.dbid, st.queryid,
                          st.toplevel ? (*st.toplevel ? 1 : 0) : -1};
    };
    std::vector<const model::StatementStats*> by_time;
    for (const model::StatementStats& st : s.statements) by_time.push_back(&st);
    std::sort(by_time.begin(), by_time.end(),
              [](const auto* a, const auto* b) { return a->total_exec_time > b->total_exec_time; });
    const size_t top_n = static_cast<size_t>(std::max(0, options_.statement_top_n));
    std::set<StatementKey>& previous = last_statement_keys_[target_id];
    std::vector<const model::StatementStats*> chosen;
    for (size_t i = 0; i < by_time.size(); ++i) {
      const bool kept_before = previous.contains(key_of(*by_time[i]));
      if (i < top_n || (kept_before && chosen.size() < 2 * top_n)) chosen.push_back(by_time[i]);
    }
    PGV_ASSIGN_OR_RETURN(
        SqliteDb::Lease insert,
        writer_.Cached("INSERT INTO statement_samples (sample_id, userid, dbid, queryid, "
                       "toplevel, rolname, datname, calls, total_exec_time, mean_exec_time, "
                       "rows, shared_blks_hit, shared_blks_read, temp_blks_written, "
                       "stats_since) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
                       "?13, ?14, ?15)"));
    std::set<StatementKey> keys;
    for (const model::StatementStats* st : chosen) {
      keys.insert(key_of(*st));
      PGV_RETURN_IF_ERROR(insert->BindInt64(1, sample_id));
      PGV_RETURN_IF_ERROR(insert->BindInt64(2, st->userid));
      PGV_RETURN_IF_ERROR(insert->BindInt64(3, st->dbid));
      PGV_RETURN_IF_ERROR(insert->BindInt64(4, st->queryid));
      PGV_RETURN_IF_ERROR(insert->BindOptional(5, st->toplevel));
      PGV_RETURN_IF_ERROR(insert->BindText(6, st->rolname));
      PGV_RETURN_IF_ERROR(insert->BindText(7, st->datname));
      PGV_RETURN_IF_ERROR(insert->BindInt64(8, st->calls));
      PGV_RETURN_IF_ERROR(insert->BindDouble(9, st->total_exec_time));
      PGV_RETURN_IF_ERROR(insert->BindDouble(10, st->mean_exec_time));
      PGV_RETURN_IF_ERROR(insert->BindInt64(11, st->rows));
      PGV_RETURN_IF_ERROR(insert->BindInt64(12, st->shared_blks_hit));
      PGV_RETURN_IF_ERROR(insert->BindInt64(13, st->shared_blks_read));
      PGV_RETURN_IF_ERROR(insert->BindInt64(14, st->temp_blks_written));
      if (st->stats_since) PGV_RETURN_IF_ERROR(insert->BindInt64(15, Micros(*st->stats_since)));
      PGV_RETURN_IF_ERROR(insert->Run());
    }
    previous = std::move(keys);
    last_statement_sample_[target_id] = s.collected_at;
  }

  if (tables) {
    // pg_total_relation_size is measured for the largest relations only.
    std::map<std::pair<std::string, std::uint32_t>, std::int64_t> total_bytes;
    if (sizes) {
      for (const model::RelationSize& r : s.largest_relations) {
        total_bytes[{r.datname, r.relid}] = r.total_bytes;
      }
    }
    PGV_ASSIGN_OR_RETURN(
        SqliteDb::Lease insert,
        writer_.Cached("INSERT INTO table_samples (sample_id, datname, relid, schemaname, "
                       "relname, seq_scan, idx_scan, n_live_tup, n_dead_tup, "
                       "estimated_size_bytes, total_bytes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                       "?8, ?9, ?10, ?11)"));
    for (const model::TableStats& t : s.tables) {
      PGV_RETURN_IF_ERROR(insert->BindInt64(1, sample_id));
      PGV_RETURN_IF_ERROR(insert->BindText(2, t.datname));
      PGV_RETURN_IF_ERROR(insert->BindInt64(3, t.relid));
      PGV_RETURN_IF_ERROR(insert->BindText(4, t.schemaname));
      PGV_RETURN_IF_ERROR(insert->BindText(5, t.relname));
      PGV_RETURN_IF_ERROR(insert->BindInt64(6, t.seq_scan));
      PGV_RETURN_IF_ERROR(insert->BindOptional(7, t.idx_scan));
      PGV_RETURN_IF_ERROR(insert->BindInt64(8, t.n_live_tup));
      PGV_RETURN_IF_ERROR(insert->BindInt64(9, t.n_dead_tup));
      PGV_RETURN_IF_ERROR(insert->BindInt64(10, t.estimated_size_bytes));
      if (const auto it = total_bytes.find({t.datname, t.relid}); it != total_bytes.end()) {
        PGV_RETURN_IF_ERROR(insert->BindInt64(11, it->second));
      }
      PGV_RETURN_IF_ERROR(insert->Run());
    }
  }
  if (indexes) {
    PGV_ASSIGN_OR_RETURN(
        SqliteDb::Lease insert,
        writer_.Cached("INSERT INTO index_samples (sample_id, datname, relid, indexrelid, "
                       "schemaname, relname, indexrelname, idx_scan, estimated_size_bytes) "
                       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"));
    for (const model::IndexStats& i : s.indexes) {
      PGV_RETURN_IF_ERROR(insert->BindInt64(1, sample_id));
      PGV_RETURN_IF_ERROR(insert->BindText(2, i.datname));
      PGV_RETURN_IF_ERROR(insert->BindInt64(3, i.relid));
      PGV_RETURN_IF_ERROR(insert->BindInt64(4, i.indexrelid));
      PGV_RETURN_IF_ERROR(insert->BindText(5, i.schemaname));
      PGV_RETURN_IF_ERROR(insert->BindText(6, i.relname));
      PGV_RETURN_IF_ERROR(insert->BindText(7, i.indexrelname));
      PGV_RETURN_IF_ERROR(insert->BindInt64(8, i.idx_scan));
      PGV_RETURN_IF_ERROR(insert->BindInt64(9, i.estimated_size_bytes));
      PGV_RETURN_IF_ERROR(insert->Run());
    }
  }
  if (sizes) {
    PGV_ASSIGN_OR_RETURN(SqliteDb::Lease insert,
                         writer_.Cached("INSERT INTO database_size_samples (sample_id, datname, "
                                        "size_bytes) VALUES (?1, ?2, ?3)"));
    for (const model::DatabaseSize& d : s.database_sizes) {
      PGV_RETURN_IF_ERROR(insert->BindInt64(1, sample_id));
      PGV_RETURN_IF_ERROR(insert->BindText(2, d.datname));
      PGV_RETURN_IF_ERROR(insert->BindInt64(3, d.size_bytes));
      PGV_RETURN_IF_ERROR(insert->Run());
    }
  }
  return common::Status::Ok();
}

common::Result<SqliteHistoryStore::OpenEpisodes*> SqliteHistoryStore::LoadOpenEpisodes(
    std::int64_t target_id) {
  if (const auto it = open_episodes_.find(target_id); it != open_episodes_.end()) {
    return &it->second;
  }
  OpenEpisodes loaded;
  {
    PGV_ASSIGN_OR_RETURN(SqliteStatement q, writer_.Prepare("SELECT findings_recorded_at FROM "
                                                            "targets WHERE id = ?1"));
    PGV_RETURN_IF_ERROR(q.BindInt64(1, target_id));
    PGV_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (row) loaded.recorded_at = q.ColumnOptionalInt64(0);
  }
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement q,
      writer_.Prepare("SELECT id, finding_id, object, worst_severity, last_severity, last_value, "
                      "unit, message FROM finding_episodes "
                      "WHERE target_id = ?1 AND closed_at IS NULL"));
  PGV_RETURN_IF_ERROR(q.BindInt64(1, target_id));
  while (true) {
    PGV_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) break;
    OpenEpisode e;
    e.id = q.ColumnInt64(0);
    e.worst_severity = static_cast<int>(q.ColumnInt64(3));
    e.last_severity = static_cast<int>(q.ColumnInt64(4));
    e.last_value = q.ColumnOptionalDouble(5);
    e.unit = q.ColumnText(6);
    e.message = q.ColumnText(7);
    loaded.by_key.emplace(EpisodeKey{q.ColumnText(1), q.ColumnText(2)}, std::move(e));
  }
  return &open_episodes_.emplace(target_id, std::move(loaded)).first->second;
}

common::Status SqliteHistoryStore::RecordFindings(std::string_view target, common::Timestamp at,
                                                  const model::FindingList& findings) {
  // One entry per (id, object), the most severe of each (the first of equal ones), in the
  // order of the open episodes' map, so the two are walked side by side.
  std::vector<const model::Finding*> latest;
  latest.reserve(findings.size());
  for (const model::Finding& f : findings) latest.push_back(&f);
  std::stable_sort(latest.begin(), latest.end(), [](const auto* a, const auto* b) {
    if (const int c = CompareKeys(a->id, a->object, b->id, b->object); c != 0) return c < 0;
    return SeverityRank(a->severity) > SeverityRank(b->severity);
  });
  latest.erase(std::unique(latest.begin(), latest.end(),
                           [](const auto* a, const auto* b) {
                             return CompareKeys(a->id, a->object, b->id, b->object) == 0;
                           }),
               latest.end());
  const std::int64_t ts = Micros(at);

  std::lock_guard lock(write_mu_);
  using OpenMap = decltype(OpenEpisodes::by_key);
  // What the transaction does to the open episodes, applied to the cache once it committed.
  std::vector<OpenMap::iterator> closed;
  std::vector<std::pair<OpenMap::iterator, OpenEpisode>> updated;
  std::vector<std::pair<EpisodeKey, OpenEpisode>> inserted;
  OpenEpisodes* open = nullptr;
  std::int64_t recorded_at = ts;
  common::Status status = [&]() -> common::Status {
    PGV_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(writer_));
    PGV_ASSIGN_OR_RETURN(const std::int64_t target_id, TargetId(target));
    PGV_ASSIGN_OR_RETURN(open, LoadOpenEpisodes(target_id));
    if (open->recorded_at) recorded_at = std::max(*open->recorded_at, ts);

    const auto state_of = [](const model::Finding& f) {
      OpenEpisode e;
      e.last_severity = SeverityRank(f.severity);
      e.worst_severity = e.last_severity;
      e.last_value = StoredValue(f.value);
      e.unit = f.unit;
      e.message = f.message;
      return e;
    };
    const auto insert = [&](const model::Finding& f) -> common::Status {
      PGV_ASSIGN_OR_RETURN(
          SqliteDb::Lease q,
          writer_.Cached("INSERT INTO finding_episodes (target_id, finding_id, object, "
                         "first_seen, last_seen, worst_severity, last_severity, last_value, unit, "
                         "message) VALUES (?1, ?2, ?3, ?4, ?4, ?5, ?5, ?6, ?7, ?8)"));
      PGV_RETURN_IF_ERROR(q->BindInt64(1, target_id));
      PGV_RETURN_IF_ERROR(q->BindText(2, f.id));
      PGV_RETURN_IF_ERROR(q->BindText(3, f.object));
      PGV_RETURN_IF_ERROR(q->BindInt64(4, ts));
      PGV_RETURN_IF_ERROR(q->BindInt64(5, SeverityRank(f.severity)));
      PGV_RETURN_IF_ERROR(q->BindOptional(6, f.value));
      PGV_RETURN_IF_ERROR(q->BindText(7, f.unit));
      PGV_RETURN_IF_ERROR(q->BindText(8, f.message));
      PGV_RETURN_IF_ERROR(q->Run());
      OpenEpisode e = state_of(f);
      e.id = writer_.LastInsertRowId();
      inserted.emplace_back(EpisodeKey{f.id, f.object}, std::move(e));
      return common::Status::Ok();
    };
    // An episode seen again is written only when what it shows changed; its last_seen is
    // the target's findings_recorded_at, written once below.
    const auto update = [&](OpenMap::iterator it, const model::Finding& f) -> common::Status {
      const OpenEpisode& was = it->second;
      // Compared in place first: most findings are unchanged every call, and building their
      // state copied two strings each (a share of the daemon's CPU on a large database).
      if (SeverityRank(f.severity) == was.last_severity && StoredValue(f.value) == was.last_value &&
          f.unit == was.unit && f.message == was.message) {
        return common::Status::Ok();
      }
      OpenEpisode now = state_of(f);
      now.id = was.id;
      now.worst_severity = std::max(was.worst_severity, now.last_severity);
      PGV_ASSIGN_OR_RETURN(
          SqliteDb::Lease q,
          writer_.Cached("UPDATE finding_episodes SET last_seen = max(last_seen, ?2), "
                         "worst_severity = ?3, last_severity = ?4, last_value = ?5, unit = ?6, "
                         "message = ?7 WHERE id = ?1"));
      PGV_RETURN_IF_ERROR(q->BindInt64(1, now.id));
      PGV_RETURN_IF_ERROR(q->BindInt64(2, ts));
      PGV_RETURN_IF_ERROR(q->BindInt64(3, now.worst_severity));
      PGV_RETURN_IF_ERROR(q->BindInt64(4, now.last_severity));
      PGV_RETURN_IF_ERROR(q->BindOptional(5, now.last_value));
      PGV_RETURN_IF_ERROR(q->BindText(6, now.unit));
      PGV_RETURN_IF_ERROR(q->BindText(7, now.message));
      PGV_RETURN_IF_ERROR(q->Run());
      updated.emplace_back(it, std::move(now));
      return common::Status::Ok();
    };
    // Gone now: it was last seen at the previous call (the target's mark before this one).
    const auto close = [&](OpenMap::iterator it) -> common::Status {
      PGV_ASSIGN_OR_RETURN(
          SqliteDb::Lease q,
          writer_.Cached("UPDATE finding_episodes SET closed_at = ?2, "
                         "last_seen = max(last_seen, coalesce(?3, last_seen)) WHERE id = ?1"));
      PGV_RETURN_IF_ERROR(q->BindInt64(1, it->second.id));
      PGV_RETURN_IF_ERROR(q->BindInt64(2, ts));
      PGV_RETURN_IF_ERROR(q->BindOptional(3, open->recorded_at));
      PGV_RETURN_IF_ERROR(q->Run());
      closed.push_back(it);
      return common::Status::Ok();
    };

    auto it = open->by_key.begin();
    size_t i = 0;
    while (i < latest.size() || it != open->by_key.end()) {
      const int c = i == latest.size()         ? 1
                    : it == open->by_key.end() ? -1
                                               : CompareKeys(latest[i]->id, latest[i]->object,
                                                             it->first.first, it->first.second);
      if (c < 0) {
        PGV_RETURN_IF_ERROR(insert(*latest[i++]));
      } else if (c > 0) {
        PGV_RETURN_IF_ERROR(close(it++));
      } else {
        PGV_RETURN_IF_ERROR(update(it++, *latest[i++]));
      }
    }
    if (open->recorded_at != recorded_at) {
      PGV_ASSIGN_OR_RETURN(
          SqliteDb::Lease q,
          writer_.Cached("UPDATE targets SET findings_recorded_at = ?2 WHERE id = ?1"));
      PGV_RETURN_IF_ERROR(q->BindInt64(1, target_id));
      PGV_RETURN_IF_ERROR(q->BindInt64(2, recorded_at));
      PGV_RETURN_IF_ERROR(q->Run());
    }
    return tx.Commit();
  }();
  if (!status.ok()) {
    // The cache may be ahead of what was rolled back: read it from the file again.
    target_ids_.clear();
    open_episodes_.clear();
    return status;
  }
  for (const OpenMap::iterator& it : closed) open->by_key.erase(it);
  for (auto& [it, e] : updated) it->second = std::move(e);
  for (auto& [key, e] : inserted) open->by_key.insert_or_assign(std::move(key), std::move(e));
  open->recorded_at = recorded_at;
  return common::Status::Ok();
}

common::Result<SeriesResult> SqliteHistoryStore::QuerySeries(const SeriesQuery& query) {
  if (query.step.count() <= 0) {
    return common::InvalidArgumentError("series query: step must be positive");
  }
  if (query.from >= query.to) {
    return common::InvalidArgumentError("series query: from must be before to");
  }
  PGV_ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  SqliteDb& db = reader.db();
  SeriesResult out;
  out.resolution = ChooseResolution(query.from, query.step, options_.clock->Now(), options_);

  struct Found {
    std::int64_t id;
    model::MetricLabels labels;
    std::optional<std::int64_t> rolled_5m;
    std::optional<std::int64_t> rolled_1h;
  };
  std::vector<Found> found;
  {
    PGV_ASSIGN_OR_RETURN(
        SqliteStatement q,
        db.Prepare("SELECT s.id, s.labels, s.rolled_5m_until, s.rolled_1h_until FROM series s "
                   "JOIN targets t ON t.id = s.target_id WHERE t.name = ?1 AND s.metric = ?2 "
                   "ORDER BY s.labels"));
    PGV_RETURN_IF_ERROR(q.BindText(1, query.target));
    PGV_RETURN_IF_ERROR(q.BindText(2, query.metric));
    while (true) {
      PGV_ASSIGN_OR_RETURN(const bool row, q.Step());
      if (!row) break;
      PGV_ASSIGN_OR_RETURN(model::MetricLabels labels, ParseLabels(q.ColumnText(1)));
      if (!LabelsMatch(labels, query.labels)) continue;
      found.push_back({q.ColumnInt64(0), std::move(labels), q.ColumnOptionalInt64(2),
                       q.ColumnOptionalInt64(3)});
    }
  }

  PGV_ASSIGN_OR_RETURN(SourceReader raw, SourceReader::Prepare(db, Resolution::kRaw));
  PGV_ASSIGN_OR_RETURN(SourceReader five, SourceReader::Prepare(db, Resolution::kFiveMinutes));
  PGV_ASSIGN_OR_RETURN(SourceReader hourly, SourceReader::Prepare(db, Resolution::kHourly));
  const std::int64_t from = Micros(query.from);
  const std::int64_t to = Micros(query.to);
  const std::int64_t step = query.step.count();
  for (const Found& f : found) {
    std::map<std::int64_t, Partial> buckets;
    const auto add = [&](std::int64_t ts, const Partial& p) {
      buckets[FloorTo(ts, step)].Merge(p);
    };
    // A roll-up covers its series up to its watermark; the newer part is read from the finer
    // source, so a query sees the latest points whether or not Compact has run.
    const std::int64_t w5 = std::clamp(f.rolled_5m.value_or(from), from, to);
    if (out.resolution == Resolution::kRaw) {
      PGV_RETURN_IF_ERROR(raw.Read(f.id, from, to, add));
    } else if (out.resolution == Resolution::kFiveMinutes) {
      PGV_RETURN_IF_ERROR(five.Read(f.id, from, w5, add));
      PGV_RETURN_IF_ERROR(raw.Read(f.id, w5, to, add));
    } else {
      const std::int64_t w1 = std::clamp(f.rolled_1h.value_or(from), from, w5);
      PGV_RETURN_IF_ERROR(hourly.Read(f.id, from, w1, add));
      PGV_RETURN_IF_ERROR(five.Read(f.id, w1, w5, add));
      PGV_RETURN_IF_ERROR(raw.Read(f.id, w5, to, add));
    }
    Series series;
    series.metric = query.metric;
    series.labels = f.labels;
    for (const auto& [bucket, p] : buckets) {
      if (p.count == 0) continue;
      series.points.push_back({FromMicros(bucket), p.Value(query.aggregation)});
    }
    out.series.push_back(std::move(series));
  }
  return out;
}

common::Result<std::vector<MetricInfo>> SqliteHistoryStore::ListMetrics(std::string_view target) {
  PGV_ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement q,
      reader.db().Prepare("SELECT s.metric, s.labels FROM series s JOIN targets t "
                          "ON t.id = s.target_id WHERE t.name = ?1 ORDER BY s.metric, s.labels"));
  PGV_RETURN_IF_ERROR(q.BindText(1, target));
  std::vector<MetricInfo> out;
  while (true) {
    PGV_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) break;
    PGV_ASSIGN_OR_RETURN(model::MetricLabels labels, ParseLabels(q.ColumnText(1)));
    out.push_back({q.ColumnText(0), std::move(labels)});
  }
  return out;
}

common::Result<std::vector<model::Snapshot>> SqliteHistoryStore::LoadHistory(
    std::string_view target, common::Timestamp since, int max_samples) {
  PGV_ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  SqliteDb& db = reader.db();
  // One read transaction: every sample and its parts from the same committed state.
  PGV_RETURN_IF_ERROR(db.Exec("BEGIN"));
  struct EndRead {
    SqliteDb& db;
    ~EndRead() { (void)db.Exec("COMMIT"); }
  } end_read{db};

  // The window of each part starts at its newest sample at or before `since`, so that a 7-day
  // window reaches 7 days back (index.unused proves "unused for 7 days" only from a sample at
  // least that old). Thinning, per part (statements; slow parts): with n samples, the i-th
  // (0-based, oldest first) is kept when n <= K, when it is the oldest, or when
  // floor(i·(K-1)/(n-1)) steps up at it; that picks exactly K samples, evenly spread by
  // position, the oldest and the newest among them (K = 1: the newest only). The samples are
  // taken at a steady rate, so even by position is even in time, and the cumulative counters
  // the history checks compare telescope across the samples left out.
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement q,
      db.Prepare(
          "WITH t AS (SELECT id FROM targets WHERE name = ?1), "
          "b AS (SELECT "
          "  coalesce((SELECT max(collected_at) FROM samples WHERE target_id = t.id AND "
          "    collected_at <= ?2 AND has_statements = 1), ?2) AS st_from, "
          "  coalesce((SELECT max(collected_at) FROM samples WHERE target_id = t.id AND "
          "    collected_at <= ?2 AND (has_tables = 1 OR has_indexes = 1 OR has_sizes = 1)), "
          "    ?2) AS sl_from FROM t), "
          "w AS (SELECT s.*, "
          "  (s.has_statements = 1 AND s.collected_at >= b.st_from) AS in_st, "
          "  ((s.has_tables = 1 OR s.has_indexes = 1 OR s.has_sizes = 1) AND "
          "    s.collected_at >= b.sl_from) AS in_sl "
          "  FROM samples s JOIN t ON t.id = s.target_id, b "
          "  WHERE s.collected_at >= min(b.st_from, b.sl_from)), "
          "r AS (SELECT w.*, "
          "  row_number() OVER (PARTITION BY in_st ORDER BY collected_at, id) - 1 AS st_i, "
          "  count(*) OVER (PARTITION BY in_st) AS st_n, "
          "  row_number() OVER (PARTITION BY in_sl ORDER BY collected_at, id) - 1 AS sl_i, "
          "  count(*) OVER (PARTITION BY in_sl) AS sl_n FROM w), "
          "k AS (SELECT r.*, "
          "  (in_st AND (st_n <= ?3 OR (?3 = 1 AND st_i = st_n - 1) OR "
          "    (?3 > 1 AND (st_i = 0 OR st_i * (?3 - 1) / (st_n - 1) > "
          "      (st_i - 1) * (?3 - 1) / (st_n - 1))))) AS keep_statements, "
          "  (in_sl AND (sl_n <= ?3 OR (?3 = 1 AND sl_i = sl_n - 1) OR "
          "    (?3 > 1 AND (sl_i = 0 OR sl_i * (?3 - 1) / (sl_n - 1) > "
          "      (sl_i - 1) * (?3 - 1) / (sl_n - 1))))) AS keep_slow FROM r) "
          "SELECT id, collected_at, postmaster_start_time, current_user, is_superuser, "
          "has_read_all_stats, keep_statements, statements_dealloc, statements_stats_reset, "
          "keep_slow AND has_indexes = 1, keep_slow AND has_sizes = 1 "
          "FROM k WHERE ?3 > 0 AND (keep_statements OR keep_slow) "
          "ORDER BY collected_at, id"));
  PGV_RETURN_IF_ERROR(q.BindText(1, target));
  PGV_RETURN_IF_ERROR(q.BindInt64(2, Micros(since)));
  PGV_RETURN_IF_ERROR(q.BindInt64(3, std::max(0, max_samples)));
  struct Row {
    std::int64_t id;
    bool statements, indexes, sizes;
  };
  std::vector<Row> rows;
  std::vector<model::Snapshot> out;
  const auto ok = [](std::string collector, std::string tier) {
    model::CollectorOutcome o;
    o.collector = std::move(collector);
    o.tier = std::move(tier);
    return o;
  };
  while (true) {
    PGV_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) break;
    model::Snapshot s;
    s.target = std::string(target);
    s.collected_at = FromMicros(q.ColumnInt64(1));
    s.server.postmaster_start_time = FromMicros(q.ColumnInt64(2));
    s.server.current_user = q.ColumnText(3);
    s.server.is_superuser = q.ColumnInt64(4) != 0;
    s.server.has_read_all_stats = q.ColumnInt64(5) != 0;
    Row r{q.ColumnInt64(0), q.ColumnInt64(6) != 0, q.ColumnInt64(9) != 0, q.ColumnInt64(10) != 0};
    if (r.statements) {
      s.tiers.push_back("standard");
      s.outcomes.push_back(ok("stat_statements", "standard"));
      if (!q.IsNull(7)) {
        model::StatementsInfo info;
        info.dealloc = q.ColumnInt64(7);
        if (!q.IsNull(8)) info.stats_reset = FromMicros(q.ColumnInt64(8));
        s.statements_info = info;
      }
    }
    if (r.indexes || r.sizes) s.tiers.push_back("slow");
    if (r.indexes) s.outcomes.push_back(ok("stat_user_indexes", "slow"));
    if (r.sizes) s.outcomes.push_back(ok("storage", "slow"));
    rows.push_back(r);
    out.push_back(std::move(s));
  }

  PGV_ASSIGN_OR_RETURN(
      SqliteStatement statements,
      db.Prepare("SELECT userid, dbid, queryid, toplevel, NULL, NULL, calls, "
                 "total_exec_time, mean_exec_time, rows, shared_blks_hit, shared_blks_read, "
                 "temp_blks_written, stats_since FROM statement_samples WHERE sample_id = ?1"));
  // Only the indexes without a scan: index.unused walks back from an index with none now and
  // stops at the first sample where it is missing or was scanned, so an absent row answers as
  // a scanned one would. On a large database that is a fraction of the rows, identity only.
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement indexes,
      db.Prepare("SELECT datname, relid, indexrelid, schemaname, relname, indexrelname, "
                 "idx_scan, estimated_size_bytes FROM index_samples "
                 "WHERE sample_id = ?1 AND idx_scan = 0"));
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement sizes,
      db.Prepare("SELECT datname, size_bytes FROM database_size_samples WHERE sample_id = ?1"));
  const auto each = [](SqliteStatement& stmt, std::int64_t id, auto&& fn) -> common::Status {
    PGV_RETURN_IF_ERROR(stmt.BindInt64(1, id));
    while (true) {
      auto row = stmt.Step();
      if (!row.has_value()) {
        (void)stmt.Reset();
        return row.error();
      }
      if (!*row) break;
      fn(stmt);
    }
    return stmt.Reset();
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    model::Snapshot& s = out[i];
    const Row& r = rows[i];
    if (r.statements) {
      PGV_RETURN_IF_ERROR(each(statements, r.id, [&](SqliteStatement& c) {
        model::StatementStats st;
        st.userid = static_cast<std::uint32_t>(c.ColumnInt64(0));
        st.dbid = static_cast<std::uint32_t>(c.ColumnInt64(1));
        st.queryid = c.ColumnInt64(2);
        if (!c.IsNull(3)) st.toplevel = c.ColumnInt64(3) != 0;
        // rolname and datname stay empty: the history checks match entries by their ids.
        st.calls = c.ColumnInt64(6);
        st.total_exec_time = c.ColumnDouble(7);
        st.mean_exec_time = c.ColumnDouble(8);
        st.rows = c.ColumnInt64(9);
        st.shared_blks_hit = c.ColumnInt64(10);
        st.shared_blks_read = c.ColumnInt64(11);
        st.temp_blks_written = c.ColumnInt64(12);
        if (!c.IsNull(13)) st.stats_since = FromMicros(c.ColumnInt64(13));
        s.statements.push_back(std::move(st));
      }));
    }
    if (r.sizes) {
      PGV_RETURN_IF_ERROR(each(sizes, r.id, [&](SqliteStatement& c) {
        s.database_sizes.push_back({c.ColumnText(0), c.ColumnInt64(1)});
      }));
    }
    // Kept for a whole slow interval: no growth slack (up to half of a vector's capacity).
    const auto fit = [](auto& v) {
      if (!v.empty()) v.mutable_vector().shrink_to_fit();
    };
    fit(s.statements);
    fit(s.database_sizes);
  }

  // Indexes, newest sample first. index.unused walks back from now and stops at the first
  // sample where an index is missing or was scanned, so an older sample needs only the indexes
  // with no scan in it and in every newer one: each set is a subset of the next newer one, and
  // a sample whose set is the same (the usual case: unused indexes stay unused) shares its
  // buffer. A week of samples of a database with thousands of unused indexes then costs about
  // one sample's worth instead of K.
  const auto key_less = [](const model::IndexStats& a, const model::IndexStats& b) {
    return std::tie(a.datname, a.schemaname, a.indexrelname) <
           std::tie(b.datname, b.schemaname, b.indexrelname);
  };
  const model::Snapshot* newer = nullptr;
  for (size_t i = rows.size(); i-- > 0;) {
    if (!rows[i].indexes) continue;
    model::Snapshot& s = out[i];
    std::vector<model::IndexStats> kept;
    PGV_RETURN_IF_ERROR(each(indexes, rows[i].id, [&](SqliteStatement& c) {
      model::IndexStats idx;
      idx.datname = c.ColumnText(0);
      idx.relid = static_cast<std::uint32_t>(c.ColumnInt64(1));
      idx.indexrelid = static_cast<std::uint32_t>(c.ColumnInt64(2));
      idx.schemaname = c.ColumnText(3);
      idx.relname = c.ColumnText(4);
      idx.indexrelname = c.ColumnText(5);
      idx.idx_scan = c.ColumnInt64(6);
      idx.estimated_size_bytes = c.ColumnInt64(7);
      if (newer != nullptr &&
          !std::binary_search(newer->indexes.begin(), newer->indexes.end(), idx, key_less)) {
        return;
      }
      kept.push_back(std::move(idx));
    }));
    if (newer != nullptr && kept.size() == newer->indexes.size()) {
      s.indexes = newer->indexes;  // the same set (a subset of equal size): shared
    } else {
      std::sort(kept.begin(), kept.end(), key_less);
      kept.shrink_to_fit();
      s.indexes = std::move(kept);
    }
    newer = &s;
  }
  return out;
}

common::Result<std::vector<FindingEpisode>> SqliteHistoryStore::FindingEpisodes(
    std::string_view target, common::Timestamp from, common::Timestamp to) {
  PGV_ASSIGN_OR_RETURN(Reader reader, AcquireReader());
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement q,
      reader.db().Prepare(
          // An open episode was seen at the target's latest RecordFindings (its row is
          // written only when what it shows changes).
          "SELECT e.finding_id, e.object, e.first_seen, CASE WHEN e.closed_at IS NULL THEN "
          "max(e.last_seen, coalesce(t.findings_recorded_at, e.last_seen)) ELSE e.last_seen END, "
          "e.closed_at, "
          "e.worst_severity, e.last_severity, e.last_value, e.unit, e.message "
          "FROM finding_episodes e JOIN targets t ON t.id = e.target_id WHERE t.name = ?1 "
          "AND e.first_seen <= ?3 AND (e.closed_at IS NULL OR e.closed_at >= ?2) "
          "ORDER BY e.first_seen, e.id"));
  PGV_RETURN_IF_ERROR(q.BindText(1, target));
  PGV_RETURN_IF_ERROR(q.BindInt64(2, Micros(from)));
  PGV_RETURN_IF_ERROR(q.BindInt64(3, Micros(to)));
  std::vector<FindingEpisode> out;
  while (true) {
    PGV_ASSIGN_OR_RETURN(const bool row, q.Step());
    if (!row) break;
    FindingEpisode e;
    e.target = std::string(target);
    e.id = q.ColumnText(0);
    e.object = q.ColumnText(1);
    e.first_seen = FromMicros(q.ColumnInt64(2));
    e.last_seen = FromMicros(q.ColumnInt64(3));
    if (!q.IsNull(4)) e.closed_at = FromMicros(q.ColumnInt64(4));
    e.worst_severity = SeverityFromRank(q.ColumnInt64(5));
    e.last_severity = SeverityFromRank(q.ColumnInt64(6));
    e.last_value = q.ColumnOptionalDouble(7);
    e.unit = q.ColumnText(8);
    e.message = q.ColumnText(9);
    out.push_back(std::move(e));
  }
  return out;
}

std::int64_t SqliteHistoryStore::WriterChangesForTest() {
  std::lock_guard lock(write_mu_);
  return writer_.TotalChanges();
}

common::Result<CompactStats> SqliteHistoryStore::Compact(common::Timestamp now) {
  std::lock_guard lock(write_mu_);
  CompactStats stats;
  PGV_RETURN_IF_ERROR(RollUp(Resolution::kFiveMinutes, now, stats));
  PGV_RETURN_IF_ERROR(RollUp(Resolution::kHourly, now, stats));
  PGV_RETURN_IF_ERROR(DeleteOld(now, stats));
  return stats;
}

// Rolls up one series at a time, at most rollup_window of it per transaction, from its
// watermark to the last bucket closed at `now` (and, for hourly, covered by the 5-minute
// roll-up). Points that arrive later for a bucket already rolled up are not added to it.
common::Status SqliteHistoryStore::RollUp(Resolution into, common::Timestamp now,
                                          CompactStats& stats) {
  const bool hourly = into == Resolution::kHourly;
  const std::int64_t width = Width(into);
  const Resolution source = hourly ? Resolution::kFiveMinutes : Resolution::kRaw;
  struct Pending {
    std::int64_t id;
    std::optional<std::int64_t> watermark;
    std::optional<std::int64_t> source_watermark;  // hourly: the 5-minute roll-up's
  };
  std::vector<Pending> series;
  {
    PGV_ASSIGN_OR_RETURN(
        SqliteStatement q,
        writer_.Prepare("SELECT id, rolled_5m_until, rolled_1h_until FROM series ORDER BY id"));
    while (true) {
      PGV_ASSIGN_OR_RETURN(const bool row, q.Step());
      if (!row) break;
      if (hourly) {
        series.push_back({q.ColumnInt64(0), q.ColumnOptionalInt64(2), q.ColumnOptionalInt64(1)});
      } else {
        series.push_back({q.ColumnInt64(0), q.ColumnOptionalInt64(1), std::nullopt});
      }
    }
  }
  PGV_ASSIGN_OR_RETURN(SourceReader reader, SourceReader::Prepare(writer_, source));
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement next,
      writer_.Prepare(hourly ? "SELECT min(bucket) FROM points_5m WHERE series_id = ?1 AND "
                               "bucket >= ?2"
                             : "SELECT min(ts) FROM points_raw WHERE series_id = ?1 AND ts >= ?2"));
  PGV_ASSIGN_OR_RETURN(SqliteStatement write,
                       writer_.Prepare(fmt::format(
                           "INSERT OR REPLACE INTO {} (series_id, bucket, count, sum, "
                           "min, max, last, last_ts) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                           hourly ? "points_1h" : "points_5m")));
  PGV_ASSIGN_OR_RETURN(
      SqliteStatement mark,
      writer_.Prepare(hourly ? "UPDATE series SET rolled_1h_until = ?2 WHERE id = ?1"
                             : "UPDATE series SET rolled_5m_until = ?2 WHERE id = ?1"));

  for (const Pending& p : series) {
    std::int64_t end = FloorTo(Micros(now), width);
    if (hourly) {
      if (!p.source_watermark) continue;  // nothing rolled up into 5 minutes yet
      end = std::min(end, FloorTo(*p.source_watermark, width));
    }
    std::int64_t start = p.watermark.value_or(std::numeric_limits<std::int64_t>::min());
    while (start < end) {
      // Skip empty stretches: start at the bucket of the next point.
      PGV_RETURN_IF_ERROR(next.BindInt64(1, p.id));
      PGV_RETURN_IF_ERROR(next.BindInt64(2, start));
      PGV_ASSIGN_OR_RETURN(const bool row, next.Step());
      const std::optional<std::int64_t> first =
          row ? next.ColumnOptionalInt64(0) : std::optional<std::int64_t>();
      PGV_RETURN_IF_ERROR(next.Reset());
      const std::int64_t window_start =
          first && FloorTo(*first, width) < end ? FloorTo(*first, width) : end;
      const std::int64_t window_end =
          window_start >= end
              ? end
              : std::min(end, window_start +
                                  std::max(width, FloorTo(options_.rollup_window.count(), width)));
      PGV_ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(writer_));
      std::map<std::int64_t, Partial> buckets;
      PGV_RETURN_IF_ERROR(reader.Read(
          p.id, window_start, window_end,
          [&](std::int64_t ts, const Partial& part) { buckets[FloorTo(ts, width)].Merge(part); }));
      for (const auto& [bucket, b] : buckets) {
        PGV_RETURN_IF_ERROR(write.BindInt64(1, p.id));
        PGV_RETURN_IF_ERROR(write.BindInt64(2, bucket));
        PGV_RETURN_IF_ERROR(write.BindInt64(3, b.count));
        PGV_RETURN_IF_ERROR(write.BindDouble(4, b.sum));
        PGV_RETURN_IF_ERROR(write.BindDouble(5, b.min));
        PGV_RETURN_IF_ERROR(write.BindDouble(6, b.max));
        PGV_RETURN_IF_ERROR(write.BindDouble(7, b.last));
        PGV_RETURN_IF_ERROR(write.BindInt64(8, b.last_ts));
        PGV_RETURN_IF_ERROR(write.Run());
      }
      PGV_RETURN_IF_ERROR(mark.BindInt64(1, p.id));
      PGV_RETURN_IF_ERROR(mark.BindInt64(2, window_end));
      PGV_RETURN_IF_ERROR(mark.Run());
      PGV_RETURN_IF_ERROR(tx.Commit());
      ++stats.transactions;
      (hourly ? stats.rolled_up_1h : stats.rolled_up_5m) +=
          static_cast<std::int64_t>(buckets.size());
      start = window_end;
    }
  }
  return common::Status::Ok();
}

// Deletes in batches of delete_batch_rows (points, episodes) or delete_batch_samples, each
// batch one statement in its own transaction, so readers and the writer never wait long.
common::Status SqliteHistoryStore::DeleteOld(common::Timestamp now, CompactStats& stats) {
  const std::int64_t t = Micros(now);
  const std::int64_t batch = std::max(1, options_.delete_batch_rows);
  // Runs `stmt` (its last parameter, number `limit_at`, is the batch size) until a batch
  // deletes fewer rows than the limit.
  const auto repeat = [&](SqliteStatement& stmt, auto&& bind, int limit_at, std::int64_t limit,
                          std::int64_t& counter) -> common::Status {
    while (true) {
      PGV_RETURN_IF_ERROR(bind(stmt));
      PGV_RETURN_IF_ERROR(stmt.BindInt64(limit_at, limit));
      PGV_RETURN_IF_ERROR(stmt.Run());
      const std::int64_t changed = writer_.Changes();
      counter += changed;
      ++stats.transactions;
      if (changed < limit) return common::Status::Ok();
    }
  };

  // Points: per series through the (series_id, ts) key. Raw points are kept until rolled up.
  std::vector<std::pair<std::int64_t, std::optional<std::int64_t>>> series;
  {
    PGV_ASSIGN_OR_RETURN(SqliteStatement q,
                         writer_.Prepare("SELECT id, rolled_5m_until FROM series ORDER BY id"));
    while (true) {
      PGV_ASSIGN_OR_RETURN(const bool row, q.Step());
      if (!row) break;
      series.emplace_back(q.ColumnInt64(0), q.ColumnOptionalInt64(1));
    }
  }
  struct Table {
    const char* name;
    const char* ts;
    std::int64_t cutoff;
  };
  const Table tables[] = {
      {"points_raw", "ts", t - options_.raw_retention.count()},
      {"points_5m", "bucket", t - options_.five_minute_retention.count()},
      {"points_1h", "bucket", t - options_.hourly_retention.count()},
  };
  for (const Table& table : tables) {
    PGV_ASSIGN_OR_RETURN(
        SqliteStatement del,
        writer_.Prepare(fmt::format(
            "DELETE FROM {0} WHERE series_id = ?1 AND {1} < coalesce((SELECT {1} FROM {0} "
            "WHERE series_id = ?1 AND {1} < ?2 ORDER BY {1} LIMIT 1 OFFSET ?3), ?2)",
            table.name, table.ts)));
    const bool raw = std::string_view(table.name) == "points_raw";
    for (const auto& [id, rolled] : series) {
      std::int64_t cutoff = table.cutoff;
      if (raw) cutoff = std::min(cutoff, rolled.value_or(std::numeric_limits<std::int64_t>::min()));
      const auto bind = [&](SqliteStatement& s) -> common::Status {
        PGV_RETURN_IF_ERROR(s.BindInt64(1, id));
        return s.BindInt64(2, cutoff);
      };
      PGV_RETURN_IF_ERROR(repeat(del, bind, 3, batch, stats.deleted_points));
    }
  }

  PGV_ASSIGN_OR_RETURN(SqliteStatement samples,
                       writer_.Prepare("DELETE FROM samples WHERE id IN (SELECT id FROM samples "
                                       "WHERE collected_at < ?1 LIMIT ?2)"));
  const auto bind_samples = [&](SqliteStatement& s) {
    return s.BindInt64(1, t - options_.sample_retention.count());
  };
  PGV_RETURN_IF_ERROR(repeat(samples, bind_samples, 2, std::max(1, options_.delete_batch_samples),
                             stats.deleted_samples));

  PGV_ASSIGN_OR_RETURN(
      SqliteStatement episodes,
      writer_.Prepare("DELETE FROM finding_episodes WHERE id IN (SELECT id FROM finding_episodes "
                      "WHERE closed_at < ?1 LIMIT ?2)"));
  const auto bind_episodes = [&](SqliteStatement& s) {
    return s.BindInt64(1, t - options_.episode_retention.count());
  };
  PGV_RETURN_IF_ERROR(repeat(episodes, bind_episodes, 2, batch, stats.deleted_episodes));
  // Forget cached statement-sample times: the rows they came from may be gone.
  last_statement_sample_.clear();
  return common::Status::Ok();
}

}  // namespace pgvigil::store
