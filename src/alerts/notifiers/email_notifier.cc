// SPDX-License-Identifier: Apache-2.0
#include "alerts/notifiers/email_notifier.h"

#include <ctime>

#include <fmt/format.h>

namespace pgvigil::alerts {
namespace {

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// Header values must not carry line breaks (header injection through an object name).
std::string OneLine(std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return text;
}

// RFC 5322 date in UTC: "Sun, 22 Nov 2026 07:03:36 +0000".
std::string RfcDate(common::Timestamp now) {
  const std::time_t seconds =
      std::chrono::system_clock::to_time_t(std::chrono::time_point_cast<std::chrono::seconds>(now));
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} +0000", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string StateWord(const model::Notification& n) {
  switch (n.kind) {
    case model::NotificationKind::kResolved:
      return "RESOLVED";
    case model::NotificationKind::kTest:
      return "TEST " + std::string(SeverityLabel(n.severity));
    default:
      return std::string(SeverityLabel(n.severity));
  }
}

std::string TextPart(const model::Notification& n) {
  std::string text = fmt::format("{} {}: {}\r\n\r\n", StateWord(n), n.target, n.check_id);
  text += "Target:   " + n.target + "\r\n";
  text += "Object:   " + n.object + "\r\n";
  if (const std::string v = FormatValue(n); !v.empty()) text += "Value:    " + v + "\r\n";
  text += "Since:    " + common::FormatTimestamp(n.starts_at) + "\r\n";
  if (n.ends_at.has_value()) text += "Resolved: " + common::FormatTimestamp(*n.ends_at) + "\r\n";
  text += "\r\n" + n.message + "\r\n";
  if (n.recommendation.has_value()) {
    text += "\r\nRecommendation: " + n.recommendation->why + "\r\n";
    if (!n.recommendation->sql.empty()) text += "\r\n    " + n.recommendation->sql + "\r\n";
  }
  if (!n.link.empty()) text += "\r\n" + n.link + "\r\n";
  return text;
}

std::string HtmlPart(const model::Notification& n) {
  std::string html =
      fmt::format("<html><body><h2>{} {}: {}</h2>\r\n<table>\r\n", HtmlEscape(StateWord(n)),
                  HtmlEscape(n.target), HtmlEscape(n.check_id));
  auto row = [&](const char* label, const std::string& value) {
    html +=
        fmt::format("<tr><th align=\"left\">{}</th><td>{}</td></tr>\r\n", label, HtmlEscape(value));
  };
  row("Target", n.target);
  row("Object", n.object);
  if (const std::string v = FormatValue(n); !v.empty()) row("Value", v);
  row("Since", common::FormatTimestamp(n.starts_at));
  if (n.ends_at.has_value()) row("Resolved", common::FormatTimestamp(*n.ends_at));
  html += "</table>\r\n<p>" + HtmlEscape(n.message) + "</p>\r\n";
  if (n.recommendation.has_value()) {
    html += "<h3>Recommendation</h3>\r\n<p>" + HtmlEscape(n.recommendation->why) + "</p>\r\n";
    if (!n.recommendation->sql.empty()) {
      html += "<pre>" + HtmlEscape(n.recommendation->sql) + "</pre>\r\n";
    }
  }
  if (!n.link.empty()) {
    html += "<p><a href=\"" + HtmlEscape(n.link) + "\">Open the alert in pgvigil</a></p>\r\n";
  }
  return html + "</body></html>\r\n";
}

// SMTP lines are limited to 998 octets and a line starting with "." needs care; quoted-printable
// would handle both but long SQL is rare, so fold the rare long line at 900 octets instead.
std::string FoldLongLines(const std::string& text) {
  std::string out;
  size_t column = 0;
  for (char c : text) {
    if (c == '\n') {
      column = 0;
    } else if (++column > 900) {
      out += "\r\n";
      column = 1;
    }
    out += c;
  }
  return out;
}

}  // namespace

std::string EmailSubject(const model::Notification& n) {
  std::string subject = fmt::format("[pgvigil] {} {}: {}", StateWord(n), n.target, n.check_id);
  if (!n.object.empty()) subject += " " + n.object;
  return OneLine(subject);
}

std::string BuildEmail(const model::Notification& n, const EmailOptions& options,
                       common::Timestamp now) {
  const std::string boundary = "pgvigil-" + n.dedup_key + "-alt";
  std::string to;
  for (const std::string& address : options.to) to += (to.empty() ? "" : ", ") + address;
  std::string m;
  m += "Date: " + RfcDate(now) + "\r\n";
  m += "From: " + OneLine(options.from) + "\r\n";
  m += "To: " + OneLine(to) + "\r\n";
  m += "Message-ID: <" + OneLine(n.dedup_key) + "@pgvigil>\r\n";
  m += "Subject: " + EmailSubject(n) + "\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/alternative; boundary=\"" + boundary + "\"\r\n";
  m += "\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  m += FoldLongLines(TextPart(n));
  m += "\r\n--" + boundary + "\r\n";
  m += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n";
  m += FoldLongLines(HtmlPart(n));
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

common::Status EmailNotifier::Send(const model::Notification& notification) {
  SmtpRequest request;
  request.url = options_.url;
  request.require_starttls = options_.require_starttls;
  request.insecure_skip_verify = options_.insecure_skip_verify;
  request.username = options_.username;
  request.password = options_.password;
  request.from = options_.from;
  request.to = options_.to;
  request.message = BuildEmail(notification, options_, clock_.Now());
  request.timeouts = options_.timeouts;
  return SmtpSend(request).WithContext("email " + options_.name);
}

}  // namespace pgvigil::alerts
