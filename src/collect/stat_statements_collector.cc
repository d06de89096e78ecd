// SPDX-License-Identifier: Apache-2.0
#include "collect/stat_statements_collector.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <compare>
#include <map>
#include <optional>

#include "collect/credential_filter.h"
#include "collect/row_reader.h"
#include "pg/quote.h"

namespace pgvigil::collect {
namespace {

constexpr std::string_view kExtension = "pg_stat_statements";
// pg_stat_statements_info came with 1.9 (PostgreSQL 14).
constexpr int kInfoVersion = 14;

// What Plan() sends, so that Parse() can find each result again.
struct Layout {
  int version = 0;  // catalog variant key, from the extension version
  std::string schema;
  bool texts = false;
  bool info = false;
};

common::Result<Layout> MakeLayout(const CollectContext& context) {
  const pg::Extension* ext = context.server.FindExtension(kExtension);
  if (ext == nullptr) {
    return common::UnsupportedError(fmt::format(
        "pg_stat_statements is not installed in database {}: CREATE EXTENSION pg_stat_statements "
        "(and add it to shared_preload_libraries)",
        context.server.current_database));
  }
  Layout layout;
  layout.version = StatStatementsCollector::CatalogVersionForExtension(ext->version);
  if (layout.version == 0) {
    return common::UnsupportedError(
        fmt::format("pg_stat_statements {} in database {} is older than 1.8, which pgvigil needs: "
                    "ALTER EXTENSION pg_stat_statements UPDATE",
                    ext->version, context.server.current_database));
  }
  layout.schema = ext->schema;
  layout.texts = context.options.statement_text_limit > 0;
  layout.info = layout.version >= kInfoVersion;
  return layout;
}

struct StatementKey {
  std::uint32_t userid = 0;
  std::uint32_t dbid = 0;
  std::int64_t queryid = 0;
  std::optional<bool> toplevel;
  auto operator<=>(const StatementKey&) const = default;
};

common::Status ReadStatements(const pg::ResultSet& rows, model::Snapshot& snapshot, int& hidden) {
  using I = std::int64_t;
  using OptI = std::optional<std::int64_t>;
  using OptD = std::optional<double>;
  RowReader r(rows, "stat_statements");
  // Sized once: thousands of statements grown by doubling would leave up to half the vector
  // unused in every snapshot that keeps them.
  snapshot.statements.reserve(snapshot.statements.size() + static_cast<size_t>(r.row_count()));
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    const OptI queryid = r.Get<OptI>("queryid");
    // Statements of other roles have no queryid without pg_read_all_stats: they cannot be
    // told apart, so they are counted rather than kept.
    if (!queryid.has_value()) {
      ++hidden;
      continue;
    }
    model::StatementStats s;
    s.userid = r.Get<std::uint32_t>("userid");
    s.dbid = r.Get<std::uint32_t>("dbid");
    s.queryid = *queryid;
    s.rolname = r.Get<std::string>("rolname");
    s.datname = r.Get<std::string>("datname");
    s.toplevel = r.Get<std::optional<bool>>("toplevel");
    s.calls = r.Get<I>("calls");
    s.total_exec_time = r.Get<double>("total_exec_time");
    s.min_exec_time = r.Get<double>("min_exec_time");
    s.max_exec_time = r.Get<double>("max_exec_time");
    s.mean_exec_time = r.Get<double>("mean_exec_time");
    s.stddev_exec_time = r.Get<double>("stddev_exec_time");
    s.plans = r.Get<I>("plans");
    s.total_plan_time = r.Get<double>("total_plan_time");
    s.rows = r.Get<I>("rows");
    s.shared_blks_hit = r.Get<I>("shared_blks_hit");
    s.shared_blks_read = r.Get<I>("shared_blks_read");
    s.shared_blks_dirtied = r.Get<I>("shared_blks_dirtied");
    s.shared_blks_written = r.Get<I>("shared_blks_written");
    s.local_blks_hit = r.Get<I>("local_blks_hit");
    s.local_blks_read = r.Get<I>("local_blks_read");
    s.temp_blks_read = r.Get<I>("temp_blks_read");
    s.temp_blks_written = r.Get<I>("temp_blks_written");
    s.shared_blk_read_time = r.Get<double>("shared_blk_read_time");
    s.shared_blk_write_time = r.Get<double>("shared_blk_write_time");
    s.temp_blk_read_time = r.Get<OptD>("temp_blk_read_time");
    s.temp_blk_write_time = r.Get<OptD>("temp_blk_write_time");
    s.wal_records = r.Get<I>("wal_records");
    s.wal_fpi = r.Get<I>("wal_fpi");
    s.wal_bytes = r.Get<I>("wal_bytes");
    s.jit_functions = r.Get<OptI>("jit_functions");
    s.jit_generation_time = r.Get<OptD>("jit_generation_time");
    s.stats_since = r.Get<std::optional<common::Timestamp>>("stats_since");
    snapshot.statements.push_back(std::move(s));
  }
  return r.status();
}

// Attaches each text to its statement. A statement evicted or added between the two reads
// has no partner: its text or its counters are left out, which the next collection mends.
common::Status AttachTexts(const pg::ResultSet& rows, model::Snapshot& snapshot) {
  std::map<StatementKey, model::StatementStats*> by_key;
  for (model::StatementStats& s : snapshot.statements) {
    by_key.emplace(StatementKey{s.userid, s.dbid, s.queryid, s.toplevel}, &s);
  }
  RowReader r(rows, "statement_texts");
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    StatementKey key;
    key.userid = r.Get<std::uint32_t>("userid");
    key.dbid = r.Get<std::uint32_t>("dbid");
    key.queryid = r.Get<std::int64_t>("queryid");
    key.toplevel = r.Get<std::optional<bool>>("toplevel");
    std::string query = r.Get<std::string>("query");
    if (MayHoldCredential(query)) query = std::string(kWithheldText);
    if (const auto it = by_key.find(key); it != by_key.end()) {
      it->second->query = std::move(query);
    }
  }
  return r.status();
}

common::Status ReadInfo(const pg::ResultSet& rows, model::Snapshot& snapshot) {
  RowReader r(rows, "stat_statements_info");
  if (r.row_count() != 1) {
    return common::InternalError(
        fmt::format("stat_statements_info: expected one row from pg_stat_statements_info, got {}",
                    r.row_count()));
  }
  model::StatementsInfo info;
  info.dealloc = r.Get<std::int64_t>("dealloc");
  info.stats_reset = r.Get<std::optional<common::Timestamp>>("stats_reset");
  PGV_RETURN_IF_ERROR(r.status());
  snapshot.statements_info = info;
  return common::Status::Ok();
}

}  // namespace

int StatStatementsCollector::CatalogVersionForExtension(std::string_view extversion) {
  int major = 0;
  int minor = 0;
  const char* const end = extversion.data() + extversion.size();
  auto [p, ec] = std::from_chars(extversion.data(), end, major);
  if (ec != std::errc() || p == end || *p != '.') return 0;
  auto [q, ec2] = std::from_chars(p + 1, end, minor);
  if (ec2 != std::errc() || q != end) return 0;
  if (major > 1) return 18;
  if (major < 1) return 0;
  switch (minor) {
    case 8:
      return 13;
    case 9:
      return 14;
    case 10:
      return 15;
    case 11:
      return 17;  // PostgreSQL 16 kept 1.10
    default:
      return minor > 11 ? 18 : 0;
  }
}

common::Result<std::vector<pg::Query>> StatStatementsCollector::Plan(
    const CollectContext& context) const {
  PGV_ASSIGN_OR_RETURN(const Layout layout, MakeLayout(context));
  const std::vector<std::pair<std::string, std::string>> values = {
      {"pgss_schema", pg::QuoteIdentifier(layout.schema)},
      {"text_limit", std::to_string(context.options.statement_text_limit)},
  };
  std::vector<std::string_view> names = {"stat_statements"};
  if (layout.texts) names.push_back("statement_texts");
  if (layout.info) names.push_back("stat_statements_info");
  std::vector<pg::Query> queries;
  for (std::string_view n : names) {
    PGV_ASSIGN_OR_RETURN(std::string_view sql, context.catalog.Find(n, layout.version));
    queries.push_back({std::string(n), SubstitutePlaceholders(sql, values)});
  }
  return queries;
}

common::Status StatStatementsCollector::Parse(const CollectContext& context,
                                              std::span<const pg::QueryOutcome> results,
                                              model::Snapshot& snapshot, std::string& note) const {
  PGV_ASSIGN_OR_RETURN(const Layout layout, MakeLayout(context));
  size_t next = 0;
  int hidden = 0;
  PGV_RETURN_IF_ERROR(ReadStatements(results[next++].rows, snapshot, hidden));
  if (layout.texts) PGV_RETURN_IF_ERROR(AttachTexts(results[next++].rows, snapshot));
  if (layout.info) PGV_RETURN_IF_ERROR(ReadInfo(results[next++].rows, snapshot));
  if (hidden > 0) {
    note = fmt::format(
        "{} statements of other roles are hidden: grant pg_read_all_stats (or pg_monitor) to "
        "the monitoring role",
        hidden);
  }
  return common::Status::Ok();
}

}  // namespace pgvigil::collect
