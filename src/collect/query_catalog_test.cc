// SPDX-License-Identifier: Apache-2.0
#include "collect/query_catalog.h"

#include <gtest/gtest.h>

namespace pgvigil::collect {
namespace {

const common::EmbeddedFile kFiles[] = {
    {"stat_bgwriter.sql", "select 13"},
    {"stat_bgwriter.pg17.sql", "select 17"},
    {"stat_wal.pg14.sql", "select wal"},
    {"-- odd.name.sql", "x"},
};

TEST(QueryCatalog, PicksTheHighestVariantNotNewerThanTheServer) {
  const QueryCatalog catalog(kFiles);
  EXPECT_EQ(*catalog.Find("stat_bgwriter", 13), "select 13");
  EXPECT_EQ(*catalog.Find("stat_bgwriter", 16), "select 13");
  EXPECT_EQ(*catalog.Find("stat_bgwriter", 17), "select 17");
  EXPECT_EQ(*catalog.Find("stat_bgwriter", 18), "select 17");
}

TEST(QueryCatalog, SaysUnsupportedWhenEveryVariantIsNewer) {
  const QueryCatalog catalog(kFiles);
  auto wal = catalog.Find("stat_wal", 13);
  ASSERT_FALSE(wal.has_value());
  EXPECT_EQ(wal.error().code(), common::StatusCode::kUnsupported);
  EXPECT_EQ(*catalog.Find("stat_wal", 14), "select wal");
}

TEST(QueryCatalog, SaysNotFoundForAnUnknownName) {
  const QueryCatalog catalog(kFiles);
  auto missing = catalog.Find("nope", 15);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code(), common::StatusCode::kNotFound);
}

// The rules of STYLE.md §6 for every embedded query: tagged, read-only, no select *.
TEST(BuiltinQueryCatalog, EveryQueryIsTaggedAndReadOnly) {
  const QueryCatalog& catalog = QueryCatalog::Builtin();
  ASSERT_FALSE(catalog.entries().empty());
  for (const auto& [name, variants] : catalog.entries()) {
    for (const auto& [version, sql] : variants) {
      SCOPED_TRACE(name + " variant " + std::to_string(version));
      EXPECT_NE(sql.find("/* pgvigil */"), std::string_view::npos);
      EXPECT_EQ(sql.find("select *"), std::string_view::npos);
      for (const char* verb : {"insert ", "update ", "delete ", "truncate ", "drop ", "alter ",
                               "_reset("}) {
        // hypopg_reset() drops this backend's hypothetical indexes, which live in its memory
        // only: it resets nothing anyone else sees (statistics resets are what "_reset(" bars).
        if (name == "hypopg_reset" && std::string_view(verb) == "_reset(") continue;
        EXPECT_EQ(sql.find(verb), std::string_view::npos) << verb;
      }
      EXPECT_FALSE(sql.starts_with("--")) << "the header comment is stripped when embedding";
    }
  }
}

TEST(SubstitutePlaceholders, ReplacesEveryOccurrence) {
  EXPECT_EQ(SubstitutePlaceholders("select {{n}} from {{s}}.t limit {{n}}",
                                   {{"n", "50"}, {"s", "\"public\""}}),
            "select 50 from \"public\".t limit 50");
}

}  // namespace
}  // namespace pgvigil::collect
