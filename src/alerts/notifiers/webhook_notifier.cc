// SPDX-License-Identifier: Apache-2.0
#include "alerts/notifiers/webhook_notifier.h"

#include "alerts/notifiers/hmac.h"
#include "alerts/notifiers/notification_json.h"

namespace pgvigil::alerts {

common::Status WebhookNotifier::Send(const model::Notification& notification) {
  HttpRequest request;
  request.url = options_.url;
  request.body = NotificationToJson(notification);
  request.headers = {"Content-Type: application/json", "User-Agent: pgvigil",
                     "X-Pgvigil-Dedup-Key: " + notification.dedup_key};
  if (!options_.hmac_secret.empty()) {
    request.headers.push_back("X-Pgvigil-Signature: sha256=" +
                              HmacSha256Hex(options_.hmac_secret, request.body));
  }
  request.secrets = {options_.url, options_.hmac_secret};
  request.timeouts = options_.timeouts;
  return HttpPost(request).status().WithContext("webhook " + options_.name);
}

}  // namespace pgvigil::alerts
