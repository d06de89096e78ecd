// SPDX-License-Identifier: Apache-2.0
// FakeSession answers queries by name with canned results, for unit tests of collectors
// without a server. Results are real libpq results (pg::ResultSet::FromTextForTest).
//
//   FakeSession session(/*server_version_num=*/150004);
//   session.AddResult("stat_activity", {"pid", "state"}, {{"42", "active"}});
//   session.AddError("stat_statements", common::PermissionDeniedError("permission denied"));
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pg/session.h"

namespace pgvigil::testing {

class FakeSession final : public pg::Session {
 public:
  explicit FakeSession(int server_version_num = 150004) {
    info_.server_version_num = server_version_num;
    info_.server_version = std::to_string(server_version_num / 10000) + ".0";
    info_.current_database = "app";
    info_.current_user = "monitor";
    info_.has_pg_monitor = true;
    info_.has_read_all_stats = true;
  }

  pg::ServerInfo& mutable_server_info() { return info_; }
  const pg::ServerInfo& server_info() const override { return info_; }

  void AddResult(const std::string& query_name, std::vector<std::string> columns,
                 std::vector<std::vector<std::optional<std::string>>> rows) {
    canned_[query_name] = Canned{std::move(columns), std::move(rows), {}};
  }
  void AddError(const std::string& query_name, common::Status error) {
    canned_[query_name] = Canned{{}, {}, std::move(error)};
  }

  // The queries of every RunPipeline call, in order (names and SQL).
  const std::vector<std::vector<pg::Query>>& pipelines() const { return pipelines_; }

  std::vector<pg::QueryOutcome> RunPipeline(std::span<const pg::Query> queries) override {
    pipelines_.emplace_back(queries.begin(), queries.end());
    std::vector<pg::QueryOutcome> out(queries.size());
    for (size_t i = 0; i < queries.size(); ++i) {
      auto it = canned_.find(queries[i].name);
      if (it == canned_.end()) {
        out[i].status = common::InternalError("FakeSession has no result for " + queries[i].name);
      } else if (!it->second.error.ok()) {
        out[i].status = it->second.error;
      } else {
        out[i].rows = pg::ResultSet::FromTextForTest(it->second.columns, it->second.rows);
      }
    }
    return out;
  }

  common::Result<pg::ResultSet> RunSimple(std::string_view sql) override {
    auto it = canned_.find(std::string(sql));
    if (it == canned_.end()) return common::InternalError("FakeSession has no result for " + std::string(sql));
    if (!it->second.error.ok()) return it->second.error;
    return pg::ResultSet::FromTextForTest(it->second.columns, it->second.rows);
  }

  bool is_connected() const override { return true; }

 private:
  struct Canned {
    std::vector<std::string> columns;
    std::vector<std::vector<std::optional<std::string>>> rows;
    common::Status error;
  };
  pg::ServerInfo info_;
  std::map<std::string, Canned> canned_;
  std::vector<std::vector<pg::Query>> pipelines_;
};

}  // namespace pgvigil::testing
