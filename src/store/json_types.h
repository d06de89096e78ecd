// SPDX-License-Identifier: Apache-2.0
// nlohmann::json conversions for the vocabulary types the model uses: std::optional (null when
// empty) and common::Timestamp (ISO-8601 UTC with microseconds, "2026-11-22T07:03:36.123456Z").
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/result.h"

namespace pgvigil::store {

// Parses the output of common::FormatTimestamp (fraction optional).
common::Result<common::Timestamp> ParseTimestamp(std::string_view text);

}  // namespace pgvigil::store

namespace nlohmann {

template <typename T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& value) {
    if (value.has_value()) {
      j = *value;
    } else {
      j = nullptr;
    }
  }
  static void from_json(const json& j, std::optional<T>& value) {
    if (j.is_null()) {
      value.reset();
    } else {
      value = j.get<T>();
    }
  }
};

template <>
struct adl_serializer<pgvigil::common::Timestamp> {
  static void to_json(json& j, const pgvigil::common::Timestamp& t) {
    j = pgvigil::common::FormatTimestamp(t);
  }
  static void from_json(const json& j, pgvigil::common::Timestamp& t) {
    auto parsed = pgvigil::store::ParseTimestamp(j.get<std::string>());
    if (!parsed.has_value()) throw json::other_error::create(501, parsed.error().message(), &j);
    t = *parsed;
  }
};

}  // namespace nlohmann
