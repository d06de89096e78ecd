// SPDX-License-Identifier: Apache-2.0
// The read side of the JSON API (DESIGN.md §2): targets, health by type, findings, history, the
// liveness and database-health routes, the seed-era aliases, and the SSE stream. Handlers read
// the StateSource (the daemon's cache) and the history store, never a monitored database.
// Parameters are validated: a bad one is a 400 naming it, an unknown target a 404.
#pragma once

#include <functional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "http/event_stream.h"
#include "http/router.h"
#include "http/state_source.h"
#include "store/history_store.h"

namespace pgvigil::http {

struct ApiContext {
  const StateSource* state = nullptr;
  store::HistoryStore* history = nullptr;  // null: /api/v1/history answers 503
  EventStream* events = nullptr;           // null: no /api/v1/stream
  const common::Clock* clock = nullptr;
  common::Timestamp started_at{};
  std::string version;
  // Asks the target's monitor to collect every tier now (POST /api/v1/targets/{name}/collect,
  // operator). False when there is no such target. Null: the route is not offered.
  std::function<bool(std::string_view target)> collect_now;
};

// Adds every read route to `router`. kInvalidArgument if a route collides with one already there.
common::Status AddApiRoutes(Router& router, const ApiContext& context);

// Parses a time parameter: ISO-8601 UTC ("2026-11-22T07:00:00Z"), seconds since the epoch
// ("1795000000"), "now", or "now-1h" / "-1h" relative to `now`. Exposed for tests.
common::Result<common::Timestamp> ParseTimeParameter(std::string_view text, common::Timestamp now);

}  // namespace pgvigil::http
