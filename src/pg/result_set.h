// SPDX-License-Identifier: Apache-2.0
// ResultSet owns one PostgreSQL result in text format and gives read access to it without
// copying: values are views into the result, valid as long as the ResultSet lives.
// Move-only. Thread-compatible.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_result;  // libpq's PGresult, kept out of every header but this folder's .cc files

namespace pgvigil::pg {

class ResultSet {
 public:
  ResultSet();
  explicit ResultSet(pg_result* result);  // takes ownership
  ResultSet(ResultSet&&) noexcept;
  ResultSet& operator=(ResultSet&&) noexcept;
  ~ResultSet();

  int row_count() const;
  int column_count() const;
  std::string_view column_name(int column) const;
  // The index of the column called `name`, or -1.
  int ColumnIndex(std::string_view name) const;
  bool IsNull(int row, int column) const;
  // The text of a value; empty for NULL (check IsNull to tell them apart).
  std::string_view Value(int row, int column) const;

  // A result built from canned text values (std::nullopt = NULL), for tests of collectors
  // without a server. Uses libpq's own result constructor, so it behaves like a real one.
  static ResultSet FromTextForTest(const std::vector<std::string>& columns,
                                   const std::vector<std::vector<std::optional<std::string>>>& rows);

 private:
  struct Deleter {
    void operator()(pg_result* r) const;
  };
  std::unique_ptr<pg_result, Deleter> result_;
};

}  // namespace pgvigil::pg
