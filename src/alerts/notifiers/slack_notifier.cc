// SPDX-License-Identifier: Apache-2.0
#include "alerts/notifiers/slack_notifier.h"

#include <nlohmann/json.hpp>

namespace pgvigil::alerts {
namespace {

// Slack's mrkdwn needs &, < and > escaped; everything else passes.
std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Headline(const model::Notification& n) {
  std::string state;
  switch (n.kind) {
    case model::NotificationKind::kResolved:
      state = "RESOLVED";
      break;
    case model::NotificationKind::kEscalated:
      state = "ESCALATED to ";
      break;
    case model::NotificationKind::kRenotify:
      state = "STILL FIRING ";
      break;
    case model::NotificationKind::kTest:
      state = "TEST ";
      break;
    case model::NotificationKind::kFiring:
      break;
  }
  if (n.kind != model::NotificationKind::kResolved) state += std::string(SeverityLabel(n.severity));
  return state + " " + n.target + ": " + n.check_id;
}

nlohmann::json Field(const std::string& label, const std::string& value) {
  return {{"type", "mrkdwn"}, {"text", "*" + label + "*\n" + Escape(value.empty() ? "-" : value)}};
}

nlohmann::json Section(const std::string& text) {
  return {{"type", "section"}, {"text", {{"type", "mrkdwn"}, {"text", text}}}};
}

}  // namespace

std::string SlackPayload(const model::Notification& n) {
  nlohmann::json blocks = nlohmann::json::array();
  // Header blocks are plain_text of at most 150 characters.
  blocks.push_back({{"type", "header"},
                    {"text", {{"type", "plain_text"}, {"text", Headline(n).substr(0, 150)}}}});
  blocks.push_back(
      {{"type", "section"},
       {"fields",
        {Field("Severity", std::string(SeverityLabel(n.severity))), Field("Target", n.target),
         Field("Object", n.object), Field("Value", FormatValue(n))}}});
  if (!n.message.empty()) blocks.push_back(Section(Escape(n.message)));
  if (n.kind == model::NotificationKind::kResolved) {
    blocks.push_back(Section(":white_check_mark: *Resolved*: the condition has cleared."));
  } else if (n.recommendation.has_value()) {
    std::string text = "*Recommendation*\n" + Escape(n.recommendation->why);
    if (!n.recommendation->sql.empty()) text += "\n```" + n.recommendation->sql + "```";
    blocks.push_back(Section(text));
  }
  if (!n.link.empty()) blocks.push_back(Section("<" + n.link + "|Open the alert in pgvigil>"));
  const nlohmann::json body = {{"text", Headline(n) + " — " + Summary(n)}, {"blocks", blocks}};
  return body.dump();
}

common::Status SlackNotifier::Send(const model::Notification& notification) {
  HttpRequest request;
  request.url = options_.url;
  request.body = SlackPayload(notification);
  request.headers = {"Content-Type: application/json", "User-Agent: pgvigil"};
  request.secrets = {options_.url};
  request.timeouts = options_.timeouts;
  return HttpPost(request).status().WithContext("slack " + options_.name);
}

}  // namespace pgvigil::alerts
