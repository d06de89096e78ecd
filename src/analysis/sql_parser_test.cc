// SPDX-License-Identifier: Apache-2.0
#include "analysis/sql_parser.h"

#include <gtest/gtest.h>

namespace pgvigil::analysis {
namespace {

TEST(ParseSql, GivesAFingerprintThatIgnoresParameterNumbersAndSpacing) {
  const SqlFacts a = ParseSql("select id from orders where customer_id = $1");
  const SqlFacts b = ParseSql("SELECT id\n  FROM orders WHERE customer_id = $2");
  ASSERT_TRUE(a.parsed);
  EXPECT_EQ(a.fingerprint.size(), 16u);
  EXPECT_EQ(a.fingerprint, b.fingerprint);
}

TEST(ParseSql, ReportsATextThatDoesNotParseWithoutThrowing) {
  const SqlFacts f = ParseSql("selec id frm orders");
  EXPECT_FALSE(f.parsed);
  EXPECT_NE(f.error.find("syntax error"), std::string::npos);
  EXPECT_FALSE(ParseSql("").parsed);
  EXPECT_FALSE(ParseSql("select 'unterminated").parsed);
}

TEST(ParseSql, SeesSelectStarOnlyInTheOutermostSelectList) {
  EXPECT_TRUE(ParseSql("select * from orders where id = $1").select_star);
  EXPECT_TRUE(ParseSql("select o.* from orders o where id = $1").select_star);
  EXPECT_FALSE(ParseSql("select id, total from orders where id = $1").select_star);
  EXPECT_FALSE(ParseSql("select count(*) from orders").select_star);
  EXPECT_FALSE(
      ParseSql("select id from orders where exists (select * from items where order_id = id)")
          .select_star);
}

TEST(ParseSql, SeesAnUnboundedReadOfOnePlainTable) {
  const SqlFacts f = ParseSql("select id, total from public.orders");
  EXPECT_TRUE(f.unbounded_read);
  EXPECT_EQ(f.unbounded_table, "public.orders");
  EXPECT_FALSE(ParseSql("select id, total from orders where id > $1").unbounded_read);
  EXPECT_FALSE(ParseSql("select id, total from orders limit $1").unbounded_read);
  EXPECT_FALSE(ParseSql("select id from orders fetch first $1 rows only").unbounded_read);
  EXPECT_FALSE(ParseSql("select count(*) from orders").unbounded_read);
  EXPECT_FALSE(ParseSql("select status, sum(total) from orders group by status").unbounded_read);
}

TEST(ParseSql, SeesJoinsWithoutACondition) {
  const SqlFacts comma = ParseSql("select o.id from orders o, customers c where o.total > $1");
  ASSERT_EQ(comma.unconditioned_joins.size(), 1u);
  EXPECT_EQ(comma.unconditioned_joins[0], "o, c with nothing in WHERE linking them");
  EXPECT_TRUE(ParseSql("select o.id from orders o, customers c where o.customer_id = c.id")
                  .unconditioned_joins.empty());
  const SqlFacts cross = ParseSql("select 1 from orders cross join customers");
  ASSERT_EQ(cross.unconditioned_joins.size(), 1u);
  EXPECT_EQ(cross.unconditioned_joins[0], "orders CROSS JOIN customers");
  EXPECT_EQ(ParseSql("select 1 from orders o join customers c on true").unconditioned_joins[0],
            "o JOIN c ON true");
  EXPECT_TRUE(ParseSql("select 1 from orders o join customers c on o.customer_id = c.id")
                  .unconditioned_joins.empty());
  EXPECT_TRUE(ParseSql("select 1 from orders join customers using (customer_id)")
                  .unconditioned_joins.empty());
  EXPECT_TRUE(ParseSql("select 1 from orders cross join generate_series($1, $2)")
                  .unconditioned_joins.empty());
}

TEST(ParseSql, SeesLeadingWildcardsAndParameterPatterns) {
  const SqlFacts concat = ParseSql("select id from users where email like '%' || $1");
  ASSERT_EQ(concat.likes.size(), 1u);
  EXPECT_EQ(concat.likes[0].text, "email LIKE '%' || $1");
  EXPECT_FALSE(concat.likes[0].parameter);
  const SqlFacts literal = ParseSql("select id from users where name ilike '%smith'");
  ASSERT_EQ(literal.likes.size(), 1u);
  EXPECT_EQ(literal.likes[0].text, "name ILIKE '%smith'");
  const SqlFacts param = ParseSql("select id from users where email like $1");
  ASSERT_EQ(param.likes.size(), 1u);
  EXPECT_TRUE(param.likes[0].parameter);
  EXPECT_TRUE(ParseSql("select id from users where email like $1 || '%'").likes.empty());
  EXPECT_TRUE(ParseSql("select id from users where name like 'smith%'").likes.empty());
}

TEST(ParseSql, SeesAFunctionOrCastOverAColumnInWhere) {
  const SqlFacts f = ParseSql(
      "select id from users where lower(email) = $1 and created_at::date = $2 and "
      "date_trunc('day', seen) > $3");
  ASSERT_EQ(f.functions_on_columns.size(), 3u);
  EXPECT_EQ(f.functions_on_columns[0], "lower(email)");
  EXPECT_EQ(f.functions_on_columns[1], "created_at::date");
  EXPECT_EQ(f.functions_on_columns[2], "date_trunc('day', seen)");
  EXPECT_TRUE(ParseSql("select id from users where email = lower($1) and created_at >= $2::date")
                  .functions_on_columns.empty());
  EXPECT_TRUE(
      ParseSql("select lower(email) from users where id = $1").functions_on_columns.empty());
}

TEST(ParseSql, SeesNotInOverASubquery) {
  const SqlFacts f = ParseSql("select id from users where id not in (select user_id from banned)");
  ASSERT_EQ(f.not_in_subqueries.size(), 1u);
  EXPECT_EQ(f.not_in_subqueries[0], "id NOT IN (SELECT …)");
  EXPECT_TRUE(ParseSql("select id from users u where not exists (select 1 from banned b where "
                       "b.user_id = u.id)")
                  .not_in_subqueries.empty());
  EXPECT_TRUE(ParseSql("select id from users where id not in ($1, $2)").not_in_subqueries.empty());
}

TEST(ParseSql, SeesOrChainsFromThreeOrsOverOneColumn) {
  const SqlFacts f = ParseSql(
      "select id from orders where status = $1 or status = $2 or status = $3 or status = $4");
  ASSERT_EQ(f.or_chains.size(), 1u);
  EXPECT_EQ(f.or_chains[0].column, "status");
  EXPECT_EQ(f.or_chains[0].comparisons, 4);
  EXPECT_TRUE(ParseSql("select id from orders where status = $1 or status = $2 or status = $3")
                  .or_chains.empty());
  EXPECT_TRUE(ParseSql("select id from orders where status = any($1)").or_chains.empty());
  EXPECT_TRUE(ParseSql("select id from orders where a = $1 or b = $2 or c = $3 or d = $4")
                  .or_chains.empty());
}

TEST(ParseSql, ReadsUnicodeAndEscapesInTheTree) {
  const SqlFacts f = ParseSql("select id from \"usérs\" where \"na\"\"me\" like '%ü\\x'");
  ASSERT_TRUE(f.parsed);
  ASSERT_EQ(f.likes.size(), 1u);
  EXPECT_EQ(f.likes[0].text, "na\"me LIKE '%ü\\x'");
}

TEST(ParseSql, TellsAPlainSelectFromATextThatCouldWriteOrLock) {
  EXPECT_TRUE(ParseSql("select id from orders where customer_id = $1").is_plain_select);
  EXPECT_TRUE(ParseSql("with t as (select 1) select * from t union select 2").is_plain_select);
  EXPECT_FALSE(ParseSql("select id into copy from orders").is_plain_select);
  EXPECT_FALSE(ParseSql("select id from orders where id = $1 for update").is_plain_select);
  EXPECT_FALSE(ParseSql("select * from (select id from orders for share) s").is_plain_select);
  EXPECT_FALSE(
      ParseSql("with d as (delete from orders returning id) select * from d").is_plain_select);
  EXPECT_FALSE(ParseSql("update orders set total = $1").is_plain_select);
  EXPECT_FALSE(ParseSql("select 1; select 2").is_plain_select);
  EXPECT_EQ(ParseSql("select $1, $3 from orders where id = $2").parameters, 3);
}

TEST(ParseSql, NamesTheColumnsComparedWithAValueInWhere) {
  const SqlFacts f = ParseSql(
      "select o.id from app.orders o join customers c on c.id = o.customer_id "
      "where o.status = $1 and o.created_at > now() - $2::interval and c.region in ($3, $4) "
      "and o.total = c.credit and (o.note = $5 or o.note = $6)");
  ASSERT_EQ(f.filters.size(), 3u);
  EXPECT_EQ(f.filters[0].schemaname, "app");
  EXPECT_EQ(f.filters[0].relname, "orders");
  EXPECT_EQ(f.filters[0].column, "status");
  EXPECT_TRUE(f.filters[0].equality);
  EXPECT_EQ(f.filters[1].column, "created_at");
  EXPECT_FALSE(f.filters[1].equality);
  EXPECT_EQ(f.filters[2].relname, "customers");
  EXPECT_EQ(f.filters[2].column, "region");
  EXPECT_TRUE(f.filters[2].equality);
}

TEST(ParseSql, TakesAnUnqualifiedColumnOnlyWhenItsSelectReadsOneTable) {
  const SqlFacts one = ParseSql("select id from orders where $1 = customer_id and id = any($2)");
  ASSERT_EQ(one.filters.size(), 2u);
  EXPECT_EQ(one.filters[0].column, "customer_id");
  EXPECT_EQ(one.filters[1].column, "id");
  EXPECT_TRUE(ParseSql("select 1 from a, b where x = $1").filters.empty());
  // A subquery's WHERE is its own SELECT.
  const SqlFacts sub =
      ParseSql("select id from orders where id in (select order_id from items where sku = $1)");
  ASSERT_EQ(sub.filters.size(), 1u);
  EXPECT_EQ(sub.filters[0].relname, "items");
  EXPECT_EQ(sub.filters[0].column, "sku");
}

}  // namespace
}  // namespace pgvigil::analysis
