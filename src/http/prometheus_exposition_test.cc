// SPDX-License-Identifier: Apache-2.0
#include "http/prometheus_exposition.h"
#include "model/health_report.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace pgvigil::http {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

common::Timestamp At(double seconds) { return common::TimestampFromEpochSeconds(seconds); }

model::CollectorOutcome Ok(std::string collector) {
  model::CollectorOutcome o;
  o.collector = std::move(collector);
  o.duration_seconds = 0.25;
  return o;
}

model::StatementStats Statement(std::int64_t queryid, double total_ms, std::string datname = "app",
                                std::string user = "web") {
  model::StatementStats s;
  s.queryid = queryid;
  s.datname = std::move(datname);
  s.rolname = std::move(user);
  s.calls = 10;
  s.rows = 20;
  s.total_exec_time = total_ms;
  s.query = "SELECT secret_column FROM t WHERE password = 'hunter2'";
  return s;
}

model::TableStats Table(std::string name, std::int64_t size_bytes) {
  model::TableStats t;
  t.datname = "app";
  t.schemaname = "public";
  t.relname = std::move(name);
  t.estimated_size_bytes = size_bytes;
  t.n_dead_tup = 5;
  t.last_autovacuum = At(1700000000);
  return t;
}

std::shared_ptr<model::Snapshot> SmallSnapshot() {
  auto s = std::make_shared<model::Snapshot>();
  s->target = "db1";
  s->collected_at = At(1700000100);
  s->server.server_version_num = 150004;
  s->server.server_version = "15.4";
  s->outcomes = {Ok("stat_activity"), Ok("stat_database"), Ok("stat_statements")};
  model::DatabaseStats d;
  d.datid = 16384;
  d.datname = "app";
  d.xact_commit = 123;
  d.deadlocks = 2;
  d.temp_bytes = 4096;
  s->databases = {d};
  model::Backend b;
  b.pid = 1;
  b.datname = "app";
  b.state = "idle in transaction";
  b.application_name = "shop";
  b.xact_age_seconds = 42.5;
  b.query = "UPDATE accounts SET password = 'hunter2'";
  model::Backend own = b;
  own.application_name = "pgvigil";
  own.state = "active";
  s->activity = {b, own};
  s->statements = {Statement(1, 100), Statement(2, 300), Statement(3, 200)};
  s->tables = {Table("small", 8192), Table("big", 81920)};
  model::Setting max_connections{"max_connections", "100", "", "integer", "default", false};
  model::Setting work_mem{"work_mem", "4096", "kB", "integer", "default", false};
  model::Setting timeout{"statement_timeout", "5000", "ms", "integer", "default", false};
  model::Setting wal_level{"wal_level", "replica", "", "enum", "default", false};
  s->settings = {max_connections, work_mem, timeout, wal_level};
  return s;
}

std::shared_ptr<model::TargetState> UpTarget(std::string name) {
  auto t = std::make_shared<model::TargetState>();
  t->name = std::move(name);
  t->region = "eu-1";
  t->reachability = model::Reachability::kUp;
  t->current = SmallSnapshot();
  t->last_success = At(1700000100);
  auto report = std::make_shared<model::HealthReport>();
  report->status = model::HealthStatus::kDegraded;
  report->score = 84;
  model::Finding f;
  f.id = "table.vacuum_overdue";
  f.severity = model::Severity::kWarning;
  f.message = "app.public.big: zq-finding-text";
  report->findings = {f, f};
  t->report = report;
  model::TierState tier;
  tier.tier = "fast";
  tier.interval_seconds = 1;
  tier.last_success = At(1700000100);
  tier.failures_total = 3;
  t->tiers = {tier};
  return t;
}

std::string Render(const std::vector<std::shared_ptr<const model::TargetState>>& targets,
                   const ExpositionOptions& options = {}, const SelfMetrics& self = {}) {
  std::string out;
  RenderMetrics(targets, self, options, out);
  return out;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// The family a sample line belongs to: its name up to `{` or ` `.
std::string SampleName(const std::string& line) { return line.substr(0, line.find_first_of("{ ")); }

TEST(RenderMetrics, WritesHelpAndTypeOncePerFamilyAndKeepsFamiliesTogether) {
  const std::string text = Render({UpTarget("a"), UpTarget("b")});
  std::map<std::string, int> helps;
  std::map<std::string, int> types;
  std::set<std::string> finished;
  std::string current;
  for (const std::string& line : Lines(text)) {
    ASSERT_FALSE(line.empty());
    if (line.starts_with("# HELP ")) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      ++helps[name];
      if (!current.empty()) finished.insert(current);
      current = name;
      continue;
    }
    if (line.starts_with("# TYPE ")) {
      ++types[line.substr(7, line.find(' ', 7) - 7)];
      continue;
    }
    const std::string name = SampleName(line);
    EXPECT_EQ(name, current) << "sample outside its family: " << line;
    EXPECT_FALSE(finished.contains(name)) << line;
  }
  EXPECT_GT(helps.size(), 40u);
  for (const auto& [name, count] : helps) EXPECT_EQ(count, 1) << name;
  EXPECT_EQ(helps.size(), types.size());
  // Both targets' samples sit in one family block.
  EXPECT_THAT(text, HasSubstr("pg_stat_database_xact_commit{target=\"a\",region=\"eu-1\","
                              "datid=\"16384\",datname=\"app\"} 123\n"
                              "pg_stat_database_xact_commit{target=\"b\",region=\"eu-1\","
                              "datid=\"16384\",datname=\"app\"} 123\n"));
}

TEST(RenderMetrics, UsesPostgresExporterNamesAndLabels) {
  const std::string text = Render({UpTarget("a")});
  EXPECT_THAT(text, HasSubstr("# TYPE pg_up gauge\npg_up{target=\"a\",region=\"eu-1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pg_stat_database_deadlocks{target=\"a\",region=\"eu-1\","
                              "datid=\"16384\",datname=\"app\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("pg_stat_activity_count{target=\"a\",region=\"eu-1\","
                              "datname=\"app\",state=\"idle in transaction\"} 1\n"));
  // pgvigil's own backend is not counted; states without backends report 0.
  EXPECT_THAT(text, HasSubstr("pg_stat_activity_count{target=\"a\",region=\"eu-1\","
                              "datname=\"app\",state=\"active\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("pg_stat_activity_max_tx_duration{target=\"a\",region=\"eu-1\","
                              "datname=\"app\",state=\"idle in transaction\"} 42.5\n"));
  EXPECT_THAT(text, HasSubstr("pg_stat_user_tables_n_dead_tup{target=\"a\",region=\"eu-1\","
                              "datname=\"app\",schemaname=\"public\",relname=\"big\"} 5\n"));
  EXPECT_THAT(text,
              HasSubstr("pg_stat_user_tables_last_autovacuum{target=\"a\",region=\"eu-1\","
                        "datname=\"app\",schemaname=\"public\",relname=\"big\"} 1700000000\n"));
  EXPECT_THAT(text, HasSubstr("pg_stat_statements_seconds_total{target=\"a\",region=\"eu-1\","
                              "user=\"web\",datname=\"app\",queryid=\"2\"} 0.3\n"));
  EXPECT_THAT(text, HasSubstr("pg_settings_max_connections{target=\"a\",region=\"eu-1\"} 100\n"));
  EXPECT_THAT(text,
              HasSubstr("pg_settings_work_mem_bytes{target=\"a\",region=\"eu-1\"} 4194304\n"));
  EXPECT_THAT(text,
              HasSubstr("pg_settings_statement_timeout_seconds{target=\"a\",region=\"eu-1\"} 5\n"));
  EXPECT_THAT(text, Not(HasSubstr("pg_settings_wal_level")));  // enums are not numbers
  EXPECT_THAT(text, HasSubstr("pg_static{target=\"a\",region=\"eu-1\",short_version=\"15.4.0\","
                              "version=\"15.4\"} 1\n"));
}

TEST(RenderMetrics, ExportsHealthFindingsCollectorsAndTiers) {
  const std::string text = Render({UpTarget("a")});
  EXPECT_THAT(text, HasSubstr("pgvigil_health_score{target=\"a\",region=\"eu-1\"} 84\n"));
  EXPECT_THAT(text, HasSubstr("pgvigil_health_status{target=\"a\",region=\"eu-1\","
                              "status=\"degraded\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pgvigil_health_status{target=\"a\",region=\"eu-1\","
                              "status=\"healthy\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("pgvigil_findings{target=\"a\",region=\"eu-1\","
                              "id=\"table.vacuum_overdue\",severity=\"warning\"} 2\n"));
  EXPECT_THAT(text, HasSubstr("pgvigil_collector_success{target=\"a\",region=\"eu-1\","
                              "collector=\"stat_statements\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pgvigil_collector_duration_seconds{target=\"a\",region=\"eu-1\","
                              "collector=\"stat_activity\"} 0.25\n"));
  EXPECT_THAT(text, HasSubstr("# TYPE pgvigil_tier_failures_total counter\n"
                              "pgvigil_tier_failures_total{target=\"a\",region=\"eu-1\","
                              "tier=\"fast\"} 3\n"));
  EXPECT_THAT(text, HasSubstr("pgvigil_tier_last_success_timestamp_seconds{target=\"a\","
                              "region=\"eu-1\",tier=\"fast\"} 1700000100\n"));
}

TEST(RenderMetrics, EscapesLabelValuesAndSanitisesLabelNames) {
  auto t = UpTarget("we\"ird\\name\nx");
  t->labels = {{"team", "a\"b"}, {"cost-centre", "7"}, {"target", "shadow"}, {"9lives", "x"}};
  const std::string text = Render({t});
  EXPECT_THAT(text, HasSubstr("pg_up{target=\"we\\\"ird\\\\name\\nx\",region=\"eu-1\","
                              "_9lives=\"x\",cost_centre=\"7\",label_target=\"shadow\","
                              "team=\"a\\\"b\"} 1\n"));
  EXPECT_EQ(SanitizeLabelName("__meta"), "label___meta");
  EXPECT_EQ(SanitizeLabelName("datname"), "label_datname");
  EXPECT_EQ(SanitizeLabelName("env"), "env");
  EXPECT_EQ(SanitizeLabelName(""), "_");
}

TEST(RenderMetrics, EscapesBackslashQuoteAndNewlineInRowLabels) {
  auto t = UpTarget("a");
  auto s = SmallSnapshot();
  s->tables = {Table("odd\"na\\me\nx", 1)};
  t->current = s;
  const std::string text = Render({t});
  EXPECT_THAT(text, HasSubstr("relname=\"odd\\\"na\\\\me\\nx\"} 5\n"));
}

TEST(RenderMetrics, UnreachableTargetExportsUpZeroAndNoErrorText) {
  auto t = UpTarget("down");
  t->reachability = model::Reachability::kUnreachable;
  t->last_error = "connection to server at \"10.0.0.1\" failed: password authentication failed";
  t->unreachable_since = At(1700000200);
  t->tiers[0].last_error = "timeout talking to 10.0.0.1";
  const std::string text = Render({t, UpTarget("up")});
  EXPECT_THAT(text, HasSubstr("pg_up{target=\"down\",region=\"eu-1\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("pgvigil_target_up{target=\"down\",region=\"eu-1\"} 0\n"));
  EXPECT_THAT(text, HasSubstr("pg_up{target=\"up\",region=\"eu-1\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("pgvigil_target_unreachable_since_timestamp_seconds{target=\"down\","
                              "region=\"eu-1\"} 1700000200\n"));
  EXPECT_THAT(text, Not(HasSubstr("10.0.0.1")));
  EXPECT_THAT(text, Not(HasSubstr("password")));
  // Stale PostgreSQL figures of the last good snapshot are not exported as if live.
  for (const std::string& line : Lines(text)) {
    if (line.starts_with("pg_stat") || line.starts_with("pg_settings")) {
      EXPECT_THAT(line, Not(HasSubstr("target=\"down\""))) << line;
    }
  }
  // Its health and tier figures remain.
  EXPECT_THAT(text, HasSubstr("pgvigil_tier_failures_total{target=\"down\""));
}

TEST(RenderMetrics, TargetNeverCollectedIsDown) {
  auto t = std::make_shared<model::TargetState>();
  t->name = "new";
  const std::string text = Render({t});
  EXPECT_THAT(text, HasSubstr("pg_up{target=\"new\",region=\"\"} 0\n"));
}

TEST(RenderMetrics, CapsStatementsToTheTopByTotalTime) {
  ExpositionOptions options;
  options.max_statements = 2;
  const std::string text = Render({UpTarget("a")}, options);
  EXPECT_THAT(text, HasSubstr("queryid=\"2\""));
  EXPECT_THAT(text, HasSubstr("queryid=\"3\""));
  EXPECT_THAT(text, Not(HasSubstr("queryid=\"1\"")));
  EXPECT_THAT(text, HasSubstr("pgvigil_exposition_omitted_rows{target=\"a\",region=\"eu-1\","
                              "kind=\"statements\"} 1\n"));
  options.max_statements = 0;
  EXPECT_THAT(Render({UpTarget("a")}, options), Not(HasSubstr("pg_stat_statements_")));
}

TEST(RenderMetrics, MergesEntriesOfOneStatementWithTheSameLabels) {
  auto t = UpTarget("a");
  auto s = SmallSnapshot();
  model::StatementStats top = Statement(9, 1000);
  top.toplevel = true;
  model::StatementStats nested = Statement(9, 500);
  nested.toplevel = false;
  s->statements = {top, nested};
  t->current = s;
  const std::string text = Render({t});
  EXPECT_THAT(text, HasSubstr("pg_stat_statements_seconds_total{target=\"a\",region=\"eu-1\","
                              "user=\"web\",datname=\"app\",queryid=\"9\"} 1.5\n"));
  EXPECT_THAT(text, HasSubstr("pg_stat_statements_calls_total{target=\"a\",region=\"eu-1\","
                              "user=\"web\",datname=\"app\",queryid=\"9\"} 20\n"));
}

TEST(RenderMetrics, CapsTablesToTheLargest) {
  ExpositionOptions options;
  options.max_tables = 1;
  const std::string text = Render({UpTarget("a")}, options);
  EXPECT_THAT(text, HasSubstr("relname=\"big\""));
  EXPECT_THAT(text, Not(HasSubstr("relname=\"small\"")));
  EXPECT_THAT(text, HasSubstr("kind=\"tables\"} 1\n"));
}

TEST(RenderMetrics, NeverWritesQueryText) {
  const std::string text = Render({UpTarget("a")});
  EXPECT_THAT(text, Not(HasSubstr("hunter2")));
  EXPECT_THAT(text, Not(HasSubstr("SELECT")));
  EXPECT_THAT(text, Not(HasSubstr("UPDATE")));
  EXPECT_THAT(text, Not(HasSubstr("zq-finding-text")));  // finding messages neither
}

TEST(RenderMetrics, IsDeterministicWhateverTheRowOrder) {
  auto a = UpTarget("a");
  auto b = UpTarget("a");
  auto reversed = SmallSnapshot();
  std::reverse(reversed->tables.begin(), reversed->tables.end());
  std::reverse(reversed->statements.begin(), reversed->statements.end());
  std::reverse(reversed->settings.begin(), reversed->settings.end());
  b->current = reversed;
  const std::string first = Render({a});
  EXPECT_EQ(first, Render({a}));
  EXPECT_EQ(first, Render({b}));
}

TEST(RenderMetrics, AppendsSelfMetricsWithoutTargetLabels) {
  SelfMetrics self;
  self.process_start_time_seconds = 1700000000;
  self.store_size_bytes = 1024;
  self.scrapes_total = 3;
  self.sse_clients = 2;
  self.http_requests_total = {{{{"route", "/metrics"}, {"code", "200"}}, 3}};
  self.extra = {{"pgvigil_build_info", MetricType::kGauge, "Build.", {{{{"version", "0.1"}}, 1}}}};
  const std::string text = Render({UpTarget("a")}, {}, self);
  EXPECT_THAT(text, HasSubstr("\npgvigil_targets 1\n"));
  EXPECT_THAT(text, HasSubstr("\npgvigil_store_size_bytes 1024\n"));
  EXPECT_THAT(text, HasSubstr("\npgvigil_scrapes_total 3\n"));
  EXPECT_THAT(text, HasSubstr("\npgvigil_sse_clients 2\n"));
  EXPECT_THAT(text, HasSubstr("pgvigil_http_requests_total{route=\"/metrics\",code=\"200\"} 3\n"));
  EXPECT_THAT(
      text, HasSubstr("# TYPE pgvigil_build_info gauge\npgvigil_build_info{version=\"0.1\"} 1\n"));
}

std::shared_ptr<model::TargetState> DownTarget(std::string name) {
  auto t = std::make_shared<model::TargetState>();
  t->name = std::move(name);
  t->reachability = model::Reachability::kUnreachable;
  return t;
}

// The pieces of an ExpositionRender, asked for with `min_bytes` each.
std::vector<std::string> Pieces(std::vector<std::shared_ptr<const model::TargetState>> targets,
                                const SelfMetrics& self, std::size_t min_bytes) {
  ExpositionRender render(std::move(targets), self, ExpositionOptions{});
  std::vector<std::string> pieces;
  for (std::string piece; render.Next(piece, min_bytes); piece.clear()) pieces.push_back(piece);
  return pieces;
}

TEST(ExpositionRender, ItsPiecesMakeTheWholeExpositionSplitBetweenLines) {
  SelfMetrics self;
  self.scrapes_total = 7;
  const std::vector<std::shared_ptr<const model::TargetState>> targets = {
      UpTarget("a"), DownTarget("down"), UpTarget("b")};
  const std::string whole = Render(targets, {}, self);
  for (const std::size_t min_bytes :
       {std::size_t{1}, std::size_t{100}, std::size_t{4096}, kNoLimit}) {
    const std::vector<std::string> pieces = Pieces(targets, self, min_bytes);
    std::string joined;
    for (std::size_t i = 0; i < pieces.size(); ++i) {
      ASSERT_FALSE(pieces[i].empty()) << "piece " << i << " of min " << min_bytes;
      EXPECT_EQ(pieces[i].back(), '\n') << "piece " << i << " of min " << min_bytes;
      if (i + 1 < pieces.size()) {
        EXPECT_GE(pieces[i].size(), min_bytes) << "piece " << i;
      }
      joined += pieces[i];
    }
    EXPECT_EQ(joined, whole) << "min " << min_bytes;
  }
  EXPECT_EQ(Pieces(targets, self, kNoLimit).size(), 1u);
  // Piece by piece, a table family is split between the targets: the second target's rows
  // come in a piece of their own, without the family's header.
  const std::vector<std::string> smallest = Pieces(targets, self, 1);
  EXPECT_GT(smallest.size(), 20u);
  const auto second_targets_rows =
      std::find_if(smallest.begin(), smallest.end(), [](const std::string& piece) {
        return piece.starts_with("pg_stat_user_tables_n_dead_tup{target=\"b\"");
      });
  EXPECT_NE(second_targets_rows, smallest.end());
}

TEST(ExpositionRender, KeepsTheStatesAndFiguresItWasGiven) {
  std::string whole;
  std::optional<ExpositionRender> render;
  {
    auto target = UpTarget("a");
    SelfMetrics self;
    self.extra = {
        {"pgvigil_build_info", MetricType::kGauge, "Build.", {{{{"version", "0.1"}}, 1}}}};
    whole = Render({target}, {}, self);
    render.emplace(std::vector<std::shared_ptr<const model::TargetState>>{target}, self,
                   ExpositionOptions{});
  }  // the caller's state and figures are gone (the cache has moved on)
  std::string joined;
  while (render->Next(joined, 1)) {
  }
  EXPECT_EQ(joined, whole);
}

TEST(ExpositionWriter, SpellsSpecialNumbersAsPrometheusDoes) {
  std::string out;
  ExpositionWriter::AppendDouble(out, std::numeric_limits<double>::infinity());
  out += ' ';
  ExpositionWriter::AppendDouble(out, -std::numeric_limits<double>::infinity());
  out += ' ';
  ExpositionWriter::AppendDouble(out, std::numeric_limits<double>::quiet_NaN());
  out += ' ';
  ExpositionWriter::AppendDouble(out, 0.1);
  EXPECT_EQ(out, "+Inf -Inf NaN 0.1");
}

TEST(ExpositionWriter, EscapesHelpAndOmitsEmptyFamilies) {
  std::string out;
  ExpositionWriter w(out);
  w.BeginFamily("empty_family", MetricType::kGauge, "never written");
  w.BeginFamily("x_total", MetricType::kCounter, "line\\one\nline two");
  w.Open();
  w.Close(std::int64_t{5});
  EXPECT_EQ(out, "# HELP x_total line\\\\one\\nline two\n# TYPE x_total counter\nx_total 5\n");
  EXPECT_EQ(w.families_written(), 1u);
}

}  // namespace
}  // namespace pgvigil::http
