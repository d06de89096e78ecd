// SPDX-License-Identifier: Apache-2.0
// The alert routes of the JSON API (docs/api.md, "Alerts"): the list with its filters, an
// operator's action on one alert (acknowledge, resolve, silence), and the seed-era alias
// /api/database/alerts. The routes talk to an AlertService (the daemon's alert engine), so
// http/ knows nothing of the evaluator. AlertJson is also the data of the SSE "alert" event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "http/router.h"
#include "model/alert.h"
#include "store/alert_store.h"

namespace pgvigil::http {

enum class AlertAction { kAcknowledge, kResolve, kSilence };

struct AlertActionRequest {
  std::int64_t alert_id = 0;
  AlertAction action = AlertAction::kAcknowledge;
  std::string note;
  std::optional<common::Timestamp> until;  // silence: required
  std::string actor;                       // the acting principal's token name
};

class AlertService {
 public:
  virtual ~AlertService() = default;
  virtual common::Result<std::vector<model::Alert>> ListAlerts(const store::AlertFilter& f) = 0;
  // The alert after the action. kNotFound for an unknown id; kInvalidArgument for a transition
  // its state does not allow.
  virtual common::Result<model::Alert> Act(const AlertActionRequest& request) = 0;
};

// {"id":…, "target":…, "check_id":…, "object":…, "severity":…, "state":…, "first_fired_at":…,
//  "last_changed_at":…, "resolved_at":…, "acked_by":…, "acked_at":…, "ack_note":…, "value":…,
//  "unit":…, "message":…, "recommendation":…}
std::string AlertJson(const model::Alert& alert);

// GET /api/v1/alerts (viewer), PATCH /api/v1/alerts/{id} (operator), GET|PATCH
// /api/database/alerts (the alias). `service` and `clock` must outlive the router.
common::Status AddAlertRoutes(Router& router, AlertService& service, const common::Clock& clock);

}  // namespace pgvigil::http
