// SPDX-License-Identifier: Apache-2.0
#include "pg/result_set.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace pgvigil::pg {

void ResultSet::Deleter::operator()(pg_result* r) const { PQclear(r); }

ResultSet::ResultSet() = default;
ResultSet::ResultSet(pg_result* result) : result_(result) {}
ResultSet::ResultSet(ResultSet&&) noexcept = default;
ResultSet& ResultSet::operator=(ResultSet&&) noexcept = default;
ResultSet::~ResultSet() = default;

int ResultSet::row_count() const { return result_ ? PQntuples(result_.get()) : 0; }
int ResultSet::column_count() const { return result_ ? PQnfields(result_.get()) : 0; }

std::string_view ResultSet::column_name(int column) const {
  const char* name = result_ ? PQfname(result_.get(), column) : nullptr;
  return name != nullptr ? std::string_view(name) : std::string_view();
}

int ResultSet::ColumnIndex(std::string_view name) const {
  for (int c = 0; c < column_count(); ++c) {
    if (column_name(c) == name) return c;
  }
  return -1;
}

bool ResultSet::IsNull(int row, int column) const {
  return !result_ || PQgetisnull(result_.get(), row, column) != 0;
}

std::string_view ResultSet::Value(int row, int column) const {
  if (IsNull(row, column)) return {};
  return {PQgetvalue(result_.get(), row, column),
          static_cast<size_t>(PQgetlength(result_.get(), row, column))};
}

ResultSet ResultSet::FromTextForTest(
    const std::vector<std::string>& columns,
    const std::vector<std::vector<std::optional<std::string>>>& rows) {
  PGresult* r = PQmakeEmptyPGresult(nullptr, PGRES_TUPLES_OK);
  std::vector<PGresAttDesc> attrs(columns.size());
  for (size_t c = 0; c < columns.size(); ++c) {
    attrs[c] = PGresAttDesc{};
    attrs[c].name = const_cast<char*>(columns[c].c_str());  // libpq copies it
    attrs[c].typid = 25;                                    // text
    attrs[c].typlen = -1;
    attrs[c].atttypmod = -1;
  }
  if (PQsetResultAttrs(r, static_cast<int>(attrs.size()), attrs.data()) == 0) std::abort();
  for (size_t i = 0; i < rows.size(); ++i) {
    for (size_t c = 0; c < rows[i].size(); ++c) {
      const auto& v = rows[i][c];
      // A length of -1 stores NULL.
      if (PQsetvalue(r, static_cast<int>(i), static_cast<int>(c),
                     v ? const_cast<char*>(v->data()) : nullptr,
                     v ? static_cast<int>(v->size()) : -1) == 0) {
        std::abort();
      }
    }
  }
  return ResultSet(r);
}

}  // namespace pgvigil::pg
