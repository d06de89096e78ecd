// SPDX-License-Identifier: Apache-2.0
// Result<T> holds either a value or a non-ok Status. Its interface follows std::expected
// (has_value, value, error, operator*, operator->) so that C++23 makes it a rename.
#pragma once

#include <cstdlib>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/status.h"

namespace pgvigil::common {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    if (std::get<1>(data_).ok()) {
      // An ok Status carries no value: that is a bug in the caller.
      std::get<1>(data_) = InternalError("Result constructed from an ok Status");
    }
  }

  bool has_value() const { return data_.index() == 0; }
  bool ok() const { return has_value(); }
  explicit operator bool() const { return has_value(); }

  T& value() & { Check(); return std::get<0>(data_); }
  const T& value() const& { Check(); return std::get<0>(data_); }
  T&& value() && { Check(); return std::get<0>(std::move(data_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The error; Status::Ok() when there is a value.
  Status status() const { return has_value() ? Status::Ok() : std::get<1>(data_); }
  const Status& error() const { return std::get<1>(data_); }

  template <typename U>
  T value_or(U&& fallback) const& {
    return has_value() ? std::get<0>(data_) : static_cast<T>(std::forward<U>(fallback));
  }

 private:
  void Check() const {
    if (!has_value()) std::abort();  // reading the value of an error is a bug
  }
  std::variant<T, Status> data_;
};

}  // namespace pgvigil::common

#define PGV_CONCAT_INNER_(a, b) a##b
#define PGV_CONCAT_(a, b) PGV_CONCAT_INNER_(a, b)
#define PGV_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.has_value()) return tmp.error();        \
  lhs = std::move(tmp).value()
// PGV_ASSIGN_OR_RETURN(auto rows, session.Query(sql)); returns the error Status on failure.
#define PGV_ASSIGN_OR_RETURN(lhs, expr) \
  PGV_ASSIGN_OR_RETURN_IMPL_(PGV_CONCAT_(pgv_result_, __LINE__), lhs, expr)
