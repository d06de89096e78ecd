// SPDX-License-Identifier: Apache-2.0
#include "collect/stat_user_tables_collector.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "collect/row_reader.h"

namespace pgvigil::collect {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool IsPrefixOf(std::string_view text, std::string_view word) {  // case-insensitive
  if (text.empty() || text.size() > word.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != word[i]) return false;
  }
  return true;
}

// PostgreSQL's parse_bool: a unique prefix of true/false/yes/no, on/off (at least two
// letters), 1 or 0, in any case.
std::optional<bool> ParseBool(std::string_view text) {
  text = Trim(text);
  if (IsPrefixOf(text, "true") || IsPrefixOf(text, "yes")) return true;
  if (IsPrefixOf(text, "false") || IsPrefixOf(text, "no")) return false;
  if (text.size() >= 2 && IsPrefixOf(text, "on")) return true;
  if (text.size() >= 2 && IsPrefixOf(text, "off")) return false;
  if (text == "1") return true;
  if (text == "0") return false;
  return std::nullopt;
}

// PostgreSQL's parse_real: a decimal floating-point number.
std::optional<double> ParseReal(std::string_view text) {
  text = Trim(text);
  if (text.starts_with('+')) text.remove_prefix(1);
  double out = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(out)) {
    return std::nullopt;
  }
  return out;
}

// PostgreSQL's parse_int: strtol with base 0 (so "0x10" and "010" are hex and octal), and a
// number with a fraction or exponent rounded to the nearest integer.
std::optional<std::int64_t> ParseInt(std::string_view text) {
  const std::string s(Trim(text));
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  const long long v = std::strtoll(s.c_str(), &end, 0);
  if (end != s.c_str() && *end == '\0') return v;
  if (const std::optional<double> d = ParseReal(s)) {
    const double r = std::rint(*d);
    if (std::fabs(r) <= static_cast<double>(std::numeric_limits<std::int32_t>::max())) {
      return static_cast<std::int64_t>(r);
    }
  }
  return std::nullopt;
}

}  // namespace

model::AutovacuumReloptions ParseAutovacuumReloptions(std::span<const std::string> reloptions) {
  model::AutovacuumReloptions out;
  for (const std::string& option : reloptions) {
    const size_t eq = option.find('=');
    if (eq == std::string::npos) continue;
    const std::string_view key = std::string_view(option).substr(0, eq);
    const std::string_view value = std::string_view(option).substr(eq + 1);
    if (key == "autovacuum_enabled") {
      out.autovacuum_enabled = ParseBool(value);
    } else if (key == "autovacuum_vacuum_threshold") {
      out.autovacuum_vacuum_threshold = ParseInt(value);
    } else if (key == "autovacuum_vacuum_scale_factor") {
      out.autovacuum_vacuum_scale_factor = ParseReal(value);
    } else if (key == "autovacuum_vacuum_max_threshold") {
      out.autovacuum_vacuum_max_threshold = ParseInt(value);
    } else if (key == "autovacuum_vacuum_insert_threshold") {
      out.autovacuum_vacuum_insert_threshold = ParseInt(value);
    } else if (key == "autovacuum_vacuum_insert_scale_factor") {
      out.autovacuum_vacuum_insert_scale_factor = ParseReal(value);
    } else if (key == "autovacuum_analyze_threshold") {
      out.autovacuum_analyze_threshold = ParseInt(value);
    } else if (key == "autovacuum_analyze_scale_factor") {
      out.autovacuum_analyze_scale_factor = ParseReal(value);
    } else if (key == "autovacuum_freeze_max_age") {
      out.autovacuum_freeze_max_age = ParseInt(value);
    } else if (key == "autovacuum_multixact_freeze_max_age") {
      out.autovacuum_multixact_freeze_max_age = ParseInt(value);
    }
  }
  return out;
}

common::Status StatUserTablesCollector::Parse(const CollectContext& /*context*/,
                                              std::span<const pg::QueryOutcome> results,
                                              model::Snapshot& snapshot,
                                              std::string& /*note*/) const {
  using I = std::int64_t;
  using OptI = std::optional<std::int64_t>;
  using OptD = std::optional<double>;
  using OptT = std::optional<common::Timestamp>;
  RowReader r(results[0].rows, "stat_user_tables");
  snapshot.tables.reserve(snapshot.tables.size() + static_cast<size_t>(r.row_count()));
  for (int i = 0; i < r.row_count(); ++i) {
    r.Seek(i);
    model::TableStats t;
    t.datname = r.Get<std::string>("datname");
    t.relid = r.Get<std::uint32_t>("relid");
    t.schemaname = r.Get<std::string>("schemaname");
    t.relname = r.Get<std::string>("relname");
    t.relkind = r.Get<std::string>("relkind");
    t.seq_scan = r.Get<I>("seq_scan");
    t.seq_tup_read = r.Get<I>("seq_tup_read");
    t.idx_scan = r.Get<OptI>("idx_scan");
    t.idx_tup_fetch = r.Get<OptI>("idx_tup_fetch");
    t.n_tup_ins = r.Get<I>("n_tup_ins");
    t.n_tup_upd = r.Get<I>("n_tup_upd");
    t.n_tup_del = r.Get<I>("n_tup_del");
    t.n_tup_hot_upd = r.Get<I>("n_tup_hot_upd");
    t.n_tup_newpage_upd = r.Get<OptI>("n_tup_newpage_upd");
    t.n_live_tup = r.Get<I>("n_live_tup");
    t.n_dead_tup = r.Get<I>("n_dead_tup");
    t.n_mod_since_analyze = r.Get<I>("n_mod_since_analyze");
    t.n_ins_since_vacuum = r.Get<I>("n_ins_since_vacuum");
    t.last_seq_scan = r.Get<OptT>("last_seq_scan");
    t.last_idx_scan = r.Get<OptT>("last_idx_scan");
    t.last_vacuum = r.Get<OptT>("last_vacuum");
    t.last_autovacuum = r.Get<OptT>("last_autovacuum");
    t.last_analyze = r.Get<OptT>("last_analyze");
    t.last_autoanalyze = r.Get<OptT>("last_autoanalyze");
    t.vacuum_count = r.Get<I>("vacuum_count");
    t.autovacuum_count = r.Get<I>("autovacuum_count");
    t.analyze_count = r.Get<I>("analyze_count");
    t.autoanalyze_count = r.Get<I>("autoanalyze_count");
    t.total_vacuum_time = r.Get<OptD>("total_vacuum_time");
    t.total_autovacuum_time = r.Get<OptD>("total_autovacuum_time");
    t.total_analyze_time = r.Get<OptD>("total_analyze_time");
    t.total_autoanalyze_time = r.Get<OptD>("total_autoanalyze_time");
    t.heap_blks_read = r.Get<OptI>("heap_blks_read");
    t.heap_blks_hit = r.Get<OptI>("heap_blks_hit");
    t.idx_blks_read = r.Get<OptI>("idx_blks_read");
    t.idx_blks_hit = r.Get<OptI>("idx_blks_hit");
    t.toast_blks_read = r.Get<OptI>("toast_blks_read");
    t.toast_blks_hit = r.Get<OptI>("toast_blks_hit");
    t.reltuples = r.Get<double>("reltuples");
    t.relpages = r.Get<I>("relpages");
    t.relallvisible = r.Get<I>("relallvisible");
    t.estimated_size_bytes = r.Get<I>("estimated_size_bytes");
    // NULL for a partitioned table, which has no storage and so no relfrozenxid.
    t.relfrozenxid_age = r.Get<I>("relfrozenxid_age");
    t.relminmxid_age = r.Get<I>("relminmxid_age");
    t.is_unlogged = r.Get<bool>("is_unlogged");
    t.reloptions = ParseAutovacuumReloptions(r.Get<std::vector<std::string>>("reloptions"));
    snapshot.tables.push_back(std::move(t));
  }
  return r.status();
}

}  // namespace pgvigil::collect
