// SPDX-License-Identifier: Apache-2.0
// A Notification as JSON: the outbox's payload column and the body of the generic webhook.
// Field names carry their units (value + unit, RFC 3339 times). Round-trips exactly.
#pragma once

#include <string>

#include "common/result.h"
#include "model/notification.h"

namespace pgvigil::alerts {

// {"dedup_key":…, "alert_id":…, "kind":"firing", "severity":"critical", "target":…,
//  "check_id":…, "object":…, "value":…, "unit":…, "message":…,
//  "recommendation":{"sql":…,"why":…}, "link":…, "starts_at":…, "ends_at":…, "labels":{…}}
std::string NotificationToJson(const model::Notification& notification);
common::Result<model::Notification> NotificationFromJson(const std::string& json);

}  // namespace pgvigil::alerts
