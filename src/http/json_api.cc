// SPDX-License-Identifier: Apache-2.0
#include "http/json_api.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/units.h"
#include "http/rendered_bodies.h"
#include "http/state_json.h"
#include "store/json_types.h"
#include "store/report_json.h"

namespace pgvigil::http {
namespace {

using nlohmann::json;

Response JsonResponse(const json& body, int status = 200) {
  return Response::Json(body.dump(-1, ' ', false, json::error_handler_t::replace), status);
}

// The target named by ?target=, or the only one when there is exactly one and none was named.
common::Result<std::shared_ptr<const model::TargetState>> PickTarget(const ApiContext& c,
                                                                     const Request& r,
                                                                     ApiError& error) {
  const auto name = r.Query("target");
  if (name.has_value()) {
    auto t = c.state->Target(*name);
    if (t == nullptr) {
      error = NotFound(fmt::format("no target named '{}'", *name));
      return common::NotFoundError(error.message);
    }
    return t;
  }
  auto all = c.state->Targets();
  if (all.size() == 1) return all.front();
  error = BadRequest(all.empty() ? "no target is configured"
                                 : "parameter 'target' is required when more than one target "
                                   "is configured");
  return common::InvalidArgumentError(error.message);
}

std::optional<model::Severity> ParseSeverity(std::string_view s) {
  if (s == "info") return model::Severity::kInfo;
  if (s == "warning") return model::Severity::kWarning;
  if (s == "critical") return model::Severity::kCritical;
  return std::nullopt;
}

Response Healthz(const ApiContext& c) {
  const auto now = c.clock->Now();
  return JsonResponse(
      {{"status", "ok"},
       {"version", c.version},
       {"uptime_seconds", std::chrono::duration<double>(now - c.started_at).count()},
       {"targets", c.state->Targets().size()}});
}

Response Targets(const ApiContext& c) {
  json list = json::array();
  for (const auto& t : c.state->Targets()) list.push_back(TargetSummaryJson(*t));
  return JsonResponse({{"targets", list}});
}

// A target's health view as JSON text, rendered once per state (rendered_bodies.h).
std::shared_ptr<const std::string> HealthBody(RenderedBodies& bodies,
                                              const std::shared_ptr<const model::TargetState>& t,
                                              HealthView view) {
  return bodies.Get(t, static_cast<int>(view), [view](const model::TargetState& state) {
    return HealthJson(state, view).dump(-1, ' ', false, json::error_handler_t::replace);
  });
}

Response Health(const ApiContext& c, RenderedBodies& bodies, const Request& r) {
  HealthView view = HealthView::kOverview;
  if (auto type = r.Query("type"); type.has_value()) {
    auto parsed = ParseHealthView(*type);
    if (!parsed.has_value()) {
      return Response::Error(BadRequest(
          fmt::format("parameter 'type' must be one of {}; got '{}'", kHealthViewNames, *type)));
    }
    view = *parsed;
  }
  if (!r.Query("target").has_value() && c.state->Targets().size() > 1) {
    // Several targets and none named: every target's view, in configuration order. The
    // compact dump of {"targets":[a,b]} is exactly these bytes.
    std::string body = "{\"targets\":[";
    bool first = true;
    for (const auto& t : c.state->Targets()) {
      if (!first) body += ',';
      first = false;
      body += *HealthBody(bodies, t, view);
    }
    body += "]}";
    return Response::Json(std::move(body));
  }
  ApiError error;
  auto target = PickTarget(c, r, error);
  if (!target.has_value()) return Response::Error(error);
  return Response::SharedJson(HealthBody(bodies, *target, view));
}

// 200 when the target can serve (healthy, or degraded unless ?strict=true), 503 otherwise: for
// load balancers and orchestrators.
Response DatabaseHealth(const ApiContext& c, const Request& r) {
  ApiError error;
  auto target = PickTarget(c, r, error);
  if (!target.has_value()) return Response::Error(error);
  const model::TargetState& t = **target;
  const std::string_view status = TargetStatusName(t);
  const bool strict = r.Query("strict").value_or("false") == "true";
  const bool ok = status == "healthy" || (!strict && status == "degraded");
  json body = TargetSummaryJson(t);
  body["healthy"] = ok;
  return JsonResponse(body, ok ? 200 : 503);
}

Response Findings(const ApiContext& c, const Request& r) {
  std::optional<model::Severity> min_severity;
  if (auto s = r.Query("severity"); s.has_value()) {
    min_severity = ParseSeverity(*s);
    if (!min_severity.has_value()) {
      return Response::Error(BadRequest(
          fmt::format("parameter 'severity' must be info, warning or critical; got '{}'", *s)));
    }
  }
  const auto id = r.Query("id");
  std::vector<std::shared_ptr<const model::TargetState>> targets;
  if (auto name = r.Query("target"); name.has_value()) {
    auto t = c.state->Target(*name);
    if (t == nullptr) return Response::Error(NotFound(fmt::format("no target named '{}'", *name)));
    targets.push_back(t);
  } else {
    targets = c.state->Targets();
  }
  json list = json::array();
  for (const auto& t : targets) {
    if (t->report == nullptr) continue;
    for (const model::Finding& f : t->report->findings) {
      if (min_severity.has_value() && f.severity < *min_severity) continue;
      if (id.has_value() && f.id != *id && !f.id.starts_with(std::string(*id) + ".")) continue;
      list.push_back(store::FindingToJson(f));
    }
  }
  return JsonResponse({{"findings", list}, {"count", list.size()}});
}

common::Result<std::chrono::microseconds> ParseStep(std::string_view text) {
  auto seconds = common::ParseDurationSeconds(text);
  if (!seconds.has_value()) return seconds.error();
  if (*seconds < 1) return common::InvalidArgumentError("must be at least 1s");
  return std::chrono::microseconds(static_cast<std::int64_t>(*seconds * 1e6));
}

std::optional<store::Aggregation> ParseAggregation(std::string_view s) {
  if (s == "avg") return store::Aggregation::kAvg;
  if (s == "min") return store::Aggregation::kMin;
  if (s == "max") return store::Aggregation::kMax;
  if (s == "last") return store::Aggregation::kLast;
  if (s == "sum") return store::Aggregation::kSum;
  return std::nullopt;
}

std::string_view ResolutionName(store::Resolution r) {
  switch (r) {
    case store::Resolution::kRaw:
      return "raw";
    case store::Resolution::kFiveMinutes:
      return "5m";
    case store::Resolution::kHourly:
      return "1h";
  }
  return "raw";
}

Response History(const ApiContext& c, const Request& r) {
  if (c.history == nullptr) return Response::Error(Unavailable("the history store is not open"));
  ApiError error;
  auto target = PickTarget(c, r, error);
  if (!target.has_value()) return Response::Error(error);
  const std::string& name = (*target)->name;
  const auto metric = r.Query("metric");
  if (!metric.has_value()) {
    // Without a metric: what there is to ask for.
    auto metrics = c.history->ListMetrics(name);
    if (!metrics.has_value()) return Response::Error(Unavailable(metrics.error().message()));
    json list = json::array();
    for (const store::MetricInfo& m : *metrics) {
      json labels = json::object();
      for (const auto& [k, v] : m.labels) labels[k] = v;
      list.push_back({{"metric", m.metric}, {"labels", labels}});
    }
    return JsonResponse({{"target", name}, {"metrics", list}});
  }
  const common::Timestamp now = c.clock->Now();
  store::SeriesQuery q;
  q.target = name;
  q.metric = std::string(*metric);
  q.to = now;
  if (auto to = r.Query("to"); to.has_value()) {
    auto t = ParseTimeParameter(*to, now);
    if (!t.has_value())
      return Response::Error(BadRequest("parameter 'to': " + t.error().message()));
    q.to = *t;
  }
  q.from = q.to - std::chrono::hours(1);
  if (auto from = r.Query("from"); from.has_value()) {
    auto t = ParseTimeParameter(*from, now);
    if (!t.has_value()) {
      return Response::Error(BadRequest("parameter 'from': " + t.error().message()));
    }
    q.from = *t;
  }
  if (q.from >= q.to) return Response::Error(BadRequest("'from' must be before 'to'"));
  // About 300 points by default: enough for a chart, small enough for a phone.
  const auto range = q.to - q.from;
  q.step = std::max<std::chrono::microseconds>(std::chrono::seconds(1), range / 300);
  if (auto step = r.Query("step"); step.has_value()) {
    auto s = ParseStep(*step);
    if (!s.has_value())
      return Response::Error(BadRequest("parameter 'step': " + s.error().message()));
    if (range / *s > 11000) {
      return Response::Error(BadRequest("parameter 'step': more than 11000 points in the range"));
    }
    q.step = *s;
  }
  if (auto agg = r.Query("agg"); agg.has_value()) {
    auto a = ParseAggregation(*agg);
    if (!a.has_value()) {
      return Response::Error(BadRequest(
          fmt::format("parameter 'agg' must be avg, min, max, last or sum; got '{}'", *agg)));
    }
    q.aggregation = *a;
  }
  // Label filters: ?label=datname:app (repeatable).
  for (std::string_view l : r.QueryAll("label")) {
    const auto colon = l.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return Response::Error(
          BadRequest(fmt::format("parameter 'label' must be name:value; got '{}'", l)));
    }
    q.labels.emplace_back(std::string(l.substr(0, colon)), std::string(l.substr(colon + 1)));
  }
  std::sort(q.labels.begin(), q.labels.end());
  auto result = c.history->QuerySeries(q);
  if (!result.has_value()) {
    if (result.error().code() == common::StatusCode::kInvalidArgument) {
      return Response::Error(BadRequest(result.error().message()));
    }
    return Response::Error(Unavailable(result.error().message()));
  }
  json series = json::array();
  for (const store::Series& s : result->series) {
    json labels = json::object();
    for (const auto& [k, v] : s.labels) labels[k] = v;
    json points = json::array();
    for (const store::SeriesPoint& p : s.points) {
      points.push_back(
          {std::chrono::duration<double>(p.timestamp.time_since_epoch()).count(), p.value});
    }
    series.push_back({{"labels", labels}, {"points", points}});
  }
  return JsonResponse({{"target", name},
                       {"metric", q.metric},
                       {"from", common::FormatTimestamp(q.from)},
                       {"to", common::FormatTimestamp(q.to)},
                       {"step_seconds", std::chrono::duration<double>(q.step).count()},
                       {"resolution", ResolutionName(result->resolution)},
                       {"series", series}});
}

// The seed-era summary: each target's latest key figures.
Response HealthMetrics(const ApiContext& c) {
  json list = json::array();
  for (const auto& t : c.state->Targets()) list.push_back(json::parse(SampleEventJson(*t)));
  return JsonResponse({{"targets", list}});
}

}  // namespace

common::Result<common::Timestamp> ParseTimeParameter(std::string_view text, common::Timestamp now) {
  if (text == "now") return now;
  std::string_view relative = text;
  if (relative.starts_with("now")) relative.remove_prefix(3);
  if (relative.starts_with("-")) {
    auto seconds = common::ParseDurationSeconds(relative.substr(1));
    if (!seconds.has_value()) return seconds.error();
    return now - std::chrono::microseconds(static_cast<std::int64_t>(*seconds * 1e6));
  }
  if (text.find('T') != std::string_view::npos) return store::ParseTimestamp(text);
  double epoch = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), epoch);
  if (ec != std::errc() || ptr != text.data() + text.size() || !std::isfinite(epoch) || epoch < 0) {
    return common::InvalidArgumentError(fmt::format(
        "'{}' is not a time (ISO-8601 UTC, seconds since the epoch, now, or now-1h)", text));
  }
  return common::TimestampFromEpochSeconds(epoch);
}

common::Status AddApiRoutes(Router& router, const ApiContext& c) {
  const ApiContext* ctx = &c;
  auto bodies = std::make_shared<RenderedBodies>();
  struct R {
    const char* pattern;
    Handler handler;
  };
  const std::vector<R> routes = {
      {"/healthz", [ctx](const Request&) { return Healthz(*ctx); }},
      {"/api/v1/targets", [ctx](const Request&) { return Targets(*ctx); }},
      {"/api/v1/health", [ctx, bodies](const Request& r) { return Health(*ctx, *bodies, r); }},
      {"/api/v1/health/database", [ctx](const Request& r) { return DatabaseHealth(*ctx, r); }},
      {"/api/v1/findings", [ctx](const Request& r) { return Findings(*ctx, r); }},
      {"/api/v1/history", [ctx](const Request& r) { return History(*ctx, r); }},
      // The seed-era paths, kept so existing scripts and dashboards keep working.
      {"/api/database/health",
       [ctx, bodies](const Request& r) { return Health(*ctx, *bodies, r); }},
      {"/api/health/database", [ctx](const Request& r) { return DatabaseHealth(*ctx, r); }},
      {"/api/health/metrics", [ctx](const Request&) { return HealthMetrics(*ctx); }},
  };
  for (const R& r : routes) {
    PGV_RETURN_IF_ERROR(router.Add("GET", r.pattern, Role::kViewer, r.handler));
  }
  if (c.collect_now) {
    PGV_RETURN_IF_ERROR(router.Add(
        "POST", "/api/v1/targets/{name}/collect", Role::kOperator, [ctx](const Request& r) {
          const std::string_view name = r.Param("name");
          if (!ctx->collect_now(name)) {
            return Response::Error(NotFound(fmt::format("no target named '{}'", name)));
          }
          return JsonResponse({{"target", name}, {"accepted", true}}, 202);
        }));
  }
  if (c.events != nullptr) {
    EventStream* events = c.events;
    PGV_RETURN_IF_ERROR(router.Add("GET", "/api/v1/stream", Role::kViewer,
                                   [events](const Request& r) { return events->Subscribe(r); }));
  }
  return common::Status::Ok();
}

}  // namespace pgvigil::http
