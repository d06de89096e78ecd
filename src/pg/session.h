// SPDX-License-Identifier: Apache-2.0
// A Session is one connection to one database, used for reading statistics. Collectors see
// only this interface, so they can be tested with canned results (tests/support/fake_session.h).
// Not thread-safe: one session serves one collection at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "pg/result_set.h"
#include "pg/server_info.h"

namespace pgvigil::pg {

struct Query {
  std::string name;  // for errors and timings: "stat_user_tables"
  std::string sql;   // one read-only statement, already tagged /* pgvigil */
  // Values for $1, $2, … in `sql`, sent apart from the text (never spliced into it), so a
  // name taken from a user can be compared with the catalogue without any quoting. The server
  // infers the parameters' types from the statement.
  std::vector<std::string> params = {};  // "= {}": callers may leave it out of {name, sql}
};

struct QueryOutcome {
  common::Status status;  // ok, or why this query (and only this one) failed
  ResultSet rows;
  // Time from the previous query's completion (or from sending, for the first) to this one's:
  // in a pipeline the server runs the queries one after another, so this is its execution
  // plus the transfer of its result.
  std::chrono::microseconds elapsed{0};
};

// Receives a pipeline's outcomes one by one, in order, as soon as each is complete (index into
// the queries sent). It may take the rows (move them out); the status and elapsed time stay.
using OutcomeSink = std::function<void(size_t index, QueryOutcome& outcome)>;

class Session {
 public:
  virtual ~Session() = default;

  virtual const ServerInfo& server_info() const = 0;

  // Sends every query in one round trip (pipeline mode) with a sync point after each, so an
  // error aborts only its own query, and returns one outcome per query, in order. A lost
  // connection or a passed deadline fails the queries not yet answered.
  virtual std::vector<QueryOutcome> RunPipeline(std::span<const Query> queries) = 0;

  // One statement over the simple query protocol. For PgBouncer's admin console, which
  // speaks nothing else; everything else goes through RunPipeline.
  virtual common::Result<ResultSet> RunSimple(std::string_view sql) = 0;

  // False once the connection is lost; the owner then makes a new session.
  virtual bool is_connected() const = 0;
};

}  // namespace pgvigil::pg
