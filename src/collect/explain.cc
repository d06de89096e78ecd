// SPDX-License-Identifier: Apache-2.0
#include "collect/explain.h"

#include <fmt/format.h>

#include "pg/quote.h"

namespace pgvigil::collect {
namespace {

// pg_stat_statements keeps a statement as it was sent: a trailing ';' or blank would end the
// PREPARE early or trail the EXPLAIN.
std::string_view Trimmed(std::string_view s) {
  while (!s.empty() && (s.back() == ';' || s.back() == ' ' || s.back() == '\n' ||
                        s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  while (!s.empty() && (s.front() == ' ' || s.front() == '\n' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  return s;
}

common::Result<const pg::Extension*> Hypopg(const pg::ServerInfo& server) {
  const pg::Extension* ext = server.FindExtension("hypopg");
  if (ext == nullptr) {
    return common::UnsupportedError(
        fmt::format("hypopg is not installed in database {} (CREATE EXTENSION hypopg)",
                    server.current_database));
  }
  return ext;
}

std::string Millis(std::chrono::milliseconds d) { return std::to_string(d.count()); }

}  // namespace

common::Result<ExplainQueries> PlanGenericExplain(const pg::ServerInfo& server,
                                                  const QueryCatalog& catalog,
                                                  std::string_view name, std::string_view statement,
                                                  int parameters) {
  const std::string_view text = Trimmed(statement);
  if (text.empty()) return common::InvalidArgumentError("explain: no statement text");
  const std::string quoted_name = pg::QuoteIdentifier(name);
  PGV_ASSIGN_OR_RETURN(std::string_view explain, catalog.Find("explain_generic", server.major()));
  ExplainQueries out;
  PGV_ASSIGN_OR_RETURN(std::string_view prepare, catalog.Find("prepare_statement", server.major()));
  PGV_ASSIGN_OR_RETURN(std::string_view deallocate,
                       catalog.Find("deallocate_statement", server.major()));
  std::string arguments;
  for (int i = 0; i < parameters; ++i) arguments += i == 0 ? "(NULL" : ", NULL";
  if (!arguments.empty()) arguments += ")";
  out.queries.push_back(
      {"explain_prepare",
       SubstitutePlaceholders(prepare, {{"name", quoted_name}, {"statement", std::string(text)}})});
  out.queries.push_back({"explain", SubstitutePlaceholders(explain, {{"name", quoted_name},
                                                                     {"arguments", arguments}})});
  out.queries.push_back(
      {"explain_deallocate", SubstitutePlaceholders(deallocate, {{"name", quoted_name}})});
  out.plan_index = 1;
  return out;
}

common::Result<pg::Query> PlanExplainSettings(const pg::ServerInfo& server,
                                              const QueryCatalog& catalog,
                                              std::chrono::milliseconds statement_timeout,
                                              bool restore) {
  PGV_ASSIGN_OR_RETURN(std::string_view sql, catalog.Find("explain_settings", server.major()));
  const bool force_generic = !restore;
  return pg::Query{
      restore ? "explain_settings_restore" : "explain_settings",
      SubstitutePlaceholders(
          sql, {{"statement_timeout", pg::QuoteLiteral(Millis(statement_timeout))},
                {"plan_cache_mode", force_generic ? "'force_generic_plan'" : "NULL"}})};
}

common::Result<pg::Query> PlanHypopgCreateIndex(const pg::ServerInfo& server,
                                                const QueryCatalog& catalog,
                                                std::string_view schemaname,
                                                std::string_view relname,
                                                const std::vector<std::string>& columns) {
  if (columns.empty()) return common::InvalidArgumentError("hypopg: an index needs columns");
  PGV_ASSIGN_OR_RETURN(const pg::Extension* ext, Hypopg(server));
  PGV_ASSIGN_OR_RETURN(std::string_view sql, catalog.Find("hypopg_create_index", server.major()));
  std::string list;
  for (const std::string& c : columns) {
    if (!list.empty()) list += ", ";
    list += pg::QuoteIdentifier(c);
  }
  const std::string definition =
      fmt::format("CREATE INDEX ON {} ({})", pg::QuoteQualifiedName(schemaname, relname), list);
  return pg::Query{"hypopg_create_index",
                   SubstitutePlaceholders(sql, {{"schema", pg::QuoteIdentifier(ext->schema)},
                                                {"definition", pg::QuoteLiteral(definition)}})};
}

common::Result<pg::Query> PlanHypopgReset(const pg::ServerInfo& server,
                                          const QueryCatalog& catalog) {
  PGV_ASSIGN_OR_RETURN(const pg::Extension* ext, Hypopg(server));
  PGV_ASSIGN_OR_RETURN(std::string_view sql, catalog.Find("hypopg_reset", server.major()));
  return pg::Query{"hypopg_reset",
                   SubstitutePlaceholders(sql, {{"schema", pg::QuoteIdentifier(ext->schema)}})};
}

common::Result<std::string> ExplainJson(const pg::ResultSet& rows) {
  if (rows.row_count() != 1 || rows.column_count() != 1 || rows.IsNull(0, 0)) {
    return common::InternalError("explain: EXPLAIN (FORMAT JSON) did not return one value");
  }
  return std::string(rows.Value(0, 0));
}

common::Result<std::string> HypopgIndexName(const pg::ResultSet& rows) {
  const int column = rows.ColumnIndex("indexname");
  if (rows.row_count() != 1 || column < 0 || rows.IsNull(0, column)) {
    return common::InternalError("hypopg: hypopg_create_index did not return one index");
  }
  return std::string(rows.Value(0, column));
}

}  // namespace pgvigil::collect
