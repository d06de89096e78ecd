// SPDX-License-Identifier: Apache-2.0
// A statement text parsed by PostgreSQL's own parser (libpg_query, PostgreSQL 15) into the few
// facts query.advice judges. The only user of libpg_query: every error (a text that does not
// parse, an unexpected tree) ends in `parsed == false` with the reason, never an exception or a
// crash. Texts are pg_stat_statements' normalised ones, so constants read $1, $2, …. Pure,
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgvigil::analysis {

// A LIKE / ILIKE whose pattern starts with '%', or whose pattern is a parameter (unjudgeable).
struct LikeFact {
  std::string text;        // "email LIKE '%' || $1"
  bool parameter = false;  // the whole pattern is a parameter: cannot be judged
};

// Comparisons of one column joined by OR: "status = $1 OR status = $2 OR …".
struct OrChainFact {
  std::string column;
  int comparisons = 0;
};

// A column of a table compared in a WHERE with a value (a parameter, a constant, or an
// expression of them, not another column): what an index on that column could serve.
struct ColumnFilter {
  std::string schemaname;  // as written in FROM; empty when unqualified
  std::string relname;     // the table, as written in FROM (unquoted names are lower case)
  std::string column;
  bool equality = false;  // =, IN (…), = ANY(…); else a range (<, <=, >, >=, BETWEEN)
};

struct SqlFacts {
  bool parsed = false;
  std::string error;        // why not, when !parsed
  std::string fingerprint;  // pg_query_fingerprint as hex; empty when it failed

  // The outermost statement is a SELECT (not a set operation).
  bool is_select = false;
  // The text is one SELECT (set operations included) that cannot write or lock: no SELECT INTO,
  // no FOR UPDATE / SHARE anywhere, no data-modifying WITH. Only such a text is EXPLAINed.
  bool is_plain_select = false;
  int parameters = 0;  // the highest $n in the text
  // Columns compared with a value in the WHERE of each SELECT (AND-ed comparisons only), in text
  // order; an unqualified column only when its SELECT reads one table.
  std::vector<ColumnFilter> filters;
  // `*` or `t.*` in the outermost select list.
  bool select_star = false;
  // The outermost SELECT reads one plain table with no WHERE, LIMIT/FETCH, GROUP BY, HAVING,
  // DISTINCT or aggregate in its select list: it returns the whole table.
  bool unbounded_read = false;
  std::string unbounded_table;  // that table
  // "a, b" or "a CROSS JOIN b" (or "JOIN … ON true") with nothing linking them.
  std::vector<std::string> unconditioned_joins;
  std::vector<LikeFact> likes;
  // "lower(email)", "created_at::date": a function or cast over a column in a WHERE comparison.
  std::vector<std::string> functions_on_columns;
  // "id NOT IN (SELECT …)".
  std::vector<std::string> not_in_subqueries;
  std::vector<OrChainFact> or_chains;  // chains of at least kMinOrComparisons
};

// Comparisons of one column in an OR chain from which IN / ANY is advised (three ORs).
inline constexpr int kMinOrComparisons = 4;

SqlFacts ParseSql(std::string_view text);

}  // namespace pgvigil::analysis
