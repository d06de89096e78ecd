// SPDX-License-Identifier: Apache-2.0
#include "alerts/notifiers/curl_client.h"

#include <curl/curl.h>

#include <cstring>
#include <memory>
#include <mutex>

#include <fmt/format.h>

namespace pgvigil::alerts {
namespace {

struct CurlEasyCleanup {
  void operator()(CURL* curl) const { curl_easy_cleanup(curl); }
};
struct CurlSlistFree {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using CurlHandle = std::unique_ptr<CURL, CurlEasyCleanup>;
using CurlList = std::unique_ptr<curl_slist, CurlSlistFree>;

CurlHandle NewHandle() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  return CurlHandle(curl_easy_init());
}

CurlList MakeList(const std::vector<std::string>& items) {
  curl_slist* list = nullptr;
  for (const std::string& item : items) {
    curl_slist* next = curl_slist_append(list, item.c_str());
    if (next == nullptr) break;
    list = next;
  }
  return CurlList(list);
}

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  auto* out = static_cast<std::string*>(user);
  // Keep enough of an error answer to explain it; never buffer an unbounded reply.
  const size_t n = size * count;
  if (out->size() < 4096) out->append(data, std::min(n, 4096 - out->size()));
  return n;
}

void SetCommon(CURL* curl, const std::string& url, const CurlTimeouts& timeouts, char* error) {
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(timeouts.connect.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeouts.total.count()));
  // Receivers are http(s) and smtp(s) only: no file://, no redirects to elsewhere (a redirect
  // would carry the body, and perhaps the secret, to a host nobody configured).
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https,smtp,smtps");
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
}

common::Status FromCurlCode(CURLcode code, const char* error, const std::string& url,
                            const std::vector<std::string>& secrets) {
  std::string detail = error[0] != '\0' ? error : curl_easy_strerror(code);
  std::string message = Scrub(fmt::format("{}: {}", RedactUrl(url), detail), [&] {
    std::vector<std::string> all = secrets;
    all.push_back(url);
    return all;
  }());
  if (code == CURLE_OPERATION_TIMEDOUT) return common::TimeoutError(std::move(message));
  if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
    return common::InvalidArgumentError(std::move(message));
  }
  if (code == CURLE_LOGIN_DENIED) return common::PermissionDeniedError(std::move(message));
  return common::UnavailableError(std::move(message));
}

struct UploadSource {
  const std::string* data;
  size_t offset = 0;
};

size_t ReadUpload(char* buffer, size_t size, size_t count, void* user) {
  auto* source = static_cast<UploadSource*>(user);
  const size_t n = std::min(size * count, source->data->size() - source->offset);
  std::memcpy(buffer, source->data->data() + source->offset, n);
  source->offset += n;
  return n;
}

}  // namespace

std::string RedactUrl(const std::string& url) {
  const size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return "[redacted url]";
  const size_t host_start = scheme_end + 3;
  size_t host_end = url.find_first_of("/?#", host_start);
  if (host_end == std::string::npos) host_end = url.size();
  std::string host = url.substr(host_start, host_end - host_start);
  if (const size_t at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
  std::string out = url.substr(0, host_start) + host;
  if (host_end < url.size()) out += "/…";
  return out;
}

std::string Scrub(std::string text, const std::vector<std::string>& secrets) {
  for (const std::string& secret : secrets) {
    if (secret.empty()) continue;
    for (size_t at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 10)) {
      text.replace(at, secret.size(), "[redacted]");
    }
  }
  return text;
}

common::Result<HttpResponse> HttpPost(const HttpRequest& request) {
  CurlHandle curl = NewHandle();
  if (!curl) return common::InternalError("curl_easy_init failed");
  char error[CURL_ERROR_SIZE] = {};
  SetCommon(curl.get(), request.url, request.timeouts, error);
  CurlList headers = MakeList(request.headers);
  HttpResponse response;
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, request.body.data());
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE,
                   static_cast<curl_off_t>(request.body.size()));
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &response.body);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) return FromCurlCode(code, error, request.url, request.secrets);
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  if (response.status >= 200 && response.status < 300) return response;
  std::vector<std::string> secrets = request.secrets;
  secrets.push_back(request.url);
  std::string snippet = response.body.substr(0, 200);
  std::string message = Scrub(fmt::format("{}: HTTP {}{}{}", RedactUrl(request.url),
                                          response.status, snippet.empty() ? "" : ": ", snippet),
                              secrets);
  if (response.status >= 500 || response.status == 429) {
    return common::UnavailableError(std::move(message));
  }
  if (response.status == 401 || response.status == 403) {
    return common::PermissionDeniedError(std::move(message));
  }
  return common::InvalidArgumentError(std::move(message));
}

common::Status SmtpSend(const SmtpRequest& request) {
  CurlHandle curl = NewHandle();
  if (!curl) return common::InternalError("curl_easy_init failed");
  char error[CURL_ERROR_SIZE] = {};
  SetCommon(curl.get(), request.url, request.timeouts, error);
  if (request.require_starttls) curl_easy_setopt(curl.get(), CURLOPT_USE_SSL, CURLUSESSL_ALL);
  if (request.insecure_skip_verify) {
    curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(curl.get(), CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!request.username.empty()) {
    curl_easy_setopt(curl.get(), CURLOPT_USERNAME, request.username.c_str());
    curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, request.password.c_str());
  }
  const std::string from = "<" + request.from + ">";
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_FROM, from.c_str());
  std::vector<std::string> to;
  for (const std::string& address : request.to) to.push_back("<" + address + ">");
  CurlList recipients = MakeList(to);
  curl_easy_setopt(curl.get(), CURLOPT_MAIL_RCPT, recipients.get());
  UploadSource source{&request.message};
  curl_easy_setopt(curl.get(), CURLOPT_READFUNCTION, ReadUpload);
  curl_easy_setopt(curl.get(), CURLOPT_READDATA, &source);
  curl_easy_setopt(curl.get(), CURLOPT_UPLOAD, 1L);
  const CURLcode code = curl_easy_perform(curl.get());
  if (code != CURLE_OK) {
    return FromCurlCode(code, error, request.url, {request.password});
  }
  return common::Status::Ok();
}

}  // namespace pgvigil::alerts
