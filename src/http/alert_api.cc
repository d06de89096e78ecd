// SPDX-License-Identifier: Apache-2.0
#include "http/alert_api.h"

#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/units.h"
#include "http/json_api.h"
#include "store/json_types.h"

namespace pgvigil::http {
namespace {

using nlohmann::json;

json AlertToJson(const model::Alert& a) {
  const auto time_or_null = [](const std::optional<common::Timestamp>& t) -> json {
    if (!t.has_value()) return nullptr;
    return common::FormatTimestamp(*t);
  };
  json j = {{"id", a.id},
            {"target", a.target},
            {"check_id", a.check_id},
            {"object", a.object},
            {"severity", std::string(model::SeverityName(a.severity))},
            {"state", std::string(model::AlertStateName(a.state))},
            {"first_fired_at", common::FormatTimestamp(a.first_fired_at)},
            {"last_changed_at", common::FormatTimestamp(a.last_changed_at)},
            {"resolved_at", time_or_null(a.resolved_at)},
            {"acked_by", a.acked_by.empty() ? json(nullptr) : json(a.acked_by)},
            {"acked_at", time_or_null(a.acked_at)},
            {"ack_note", a.ack_note},
            {"value", a.value.has_value() ? json(*a.value) : json(nullptr)},
            {"unit", a.unit},
            {"message", a.message},
            {"recommendation", a.recommendation}};
  return j;
}

Response JsonResponse(const json& body, int status = 200) {
  return Response::Json(body.dump(-1, ' ', false, json::error_handler_t::replace), status);
}

Response ErrorFor(const common::Status& s) {
  switch (s.code()) {
    case common::StatusCode::kNotFound:
      return Response::Error(NotFound(s.message()));
    case common::StatusCode::kInvalidArgument:
      return Response::Error(BadRequest(s.message()));
    default:
      return Response::Error(Unavailable(s.message()));
  }
}

std::optional<model::Severity> ParseSeverity(std::string_view s) {
  if (s == "info") return model::Severity::kInfo;
  if (s == "warning") return model::Severity::kWarning;
  if (s == "critical") return model::Severity::kCritical;
  return std::nullopt;
}

Response List(AlertService& service, const Request& r) {
  store::AlertFilter filter;
  if (const auto s = r.Query("state"); s.has_value() && !s->empty()) {
    filter.state = model::ParseAlertState(*s);
    if (!filter.state.has_value()) {
      return Response::Error(BadRequest(
          fmt::format("parameter 'state': '{}' is not firing, acknowledged or resolved", *s)));
    }
  }
  if (const auto s = r.Query("severity"); s.has_value() && !s->empty()) {
    filter.severity = ParseSeverity(*s);
    if (!filter.severity.has_value()) {
      return Response::Error(BadRequest(
          fmt::format("parameter 'severity': '{}' is not info, warning or critical", *s)));
    }
  }
  if (const auto t = r.Query("target"); t.has_value() && !t->empty()) filter.target = *t;
  auto alerts = service.ListAlerts(filter);
  if (!alerts.has_value()) return ErrorFor(alerts.error());
  json items = json::array();
  for (const model::Alert& a : *alerts) items.push_back(AlertToJson(a));
  return JsonResponse({{"alerts", std::move(items)}});
}

// Reads {action, note, until} (and, for the alias, alertId) into `out`; an error message when
// the body is malformed.
std::optional<std::string> ParseAction(const Request& r, const common::Clock& clock,
                                       bool id_in_body, AlertActionRequest& out) {
  json body;
  try {
    body = json::parse(r.body);
  } catch (const json::exception& e) {
    return fmt::format("the body is not JSON: {}", e.what());
  }
  if (!body.is_object()) return std::string("the body must be a JSON object");
  if (id_in_body) {
    const auto it = body.find("alertId");
    if (it == body.end()) return std::string("'alertId' is required");
    if (it->is_number_integer()) {
      out.alert_id = it->get<std::int64_t>();
    } else if (it->is_string()) {
      const std::string s = it->get<std::string>();
      const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out.alert_id);
      if (ec != std::errc() || p != s.data() + s.size()) {
        return fmt::format("'alertId': '{}' is not an alert id", s);
      }
    } else {
      return std::string("'alertId' must be an integer");
    }
  }
  const auto action = body.find("action");
  if (action == body.end() || !action->is_string()) {
    return std::string("'action' is required: acknowledge, resolve or silence");
  }
  const std::string a = action->get<std::string>();
  if (a == "acknowledge" || a == "ack") {
    out.action = AlertAction::kAcknowledge;
  } else if (a == "resolve") {
    out.action = AlertAction::kResolve;
  } else if (a == "silence") {
    out.action = AlertAction::kSilence;
  } else {
    return fmt::format("'action': '{}' is not acknowledge, resolve or silence", a);
  }
  if (const auto note = body.find("note"); note != body.end() && !note->is_null()) {
    if (!note->is_string()) return std::string("'note' must be a string");
    out.note = note->get<std::string>();
  }
  if (const auto until = body.find("until"); until != body.end() && !until->is_null()) {
    if (!until->is_string()) return std::string("'until' must be a time string");
    std::string_view text = until->get_ref<const std::string&>();
    if (text.starts_with("now")) text.remove_prefix(3);
    if (text.starts_with("+")) {
      auto seconds = common::ParseDurationSeconds(text.substr(1));
      if (!seconds.has_value()) return fmt::format("'until': {}", seconds.error().message());
      out.until =
          clock.Now() + std::chrono::microseconds(static_cast<std::int64_t>(*seconds * 1e6));
      text = {};
    }
    auto t = text.empty() ? common::Result<common::Timestamp>(*out.until)
                          : ParseTimeParameter(until->get<std::string>(), clock.Now());
    if (!t.has_value()) return fmt::format("'until': {}", t.error().message());
    out.until = *t;
  }
  if (out.action == AlertAction::kSilence && !out.until.has_value()) {
    return std::string("'until' is required to silence (e.g. \"now+1h\" or an RFC 3339 time)");
  }
  return std::nullopt;
}

Response Patch(AlertService& service, const common::Clock& clock, const Request& r,
               bool id_in_body) {
  AlertActionRequest request;
  if (!id_in_body) {
    const std::string_view id = r.Param("id");
    const auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), request.alert_id);
    if (ec != std::errc() || p != id.data() + id.size()) {
      return Response::Error(NotFound(fmt::format("no alert with id '{}'", id)));
    }
  }
  if (auto error = ParseAction(r, clock, id_in_body, request); error.has_value()) {
    return Response::Error(BadRequest(*error));
  }
  request.actor = r.principal.name;
  auto alert = service.Act(request);
  if (!alert.has_value()) return ErrorFor(alert.error());
  return JsonResponse(AlertToJson(*alert));
}

}  // namespace

std::string AlertJson(const model::Alert& alert) {
  return AlertToJson(alert).dump(-1, ' ', false, json::error_handler_t::replace);
}

common::Status AddAlertRoutes(Router& router, AlertService& service, const common::Clock& clock) {
  const auto list = [&service](const Request& r) { return List(service, r); };
  PGV_RETURN_IF_ERROR(router.Add("GET", "/api/v1/alerts", Role::kViewer, list));
  PGV_RETURN_IF_ERROR(router.Add("GET", "/api/database/alerts", Role::kViewer, list));
  PGV_RETURN_IF_ERROR(
      router.Add("PATCH", "/api/v1/alerts/{id}", Role::kOperator,
                 [&service, &clock](const Request& r) { return Patch(service, clock, r, false); }));
  PGV_RETURN_IF_ERROR(
      router.Add("PATCH", "/api/database/alerts", Role::kOperator,
                 [&service, &clock](const Request& r) { return Patch(service, clock, r, true); }));
  return common::Status::Ok();
}

}  // namespace pgvigil::http
