// SPDX-License-Identifier: Apache-2.0
// RowReader turns a text-format ResultSet into typed values by column name, so a collector's
// Parse() reads like the model it fills:
//
//   RowReader r(result, "stat_user_tables");
//   for (int i = 0; i < r.row_count(); ++i) {
//     r.Seek(i);
//     t.n_dead_tup = r.Get<std::int64_t>("n_dead_tup");
//     t.last_seq_scan = r.Get<std::optional<common::Timestamp>>("last_seq_scan");
//   }
//   PGV_RETURN_IF_ERROR(r.status());
//
// An optional<T> is empty when the value is NULL or the column is absent (an older server's
// variant does not select it). A missing required column or a malformed value records the
// first error in status(); the value read is then T{}. Timestamps are selected as epoch
// seconds (extract(epoch from …)::float8), arrays as PostgreSQL text arrays.
// Column lookups are cached in call order, so reading a row costs no string comparisons
// after the first. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "pg/result_set.h"

namespace pgvigil::collect {

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

class RowReader {
 public:
  RowReader(const pg::ResultSet& result, std::string_view query_name);

  int row_count() const { return result_.row_count(); }
  void Seek(int row) {
    row_ = row;
    cursor_ = 0;
  }

  template <typename T>
  T Get(const char* column) {
    if constexpr (IsOptional<T>::value) {
      using V = typename T::value_type;
      const int c = Column(column, /*required=*/false);
      if (c < 0 || result_.IsNull(row_, c)) return std::nullopt;
      V out{};
      if (!Convert(result_.Value(row_, c), out)) RecordBadValue(column);
      return out;
    } else {
      const int c = Column(column, /*required=*/true);
      T out{};
      if (c < 0 || result_.IsNull(row_, c)) return out;
      if (!Convert(result_.Value(row_, c), out)) RecordBadValue(column);
      return out;
    }
  }

  bool HasColumn(const char* column) { return Column(column, /*required=*/false) >= 0; }

  const common::Status& status() const { return status_; }

  // Parses a one-dimensional PostgreSQL array literal: {a,"b c",NULL} (NULL → empty string).
  static bool ParseTextArray(std::string_view text, std::vector<std::string>& out);

 private:
  int Column(const char* name, bool required);
  void RecordBadValue(const char* column);

  static bool Convert(std::string_view text, std::int64_t& out);
  static bool Convert(std::string_view text, int& out);
  static bool Convert(std::string_view text, std::uint32_t& out);
  static bool Convert(std::string_view text, double& out);
  static bool Convert(std::string_view text, bool& out);
  static bool Convert(std::string_view text, std::string& out);
  static bool Convert(std::string_view text, common::Timestamp& out);
  static bool Convert(std::string_view text, std::vector<std::string>& out);
  static bool Convert(std::string_view text, std::vector<int>& out);

  const pg::ResultSet& result_;
  std::string query_name_;
  int row_ = 0;
  size_t cursor_ = 0;
  std::vector<std::pair<const char*, int>> columns_;  // in first-use order
  common::Status status_;
};

}  // namespace pgvigil::collect
