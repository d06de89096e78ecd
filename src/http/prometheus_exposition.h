// SPDX-License-Identifier: Apache-2.0
// RenderMetrics writes the daemon's /metrics: Prometheus text exposition format 0.0.4, rendered
// from the cached TargetStates (never a query to a monitored database) and the daemon's own
// figures. Names follow postgres_exporter where it has an equivalent (`pg_*`, the same across
// PostgreSQL versions); everything else is `pgvigil_*`. docs/metrics.md lists every family.
//
// Every series carries `target`, `region` and the target's configured labels; per-database
// series carry `datname`. A target that does not answer exports `pg_up 0` and pgvigil's own
// series only (its last error is never a label). Statement texts and error messages never
// appear. Output is deterministic: families in a fixed order, targets in the order given, rows
// sorted by their labels. Pure and thread-safe (the inputs are immutable).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/exposition_writer.h"
#include "model/target_state.h"

namespace pgvigil::http {

inline constexpr std::string_view kExpositionContentType =
    "text/plain; version=0.0.4; charset=utf-8";
inline constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

struct ExpositionOptions {
  // pg_stat_statements series per target: the entries with the largest total_exec_time
  // (postgres_exporter's collector keeps 100). 0 leaves them out.
  std::size_t max_statements = 100;
  // Per-table and per-index series per target: the largest by estimated size. 0 leaves them out.
  std::size_t max_tables = kNoLimit;
  std::size_t max_indexes = kNoLimit;
};

// One series of a family the daemon adds: label pairs (names already valid) and the value.
struct LabelledValue {
  std::vector<std::pair<std::string, std::string>> labels;
  double value = 0;
};

// A family the daemon adds without this file knowing it (build info, worker pool, …).
struct ExtraFamily {
  std::string name;  // valid metric name, `pgvigil_` prefix
  MetricType type = MetricType::kGauge;
  std::string help;
  std::vector<LabelledValue> samples;
};

// The daemon's own figures; it fills this struct for each scrape.
struct SelfMetrics {
  std::optional<double> process_start_time_seconds;  // Unix time
  std::optional<std::int64_t> store_size_bytes;
  std::uint64_t scrapes_total = 0;  // /metrics bodies served whole before this one
  // How long the previous /metrics render took (this one cannot time itself).
  std::optional<double> last_scrape_duration_seconds;
  std::int64_t sse_clients = 0;
  // pgvigil_http_requests_total, labels e.g. {route, method, code}.
  std::vector<LabelledValue> http_requests_total;
  std::vector<ExtraFamily> extra;
};

// Appends the whole exposition to `out`: ExpositionRender run to the end. Null entries of
// `targets` are skipped.
void RenderMetrics(std::span<const std::shared_ptr<const model::TargetState>> targets,
                   const SelfMetrics& self, const ExpositionOptions& options, std::string& out);

// The same exposition rendered piece by piece, for a body sent while it is rendered: whole, the
// daemon's /metrics on the large benchmark database is 13 MiB, held while the slow tier's sample
// is parsed — the daemon's peak memory. It keeps the targets and figures it is given, so every
// piece comes from the same states. The targets are prepared (sorted, labels rendered) with the
// first piece, so a render never asked for (HEAD) costs nothing. One thread at a time.
class ExpositionRender {
 public:
  ExpositionRender(std::vector<std::shared_ptr<const model::TargetState>> targets, SelfMetrics self,
                   const ExpositionOptions& options);
  ~ExpositionRender();
  ExpositionRender(const ExpositionRender&) = delete;
  ExpositionRender& operator=(const ExpositionRender&) = delete;

  // Appends the next piece to `out` and returns true, or returns false once the exposition has
  // ended. A piece is whole families, or one target's rows of a table or index family, at least
  // `min_bytes` of them unless the exposition ends first; it is never empty.
  bool Next(std::string& out, std::size_t min_bytes);

 private:
  struct State;
  // What the first Next prepares the render from; moved into state_ then.
  std::vector<std::shared_ptr<const model::TargetState>> targets_;
  SelfMetrics self_;
  ExpositionOptions options_;
  std::unique_ptr<State> state_;
};

// A configured label name made valid for Prometheus ([a-zA-Z_][a-zA-Z0-9_]*), prefixed with
// `label_` when it would collide with a label pgvigil sets itself (target, datname, …) or
// with a reserved one (`__…`, job, instance).
std::string SanitizeLabelName(std::string_view name);

}  // namespace pgvigil::http
